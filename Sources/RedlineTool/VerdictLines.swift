import RedlineCore
import RedlineEngine

/// Per-record verdict lines (`check --format jsonl --line-buffered`, `redact --verdicts FILE`):
/// one JSON line per input record as soon as it is decided, clean records included, so a
/// co-process knows the verdict of every message. Wire format:
///
/// `{"type":"record","source":S,"record":N,"id":ID,"channel":C,"verdict":V,"findings":K,"rule":R}`
///
/// `record` is the 0-based record index (JSONL line, CSV data row, text line); `id` the record's id
/// field (null when it has none; an id holding a finding is masked like a finding's excerpt);
/// `verdict` is `allow`, `flag`, `redact`, `block`, or `error` for a record that could not be
/// decided (malformed, too large: then `error` names why); `rule` is the deciding rule (null for
/// allow). No content of the record ever appears.
final class VerdictLines {
    let source: String
    let session: PipelineSession
    let write: ([UInt8]) throws -> Void
    private var line: [UInt8] = []

    init(source: String, session: PipelineSession, write: @escaping ([UInt8]) throws -> Void) {
        self.source = source
        self.session = session
        self.write = write
    }

    /// One decided record.
    func record(_ index: Int, id: String?, channel: String, verdict: Action, findings: [Finding]) throws {
        let deciding = findings.first { $0.action == verdict }?.rule
        try emit(index, id: id, channel: channel, verdict: verdict.name, findings: findings.count, rule: verdict == .allow ? nil : deciding,
                 error: nil)
    }

    /// A record that could not be decided.
    func failed(_ index: Int, channel: String, reason: String) throws {
        try emit(index, id: nil, channel: channel, verdict: "error", findings: 0, rule: nil, error: reason)
    }

    private func emit(_ index: Int, id: String?, channel: String, verdict: String, findings: Int, rule: String?, error: String?) throws {
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: "{\"type\":\"record\",\"source\":".utf8)
        JSONText.appendQuoted(source, to: &line)
        line.append(contentsOf: ",\"record\":".utf8)
        JSONText.appendDecimal(index, to: &line)
        line.append(contentsOf: ",\"id\":".utf8)
        if let id { JSONText.appendQuoted(masked(id, channel: channel), to: &line) } else { line.append(contentsOf: "null".utf8) }
        line.append(contentsOf: ",\"channel\":".utf8)
        JSONText.appendQuoted(channel, to: &line)
        line.append(contentsOf: ",\"verdict\":\"".utf8)
        line.append(contentsOf: verdict.utf8)
        line.append(contentsOf: "\",\"findings\":".utf8)
        JSONText.appendDecimal(findings, to: &line)
        line.append(contentsOf: ",\"rule\":".utf8)
        if let rule { JSONText.appendQuoted(rule, to: &line) } else { line.append(contentsOf: "null".utf8) }
        if let error {
            line.append(contentsOf: ",\"error\":".utf8)
            JSONText.appendQuoted(error, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        try write(line)
    }

    /// The id with every finding in it replaced by its masked excerpt (an id is not scanned as
    /// message text, but a ticket system may put a customer's number in it).
    func masked(_ id: String, channel: String) -> String {
        let bytes = Array(id.utf8)
        let found = session.scan(bytes, channel: channel).findings
        guard !found.isEmpty else { return id }
        var out: [UInt8] = []
        var cursor = 0
        for finding in found.sorted(by: { $0.start < $1.start }) where finding.start >= cursor {
            out += bytes[cursor..<finding.start]
            out += Array(finding.excerpt.utf8)
            cursor = finding.end
        }
        out += bytes[cursor...]
        return String(decoding: out, as: UTF8.self)
    }
}

/// Turns text chunks into per-line verdicts: a line's verdict is the strictest action of the
/// findings that touch it (and of a fail-closed detector in its chunk). A chunk may end inside a
/// line (window cuts): the line's verdict is completed by the next chunk.
struct LineVerdicts {
    private var lineIndex = 0
    private var lineStart = 0
    private var verdict: Action = .allow
    private var findings: [Finding] = []
    private var open = false

    /// Calls `done(index, verdict, findings)` for every line the chunk completes.
    mutating func add(_ chunk: TextStream.Chunk, done: (Int, Action, [Finding]) throws -> Void) throws {
        var pending = chunk.findings[...]
        var position = chunk.offset
        for byte in chunk.bytes {
            if !open { open = true; lineStart = position }
            position += 1
            guard byte == 10 else { continue }
            try close(end: position, pending: &pending, failClosed: chunk.failClosed, done: done)
        }
        if open {
            // The line goes on in the next chunk: take what touches it so far.
            while let first = pending.first, first.start < position {
                verdict = max(verdict, first.action)
                findings.append(first)
                pending = pending.dropFirst()
            }
            verdict = max(verdict, chunk.failClosed)
        }
    }

    private mutating func close(end: Int, pending: inout ArraySlice<Finding>, failClosed: Action, done: (Int, Action, [Finding]) throws -> Void) throws {
        // Findings are sorted by start; one that runs on past the line also touches the next.
        for finding in pending {
            if finding.start >= end { break }
            guard finding.end > lineStart else { continue }
            verdict = max(verdict, finding.action)
            findings.append(finding)
        }
        while let first = pending.first, first.end <= end { pending = pending.dropFirst() }
        try done(lineIndex, max(verdict, failClosed), findings)
        lineIndex += 1
        verdict = .allow
        findings.removeAll(keepingCapacity: true)
        open = false
    }

    /// End of input: a last line without a line break.
    mutating func finish(done: (Int, Action, [Finding]) throws -> Void) throws {
        guard open else { return }
        try done(lineIndex, verdict, findings)
        open = false
    }
}
