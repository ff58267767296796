import Foundation
import RedlineAudit
import RedlineCore
import RedlineEngine
import RedlineMail
import RedlineService

/// Who is calling: the token's name (logged and audited) and the channels it may use.
public struct Client: Sendable {
    public var name: String
    /// nil: every channel.
    public var channels: Set<String>?

    public static let anonymous = Client(name: "anonymous", channels: nil)

    public func allows(_ channel: String) -> Bool { channels?.contains(channel) ?? true }
}

/// What one decision leaves for the request log, metrics and audit: closed-set values only.
public struct DecisionSummary: Sendable {
    public var verdict: Action
    public var channel: String
    public var rules: [String]
    public var findings: [Finding]
}

/// The engine behind every endpoint: the same pipeline, channel resolution, redaction and mail
/// processing as `redline check`, `redline redact` and `redact --input eml`, with a session
/// checked out of a pool per request (sessions are not thread-safe; the pipeline is).
public final class DecisionService: Sendable {
    public let store: PolicyStore
    let sessions: SessionPool
    let audit: AuditTrail?

    public init(store: PolicyStore, audit: AuditTrail? = nil) {
        self.store = store
        self.sessions = SessionPool(store: store)
        self.audit = audit
    }

    public var policy: PolicyRef {
        let pipeline = store.pipeline
        return PolicyRef(name: pipeline.policy.name, sha256: pipeline.policySHA256)
    }

    /// The channel of a request: `channel` if given (it must exist), else from `recipients`
    /// (the policy's email.domains, as the milter does), else the policy's default. Then the
    /// client must be allowed to use it.
    func channel(_ request: CheckRequest, session: PipelineSession, client: Client) throws(APIError) -> String {
        let channel: String
        if let name = request.channel {
            guard session.pipeline.rules.channels[name] != nil else {
                throw APIError(400, "unknown_channel", "unknown channel; the policy has " + session.pipeline.rules.channelOrder.joined(separator: ", "))
            }
            channel = name
        } else if let recipients = request.recipients, !recipients.isEmpty {
            channel = MailProcessor.channel(for: recipients, pipeline: session.pipeline)
        } else {
            channel = session.pipeline.rules.defaultChannel
        }
        guard client.allows(channel) else {
            throw APIError(403, "channel_forbidden", "this token may not use channel '\(channel)'")
        }
        return channel
    }

    /// `/v1/check` (`redact == false`) and `/v1/redact`.
    public func decide(_ request: CheckRequest, redact: Bool, client: Client, requestID: String) throws(APIError) -> (DecisionBody, DecisionSummary) {
        let box = sessions.checkOut()
        defer { sessions.checkIn(box) }
        let session = box.session
        let channel = try channel(request, session: session, client: client)
        let bytes = Array(request.text.utf8)
        let result = session.scan(bytes, channel: channel)
        var body = body(findings: result.findings, verdict: result.verdict, channel: channel, id: request.id, pipeline: session.pipeline)
        if !result.failures.isEmpty { body.incomplete = result.failedDetector.map { [$0] } ?? result.failures.map(\.code) }
        if redact, result.verdict < .block {
            if result.failClosed >= .redact {
                body.text = "[redline: withheld: detector '\(result.failedDetector ?? "-")' could not finish]"
            } else {
                let targets = result.findings.filter { $0.action >= .redact }
                body.text = targets.isEmpty ? request.text : String(decoding: session.pipeline.redact(bytes, findings: targets), as: UTF8.self)
            }
        }
        let summary = DecisionSummary(verdict: result.verdict, channel: channel, rules: rules(result.findings), findings: result.findings)
        try record(summary, client: client, requestID: requestID, pipeline: session.pipeline)
        return (body, summary)
    }

    /// `/v1/mail`: a whole RFC 5322 message, as `redline redact --input eml` handles it.
    public func mail(_ message: [UInt8], channel requested: String?, client: Client, requestID: String) throws(APIError) -> (DecisionBody, DecisionSummary) {
        let box = sessions.checkOut()
        defer { sessions.checkIn(box) }
        let session = box.session
        let channel: String
        if let requested {
            channel = try self.channel(CheckRequest(text: "", channel: requested), session: session, client: client)
        } else {
            channel = MailProcessor.channel(for: MailProcessor.headerRecipients(message), pipeline: session.pipeline)
            guard client.allows(channel) else { throw APIError(403, "channel_forbidden", "this token may not use channel '\(channel)'") }
        }
        let (output, verdict) = MailProcessor.redact(message, session: session, channel: channel)
        var body = body(findings: verdict.findings, verdict: verdict.verdict, channel: verdict.channel, id: nil, pipeline: session.pipeline)
        if verdict.verdict < .block { body.message = String(decoding: output, as: UTF8.self) }
        if !verdict.unscannedAttachments.isEmpty { body.unscanned = verdict.unscannedAttachments }
        let summary = DecisionSummary(verdict: verdict.verdict, channel: verdict.channel, rules: rules(verdict.findings), findings: verdict.findings)
        try record(summary, client: client, requestID: requestID, pipeline: session.pipeline)
        return (body, summary)
    }

    func body(findings: [Finding], verdict: Action, channel: String, id: String?, pipeline: Pipeline) -> DecisionBody {
        var messages: [String] = []
        for rule in rules(findings) {
            if let message = pipeline.rules.message(for: rule), !messages.contains(message) { messages.append(message) }
        }
        return DecisionBody(id: id, verdict: verdict.name, channel: channel, findings: findings.map(FindingBody.init), messages: messages,
                            policy: PolicyRef(name: pipeline.policy.name, sha256: pipeline.policySHA256))
    }

    /// Rule ids that decided findings above allow, in order of first appearance.
    func rules(_ findings: [Finding]) -> [String] {
        var seen: [String] = []
        for finding in findings where finding.action > .allow {
            if let rule = finding.rule, !seen.contains(rule) { seen.append(rule) }
        }
        return seen
    }

    /// `--audit`: one hash-chained record per decision, written before the answer is sent. A
    /// decision that cannot be recorded is not answered (500), so none goes unrecorded.
    func record(_ summary: DecisionSummary, client: Client, requestID: String, pipeline: Pipeline) throws(APIError) {
        guard let audit else { return }
        let event = AuditEvent(mode: "serve", source: "request=\(requestID) token=\(client.name)", channel: summary.channel,
                               verdict: summary.verdict, findings: summary.findings, policySHA256: pipeline.policySHA256)
        do {
            try audit.append([event])
        } catch {
            throw APIError(500, "audit_failed", "the decision could not be recorded in the audit log")
        }
    }
}
