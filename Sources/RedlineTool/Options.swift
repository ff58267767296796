import Foundation
import RedlineCore
import RedlineEngine
import RedlineFormats
import RedlinePolicy

/// Input modes of `check` and `redact`.
public enum InputMode: String, Sendable, CaseIterable {
    case text, jsonl, csv, eml, mbox, maildir
    /// Office, OpenDocument, PDF, ZIP or gzip, read by content (DocumentInputs).
    case document

    /// The mode for a path when none is given: by extension, else text.
    public static func guess(_ path: String) -> InputMode {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".eml") { return .eml }
        if lower.hasSuffix(".mbox") || lower.hasSuffix(".mbx") { return .mbox }
        if DocumentInputs.hasDocumentExtension(lower) { return .document }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("cur"), isDirectory: &isDirectory), isDirectory.boolValue {
            return .maildir
        }
        return .text
    }
}

/// What to do with a record whose verdict is `block` in `redact`.
public enum OnBlock: String, Sendable, CaseIterable {
    /// Write it with every finding redacted.
    case redact
    /// Replace it with a one-line marker naming the rule.
    case marker
    /// Write nothing for that input and exit 3.
    case fail
}

/// Where the policy, key and channel come from; shared by every command.
public struct PolicyOptions: Sendable {
    public var policy: String?
    public var keyFile: String?
    public var channel: String?
    public var environment: [String: String]
    public var directory: String?
    /// `--sender ADDRESS`: decides the sender groups.
    public var sender: String?
    /// `--sender-group NAME`: decide as a sender of this group (tests, dry runs).
    public var senderGroup: String?
    /// `--override RULE-ID=JUSTIFICATION`, each judged on its own.
    public var overrides: [OverrideRequest] = []

    public init(policy: String? = nil, keyFile: String? = nil, channel: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                directory: String? = FileManager.default.currentDirectoryPath) {
        self.policy = policy
        self.keyFile = keyFile
        self.channel = channel
        self.environment = environment
        self.directory = directory
    }

    /// Loads the policy, opens a session and resolves `channel` (else the policy's default),
    /// printing every diagnostic on failure. `computesConfidence`: see `PipelineSession`.
    public func openSession(computesConfidence: Bool) -> (session: PipelineSession, channel: String)? {
        guard let pipeline = loadPipeline() else { return nil }
        let session = pipeline.makeSession()
        session.computesConfidence = computesConfidence
        do {
            session.sender = try senderContext(pipeline)
            return (session, try session.resolveChannel(channel))
        } catch {
            printError("redline: \(error.description)")
            return nil
        }
    }

    /// The sender of `--sender`/`--sender-group` with the `--override` requests judged; each
    /// refused request is said on standard error (the decision stands). An unknown
    /// `--sender-group` is an error (exit 2), with "did you mean".
    public func senderContext(_ pipeline: Pipeline) throws(Diagnostic) -> SenderContext {
        if let group = senderGroup, !pipeline.senders.names.contains(group) {
            let hint = Suggest.closest(group, in: pipeline.senders.names).map { "; did you mean '\($0)'?" } ?? ""
            throw Diagnostic(.error, code: "E002", "unknown sender group '\(group)'\(hint); the policy has \(pipeline.senders.names.joined(separator: ", "))")
        }
        let context = pipeline.senderContext(SenderIdentity(address: sender, group: senderGroup), overrides: overrides)
        for outcome in context.refused {
            printError("redline: override of rule '\(outcome.ruleName)' refused: \(outcome.refusal ?? "not allowed"); the rule's decision stands")
        }
        return context
    }

    /// How the policy is found: `--policy`, `REDLINE_POLICY`, `.redline.yaml` walking up, or embedded.
    public var origin: PolicySource.Origin {
        PolicySource.discover(explicit: policy, environment: environment, directory: directory).origin
    }

    /// Loads and compiles the policy, printing every diagnostic on failure.
    public func loadPipeline() -> Pipeline? {
        let source = PolicySource.resolve(explicit: policy, environment: environment, directory: directory)
        do {
            let key = try KeySource.load(keyFile: keyFile, environment: environment)
            return try source.compile(key: key)
        } catch let list as DiagnosticList {
            for diagnostic in list.diagnostics { printError(diagnostic.detailed) }
            printError("redline: policy \(source.displayName) has \(list.errors.count) error(s); nothing was checked")
        } catch {
            printError("redline: \(error)")
        }
        return nil
    }
}

