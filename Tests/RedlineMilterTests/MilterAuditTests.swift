import Foundation
import RedlineAudit
import RedlineCore
import RedlineEngine
import Testing
@testable import RedlineMilter

@Suite("Milter audit log (--audit)", .serialized)
struct MilterAuditTests {
    static let key = Array("milter-audit-test-key-0123456789".utf8)

    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "redline-milter-audit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("every decided message gets one keyed, chained record before the MTA's answer, with no content in it")
    func recordsEveryDecision() throws {
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/audit.jsonl"
        let server = try MilterServerTests.server { configuration in
            configuration.audit = MilterAudit(trail: try! AuditTrail(path: log, key: Self.key), onError: .tempfail)
        }
        defer { server.shutdown() }
        let client = try MilterTestClient(port: try #require(server.localAddress?.port))
        _ = try client.conversation([Postfix.optneg(), Postfix.connect()])
        // A Message-ID that itself holds a card: the record names the message with the card redacted.
        let card = try client.conversation(Postfix.message(headers: [("Message-ID", "<order-4111111111111111@sink.test>"), ("Subject", "your order")],
                                                           body: "Card 4111 1111 1111 1111 as discussed.\r\n"))
        #expect(card.last?.text.hasPrefix("550 5.7.1") == true)
        try client.send([MilterFrame("A")])
        let nino = try client.conversation(Postfix.ninoMessage)
        #expect(nino.last == MilterFrame("c"))
        try client.send([MilterFrame("A")])
        _ = try client.conversation(Postfix.cleanMessage)
        try client.send([MilterFrame("Q")])

        let text = try String(contentsOfFile: log, encoding: .utf8)
        let records = text.split(separator: "\n").map(String.init)
        #expect(records.count == 3)
        #expect(records[0].contains("\"mode\":\"milter\"") && records[0].contains("\"source\":\"<order-") && records[0].contains("@sink.test>\""), "\(records[0])")
        #expect(records[0].contains("\"verdict\":\"block\"") && records[0].contains("\"detectors\":{\"card\":2}"), "\(records[0])")
        #expect(records[1].contains("\"verdict\":\"redact\""))
        #expect(records[2].contains("\"verdict\":\"allow\""))
        // Messages without a Message-ID are named by their queue ID.
        #expect(records[2].contains("\"source\":\"queue:4ABCDE1234\""))
        // Values as written and compact (not a bare `4111`: hex MACs may hold any four digits).
        for raw in ["4111 1111", "4111111111111111", "1111 1111", "AB 12 34 56 C", "AB123456C"] { #expect(!text.contains(raw), "\(raw) in the audit log") }
        let verification = try AuditVerifier.verify(path: log, key: Self.key, head: AuditHead.read(for: log))
        #expect(verification.records == 3 && verification.problem == nil)
    }

    @Test("a record that cannot be written turns the answer into the --on-error fallback (tempfail by default): no unrecorded mail")
    func unwritableLogTempfails() throws {
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A folder where the log should be: appending fails.
        let log = folder + "/audit.jsonl"
        try FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: true)
        let logs = LogLines()
        let server = try MilterServerTests.server({ configuration in
            configuration.audit = MilterAudit(trail: try! AuditTrail(path: log, key: Self.key), onError: .tempfail)
        }, logs: logs)
        defer { server.shutdown() }
        let client = try MilterTestClient(port: try #require(server.localAddress?.port))
        _ = try client.conversation([Postfix.optneg(), Postfix.connect()])
        let clean = try client.conversation(Postfix.cleanMessage)
        #expect(clean.last?.text.hasPrefix("451 4.7.1 redline: the audit log could not be written") == true)
        try client.send([MilterFrame("Q")])
        let metrics = try httpGet(port: try #require(server.metricsAddress?.port), path: "/metrics")
        #expect(metrics.contains("redline_errors_total{kind=\"audit\"} 1"))
    }

    @Test("redline milter --audit without a key, or with a log it cannot write, does not start")
    func launcherRefuses() throws {
        var options = MilterLaunchOptions()
        options.listen = "inet:127.0.0.1:0"
        options.audit = NSTemporaryDirectory() + "redline-milter-audit-nokey.jsonl"
        options.check = true
        #expect(throws: MilterLaunchError.self) { try MilterLauncher.run(options, environment: [:], directory: "/") }
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileManager.default.createFile(atPath: folder + "/key", contents: Data(Self.key))
        options.keyFile = folder + "/key"
        options.audit = folder + "/missing-folder/audit.jsonl"
        #expect(throws: MilterLaunchError.self) { try MilterLauncher.run(options, environment: [:], directory: "/") }
        options.audit = folder + "/audit.jsonl"
        try MilterLauncher.run(options, environment: [:], directory: "/")
        #expect(FileManager.default.fileExists(atPath: options.audit!))
    }
}
