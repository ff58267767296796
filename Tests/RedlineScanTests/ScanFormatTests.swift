import Foundation
import Testing
@testable import RedlineTool

@Suite("Scan report formats")
struct ScanFormatTests {
    func report(_ format: ScanFormat, root: String, configure: (inout ScanOptions) -> Void = { _ in }) throws -> String {
        let out = root + "." + UUID().uuidString + "." + format.rawValue
        var options = ScanFixture.options([root], format: format, output: out)
        options.policy.environment["SOURCE_DATE_EPOCH"] = "1800000000"
        configure(&options)
        #expect(ScanRunner.run(options) == 1)
        return ScanFixture.read(out)
    }

    @Test("no format carries a raw card or NI number", arguments: ScanFormat.allCases)
    func noRawPII(format: ScanFormat) throws {
        let root = try ScanFixture.archive()
        let text = try report(format, root: root) { $0.listFindings = true }
        #expect(!text.isEmpty)
        for raw in ScanRunnerTests.rawValues { #expect(!text.contains(raw), "\(format) leaks \(raw)") }
    }

    @Test("CSV has the documented header, RFC 4180 quoting and CRLF line ends")
    func csvHeader() throws {
        let root = try ScanFixture.archive()
        let text = try report(.csv, root: root)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0] == "scanned_at,source,record_id,channel,rule_id,severity,action,line,column,excerpt_masked,fingerprint,policy_version,"
                + "detector,message_id,date,part,message,tip")
        #expect(lines.dropFirst().filter { !$0.isEmpty }.allSatisfy { $0.hasPrefix("2027-01-15T08:00:00Z,") })
        #expect(text.contains(",**** **** **** 1111,"))
    }

    @Test("CSV's message column holds the deciding rule's message to senders, empty for a rule without one")
    func csvMessageColumn() throws {
        let root = try ScanFixture.archive()
        let text = try report(.csv, root: root)
        let rows = text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
        let cardRows = rows.filter { $0.contains(",card-never-leaves,") }
        #expect(!cardRows.isEmpty)
        for row in cardRows {
            #expect(row.hasSuffix(",Card numbers must never be sent. Take payments through the payment page only.,"), "row \(row)")
        }
        // A rule the default policy gives no message (internal identifiers are only flagged) ends in an empty cell.
        for row in rows where row.contains(",identifiers-internal,") { #expect(row.hasSuffix(",,")) }
        // Every row has the header's 18 cells (no cell of the fixture holds a comma inside quotes).
        for row in rows where !row.contains("\"") { #expect(row.split(separator: ",", omittingEmptySubsequences: false).count == 18, "row \(row)") }
    }

    @Test("a CSV rule message that starts like a formula is neutralised and one with commas is quoted")
    func csvMessageQuoting() throws {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write("Card \(ScanFixture.card) please\n", root, "note.txt")
        let policy = try ScanFixture.write("""
            version: 1
            name: messages
            detectors:
              card: { kind: payment_card }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chat
            rules:
              - id: card-rule
                detectors: [card]
                channels: "*"
                action: block
                message: "=Cards, never; use the payment page"
                tip: "@Use the payment page, or call billing"
            """, root + "-policy", "policy.yaml")
        let text = try report(.csv, root: root) { $0.policy.policy = policy }
        let row = try #require(text.components(separatedBy: "\r\n").dropFirst().first { $0.contains(",card-rule,") })
        #expect(row.hasSuffix(",\"'=Cards, never; use the payment page\",\"'@Use the payment page, or call billing\""))
    }

    @Test("every scan report format that shows a rule's message shows its tip too; report merge keeps it", arguments: [ScanFormat.json, .jsonl, .sarif, .csv, .html])
    func tipsInEveryFormat(format: ScanFormat) throws {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write("Card \(ScanFixture.card) please\n", root, "note.txt")
        let policy = try ScanFixture.write("""
            version: 1
            name: tips
            detectors:
              card: { kind: payment_card }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chat
            rules:
              - id: card-rule
                detectors: [card]
                channels: "*"
                action: block
                message: "Cards never leave by chat"
                tip: "Take payments through the payment page <b>only</b>"
            """, root + "-policy", "policy.yaml")
        let text = try report(format, root: root) { $0.policy.policy = policy }
        let shown = format == .html ? "Take payments through the payment page &lt;b&gt;only&lt;/b&gt;" : "Take payments through the payment page <b>only</b>"
        #expect(text.contains(shown), "\(format): \(text)")
        if format == .json {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let tips = (object["policy"] as? [String: Any])?["rule_tips"] as? [String: String]
            #expect(tips == ["card-rule": "Take payments through the payment page <b>only</b>"])
            let finding = try #require((object["findings"] as? [[String: Any]])?.first)
            #expect(finding["tip"] as? String == "Take payments through the payment page <b>only</b>")
            // report merge rebuilds the CSV from this JSON with the tip in its column.
            let jsonFile = root + "-report.json"
            try Data(text.utf8).write(to: URL(fileURLWithPath: jsonFile))
            let merged = root + "-merged.csv"
            var merge = ReportMergeOptions()
            merge.files = [jsonFile]
            merge.format = .csv
            merge.output = merged
            #expect(ReportMerger.run(merge) == 1)
            #expect(ScanFixture.read(merged).contains(",Cards never leave by chat,Take payments through the payment page <b>only</b>\r\n"))
        }
    }

    @Test("CSV neutralises formula injection in customer-controlled cells")
    func csvFormulaInjection() throws {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write("{\"id\":\"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\",\"text\":\"Card \(ScanFixture.card)\"}\n"
            + "{\"id\":\"+1-555\",\"text\":\"Card \(ScanFixture.card)\"}\n{\"id\":\"@SUM(A1)\",\"text\":\"Card \(ScanFixture.card)\"}\n"
            + "{\"id\":\"-2+3\",\"text\":\"Card \(ScanFixture.card)\"}\n{\"id\":\"\\tcmd\",\"text\":\"Card \(ScanFixture.card)\"}\n", root, "=cmd|calc.jsonl")
        let text = try report(.csv, root: root)
        let rows = text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
        #expect(rows.count == 5)
        #expect(rows[0].contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\","))
        #expect(rows[1].contains(",'+1-555,"))
        #expect(rows[2].contains(",'@SUM(A1),"))
        #expect(rows[3].contains(",'-2+3,"))
        #expect(rows[4].contains(",'\tcmd,"))
        // No cell of any row starts with a formula character.
        for row in rows {
            for cell in row.split(separator: ",", omittingEmptySubsequences: false) {
                #expect(!["=", "+", "-", "@"].contains(cell.first.map(String.init) ?? ""), "cell \(cell)")
            }
        }
    }

    @Test("SARIF has what GitHub code scanning requires")
    func sarifFields() throws {
        let root = try ScanFixture.archive()
        let text = try report(.sarif, root: root)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["$schema"] as? String != nil)
        #expect(document["version"] as? String == "2.1.0")
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "redline")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(!rules.isEmpty)
        for rule in rules {
            #expect(rule["id"] is String)
            for field in ["shortDescription", "fullDescription", "help"] { #expect((rule[field] as? [String: Any])?["text"] is String) }
        }
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count >= 6)
        for result in results {
            #expect((result["message"] as? [String: Any])?["text"] is String)
            let location = try #require(((result["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any])
            #expect((location["artifactLocation"] as? [String: Any])?["uri"] is String)
            #expect((location["region"] as? [String: Any])?["startLine"] is Int)
            #expect(result["partialFingerprints"] is [String: Any])
            #expect(result["ruleId"] is String)
        }
    }

    @Test("JSON is one document with the findings schema and the summary")
    func json() throws {
        let root = try ScanFixture.archive()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(try report(.json, root: root).utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "redline.findings/1")
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect((document["summary"] as? [String: Any])?["findings"] as? Int == findings.count)
    }

    @Test("the text summary has totals by detector, channel and action and the top sources")
    func textSummary() throws {
        let root = try ScanFixture.archive()
        let text = try report(.text, root: root)
        for heading in ["by detector:", "by channel:", "by action:", "top sources:", "verdict block"] { #expect(text.contains(heading)) }
        #expect(text.contains("skipped: 1 files"))
    }
}