/// Field names for record inputs.
public struct RecordFields: Sendable {
    public var text = "text"
    public var id = "id"
    public var channel: String?
    /// Scan every string (and number) of a record, nested ones included, and every CSV column,
    /// not only the text field (`--all-fields`).
    public var allFields = false
    /// `--conversation-field`: records with the same value in this field (JSONL member or CSV
    /// column) are one conversation, read like consecutive lines of a text: a value split over two
    /// of its records is found (see ``ConversationHold``).
    public var conversation: String?
    public init() {}

    /// What is wrong with ``conversation`` (nil: nothing, or not set).
    public var conversationProblem: String? {
        guard let conversation else { return nil }
        if conversation.isEmpty { return "--conversation-field needs a field name (the JSONL field or CSV column naming each record's conversation)" }
        if conversation == text { return "--conversation-field must name a field other than the text field '\(text)'" }
        return nil
    }

    /// What is wrong with ``conversation`` for an input of `mode` (nil: nothing): conversations
    /// are records, JSONL or CSV.
    public func conversationProblem(mode: InputMode) -> String? {
        guard conversation != nil, mode != .jsonl, mode != .csv else { return conversationProblem }
        return "--conversation-field works with jsonl and csv input, not \(mode.rawValue) (use --input jsonl or --input csv)"
    }
}

/// Exit codes shared by the commands (documented in the README and `--help`).
public enum ExitStatus {
    public static let clean: Int32 = 0
    public static let findings: Int32 = 1
    public static let error: Int32 = 2
    public static let blocked: Int32 = 3
}

/// `check` settings.
public struct CheckOptions: Sendable {
    public var paths: [String] = []
    public var policy = PolicyOptions()
    public var input: InputMode?
    public var format: ReportFormat = .text
    public var output: String?
    public var failOn: Action = .flag
    public var fields = RecordFields()
    public var color: Bool?
    public var recipients: [String] = []
    /// Append one audit record per input to this log (`--audit`).
    public var audit: String?
    /// `--line-buffered` (with `--format jsonl`): flush per record and write a verdict line for
    /// every record (see ``VerdictLines``).
    public var lineBuffered = false
    /// Text input with `lineBuffered`: the hold time of a line that could begin a value.
    public var holdMs = RedactOptions.defaultHoldMs
    public init() {}
}

/// `redact` settings.
public struct RedactOptions: Sendable {
    public var path: String = "-"
    public var policy = PolicyOptions()
    public var input: InputMode?
    public var inPlace = false
    public var output: String?
    public var onBlock: OnBlock = .redact
    public var fields = RecordFields()
    public var lineBuffered = false
    /// Line-buffered text: how long a line whose end could begin a value is held for the next
    /// line (milliseconds; 0 turns holding off). See ``TextStream``.
    public var holdMs = RedactOptions.defaultHoldMs
    public static let defaultHoldMs = 300
    /// Accepted range of `holdMs`.
    public static let holdMsRange = 0...60_000
    /// `--verdicts FILE`: per-record verdict lines (see ``VerdictLines``) beside the output.
    public var verdicts: String?
    /// Pass malformed records through unchanged instead of writing an error record.
    public var passMalformed = false
    public var recipients: [String] = []
    /// Append one audit record per input to this log (`--audit`).
    public var audit: String?
    public init() {}
}

/// Checks an option's value against its choices, with "did you mean" for a misspelling.
public enum OptionChoice {
    /// Nil when `value` is one of `choices`, else the message to show (exit 2).
    public static func problem(_ value: String, option: String, choices: [String]) -> String? {
        guard !choices.contains(value) else { return nil }
        let hint = suggestion(value, in: choices).map { "; did you mean '\($0)'?" } ?? ""
        return "\(option) must be one of \(choices.joined(separator: ", ")), got '\(value)'\(hint)"
    }

    /// The closest of `candidates` to `word` (a misspelt subcommand or value), if any is close.
    public static func suggestion(_ word: String, in candidates: [String]) -> String? {
        Suggest.closest(word, in: candidates)
    }
}
