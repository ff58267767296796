import RedlineCore
import RedlineDetectors
import RedlinePCRE2
import RedlinePolicy

/// The outcome of scanning one text on one channel.
public struct ScanResult: Sendable {
    /// Every finding, each with its decision, sorted by position. No raw matched text.
    public var findings: [Finding]
    /// The most restrictive action (detector failures included, fail-closed).
    public var verdict: Action
    /// Detectors that could not finish (match limit, …), as diagnostics naming the detector.
    public var failures: [Diagnostic]
    /// The strictest action decided for detectors that could not finish (`allow` when all did),
    /// and the first such detector. A redacting caller cannot know what such a detector would have
    /// found, so at `redact` or above it withholds the whole text (fail-closed).
    public var failClosed: Action = .allow
    public var failedDetector: String?
    public var channel: String
    /// The state's ``DecisionState/thresholdsReached`` when this result was decided.
    public internal(set) var thresholdsReached = 0

    public init(findings: [Finding] = [], verdict: Action = .allow, failures: [Diagnostic] = [], channel: String) {
        self.findings = findings
        self.verdict = verdict
        self.failures = failures
        self.channel = channel
    }

    /// The rule behind the verdict (the first finding whose action equals the verdict).
    public var decidingRule: String? { findings.first { $0.action == verdict }?.rule }
}

/// Scans texts for one task: owns the PCRE2 scratch space, shares the compiled pipeline.
public final class PipelineSession {
    public let pipeline: Pipeline
    private let scanner: DetectorScanner
    private var allowScratch: [ObjectIdentifier: MatchScratch] = [:]
    /// Who is sending and the overrides they asked for: every decision after it is set takes it
    /// into account (rules scoped to other groups do not apply; granted overrides lower their
    /// rule). Build it with ``Pipeline/senderContext(_:overrides:)``.
    public var sender: SenderContext = .anonymous

    /// Whether findings carry keyword-raised confidence even where it does not change a decision
    /// (see ``DetectorScanner/computesConfidence``). Reports that show confidence need it.
    public var computesConfidence: Bool {
        get { scanner.computesConfidence }
        set { scanner.computesConfidence = newValue }
    }

    /// Whether findings carry their keyed fingerprint (``Finding/valueHash``, with a key). Outputs
    /// that show no fingerprint (the text report, redacted text) and write no audit record turn
    /// it off and skip the HMAC; a policy that redacts with `hash` computes them regardless.
    public var computesFingerprints = true

    init(_ pipeline: Pipeline) {
        self.pipeline = pipeline
        self.scanner = DetectorScanner(pipeline.detectors)
    }

    /// The channel to use for a caller-supplied name (nil → the policy's default).
    public func resolveChannel(_ name: String?) throws(Diagnostic) -> String {
        let channel = name ?? pipeline.rules.defaultChannel
        guard pipeline.rules.channels[channel] != nil else {
            let hint = Suggest.closest(channel, in: pipeline.rules.channelOrder).map { "; did you mean '\($0)'?" } ?? ""
            throw Diagnostic(.error, code: "E001", "unknown channel '\(channel)'\(hint); the policy has \(pipeline.rules.channelOrder.joined(separator: ", "))")
        }
        return channel
    }

    /// Where, in `bytes` (offsets from `bytes.startIndex`), a value could begin that the end of
    /// `bytes` leaves unfinished, so that the text that follows could complete it (see
    /// ``DetectorScanner/openValueStart(_:)``); nil when no detector is open at the end. A
    /// line-buffered filter holds such a line back until the next one arrives.
    public func openValueStart(_ bytes: ArraySlice<UInt8>) -> Int? {
        let text = ScanText(Array(bytes))
        return scanner.openValueStart(text).map { text.originalOffset($0) }
    }

    /// Scans one complete text and decides it. `part` labels findings (a MIME part, a header).
    public func scan(_ bytes: [UInt8], channel: String, part: String? = nil) -> ScanResult {
        var state = DecisionState()
        var position = TextPosition()
        return scan(bytes, channel: channel, state: &state, position: &position, commitLimit: bytes.count, part: part,
                    advancesPosition: false).result
    }

    /// Scans `bytes` as a window of a longer text that starts at `position` (whose offset is the
    /// window's first byte). Findings starting at or after `commitLimit` are left for the next
    /// window and not returned; `position` is advanced to `commitLimit`, and `deferFrom` is where
    /// the next window must start (at most `commitLimit`, before it when a finding straddles it).
    public func scan(_ bytes: [UInt8], channel: String, state: inout DecisionState, position: inout TextPosition,
                     commitLimit: Int, part: String? = nil) -> (result: ScanResult, nextStart: Int) {
        scan(bytes, channel: channel, state: &state, position: &position, commitLimit: commitLimit, part: part, advancesPosition: true)
    }

