import Foundation
import RedlineCore
import RedlineEngine
import RedlineFormats

/// `redline redact`: the streaming filter. One record out per record in, in order, nothing else
/// on stdout; block verdicts reported on stderr (rule and record number, no content).
/// Exit: 0 when the output was produced, 2 on a policy or input error, 3 for `--on-block fail`
/// when something was blocked (then nothing is written for the input).
public enum RedactRunner {
    public static func run(_ options: RedactOptions) -> Int32 {
        // Redacted output does not show confidence: skip keyword lookups that cannot change a decision.
        guard let (session, channel) = options.policy.openSession(computesConfidence: false) else { return ExitStatus.error }
        // Redacted text shows no fingerprint (`hash` redaction aside, which the session sees itself): only the audit log needs them.
        session.computesFingerprints = options.audit != nil
        let mode = options.input ?? InputMode.guess(options.path)
        if let problem = options.fields.conversationProblem(mode: mode) {
            printError("redline: \(problem)")
            return ExitStatus.error
        }
        if options.inPlace && options.path == "-" {
            printError("redline: --in-place needs a file path, not standard input")
            return ExitStatus.error
        }
        let input: InputStream
        do {
            input = try InputStream.open(options.path)
        } catch {
            printError("redline: \(shownError(error, path: options.path, shown: session.maskedPath(options.path)))")
            return ExitStatus.error
        }
        // Destination: the file itself (atomic), --output (atomic), a spool for --on-block fail, or stdout.
        var atomic: Destination?
        var spool: Spool?
        let out: OutputStream
        do {
            if options.inPlace {
                atomic = try Destination(path: try InPlaceTarget.resolve(options.path))
                out = atomic!.stream
            } else if let path = options.output {
                atomic = try Destination(path: path)
                out = atomic!.stream
            } else if options.onBlock == .fail || options.audit != nil {
                // --audit: the output is held until its audit record is written (a crash or a failed
                // append between the two must never leave redacted or passed output with no record).
                spool = try Spool()
                out = spool!.stream
            } else {
                let stdout = OutputStream(fd: 1, name: "standard output")
                stdout.lineBuffered = options.lineBuffered || stdout.isTerminal
                out = stdout
            }
        } catch {
            printError("redline: \(error)")
            return ExitStatus.error
        }
        let audit: AuditRecorder?
        do {
            audit = try AuditRecorder.open(options.audit, mode: "redact", policy: options.policy, pipeline: session.pipeline, session: session)
        } catch {
            printError("redline: \(error)")
            return ExitStatus.error
        }
        var blocked = false
        var documentBlocked: String?
        do {
            if mode == .text || mode == .jsonl || mode == .csv {
                // A UTF-16 file is read as UTF-8 and written back in UTF-16, same byte order.
                try input.detectUTF16()
                out.utf16 = input.utf16
            }
            let filter = Filter(session: session, channel: channel, options: options, out: out)
            filter.audit = audit
            if let path = options.verdicts {
                guard mode == .text || mode == .jsonl || mode == .csv else {
                    throw ToolError("--verdicts works with text, jsonl and csv input, not \(mode.rawValue)")
                }
                let file = try Destination(path: path)
                let lineBuffered = out.lineBuffered
                filter.verdictsFile = file
                filter.verdicts = VerdictLines(source: options.path) { bytes in
                    try file.stream.write(bytes)
                    if lineBuffered { try file.stream.flush() }
                }
            }
            switch mode {
            case .text:
                try filter.text(input, eager: out.lineBuffered)
            case .jsonl, .csv:
                try filter.records(input, mode: mode)
            case .eml:
                if try MailInputs.redact(input, options: options, session: session, out: out, limiter: filter.limiter, audit: audit) {
                    filter.blocked = true
                    audit?.add(verdict: .block)
                }
            case .mbox, .maildir:
                throw ToolError("redact works on one message at a time (--input eml); use check for \(mode.rawValue)")
            case .document:
                let outcome = try DocumentRedaction.redact(input, path: options.path, session: session, channel: channel, out: out)
                if outcome.blocked {
                    filter.blocked = true
                    documentBlocked = outcome.reason ?? "\(session.maskedPath(options.path)): blocked; nothing written"
                    audit?.add(verdict: .block)
                }
            }
            blocked = filter.blocked
            // The audit record first; nothing is released (stdout, --output, --in-place) without it.
            audit?.record(source: session.maskedPath(options.path), defaultChannel: channel)
            filter.finishReports()
            if let failure = audit?.failure {
                atomic?.abandon()
                spool?.discard()
                printError("redline: \(failure); nothing written (the output is released only after its audit record)")
                return ExitStatus.error
            }
            if let documentBlocked {
                // A document is written redacted or not at all: never with the values in it.
                atomic?.abandon()
                spool?.discard()
                printError("redline: \(documentBlocked)")
                return ExitStatus.blocked
            }
            if blocked && options.onBlock == .fail {
                // The verdicts hold no content: they are written, so the caller learns which record blocked.
                try filter.verdictsFile?.commit()
                atomic?.abandon()
                spool?.discard()
                printError("redline: \(session.maskedPath(options.path)): blocked; nothing written (--on-block fail)")
                return ExitStatus.blocked
            }
            try out.flush()
            try filter.verdictsFile?.commit()
            try atomic?.commit()
            try spool?.copy(to: 1)
        } catch IOFailure.brokenPipe {
            return ExitStatus.clean
        } catch {
            atomic?.abandon()
            spool?.discard()
            let shown = session.maskedPath(options.path)
            printError("redline: \(shown): \(shownError(error, path: options.path, shown: shown))")
            return ExitStatus.error
        }
        if let failure = audit?.failure {
            printError("redline: \(failure)")
            return ExitStatus.error
        }
        return ExitStatus.clean
    }
}

