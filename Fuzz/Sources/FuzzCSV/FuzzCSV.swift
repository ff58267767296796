import FuzzSupport
import RedlineFormats

// The CSV record splitter and field rewriter. Invariants: the splitter advances and covers the
// input exactly; field ranges lie inside the record; replacing a field with its own decoded
// value keeps the number of fields and that value; the in-place splitter and decoder agree with
// the copying ones.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var records: [CSVRecord] = []
    var start = 0
    bytes.withUnsafeBufferPointer { buffer in
        while start < buffer.count {
            guard let extent = CSVRecord.nextRecord(in: buffer, from: start, atEnd: true) else {
                Fuzz.check(false, "no record at \(start) of \(buffer.count) at the end of input")
                return
            }
            let length = extent.length
            let breaks = buffer[start..<(start + length)].reduce(0) { $1 == 10 ? $0 + 1 : $0 }
            Fuzz.check(extent.lineBreaks == breaks, "record at \(start) counts \(extent.lineBreaks) line breaks, has \(breaks)")
            // Only the last record can be unterminated, and only when it has an odd number of quotes.
            let quotes = buffer[start..<(start + length)].reduce(0) { $1 == 34 ? $0 + 1 : $0 }
            Fuzz.check(extent.unterminated == (quotes % 2 == 1), "unterminated is \(extent.unterminated) with \(quotes) quotes")
            Fuzz.check(!extent.unterminated || start + length == buffer.count, "an unterminated record before the end")
            Fuzz.check(length > 0 && start + length <= buffer.count, "record length \(length) at \(start)")
            records.append(CSVRecord(bytes[start..<(start + length)]))
            start += length
        }
    }
    Fuzz.check(start == bytes.count, "the records do not cover the input")
    var fields: [CSVRecord.Field] = []
    for record in records {
        Fuzz.check(!record.fields.isEmpty, "a record without fields")
        // The in-place reader (`check`/`redact --input csv`) splits and decodes like the copy.
        record.bytes.withUnsafeBufferPointer { line in
            CSVRecord.split(line, into: &fields)
            Fuzz.check(fields.map(\.raw) == record.fields.map(\.raw) && fields.map(\.quoted) == record.fields.map(\.quoted),
                       "split in place differs from the copy's fields")
            for (index, field) in fields.enumerated() {
                var decoded: [UInt8] = []
                CSVRecord.decode(field, in: line, into: &decoded)
                Fuzz.check(decoded == record.value(index), "field \(index) decodes differently in place")
            }
        }
        for (index, field) in record.fields.enumerated() {
            Fuzz.check(field.raw.lowerBound >= 0 && field.raw.upperBound <= record.bytes.count, "field \(index) at \(field.raw)")
            guard let value = record.value(index) else { Fuzz.check(false, "field \(index) has no value"); continue }
            // Only well-formed quoting round-trips: a quoted field that ends with its quote, or a
            // plain field without quotes.
            let raw = record.bytes[field.raw]
            let wellFormed = field.quoted ? raw.count >= 2 && raw.last == 34 && wellFormedQuoted(raw) : !raw.contains(34)
            guard wellFormed else { continue }
            let rewritten = record.replacing(index, with: value)
            let again = CSVRecord(rewritten[...])
            Fuzz.check(again.fields.count == record.fields.count, "rewriting field \(index) changed the field count")
            Fuzz.check(again.value(index) == value, "rewriting field \(index) changed its value")
        }
    }
    return 0
}

/// `"…"` with every inner quote doubled.
func wellFormedQuoted(_ raw: ArraySlice<UInt8>) -> Bool {
    let inner = raw.dropFirst().dropLast()
    var i = inner.startIndex
    while i < inner.endIndex {
        if inner[i] == 34 {
            guard i + 1 < inner.endIndex, inner[i + 1] == 34 else { return false }
            i += 2
        } else {
            i += 1
        }
    }
    return true
}
