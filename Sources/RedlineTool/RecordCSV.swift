import RedlineCore
import RedlineEngine
import RedlineFormats

/// The columns a CSV input is read for, looked up once in its header (not per record).
struct CSVPlan {
    let id: Int?
    let channel: Int?
    /// Every column named the text column.
    let text: [Int]

    init(_ columns: CSVColumns, fields: RecordFields) {
        id = columns.first(fields.id)
        channel = fields.channel.flatMap { columns.first($0) }
        text = columns.indices(fields.text)
    }
}

/// Buffers a record stream reuses from record to record (nothing is allocated per record for
/// them), and the last channel name read with what it resolved to.
struct RecordScratch {
    var text: [UInt8] = []
    var fields: [CSVRecord.Field] = []
    var value: [UInt8] = []
    var channelName: [UInt8] = []
    var channel: (channel: String, unknown: (message: String, isError: Bool)?)?
}

extension RecordProcessor {
    /// ``csv(_:record:columns:added:)`` reading the record in place: fields are split where they
    /// lie and the text column is decoded into a reused buffer, so a record that stays as it is
    /// costs no copy of itself (its `output` is nil: write it as read). Only a record redaction
    /// rewrites is copied and parsed. Records read for every column, for a conversation, or for
    /// a text column that is repeated take the general path.
    func csv(inPlace raw: UnsafeBufferPointer<UInt8>, record: Int, columns: CSVColumns, plan: CSVPlan,
             scratch: inout RecordScratch) -> RecordOutcome {
        guard !fields.allFields, fields.conversation == nil, plan.text.count == 1 else { return csv(Array(raw), record: record, columns: columns) }
        let line = UnsafeBufferPointer(rebasing: raw[..<RecordProcessor.bodyEnd(raw)])
        CSVRecord.split(line, into: &scratch.fields)
        let fieldCount = scratch.fields.count
        let (channel, unknown) = csvChannel(plan.channel, line: line, record: record, scratch: &scratch)
        func id() -> String? {
            guard let column = plan.id, column < fieldCount else { return nil }
            scratch.value.removeAll(keepingCapacity: true)
            CSVRecord.decode(scratch.fields[column], in: line, into: &scratch.value)
            return String(decoding: scratch.value, as: UTF8.self)
        }
        let column = plan.text[0]
        guard column < fieldCount else {
            return RecordOutcome(id: masksEveryID ? displayID(id(), channel: channel, found: false) : nil, channel: channel, unknownChannel: unknown)
        }
        scratch.text.removeAll(keepingCapacity: true)
        CSVRecord.decode(scratch.fields[column], in: line, into: &scratch.text)
        let result = session.scan(scratch.text, channel: channel, part: fields.text)
        var outcome = RecordOutcome(findings: result.findings, verdict: result.verdict, failures: result.failures, channel: channel, unknownChannel: unknown)
        let found = result.verdict != .allow || !result.findings.isEmpty
        if found || masksEveryID { outcome.id = displayID(id(), channel: channel, found: found) }
        if redact && rewrites(result) {
            // Rare: parse a copy and rewrite it.
            let row = CSVRecord(Array(raw)[...])
            outcome.output = rewritten(row, values: [(column, scratch.text)], scanned: RecordScan(merged: result, values: [result]))
        }
        return outcome
    }

    /// The channel named in column `column` of `line` (see ``channel(for:record:)``); a name
    /// equal to the previous record's is not resolved again.
    private func csvChannel(_ column: Int?, line: UnsafeBufferPointer<UInt8>, record: Int,
                            scratch: inout RecordScratch) -> (channel: String, unknown: (message: String, isError: Bool)?) {
        guard let column, column < scratch.fields.count else { return channel(for: nil, record: record) }
        scratch.value.removeAll(keepingCapacity: true)
        CSVRecord.decode(scratch.fields[column], in: line, into: &scratch.value)
        if let known = scratch.channel, scratch.value == scratch.channelName { return known }
        let resolved = channel(for: String(decoding: scratch.value, as: UTF8.self), record: record)
        swap(&scratch.value, &scratch.channelName)
        scratch.channel = resolved
        return resolved
    }
}
