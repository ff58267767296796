import ArgumentParser
import Foundation
import RedlineEngine
import RedlineTool

/// The root command. Behaviour lives in RedlineTool; these types only parse arguments.
///
/// Every command names itself (`commandName:`): argument-parser otherwise derives the name from
/// `String(describing:)` of the type, and the runtime's protocol checks behind that scan the whole
/// binary's conformance tables, about 1.5M instructions per command, on every run (the command
/// tree is walked before anything is parsed; 10 unnamed subcommands cost 15M of a 130M start-up).
struct Redline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redline",
        abstract: "Stop customer data leaving in outbound mail and chat: check, redact or block it by policy.",
        discussion: """
        Policy: --policy FILE, else REDLINE_POLICY, else .redline.yaml found walking up from the current \
        directory, else the embedded uk-default policy.

        Exit codes: check exits 0 when nothing reaches --fail-on, 1 when something does, 2 on a usage, \
        policy or input error (a check that could not read some input never exits 0). redact exits 0 when \
        it wrote its output, 2 on errors, 3 with --on-block fail when something was blocked. policy test \
        exits 1 when an example fails. sendmail: 77 when the policy blocks the message.
        """,
        version: Checker.version,
        subcommands: [CheckCommand.self, RedactCommand.self, PolicyCommand.self, DetectorsCommand.self, SendmailCommand.self, MilterCommand.self, ScanCommand.self, ReportCommand.self, AuditCommand.self, EDMCommand.self, KeyCommand.self, ServeCommand.self]
    )
}

/// Options shared by check and redact.
struct SharedOptions: ParsableArguments {
    @Option(name: .long, help: "Policy file (else REDLINE_POLICY, .redline.yaml, or the embedded default).")
    var policy: String?

    @Option(name: .long, help: "File holding the HMAC key for fingerprints and hash redaction (else REDLINE_KEY).")
    var keyFile: String?

    @Option(name: .long, help: "Channel the text leaves by (default: the policy's default_channel).")
    var channel: String?

    @Option(name: .long, help: "Input mode: text, jsonl, csv, eml, mbox, maildir (default: by extension, else text).")
    var input: String?

    @Option(name: .long, help: "JSONL field / CSV column holding the text (default: text; scan reads every field unless given).")
    var textField: String?

    @Option(name: .long, help: "CSV column holding the text (same as --text-field).")
    var textColumn: String?

    @Flag(name: .long, help: "Scan every string value of a JSONL record (nested objects and arrays included) and every CSV column, not only the text field.")
    var allFields = false

    @Option(name: .long, help: "JSONL field / CSV column holding the record id.")
    var idField: String = "id"

    @Option(name: .long, help: "JSONL field / CSV column naming a per-record channel.")
    var channelField: String?

    @Option(name: .long, help: ArgumentHelp("JSONL field / CSV column naming the conversation a record belongs to: the records of one conversation are read like consecutive lines, so a value split over two of them is found (a record that could begin a value is held up to --hold-ms for the next one).", valueName: "field"))
    var conversationField: String?

    @Option(name: .long, parsing: .upToNextOption, help: "E-mail recipients (decide the channel from the policy's domain mapping).")
    var recipient: [String] = []

    @Option(name: .long, help: "Append keyed, hash-chained audit records (no content) to FILE; needs the HMAC key. Check with 'redline audit verify FILE'.")
    var audit: String?

    @Option(name: .long, help: "Sender address: decides the sender groups (policy 'senders:'); else the 'default' group.")
    var sender: String?

    @Option(name: .long, help: "Decide as a sender of this group (for tests and dry runs; wins over --sender).")
    var senderGroup: String?

    @Option(name: .long, help: ArgumentHelp("Ask to override a rule, with the reason (recorded with --audit); repeatable.", valueName: "RULE-ID=JUSTIFICATION"))
    var override: [String] = []

    func policyOptions() -> PolicyOptions {
        var options = PolicyOptions(policy: policy, keyFile: keyFile, channel: channel)
        options.sender = sender
        options.senderGroup = senderGroup
        options.overrides = override.compactMap(OverrideRequest.init(option:))
        return options
    }

    func fields() -> RecordFields {
        var fields = RecordFields()
        fields.text = textColumn ?? textField ?? "text"
        fields.allFields = allFields
        fields.id = idField
        fields.channel = channelField
        fields.conversation = conversationField
        return fields
    }

    func validate() throws {
        if let input { try Choice.check(input, "--input", InputMode.allCases.map(\.rawValue)) }
        // The text is not echoed: it may hold the very value the sender is asking to send.
        for text in override where OverrideRequest(option: text) == nil {
            throw ValidationError("--override must be RULE-ID=JUSTIFICATION (a rule id, '=', then the reason)")
        }
        if let problem = fields().conversationProblem { throw ValidationError(problem) }
    }

    func inputMode() throws -> InputMode? {
        guard let input else { return nil }
        guard let mode = InputMode(rawValue: input) else {
            throw ValidationError(OptionChoice.problem(input, option: "--input", choices: InputMode.allCases.map(\.rawValue)) ?? "bad --input")
        }
        return mode
    }
}

/// Option values checked in `validate()`, so that argument-parser's usage line names the command.
enum Choice {
    static func check(_ value: String, _ option: String, _ choices: [String]) throws {
        if let problem = OptionChoice.problem(value, option: option, choices: choices) { throw ValidationError(problem) }
    }
}
