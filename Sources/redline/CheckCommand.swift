import ArgumentParser
import RedlineCore
import RedlineFormats
import RedlineTool

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every detection with the action its rule decided.",
        discussion: "Exit codes: 0 nothing reaches --fail-on; 1 something does; 2 usage, policy or input error."
    )

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

    func run() throws {
        guard let format = ReportFormat(rawValue: format) else {
            throw ValidationError("--format must be one of text, json, jsonl, sarif")
        }
        guard let failOn = Action(name: failOn), failOn != .allow else {
            throw ValidationError("--fail-on must be one of flag, redact, block")
        }
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
        case "auto": options.color = nil
        default: throw ValidationError("--color must be auto, always or never")
        }
        throw ExitCode(Checker.run(options))
    }
}
