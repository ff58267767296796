import Foundation
import RedlineCore
import RedlineEngine
import RedlineFormats

/// `redline check`: scans files or standard input and reports every finding with its decision.
/// Exit: 0 when nothing reaches `failOn`, 1 when something does, 2 on a usage, policy or input
/// error (a check that could not read some input never exits 0).
public enum Checker {
    public static let version = "0.1.0"

    public static func run(_ options: CheckOptions) -> Int32 {
        for path in options.paths.isEmpty ? ["-"] : options.paths {
            if let problem = options.fields.conversationProblem(mode: options.input ?? InputMode.guess(path)) {
                printError("redline: \(problem)")
                return ExitStatus.error
            }
        }
        // The text report does not show confidence: skip keyword lookups that cannot change a decision.
        guard let (session, defaultChannel) = options.policy.openSession(computesConfidence: options.format != .text) else {
            return ExitStatus.error
        }
        // Only the JSON, JSONL and SARIF reports and the audit log show keyed fingerprints.
        session.computesFingerprints = options.format != .text || options.audit != nil
        let pipeline = session.pipeline
        let out: OutputStream
        var file: Destination?
        if let path = options.output {
            do {
                file = try Destination(path: path, readableByUmask: true)   // a report: masked data only
                out = file!.stream
            } catch {
                printError("redline: \(error)")
                return ExitStatus.error
            }
        } else {
            out = OutputStream(fd: 1, name: "standard output")
        }
        out.lineBuffered = options.lineBuffered
        let color = options.color ?? (options.output == nil && out.isTerminal && ProcessInfo.processInfo.environment["NO_COLOR", default: ""].isEmpty
                                      && ProcessInfo.processInfo.environment["TERM"] != "dumb")
        var writeError: Error?
        var context = reportContext(pipeline, sender: session.sender)
        context.policyOrigin = options.policy.origin.description
        let sink = options.format.makeSink(context: context, color: color) { bytes in
            guard writeError == nil else { return }
            do { try out.write(bytes) } catch { writeError = error }
        }
        let audit: AuditRecorder?
        do {
            audit = try AuditRecorder.open(options.audit, mode: "check", policy: options.policy, pipeline: pipeline, session: session)
        } catch {
            printError("redline: \(error)")
            return ExitStatus.error
        }
        let paths = options.paths.isEmpty ? ["-"] : options.paths
        let scanner = InputScanner(session: session, defaultChannel: defaultChannel, fields: options.fields, recipients: options.recipients,
                                   explicitChannel: options.policy.channel)
        // Line-buffered text and conversations of records (--conversation-field) hold what could begin a value.
        scanner.holdMs = options.holdMs
        scanner.messageSender = { audit?.add(messageSender: $0) }
        if options.lineBuffered {
            // Verdict lines go through the report's writer (after the record's findings), then out.
            scanner.verdictWriter = { bytes in
                if let writeError { throw writeError }
                try out.write(bytes)
                try out.endRecord()
            }
        }
        for path in paths {
            scanner.summary.sources += 1
            do {
                try scanner.check(path: path, mode: options.input ?? InputMode.guess(path)) { entry in
                    sink.add(entry)
                    audit?.add(entry.finding, channel: entry.channel)
                }
            } catch {
                scanner.summary.errors += 1
                let shown = session.maskedPath(path)
                printError("redline: \(shown): \(shownError(error, path: path, shown: shown))")
            }
            audit?.record(source: session.maskedPath(path), defaultChannel: defaultChannel)
            if writeError != nil { break }
        }
        scanner.diagnostics.finish()
        let summary = scanner.summary
        sink.finish(summary)
        do {
            if let writeError { throw writeError }
            try out.flush()
            try file?.commit()
        } catch IOFailure.brokenPipe {
            return ExitStatus.clean
        } catch {
            file?.abandon()
            printError("redline: \(error)")
            return ExitStatus.error
        }
        if let failure = audit?.failure {
            printError("redline: \(failure)")
            return ExitStatus.error
        }
        if summary.errors > 0 { return ExitStatus.error }
        return summary.verdict >= options.failOn ? ExitStatus.findings : ExitStatus.clean
    }

