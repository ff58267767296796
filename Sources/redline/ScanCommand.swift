import ArgumentParser
import Foundation
import RedlineCore
import RedlineTool

/// `redline scan`: bulk scans of archives. Behaviour lives in ``ScanRunner`` (RedlineTool).
struct ScanCommand: ParsableCommand, HasExamples {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan folders and files (.eml, mbox, Maildir, .txt, .jsonl, .csv) in parallel and report what left, where and by which channel.",
        discussion: """
        Folders are walked (hidden entries and symbolic links skipped); Maildir folders are recognised by cur/ and new/. \
        Per-message channel: --channel, else the mail envelope (To/Cc/Bcc through the policy's domain mapping), \
        else --channel-field for JSONL/CSV. Output order follows the walk, the same for any --jobs. \
        CSV header: scanned_at,source,record_id,channel,rule_id,severity,action,line,column,excerpt_masked,fingerprint,policy_version,detector,message_id,date. \
        Exit codes: 0 nothing reaches --fail-on; 1 something does; 2 usage or policy error, or some input could not be \
        read or parsed (a partial scan, even when findings exist).
        """
    )

    static let examples = [
        ("redline scan --format html --output report.html /srv/mail/archive", "an archive report for a compliance review"),
        ("redline scan --channel-map 'chat/**=chat' --channel-map 'exports/**=email-external' --format csv --output findings.csv data/",
         "folders scanned as the channels their data left by"),
        ("redline scan --key-file key --baseline baseline.json archive/", "only findings new since the baseline"),
    ]

    @OptionGroup var shared: SharedOptions

    @Option(name: .long, help: "Report format: text (summary), json, jsonl, sarif, csv, html.")
    var format: String = "text"

    @Option(name: .long, help: "Write the report to FILE (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Lowest action that makes scan exit 1: flag, redact, block.")
    var failOn: String = "flag"

    @Option(name: [.short, .long], help: ArgumentHelp("Worker threads (default: every core).", valueName: "n"))
    var jobs: Int?

    @Option(name: .long, help: "Only scan files matching this glob (relative path or file name; repeatable).")
    var include: [String] = []

    @Option(name: .long, help: "Skip files and folders matching this glob (repeatable).")
    var exclude: [String] = []

    @Option(name: .long, help: "Report only findings not in this baseline (needs the HMAC key).")
    var baseline: String?

    @Option(name: .long, help: "Write the keyed fingerprints of every finding to FILE (needs the HMAC key).")
    var writeBaseline: String?

    @Option(name: .long, help: ArgumentHelp("Scan files whose path under a scanned folder matches GLOB as if --channel named CHANNEL "
        + "(repeatable; first match wins; before the policy's paths: section).", valueName: "GLOB=CHANNEL"))
    var channelMap: [String] = []

    @Flag(name: .long, help: "Text format: list every finding (check's format) before the summary.")
    var list = false

    @Flag(name: .long, help: "CSV: start with a UTF-8 byte-order mark (for Excel).")
    var csvBom = false

    @Flag(name: [.short, .long], help: "No progress bar.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp("Scan only shard K of N: the files whose stable hash of the path under the scanned folder "
        + "falls in bucket K (1 ≤ K ≤ N). Merge the N JSON reports with 'redline report merge'.", valueName: "K/N"))
    var shard: String?

    @Argument(help: "Files and folders to scan.")
    var paths: [String]

    func validate() throws {
        try shared.validate()
        // Files at rest have no sender: a sender or override given here would be silently ignored.
        if shared.sender != nil || shared.senderGroup != nil || !shared.override.isEmpty {
            throw ValidationError("--sender, --sender-group and --override apply to check and redact, not to scan")
        }
        try Choice.check(format, "--format", ScanFormat.allCases.map(\.rawValue))
        try Choice.check(failOn, "--fail-on", ["flag", "redact", "block"])
        for mapping in channelMap {
            if case let .failure(problem) = ChannelMapping.parse(mapping) { throw ValidationError(problem.description) }
        }
        if let shard, case let .failure(problem) = ScanShard.parse(shard) { throw ValidationError(problem.description) }
        guard (jobs ?? 1) >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs ?? 0)") }
    }

    func run() throws {
        let format = ScanFormat(rawValue: format)!
        let failOn = Action(name: failOn)!
        var options = ScanOptions()
        options.paths = paths
        options.policy = shared.policyOptions()
        options.input = try shared.inputMode()
        options.fields = shared.fields()
        // A bulk scan reads every field unless one text field is named.
        if shared.textField == nil && shared.textColumn == nil { options.fields.allFields = true }
        options.include = include
        options.exclude = exclude
        options.format = format
        options.output = output
        options.failOn = failOn
        options.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        options.quiet = quiet
        options.listFindings = list
        options.baseline = baseline
        options.writeBaseline = writeBaseline
        options.audit = shared.audit
        options.csvBOM = csvBom
        options.channelMap = channelMap.compactMap { try? ChannelMapping.parse($0).get() }
        options.shard = shard.flatMap { try? ScanShard.parse($0).get() }
        throw ExitCode(ScanRunner.run(options))
    }
}