    /// `advancesPosition: false` leaves `position` wherever the last finding put it (a caller that
    /// discards it saves a pass over the text).
    private func scan(_ bytes: [UInt8], channel: String, state: inout DecisionState, position: inout TextPosition,
                      commitLimit: Int, part: String?, advancesPosition: Bool) -> (result: ScanResult, nextStart: Int) {
        let text = ScanText(bytes)
        var (hits, detectorFailures) = scanner.scan(text)
        if !pipeline.exactData.isEmpty {
            let before = hits.count
            text.bytes.withUnsafeBufferPointer { pipeline.exactDataHits($0, into: &hits) }
            if hits.count > before { hits.sort { ($0.range.lowerBound, $0.detector) < ($1.range.lowerBound, $1.detector) } }
        }
        if hits.isEmpty && detectorFailures.isEmpty {
            if advancesPosition {
                bytes.withUnsafeBufferPointer { position.advance(over: $0, base: position.offset, to: position.offset + min(commitLimit, bytes.count)) }
            }
            var result = ScanResult(channel: channel)
            result.thresholdsReached = state.thresholdsReached
            return (result, commitLimit)
        }
        let base = position.offset
        var kept: [(hit: Hit, range: Range<Int>)] = []
        text.bytes.withUnsafeBufferPointer { normalised in
            for hit in hits {
                let original = text.originalRange(hit.range)
                if original.lowerBound >= commitLimit { continue }
                let matched = UnsafeBufferPointer(rebasing: normalised[hit.range])
                if pipeline.allowlist.allows(detector: hit.detector, value: hit.value, matched: matched, scratch: &allowScratch) { continue }
                kept.append((hit, original))
            }
        }
        let decisions = pipeline.rules.decide(kept.map { ($0.hit.detector, $0.hit.value) }, channel: channel, sender: sender, state: &state)
        var findings: [Finding] = []
        findings.reserveCapacity(kept.count)
        var nextStart = commitLimit
        let fingerprints = computesFingerprints || pipeline.redactsWithHash ? pipeline.fingerprintKeys : nil
        bytes.withUnsafeBufferPointer { original in
            text.bytes.withUnsafeBufferPointer { normalised in
                for (index, entry) in kept.enumerated() {
                    let detector = pipeline.detectors[entry.hit.detector]
                    position.advance(over: original, base: base, to: base + entry.range.lowerBound)
                    let start = position
                    var end = position
                    end.advance(over: original, base: base, to: base + entry.range.upperBound)
                    // An exact_data hit's value is already its row's keyed fingerprint.
                    let hash = entry.hit.tag != nil ? String(decoding: entry.hit.value, as: UTF8.self)
                        : fingerprints?.fingerprint(detector: entry.hit.detector, value: entry.hit.value) ?? ""
                    findings.append(Finding(
                        detector: detector.id, kind: detector.kind.id,
                        start: base + entry.range.lowerBound, end: base + entry.range.upperBound,
                        line: start.line, column: start.column, scalarStart: start.scalar, scalarEnd: end.scalar,
                        confidence: entry.hit.confidence, isTestValue: entry.hit.isTestValue,
                        excerpt: Masking.excerpt(normalised, entry.hit.range, keepLastDigits: detector.kind.maskKeepsLastDigits),
                        valueHash: hash, rule: decisions[index].rule, action: decisions[index].action, part: part,
                        dataColumn: entry.hit.tag))
                    if let overridden = decisions[index].overridden {
                        findings[findings.count - 1].overriddenRule = overridden.rule
                        findings[findings.count - 1].overriddenAction = overridden.action
                    }
                    if entry.range.upperBound > commitLimit { nextStart = max(nextStart, entry.range.upperBound) }
                }
                if advancesPosition {
                    position.advance(over: original, base: base, to: base + min(max(commitLimit, nextStart), bytes.count))
                }
            }
        }
        var result = ScanResult(findings: findings, channel: channel)
        result.thresholdsReached = state.thresholdsReached
        result.verdict = findings.map(\.action).max() ?? .allow
        for failure in detectorFailures {
            guard let index = pipeline.detectorIndex(failure.detector) else { continue }
            let (action, rule) = pipeline.rules.failClosedAction(detector: index, channel: channel, mode: pipeline.policy.settings.onDetectorError)
            result.verdict = max(result.verdict, action)
            result.failClosed = max(result.failClosed, action)
            if result.failedDetector == nil { result.failedDetector = failure.detector }
            let ruleText = rule.map { " (rule '\($0)')" } ?? ""
            result.failures.append(Diagnostic(.warning, code: "E100",
                "detector '\(failure.detector)' stopped: \(failure.error.message); message decided fail-closed as \(action.name)\(ruleText)"))
        }
        return (result, nextStart)
    }
}
