import RedlineAudit
import RedlineCore
import RedlineEngine

/// Collects one input's decisions for `check` and `redact --audit FILE` and appends one audit
/// record per input: source, channel, verdict, rule ids, detector counts, keyed fingerprints,
/// policy hash — never content.
public final class AuditRecorder {
    let trail: AuditTrail
    let mode: String
    let policySHA256: String
    private var verdict = Action.allow
    private var channel: String?
    private var rules: [String] = []
    private var counts: [String: Int] = [:]
    private var fingerprints: [String] = []
    /// The first append error (the command exits 2 with it).
    public private(set) var failure: Error?
    /// The session deciding the inputs: its sender and overrides go into each record (each
    /// justification scanned and redacted with it).
    var session: PipelineSession?
    private var overridden: [Finding] = []
    /// Requests a message made itself (`X-Redline-Override` headers), judged for the session's sender.
    private var messageOverrides: [OverrideOutcome] = []

    init(trail: AuditTrail, mode: String, policySHA256: String) {
        self.trail = trail
        self.mode = mode
        self.policySHA256 = policySHA256
    }

    /// A recorder for `path`, or nil without `--audit`. Throws when the key is missing.
    public static func open(_ path: String?, mode: String, policy: PolicyOptions, pipeline: Pipeline, session: PipelineSession? = nil) throws -> AuditRecorder? {
        guard let path else { return nil }
        guard let key = try KeySource.load(keyFile: policy.keyFile, environment: policy.environment) else {
            throw ToolError("--audit needs the HMAC key: --key-file FILE or REDLINE_KEY (the chain is keyed so that nobody without it can rewrite it)")
        }
        let recorder = AuditRecorder(trail: try AuditTrail(path: path, key: key), mode: mode, policySHA256: pipeline.policySHA256)
        recorder.session = session
        return recorder
    }

    public func add(_ finding: Finding, channel: String) {
        self.channel = self.channel ?? channel
        verdict = max(verdict, finding.action)
        if let rule = finding.rule { rules.append(rule) }
        counts[finding.detector, default: 0] += 1
        if !finding.valueHash.isEmpty { fingerprints.append(finding.valueHash) }
        if finding.overriddenRule != nil { overridden.append(finding) }
    }

    /// A message's own override requests (its `X-Redline-Override` headers) as judged for it:
    /// recorded with the input's record beside the command line's.
    public func add(messageSender sender: SenderContext) {
        messageOverrides.append(contentsOf: sender.overrides.filter { $0.request.origin == "header" })
    }

    /// A verdict no finding explains (a detector that could not finish: fail-closed).
    public func add(verdict: Action) { self.verdict = max(self.verdict, verdict) }

    /// Appends the record for `source` and starts the next one.
    public func record(source: String, defaultChannel: String) {
        var event = AuditEvent(mode: mode, source: source, channel: channel ?? defaultChannel, verdict: verdict.name, rules: rules,
                               detectors: counts, fingerprints: fingerprints, policySHA256: policySHA256)
        if let session {
            var sender = session.sender
            sender.overrides += messageOverrides
            event.addSender(sender, findings: overridden, session: session, channel: channel ?? defaultChannel)
        }
        if failure == nil {
            do { try trail.append([event]) } catch { failure = error }
        }
        verdict = .allow
        channel = nil
        rules = []
        counts = [:]
        fingerprints = []
        overridden = []
        messageOverrides = []
    }
}
