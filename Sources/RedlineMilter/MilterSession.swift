/// The milter protocol for one connection, as a pure state machine: packets in, actions out. No
/// I/O, no clock, no engine: the NIO handler feeds it and runs the evaluation it asks for.
///
/// - OPTNEG: version min(MTA's, 6); actions = requested ∩ offered; protocol 0 (send every event,
///   every event answered).
/// - Messages start at MAIL (or at the first message event) and end at end-of-message, ABORT
///   (Postfix sends two after each end-of-message) or QUIT. QUIT_NC resets the connection.
/// - Macros: the queue ID `i` and `{auth_authen}` are kept for the decision and logs; macros of
///   message stages are forgotten with the message.
public struct MilterSession: Sendable {
    enum Phase: Equatable, Sendable {
        case negotiating
        case ready
        case message
        /// Waiting for the decision of the message with this ticket.
        case evaluating(Int)
        /// A final answer was given before end-of-message (a limit): later events get the same.
        case answered(MilterFrame)
        case closed
    }

    public let configuration: MilterSessionConfiguration
    private(set) var phase: Phase = .negotiating
    /// The protocol version and actions agreed in OPTNEG.
    public private(set) var version: UInt32 = 0
    public private(set) var actions: MilterProtocol.Actions = []
    private var connectionMacros: [String: String] = [:]
    private var messageMacros: [String: String] = [:]
    /// Bytes (names and values) held in each macro table, against ``macroBudget``.
    private var connectionMacroBytes = 0
    private var messageMacroBytes = 0
    private var message = MilterMessage()
    private var overLimit = false
    /// Envelope recipient bytes of the message, counted against `maximumMessageSize` too.
    private var recipientBytes = 0

    /// Macro bytes kept per table (connection, message). Postfix sends well under 1 KiB; a peer
    /// sending endless macros with new names cannot grow the connection's memory past this.
    /// The macros redline uses (``usedMacros``) are always kept.
    static let macroBudget = 64 << 10
    static let usedMacros: Set<String> = ["i", "{auth_authen}"]
    private var nextTicket = 0
    /// True when the connection was accepted over the session limit: every message gets
    /// `onLimit`.
    public var overloaded: Bool

    /// Messages decided on this connection (for logs).
    public private(set) var messageCount = 0

    public init(configuration: MilterSessionConfiguration = MilterSessionConfiguration(), overloaded: Bool = false) {
        self.configuration = configuration
        self.overloaded = overloaded
    }

    /// Whether a message is being received or decided (graceful shutdown waits for those).
    public var isInMessage: Bool {
        switch phase {
        case .message, .evaluating, .answered: true
        case .negotiating, .ready, .closed: false
        }
    }

    /// Whether option negotiation is done and the connection not closed: the MTA may be waiting
    /// for a reply.
    public var hasNegotiated: Bool { phase != .negotiating && phase != .closed }

    /// Whether the decision of `ticket` is awaited.
    public func isAwaiting(ticket: Int) -> Bool { phase == .evaluating(ticket) }

    /// A macro value (message macros first, then connection macros).
    public func macro(_ name: String) -> String? { messageMacros[name] ?? connectionMacros[name] }

