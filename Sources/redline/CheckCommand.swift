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

    @Flag(name: .long, help: "With --format jsonl: decide each record as it arrives, flush per record, and write a verdict line for every record, clean ones included ({\"type\":\"record\",…,\"verdict\":\"allow\"}).")
    var lineBuffered = false

    @Option(name: .long, help: ArgumentHelp("With --line-buffered text input: hold a line whose end could begin a value this many milliseconds for the next line; 0 decides every line at once.", valueName: "ms"))
    var holdMs: Int = RedactOptions.defaultHoldMs

    @Argument(help: "Files to check; standard input when none or '-'.")
    var paths: [String] = []

    func validate() throws {
        try shared.validate()
        try Choice.check(format, "--format", ReportFormat.allCases.map(\.rawValue))
        try Choice.check(failOn, "--fail-on", ["flag", "redact", "block"])
        try Choice.check(color, "--color", ["auto", "always", "never"])
        if lineBuffered && format != ReportFormat.jsonl.rawValue {
            throw ValidationError("--line-buffered needs --format jsonl (one verdict line per record)")
        }
        guard RedactOptions.holdMsRange.contains(holdMs) else {
            throw ValidationError("--hold-ms must be between \(RedactOptions.holdMsRange.lowerBound) and \(RedactOptions.holdMsRange.upperBound) (milliseconds), not \(holdMs)")
        }
    }

    func run() throws {
        let format = ReportFormat(rawValue: format)!
        let failOn = Action(name: failOn)!
        var options = CheckOptions()
        options.lineBuffered = lineBuffered
        options.holdMs = holdMs
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