    static func reportContext(_ pipeline: Pipeline, sender: SenderContext = .anonymous) -> ReportContext {
        var messages: [String: String] = [:]
        for rule in pipeline.rules.rules { if let message = rule.message { messages[rule.id] = message } }
        var context = ReportContext(
            toolVersion: version, policyName: pipeline.policy.name, policySHA256: pipeline.policySHA256,
            policySource: pipeline.policy.file,
            detectors: pipeline.detectors.map { ($0.id, $0.kind.id, $0.kind.summary) }, ruleMessages: messages)
        context.ruleTips = ruleTips(pipeline, sender: sender, via: .commandLine)
        return context
    }

    /// Rule id → its tip and how the sender may ask to override it (only rules with either).
    public static func ruleTips(_ pipeline: Pipeline, sender: SenderContext, via: OverrideVia) -> [String: String] {
        var tips: [String: String] = [:]
        for rule in pipeline.rules.rules {
            var parts: [String] = []
            if let tip = rule.tip, !tip.isEmpty { parts.append("Tip: \(tip)") }
            if let how = pipeline.rules.howToOverride(rule.id, groups: sender.groups, via: via) { parts.append(how.prefix(1).uppercased() + how.dropFirst()) }
            if !parts.isEmpty { tips[rule.id] = parts.joined(separator: ". ") }
        }
        return tips
    }
}

/// Reads one input in its mode and hands each finding to a callback.
final class InputScanner {
    let session: PipelineSession
    let defaultChannel: String
    let fields: RecordFields
    let recipients: [String]
    /// The channel named on the command line (mail takes its channel from recipients otherwise).
    let explicitChannel: String?
    /// Totals over everything checked so far.
    var summary = ReportSummary()
    let diagnostics = StderrLimiter()
    /// Set for `--line-buffered`: receives one verdict line per record (``VerdictLines``).
    var verdictWriter: (([UInt8]) throws -> Void)?
    var holdMs = 0
    /// Receives each e-mail message's sender as judged for it (its own override headers included).
    var messageSender: ((SenderContext) -> Void)?

    init(session: PipelineSession, defaultChannel: String, fields: RecordFields, recipients: [String], explicitChannel: String?) {
        self.explicitChannel = explicitChannel
        self.session = session
        self.defaultChannel = defaultChannel
        self.fields = fields
        self.recipients = recipients
    }

