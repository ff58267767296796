import RedlineCore
import RedlinePCRE2

/// A validated detection inside a candidate, in normalised-text offsets.
public struct Refined: Sendable {
    public var range: Range<Int>
    /// Normalised value (e.g. digits only, upper case) used for thresholds and keyed hashes.
    public var value: [UInt8]
    public var isTestValue: Bool
    public var confidence: Confidence
    /// Counts only with a context keyword of its detector nearby, whatever the policy says (a NI
    /// number written without its suffix letter).
    public var needsContext: Bool
    /// The candidate counts even when its detector requires context and none is near (a VAT
    /// number with its `GB` prefix, an NHS number written 3-3-4): it then counts one confidence
    /// level below `confidence`.
    public var standsAlone: Bool

    public init(range: Range<Int>, value: [UInt8], isTestValue: Bool = false, confidence: Confidence, needsContext: Bool = false,
                standsAlone: Bool = false) {
        self.range = range
        self.value = value
        self.isTestValue = isTestValue
        self.confidence = confidence
        self.needsContext = needsContext
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
    /// The kind's own context window (characters each side) when the policy sets none for the
    /// detector; the policy's `context_window` still caps it. Kinds whose keyword must sit close
    /// by (a passport number, a UTR) use a short one.
    public var contextWindow: Int? = nil
    /// Candidates found by a pass of their own besides `source`, already validated, with their
    /// values (`email`: addresses written out, `jane at example dot com`). It must skip anything
    /// overlapping a candidate already in the list.
    var extraCandidates: (@Sendable (UnsafeBufferPointer<UInt8>, inout [Refined]) -> Void)? = nil

    /// Every built-in kind except `regex` (which needs a pattern from the policy).
    public static let builtins: [DetectorKind] = [
        .paymentCard, .ukPostcode, .ukNINO, .email, .ukPhone, .iban, .ukBankAccount, .nhsNumber,
        .dateOfBirth, .ukDrivingLicence, .ukPassport, .ukUTR, .ukVAT, .cardSecurityCode, .cardExpiry,
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
    /// A line break: LF, CRLF or a lone CR (U+2028, U+2029 and NEL are LF after normalisation).
    static let lineBreak = "(?:\\r\\n?|\\n)"
    /// A separator between digit groups, possibly with a line break (a number wrapped onto the next
    /// line): up to four of space, tab, `.`, `-`, `/`, `_`, then a line break and up to two blanks.
    /// At most eight bytes; the validators decide which mixes are sane (one punctuation character).
    static let sep = "(?:[ \\t./_\\-]{0,4}+(?:" + lineBreak + "[ \\t]{0,2}+)?)"
    /// A run of digit groups on one line, or wrapped once onto the next (`sep` between groups, a
    /// line break at most once): a file of short digit lines is many short runs, not one huge one.
    static let digitRun = "(?>[0-9](?:" + sameLineSep + "[0-9])*+(?:" + sameLineSep + lineBreak + "[ \\t]{0,2}+[0-9](?:" + sameLineSep + "[0-9])*+)?)"
    static let sameLineSep = "[ \\t./_\\-]{0,4}+"
    /// `word` with each ASCII letter matching either case, without PCRE2's caseless mode (which
    /// in UTF mode lets `ſ` and the Kelvin sign stand for `s` and `k`, and would make the start
    /// rules' byte arithmetic wrong). Only for plain words: regex syntax is not escaped.
    static func ci(_ word: String) -> String {
        word.map { char in
            char.isASCII && char.isLetter ? "[\(char.uppercased())\(char.lowercased())]" : String(char)
        }.joined()
    }

    static func ci(_ words: [String]) -> String { "(?:" + words.map { ci($0) }.joined(separator: "|") + ")" }
    /// A digit run starts at a digit that no digit and same-line separator precede (else it is the
    /// tail of a longer run): one fixed-length look-behind per separator length.
    static let notAfterDigitSep = (1...4).map { "(?<![0-9][ \\t./_\\-]{\($0)})" }.joined()

    /// Not after a letter, digit or underscore, unless the word glued on the left is one of
    /// `keywords` (lower case, ASCII, each ending in a letter): `card4539…`, `NIJG103755A`.
    /// The keyword look-behinds run only after a letter: tried at every digit of a long run
    /// (where a digit stands before), they cost the card pattern four fifths of its JIT time.
    static func notAfterWord(except keywords: [String]) -> String {
        precondition(keywords.allSatisfy { $0.utf8.last.map(StartRule.isLetter) ?? false })
        return "(?:" + notAfterWord + "|(?<=[A-Za-z])(?:" + keywords.map { "(?<=" + notAfterWord + "(?i:" + $0 + "))" }.joined(separator: "|") + "))"
    }
}

/// Words a value may be glued to (`card4539…`, `NIJG103755A`): the pattern accepts them, and the
/// prefilter's start rules know them.
enum GluedKeywords {
    static let card = ["card", "visa", "amex", "mastercard", "maestro", "pan", "cc", "no", "number"]
    static let nino = ["ni", "nin", "nino", "no"]
    /// ``nino`` as bytes, for the prefilter's start rule.
    static let ninoBytes: [[UInt8]] = nino.map { Array($0.utf8) }

    /// Whether `text[..<start]` ends with one of `keywords` (any ASCII case) that no letter, digit or
    /// underscore precedes.
    static func ends(_ text: UnsafeBufferPointer<UInt8>, at start: Int, with keywords: [[UInt8]]) -> Bool {
        // Every keyword ends in a letter: most calls (a digit or `_` before `start`) stop here.
        guard start > 0, StartRule.isLetter(text[start - 1]) else { return false }
        for keyword in keywords {
            let from = start - keyword.count
            guard from >= 0 else { continue }
            var same = true
            var offset = from
            for byte in keyword {
                if text[offset] | 0x20 != byte {
                    same = false
                    break
                }
                offset += 1
            }
            if same && (from == 0 || !StartRule.isWord(text[from - 1])) { return true }
        }
        return false
    }
}
