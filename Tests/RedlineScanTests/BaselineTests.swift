import Foundation
import Testing
@testable import RedlineTool

@Suite("Scan baselines")
struct BaselineTests {
    @Test("round trip: a rescan with the baseline reports nothing; a new finding appears; read messages stay known")
    func roundTrip() throws {
        let root = try ScanFixture.archive()
        let baseline = root + ".baseline.json"
        var first = ScanFixture.options([root], output: root + ".first.jsonl")
        first.writeBaseline = baseline
        #expect(ScanRunner.run(first) == 1)
        let stored = ScanFixture.read(baseline)
        #expect(stored.contains("\"schema\": \"redline.baseline/1\""))
        // Neither the key nor any raw or unkeyed-hashed value is in the file.
        #expect(!stored.contains(ScanFixture.key))
        for raw in ScanRunnerTests.rawValues { #expect(!stored.contains(raw)) }
        #expect(!stored.contains("4111111111111111".utf8.map { String(format: "%02x", $0) }.joined()))

        // The Maildir message is read: flags change and it moves from new/ to cur/.
        try FileManager.default.moveItem(atPath: root + "/Maildir/cur/1700000001.M1P1.host:2,S", toPath: root + "/Maildir/cur/1700000001.M1P1.host:2,RS")
        var second = ScanFixture.options([root], output: root + ".second.jsonl")
        second.baseline = baseline
        #expect(ScanRunner.run(second) == 0)
        #expect(!ScanFixture.read(root + ".second.jsonl").contains("\"type\":\"finding\""))

        // A new message with a card: only it is reported.
        try ScanFixture.write(ScanFixture.message(id: "new-1", body: "Card 5555 5555 5555 4444 please."), root, "Maildir/new/1700000009.M9P9.host")
        #expect(ScanRunner.run(second) == 1)
        let findings = ScanFixture.read(root + ".second.jsonl").split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") }
        #expect(findings.count == 1)
        #expect(findings.first?.contains("1700000009") == true)
    }

    @Test("the same value in another message is a new finding (the source identity is part of the fingerprint)")
    func identityMatters() throws {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write(ScanFixture.message(id: "a", body: "Card \(ScanFixture.card)"), root, "a.eml")
        var options = ScanFixture.options([root], output: root + "/../a.jsonl")
        options.writeBaseline = root + "/../a.baseline"
        #expect(ScanRunner.run(options) == 1)
        try ScanFixture.write(ScanFixture.message(id: "b", body: "Card \(ScanFixture.card)"), root, "b.eml")
        options.writeBaseline = nil
        options.baseline = root + "/../a.baseline"
        #expect(ScanRunner.run(options) == 1)
        let findings = ScanFixture.read(root + "/../a.jsonl").split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") }
        #expect(findings.count == 1 && findings[0].contains("b.eml"))
    }

    @Test("a baseline written with another key is refused")
    func wrongKey() throws {
        let root = try ScanFixture.archive()
        var options = ScanFixture.options([root], output: root + ".k.jsonl")
        options.writeBaseline = root + ".k.baseline"
        _ = ScanRunner.run(options)
        options.writeBaseline = nil
        options.baseline = root + ".k.baseline"
        options.policy.environment["REDLINE_KEY"] = "another-key-0123456789"
        #expect(ScanRunner.run(options) == 2)
    }
}
