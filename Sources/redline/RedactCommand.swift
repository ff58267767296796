import ArgumentParser
import RedlineTool

struct RedactCommand: ParsableCommand, HasExamples {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Write the input with the policy's redactions: a streaming filter, one record out per record in.",
        discussion: """
        Blocked records are reported on stderr (rule and record number, never content). \
        Exit codes: 0 output written; 2 policy or input error; 3 --on-block fail and something was blocked.
        """
    )
    static let examples = [
        ("tail -f chat.log | redline redact --channel chat --line-buffered", "a live transcript, one line out per line in"),
        ("redline redact --channel-field channel --on-block marker tickets.jsonl > safe.jsonl", "records; blocked ones become a marker"),
        ("redline redact --input eml --recipient customer@example.com < draft.eml > safe.eml", "a mail, channel from the recipient"),
    ]

    @OptionGroup var shared: SharedOptions

    @Flag(name: .long, help: "Rewrite the file in place (atomically: temporary file, then rename).")
    var inPlace = false

    @Option(name: .long, help: "Write to FILE (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, help: "For a blocked record: redact (write it redacted), marker (a one-line marker), fail (write nothing, exit 3).")
    var onBlock: String = "redact"

    @Flag(name: .long, help: "Flush after every record (for co-processes); the default when stdout is a terminal.")
    var lineBuffered = false

    @Option(name: .long, help: ArgumentHelp("Line-buffered text: hold a line whose end could begin a value (a digit group, a NINO or IBAN start) this many milliseconds for the next line, so a value split over two lines is caught; 0 writes every line at once.", valueName: "ms"))
    var holdMs: Int = RedactOptions.defaultHoldMs

    @Option(name: .long, help: ArgumentHelp("Write one verdict line per record to FILE beside the output (JSON Lines, the same lines as check --format jsonl --line-buffered; no content). Text, jsonl and csv input.", valueName: "file"))
    var verdicts: String?

    @Flag(name: .long, help: "Pass malformed JSONL records through unchanged instead of writing an error record.")
    var passMalformed = false

    @Argument(help: "File to redact, or '-' for standard input.")
    var path: String = "-"

    func validate() throws {
        try shared.validate()
        try Choice.check(onBlock, "--on-block", OnBlock.allCases.map(\.rawValue))
        if inPlace && output != nil { throw ValidationError("--in-place and --output cannot be used together") }
        if lineBuffered && shared.audit != nil {
            throw ValidationError("--audit cannot be used with --line-buffered: the output is released only after the input's audit record is written, at the end")
        }
        guard RedactOptions.holdMsRange.contains(holdMs) else {
            throw ValidationError("--hold-ms must be between \(RedactOptions.holdMsRange.lowerBound) and \(RedactOptions.holdMsRange.upperBound) (milliseconds), not \(holdMs)")
        }
        if let verdicts {
            guard !verdicts.isEmpty, verdicts != "-" else {
                throw ValidationError("--verdicts needs a file path (standard output carries the redacted records)")
            }
            if verdicts == output || (inPlace && verdicts == path) {
                throw ValidationError("--verdicts must name a different file from the output")
            }
        }
    }

    func run() throws {
        let onBlock = OnBlock(rawValue: onBlock)!
        var options = RedactOptions()
        options.path = path
        options.policy = shared.policyOptions()
        options.input = try shared.inputMode()
        options.inPlace = inPlace
        options.output = output
        options.onBlock = onBlock
        options.fields = shared.fields()
        options.lineBuffered = lineBuffered
        options.holdMs = holdMs
        options.verdicts = verdicts
        options.passMalformed = passMalformed
        options.recipients = shared.recipient
        options.audit = shared.audit
        throw ExitCode(RedactRunner.run(options))
    }
}
