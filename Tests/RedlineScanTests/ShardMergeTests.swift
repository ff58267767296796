import Foundation
import Testing
@testable import RedlineTool

/// `scan --shard K/N` and `report merge` (issue 20.5): N shards merge into the report one scan
/// of the whole tree writes.
@Suite("Sharded scans and report merge")
struct ShardMergeTests {
    /// The fixture archive plus a malformed JSONL record (an input error), a file of an unknown
    /// kind (skipped) and, as a second root, a folder that does not exist (a walk error every shard reports).
    static func tree() throws -> (root: String, missing: String) {
        let root = try ScanFixture.archive()
        try ScanFixture.write("{\"id\":\"b1\",\"text\":\"Card \(ScanFixture.card)\"}\n{not json\n", root, "exports/broken.jsonl")
        try ScanFixture.write("card data?", root, "exports/notes.dat")
        for index in 0..<12 {
            try ScanFixture.write("Ticket \(index): NI \(ScanFixture.nino) confirmed.\n", root, "tickets/2026/t\(index).txt")
        }
        return (root, root + "-missing")
    }

    /// Runs a scan to a file; returns its exit status and text.
    static func scan(_ paths: [String], format: ScanFormat, shard: ScanShard? = nil, epoch: Int = 1_800_000_000, jobs: Int = 1) -> (Int32, String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("redline-shard-\(UUID().uuidString).\(format.rawValue)").path
        var options = ScanFixture.options(paths, format: format, output: out, jobs: jobs)
        options.policy.environment["SOURCE_DATE_EPOCH"] = String(epoch)
        options.shard = shard
        let status = ScanRunner.run(options)
        return (status, ScanFixture.read(out))
    }

    /// Writes the JSON reports of shards 1…N (each scanned a minute after the previous one).
    static func shardReports(_ paths: [String], count: Int) throws -> [String] {
        let directory = try ScanFixture.temporaryDirectory()
        return try (1...count).map { index in
            let (_, text) = scan(paths, format: .json, shard: ScanShard(index: index, count: count), epoch: 1_800_000_000 + 60 * (index - 1))
            return try ScanFixture.write(text, directory, "shard-\(index).json")
        }
    }

    static func merge(_ files: [String], format: ScanFormat, allowMixed: Bool = false) -> (Int32, String) {
        var options = ReportMergeOptions()
        options.files = files
        options.format = format
        options.allowMixedPolicies = allowMixed
        options.output = FileManager.default.temporaryDirectory.appendingPathComponent("redline-merged-\(UUID().uuidString)").path
        let status = ReportMerger.run(options)
        return (status, ScanFixture.read(options.output!))
    }

