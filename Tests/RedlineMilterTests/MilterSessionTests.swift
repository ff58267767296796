import Testing
@testable import RedlineMilter

@Suite("MilterSession state machine (no NIO)")
struct MilterSessionTests {
    typealias R = MilterProtocol.Response

    static func negotiated(_ configuration: MilterSessionConfiguration = MilterSessionConfiguration(), offer: UInt32 = 0x1FF) throws -> MilterSession {
        var session = MilterSession(configuration: configuration)
        _ = try session.receive(Postfix.optneg(actions: offer))
        return session
    }

    /// Feeds frames up to end-of-message; returns the replies and the evaluation request.
    static func run(_ frames: [MilterFrame], in session: inout MilterSession) throws -> (replies: [MilterFrame], evaluate: (MilterMessage, Int)?) {
        var replies: [MilterFrame] = []
        var evaluate: (MilterMessage, Int)?
        for frame in frames {
            switch try session.receive(frame) {
            case let .reply(out): replies += out
            case let .evaluate(message, ticket): evaluate = (message, ticket)
            case .none, .close: break
            }
        }
        return (replies, evaluate)
    }

    @Test("OPTNEG: version 6, actions 0x33 within Postfix's offer, protocol 0")
    func negotiation() throws {
        var session = MilterSession()
        let action = try session.receive(Postfix.optneg())
        let expected = MilterFrame("O", MilterSession.bytes(6) + MilterSession.bytes(0x33) + MilterSession.bytes(0))
        #expect(action == .reply([expected]))
        #expect(session.version == 6)
    }

    @Test("OPTNEG: a lower version and a smaller action offer are respected (never more than offered)")
    func negotiationSubset() throws {
        var session = MilterSession()
        _ = try session.receive(Postfix.optneg(version: 4, actions: 0x03))
        #expect(session.version == 4)
        #expect(session.actions == [.addHeaders, .changeBody])
    }

    @Test("OPTNEG too short, version 1, or a packet before OPTNEG are protocol errors")
    func negotiationErrors() {
        var short = MilterSession()
        #expect(throws: MilterProtocolError.self) { try short.receive(MilterFrame("O", [0, 0, 0, 6])) }
        var old = MilterSession()
        #expect(throws: MilterProtocolError.self) { try old.receive(Postfix.optneg(version: 1)) }
        var early = MilterSession()
        #expect(throws: MilterProtocolError.self) { try early.receive(MilterFrame("H", Array("x\0".utf8))) }
    }

