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
