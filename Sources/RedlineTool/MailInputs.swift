import Foundation
import RedlineCore
import RedlineEngine
import RedlineFormats
import RedlineMail

/// E-mail inputs (`.eml`, mbox, Maildir) for check and redact, on RedlineMail. The channel comes
/// from `--channel` when given, else from `--recipient`s or the message's To/Cc/Bcc through the
/// policy's domain mapping.
enum MailInputs {
    /// Largest single message read into memory.
    static let maxMessage = 256 * 1024 * 1024

    static func check(path: String, mode: InputMode, scanner: InputScanner, report: @escaping (ReportEntry) -> Void) throws {
        switch mode {
        case .eml:
            let message = try InputStream.open(path).readAll(limit: maxMessage)
            checkMessage(message, source: path, record: nil, scanner: scanner, report: report)
        case .mbox:
            guard let handle = path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: path) else {
                throw IOFailure.open(path, ENOENT)
            }
            var reader = MboxReader(fileHandle: handle)
            var index = 0
            while let message = try reader.next() {
                checkMessage(message, source: path, record: index, scanner: scanner, report: report)
                index += 1
            }
        case .maildir:
            for file in try MaildirReader.messagePaths(in: path) {
                do {
                    let message = try InputStream.open(file).readAll(limit: maxMessage)
                    checkMessage(message, source: file, record: nil, scanner: scanner, report: report)
                } catch {
                    scanner.summary.errors += 1
                    let shown = scanner.session.maskedPath(file)
                    scanner.diagnostics.report("redline: \(shown): \(shownError(error, path: file, shown: shown))")
                }
            }
        default:
            throw ToolError("not a mail input mode: \(mode.rawValue)")
        }
    }

    static func checkMessage(_ message: [UInt8], source: String, record: Int?, scanner: InputScanner, report: (ReportEntry) -> Void) {
        let verdict = MailProcessor.check(message, session: scanner.session, recipients: scanner.recipients.isEmpty ? nil : scanner.recipients,
                                          channel: scanner.explicitChannel)
        scanner.summary.records += 1
        scanner.summary.verdict = max(scanner.summary.verdict, verdict.verdict)
        scanner.messageSender?(verdict.sender)
        // The file's name as diagnostics show it (a name can hold a value; the report's source is the
        // path), masked only when a diagnostic needs it: masking costs a scan of the path per message.
        let refused = verdict.sender.refused.filter { $0.request.origin == "header" }
        if !verdict.diagnostics.isEmpty || !refused.isEmpty || !verdict.unscannedAttachments.isEmpty {
            let shownSource = scanner.session.maskedPath(source)
            let label = record.map { "\(shownSource) message \($0)" } ?? shownSource
            for diagnostic in verdict.diagnostics { scanner.diagnostics.report("redline: \(label): \(diagnostic.description)") }
            for outcome in refused {
                scanner.diagnostics.report("redline: \(label): override of rule '\(outcome.ruleName)' refused: \(outcome.refusal ?? "not allowed")")
            }
            for attachment in verdict.unscannedAttachments { scanner.diagnostics.report("redline: \(label): not scanned: \(attachment)") }
        }
        for finding in verdict.findings {
            report(ReportEntry(source: source, record: record, id: nil, channel: verdict.channel, finding: finding))
        }
    }

    /// `redact --input eml`: one message in, the redacted message out (X-Redline headers added
    /// when the verdict is flag, redact or block). Returns whether it was blocked.
    static func redact(_ input: InputStream, options: RedactOptions, session: PipelineSession, out: OutputStream, limiter: StderrLimiter,
                       audit: AuditRecorder? = nil) throws -> Bool {
        let message = try input.readAll(limit: maxMessage)
        // Written piece by piece: the redacted message is never built whole beside the original.
        let redacted = MailProcessor.redacted(message, session: session, recipients: options.recipients.isEmpty ? nil : options.recipients,
                                              channel: options.policy.channel)
        let verdict = redacted.verdict
        audit?.add(messageSender: verdict.sender)
        let name = session.maskedPath(input.name)
        for diagnostic in verdict.diagnostics { limiter.report("redline: \(name): \(diagnostic.description)") }
        for outcome in verdict.sender.refused where outcome.request.origin == "header" {
            limiter.report("redline: \(name): override of rule '\(outcome.ruleName)' refused: \(outcome.refusal ?? "not allowed")")
        }
        guard verdict.verdict == .block else {
            try redacted.write { try out.write($0) }
            return false
        }
        // Blocked by a rule, by a signed part that needs redaction, or fail-closed (a detector could not finish).
        let cause = verdict.decidingRule.map { "by rule \($0)" } ?? (verdict.reason == nil ? "by rule fail-closed" : "(signed part)")
        limiter.report("redline: \(name): blocked \(cause) (\(verdict.findingsSummary))")
        if options.onBlock == .marker {
            try out.write("[redline: message blocked \(cause)]\n")
        } else {
            try redacted.write { try out.write($0) }
        }
        return true
    }
}
