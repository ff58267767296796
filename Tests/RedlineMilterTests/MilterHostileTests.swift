import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOEmbedded
import RedlineCore
import RedlineService
import RedlineEngine
import Testing
@testable import RedlineMilter

/// Hostile MTA input against a real server on loopback (issue 8): bogus and oversize frames,
/// unknown and out-of-order commands, a client stalling mid-frame, 500 connections against a
/// session limit of 50, and the no-leak check of logs, metrics and reply texts. Each server is
/// started and stopped inside its test; every read has a timeout, so a hang fails instead of
/// blocking the suite.
@Suite("Milter hostile input and no-leak", .serialized)
struct MilterHostileTests {
    // MARK: - Helpers

    static func server(yaml: String? = nil, format: LogFormat = .logfmt, logs: LogLines = LogLines(), decider: MilterDecider = MilterDecider(),
                       _ configure: (inout MilterServerConfiguration) -> Void = { _ in }) throws -> MilterServer {
        var configuration = MilterServerConfiguration(listen: .inet(host: "127.0.0.1", port: 0))
        configuration.metricsListen = .inet(host: "127.0.0.1", port: 0)
        configuration.scanThreads = 2
        configuration.shutdownGrace = .seconds(5)
        configure(&configuration)
        let store: PolicyStore
        if let yaml {
            store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try Pipeline.compile(yaml: yaml, file: "hostile.yaml", key: nil) }
        } else {
            store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try PolicySource.file(Fixtures.harnessPolicy).compile() }
        }
        let server = MilterServer(configuration: configuration, store: store, decider: decider, logger: logs.logger(format: format))
        do {
            try server.start()
        } catch {
            server.shutdown()
            throw error
        }
        return server
    }

    /// A client that has negotiated and connected (answered `O`, `c`).
    static func negotiated(_ server: MilterServer) throws -> MilterTestClient {
        let client = try MilterTestClient(port: try #require(server.localAddress?.port))
        let opening = try client.conversation([Postfix.optneg(), Postfix.connect()])
        #expect(opening.map(\.commandName) == ["O", "c"])
        return client
    }

    /// A fresh client still gets a clean message accepted and a card rejected.
    static func expectServing(_ server: MilterServer, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let client = try negotiated(server)
        #expect(try client.conversation(Postfix.cleanMessage).last == MilterFrame("c"), sourceLocation: sourceLocation)
        try client.send([MilterFrame("A")])
        #expect(try client.conversation(Postfix.cardMessage).last?.text.hasPrefix("550 5.7.1") == true, sourceLocation: sourceLocation)
        try client.send([MilterFrame("Q")])
        #expect(client.isClosedByPeer(), sourceLocation: sourceLocation)
    }

    static func header(_ length: UInt32) -> [UInt8] { MilterSession.bytes(length) }

    static func isTempfail(_ frame: MilterFrame) -> Bool {
        frame.commandName == "y" && frame.text.hasPrefix("451 4.7.1 redline: ")
    }

    /// A field of `/proc/self/status` in kB (VmRSS, VmHWM).
    static func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }

    // MARK: - Bogus lengths and oversize frames

    @Test("bogus lengths (0, 0xFFFFFFFF, limit + 1): closed, a negotiated MTA gets 451 first; the server keeps serving")
    func bogusLengths() throws {
        let server = try Self.server()
        defer { server.shutdown() }
        let limit = UInt32(MilterFrameDecoder.defaultMaximumLength)
        for length in [0, 0xFFFF_FFFF, limit + 1] as [UInt32] {
            let client = try Self.negotiated(server)
            client.sendRaw(Self.header(length) + [UInt8(ascii: "B"), 1, 2, 3])
            let (frames, closed) = client.receiveUntilClosed()
            #expect(closed, "length \(length): not closed")
            #expect(frames.count == 1 && Self.isTempfail(frames[0]), "length \(length): \(frames)")
            try Self.expectServing(server)
        }
        // Before option negotiation the MTA waits for no reply: closed without one.
        let early = try MilterTestClient(port: try #require(server.localAddress?.port))
        early.sendRaw(Self.header(0xFFFF_FFFF) + [UInt8(ascii: "O")])
        let (frames, closed) = early.receiveUntilClosed()
        #expect(closed && frames.isEmpty)
        #expect(server.metrics.value("errors", "protocol") == 4)
        #expect(server.metrics.value("fallbacks", "tempfail") == 3)
        try Self.expectServing(server)
    }

    @Test("a frame at the limit is read; one over it, declared and actually sent (2 MiB), gets 451 and the connection closes")
    func oversizeFrame() throws {
        let server = try Self.server()
        defer { server.shutdown() }
        let limit = MilterFrameDecoder.defaultMaximumLength
        let atLimit = try Self.negotiated(server)
        // length = command byte + data = exactly the limit: a body chunk, answered continue.
        let chunk = MilterFrame("B", [UInt8](repeating: UInt8(ascii: "x"), count: limit - 1))
        #expect(try atLimit.conversation([chunk]) == [MilterFrame("c")])
        #expect(try atLimit.conversation([MilterFrame("E")]).last == MilterFrame("c"))

        let client = try Self.negotiated(server)
        _ = try client.conversation(Array(Postfix.cleanMessage.prefix(while: { $0.commandName != "B" })))
        let big = MilterFrame("B", [UInt8](repeating: UInt8(ascii: "y"), count: 2 << 20))
        let written = client.sendRaw(big.bytes)
        #expect(written > 0)
        let (frames, closed) = client.receiveUntilClosed()
        #expect(closed)
        #expect(frames.count == 1 && Self.isTempfail(frames[0]), "\(frames)")
        #expect(frames.first?.text.contains("packet exceeds the size limit") == true)
        try Self.expectServing(server)
        // The connection with the full-size chunk is still fine too.
        #expect(try atLimit.conversation(Postfix.cleanMessage).last == MilterFrame("c"))
    }

    @Test("a message over --max-message-size: tempfail from the chunk that crosses it to end of message; logged and counted; next message fresh")
    func oversizeMessage() throws {
        let logs = LogLines()
        let server = try Self.server(logs: logs) { $0.session.maximumMessageSize = 100_000 }
        defer { server.shutdown() }
        let client = try Self.negotiated(server)
        let body = String(repeating: String(repeating: "z", count: 98) + "\r\n", count: 1_800) // 180,000 bytes: three chunks
        let replies = try client.conversation(Postfix.message(queueID: "BIGMSG1", headers: [("Subject", "big")], body: body))
        let chunkReplies = Array(replies.suffix(4))
        #expect(chunkReplies.map(\.commandName) == ["c", "y", "y", "y"]) // BODY 1 continue, BODY 2 and 3, then end of message
        #expect(chunkReplies.dropFirst().allSatisfy { $0.text.hasPrefix("451 4.7.1 redline: message exceeds the size limit") })
        try client.send([MilterFrame("A"), MilterFrame("A")])
        #expect(try client.conversation(Postfix.cleanMessage).last == MilterFrame("c"))
        try client.send([MilterFrame("A")])

        // Endless recipients count against the same limit; the answer waits for end of message.
        let recipients = (0..<3_000).map { "<recipient-\($0)-with-a-long-local-part@sink.test>" }
        let flood = try client.conversation(Postfix.message(queueID: "RCPTFLOOD", recipients: recipients, headers: [("Subject", "x")], body: "x\r\n"))
        #expect(flood.dropLast().allSatisfy { $0 == MilterFrame("c") })
        #expect(flood.last.map(Self.isTempfail) == true)
        try client.send([MilterFrame("Q")])

        #expect(server.metrics.value("errors", "limit") == 2)
        #expect(server.metrics.value("fallbacks", "tempfail") == 2)
        #expect(server.metrics.value("messages", "error") == 2)
        #expect(server.metrics.value("decisions", "tempfail") == 2)
        let limited = logs.lines.filter { $0.contains("msg=decision") && $0.contains("error=limit") }
        #expect(limited.count == 2)
        #expect(limited.first?.contains("queue_id=BIGMSG1") == true)
        #expect(limited.allSatisfy { $0.contains("decision=tempfail") })
    }

    @Test("macros with endless new names stay within the budget; the queue ID and login are always kept")
    func macroFlood() throws {
        var session = MilterSession()
        _ = try session.receive(Postfix.optneg())
        let value = String(repeating: "v", count: 1_000)
        for index in 0..<500 {
            #expect(try session.receive(Postfix.macros("C", [("name\(index)", value)])) == MilterSessionAction.none)
        }
        #expect(session.macro("name0") != nil)
        #expect(session.macro("name499") == nil)
        _ = try session.receive(Postfix.macros("M", (0..<100).map { ("m\($0)", value) } + [("i", "QUEUEID"), ("{auth_authen}", "agent7")]))
        #expect(session.macro("i") == "QUEUEID")
        #expect(session.macro("{auth_authen}") == "agent7")
        #expect(session.macro("m99") == nil)
    }

    // MARK: - Unknown and out-of-order commands

    @Test("unknown command bytes get continue; body before MAIL FROM and end of message without headers are decided")
    func unknownAndOutOfOrder() throws {
        let server = try Self.server()
        defer { server.shutdown() }
        let client = try Self.negotiated(server)
        for command: UInt8 in [0x00, 0x01, UInt8(ascii: "Z"), UInt8(ascii: "x"), 0x7F, 0xFF] {
            #expect(try client.conversation([MilterFrame(command, Array("junk\0data".utf8))]) == [MilterFrame("c")], "command \(command)")
        }
        // End of message with nothing before it: an empty message, accepted.
        #expect(try client.conversation([MilterFrame("E")]) == [MilterFrame("c")])
        // Body (with a card) before MAIL FROM, no headers: still scanned, rejected.
        let card = MilterFrame("B", Array("card 4111 1111 1111 1111\r\n".utf8))
        #expect(try client.conversation([card]) == [MilterFrame("c")])
        #expect(try client.conversation([MilterFrame("E")]).last?.text.hasPrefix("550 5.7.1") == true)
        // Abort and QUIT_NC at odd moments are harmless; RCPT and DATA before MAIL are answered.
        try client.send([MilterFrame("A"), MilterFrame("K"), MilterFrame("A")])
        #expect(try client.conversation([Postfix.strings("R", ["<x@sink.test>"]), MilterFrame("T"), MilterFrame("N")]).count == 3)
        #expect(try client.conversation([MilterFrame("E")]) == [MilterFrame("c")])
        try client.send([MilterFrame("Q")])
        #expect(client.isClosedByPeer())

        // A header without a name: a protocol error, answered 451 (fail closed) and closed.
        let broken = try Self.negotiated(server)
        try broken.send([Postfix.strings("M", ["<a@sink.test>"])])
        #expect(try broken.receive() == MilterFrame("c"))
        try broken.send([MilterFrame("L", [0] + Array("value\0".utf8))])
        var (frames, closed) = broken.receiveUntilClosed()
        #expect(closed && frames.count == 1 && Self.isTempfail(frames[0]), "\(frames)")

        // A packet before option negotiation: closed, nothing sent.
        let early = try MilterTestClient(port: try #require(server.localAddress?.port))
        try early.send([Postfix.connect()])
        (frames, closed) = early.receiveUntilClosed()
        #expect(closed && frames.isEmpty)
        // Packets after QUIT are never read: the connection is gone.
        let quitter = try Self.negotiated(server)
        try quitter.send([MilterFrame("Q"), MilterFrame("E")])
        (frames, closed) = quitter.receiveUntilClosed()
        #expect(closed && frames.isEmpty)
        try Self.expectServing(server)
    }

    @Test("a second end of message (or any packet) while the first is scanned: 451 and close, the late decision dropped, gauge back at 0")
    func packetWhileScanning() throws {
        let held = HeldEvaluator()
        let metrics = MilterMetrics()
        let channel = try MilterChannelHandlerTests.channel(evaluator: held, metrics: metrics)
        _ = try MilterChannelHandlerTests.exchange(channel, [Postfix.optneg(), Postfix.connect()])
        _ = try MilterChannelHandlerTests.exchange(channel, Postfix.cleanMessage)
        #expect(held.promises.count == 1)
        let out = try MilterChannelHandlerTests.exchange(channel, [MilterFrame("E")])
        #expect(out.count == 1 && Self.isTempfail(out[0]), "\(out)")
        #expect(!channel.isActive)
        #expect(held.promises.count == 1)
        held.promises[0].succeed(MilterOutcome(decision: .accept))
        #expect(try MilterChannelHandlerTests.exchange(channel, []).isEmpty)
        #expect(metrics.render().contains("redline_scans_in_progress 0.0\n"))
        #expect(metrics.value("errors", "protocol") == 1)

        var session = MilterSession()
        _ = try session.receive(Postfix.optneg())
        guard case .evaluate = try session.receive(MilterFrame("E")) else { Issue.record("no evaluation"); return }
        for command in ["B", "E", "M", "O", "C", "Z"] as [Character] {
            var copy = session
            #expect(throws: MilterProtocolError.self) { try copy.receive(MilterFrame(command)) }
        }
        // Macros, ABORT, QUIT and QUIT_NC stay allowed (the MTA gives up on the message).
        #expect(try session.receive(Postfix.macros("E", [("i", "Q1")])) == MilterSessionAction.none)
        #expect(try session.receive(MilterFrame("A")) == MilterSessionAction.none)
        #expect(try session.receive(MilterFrame("E")) != .close)
    }

    // MARK: - Timeouts

    @Test("a client stalling mid-frame (2 bytes of a length) or trickling bytes is closed by the command timeout; others are served meanwhile")
    func stallMidFrame() throws {
        let server = try Self.server { $0.handler.commandTimeout = .seconds(1) }
        defer { server.shutdown() }
        let staller = try Self.negotiated(server)
        staller.sendRaw([0, 0])
        let trickler = try Self.negotiated(server)
        let frame = Postfix.strings("H", [String(repeating: "h", count: 60)]).bytes
        // Served while the others stall.
        let other = try Self.negotiated(server)
        #expect(try other.conversation(Postfix.cleanMessage).last == MilterFrame("c"))
        try other.send([MilterFrame("Q")])
        // One byte every 200 ms never completes a frame, so it does not reset the timer.
        for byte in frame.prefix(12) {
            if trickler.sendRaw([byte]) != 1 { break }
            usleep(200_000)
        }
        for client in [staller, trickler] {
            client.setReadTimeout(seconds: 15)
            let (frames, closed) = client.receiveUntilClosed()
            #expect(closed, "not closed by the command timeout")
            #expect(frames.isEmpty)
        }
        #expect(server.metrics.value("errors", "timeout") == 2)
        try Self.expectServing(server)
    }

    @Test("a client that never reads its replies: the server stops reading it (backpressure), the command timeout closes it")
    func neverReads() throws {
        let server = try Self.server {
            $0.handler.commandTimeout = .seconds(1)
            $0.session.maximumMessageSize = 1_000
        }
        defer { server.shutdown() }
        let client = try MilterTestClient(port: try #require(server.localAddress?.port), receiveBuffer: 16_384)
        #expect(try client.conversation([Postfix.optneg(), Postfix.connect(), Postfix.strings("M", ["<a@sink.test>"])]).count == 3)
        // Over the size limit, every further packet gets the ~75-byte 451 answer: 15 times the
        // 5-byte packet, never read by this client.
        #expect(try client.conversation([MilterFrame("B", [UInt8](repeating: 120, count: 2_000))]).last.map(Self.isTempfail) == true)
        client.setSendTimeout(seconds: 2)
        let batch = [UInt8]((0..<13_107).flatMap { _ in MilterFrame("N").bytes }) // 64 KiB
        // The kernel's socket buffers take ~5 MiB before the client blocks (measured 4.6 MiB).
        let cap = 16 << 20
        var sent = 0
        while sent < cap {
            let written = client.sendRaw(batch)
            sent += written
            if written < batch.count { break }
        }
        // Without backpressure the server reads on (slowly) and holds 15 times as many answer bytes.
        #expect(sent < cap, "the server kept reading \(sent) bytes whose replies were never read")
        client.setReadTimeout(seconds: 15)
        #expect(client.receiveUntilClosed(limit: .max).closed)
        #expect(server.metrics.value("errors", "timeout") == 1)
        try Self.expectServing(server)
    }

    // MARK: - Many connections

    @Test("500 concurrent connections against max-sessions 50: 450 answered tempfail, 50 decided, memory bounded, still serving")
    func manyConnections() throws {
        // 500 client sockets plus the server's 500 in one process.
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 2_048 {
            limit.rlim_cur = min(2_048, limit.rlim_max)
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        try #require(limit.rlim_cur >= 1_100, "RLIMIT_NOFILE too low for 500 loopback connections")

        let server = try Self.server { $0.maximumSessions = 50 }
        defer { server.shutdown() }
        let port = try #require(server.localAddress?.port)
        try Self.expectServing(server) // warm up: policy session pools, threads
        let rssBefore = try #require(Self.status("VmRSS"))

        // Every connection is open at once before any of them talks.
        var clients: [MilterTestClient] = []
        for _ in 0..<500 { clients.append(try MilterTestClient(port: port)) }
        let opening = [Postfix.optneg(), Postfix.connect()]
        for client in clients { try client.send(opening) }
        var accepted: [Int] = []
        var refused: [Int] = []
        for (index, client) in clients.enumerated() {
            let replies = try client.replies(to: opening)
            if replies.last == MilterFrame("c") { accepted.append(index) } else if replies.last.map(Self.isTempfail) == true { refused.append(index) }
        }
        #expect(accepted.count == 50)
        #expect(refused.count == 450)

        // One short message on every connection, all sent before any answer is read.
        func message(_ index: Int) -> [MilterFrame] { index.isMultiple(of: 2) ? Postfix.cardMessage : Postfix.cleanMessage }
        for (index, client) in clients.enumerated() { try client.send(message(index)) }
        var decided = 0
        var tempfailed = 0
        for (index, client) in clients.enumerated() {
            let last = try client.replies(to: message(index)).last
            if refused.contains(index) {
                if last.map(Self.isTempfail) == true { tempfailed += 1 }
            } else if index.isMultiple(of: 2) ? last?.text.hasPrefix("550 5.7.1") == true : last == MilterFrame("c") {
                decided += 1
            }
        }
        #expect(decided == 50)
        #expect(tempfailed == 450)
        let rssPeak = try #require(Self.status("VmRSS"))
        for client in clients { try client.send([MilterFrame("Q")]) }
        for client in clients { #expect(client.isClosedByPeer()) }
        clients = []

        var waited = 0
        while server.metrics.openConnections > 0 && waited < 500 {
            usleep(20_000)
            waited += 1
        }
        #expect(server.metrics.openConnections == 0)
        // Generous: the point is "bounded", not a number to tune (500 connections ≈ a few MB).
        #expect(rssPeak - rssBefore < 200 * 1_024, "RSS grew by \(rssPeak - rssBefore) kB")
        print("manyConnections: VmRSS \(rssBefore) kB -> \(rssPeak) kB, VmHWM \(Self.status("VmHWM") ?? -1) kB")
        #expect(server.metrics.value("errors", "limit") == 450)
        #expect(server.metrics.value("messages", "block") == 1 + accepted.filter { $0.isMultiple(of: 2) }.count)
        // Still answering, and a new connection is within the limit again.
        try Self.expectServing(server)
        let metrics = try httpGet(port: try #require(server.metricsAddress?.port), path: "/metrics")
        #expect(metrics.contains("redline_milter_connections 0.0\n") || metrics.contains("redline_milter_connections 1.0\n"))
        #expect(metrics.contains("redline_scans_in_progress 0.0\n"))
    }

    // MARK: - No leak

    static let noLeakPolicy = """
    version: 1
    name: no-leak
    detectors:
      card: { kind: payment_card, redaction: mask, test_numbers: count }
      nino: { kind: uk_nino, redaction: label, label: "[NINO]" }
      postcode: { kind: uk_postcode, redaction: label, label: "[POSTCODE]" }
      email: { kind: email, redaction: label, label: "[EMAIL]" }
    channels:
      email-external: { encrypted: false, external: true }
    default_channel: email-external
    rules:
      - { id: card-block, detectors: [card], channels: "*", action: block, message: "card numbers are not sent by mail" }
      - { id: nino-redact, detectors: [nino], channels: "*", action: redact }
      - { id: postcode-flag, detectors: [postcode], channels: "*", action: flag }
      - { id: email-allow, detectors: [email], channels: "*", action: allow }
    """

    /// The raw values, spaced and compact; none may appear in logs, metrics or reply texts.
    static let secrets = ["4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111", "JG 10 37 55 A", "JG103755A",
                          "SW1A 1AA", "SW1A1AA", "jane.doe@example.org", "jane.doe"]

    static let email = "jane.doe@example.org"
    static let cases: [(name: String, frames: [MilterFrame])] = [
        ("allow", Postfix.message(queueID: "QALLOW", sender: "<\(email)>", recipients: ["<\(email)>"],
                                  headers: [("From", email), ("Reply-To", email), ("Subject", "write to \(email)")],
                                  body: "Contact \(email) for details.\r\n")),
        ("flag", Postfix.message(queueID: "QFLAG", sender: "<\(email)>",
                                 headers: [("From", email), ("Subject", "parcel to SW1A 1AA")],
                                 body: "Deliver to SW1A 1AA or SW1A1AA, ask \(email).\r\n")),
        ("redact", Postfix.message(queueID: "QREDACT", headers: [("Subject", "NI JG 10 37 55 A")],
                                   body: "NI JG 10 37 55 A, compact JG103755A, at SW1A 1AA.\r\n")),
        ("block", Postfix.message(queueID: "QBLOCK", sender: "<\(email)>",
                                  headers: [("Subject", "card 4111 1111 1111 1111"), ("X-Note", "JG103755A")],
                                  body: "Card 4111 1111 1111 1111, again 4111111111111111 and 4111-1111-1111-1111.\r\n"
                                      + "NI JG 10 37 55 A, SW1A 1AA, \(email).\r\n")),
    ]

    @Test("no raw PII in logfmt or JSON logs, /metrics, reply texts or added headers: allow, flag, redact, block (reject and quarantine), limits, errors",
          arguments: [LogFormat.logfmt, .json], [BlockMode.reject, .quarantine])
    func noLeak(format: LogFormat, onBlock: BlockMode) throws {
        let logs = LogLines()
        let server = try Self.server(yaml: Self.noLeakPolicy, format: format, logs: logs, decider: MilterDecider(onBlock: onBlock)) {
            $0.session.maximumMessageSize = 4_096
        }
        defer { server.shutdown() }
        let client = try Self.negotiated(server)
        var generated: [MilterFrame] = [] // what redline itself wrote into replies and headers
        for (name, frames) in Self.cases {
            let replies = try client.conversation(frames)
            let final = try #require(replies.last)
            switch name {
            case "allow": #expect(replies.filter { $0 != MilterFrame("c") }.isEmpty, "allow: \(replies.map(\.commandName))")
            case "flag": #expect(replies.contains { $0.commandName == "h" && $0.text.hasPrefix("X-Redline-Verdict\0flag") })
            case "redact": #expect(replies.contains { $0.commandName == "b" } && final == MilterFrame("c"))
            default:
                if onBlock == .reject {
                    #expect(final.text == "550 5.7.1 redline: card numbers are not sent by mail\0")
                } else {
                    #expect(replies.contains { $0.commandName == "q" } && final == MilterFrame("c"))
                }
            }
            generated += replies.filter { "yqh".contains($0.commandName) }
            try client.send([MilterFrame("A"), MilterFrame("A")])
        }
        // Over the size limit, with the values in it.
        let big = Postfix.message(queueID: "QBIG", sender: "<\(Self.email)>", headers: [("Subject", "4111 1111 1111 1111")],
                                  body: String(repeating: "4111 1111 1111 1111 JG 10 37 55 A SW1A 1AA \(Self.email)\r\n", count: 100))
        let bigReplies = try client.conversation(big)
        #expect(bigReplies.last.map(Self.isTempfail) == true)
        generated += bigReplies.filter { $0.commandName == "y" }
        try client.send([MilterFrame("A"), MilterFrame("Q")])
        // Values in packets that break the protocol or are unknown.
        let broken = try Self.negotiated(server)
        #expect(try broken.conversation([MilterFrame("Z", Array("4111 1111 1111 1111\0JG 10 37 55 A\0".utf8))]) == [MilterFrame("c")])
        try broken.send([MilterFrame("L", [0] + Array("4111111111111111 \(Self.email)\0".utf8))])
        generated += broken.receiveUntilClosed().frames
        // Values in an oversize packet header's neighbourhood.
        let oversize = try Self.negotiated(server)
        oversize.sendRaw(Self.header(0x7FFF_FFFF) + Array("B4111 1111 1111 1111".utf8))
        generated += oversize.receiveUntilClosed().frames

        let exposition = try httpGet(port: try #require(server.metricsAddress?.port), path: "/metrics")
        #expect(exposition.hasPrefix("HTTP/1.1 200 OK"))
        server.shutdown() // every log line written
        let lines = logs.lines
        #expect(lines.filter { $0.contains("decision") }.count >= 5)
        if format == .json { #expect(lines.allSatisfy { $0.hasPrefix("{\"ts\":") }) }
        for secret in Self.secrets {
            for line in lines { #expect(!line.contains(secret), "log line holds \(secret): \(line)") }
            #expect(!exposition.contains(secret), "/metrics holds \(secret)")
            for frame in generated { #expect(!frame.text.contains(secret), "reply \(frame.commandName) holds \(secret): \(frame.text)") }
        }
        #expect(exposition.contains("redline_findings_total{detector=\"card\"}"))
    }
}

extension LogLines {
    /// A logger writing every level into these lines, in `format`.
    func logger(format: LogFormat) -> Logger {
        var logger = Logger(label: "redline.milter") { label in StructuredLogHandler(label: label, format: format, sink: { self.append($0) }) }
        logger.logLevel = .trace
        return logger
    }
}