    func check(path: String, mode: InputMode, report: @escaping (ReportEntry) -> Void) throws {
        let report: (ReportEntry) -> Void = { entry in
            self.summary.add(entry.finding)
            report(entry)
        }
        let verdicts = verdictWriter.map { VerdictLines(source: path, write: $0) }
        // The path as diagnostics show it (a file may be named after a card number), masked on first use.
        let shown = ShownPath(path, session: session)
        switch mode {
        case .text:
            let input = try InputStream.open(path)
            try input.detectUTF16()
            // Line-buffered: each line is decided as it arrives (a line that could begin a value held
            // for the next, as in redact), with a verdict line per line.
            let stream = TextStream(session: session, channel: defaultChannel, eager: verdicts != nil, holds: holdMs > 0)
            var lines = LineVerdicts()
            let channel = defaultChannel
            let handle: (TextStream.Chunk) throws -> Void = { chunk in
                for failure in chunk.failures { self.diagnostics.report("redline: \(shown.text): \(failure.description)") }
                self.summary.verdict = max(self.summary.verdict, chunk.verdict)
                for finding in chunk.findings { report(ReportEntry(source: path, channel: self.defaultChannel, finding: finding)) }
                if let verdicts {
                    try lines.add(chunk) { index, verdict, findings in try verdicts.record(index, id: nil, channel: channel, verdict: verdict, findings: findings) }
                }
            }
            try stream.drain(input, holdMs: holdMs, emit: handle)
            if let verdicts {
                try lines.finish { index, verdict, findings in try verdicts.record(index, id: nil, channel: channel, verdict: verdict, findings: findings) }
            }
            summary.records += 1
        case .jsonl, .csv:
            let input = try InputStream.open(path)
            try input.detectUTF16()
            let processor = RecordProcessor(session: session, defaultChannel: defaultChannel, fields: fields, redact: false, onBlock: .redact, passMalformed: false,
                                            masksEveryID: verdicts != nil)
            try processor.forEachRecord(input, mode: mode, holdMs: holdMs, body: { index, outcome, _ in
                summary.records += 1
                summary.verdict = max(summary.verdict, outcome.verdict)
                for late in outcome.lateCompletions {
                    let done = "the rest was decided \(late.finding.action.name)"
                    diagnostics.report("redline: \(shown.text): " + late.message(record: index, holdMs: holdMs, done: done, out: "decided"))
                }
                if let malformed = outcome.malformed {
                    summary.errors += 1
                    diagnostics.report("redline: \(shown.text): record \(index): \(malformed)")
                }
                for failure in outcome.failures { diagnostics.report("redline: \(shown.text): record \(index): \(failure.description)") }
                if let unknown = outcome.unknownChannel {
                    if unknown.isError { summary.errors += 1 }
                    diagnostics.report("redline: \(shown.text): record \(index): \(unknown.message)")
                }
                for finding in outcome.findings {
                    report(ReportEntry(source: path, record: index, id: outcome.id, channel: outcome.channel, finding: finding))
                }
                if let verdicts {
                    if outcome.malformed != nil {
                        try verdicts.failed(index, channel: outcome.channel, reason: "malformed record")
                    } else {
                        try verdicts.record(index, id: outcome.id, channel: outcome.channel, verdict: outcome.verdict, findings: outcome.findings)
                    }
                }
            }, tooLarge: { index, size in
                summary.errors += 1
                diagnostics.report("redline: \(shown.text): record \(index): \(size) bytes is over the record size limit; not checked")
                try verdicts?.failed(index, channel: defaultChannel, reason: "record too large")
            })
        case .eml, .mbox, .maildir:
            try MailInputs.check(path: path, mode: mode, scanner: self, report: report)
        case .document:
            let outcome = DocumentInputs.check(path: path, session: session, channel: explicitChannel ?? defaultChannel) { finding in
                report(ReportEntry(source: path, channel: self.explicitChannel ?? self.defaultChannel, finding: finding))
            }
            for warning in outcome.warnings { diagnostics.report("redline: \(warning)") }
            summary.verdict = max(summary.verdict, outcome.verdict)
            summary.records += 1
        }
    }

}

extension InputScanner {
    /// Reads records and calls `body` per record (header row of CSV skipped and used for columns).
    func forEachRecord(_ input: InputStream, mode: InputMode, processor: RecordProcessor, path: String,
                       body: (Int, RecordOutcome) throws -> Void, tooLarge: (Int, Int) throws -> Void) throws {
        try processor.forEachRecord(input, mode: mode, body: { index, outcome, _ in try body(index, outcome) }, tooLarge: tooLarge)
    }
}

/// A path as diagnostics show it, masked the first time it is asked for (most files need no diagnostic).
final class ShownPath {
    private let path: String
    private let session: PipelineSession
    private var masked: String?

    init(_ path: String, session: PipelineSession) {
        self.path = path
        self.session = session
    }

    var text: String {
        if let masked { return masked }
        let text = session.maskedPath(path)
        masked = text
        return text
    }
}

/// A plain error with a message for the user.
struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An error's text as `redline: PATH: error` lines show it: the path it may quote (`cannot open
/// PATH`) shown the way the line's prefix shows it, masked (``PipelineSession/masked(_:channel:counts:)``).
func shownError(_ error: Error, path: String, shown: String) -> String {
    let text = "\(error)"
    return path == shown || path.isEmpty ? text : text.replacingOccurrences(of: path, with: shown)
}

extension PipelineSession {
    /// A file path as reports and diagnostics show it: each component masked on its own (numbers
    /// in neighbouring components are not read as one longer number), then the whole path (a
    /// value split over components), with ``masked(_:channel:counts:)``. `shownParent` is the
    /// parent folder already shown this way (`path` is then relative to it).
    func maskedPath(_ path: String, under shownParent: String? = nil) -> String {
        guard !path.isEmpty, path != "-" else { return path }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : masked(String($0)) }
        let joined = parts.joined(separator: "/")
        return masked(shownParent.map { $0 + "/" + joined } ?? joined)
    }
}
