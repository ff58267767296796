import Foundation
import RedlineAudit
import RedlineCore
import RedlineEngine
import RedlineMail
import RedlinePolicy
import RedlineService

/// Who is calling: the token's name (logged and audited) and the channels it may use.
public struct Client: Sendable {
    public var name: String
    /// nil: every channel.
    public var channels: Set<String>?
    /// A call without a token (`--allow-anonymous`): the `default` sender group. Only
    /// ``anonymous`` is; a tokens file cannot name a token `anonymous` (``TokensFile/reservedName``).
    public private(set) var isAnonymous = false

    public init(name: String, channels: Set<String>?) {
        self.name = name
        self.channels = channels
    }

    public static let anonymous: Client = {
        var client = Client(name: TokensFile.reservedName, channels: nil)
        client.isAnonymous = true
        return client
    }()

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
        session.sender = senderContext(client, request.override.map { [OverrideRequest(rule: $0.rule, justification: $0.justification, origin: "api")] } ?? [],
                                       pipeline: session.pipeline)
        defer { session.sender = .anonymous }
        let bytes = Array(request.text.utf8)
        let result = session.scan(bytes, channel: channel)
        var body = body(findings: result.findings, verdict: result.verdict, channel: channel, id: request.id, pipeline: session.pipeline,
                        sender: session.sender)
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
        try record(summary, client: client, requestID: requestID, session: session, sender: session.sender)
        return (body, summary)
    }

    /// The sender of a request: the token's name (policy `senders: … tokens:`); without tokens
    /// (anonymous) the `default` group. Override requests are judged for it.
    func senderContext(_ client: Client, _ requests: [OverrideRequest], pipeline: Pipeline) -> SenderContext {
        let identity = client.isAnonymous ? SenderIdentity() : SenderIdentity(token: client.name)
        return pipeline.senderContext(identity, overrides: requests)
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
        // The message's X-Redline-Override headers are judged for the token's sender groups.
        session.sender = senderContext(client, [], pipeline: session.pipeline)
        defer { session.sender = .anonymous }
        let (output, verdict) = MailProcessor.redact(message, session: session, channel: channel)
        var body = body(findings: verdict.findings, verdict: verdict.verdict, channel: verdict.channel, id: nil, pipeline: session.pipeline,
                        sender: verdict.sender)
        if verdict.verdict < .block { body.message = String(decoding: output, as: UTF8.self) }
        if !verdict.unscannedAttachments.isEmpty { body.unscanned = verdict.unscannedAttachments }
        let summary = DecisionSummary(verdict: verdict.verdict, channel: verdict.channel, rules: rules(verdict.findings), findings: verdict.findings)
        try record(summary, client: client, requestID: requestID, session: session, sender: verdict.sender)
        return (body, summary)
    }

    func body(findings: [Finding], verdict: Action, channel: String, id: String?, pipeline: Pipeline, sender: SenderContext = .anonymous) -> DecisionBody {
        var messages: [String] = []
        var tips: [String] = []
        for rule in rules(findings) {
            if let message = pipeline.rules.message(for: rule), !messages.contains(message) { messages.append(message) }
            var parts: [String] = []
            if let tip = pipeline.rules.tip(for: rule), !tip.isEmpty { parts.append("Tip: " + RuleSet.sentence(tip)) }
            if let how = pipeline.rules.howToOverride(rule, groups: sender.groups, via: .api) { parts.append(RuleSet.sentence(how.prefix(1).uppercased() + how.dropFirst())) }
            let text = parts.joined(separator: " ")
            if !text.isEmpty, !tips.contains(text) { tips.append(text) }
        }
        var body = DecisionBody(id: id, verdict: verdict.name, channel: channel, findings: findings.map(FindingBody.init), messages: messages,
                                policy: PolicyRef(name: pipeline.policy.name, sha256: pipeline.policySHA256))
        if !tips.isEmpty { body.tips = tips }
        if !sender.overrides.isEmpty {
            body.overrides = sender.overrides.map { OverrideResultBody(rule: $0.ruleName, granted: $0.granted, becomes: $0.becomes?.name, refusal: $0.refusal) }
        }
        return body
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
    func record(_ summary: DecisionSummary, client: Client, requestID: String, session: PipelineSession, sender: SenderContext) throws(APIError) {
        guard let audit else { return }
        var event = AuditEvent(mode: "serve", source: "request=\(requestID) token=\(client.name)", channel: summary.channel,
                               verdict: summary.verdict, findings: summary.findings, policySHA256: session.pipeline.policySHA256)
        event.addSender(sender, findings: summary.findings, session: session, channel: summary.channel)
        do {
            try audit.append([event])
        } catch {
            throw APIError(500, "audit_failed", "the decision could not be recorded in the audit log")
        }
    }
}