/// Milliseconds on a monotonic clock (hold deadlines).
func monotonicMilliseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1_000_000
}

/// The record-by-record rewriting behind `redact`.
final class Filter {
    let session: PipelineSession
    let channel: String
    let options: RedactOptions
    let out: OutputStream
    var blocked = false
    /// `--audit`: one record for the input.
    var audit: AuditRecorder?
    /// The input's path as stderr shows it (masked: a file may be named after a card number).
    private(set) lazy var shownPath = session.maskedPath(options.path)
    /// stderr is rate-limited: the first reports are listed, the rest counted.
    let limiter = StderrLimiter()
    func report(_ message: @autoclosure () -> String) { limiter.report(message()) }
    /// Findings per deciding rule that has a message, in first-seen order: told once at the end.
    var ruleCounts: [(rule: String, action: Action, count: Int)] = []
    /// Rules seen without a message for the sender (not counted).
    var silentRules: [String] = []
    lazy var ruleMessages: [String: String] = {
        var messages: [String: String] = [:]
        // The message, then the tip and how to ask for an override (what the sender can do instead).
        for rule in session.pipeline.rules.rules {
            if let notice = session.pipeline.rules.senderNotice(rule.id, groups: session.sender.groups, via: .commandLine) { messages[rule.id] = notice }
        }
        return messages
    }()

    /// Counts `findings` under their rules (for the rule messages told at the end).
    func count(_ findings: [Finding]) {
        for finding in findings {
            guard let rule = finding.rule else { continue }
            // The few rules seen so far are compared by id before the messages are looked up.
            if let index = ruleCounts.firstIndex(where: { $0.rule == rule }) {
                ruleCounts[index].count += 1
            } else if !silentRules.contains(rule) {
                if ruleMessages[rule] != nil {
                    ruleCounts.append((rule, finding.action, 1))
                } else {
                    silentRules.append(rule)
                }
            }
        }
    }

    func finishReports() {
        limiter.finish()
        // Each rule's message for the sender, once, with how often it decided (no content).
        for entry in ruleCounts {
            printError("redline: rule \(entry.rule) (\(entry.action.name), \(entry.count) finding(s)): \(ruleMessages[entry.rule] ?? "")")
        }
        if lateCompletions > 0 {
            let split = options.fields.conversation == nil ? "two lines" : "two records of a conversation"
            printError("redline: \(lateCompletions) value(s) split over \(split) were completed after their first part had been written (raise --hold-ms)")
        }
    }

    init(session: PipelineSession, channel: String, options: RedactOptions, out: OutputStream) {
        self.session = session
        self.channel = channel
        self.options = options
        self.out = out
    }

    func text(_ input: InputStream, eager: Bool) throws {
        let stream = TextStream(session: session, channel: channel, eager: eager, holds: options.holdMs > 0)
        try stream.drain(input, holdMs: options.holdMs) { chunk in try self.emitText(chunk) }
        if let verdicts { try lineVerdicts.finish { index, verdict, findings in try verdicts.record(index, id: nil, channel: channel, verdict: verdict, findings: findings) } }
    }