    @Test("a Postfix conversation: every event answered with continue, message collected with macros")
    func conversation() throws {
        var session = try Self.negotiated()
        var frames = [Postfix.macros("C", [("j", "mx"), ("v", "Postfix 3.7.11")]), Postfix.connect(),
                      Postfix.macros("H", []), Postfix.strings("H", ["localhost"])]
        frames += Postfix.message(sender: "agent@sink.test", recipients: ["<a@sink.test>", "b@sink.test"],
                                  headers: [("Subject", "a folded\n subject line\n\twith a tab"), ("X-Empty", "")],
                                  body: "line 1\r\nline 2\r\n", auth: "helpdesk7")
        let (replies, evaluate) = try Self.run(frames, in: &session)
        // CONNECT, HELO, MAIL, 2×RCPT, DATA, 2×HEADER, EOH, BODY: ten continues.
        #expect(replies == [MilterFrame](repeating: MilterFrame("c"), count: 10))
        let (message, _) = try #require(evaluate)
        #expect(message.queueID == "4ABCDE1234")
        #expect(message.authUser == "helpdesk7")
        #expect(message.sender == "agent@sink.test")
        #expect(message.recipients == ["a@sink.test", "b@sink.test"])
        #expect(message.headers.map(\.name) == ["Subject", "X-Empty"])
        #expect(String(decoding: message.assembled(), as: UTF8.self)
            == "Subject: a folded\r\n subject line\r\n\twith a tab\r\nX-Empty: \r\n\r\nline 1\r\nline 2\r\n")
        #expect(session.macro("v") == "Postfix 3.7.11")
    }

    @Test("end of message: the decision is encoded; then Postfix's double ABORT and a second message on the same connection")
    func abortAfterEndOfMessage() throws {
        var session = try Self.negotiated()
        var (_, evaluate) = try Self.run(Postfix.cleanMessage, in: &session)
        var (_, ticket) = try #require(evaluate)
        #expect(session.isInMessage)
        #expect(session.complete(ticket: ticket, with: .accept) == [MilterFrame("c")])
        #expect(try session.receive(MilterFrame("A")) == MilterSessionAction.none)
        #expect(try session.receive(MilterFrame("A")) == MilterSessionAction.none)
        #expect(!session.isInMessage)
        (_, evaluate) = try Self.run(Postfix.message(queueID: "SECOND", headers: [("Subject", "2")], body: "x\r\n"), in: &session)
        (_, ticket) = try #require(evaluate)
        let second = try #require(evaluate).0
        #expect(second.queueID == "SECOND")
        #expect(second.headers.count == 1)
        #expect(session.complete(ticket: ticket, with: .reject(reply: "550 5.7.1 no")) == [MilterFrame("y", Array("550 5.7.1 no\0".utf8))])
        #expect(try session.receive(MilterFrame("Q")) == .close)
    }

    @Test("a decision for an aborted message is dropped")
    func staleTicket() throws {
        var session = try Self.negotiated()
        let (_, evaluate) = try Self.run(Postfix.cleanMessage, in: &session)
        let (_, ticket) = try #require(evaluate)
        _ = try session.receive(MilterFrame("A"))
        #expect(session.complete(ticket: ticket, with: .accept).isEmpty)
    }

    @Test("redaction: header edits, then the whole body in contiguous ≤65,535-byte b packets, then continue")
    func replaceBodyChunks() throws {
        let session = try Self.negotiated()
        let body = [UInt8](repeating: 0x61, count: 150_000)
        let frames = session.encode(.modify(headers: [.change(name: "Subject", index: 1, value: Array("x".utf8)),
                                                      .add(name: "X-Redline-Verdict", value: Array("redact".utf8))], body: body))
        #expect(frames.map(\.commandName) == ["m", "h", "b", "b", "b", "c"])
        #expect(frames.filter { $0.command == R.replaceBody }.map(\.data.count) == [65_535, 65_535, 18_930])
        #expect(frames.filter { $0.command == R.replaceBody }.flatMap(\.data) == body)
        #expect(frames[0].data == [0, 0, 0, 1] + Array("Subject\0x\0".utf8))
        #expect(frames[1].data == Array("X-Redline-Verdict\0redact\0".utf8))
    }

    @Test("an empty replacement body is still one b packet")
    func emptyBody() throws {
        let session = try Self.negotiated()
        #expect(session.encode(.modify(headers: [], body: [])).map(\.commandName) == ["b", "c"])
    }

    @Test("quarantine: q with the reason, then continue")
    func quarantine() throws {
        let session = try Self.negotiated()
        #expect(session.encode(.quarantine(reason: "held", headers: [])) == [MilterFrame("q", Array("held\0".utf8)), MilterFrame("c")])
    }

    @Test("a change the MTA did not grant falls back to tempfail instead of being sent")
    func notGranted() throws {
        let session = try Self.negotiated(offer: 0x01) // add headers only
        let frames = session.encode(.modify(headers: [], body: [1]))
        #expect(frames.count == 1)
        #expect(frames[0].command == R.replyCode)
        #expect(frames[0].text.hasPrefix("451 4.7.1 "))
        #expect(session.encode(.modify(headers: [.add(name: "X", value: [])], body: nil)).map(\.commandName) == ["h", "c"])
    }

    @Test("size limit: tempfail at once, the rest of the message gets the same answer, the next message is fresh")
    func sizeLimit() throws {
        var configuration = MilterSessionConfiguration()
        configuration.maximumMessageSize = 100
        var session = try Self.negotiated(configuration)
        let frames = Postfix.message(headers: [("Subject", "big")], body: String(repeating: "x", count: 500))
        let (replies, evaluate) = try Self.run(frames, in: &session)
        #expect(evaluate == nil)
        let tempfails = replies.filter { $0.command == R.replyCode }
        #expect(tempfails.count == 2) // the BODY chunk and end-of-message
        #expect(tempfails[0].text.hasPrefix("451 4.7.1 redline: message exceeds the size limit"))
        _ = try session.receive(MilterFrame("A"))
        let (_, next) = try Self.run(Postfix.message(headers: [("Subject", "small")], body: "x\r\n"), in: &session)
        #expect(next != nil)
    }

    @Test("size limit with quarantine: the message is held at end of message, without a scan")
    func sizeLimitQuarantine() throws {
        var configuration = MilterSessionConfiguration()
        configuration.maximumMessageSize = 100
        configuration.onLimit = .quarantine
        var session = try Self.negotiated(configuration)
        let (replies, evaluate) = try Self.run(Postfix.message(headers: [], body: String(repeating: "x", count: 500)), in: &session)
        #expect(evaluate == nil)
        #expect(replies.suffix(2).map(\.commandName) == ["q", "c"])
    }

    @Test("a connection over the session limit is answered tempfail at CONNECT")
    func overloaded() throws {
        var session = MilterSession(overloaded: true)
        _ = try session.receive(Postfix.optneg())
        guard case let .reply(frames) = try session.receive(Postfix.connect()) else { Issue.record("no reply"); return }
        #expect(frames.first?.text.hasPrefix("451 4.7.1 redline: too many concurrent sessions") == true)
    }

    @Test("unknown commands that expect a reply get continue; QUIT_NC keeps the connection")
    func unknownAndQuitNC() throws {
        var session = try Self.negotiated()
        #expect(try session.receive(MilterFrame("U", Array("XFOO\0".utf8))) == .reply([MilterFrame("c")]))
        #expect(try session.receive(MilterFrame("Z")) == .reply([MilterFrame("c")]))
        #expect(try session.receive(MilterFrame("K")) == MilterSessionAction.none)
        #expect(try session.receive(Postfix.connect()) == .reply([MilterFrame("c")]))
        #expect(try session.receive(MilterFrame("Q")) == .close)
        #expect(throws: MilterProtocolError.self) { try session.receive(MilterFrame("C")) }
    }

    @Test("reply texts: % doubled, control and non-ASCII characters replaced")
    func replyText() {
        #expect(MilterReply.text(code: 550, enhanced: "5.7.1", "100% sure\r\nnext £") == "550 5.7.1 100%% sure  next ?")
    }
}
