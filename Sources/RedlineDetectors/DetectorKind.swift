import RedlineCore
import RedlinePCRE2

/// A validated detection inside a candidate, in normalised-text offsets.
public struct Refined: Sendable {
    public var range: Range<Int>
    /// Normalised value (e.g. digits only, upper case) used for thresholds and keyed hashes.
    public var value: [UInt8]
    public var isTestValue: Bool
    public var confidence: Confidence

    public init(range: Range<Int>, value: [UInt8], isTestValue: Bool = false, confidence: Confidence) {
        self.range = range
        self.value = value
        self.isTestValue = isTestValue
        self.confidence = confidence
    }
}

/// Turns one pattern match (in normalised text) into zero or more validated detections.
public typealias Refiner = @Sendable (_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>) -> [Refined]

/// How a kind finds its candidates.
public enum CandidateSource: Sendable {
    /// An unanchored PCRE2 pass over the text.
    case pattern(String, PatternOptions)
    /// Candidates grow outwards from every occurrence of a byte (the `@` of an e-mail address).
    case anchor(UInt8, @Sendable (UnsafeBufferPointer<UInt8>, Int) -> Range<Int>?)
    /// Found outside the detector scanner (`exact_data`: RedlineEngine runs the EDM matcher); the
    /// scanner skips the detector.
    case external
}

/// A built-in detector kind: how it finds candidates, how it validates them, and what it
/// documents about itself (description, examples).
public struct DetectorKind: Sendable {
    public let id: String
    public let summary: String
    public let source: CandidateSource
    public let refine: Refiner
    /// Confidence keywords (lower case) used when a policy does not give its own.
    public let defaultKeywords: [String]
    public let requiresContextByDefault: Bool
    /// Label used by the `label` redaction style when the policy gives none.
    public let defaultLabel: String
    /// Digits kept visible at the end by the `mask` style (cards: 4, per PCI DSS 3.4.1).
    public let maskKeepsLastDigits: Int
    /// Texts that must match, and texts that must not, run by the tests and by `policy test`.
    public let matchExamples: [String]
    public let noMatchExamples: [String]

    /// Every built-in kind except `regex` (which needs a pattern from the policy).
    public static let builtins: [DetectorKind] = [
        .paymentCard, .ukPostcode, .ukNINO, .email, .ukPhone, .iban, .ukBankAccount, .nhsNumber,
    ]

    public static func builtin(_ id: String) -> DetectorKind? { builtins.first { $0.id == id } }

    /// All kind ids a policy may use, `regex` included.
    public static let allIDs: [String] = builtins.map(\.id) + ["regex", "exact_data"]
}

/// Shared pieces of patterns.
enum Pattern {
    /// Not preceded by a letter, digit or underscore (ASCII; normalised text).
    static let notAfterWord = "(?<![A-Za-z0-9_])"
    static let notBeforeWord = "(?![A-Za-z0-9_])"
    /// A separator between digit groups, possibly a line break (a number wrapped onto the next line).
    static let sep = "(?:[ .\\-]?(?:\\r?\\n)?)"
}
