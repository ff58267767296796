import Foundation
import Testing
@testable import RedlineTool

/// Folders mapped to channels (`--channel-map`, the policy's `paths:`), and what the CSV report
/// says about each finding (issue 17.7).
@Suite("Scan: folders mapped to channels, CSV detector and mail columns")
struct ScanChannelMapTests {
    /// A chat folder, an exports folder and an unmapped one, each with one card number.
    static func tree() throws -> String {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write("agent: card \(ScanFixture.card)\n", root, "chat/2026/day1.txt")
        try ScanFixture.write("{\"id\":\"T-7\",\"text\":\"NI \(ScanFixture.nino)\"}\n", root, "exports/tickets.jsonl")
        try ScanFixture.write("NI \(ScanFixture.nino)\n", root, "notes/misc.txt")
        return root
    }

    static func channels(_ options: ScanOptions) throws -> [String: String] {
        #expect(ScanRunner.run(options) == 1)
        var bySource: [String: String] = [:]
        for line in ScanFixture.read(options.output!).split(separator: "\n") where line.contains("\"type\":\"finding\"") || line.contains("\"source\"") {
            guard let data = String(line).data(using: .utf8),
                  let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let source = (object["location"] as? [String: Any])?["path"] as? String ?? object["source"] as? String,
                  let channel = object["channel"] as? String else { continue }
            bySource[(source as NSString).lastPathComponent] = channel
        }
        return bySource
    }

    @Test("--channel-map scans each folder on its channel; the first match wins; unmapped files keep the default")
    func commandLineMap() throws {
        let root = try Self.tree()
        var options = ScanFixture.options([root], output: root + ".jsonl")
        options.channelMap = [ChannelMapping(pattern: "chat/**", channel: "chat"), ChannelMapping(pattern: "exports/**", channel: "email-internal"),
                              ChannelMapping(pattern: "*", channel: "secure-portal")]
        let channels = try Self.channels(options)
        #expect(channels["day1.txt"] == "chat")
        #expect(channels["tickets.jsonl"] == "email-internal")
        #expect(channels["misc.txt"] == "secure-portal")
        options.channelMap = [ChannelMapping(pattern: "chat/**", channel: "chat")]
        #expect(try Self.channels(options)["misc.txt"] == "email-external")   // the policy's default channel
        // --channel names the channel of everything.
        options.policy.channel = "email-internal"
        #expect(try Self.channels(options)["day1.txt"] == "email-internal")
    }

    @Test("the policy's paths: section maps folders too, after the command line's mappings")
    func policyPaths() throws {
        let root = try Self.tree()
        let source = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Policies/uk-default.yaml").path, encoding: .utf8)
        let policy = source.replacingOccurrences(of: "\nrules:", with: "\npaths:\n  \"chat/**\": chat\n  \"exports/**\": email-internal\nrules:")
        let policyPath = try ScanFixture.write(policy, root + "-policy", "policy.yaml")
        var options = ScanFixture.options([root], output: root + ".jsonl")
        options.policy.policy = policyPath
        var channels = try Self.channels(options)
        #expect(channels["day1.txt"] == "chat")
        #expect(channels["tickets.jsonl"] == "email-internal")
        options.channelMap = [ChannelMapping(pattern: "exports/*", channel: "secure-portal")]
        channels = try Self.channels(options)
        #expect(channels["tickets.jsonl"] == "secure-portal")
        #expect(channels["day1.txt"] == "chat")
    }

    @Test("a paths: entry naming an unknown channel is a policy error with its position")
    func policyPathsUnknownChannel() throws {
        let root = try ScanFixture.temporaryDirectory()
        let policy = """
            name: p
            detectors: { card: { kind: payment_card } }
            channels: { chat: { encrypted: false, external: true } }
            default_channel: chat
            paths:
              "chat/**": chta
            rules: [{ id: r, detectors: [card], channels: "*", action: block }]
            """
        let path = try ScanFixture.write(policy, root, "p.yaml")
        var options = ScanFixture.options([root], output: root + "/out.jsonl")
        options.policy.policy = path
        #expect(ScanRunner.run(options) == 2)
    }

    @Test("mapping values are checked: GLOB=CHANNEL, and a channel the policy has")
    func parsing() throws {
        #expect(try ChannelMapping.parse("chat/**=chat").get() == ChannelMapping(pattern: "chat/**", channel: "chat"))
        #expect(try ChannelMapping.parse("a=b=c").get() == ChannelMapping(pattern: "a=b", channel: "c"))
        for bad in ["chat/**", "=chat", "chat/**=", ""] {
            if case .success = ChannelMapping.parse(bad) { Issue.record("accepted \(bad)") }
        }
    }

    @Test("CSV: a detector column, and for mail the Message-ID (anything found in it redacted) and the day of its Date")
    func csvColumns() throws {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write(ScanFixture.message(id: "ok-1", body: "Card \(ScanFixture.card)"), root, "a.eml")
        try ScanFixture.write(ScanFixture.message(id: "card \(ScanFixture.card) ref", date: "Wed, 2 Dec 2026 10:00:00 +0000", body: "NI \(ScanFixture.nino)"), root, "b.eml")
        try ScanFixture.write("card \(ScanFixture.card)\n", root, "c.txt")
        try ScanFixture.write("{\"id\":\"AB123456C\",\"text\":\"card \(ScanFixture.card)\"}\n{\"id\":\"T-7\",\"text\":\"card \(ScanFixture.card)\"}\n", root, "d.jsonl")
        let out = root + ".csv"
        let options = ScanFixture.options([root], format: .csv, output: out)
        #expect(ScanRunner.run(options) == 1)
        let rows = ScanFixture.read(out).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let header = rows[0].split(separator: ",").map(String.init)
        let detector = try #require(header.firstIndex(of: "detector")), messageID = try #require(header.firstIndex(of: "message_id"))
        let date = try #require(header.firstIndex(of: "date"))
        let cells = rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        // b.eml: the card in its Message-ID is a finding of its own (every header is scanned), then the NINO.
        #expect(cells.count == 6)
        #expect(cells.map { $0[detector] } == ["card", "card", "nino", "card", "card", "card"])
        // Record ids as the data has them, except what a detector finds in them.
        let recordID = try #require(header.firstIndex(of: "record_id"))
        #expect(cells[5][recordID] == "T-7")
        #expect(!cells[4][recordID].contains("AB123456C") && !cells[4][recordID].isEmpty, "\(cells[4][recordID])")
        #expect(cells[0][messageID] == "<ok-1@support.example>")
        #expect(cells[0][date] == "2026-11-03")
        #expect(!cells[1][messageID].contains(ScanFixture.card))
        #expect(cells[1][messageID].hasPrefix("<card ") && cells[1][messageID].contains("1111"), "\(cells[1][messageID])")
        #expect(cells[1][date] == "2026-12-02")
        #expect(cells[2][messageID] == cells[1][messageID])
        #expect(cells[3][messageID].isEmpty && cells[3][date].isEmpty)
    }
}