    /// Values completed after the first part had been written (the hold time passed).
    var lateCompletions = 0

    /// `--verdicts`: one line per record, written after the record.
    var verdicts: VerdictLines?
    var verdictsFile: Destination?
    var lineVerdicts = LineVerdicts()

    func emitText(_ chunk: TextStream.Chunk) throws {
        try writeText(chunk)
        guard let verdicts else { return }
        try lineVerdicts.add(chunk) { index, verdict, findings in try verdicts.record(index, id: nil, channel: channel, verdict: verdict, findings: findings) }
    }

    func writeText(_ chunk: TextStream.Chunk) throws {
        for finding in chunk.findings { audit?.add(finding, channel: channel) }
        count(chunk.findings)
        for late in chunk.lateCompletions {
            lateCompletions += 1
            let done = late.finding.action >= .redact ? "the rest was redacted" : "the rest was \(late.finding.action.name == "flag" ? "flagged" : "allowed")"
            report("redline: line \(late.finding.line): a \(late.finding.detector) value begun on line \(late.releasedLine) was completed "
                   + "after that line's \(options.holdMs) ms hold had passed: \(late.bytesAlreadyWritten) byte(s) of it were already written "
                   + "unredacted; \(done) (rule \(late.finding.rule ?? "-"))")
        }
        audit?.add(verdict: chunk.verdict)
        for failure in chunk.failures { report("redline: \(shownPath): \(failure.description)") }
        let targets = chunk.findings.filter { $0.action >= .redact }
        let blockedFindings = chunk.findings.filter { $0.action == .block }
        if chunk.verdict == .block { blocked = true }
        for finding in blockedFindings {
            report("redline: line \(finding.line): blocked by rule \(finding.rule ?? "-") (\(finding.detector))")
        }
        if chunk.verdict == .block && blockedFindings.isEmpty {
            report("redline: lines from \(chunk.firstLine): blocked (a detector could not finish; fail-closed)")
        }
        if chunk.failClosed >= .redact {
            // A detector could not finish and its rules redact or block: what it would have found
            // is unknown, so the chunk is withheld (fail-closed) under one marker, line count kept.
            report("redline: lines from \(chunk.firstLine): withheld (detector '\(chunk.failedDetector ?? "-")' could not finish; fail-closed)")
            try out.write(withheld(Array(chunk.bytes), detector: chunk.failedDetector))
            try out.endRecord()
            return
        }
        continuingLine = false
        guard options.onBlock == .marker, !blockedFindings.isEmpty else {
            // Unchanged runs and replacements go straight to the output (no copy of the window).
            try session.pipeline.redact(chunk.bytes, findings: targets, base: chunk.offset) { try out.write($0) }
            try out.endRecord()
            return
        }
        let bytes = Array(chunk.bytes)
        // Replace every line a blocked finding touches with a marker line; redact the rest.
        var blockedLines: [Range<Int>] = []
        for finding in blockedFindings {
            var start = finding.start - chunk.offset
            var end = finding.end - chunk.offset
            while start > 0, bytes[start - 1] != 10 { start -= 1 }
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            if end < bytes.count { end += 1 }
            if let last = blockedLines.last, start <= last.upperBound {
                blockedLines[blockedLines.count - 1] = last.lowerBound..<max(end, last.upperBound)
            } else {
                blockedLines.append(start..<end)
            }
        }
        var cursor = 0
        for range in blockedLines {
            let segment = Array(bytes[cursor..<range.lowerBound])
            let inside = targets.filter { $0.start - chunk.offset >= cursor && $0.end - chunk.offset <= range.lowerBound }
            try out.write(session.pipeline.redact(segment, findings: inside, base: chunk.offset + cursor))
            let rule = blockedFindings.first { $0.start - chunk.offset >= range.lowerBound }?.rule ?? "-"
            let lines = bytes[range].filter { $0 == 10 }.count
            for _ in 0..<max(lines, 1) { try out.write("[redline: blocked by rule \(rule)]" + (lines > 0 ? "\n" : "")) }
            cursor = range.upperBound
        }
        let rest = Array(bytes[cursor...])
        let inside = targets.filter { $0.start - chunk.offset >= cursor }
        try out.write(session.pipeline.redact(rest, findings: inside, base: chunk.offset + cursor))
        try out.endRecord()
    }

