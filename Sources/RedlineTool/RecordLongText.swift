import RedlineCore
import RedlineEngine
import RedlineFormats

extension RecordProcessor {
    /// Raw length from which a JSONL text value is read window by window instead of whole.
    static let longValue = 4 << 20

    /// A long value redaction rewrites: its raw range in the record, its quoted bytes where they
    /// lie, and the withheld marker (a detector could not finish on it) or the findings to redact.
    struct LongPiece {
        var range: Range<Int>
        var quoted: UnsafeBufferPointer<UInt8>
        var withheld: [UInt8]?
        var findings: [Finding]

        /// Nil when redaction leaves the value as it is.
        init?(range: Range<Int>, quoted: UnsafeBufferPointer<UInt8>, result: ScanResult) {
            self.range = range
            self.quoted = quoted
            withheld = result.failClosed >= .redact ? RecordProcessor.withheld(result) : nil
            findings = result.findings.filter { $0.action >= .redact }
            if withheld == nil && findings.isEmpty { return nil }
        }
    }

    /// Scans a long JSON string value (quotes included, ``longValue`` raw bytes or more) decoded
    /// piece by piece, in windows (``TextStream``: 1 MiB windows with an overlap rescanned, as for a
    /// long text line), continuing the record's decisions in `state`. Offsets, lines and columns
    /// are relative to the decoded value, as for a value decoded whole.
    func scanLong(_ quoted: UnsafeBufferPointer<UInt8>, channel: String, state: inout DecisionState, part: String?) -> ScanResult {
        let stream = TextStream(session: session, channel: channel)
        stream.state = state
        var merged = ScanResult(channel: channel)
        let collect: (TextStream.Chunk) -> Void = { chunk in
            for var finding in chunk.findings {
                finding.part = part
                merged.findings.append(finding)
            }
            merged.verdict = max(merged.verdict, chunk.verdict)
            merged.failures.append(contentsOf: chunk.failures)
            merged.failClosed = max(merged.failClosed, chunk.failClosed)
            if merged.failedDetector == nil { merged.failedDetector = chunk.failedDetector }
        }
        JSONString.forEachDecodedPiece(quoted, pieceSize: 1 << 20) { piece in try? stream.feed(piece[...], emit: collect) }
        try? stream.finish(emit: collect)
        state = stream.state
        return merged
    }

    /// Writes the record `raw` with short values replaced (`replacements`: decoded text, JSON
    /// encoded here) and long values rewritten piece by piece, straight to the output while the
    /// record's bytes are valid: no copy of the record or of a long value is built.
    func writer(_ raw: UnsafeBufferPointer<UInt8>, replacements: [(range: Range<Int>, text: [UInt8])],
                long: [LongPiece]) -> (([UInt8]) throws -> Void) throws -> Void {
        enum Edit {
            case encoded([UInt8])
            case long(LongPiece)
        }
        let edits = (replacements.map { ($0.range, Edit.encoded(JSONString.encode($0.text))) } + long.map { ($0.range, Edit.long($0)) })
            .sorted { $0.0.lowerBound < $1.0.lowerBound }
        return { write in
            var cursor = 0
            for (range, edit) in edits where range.lowerBound >= cursor {
                try write(Array(raw[cursor..<range.lowerBound]))
                switch edit {
                case let .encoded(bytes):
                    try write(bytes)
                case let .long(piece):
                    if let withheld = piece.withheld {
                        try write(JSONString.encode(withheld))
                    } else {
                        try write([UInt8(ascii: "\"")])
                        try self.writeRedacted(piece.quoted, findings: piece.findings, write)
                        try write([UInt8(ascii: "\"")])
                    }
                }
                cursor = range.upperBound
            }
            try write(Array(raw[cursor...]))
        }
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
