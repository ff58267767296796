import ArgumentParser
import RedlineCore
import RedlineFormats
import RedlineTool

struct CheckCommand: ParsableCommand, HasExamples {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every detection with the action its rule decided.",
        discussion: "Exit codes: 0 nothing reaches --fail-on; 1 something does; 2 usage, policy or input error."
    )
    static let examples = [
        ("redline check draft.txt", "one finding per line: file:line:col: rule [action] detector: masked excerpt"),
        ("redline check --format jsonl --channel-field channel tickets.jsonl", "records, each on its own channel, for a SIEM"),
        ("git diff | redline check --channel chat --fail-on block -", "standard input; exit 1 only for a block"),
    ]

    @OptionGroup var shared: SharedOptions

    @Option(name: .long, help: "Report format: text, json, jsonl, sarif.")
    var format: String = "text"

    @Option(name: .long, help: "Write the report to FILE (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Lowest action that makes check exit 1: flag, redact, block.")
    var failOn: String = "flag"

    @Option(name: .long, help: "Colour: auto, always, never.")
    var color: String = "auto"

    @Argument(help: "Files to check; standard input when none or '-'.")
    var paths: [String] = []

    func validate() throws {
        try shared.validate()
        try Choice.check(format, "--format", ReportFormat.allCases.map(\.rawValue))
        try Choice.check(failOn, "--fail-on", ["flag", "redact", "block"])
        try Choice.check(color, "--color", ["auto", "always", "never"])
    }

    func run() throws {
        let format = ReportFormat(rawValue: format)!
        let failOn = Action(name: failOn)!
        var options = CheckOptions()
        options.paths = paths
        options.policy = shared.policyOptions()
        options.input = try shared.inputMode()
        options.format = format
        options.output = output
        options.failOn = failOn
        options.fields = shared.fields()
        options.recipients = shared.recipient
        options.audit = shared.audit
        switch color {
        case "always": options.color = true
        case "never": options.color = false
        default: options.color = nil
        }
        throw ExitCode(Checker.run(options))
    }
}
