import ArgumentParser
import Foundation
import RedlineCore
import RedlineTool

/// `redline scan`: bulk scans of archives. Behaviour lives in ``ScanRunner`` (RedlineTool).
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan folders and files (.eml, mbox, Maildir, .txt, .jsonl, .csv) in parallel and report what left, where and by which channel.",
        discussion: """
        Folders are walked (hidden entries and symbolic links skipped); Maildir folders are recognised by cur/ and new/. \
        Per-message channel: --channel, else the mail envelope (To/Cc/Bcc through the policy's domain mapping), \
        else --channel-field for JSONL/CSV. Output order follows the walk, the same for any --jobs. \
        CSV header: scanned_at,source,record_id,channel,rule_id,severity,action,line,column,excerpt_masked,fingerprint,policy_version. \
        Exit codes: 0 nothing reaches --fail-on; 1 something does; 2 usage or policy error, or some input could not be \
        read or parsed (a partial scan, even when findings exist).
        """
    )

    @OptionGroup var shared: SharedOptions

    @Option(name: .long, help: "Report format: text (summary), json, jsonl, sarif, csv, html.")
    var format: String = "text"

    @Option(name: .long, help: "Write the report to FILE (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Lowest action that makes scan exit 1: flag, redact, block.")
    var failOn: String = "flag"

    @Option(name: [.short, .long], help: "Worker threads (default: every core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Only scan files matching this glob (relative path or file name; repeatable).")
    var include: [String] = []

    @Option(name: .long, help: "Skip files and folders matching this glob (repeatable).")
    var exclude: [String] = []

    @Option(name: .long, help: "Report only findings not in this baseline (needs the HMAC key).")
    var baseline: String?

    @Option(name: .long, help: "Write the keyed fingerprints of every finding to FILE (needs the HMAC key).")
    var writeBaseline: String?

    @Flag(name: .long, help: "Text format: list every finding (check's format) before the summary.")
    var list = false

    @Flag(name: .long, help: "CSV: start with a UTF-8 byte-order mark (for Excel).")
    var csvBom = false

    @Flag(name: [.short, .long], help: "No progress bar.")
    var quiet = false

    @Argument(help: "Files and folders to scan.")
    var paths: [String]

    func run() throws {
        guard let format = ScanFormat(rawValue: format) else {
            throw ValidationError("--format must be one of \(ScanFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let failOn = Action(name: failOn), failOn != .allow else {
            throw ValidationError("--fail-on must be one of flag, redact, block")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
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
        options.jobs = jobs
        options.quiet = quiet
        options.listFindings = list
        options.baseline = baseline
        options.writeBaseline = writeBaseline
        options.audit = shared.audit
        options.csvBOM = csvBom
        throw ExitCode(ScanRunner.run(options))
    }
}
