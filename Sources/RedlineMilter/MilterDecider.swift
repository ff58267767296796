import RedlineCore
import RedlineEngine
import RedlineMail

/// What to do with a message the policy blocks.
public enum BlockMode: String, Sendable, CaseIterable {
    /// `550 5.7.1` with the rule's message (SMTP: the sender sees it at once; `sendmail`: a bounce).
    case reject
    /// Hold the message in the MTA's quarantine (Postfix: the hold queue) for review.
    case quarantine
}

/// The decision for one message and what was found (for logs and metrics; no content).
public struct MilterOutcome: Sendable {
    public var decision: MilterDecision
    public var verdict: MailVerdict?
    /// Set when the message was not decided by the policy (timeout, internal error).
    public var error: String?

    public init(decision: MilterDecision, verdict: MailVerdict? = nil, error: String? = nil) {
        self.decision = decision
        self.verdict = verdict
        self.error = error
    }
}

/// Turns a collected message into a milter decision with the policy. Pure apart from the
/// engine: no I/O, no NIO.
///
/// - allow → accept, nothing added;
/// - flag → `X-Redline-Verdict` / `X-Redline-Findings` headers added;
/// - redact → changed headers (`m`), the whole redacted body (`b`), the verdict headers;
/// - block → `550 5.7.1 redline: <rule message>`, or quarantine with `onBlock = .quarantine`.
public struct MilterDecider: Sendable {
    public var onBlock: BlockMode
    /// Add `X-Redline-Findings: card=1; nino=2` besides `X-Redline-Verdict`.
    public var findingsHeader: Bool

    public init(onBlock: BlockMode = .reject, findingsHeader: Bool = true) {
        self.onBlock = onBlock
        self.findingsHeader = findingsHeader
    }

    /// The sender as the milter may trust it: the SASL login and, for an authenticated session
    /// only, the envelope sender. An unauthenticated session is the `default` group, whatever
    /// its envelope or headers claim.
    public static func sender(of message: MilterMessage) -> SenderIdentity {
        guard let login = message.authUser, !login.isEmpty else { return SenderIdentity() }
        return SenderIdentity(address: message.sender.isEmpty ? nil : message.sender, login: login)
    }

    public func decide(_ message: MilterMessage, session: PipelineSession) -> MilterOutcome {
        let original = message.assembled()
        let caller = session.sender
        session.sender = session.pipeline.senderContext(Self.sender(of: message))
        defer { session.sender = caller }
        let (output, verdict) = MailProcessor.redact(original, session: session, recipients: message.recipients.isEmpty ? nil : message.recipients,
                                                     findingsHeader: findingsHeader)
        switch verdict.verdict {
        case .allow where output == original:
            return MilterOutcome(decision: .accept, verdict: verdict)
        case .block:
            let rule = verdict.decidingRule
            let text = SenderText.blockReason(verdict, pipeline: session.pipeline, via: .mailHeader, limit: 380)
            switch onBlock {
            case .reject:
                return MilterOutcome(decision: .reject(reply: MilterReply.text(code: 550, enhanced: "5.7.1", "redline: \(text)")), verdict: verdict)
            case .quarantine:
                let changes = Self.headerChanges(from: message.headers, to: HeaderSplit(output).headers)
                return MilterOutcome(decision: .quarantine(reason: "redline: \(rule ?? "policy") (\(verdict.findingsSummary))",
                                                           headers: changes.filter(Self.isVerdictHeader)), verdict: verdict)
            }
        case .allow, .flag, .redact:
            // (`allow` here: an allowed override, or an override header to remove.)
            let split = HeaderSplit(output)
            let changes = Self.headerChanges(from: message.headers, to: split.headers)
            let body = Array(output[split.bodyStart...])
            return MilterOutcome(decision: .modify(headers: changes, body: body == message.body ? nil : body), verdict: verdict)
        }
    }

    static func isVerdictHeader(_ change: MilterHeaderChange) -> Bool {
        switch change {
        case let .add(name, _), let .change(name, _, _): name.lowercased().hasPrefix("x-redline-")
        }
    }

    /// The edits turning `old` into `new`, matching headers by name and position among headers of
    /// that name: a changed value → `m` (index 1-based within the name), a missing one → `m` with
    /// an empty value (from the last, so indexes stay valid), an extra one → `h`.
    static func headerChanges(from old: [MilterHeader], to new: [MilterHeader]) -> [MilterHeaderChange] {
        var names: [String] = []
        var oldByName: [String: [MilterHeader]] = [:]
        var newByName: [String: [MilterHeader]] = [:]
        for header in old {
            let key = header.name.lowercased()
            if oldByName[key] == nil && newByName[key] == nil { names.append(key) }
            oldByName[key, default: []].append(header)
        }
        for header in new {
            let key = header.name.lowercased()
            if oldByName[key] == nil && newByName[key] == nil { names.append(key) }
            newByName[key, default: []].append(header)
        }
        var changes: [MilterHeaderChange] = []
        var additions: [MilterHeaderChange] = []
        for key in names {
            let before = oldByName[key] ?? []
            let after = newByName[key] ?? []
            for index in 0..<min(before.count, after.count) where before[index].value != after[index].value {
                changes.append(.change(name: after[index].name, index: UInt32(index + 1), value: after[index].value))
            }
            if before.count > after.count {
                for index in (after.count..<before.count).reversed() {
                    changes.append(.change(name: before[index].name, index: UInt32(index + 1), value: []))
                }
            }
            for header in after.dropFirst(before.count) { additions.append(.add(name: header.name, value: header.value)) }
        }
        return changes + additions
    }
}

/// The header section of an assembled message, in the form the MTA uses on the milter wire:
/// value without the first space after the colon, folded lines joined with bare `\n`.
struct HeaderSplit {
    var headers: [MilterHeader] = []
    var bodyStart: Int

    init(_ bytes: [UInt8]) {
        var position = 0
        var lines: [(start: Int, end: Int)] = []
        bodyStart = bytes.count
        while position < bytes.count {
            let newline = bytes[position...].firstIndex(of: 10) ?? bytes.count
            let next = min(newline + 1, bytes.count)
            let end = newline > position && bytes[newline - 1] == 13 ? newline - 1 : newline
            if end == position {
                bodyStart = next
                break
            }
            if (bytes[position] == 32 || bytes[position] == 9), !lines.isEmpty {
                lines.append((position, end))
            } else {
                Self.flush(&lines, bytes, into: &headers)
                lines = [(position, end)]
            }
            position = next
        }
        if position >= bytes.count { bodyStart = bytes.count }
        Self.flush(&lines, bytes, into: &headers)
    }

    private static func flush(_ lines: inout [(start: Int, end: Int)], _ bytes: [UInt8], into headers: inout [MilterHeader]) {
        guard let first = lines.first else { return }
        defer { lines = [] }
        guard let colon = bytes[first.start..<first.end].firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: bytes[first.start..<colon], as: UTF8.self)
        var valueStart = colon + 1
        if valueStart < first.end && bytes[valueStart] == 32 { valueStart += 1 }
        var value = Array(bytes[valueStart..<first.end])
        for line in lines.dropFirst() {
            value.append(10)
            value.append(contentsOf: bytes[line.start..<line.end])
        }
        headers.append(MilterHeader(name: name, value: value))
    }
}