    @Test("every file lands in exactly one shard, whatever N")
    func everyFileInOneShard() throws {
        let (root, missing) = try Self.tree()
        let whole = ScanPlan(roots: [root, missing])
        let paths = whole.units.map(\.path)
        #expect(paths.count >= 20)
        for count in [1, 2, 3, 7] {
            var seen: [String] = []
            var skipped = 0
            for index in 1...count {
                let plan = ScanPlan(roots: [root, missing], shard: ScanShard(index: index, count: count))
                #expect(plan.walked == paths.count)
                #expect(plan.errors == whole.errors, "every shard reports the walk errors")
                // A shard keeps each unit's position in the whole walk.
                for unit in plan.units { #expect(paths[unit.ordinal] == unit.path) }
                seen += plan.units.map(\.path)
                skipped += plan.skipped
            }
            #expect(seen.sorted() == paths.sorted(), "N=\(count): files scanned twice or not at all")
            #expect(Set(seen).count == seen.count)
            #expect(skipped == whole.skipped)
        }
    }

    @Test("the shard of a path is SHA-256 of the path under the root, not a per-process hash")
    func stableHash() throws {
        // Known answers from the documented formula, computed outside Swift:
        // int.from_bytes(hashlib.sha256(p.encode()).digest()[:8], "big") % N + 1.
        #expect(ScanShard.hash("mail/one.eml") == 4_986_806_065_384_648_050)
        #expect(ScanShard.bucket(of: "chat/transcript.txt", count: 7) == 4)
        // A Maildir message is sharded without cur/ and its flags: reading it does not move it.
        let (root, _) = try Self.tree()
        let unit = try #require(ScanPlan(roots: [root]).units.first { $0.path.hasSuffix(":2,S") })
        #expect(ScanPlan.shardPath(unit, root: root) == "Maildir/1700000001.M1P1.host")
        #expect(ScanShard.bucket(of: "Maildir/1700000001.M1P1.host", count: 7) == 6)
        // The same relative path under another root (another machine's mount) is in the same shard.
        let moved = ScanUnit(path: "/mnt/elsewhere/mail/one.eml", mode: .eml, size: 0, folder: "/mnt/elsewhere/mail", inMaildir: false)
        #expect(ScanPlan.shardPath(moved, root: "/mnt/elsewhere/") == "mail/one.eml")
    }

    /// Fields that legitimately differ between a merged report and one scan: `scan.merged_from`
    /// (which reports it was made from). `scanned_at` does not: the shards ran a minute apart and
    /// the merge takes the earliest, the time the single scan below started.
    @Test("the merged report of 3 shards equals the one-machine report in every format", arguments: ScanFormat.allCases)
    func mergedEqualsSingle(format: ScanFormat) throws {
        let (root, missing) = try Self.tree()
        let roots = [root, missing]
        let files = try Self.shardReports(roots, count: 3)
        let (singleStatus, single) = Self.scan(roots, format: format, jobs: 2)
        let (mergedStatus, merged) = Self.merge(files, format: format)
        #expect(singleStatus == 2, "the fixture has an unreadable root and a malformed record: a partial scan")
        #expect(mergedStatus == singleStatus)
        #expect(!single.isEmpty)
        if format == .json {
            var mergedObject = try #require(try JSONSerialization.jsonObject(with: Data(merged.utf8)) as? [String: Any])
            let singleObject = try #require(try JSONSerialization.jsonObject(with: Data(single.utf8)) as? [String: Any])
            var scan = try #require(mergedObject["scan"] as? [String: Any])
            let sources = try #require(scan["merged_from"] as? [[String: Any]])
            #expect(sources.map { $0["shard"] as? String } == ["1/3", "2/3", "3/3"])
            scan["merged_from"] = [] as [Any]
            mergedObject["scan"] = scan
            let canonical = { (object: Any) in try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }
            #expect(try canonical(mergedObject) == canonical(singleObject))
            let summary = try #require(singleObject["summary"] as? [String: Any])
            #expect(summary["findings"] as? Int ?? 0 > 10)
            #expect(summary["errors"] as? Int == 2)
        } else {
            #expect(merged == single)
            if format == .csv {
                // The rule messages travel through the JSON shard reports into the merged CSV's message column.
                #expect(merged.hasPrefix("scanned_at,") && merged.components(separatedBy: "\r\n")[0].hasSuffix(",part,message,tip"))
                #expect(merged.contains(",card-never-leaves,") && merged.contains(",Card numbers must never be sent. Take payments through the payment page only.,\r\n"))
            }
        }
    }

    @Test("a merged report can be merged and rendered again, and one report re-renders as itself")
    func mergeIsRepeatable() throws {
        let (root, _) = try Self.tree()
        let files = try Self.shardReports([root], count: 2)
        let (_, mergedJSON) = Self.merge(files, format: .json)
        let again = try ScanFixture.write(mergedJSON, try ScanFixture.temporaryDirectory(), "merged.json")
        let (status, html) = Self.merge([again], format: .html)
        let (singleStatus, single) = Self.scan([root], format: .html)
        #expect(status == singleStatus)
        #expect(html == single)
    }

    @Test("reports without a shard are appended: counts add up")
    func wholeScansAppend() throws {
        let (first, _) = try Self.tree()
        let second = try ScanFixture.archive()
        let directory = try ScanFixture.temporaryDirectory()
        let a = try ScanFixture.write(Self.scan([first], format: .json).1, directory, "a.json")
        let b = try ScanFixture.write(Self.scan([second], format: .json).1, directory, "b.json")
        let (_, text) = Self.merge([a, b], format: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let one = try #require(try JSONSerialization.jsonObject(with: Data(Self.scan([first], format: .json).1.utf8)) as? [String: Any])
        let other = try #require(try JSONSerialization.jsonObject(with: Data(Self.scan([second], format: .json).1.utf8)) as? [String: Any])
        let counts = [one, other].map { (($0["summary"] as? [String: Any])?["findings"] as? Int) ?? -1 }
        #expect(summary["findings"] as? Int == counts[0] + counts[1])
        #expect(findings.count == counts[0] + counts[1])
        #expect((findings.first?["source"] as? String)?.hasPrefix(first) == true)
        #expect((findings.last?["source"] as? String)?.hasPrefix(second) == true)
        #expect((object["scan"] as? [String: Any])?["roots"] as? [String] == [first, second])
    }

    @Test("shard specs 0/3, 4/3, a/b and others are refused with a clear message")
    func badShardSpecs() {
        func problem(_ text: String) -> String? {
            if case .failure(let message) = ScanShard.parse(text) { return message.description }
            return nil
        }
        #expect(problem("0/3")?.contains("K counts from 1") == true)
        #expect(problem("4/3")?.contains("between 1 and N (3)") == true)
        #expect(problem("a/b")?.contains("K/N") == true)
        for text in ["1/0", "3", "1/3/5", "-1/3", "+1/3", " 1/3", "1/", "", "1/2000000"] { #expect(problem(text) != nil, "'\(text)' accepted") }
        #expect((try? ScanShard.parse("3/3").get())?.description == "3/3")
    }

    @Test("shard sets with a shard missing, twice, of another N, or mixed with a whole scan are refused")
    func incompleteShardSets() throws {
        let (root, _) = try Self.tree()
        let files = try Self.shardReports([root], count: 3)
        let other = try Self.shardReports([root], count: 2)
        let whole = try ScanFixture.write(Self.scan([root], format: .json).1, try ScanFixture.temporaryDirectory(), "whole.json")
        func problem(_ files: [String]) -> String {
            do {
                _ = try ReportMerger.merge(files: files, allowMixedPolicies: false)
                return ""
            } catch {
                return error.description
            }
        }
        #expect(problem([files[0], files[2]]).contains("shard 2/3 missing"))
        #expect(problem([files[0], files[0], files[1], files[2]]).contains("both shard 1/3"))
        #expect(problem([files[0], files[1], files[2], other[0]]).contains("the same N"))
        #expect(problem(files + [whole]).contains("\(whole) is not a shard"))
        #expect(Self.merge([files[0], files[1]], format: .text).0 == 2)
    }

    @Test("reports of different policies are refused unless --allow-mixed-policies")
    func mixedPolicies() throws {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write("Card \(ScanFixture.card)\n", root, "a.txt")
        let directory = try ScanFixture.temporaryDirectory()
        let first = try ScanFixture.write(Self.scan([root], format: .json).1, directory, "default.json")
        let source = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Policies/uk-default.yaml").path, encoding: .utf8)
        let policy = try ScanFixture.write(source + "\n# edited\n", directory, "edited.yaml")
        var options = ScanFixture.options([root], format: .json, output: directory + "/edited.json")
        options.policy.policy = policy
        _ = ScanRunner.run(options)
        let second = directory + "/edited.json"
        do {
            _ = try ReportMerger.merge(files: [first, second], allowMixedPolicies: false)
            Issue.record("different policies were merged")
        } catch {
            #expect(error.description.contains("different policies"))
            #expect(error.description.contains("--allow-mixed-policies"))
        }
        #expect(Self.merge([first, second], format: .json).0 == 2)
        let (status, text) = Self.merge([first, second], format: .json, allowMixed: true)
        #expect(status == 1)
        #expect(text.contains("\"findings\":2,"))
    }

    @Test("a truncated, invalid or non-scan report is an error naming the file")
    func damagedReports() throws {
        let (root, _) = try Self.tree()
        let files = try Self.shardReports([root], count: 2)
        let text = ScanFixture.read(files[0])
        let directory = try ScanFixture.temporaryDirectory()
        let truncated = try ScanFixture.write(String(text.prefix(text.count / 2)), directory, "truncated.json")
        let empty = try ScanFixture.write("", directory, "empty.json")
        var wrongType = text
        let line = try #require(wrongType.range(of: #""line":\d+"#, options: .regularExpression))
        wrongType.replaceSubrange(line, with: "\"line\":\"x\"")
        let edited = try ScanFixture.write(wrongType, directory, "edited.json")
        let miscounted = text.replacingOccurrences(of: #""findings":\d+,"errors""#, with: "\"findings\":999,\"errors\"", options: .regularExpression)
        #expect(miscounted != text)
        let dropped = try ScanFixture.write(miscounted, directory, "dropped.json")
        let check = try ScanFixture.write("{\"schema\":\"redline.findings/1\",\"summary\":{},\"findings\":[]}", directory, "check.json")
        func problem(_ file: String) -> String {
            do {
                _ = try ReportMerger.merge(files: [file, files[1]], allowMixedPolicies: false)
                return ""
            } catch {
                return error.description
            }
        }
        #expect(problem(truncated).hasPrefix("\(truncated): not valid JSON (a truncated"))
        #expect(problem(empty).hasPrefix("\(empty): not valid JSON"))
        #expect(problem(edited).hasPrefix("\(edited): findings[0].line"))
        #expect(problem(dropped).hasPrefix("\(dropped): the summary counts 999 findings"))
        #expect(problem(check).contains("not a scan report"))
        #expect(problem(directory + "/absent.json").contains("no such file"))
        #expect(Self.merge([truncated, files[1]], format: .html).0 == 2)
    }

    @Test("every truncation of a report is refused, and a report with huge counts is refused rather than overflowing")
    func truncationsAndHugeCounts() throws {
        let (root, _) = try Self.tree()
        let bytes = Array(Self.scan([root], format: .json).1.utf8)
        #expect(bytes.count > 1000)
        for length in stride(from: 0, to: bytes.count - 1, by: 53) {
            if case .success = ReportMerger.render(reportData: Data(bytes[..<length]), name: "cut.json", format: .html) {
                Issue.record("a report cut at byte \(length) of \(bytes.count) was accepted")
            }
        }
        guard case .success(let whole) = ReportMerger.render(reportData: Data(bytes), name: "whole.json", copies: 2, format: .sarif) else {
            Issue.record("the whole report was refused")
            return
        }
        #expect(whole.totals.findings > 0)
        let huge = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: #""bytes":\d+"#, with: "\"bytes\":\(Int.max)", options: .regularExpression)
        guard case .failure(let problem) = ReportMerger.render(reportData: Data(huge.utf8), name: "huge.json", copies: 2, format: .text) else {
            Issue.record("a report with Int.max bytes was accepted")
            return
        }
        #expect(problem.description.contains("huge.json: summary.bytes"))
    }
}
