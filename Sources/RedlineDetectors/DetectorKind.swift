import RedlineCore
import RedlinePCRE2

/// A validated detection inside a candidate, in normalised-text offsets.
public struct Refined: Sendable {
    public var range: Range<Int>
    /// Normalised value (e.g. digits only, upper case) used for thresholds and keyed hashes.
    public var value: [UInt8]
    public var isTestValue: Bool
    public var confidence: Confidence
    /// The candidate counts even when its detector requires context and none is near (a VAT
    /// number with its `GB` prefix, an NHS number written 3-3-4): it then counts one confidence
    /// level below `confidence`.
    public var standsAlone: Bool

    public init(range: Range<Int>, value: [UInt8], isTestValue: Bool = false, confidence: Confidence, standsAlone: Bool = false) {
        self.range = range
        self.value = value
        self.isTestValue = isTestValue
        self.confidence = confidence
        self.standsAlone = standsAlone
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
    /// The kind's own context window (characters each side) when the policy sets none for the
    /// detector; the policy's `context_window` still caps it. Kinds whose keyword must sit close
    /// by (a passport number, a UTR) use a short one.
    public var contextWindow: Int? = nil

    /// Every built-in kind except `regex` (which needs a pattern from the policy).
    public static let builtins: [DetectorKind] = [
        .paymentCard, .ukPostcode, .ukNINO, .email, .ukPhone, .iban, .ukBankAccount, .nhsNumber,
        .dateOfBirth, .ukDrivingLicence, .ukPassport, .ukUTR, .ukVAT, .cardSecurityCode, .cardExpiry,
    ]

    public static func builtin(_ id: String) -> DetectorKind? { builtins.first { $0.id == id } }

    /// All kind ids a policy may use, `regex` included.
    public static let allIDs: [String] = builtins.map(\.id) + ["regex"]
}

/// Shared pieces of patterns.
enum Pattern {
    /// Not preceded by a letter, digit or underscore (ASCII; normalised text).
    static let notAfterWord = "(?<![A-Za-z0-9_])"
    static let notBeforeWord = "(?![A-Za-z0-9_])"
    /// A separator between digit groups, possibly a line break (a number wrapped onto the next line).
    static let sep = "(?:[ .\\-]?(?:\\r?\\n)?)"
    /// `word` with each ASCII letter matching either case, without PCRE2's caseless mode (which
    /// in UTF mode lets `ſ` and the Kelvin sign stand for `s` and `k`, and would make the start
    /// rules' byte arithmetic wrong). Only for plain words: regex syntax is not escaped.
    static func ci(_ word: String) -> String {
        word.map { char in
            char.isASCII && char.isLetter ? "[\(char.uppercased())\(char.lowercased())]" : String(char)
        }.joined()
    }

    static func ci(_ words: [String]) -> String { "(?:" + words.map { ci($0) }.joined(separator: "|") + ")" }
}
