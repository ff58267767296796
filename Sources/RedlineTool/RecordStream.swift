#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedlineCore
import RedlineEngine
import RedlineFormats

/// Splits an input into records (JSON Lines or RFC 4180 CSV) with a size cap, so memory stays
/// bounded. An oversized record is skipped (to its end) and reported, never truncated silently.
final class RecordReader {
    enum Kind { case jsonl, csv }

    let input: InputStream
    let kind: Kind
    let maxRecord: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var skipping = false
    private var skipped = 0

    init(input: InputStream, kind: Kind, maxRecord: Int = 64 * 1024 * 1024) {
        self.input = input
        self.kind = kind
        self.maxRecord = maxRecord
    }

    /// Where the next record lies in the reader's buffer: valid, through ``withBytes(_:_:)``, until
    /// the next call (nothing is copied).
    enum Slice {
        case record(Range<Int>)
        case tooLarge(Int)
    }

    /// The next record in place (see ``Slice``).
    func nextSlice() throws -> Slice? {
        // The previous record is no longer in use: its bytes may go.
        compact()
        while true {
            if let length = recordLength() {
                let range = start..<(start + length)
                start += length
                if skipping {
                    skipping = false
                    let total = skipped + length
                    skipped = 0
                    return .tooLarge(total)
                }
                return .record(range)
            }
            if atEnd { return nil }
            if buffer.count - start > maxRecord {
                // Drop what we have of the oversized record and keep reading to its end.
                skipped += buffer.count - start
                skipping = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            let chunk = try input.read()
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    /// Calls `body` with the bytes of a range from ``nextSlice()``.
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    private func recordLength() -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { pointer -> Int? in
            switch kind {
            case .jsonl:
                if let base = pointer.baseAddress, let newline = memchr(base + start, 10, pointer.count - start) {
                    return UnsafeRawPointer(newline) - UnsafeRawPointer(base + start) + 1
                }
                return atEnd ? buffer.count - start : nil
            case .csv:
                return CSVRecord.nextRecordLength(in: pointer, from: start, atEnd: atEnd)
            }
        }
    }

    private func compact() {
        if start > 1 << 20 || (start > 0 && start == buffer.count) {
            buffer.removeFirst(start)
            start = 0
        }
    }
}

/// The outcome of one record.
struct RecordOutcome {
    /// What to write for the record; nil: the record exactly as it was read.
    var output: [UInt8]?
    var findings: [Finding] = []
    var verdict: Action = .allow
    var failures: [Diagnostic] = []
    var id: String?
    var channel: String
    var malformed: String?
    /// The record names a channel the policy does not have: what was done (no value echoed), and
    /// whether it counts as an input problem (`settings.unknown_channel: strictest`).
    var unknownChannel: (message: String, isError: Bool)?
}

/// Scans and rewrites single records.
struct RecordProcessor {
    let session: PipelineSession
    let defaultChannel: String
    let fields: RecordFields
    let redact: Bool
    let onBlock: OnBlock
    let passMalformed: Bool

    /// The channel a record names (nil or empty: the default). A name the policy does not have is
    /// decided on the policy's strictest channel and reported as an input problem, unless the
    /// policy says `settings.unknown_channel: default` (then the default channel, with a warning).
    /// The name itself is never echoed: a channel field can hold anything, PII included.
    func channel(for name: String?, record: Int) -> (channel: String, unknown: (message: String, isError: Bool)?) {
        guard let name, !name.isEmpty else { return (defaultChannel, nil) }
        if let resolved = try? session.resolveChannel(name) { return (resolved, nil) }
        let field = fields.channel ?? ""
        switch session.pipeline.policy.settings.unknownChannel {
        case .strictest:
            let strictest = session.pipeline.rules.strictestChannel
            return (strictest, ("unknown channel in field '\(field)'; decided on the policy's strictest channel \(strictest) "
                                + "(an input problem; settings.unknown_channel: default uses the default channel)", true))
        case .default:
            return (defaultChannel, ("unknown channel in field '\(field)'; decided on the default channel \(defaultChannel) (settings.unknown_channel: default)", false))
        }
    }

    /// One JSONL record, parsed from a copy (``JSONLine``): the straightforward path that
    /// ``jsonl(inPlace:record:names:text:)`` is tested against.
    func jsonl(_ raw: [UInt8], record: Int) -> RecordOutcome {
        let bodyEnd = RecordProcessor.bodyEnd(raw)
        if raw[..<bodyEnd].allSatisfy({ $0 == 32 || $0 == 9 }) { return RecordOutcome(output: raw, channel: defaultChannel) }
        let line: JSONLine
        do {
            line = try JSONLine(raw, count: bodyEnd)
        } catch {
            return malformed(error, raw: raw, record: record)
        }
        let id = line.text(fields.id)
        let (channel, unknown) = channel(for: fields.channel.flatMap { line.text($0) }, record: record)
        guard let text = line.string(fields.text) else { return RecordOutcome(output: raw, id: id, channel: channel, unknownChannel: unknown) }
        let result = session.scan(text, channel: channel)
        var outcome = RecordOutcome(output: raw, findings: result.findings, verdict: result.verdict, failures: result.failures, id: id, channel: channel,
                                    unknownChannel: unknown)
        if redact, let rewritten = rewritten(line, text: text, result: result, record: record, id: id) { outcome.output = rewritten }
        return outcome
    }

    /// The member names a JSONL record is read for: text, id and (when set) channel.
    var jsonlNames: [[UInt8]] {
        [Array(fields.text.utf8), Array(fields.id.utf8)] + (fields.channel.map { [Array($0.utf8)] } ?? [])
    }

    /// ``jsonl(_:record:)`` reading the record in place: member names are compared where they lie
    /// and the text is decoded into `text`, a buffer reused from record to record, so a record
    /// that stays as it is costs no copy of itself (its `output` is nil: write it as read). Only a
    /// record that redaction rewrites is copied and parsed. `names` is ``jsonlNames``.
    func jsonl(inPlace raw: UnsafeBufferPointer<UInt8>, record: Int, names: [[UInt8]], text: inout [UInt8]) -> RecordOutcome {
        let bodyEnd = RecordProcessor.bodyEnd(raw)
        let body = UnsafeBufferPointer(rebasing: raw[..<bodyEnd])
        if body.allSatisfy({ $0 == 32 || $0 == 9 }) { return RecordOutcome(channel: defaultChannel) }
        let located: JSONLine.Located
        do {
            located = try JSONLine.locate(names, in: body)
        } catch {
            return malformed(error, raw: Array(raw), record: record)
        }
        func display(_ range: Range<Int>) -> String {
            guard body[range.lowerBound] == UInt8(ascii: "\"") else { return String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self) }
            var decoded: [UInt8] = []
            JSONString.decode(UnsafeBufferPointer(rebasing: body[range]), into: &decoded)
            return String(decoding: decoded, as: UTF8.self)
        }
        let id = located[1].map(display)
        let (channel, unknown) = channel(for: names.count > 2 ? located[2].map(display) : nil, record: record)
        guard let textRange = located[0], body[textRange.lowerBound] == UInt8(ascii: "\"") else {
            return RecordOutcome(id: id, channel: channel, unknownChannel: unknown)
        }
        text.removeAll(keepingCapacity: true)
        JSONString.decode(UnsafeBufferPointer(rebasing: body[textRange]), into: &text)
        let result = session.scan(text, channel: channel)
        var outcome = RecordOutcome(findings: result.findings, verdict: result.verdict, failures: result.failures, id: id, channel: channel,
                                    unknownChannel: unknown)
        if redact && rewrites(result) {
            // Rare: parse a copy (the same members `locate` found) and rewrite it.
            let copy = Array(raw)
            guard let line = try? JSONLine(copy, count: bodyEnd) else { return jsonl(copy, record: record) }
            outcome.output = rewritten(line, text: text, result: result, record: record, id: id)
        }
        return outcome
    }

    /// Whether redaction changes a record with this result (``rewritten(_:text:result:record:id:)`` is not nil).
    func rewrites(_ result: ScanResult) -> Bool {
        (result.verdict == .block && onBlock == .marker) || result.failClosed >= .redact || result.findings.contains { $0.action >= .redact }
    }

    /// The redacted record (its line terminator kept), or nil when redaction leaves it as it is.
    private func rewritten(_ line: JSONLine, text: [UInt8], result: ScanResult, record: Int, id: String?) -> [UInt8]? {
        let terminator = line.bytes[line.count...]
        if result.verdict == .block && onBlock == .marker {
            let rule = result.decidingRule ?? "fail-closed"
            return Array("{\"redline\":\"blocked\",\"rule\":\(JSONString.encode(rule)),\"record\":\(record),\"id\":\(id.map(JSONString.encode) ?? "null")}".utf8) + terminator
        }
        if result.failClosed >= .redact {
            return line.replacing(fields.text, withString: RecordProcessor.withheld(result)) + terminator
        }
        if let redacted = redactedText(text, result) {
            return line.replacing(fields.text, withString: redacted) + terminator
        }
        return nil
    }

    private func malformed(_ error: JSONLine.ParseError, raw: [UInt8], record: Int) -> RecordOutcome {
        let reason = "malformed JSON (\(error.reason) at byte \(error.offset))"
        let terminator = raw[RecordProcessor.bodyEnd(raw)...]
        let output = passMalformed ? raw : Array("{\"redline_error\":\"malformed JSON record\",\"record\":\(record)}".utf8) + terminator
        return RecordOutcome(output: output, channel: defaultChannel, malformed: reason)
    }

    func csv(_ raw: [UInt8], record: Int, columns: [String: Int]) -> RecordOutcome {
        let row = CSVRecord(raw[...])
        let id = columns[fields.id].flatMap { row.value($0) }.map { String(decoding: $0, as: UTF8.self) }
        let channelName = fields.channel.flatMap { columns[$0] }.flatMap { row.value($0) }.map { String(decoding: $0, as: UTF8.self) }
        let (channel, unknown) = channel(for: channelName, record: record)
        guard let column = columns[fields.text], let text = row.value(column) else {
            return RecordOutcome(output: raw, id: id, channel: channel, unknownChannel: unknown)
        }
        let result = session.scan(text, channel: channel)
        var outcome = RecordOutcome(output: raw, findings: result.findings, verdict: result.verdict, failures: result.failures, id: id, channel: channel,
                                    unknownChannel: unknown)
        guard redact else { return outcome }
        if result.verdict == .block && onBlock == .marker {
            let marker = "[redline: record blocked by rule \(result.decidingRule ?? "fail-closed")]"
            outcome.output = row.replacing(column, with: Array(marker.utf8))
        } else if result.failClosed >= .redact {
            outcome.output = row.replacing(column, with: RecordProcessor.withheld(result))
        } else if let redacted = redactedText(text, result) {
            outcome.output = row.replacing(column, with: redacted)
        }
        return outcome
    }

    /// The text that replaces a record's text when a detector could not finish on it and its rules
    /// redact or block (fail-closed: what it would have found is unknown).
    static func withheld(_ result: ScanResult) -> [UInt8] {
        Array("[redline: withheld: detector '\(result.failedDetector ?? "-")' could not finish]".utf8)
    }

    /// The redacted text, or nil when nothing in it is redacted (so the record stays byte-identical).
    func redactedText(_ text: [UInt8], _ result: ScanResult) -> [UInt8]? {
        let targets = result.findings.filter { $0.action >= .redact }
        guard !targets.isEmpty else { return nil }
        return session.pipeline.redact(text, findings: targets)
    }

    /// Where a record's line terminator (LF or CRLF) starts; the record's length when it has none.
    static func bodyEnd<Bytes: RandomAccessCollection<UInt8>>(_ raw: Bytes) -> Int where Bytes.Index == Int {
        var end = raw.count
        if end > 0, raw[end - 1] == 10 {
            end -= 1
            if end > 0, raw[end - 1] == 13 { end -= 1 }
        }
        return end
    }
}

extension RecordProcessor {
    /// Reads `input` record by record and calls `body` with each record's index, outcome and bytes
    /// as read (valid during the call). JSON Lines records are read in place; a CSV header row is
    /// read for the column names and handed to `header` (it is not a record).
    func forEachRecord(_ input: InputStream, mode: InputMode, header: ([UInt8]) throws -> Void = { _ in },
                       body: (Int, RecordOutcome, UnsafeBufferPointer<UInt8>) throws -> Void,
                       tooLarge: (Int, Int) throws -> Void) throws {
        let reader = RecordReader(input: input, kind: mode == .csv ? .csv : .jsonl)
        var columns: [String: Int]?
        var index = 0
        let names = jsonlNames
        var text: [UInt8] = []
        while let item = try reader.nextSlice() {
            switch item {
            case let .record(range):
                if mode == .csv, columns == nil {
                    let raw = reader.withBytes(range) { Array($0) }
                    columns = CSVColumns.parse(raw)
                    if columns?[fields.text] == nil {
                        throw ToolError("CSV header has no column '\(fields.text)' (use --text-column)")
                    }
                    try header(raw)
                    continue
                }
                try reader.withBytes(range) { raw in
                    let outcome = mode == .csv ? csv(Array(raw), record: index, columns: columns!)
                                               : jsonl(inPlace: raw, record: index, names: names, text: &text)
                    try body(index, outcome, raw)
                }
            case let .tooLarge(size):
                try tooLarge(index, size)
            }
            index += 1
        }
    }
}