    /// Handles one packet from the MTA.
    public mutating func receive(_ frame: MilterFrame) throws(MilterProtocolError) -> MilterSessionAction {
        typealias C = MilterProtocol.Command
        if phase == .closed { throw MilterProtocolError("packet '\(frame.commandName)' after QUIT") }
        if phase == .negotiating && frame.command != C.optionNegotiation && frame.command != C.macro {
            throw MilterProtocolError("packet '\(frame.commandName)' before option negotiation")
        }
        if case .evaluating = phase, ![C.abort, C.quit, C.quitNewConnection, C.macro].contains(frame.command) {
            // The MTA must wait for the end-of-message reply; anything else (a second
            // end-of-message, more body) would be answered out of turn.
            throw MilterProtocolError("packet '\(frame.commandName)' while the end-of-message reply is pending")
        }
        switch frame.command {
        case C.optionNegotiation:
            return .reply([try negotiate(frame.data)])
        case C.macro:
            storeMacros(frame.data)
            return .none
        case C.abort:
            resetMessage()
            return .none
        case C.quit:
            phase = .closed
            return .close
        case C.quitNewConnection:
            resetMessage()
            connectionMacros = [:]
            connectionMacroBytes = 0
            return .none
        case C.connect:
            if overloaded && configuration.onLimit != .quarantine {
                return .reply([Self.frame(for: configuration.onLimit, reason: "too many concurrent sessions")])
            }
            return continueReply()
        case C.helo, C.data, C.endOfHeaders, C.unknown:
            if case let .answered(answer) = phase { return .reply([answer]) }
            return continueReply()
        case C.mail:
            // The macros of this MAIL (queue ID, login) arrived just before it: keep them.
            resetMessage(keepingMacros: true)
            startMessage()
            message.sender = Self.address(Self.strings(frame.data).first ?? [])
            if overloaded && configuration.onLimit != .quarantine {
                return answerEarly(Self.frame(for: configuration.onLimit, reason: "too many concurrent sessions"))
            }
            return continueReply()
        case C.recipient:
            if case let .answered(answer) = phase { return .reply([answer]) }
            startMessage()
            let recipient = Self.address(Self.strings(frame.data).first ?? [])
            // Counted against the size limit so endless RCPTs cannot grow memory; the answer
            // waits for end-of-message (Postfix's non-SMTP path must not be failed at RCPT).
            recipientBytes += recipient.utf8.count + 4
            if recipientBytes > configuration.maximumMessageSize {
                overLimit = true
                message.recipients = []
            }
            if !overLimit { message.recipients.append(recipient) }
            return continueReply()
        case C.header:
            if case let .answered(answer) = phase { return .reply([answer]) }
            startMessage()
            let parts = Self.strings(frame.data)
            guard let name = parts.first, !name.isEmpty else { throw MilterProtocolError("header packet without a name") }
            let value = parts.count > 1 ? parts[1] : []
            return add(bytes: name.count + value.count + 4) { message in
                message.headers.append(MilterHeader(name: String(decoding: name, as: UTF8.self), value: value))
            }
        case C.body:
            if case let .answered(answer) = phase { return .reply([answer]) }
            startMessage()
            return add(bytes: frame.data.count) { message in message.body.append(contentsOf: frame.data) }
        case C.endOfMessage:
            if case let .answered(answer) = phase {
                phase = .ready
                return .reply([answer])
            }
            startMessage()
            messageCount += 1
            if overLimit || overloaded {
                let reason = overloaded ? "too many concurrent sessions" : "message exceeds the size limit"
                let frames = encode(MilterDecision.fallback(configuration.onLimit, reason: reason))
                finishMessage()
                return .reply(frames)
            }
            nextTicket += 1
            var collected = message
            collected.queueID = macro("i")
            collected.authUser = macro("{auth_authen}")
            phase = .evaluating(nextTicket)
            return .evaluate(collected, ticket: nextTicket)
        default:
            // An unknown command: answer "continue" so the MTA carries on.
            return continueReply()
        }
    }

    /// The packets answering end-of-message for `ticket`; empty when that message was aborted
    /// meanwhile (the decision is dropped).
    public mutating func complete(ticket: Int, with decision: MilterDecision) -> [MilterFrame] {
        guard phase == .evaluating(ticket) else { return [] }
        let frames = encode(decision)
        finishMessage()
        return frames
    }

    /// The packets for a decision, within the negotiated actions. Header edits come first, then
    /// the whole body as one contiguous run of `b` packets of at most 65,535 bytes, then the
    /// final verdict. A decision needing an action the MTA did not grant gets `onError`.
    public func encode(_ decision: MilterDecision) -> [MilterFrame] {
        typealias R = MilterProtocol.Response
        switch decision {
        case .accept:
            return [MilterFrame(R.continue)]
        case let .reject(reply), let .tempfail(reply):
            return [MilterFrame(R.replyCode, Array(reply.utf8) + [0])]
        case let .modify(headers, body):
            guard permits(headers), body == nil || actions.contains(.changeBody) else {
                return encodeFallback(reason: "the MTA did not allow the changes redaction needs")
            }
            var frames = headers.map(Self.frame(for:))
            if let body {
                var offset = 0
                repeat {
                    let end = min(offset + MilterProtocol.maximumChunk, body.count)
                    frames.append(MilterFrame(R.replaceBody, Array(body[offset..<end])))
                    offset = end
                } while offset < body.count
            }
            frames.append(MilterFrame(R.continue))
            return frames
        case let .quarantine(reason, headers):
            guard permits(headers), actions.contains(.quarantine) else {
                return encodeFallback(reason: "the MTA did not allow quarantine")
            }
            return headers.map(Self.frame(for:)) + [MilterFrame(R.quarantine, Array(reason.utf8.filter { $0 != 0 }) + [0]), MilterFrame(R.continue)]
        }
    }

