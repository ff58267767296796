import Foundation
import Testing

@Suite("Report formats")
struct ReportFormatTests {
    static let input = Array("Hi, my card is 4111 1111 1111 1111 and my NI number JG 10 37 55 A.\nPost to LS6 2AB.\n".utf8)

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test("json is one versioned document with tool, policy, summary and masked findings")
    func jsonDocument() throws {
        let result = try Redline.run(["check", "--format", "json"], input: Self.input)
        #expect(result.status == 1)
        let document = try Self.json(result.stdout)
        #expect(document["schema"] as? String == "redline.findings/1")
        let policy = try #require(document["policy"] as? [String: Any])
        #expect(policy["name"] as? String == "uk-default")
        #expect((policy["sha256"] as? String)?.count == 64)
        let summary = try #require(document["summary"] as? [String: Any])
        #expect(summary["verdict"] as? String == "block")
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == 3)
        for key in ["source", "record", "id", "detector", "kind", "rule", "action", "confidence", "start", "end", "line", "column", "excerpt"] {
            #expect(findings[0].keys.contains(key), "missing \(key)")
        }
        #expect(findings[0]["excerpt"] as? String == "**** **** **** 1111")
        #expect(findings[2]["line"] as? Int == 2)
        #expect(!result.out.contains("4111 1111") && !result.out.contains("JG 10") && !result.out.contains("LS6"))
    }

    @Test("jsonl streams one finding per line, then a summary line")
    func jsonlStream() throws {
        let result = try Redline.run(["check", "--format", "jsonl"], input: Self.input)
        let lines = result.out.split(separator: "\n")
        #expect(lines.count == 4)
        let last = try Self.json(Array(lines[3].utf8))
        #expect(last["type"] as? String == "summary")
        #expect(last["findings"] as? Int == 3)
        for line in lines.dropLast() {
            #expect(try Self.json(Array(line.utf8))["type"] as? String == "finding")
        }
    }

    @Test("sarif has what GitHub code scanning requires and no raw values")
    func sarifRequiredFields() throws {
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write(String(decoding: Self.input, as: UTF8.self), to: dir, name: "reply.txt")
        let result = try Redline.run(["check", "--format", "sarif", path])
        let sarif = try Self.json(result.stdout)
        #expect(sarif["version"] as? String == "2.1.0")
        #expect(sarif["$schema"] != nil)
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "redline")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        // One rule per detector of the embedded uk-default policy.
        #expect(rules.count == 15)
        for rule in rules {
            for key in ["id", "shortDescription", "fullDescription", "help"] { #expect(rule[key] != nil, "rule misses \(key)") }
        }
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 3)
        for item in results {
            #expect((item["message"] as? [String: Any])?["text"] != nil)
            let location = try #require((item["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
            #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == path)
            let region = try #require(location["region"] as? [String: Any])
            #expect(region["startLine"] as? Int != nil && region["startColumn"] as? Int != nil)
            #expect((item["partialFingerprints"] as? [String: String])?.isEmpty == false)
            #expect(rules.contains { $0["id"] as? String == item["ruleId"] as? String })
        }
        #expect(!result.out.contains("4111 1111") && !result.out.contains("JG 10"))
    }

    @Test("with a key, fingerprints are keyed HMACs, stable across runs and different per key")
    func keyedFingerprints() throws {
        let first = try Redline.run(["check", "--format", "jsonl"], input: Self.input, environment: ["REDLINE_KEY": "first-test-key-0123"])
        let again = try Redline.run(["check", "--format", "jsonl"], input: Self.input, environment: ["REDLINE_KEY": "first-test-key-0123"])
        let other = try Redline.run(["check", "--format", "jsonl"], input: Self.input, environment: ["REDLINE_KEY": "second-test-key-0123"])
        let print1 = try Self.json(Array(first.out.split(separator: "\n")[0].utf8))["fingerprint"] as? String
        let print2 = try Self.json(Array(again.out.split(separator: "\n")[0].utf8))["fingerprint"] as? String
        let print3 = try Self.json(Array(other.out.split(separator: "\n")[0].utf8))["fingerprint"] as? String
        #expect(print1 != nil && print1 == print2)
        #expect(print1 != print3)
    }

    @Test("text output is coloured only when asked, and NO_COLOR is honoured by auto")
    func colour() throws {
        let always = try Redline.run(["check", "--color", "always"], input: Self.input)
        #expect(always.out.contains("\u{1B}["))
        let auto = try Redline.run(["check"], input: Self.input, environment: ["NO_COLOR": "1"])
        #expect(!auto.out.contains("\u{1B}["))
    }
}
