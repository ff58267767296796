import RedlineCore
import RedlineEngine
import RedlineFormats

/// The scan of a record's values: each value's own result, and all of them as one.
struct RecordScan {
    /// Every finding (each naming its field in `part`), the strictest verdict, every failure.
    var merged: ScanResult
    /// One result per value, in the order given.
    var values: [ScanResult]
}

extension RecordProcessor {
    /// Scans the values of one record as one decision: rule thresholds (`min_instances`) count
    /// distinct values over the whole record. Offsets, lines and columns are relative to each
    /// value's decoded text; each finding's `part` is its field path (masked when it comes from
    /// the input and a detector finds something in it). A value in `long` (by index; its text is
    /// not used) is a long JSON string read in windows where it lies (``scanLong(_:channel:state:part:)``).
    func scan(_ values: [(path: String, text: [UInt8])], channel: String, long: [Int: UnsafeBufferPointer<UInt8>] = [:]) -> RecordScan {
        if values.count == 1 && long.isEmpty {
            let result = session.scan(values[0].text, channel: channel, part: label(values[0].path, channel: channel))
            return RecordScan(merged: result, values: [result])
        }
        var state = DecisionState()
        func pass() -> [ScanResult] {
            values.enumerated().map { index, value in
                if let quoted = long[index] { return scanLong(quoted, channel: channel, state: &state, part: label(value.path, channel: channel)) }
                var position = TextPosition()
                return session.scan(value.text, channel: channel, state: &state, position: &position, commitLimit: value.text.count,
                                    part: label(value.path, channel: channel)).result
            }
        }
        var results = pass()
        // A threshold reached by a later value applies to the earlier ones too: decide again with
        // the counts of the whole record (only when a threshold can matter: findings in two values).
        if results.filter({ !$0.findings.isEmpty }).count > 1, session.pipeline.rules.rules.contains(where: { $0.minInstances > 1 }) {
            results = pass()
        }
        var merged = ScanResult(channel: channel)
        for result in results {
            merged.findings.append(contentsOf: result.findings)
            merged.verdict = max(merged.verdict, result.verdict)
            merged.failures.append(contentsOf: result.failures)
            merged.failClosed = max(merged.failClosed, result.failClosed)
            if merged.failedDetector == nil { merged.failedDetector = result.failedDetector }
        }
        return RecordScan(merged: merged, values: results)
    }

    /// A field path as findings carry it: the text field named on the command line as it is,
    /// anything read from the input masked where a detector finds something in it.
    func label(_ path: String, channel: String) -> String {
        path == fields.text ? path : names.masked(path, session: session, channel: channel)
    }
}

/// Names read from an input (JSON member paths, CSV column names), masked once each: a name can
/// hold a value (`{"4111 1111 1111 1111": …}`) and reports must not repeat it.
final class QuotedNames {
    private var cache: [String: String] = [:]

    func masked(_ name: String, session: PipelineSession, channel: String) -> String {
        if let known = cache[name] { return known }
        let masked = session.masked(name, channel: channel)
        // Paths with array indices are many: keep the cache bounded.
        if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
        cache[name] = masked
        return masked
    }
}

/// The header row of a CSV input: column names (a UTF-8 byte-order mark before the first is
/// dropped), with every column of a repeated name.
struct CSVColumns {
    let names: [String]

    init(header raw: [UInt8]) {
        var header = CSVRecord(raw[...])
        if header.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { header = CSVRecord(raw.dropFirst(3)) }
        names = header.fields.indices.map { String(decoding: header.value($0) ?? [], as: UTF8.self) }
    }

    /// Every column named `name`, in order.
    func indices(_ name: String) -> [Int] { names.indices.filter { names[$0] == name } }

    /// The first column named `name`.
    func first(_ name: String) -> Int? { names.firstIndex(of: name) }

    /// A column's name (as read: findings mask it); a field past the header's last column, or
    /// one with an empty name, is `column N` (1-based).
    func name(_ index: Int) -> String {
        index < names.count && !names[index].isEmpty ? names[index] : "column \(index + 1)"
    }
}
