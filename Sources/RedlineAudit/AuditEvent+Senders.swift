import RedlineCore
import RedlineEngine

extension PipelineSession {
    /// A justification as it may be recorded: scanned with the policy on `channel` and every
    /// finding redacted whatever its action (people paste the very number into the reason), cut
    /// to 1,000 characters. A justification a detector could not finish on is withheld whole.
    public func recordedJustification(_ text: String, channel: String) -> String {
        let bytes = Array(text.utf8)
        let result = scan(bytes, channel: channel, part: "override justification")
        if !result.failures.isEmpty { return "[justification withheld: it could not be scanned completely]" }
        let redacted = String(decoding: pipeline.redact(bytes, findings: result.findings), as: UTF8.self)
        guard redacted.unicodeScalars.count > 1_000 else { return redacted }
        return String(String.UnicodeScalarView(redacted.unicodeScalars.prefix(1_000))) + "…"
    }
}

extension AuditEvent {
    /// Adds who sent the message (when known) and every override asked for: granted ones with
    /// the counts per detector and keyed fingerprints of the findings they let through, each
    /// justification scanned and redacted with `session` first. Nothing is added for an unknown
    /// sender who asked for nothing.
    public mutating func addSender(_ sender: SenderContext, findings: [Finding], session: PipelineSession, channel: String) {
        let identity = sender.identity
        let known = identity.address != nil || identity.login != nil || identity.token != nil || identity.group != nil
        guard known || !sender.overrides.isEmpty else { return }
        self.sender = identity.display
        groups = sender.groups
        // The justification is scanned as an anonymous sender: no override lowers what is redacted.
        let caller = session.sender
        session.sender = .anonymous
        defer { session.sender = caller }
        overrides = sender.overrides.map { outcome in
            let passed = findings.filter { $0.overriddenRule == outcome.request.rule }
            var counts: [String: Int] = [:]
            for finding in passed { counts[finding.detector, default: 0] += 1 }
            // An unknown rule name is the sender's own text: recorded as scanned and redacted.
            let rule = outcome.ruleIsKnown ? outcome.request.rule : session.recordedJustification(outcome.request.rule, channel: channel)
            return AuditOverride(rule: rule, granted: outcome.granted, becomes: outcome.becomes?.name, refusal: outcome.refusal,
                                 origin: outcome.request.origin,
                                 justification: session.recordedJustification(outcome.request.justification, channel: channel),
                                 detectors: outcome.granted ? counts : [:],
                                 fingerprints: outcome.granted ? passed.map(\.valueHash).filter { !$0.isEmpty } : [])
        }
    }
}
