import ArgumentParser
import Foundation
import RedlineCore
import RedlineTool

/// `redline report`: work on scan reports. Behaviour lives in ``ReportMerger`` (RedlineTool).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Combine scan reports (the JSON reports of scan --shard K/N on N machines) into one.",
        subcommands: [Merge.self]
    )

    struct Merge: ParsableCommand, HasExamples {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge JSON scan reports into one report: totals, tables, charts and findings as one scan of the whole tree.",
            discussion: """
            Shard reports (scan --shard K/N --format json) must be one complete set: every K of the same N once. \
            Reports without a shard (scans of other trees) are appended in argument order. \
            Exit codes, as a scan of the whole tree: 0 nothing reaches --fail-on; 1 something does; 2 a report cannot be read \
            or is not a scan report, the shards are not one complete set, the policies differ (without --allow-mixed-policies), \
            or some input of the merged scan could not be scanned (the report is still written).
            """
        )

        static let examples = [
            ("redline report merge --format html --output archive.html shard-1.json shard-2.json shard-3.json",
             "one archive report from three machines' shards"),
            ("redline report merge --format csv --csv-bom --output findings.csv shard-*.json", "every shard's findings in one spreadsheet"),
        ]

        @Option(name: .long, help: "Report format: text (summary), json, jsonl, sarif, csv, html.")
        var format: String = "text"

        @Option(name: .long, help: "Write the report to FILE (atomically) instead of standard output.")
        var output: String?

        @Flag(name: .long, help: "Merge reports written with different policies (sha256); the merged report names the first one's.")
        var allowMixedPolicies = false

        @Option(name: .long, help: "Lowest action that makes merge exit 1: flag, redact, block.")
        var failOn: String = "flag"

        @Flag(name: .long, help: "Text format: list every finding before the summary.")
        var list = false

        @Flag(name: .long, help: "CSV: start with a UTF-8 byte-order mark (for Excel).")
        var csvBom = false

        @Argument(help: "JSON reports written by redline scan --format json.")
        var reports: [String]

        func validate() throws {
            try Choice.check(format, "--format", ScanFormat.allCases.map(\.rawValue))
            try Choice.check(failOn, "--fail-on", ["flag", "redact", "block"])
        }

        func run() throws {
            var options = ReportMergeOptions()
            options.files = reports
            options.format = ScanFormat(rawValue: format)!
            options.output = output
            options.allowMixedPolicies = allowMixedPolicies
            options.failOn = Action(name: failOn)!
            options.listFindings = list
            options.csvBOM = csvBom
            throw ExitCode(ReportMerger.run(options))
        }
    }
}
