import Foundation
import RedlineCore
import RedlineEngine

/// A drop-in `sendmail` for mail clients and helpdesks: checks the message, then hands it (as is,
/// flagged or redacted) to the real sendmail with the same arguments, or refuses it.
///
/// Exit codes (sysexits.h):
/// - `0` or the real sendmail's own code: the message was handed over; the real sendmail's
///   stderr is passed back through `standardError`.
/// - `77` (`EX_NOPERM`): the policy blocks the message. Nothing was sent; the rule's message
///   (and masked findings) go to `standardError`. Mail clients keep the draft.
/// - `75` (`EX_TEMPFAIL`): the real sendmail could not be started or was killed. Nothing was
///   lost: try again later.
public enum SendmailWrapper {
    /// `EX_NOPERM`: the policy blocks the message; nothing was sent.
    public static let blockedExitCode: Int32 = 77
    /// `EX_TEMPFAIL`: the real sendmail could not be run (or was killed); nothing was lost.
    public static let temporaryFailureExitCode: Int32 = 75

    /// sendmail options that take their value as the next argument when it is not attached.
    static let optionsWithValue: Set<Character> = ["f", "F", "r", "B", "N", "R", "V", "X", "C", "L", "O", "h", "p", "q"]

    /// The parsed command line: recipients and whether `-t` asks for the header recipients.
    public struct Arguments: Sendable, Equatable {
        /// Recipients named on the command line.
        public var recipients: [String] = []
        /// `-t`: recipients are also read from the To, Cc and Bcc headers.
        public var readRecipientsFromHeaders = false
        /// `-f sender` (or `-r`, its old name; `-fsender` attached).
        public var sender: String?
    }

    /// Reads sendmail's arguments: options (`-f sender`, `-oi`, `-t`, …) and recipients. Everything
    /// after `--` is a recipient.
    public static func parse(_ arguments: [String]) -> Arguments {
        var parsed = Arguments()
        var index = 0
        var onlyRecipients = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyRecipients || !argument.hasPrefix("-") || argument == "-" {
                parsed.recipients.append(argument)
                continue
            }
            if argument == "--" { onlyRecipients = true; continue }
            let letters = argument.dropFirst()
            guard let letter = letters.first else { continue }
            if letter == "t" && letters.count == 1 { parsed.readRecipientsFromHeaders = true; continue }
            if letter == "f" || letter == "r" {
                if letters.count > 1 { parsed.sender = String(letters.dropFirst()) } else if index < arguments.count { parsed.sender = arguments[index] }
            }
            if optionsWithValue.contains(letter) && letters.count == 1 { index += 1 }
        }
        return parsed
    }

    /// Checks `input` and acts on the verdict; returns the exit code for the caller. `record`, when
    /// given, is told every decision before anything is sent (`--audit`); when it throws, nothing is
    /// sent and the exit code is 75, so no message leaves without its record.
    public static func run(arguments: [String], input: [UInt8], sendmailPath: String, session: PipelineSession,
                           record: ((MailVerdict, _ source: String) throws -> Void)? = nil,
                           standardError: (String) -> Void) -> Int32 {
        let parsed = parse(arguments)
        var recipients = parsed.recipients
        if parsed.readRecipientsFromHeaders || recipients.isEmpty { recipients += MailProcessor.headerRecipients(input) }
        // It runs as the sender, on the sender's machine: -f, else the From address.
        let caller = session.sender
        var identity = caller.identity
        if identity.address == nil && identity.group == nil { identity.address = parsed.sender ?? MailProcessor.fromAddress(input) }
        session.sender = session.pipeline.senderContext(identity, overrides: caller.overrides.map(\.request))
        defer { session.sender = caller }
        let (output, verdict) = MailProcessor.redact(input, session: session, recipients: recipients)
        for diagnostic in verdict.diagnostics where diagnostic.severity == .error || diagnostic.code == MailCode.malformedOverride {
            standardError("redline: \(diagnostic)")
        }
        if verdict.verdict < .block {
            for outcome in verdict.sender.refused {
                standardError("redline: override of rule '\(outcome.ruleName)' refused: \(outcome.refusal ?? "not allowed"); the policy's decision stands")
            }
            for rule in verdict.overriddenRules {
                standardError("redline: rule '\(rule)' overridden at your request; your justification is recorded")
            }
        }
        if let record {
            do {
                // Named by its Message-ID, with anything the policy finds in it redacted (no raw value in the log).
                try record(verdict, MessageIdentity(input).messageID.map { session.maskedMessageID($0, channel: verdict.channel) } ?? "-")
            } catch {
                standardError("redline: the audit record could not be written (\(error)); nothing was sent")
                return temporaryFailureExitCode
            }
        }
        if verdict.verdict == .block {
            standardError(blockMessage(verdict, pipeline: session.pipeline))
            return blockedExitCode
        }
        return deliver(output, arguments: arguments, sendmailPath: sendmailPath, standardError: standardError)
    }

    /// The text for a blocked message: the deciding rule's message, then each blocking finding
    /// with its masked excerpt.
    static func blockMessage(_ verdict: MailVerdict, pipeline: Pipeline) -> String {
        var lines: [String] = []
        let rule = verdict.decidingRule
        let parts = SenderText.blockParts(verdict, pipeline: pipeline, via: .mailHeader)
        lines.append("redline: message not sent: \(parts[0])" + (rule.map { " (rule '\($0)')" } ?? ""))
        for part in parts.dropFirst() { lines.append("redline: \(part)") }
        for finding in verdict.findings where finding.action == .block {
            lines.append("redline:   \(finding.detector) \(finding.excerpt) in \(finding.part ?? "message") line \(finding.line)")
        }
        if verdict.findings.allSatisfy({ $0.action < .block }) && !verdict.unscannedAttachments.isEmpty {
            lines.append("redline:   attachments that cannot be checked: \(verdict.unscannedAttachments.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    /// Runs the real sendmail with `arguments`, writes `message` to its stdin, passes its stderr
    /// on and returns its exit code.
    static func deliver(_ message: [UInt8], arguments: [String], sendmailPath: String, standardError: (String) -> Void) -> Int32 {
        signal(SIGPIPE, SIG_IGN) // a sendmail that exits early must not kill us mid-write
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sendmailPath)
        process.arguments = arguments
        let stdinPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardError = stderrPipe
        do {
            try process.run()
        } catch {
            standardError("redline: cannot run \(sendmailPath): \(error.localizedDescription); nothing was sent")
            return temporaryFailureExitCode
        }
        let writer = stdinPipe.fileHandleForWriting
        let data = Data(message)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? writer.write(contentsOf: data)
            try? writer.close()
            done.signal()
        }
        let errorOutput = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        if !errorOutput.isEmpty {
            var text = String(decoding: errorOutput, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            standardError(text)
        }
        if process.terminationReason == .uncaughtSignal {
            standardError("redline: \(sendmailPath) was killed by signal \(process.terminationStatus)")
            return temporaryFailureExitCode
        }
        return process.terminationStatus
    }
}
