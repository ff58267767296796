import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import RedlineCore
import RedlineService
import RedlineEngine
import Testing
@testable import RedlineMilter

@Suite("MilterServer on loopback, driven by the in-test client", .serialized)
struct MilterServerTests {
    static func server(_ configure: (inout MilterServerConfiguration) -> Void = { _ in }, policy: String = Fixtures.harnessPolicy,
                       logs: LogLines = LogLines()) throws -> MilterServer {
        var configuration = MilterServerConfiguration(listen: .inet(host: "127.0.0.1", port: 0))
        configuration.metricsListen = .inet(host: "127.0.0.1", port: 0)
        configuration.scanThreads = 2
        configuration.shutdownGrace = .seconds(10)
        configure(&configuration)
        let store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try PolicySource.file(policy).compile() }
        let server = MilterServer(configuration: configuration, store: store, logger: logs.logger)
        do {
            try server.start()
        } catch {
            server.shutdown()
            throw error
        }
        return server
    }

    @Test("negotiates, rejects a card, redacts an NI number, accepts clean mail; /metrics counts them")
    func endToEnd() throws {
        let server = try Self.server()
        defer { server.shutdown() }
        let client = try MilterTestClient(port: try #require(server.localAddress?.port))
        let opening = try client.conversation([Postfix.optneg(), Postfix.macros("C", [("j", "mx")]), Postfix.connect(), Postfix.strings("H", ["localhost"])])
        #expect(opening.map(\.commandName) == ["O", "c", "c"])

        let card = try client.conversation(Postfix.cardMessage)
        #expect(card.last?.text.hasPrefix("550 5.7.1 redline: payment card number") == true)
        try client.send([MilterFrame("A"), MilterFrame("A")])

        let nino = try client.conversation(Postfix.ninoMessage)
        #expect(nino.suffix(5).map(\.commandName) == ["m", "h", "h", "b", "c"])
        let body = nino.filter { $0.commandName == "b" }.flatMap(\.data)
        #expect(String(decoding: body, as: UTF8.self).contains("[NINO REDACTED]"))
        try client.send([MilterFrame("A")])

        let clean = try client.conversation(Postfix.cleanMessage)
        #expect(clean.suffix(1) == [MilterFrame("c")])
        try client.send([MilterFrame("Q")])
        #expect(client.isClosedByPeer())

        let metrics = try httpGet(port: try #require(server.metricsAddress?.port), path: "/metrics")
        #expect(metrics.hasPrefix("HTTP/1.1 200 OK"))
        #expect(metrics.contains("redline_messages_total{verdict=\"block\"} 1"))
        #expect(metrics.contains("redline_messages_total{verdict=\"redact\"} 1"))
        #expect(metrics.contains("redline_messages_total{verdict=\"allow\"} 1"))
        #expect(metrics.contains("redline_findings_total{detector=\"card\"} 1"))
        #expect(metrics.contains("redline_scan_duration_seconds_count 3"))
        #expect(metrics.contains("redline_policy_info{name=\"milter-harness\""))
        #expect(try httpGet(port: try #require(server.metricsAddress?.port), path: "/other").hasPrefix("HTTP/1.1 404"))
    }

    @Test("a large message (several 65,535-byte chunks) gets its whole redacted body back in ≤65,535-byte packets")
    func largeRedaction() throws {
        let server = try Self.server()
        defer { server.shutdown() }
        let client = try MilterTestClient(port: try #require(server.localAddress?.port))
        _ = try client.conversation([Postfix.optneg(), Postfix.connect()])
        let filler = String(repeating: "Lorem ipsum dolor sit amet, consectetur.\r\n", count: 4_000)
        let body = "NI AB 12 34 56 C\r\n" + filler + "again AB 12 34 56 C\r\n"
        let replies = try client.conversation(Postfix.message(headers: [("Subject", "big")], body: body))
        let chunks = replies.filter { $0.commandName == "b" }
        #expect(chunks.count == 3)
        #expect(chunks.allSatisfy { $0.data.count <= 65_535 })
        let text = String(decoding: chunks.flatMap(\.data), as: UTF8.self)
        #expect(text == body.replacingOccurrences(of: "AB 12 34 56 C", with: "[NINO REDACTED]"))
    }

    @Test("concurrent connections each get their own answers")
    func concurrent() async throws {
        let server = try Self.server()
        defer { server.shutdown() }
        let port = try #require(server.localAddress?.port)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let client = try MilterTestClient(port: port)
                    _ = try client.conversation([Postfix.optneg(), Postfix.connect()])
                    let replies = try client.conversation(index.isMultiple(of: 2) ? Postfix.cardMessage : Postfix.cleanMessage)
                    try client.send([MilterFrame("Q")])
                    return index.isMultiple(of: 2) ? replies.last?.commandName == "y" : replies.last == MilterFrame("c")
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    @Test("over the session limit: tempfail at CONNECT")
    func sessionLimit() throws {
        let server = try Self.server { $0.maximumSessions = 1 }
        defer { server.shutdown() }
        let port = try #require(server.localAddress?.port)
        let first = try MilterTestClient(port: port)
        _ = try first.conversation([Postfix.optneg(), Postfix.connect()])
        let second = try MilterTestClient(port: port)
        let replies = try second.conversation([Postfix.optneg(), Postfix.connect()])
        #expect(replies.last?.text.hasPrefix("451 4.7.1 redline: too many concurrent sessions") == true)
    }

    @Test("SIGHUP reload: a broken policy keeps the old one (every diagnostic logged); a good one is swapped in")
    func reload() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redline-milter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.yaml").path
        try String(contentsOfFile: Fixtures.harnessPolicy, encoding: .utf8).write(toFile: path, atomically: true, encoding: .utf8)
        let logs = LogLines()
        let server = try Self.server(policy: path, logs: logs)
        defer { server.shutdown() }
        let port = try #require(server.localAddress?.port)

        try "version: 1\ndetectors:\n  card: { kind: no_such_kind }\nrules:\n  - { id: r, detectors: [crad], channels: \"*\", action: block }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!server.reload())
        let errors = logs.lines.filter { $0.contains("level=error") && $0.contains("policy reload:") }
        #expect(errors.count >= 2)
        #expect(logs.lines.contains { $0.contains("previous policy stays in force") })
        let client = try MilterTestClient(port: port)
        _ = try client.conversation([Postfix.optneg(), Postfix.connect()])
        #expect(try client.conversation(Postfix.cardMessage).last?.commandName == "y")
        try client.send([MilterFrame("A")])

        try String(contentsOfFile: Fixtures.harnessPolicy, encoding: .utf8).replacingOccurrences(of: "action: block", with: "action: flag")
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(server.reload())
        #expect(try client.conversation(Postfix.cardMessage).suffix(1) == [MilterFrame("c")])
        #expect(server.metrics.value("reloads", "failure") == 1)
        #expect(server.metrics.value("reloads", "success") == 1)
    }

    @Test("unix socket: stale socket removed, mode applied, foreign file refused, socket removed at shutdown")
    func unixSocket() throws {
        let directory = URL(fileURLWithPath: "/tmp/rlm-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.sock").path

        // A stale socket: bound, never listened on, left behind.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (index, byte) in (Array(path.utf8) + [0]).enumerated() { raw[index] = byte } }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0, "bind errno \(errno)")
        close(stale)
        #expect(Self.exists(path))

        let server = try Self.server { $0.listen = .unix(path: path); $0.socketMode = 0o600; $0.metricsListen = nil }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let client = try MilterTestClient(unixPath: path)
        #expect(try client.conversation([Postfix.optneg(), Postfix.connect()]).map(\.commandName) == ["O", "c"])
        // A second server must not steal a live socket.
        #expect(throws: (any Error).self) { try Self.server { $0.listen = .unix(path: path); $0.metricsListen = nil } }
        #expect(try MilterTestClient(unixPath: path).conversation([Postfix.optneg()]).count == 1)
        server.shutdown()
        #expect(!Self.exists(path))

        try "not a socket".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try Self.server { $0.listen = .unix(path: path); $0.metricsListen = nil } }
        #expect(FileManager.default.fileExists(atPath: path))
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    @Test("graceful shutdown: a message being scanned still gets its answer")
    func gracefulShutdown() throws {
        let server = try Self.server()
        let client = try MilterTestClient(port: try #require(server.localAddress?.port))
        _ = try client.conversation([Postfix.optneg(), Postfix.connect()])
        // Everything up to end-of-message, then the shutdown starts, then end-of-message.
        _ = try client.conversation(Array(Postfix.cardMessage.dropLast(2)))
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { server.shutdown(); done.signal() }
        try client.send(Array(Postfix.cardMessage.suffix(2)))
        let reply = try client.receive()
        #expect(reply.commandName == "y")
        #expect(client.isClosedByPeer())
        #expect(done.wait(timeout: .now() + 30) == .success)
    }

    @Test("listen addresses: Postfix, Sendmail and unix forms")
    func addresses() throws {
        #expect(try MilterAddress.parse("inet:127.0.0.1:8890") == .inet(host: "127.0.0.1", port: 8890))
        #expect(try MilterAddress.parse("inet:8890@127.0.0.1") == .inet(host: "127.0.0.1", port: 8890))
        #expect(try MilterAddress.parse("inet6:8890@[::1]") == .inet(host: "::1", port: 8890))
        #expect(try MilterAddress.parse("inet6:[::1]:8890") == .inet(host: "::1", port: 8890))
        #expect(try MilterAddress.parse("unix:/run/redline/milter.sock") == .unix(path: "/run/redline/milter.sock"))
        #expect(try MilterAddress.parse("local:/tmp/x") == .unix(path: "/tmp/x"))
        #expect(try MilterAddress.parse("127.0.0.1:9890") == .inet(host: "127.0.0.1", port: 9890))
        #expect(throws: MilterAddressError.self) { try MilterAddress.parse("inet:127.0.0.1:99999") }
        #expect(throws: MilterAddressError.self) { try MilterAddress.parse("inet:nohost") }
        #expect(throws: MilterAddressError.self) { try MilterAddress.parse("unix:") }
    }

    @Test("launcher options: sizes, fallbacks, modes")
    func launcherOptions() throws {
        #expect(try MilterLauncher.size("50M") == 50 << 20)
        #expect(try MilterLauncher.size("512k") == 512 << 10)
        #expect(throws: MilterLaunchError.self) { try MilterLauncher.size("lots") }
        var options = MilterLaunchOptions()
        options.listen = "inet:8890@127.0.0.1"
        options.onLimit = "reject"
        options.socketMode = "0640"
        let configuration = try MilterLauncher.configuration(options)
        #expect(configuration.listen == .inet(host: "127.0.0.1", port: 8890))
        #expect(configuration.session.onLimit == .reject)
        #expect(configuration.socketMode == 0o640)
        options.onError = "maybe"
        #expect(throws: MilterLaunchError.self) { try MilterLauncher.configuration(options) }
    }
}
