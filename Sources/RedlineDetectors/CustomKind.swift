import RedlineCore
import RedlinePCRE2

/// Check-digit validators a custom `regex` detector may name.
public enum ValidatorName: String, Sendable, CaseIterable {
    case luhn
    case mod97
    case mod11
    case nino

    /// Applies the validator to the alphanumerics of a match.
    public func accepts(_ characters: [UInt8]) -> Bool {
        switch self {
        case .luhn: return Checksums.luhn(characters)
        case .mod97: return Checksums.mod97(characters)
        case .mod11: return Checksums.nhsMod11(characters)
        case .nino: return characters.count == 9 && UKFormats.isNINOPrefix(characters[0], characters[1])
        }
    }
}

extension DetectorKind {
    /// A custom detector from a policy: the user's pattern, optionally followed by a validator.
    public static func custom(pattern: String, options: PatternOptions, validator: ValidatorName?,
                              confidence: Confidence, label: String) -> DetectorKind {
        DetectorKind(
            id: "regex",
            summary: "Custom regular expression (PCRE2, UTF mode) with an optional check-digit validator (luhn, mod97, mod11, nino).",
            source: .pattern(pattern, options),
            refine: { text, match in
                var chars: [UInt8] = []
                for index in match where UKFormats.isAlnum(text[index]) { chars.append(UKFormats.upper(text[index])) }
                if let validator, !validator.accepts(chars) { return [] }
                if match.isEmpty { return [] }
                return [Refined(range: match, value: chars.isEmpty ? Array(text[match]) : chars, confidence: confidence)]
            },
            defaultKeywords: [],
            requiresContextByDefault: false,
            defaultLabel: label,
            maskKeepsLastDigits: 0,
            matchExamples: [],
            noMatchExamples: []
        )
    }

    /// The `regex` kind as documented by `redline detectors`.
    public static let regexDocumentation = (
        id: "regex",
        summary: "Custom regular expression (PCRE2, UTF mode, match and depth limits) with an optional validator: luhn, mod97, mod11 or nino.",
        example: "pattern: 'ORD-[0-9]{8}'"
    )
}
