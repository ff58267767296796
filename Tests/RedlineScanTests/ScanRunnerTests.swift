import Foundation
import Testing
@testable import RedlineTool

@Suite("Scan runner: results, order, exit codes")
struct ScanRunnerTests {
    static let rawValues = [ScanFixture.card, "4111111111111111", ScanFixture.nino, "AB123456C"]

    func scan(_ options: ScanOptions) -> (Int32, String) {
        let status = ScanRunner.run(options)
        return (status, options.output.map(ScanFixture.read) ?? "")
    }

    @Test("every input kind yields its findings, with channel, identity and message date")
    func findingsPerKind() throws {
        let root = try ScanFixture.archive()
        let out = root + "/../" + UUID().uuidString + ".jsonl"
        var options = ScanFixture.options([root], output: out)
        options.fields.channel = "channel"
        let (status, text) = scan(options)
        #expect(status == 1)
        let lines = text.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let findings = lines.filter { $0["type"] as? String == "finding" }
        let sources = Set(findings.map { ($0["source"] as! String).replacingOccurrences(of: root + "/", with: "") })
        #expect(sources == ["mail/one.eml", "mail/archive.mbox", "Maildir/cur/1700000001.M1P1.host:2,S",
                            "Maildir/.Sent/cur/1700000003.M3P3.host:2,RS", "chat/transcript.txt", "exports/tickets.jsonl", "exports/replies.csv"])
        // JSONL record channel from the field; mail from the envelope mapping; text from the default.
        #expect(findings.first { ($0["source"] as! String).hasSuffix("tickets.jsonl") }?["channel"] as? String == "chat")
        #expect(findings.first { ($0["source"] as! String).hasSuffix("one.eml") }?["channel"] as? String == "email-external")
        let summary = try #require(lines.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["errors"] as? Int == 0)
        for raw in Self.rawValues { #expect(!text.contains(raw)) }
    }

    @Test("--channel wins over the envelope and record fields")
    func explicitChannel() throws {
        let root = try ScanFixture.archive()
        let out = root + ".jsonl"
        var options = ScanFixture.options([root], output: out)
        options.policy.channel = "secure-portal"
        _ = scan(options)
        let channels = Set(ScanFixture.read(out).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["channel"] as? String
        })
        #expect(channels == ["secure-portal"])
    }

    @Test("one job and three jobs give byte-identical reports", arguments: [ScanFormat.jsonl, .csv, .sarif, .html, .text])
    func identicalAcrossJobs(format: ScanFormat) throws {
        let root = try ScanFixture.archive()
        // More units than jobs × window so that ordering is really exercised.
        for index in 0..<40 {
            try ScanFixture.write(ScanFixture.message(id: "bulk-\(index)", body: index % 3 == 0 ? "Card \(ScanFixture.card)" : "NI \(ScanFixture.nino)"),
                                  root, "Bulk/cur/\(1_700_000_100 + index).M\(index).host:2,S")
        }
        var outputs: [String] = []
        for jobs in [1, 3] {
            let out = root + ".\(jobs).\(format.rawValue)"
            var options = ScanFixture.options([root], format: format, output: out, jobs: jobs)
            options.policy.environment["SOURCE_DATE_EPOCH"] = "1800000000"
            #expect(ScanRunner.run(options) == 1)
            outputs.append(ScanFixture.read(out))
        }
        #expect(!outputs[0].isEmpty)
        #expect(outputs[0] == outputs[1])
    }

    @Test("a malformed record and a missing path make the scan partial (exit 2) while findings are still reported")
    func partialScan() throws {
        let root = try ScanFixture.archive()
        try ScanFixture.write("{\"id\":\"ok\",\"text\":\"Card \(ScanFixture.card)\"}\n{not json\n", root, "exports/broken.jsonl")
        let out = root + ".partial.jsonl"
        let (status, text) = scan(ScanFixture.options([root, root + "/missing-folder"], output: out))
        #expect(status == 2)
        #expect(text.contains("broken.jsonl"))   // the good record of the broken file is reported
        let summary = try #require(text.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(summary["errors"] as? Int == 2)
        #expect((summary["findings"] as? Int ?? 0) > 0)
    }

    @Test("a clean folder exits 0; --fail-on block ignores flags")
    func exitCodes() throws {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write("Thanks, your order ORD-12345 ships today.\n", root, "clean.txt")
        #expect(ScanRunner.run(ScanFixture.options([root], format: .text, output: root + "/../clean.out")) == 0)
        try ScanFixture.write("Call us on 020 7946 0958\n", root, "phone.txt")
        var options = ScanFixture.options([root], format: .text, output: root + "/../phone.out")
        #expect(ScanRunner.run(options) == 1)
        options.failOn = .block
        #expect(ScanRunner.run(options) == 0)
    }

    @Test("baselines, audit logs and fingerprints need the key")
    func keyRequired() throws {
        let root = try ScanFixture.archive()
        var options = ScanFixture.options([root], output: root + ".nokey")
        options.policy.environment = [:]
        options.writeBaseline = root + ".baseline"
        #expect(ScanRunner.run(options) == 2)
        #expect(!FileManager.default.fileExists(atPath: root + ".baseline"))
    }
}
