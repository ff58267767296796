#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CSV records read where they lie: the fields of a record in a reader's buffer, split as
/// ``CSVRecord/init(_:)`` splits them and decoded as ``CSVRecord/value(_:)`` decodes them, without
/// copying the record (a reader reuses `fields` and the decoded buffer from record to record).
extension CSVRecord {
    /// Splits `line` (a record without its terminator) into `fields` (emptied first): commas
    /// outside quotes separate fields; a field is quoted when it starts with a quote.
    public static func split(_ line: UnsafeBufferPointer<UInt8>, into fields: inout [Field]) {
        fields.removeAll(keepingCapacity: true)
        let count = line.count
        guard let base = line.baseAddress, count > 0 else {
            fields.append(Field(raw: 0..<0, quoted: false))
            return
        }
        var start = 0
        var index = 0
        while true {
            // Outside quotes: the next comma or quote.
            let found = nextByte(base, from: index, count: count, UInt8(ascii: ","), UInt8(ascii: "\""))
            if found == count || base[found] == UInt8(ascii: ",") {
                fields.append(Field(raw: start..<found, quoted: found > start && base[start] == UInt8(ascii: "\"")))
                if found == count { return }
                start = found + 1
                index = start
                continue
            }
            // Inside quotes (a doubled quote closes and reopens them): to the closing quote.
            guard let close = memchr(base + found + 1, 34, count - found - 1) else {
                // Open to the end: the rest is the last field.
                fields.append(Field(raw: start..<count, quoted: base[start] == UInt8(ascii: "\"")))
                return
            }
            index = UnsafeRawPointer(close) - UnsafeRawPointer(base) + 1
        }
    }

    /// Appends the decoded value of `field` of `line` to `out`: quotes removed and `""` read as
    /// `"` for a quoted field, the bytes as they are otherwise.
    public static func decode(_ field: Field, in line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let raw = UnsafeBufferPointer(rebasing: line[field.raw])
        guard field.quoted, raw.count >= 2, let base = raw.baseAddress else {
            out.append(contentsOf: raw)
            return
        }
        var i = 1
        let end = raw[raw.count - 1] == UInt8(ascii: "\"") ? raw.count - 1 : raw.count
        while i < end {
            let run = memchr(base + i, 34, end - i).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? end
            if run > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<run])) }
            guard run < end else { break }
            out.append(UInt8(ascii: "\""))
            // A doubled quote stands for one; a lone one is kept as it is.
            i = run + 1 < end && raw[run + 1] == UInt8(ascii: "\"") ? run + 2 : run + 1
        }
    }
}
