import RedlineCore
import RedlineEngine
import RedlineFormats

extension RecordProcessor {
    /// Raw length from which a JSONL text value is read window by window instead of whole.
    static let longValue = 4 << 20

    /// A JSONL text value too long to decode whole (``longValue`` raw bytes or more): decoded in
    /// pieces and scanned in windows (``TextStream``: 1 MiB windows with an overlap rescanned, as
    /// for a long text line), and, when redaction rewrites it, decoded again piece by piece
    /// straight into the output (``RecordOutcome/writer``). Memory stays near the record's own size plus a window; without a rewrite the
    /// record is written as read.
    func jsonlLong(_ raw: UnsafeBufferPointer<UInt8>, bodyEnd: Int, value: Range<Int>, channel: String,
                   unknown: (message: String, isError: Bool)?, rawID: String?, record: Int) -> RecordOutcome {
        let quoted = UnsafeBufferPointer(rebasing: raw[value])
        let stream = TextStream(session: session, channel: channel)
        var merged = ScanResult(channel: channel)
        let collect: (TextStream.Chunk) -> Void = { chunk in
            for var finding in chunk.findings {
                finding.part = fields.text
                merged.findings.append(finding)
            }
            merged.verdict = max(merged.verdict, chunk.verdict)
            merged.failures.append(contentsOf: chunk.failures)
            merged.failClosed = max(merged.failClosed, chunk.failClosed)
            if merged.failedDetector == nil { merged.failedDetector = chunk.failedDetector }
        }
        JSONString.forEachDecodedPiece(quoted, pieceSize: 1 << 20) { piece in try? stream.feed(piece[...], emit: collect) }
        try? stream.finish(emit: collect)
        var outcome = RecordOutcome(findings: merged.findings, verdict: merged.verdict, failures: merged.failures, channel: channel,
                                    unknownChannel: unknown)
        outcome.id = displayID(rawID, channel: channel, found: merged.verdict != .allow || !merged.findings.isEmpty)
        guard redact, rewrites(merged) else { return outcome }
        let terminator = raw[bodyEnd...]
        if merged.verdict == .block && onBlock == .marker {
            let rule = merged.decidingRule ?? "fail-closed"
            outcome.output = Array("{\"redline\":\"blocked\",\"rule\":\(JSONString.encode(rule)),\"record\":\(record),\"id\":\(outcome.id.map(JSONString.encode) ?? "null")}".utf8) + terminator
            return outcome
        }
        let findings = merged.findings.filter { $0.action >= .redact }
        let withheld = merged.failClosed >= .redact ? RecordProcessor.withheld(merged) : nil
        // Written straight to the output while the record's bytes are valid: no copy of the record.
        outcome.writer = { write in
            try write(Array(raw[..<value.lowerBound]))
            if let withheld {
                try write(JSONString.encode(withheld))
            } else {
                try write([UInt8(ascii: "\"")])
                try self.writeRedacted(quoted, findings: findings, write)
                try write([UInt8(ascii: "\"")])
            }
            try write(Array(raw[value.upperBound...]))
        }
        return outcome
    }

    /// Decodes `quoted` again piece by piece and writes it redacted and JSON-escaped (without
    /// quotes). A piece never ends inside a finding, so each replacement is made whole.
    private func writeRedacted(_ quoted: UnsafeBufferPointer<UInt8>, findings: [Finding], _ write: ([UInt8]) throws -> Void) throws {
        let targets = findings.sorted { $0.start < $1.start }
        var pending: [UInt8] = []
        var base = 0
        var next = 0
        func flush(upTo cut: Int) throws {
            guard cut > base else { return }
            var inside: [Finding] = []
            while next < targets.count, targets[next].start < cut {
                inside.append(targets[next])
                next += 1
            }
            let redacted = session.pipeline.redact(Array(pending[..<(cut - base)]), findings: inside, base: base)
            try write(Array(JSONString.encode(redacted).dropFirst().dropLast()))
            pending.removeFirst(cut - base)
            base = cut
        }
        var failure: Error?
        JSONString.forEachDecodedPiece(quoted, pieceSize: 1 << 20) { piece in
            guard failure == nil else { return }
            pending.append(contentsOf: piece)
            var cut = base + pending.count
            // Back off to before any redaction the cut would split (or touch: neighbours merge).
            var moved = true
            while moved {
                moved = false
                for target in targets[next...] where target.start < cut && target.end >= cut {
                    cut = target.start
                    moved = true
                }
            }
            do { try flush(upTo: cut) } catch { failure = error }
        }
        if let failure { throw failure }
        try flush(upTo: base + pending.count)
    }
}
