import Foundation
import Testing
@testable import RedlineTool

/// Issue 15: a file or folder named after a card number must not put the number in a report or on
/// stderr. Paths are shown masked, one component at a time; baselines stay keyed on the path.
@Suite("Scan reports show file paths masked")
struct PathMaskingTests {
    static let cardName = "4111111111111111"
    static let folderCard = "5555555555554444"

    /// A folder and files named after card numbers: one with a card inside, one malformed JSONL.
    static func tree() throws -> String {
        let root = try ScanFixture.temporaryDirectory()
        try ScanFixture.write("Card \(ScanFixture.card) please\n", root, "cust-\(folderCard)/\(cardName).txt")
        try ScanFixture.write("{\"text\": \"unterminated\n", root, "cust-\(folderCard)/\(cardName).jsonl")
        return root
    }

    @Test("no report format names the card in a file or folder name; the masked path is shown instead", arguments: ScanFormat.allCases)
    func everyFormat(format: ScanFormat) throws {
        let root = try Self.tree()
        let out = root + "-report." + format.rawValue
        var options = ScanFixture.options([root], format: format, output: out)
        options.listFindings = true
        #expect(ScanRunner.run(options) == 2)   // the malformed record makes the scan partial
        let text = ScanFixture.read(out)
        #expect(!text.isEmpty)
        for raw in [Self.cardName, Self.folderCard] { #expect(!text.contains(raw), "\(format) leaks \(raw)") }
        if format != .html {
            // Usable: the file's kind and the last digits a mask keeps are there.
            #expect(text.contains("cust-************4444/************1111.txt"), "\(format): \(text)")
        } else {
            #expect(text.contains("************1111.txt") || text.contains("cust-************4444"), "\(format): \(text)")
        }
        if format == .json || format == .text {
            #expect(text.contains("************1111.jsonl: record 0: malformed JSON"), "\(format) error line: \(text)")
        }
    }

    @Test("a baseline written on one run matches the next run: keys stay on the path, not on how it is shown")
    func baselineStillMatches() throws {
        let root = try Self.tree()
        let baseline = root + "-baseline.json"
        var first = ScanFixture.options([root], output: root + "-first.jsonl")
        first.writeBaseline = baseline
        #expect(ScanRunner.run(first) == 2)
        #expect(ScanFixture.read(root + "-first.jsonl").contains("\"type\":\"finding\""))
        var second = ScanFixture.options([root], output: root + "-second.jsonl")
        second.baseline = baseline
        _ = ScanRunner.run(second)
        #expect(!ScanFixture.read(root + "-second.jsonl").contains("\"type\":\"finding\""))
        // A second file with the same card in another card-named file is new.
        try ScanFixture.write("Card \(ScanFixture.card) please\n", root, "cust-\(Self.folderCard)/4012888888881881.txt")
        _ = ScanRunner.run(second)
        let findings = ScanFixture.read(root + "-second.jsonl").split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") }
        #expect(findings.count == 1)
        #expect(!findings.joined().contains("4012888888881881"))
    }

    @Test("report merge of shard reports shows the same masked sources as one scan")
    func mergeKeepsMaskedSources() throws {
        let root = try Self.tree()
        var whole = ScanFixture.options([root], format: .csv, output: root + "-whole.csv")
        whole.policy.environment["SOURCE_DATE_EPOCH"] = "1800000000"
        _ = ScanRunner.run(whole)
        var shards: [String] = []
        for index in 1...2 {
            var options = ScanFixture.options([root], format: .json, output: root + "-shard\(index).json")
            options.policy.environment["SOURCE_DATE_EPOCH"] = "1800000000"
            options.shard = ScanShard(index: index, count: 2)
            _ = ScanRunner.run(options)
            shards.append(options.output!)
        }
        var merge = ReportMergeOptions()
        merge.files = shards
        merge.format = .csv
        merge.output = root + "-merged.csv"
        _ = ReportMerger.run(merge)
        let merged = ScanFixture.read(root + "-merged.csv")
        #expect(merged == ScanFixture.read(root + "-whole.csv"))
        #expect(merged.contains("cust-************4444/************1111.txt"))
        #expect(!merged.contains(Self.cardName))
    }
}
