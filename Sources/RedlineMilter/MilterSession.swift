/// What redline does when it cannot decide a message itself: a limit was hit (size, sessions),
/// the scan timed out, or something failed inside. `tempfail` (the default) keeps the mail in
/// the sender's queue, so nothing is lost and nothing passes unscanned.
public enum MilterFallback: String, Sendable, CaseIterable {
    case tempfail
    case reject
    case accept
    case quarantine
}

/// One header of the message as the MTA passed it: the name, and the value with the space after
/// the colon removed and folded lines joined by bare `\n` (Postfix's form).
public struct MilterHeader: Equatable, Sendable {
    public var name: String
    public var value: [UInt8]
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A message collected by ``MilterSession``, ready to be decided.
public struct MilterMessage: Equatable, Sendable {
    /// The queue ID (macro `i`), when the MTA sent it.
    public var queueID: String?
    /// The SASL login (macro `{auth_authen}`), when the client authenticated.
    public var authUser: String?
    /// The envelope sender and recipients, angle brackets removed.
    public var sender: String = ""
    public var recipients: [String] = []
    public var headers: [MilterHeader] = []
    /// The raw body (still MIME-encoded), CRLF lines.
    public var body: [UInt8] = []
    /// Header and body bytes received, including any not kept because of the size limit.
    public var size = 0

    public init() {}

    /// The message the processor reads: each header as `name: value` with its `\n` line breaks
    /// turned back into CRLF, a blank line, then the body.
    public func assembled() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(size + headers.count * 4 + 2)
        for header in headers {
            out.append(contentsOf: header.name.utf8)
            out.append(contentsOf: [UInt8(ascii: ":"), 32])
            var previous: UInt8 = 0
            for byte in header.value {
                if byte == 10 && previous != 13 { out.append(13) }
                out.append(byte)
                previous = byte
            }
            out.append(contentsOf: [13, 10])
        }
        out.append(contentsOf: [13, 10])
        out.append(contentsOf: body)
        return out
    }
}

/// A header edit at end-of-message.
public enum MilterHeaderChange: Equatable, Sendable {
    /// `SMFIR_ADDHEADER`: append after the last header.
    case add(name: String, value: [UInt8])
    /// `SMFIR_CHGHEADER`: replace the `index`-th (1-based) header of that name; an empty value
    /// deletes it.
    case change(name: String, index: UInt32, value: [UInt8])
}

/// The end-of-message answer for one message.
public enum MilterDecision: Equatable, Sendable {
    /// Accept unchanged (`c`).
    case accept
    /// Header edits, an optional whole new body, then accept.
    case modify(headers: [MilterHeaderChange], body: [UInt8]?)
    /// Permanent failure with this reply (`550 5.7.1 …`, already escaped).
    case reject(reply: String)
    /// Temporary failure with this reply (`451 4.7.1 …`).
    case tempfail(reply: String)
    /// Put the message on hold (`q`), after optional header edits, then accept.
    case quarantine(reason: String, headers: [MilterHeaderChange])

    /// The action the MTA takes, for logs and metrics.
    public var name: String {
        switch self {
        case .accept: "accept"
        case .modify: "modify"
        case .reject: "reject"
        case .tempfail: "tempfail"
        case .quarantine: "quarantine"
        }
    }

    /// The answer for a fallback (limits, timeouts, internal errors). `reason` must not contain
    /// message content.
    public static func fallback(_ fallback: MilterFallback, reason: String) -> MilterDecision {
        switch fallback {
        case .tempfail: .tempfail(reply: MilterReply.text(code: 451, enhanced: "4.7.1", "redline: \(reason), try again later"))
        case .reject: .reject(reply: MilterReply.text(code: 550, enhanced: "5.7.1", "redline: \(reason)"))
        case .accept: .accept
        case .quarantine: .quarantine(reason: "redline: \(reason)", headers: [])
        }
    }
}

/// Builds `SMFIR_REPLYCODE` texts.
public enum MilterReply {
    /// `"550 5.7.1 text"`: non-printable and non-ASCII characters become `?`, `%` is doubled
    /// (the MTA treats the text as a format), and the text is cut to 400 characters.
    public static func text(code: Int, enhanced: String, _ message: String) -> String {
        var cleaned = ""
        for scalar in message.unicodeScalars.prefix(400) {
            switch scalar.value {
            case 0x25: cleaned += "%%"
            case 0x20..<0x7F: cleaned.unicodeScalars.append(scalar)
            case 0x09, 0x0A, 0x0D: cleaned += " "
            default: cleaned += "?"
            }
        }
        return "\(code) \(enhanced) \(cleaned)"
    }
}

/// Limits and choices of one milter connection.
public struct MilterSessionConfiguration: Sendable {
    /// Actions requested in OPTNEG (intersected with the MTA's offer).
    public var actions: MilterProtocol.Actions = .redline
    /// Header plus body bytes kept per message; beyond it the message gets `onLimit`.
    public var maximumMessageSize = 50 << 20
    /// The answer when a limit is hit or the connection is over the session limit.
    public var onLimit: MilterFallback = .tempfail
    /// The answer when a decision needs an action the MTA did not grant (e.g. no body change).
    public var onError: MilterFallback = .tempfail

    public init() {}
}

/// A violation of the milter protocol by the peer; the connection is closed.
public struct MilterProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What the connection should do after a packet.
public enum MilterSessionAction: Equatable, Sendable {
    /// Nothing to send (macros, abort).
    case none
    /// Send these packets.
    case reply([MilterFrame])
    /// Decide this message (off the event loop), then pass the decision to
    /// ``MilterSession/complete(ticket:with:)``.
    case evaluate(MilterMessage, ticket: Int)
    /// Close the connection (QUIT).
    case close
}

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

    // MARK: - Wire helpers

    static func frame(for fallback: MilterFallback, reason: String) -> MilterFrame {
        switch MilterDecision.fallback(fallback, reason: reason) {
        case let .reject(reply), let .tempfail(reply): MilterFrame(MilterProtocol.Response.replyCode, Array(reply.utf8) + [0])
        default: MilterFrame(MilterProtocol.Response.accept)
        }
    }

    static func frame(for change: MilterHeaderChange) -> MilterFrame {
        switch change {
        case let .add(name, value):
            MilterFrame(MilterProtocol.Response.addHeader, Array(name.utf8) + [0] + value + [0])
        case let .change(name, index, value):
            MilterFrame(MilterProtocol.Response.changeHeader, bytes(index) + Array(name.utf8) + [0] + value + [0])
        }
    }

    /// NUL-terminated strings up to the end of the data (a last one without NUL included).
    static func strings(_ data: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in data {
            if byte == 0 {
                out.append(current)
                current = []
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// `<a@b>` and `a@b` (Postfix's sendmail path) alike → `a@b`.
    static func address(_ raw: [UInt8]) -> String {
        var text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: [" ", "\t"])
        if text.hasPrefix("<") && text.hasSuffix(">") { text = String(text.dropFirst().dropLast()) }
        return text
    }

    static func uint32(_ data: [UInt8], at offset: Int) -> UInt32 {
        UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16 | UInt32(data[offset + 2]) << 8 | UInt32(data[offset + 3])
    }

    static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