    /// True while the current line has already been replaced by a withheld marker (a long line
    /// can span several chunks; it gets one marker).
    var continuingLine = false

    /// One marker for the whole window, then its line breaks (the line count is kept): a window
    /// of many short lines must not grow by a marker per line (issue 15: a file of digit lines
    /// grew 28-fold). A window that continues a withheld line gets no second marker.
    func withheld(_ bytes: [UInt8], detector: String?) -> [UInt8] {
        var out: [UInt8] = continuingLine ? [] : Array("[redline: withheld: detector '\(detector ?? "-")' could not finish]".utf8)
        var lineBreaks = 0
        for byte in bytes where byte == 10 { lineBreaks += 1 }
        out.append(contentsOf: repeatElement(10, count: lineBreaks))
        if !bytes.isEmpty { continuingLine = bytes.last != 10 }
        return out
    }

    func records(_ input: InputStream, mode: InputMode) throws {
        let processor = RecordProcessor(session: session, defaultChannel: channel, fields: options.fields, redact: true,
                                        onBlock: options.onBlock, passMalformed: options.passMalformed,
                                        masksEveryID: verdicts != nil)
        try processor.forEachRecord(input, mode: mode, holdMs: options.holdMs, header: { raw in
            try out.write(raw)
            try out.endRecord()
        }, body: { index, outcome, raw in
            for finding in outcome.findings { audit?.add(finding, channel: outcome.channel) }
            count(outcome.findings)
            audit?.add(verdict: outcome.verdict)
            for late in outcome.lateCompletions {
                lateCompletions += 1
                let done = late.finding.action >= .redact ? "the rest was redacted" : "the rest was \(late.finding.action == .flag ? "flagged" : "allowed")"
                report("redline: " + late.message(record: index, holdMs: options.holdMs, done: done, out: "written"))
            }
            if let malformed = outcome.malformed {
                report("redline: record \(index): \(malformed); " + (options.passMalformed ? "passed through unchanged" : "wrote an error record"))
            }
            for failure in outcome.failures { report("redline: record \(index): \(failure.description)") }
            // A filter's exit stays 0 for data problems (the streaming filter contract): reported only.
            if let unknown = outcome.unknownChannel { report("redline: record \(index): \(unknown.message)") }
            if outcome.verdict == .block {
                blocked = true
                report("redline: record \(index): blocked by rule \(outcome.findings.first { $0.action == .block }?.rule ?? "fail-closed")")
            }
            // Unchanged: the record's bytes exactly as they were read.
            if let writer = outcome.writer {
                try writer { try out.write($0) }
            } else if let output = outcome.output {
                try out.write(output)
            } else {
                try out.write(raw)
            }
            try out.endRecord()
            if let verdicts {
                if outcome.malformed != nil {
                    try verdicts.failed(index, channel: outcome.channel, reason: "malformed record")
                } else {
                    try verdicts.record(index, id: outcome.id, channel: outcome.channel, verdict: outcome.verdict, findings: outcome.findings)
                }
            }
        }, tooLarge: { index, size in
            printError("redline: record \(index): \(size) bytes is over the record size limit; wrote an error record")
            try out.write("{\"redline_error\":\"record too large\",\"record\":\(index)}\n")
            try out.endRecord()
            try verdicts?.failed(index, channel: channel, reason: "record too large")
        })
    }
}

/// A temporary file that holds output until we know it may be written.
final class Spool {
    let path: String
    let stream: OutputStream

    init() throws {
        var template = Array("/tmp/redline-spool-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw IOFailure.open("spool file", errno) }
        path = String(cString: template.map { UInt8(bitPattern: $0) })
        unlink(path)   // anonymous: gone when closed
        stream = OutputStream(fd: fd, name: "spool file")
    }

    func copy(to target: Int32) throws {
        try stream.flush()
        lseek(stream.fd, 0, SEEK_SET)
        let output = OutputStream(fd: target, name: "standard output")
        let input = InputStream(fd: stream.fd, name: "spool file")
        while true {
            let piece = try input.read()
            if piece.isEmpty { break }
            try output.write(piece)
        }
        try output.flush()
        close(stream.fd)
    }

    func discard() { close(stream.fd) }
}