    private func encodeFallback(reason: String) -> [MilterFrame] {
        let fallback = configuration.onError == .quarantine && !actions.contains(.quarantine) ? MilterFallback.tempfail : configuration.onError
        if fallback == .quarantine { return [MilterFrame(MilterProtocol.Response.quarantine, Array("redline: \(reason)".utf8) + [0]), MilterFrame(MilterProtocol.Response.continue)] }
        return encode(.fallback(fallback, reason: reason))
    }

    private func permits(_ headers: [MilterHeaderChange]) -> Bool {
        headers.allSatisfy { change in
            switch change {
            case .add: actions.contains(.addHeaders)
            case .change: actions.contains(.changeHeaders)
            }
        }
    }

    // MARK: - Steps

    private mutating func negotiate(_ data: [UInt8]) throws(MilterProtocolError) -> MilterFrame {
        guard data.count >= 12 else { throw MilterProtocolError("option negotiation with \(data.count) bytes (12 needed)") }
        let offeredVersion = Self.uint32(data, at: 0)
        let offeredActions = MilterProtocol.Actions(rawValue: Self.uint32(data, at: 4))
        guard offeredVersion >= 2 else { throw MilterProtocolError("MTA offers milter protocol version \(offeredVersion) (2 or later needed)") }
        version = min(offeredVersion, MilterProtocol.version)
        actions = configuration.actions.intersection(offeredActions)
        if phase == .negotiating { phase = .ready }
        var reply: [UInt8] = []
        for value in [version, actions.rawValue, 0] { reply.append(contentsOf: Self.bytes(value)) }
        return MilterFrame(MilterProtocol.Response.optionNegotiation, reply)
    }

    private mutating func storeMacros(_ data: [UInt8]) {
        guard let stage = data.first else { return }
        let values = Self.strings(Array(data.dropFirst()))
        var index = 0
        while index + 1 < values.count {
            let name = String(decoding: values[index], as: UTF8.self)
            let value = String(decoding: values[index + 1], as: UTF8.self)
            if MilterProtocol.messageMacroStages.contains(stage) {
                Self.store(name, value, in: &messageMacros, bytes: &messageMacroBytes)
            } else {
                Self.store(name, value, in: &connectionMacros, bytes: &connectionMacroBytes)
            }
            index += 2
        }
    }

    /// Keeps a macro while the table stays within ``macroBudget`` (the used ones always).
    private static func store(_ name: String, _ value: String, in table: inout [String: String], bytes: inout Int) {
        let old = table[name].map { name.utf8.count + $0.utf8.count } ?? 0
        let new = name.utf8.count + value.utf8.count
        guard usedMacros.contains(name) || bytes - old + new <= macroBudget else { return }
        table[name] = value
        bytes += new - old
    }

    private mutating func startMessage() {
        if phase == .ready { phase = .message }
    }

    private mutating func resetMessage(keepingMacros: Bool = false) {
        message = MilterMessage()
        overLimit = false
        recipientBytes = 0
        if !keepingMacros {
            messageMacros = [:]
            messageMacroBytes = 0
        }
        if phase != .negotiating && phase != .closed { phase = .ready }
    }

    private mutating func finishMessage() {
        message = MilterMessage()
        overLimit = false
        recipientBytes = 0
        phase = .ready
    }

    private mutating func answerEarly(_ frame: MilterFrame) -> MilterSessionAction {
        message = MilterMessage()
        phase = .answered(frame)
        return .reply([frame])
    }

    private func continueReply() -> MilterSessionAction { .reply([MilterFrame(MilterProtocol.Response.continue)]) }

    /// Counts `bytes` against the size limit; keeps the data only while under it.
    private mutating func add(bytes: Int, _ keep: (inout MilterMessage) -> Void) -> MilterSessionAction {
        message.size += bytes
        if !overLimit && message.size > configuration.maximumMessageSize {
            overLimit = true
            message.body = []
            message.headers = []
            if configuration.onLimit != .quarantine {
                return answerEarly(Self.frame(for: configuration.onLimit, reason: "message exceeds the size limit"))
            }
        }
        if !overLimit { keep(&message) }
        return continueReply()
    }
}
