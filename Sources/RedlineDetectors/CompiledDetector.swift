import RedlineCore
import RedlinePCRE2

/// A detector as a policy configured it: a kind plus options, with its pattern compiled.
/// Immutable and shared by every thread.
public final class CompiledDetector: Sendable {
    public let id: String
    public let kind: DetectorKind
    public let pattern: CompiledPattern?
    /// Lower-case keywords that raise confidence.
    public let keywords: [[UInt8]]
    /// Context window, in characters on each side of the match.
    public let window: Int
    public let minConfidence: Confidence
    public let requiresContext: Bool
    /// Whether published test values (sandbox card numbers) count as findings.
    public let countTestValues: Bool
    /// Where a productive match can start (built-in kinds only; nil: scan the whole text).
    let startRule: StartRule?

    public init(id: String, kind: DetectorKind, keywords: [String]? = nil, window: Int? = nil,
                minConfidence: Confidence = .low, requiresContext: Bool? = nil, countTestValues: Bool = true,
                limits: MatchLimits = .standard) throws(PCRE2Error) {
        self.id = id
        self.kind = kind
        startRule = StartRule.rule(for: kind)
        if case let .pattern(source, options) = kind.source {
            let extra: PatternOptions = startRule == nil ? [] : .offsetLimit
            pattern = try CompiledPattern(source, options: options.union(extra), limits: limits)
        } else {
            pattern = nil
        }
        self.keywords = (keywords ?? kind.defaultKeywords).map { Array($0.lowercased().utf8) }.filter { !$0.isEmpty }
        self.window = window ?? kind.contextWindow ?? 300
        self.minConfidence = minConfidence
        self.requiresContext = requiresContext ?? kind.requiresContextByDefault
        self.countTestValues = countTestValues
    }
}

/// A detection in normalised-text offsets, before rules and masking.
public struct Hit: Sendable {
    public var detector: Int
    public var range: Range<Int>
    public var value: [UInt8]
    public var isTestValue: Bool
    public var confidence: Confidence
    public var hasContext: Bool
    /// What the hit matched beyond its detector: for `exact_data`, the index column (a column
    /// name, never a value).
    public var tag: String? = nil

    public init(detector: Int, range: Range<Int>, value: [UInt8], isTestValue: Bool = false, confidence: Confidence,
                hasContext: Bool = false, tag: String? = nil) {
        self.detector = detector
        self.range = range
        self.value = value
        self.isTestValue = isTestValue
        self.confidence = confidence
        self.hasContext = hasContext
        self.tag = tag
    }
}

/// A detector that could not finish on a text (match limit, heap limit, …).
public struct DetectorFailure: Sendable, Hashable {
    public var detector: String
    public var error: PCRE2Error
}
