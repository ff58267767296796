#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 4180 CSV: records may span lines inside quoted fields; `""` escapes a quote.
/// A record keeps its raw bytes, so rewriting one field leaves the others byte-identical.
public struct CSVRecord: Sendable {
    public struct Field: Sendable {
        /// Raw range in the record bytes (quotes included).
        public var raw: Range<Int>
        public var quoted: Bool
    }

    /// The record's bytes without its line terminator.
    public let bytes: [UInt8]
    /// The terminator as read (`\r\n`, `\n` or empty at end of input).
    public let terminator: [UInt8]
    public let fields: [Field]

    /// Length of the next complete record in `buffer` (terminator included), or nil when more input
    /// is needed. With `atEnd`, the rest of the buffer is one record.
    public static func nextRecordLength(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, atEnd: Bool) -> Int? {
        nextRecord(in: buffer, from: start, atEnd: atEnd)?.length
    }

    /// Where the next record ends, as ``nextRecord(in:from:atEnd:)`` finds it.
    public struct Extent: Sendable, Equatable {
        /// Bytes, terminator included.
        public var length: Int
        /// Line breaks inside it, its terminator included (a quoted field can hold some).
        public var lineBreaks: Int
        /// A quoted field is still open at the end of the input: the "record" is the rest of the
        /// input swallowed by a stray quote, not a record.
        public var unterminated: Bool

        public init(length: Int, lineBreaks: Int, unterminated: Bool) {
            self.length = length
            self.lineBreaks = lineBreaks
            self.unterminated = unterminated
        }
    }

    /// The next complete record in `buffer`, or nil when more input is needed. With `atEnd`, the
    /// rest of the buffer is one record, and ``Extent/unterminated`` says whether a quote is open.
    public static func nextRecord(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, atEnd: Bool) -> Extent? {
        let count = buffer.count
        guard let base = buffer.baseAddress, start < count else { return nil }
        var inQuotes = false
        var index = start
        var lineBreaks = 0
        while index < count {
            if !inQuotes {
                // Outside quotes: the next line break ends the record; a quote opens quotes.
                let found = nextByte(base, from: index, count: count, 10, 34)
                if found == count { index = count; break }
                if base[found] == 10 { return Extent(length: found + 1 - start, lineBreaks: lineBreaks + 1, unterminated: false) }
                inQuotes = true
                index = found + 1
            } else {
                // Inside quotes: to the closing quote, counting the line breaks on the way.
                let close = memchr(base + index, 34, count - index).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? count
                var at = index
                while at < close, let newline = memchr(base + at, 10, close - at) {
                    lineBreaks += 1
                    at = UnsafeRawPointer(newline) - UnsafeRawPointer(base) + 1
                }
                if close == count { index = count; break }
                inQuotes = false
                index = close + 1
            }
        }
        return atEnd && index > start ? Extent(length: index - start, lineBreaks: lineBreaks, unterminated: inQuotes) : nil
    }

    /// The first byte equal to `a` or `b` at or after `from`, or `count`: eight bytes at a time.
    static func nextByte(_ base: UnsafePointer<UInt8>, from: Int, count: Int, _ a: UInt8, _ b: UInt8) -> Int {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let wordA = ones &* UInt64(a), wordB = ones &* UInt64(b)
        while i + 8 <= count {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let x = word ^ wordA, y = word ^ wordB
            if (((x &- ones) & ~x) | ((y &- ones) & ~y)) & high != 0 { break }
            i += 8
        }
        while i < count {
            if base[i] == a || base[i] == b { return i }
            i += 1
        }
        return count
    }

    public init(_ line: ArraySlice<UInt8>) {
        var body = Array(line)
        var terminator: [UInt8] = []
        if body.last == 10 {
            body.removeLast()
            terminator = [10]
            if body.last == 13 {
                body.removeLast()
                terminator = [13, 10]
            }
        }
        self.bytes = body
        self.terminator = terminator
        var fields: [Field] = []
        var start = 0
        var index = 0
        var inQuotes = false
        while index <= body.count {
            if index == body.count || (body[index] == UInt8(ascii: ",") && !inQuotes) {
                let quoted = index > start && body[start] == UInt8(ascii: "\"")
                fields.append(Field(raw: start..<index, quoted: quoted))
                start = index + 1
            } else if body[index] == UInt8(ascii: "\"") {
                inQuotes.toggle()
            }
            index += 1
        }
        self.fields = fields
    }

    /// Decoded value of field `index` (quotes removed, `""` → `"`).
    public func value(_ index: Int) -> [UInt8]? {
        guard index < fields.count else { return nil }
        let field = fields[index]
        let raw = bytes[field.raw]
        guard field.quoted, raw.count >= 2 else { return Array(raw) }
        var out: [UInt8] = []
        var i = raw.startIndex + 1
        let end = raw.last == UInt8(ascii: "\"") ? raw.endIndex - 1 : raw.endIndex
        while i < end {
            if raw[i] == UInt8(ascii: "\""), i + 1 < end, raw[i + 1] == UInt8(ascii: "\"") {
                out.append(UInt8(ascii: "\""))
                i += 2
            } else {
                out.append(raw[i])
                i += 1
            }
        }
        return out
    }

    /// The record (terminator included) with field `index` replaced by `value`, quoted when needed.
    public func replacing(_ index: Int, with value: [UInt8]) -> [UInt8] {
        guard index < fields.count else { return bytes + terminator }
        var out = Array(bytes[..<fields[index].raw.lowerBound])
        out.append(contentsOf: CSVRecord.encodeField(value, forceQuotes: fields[index].quoted))
        out.append(contentsOf: bytes[fields[index].raw.upperBound...])
        return out + terminator
    }

    /// The record (terminator included) with each field index replaced by its value, quoted when
    /// needed; every other byte kept.
    public func replacing(_ replacements: [(index: Int, value: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + terminator.count)
        var cursor = 0
        for replacement in replacements.sorted(by: { $0.index < $1.index }) where replacement.index < fields.count {
            let field = fields[replacement.index]
            guard field.raw.lowerBound >= cursor else { continue }
            out.append(contentsOf: bytes[cursor..<field.raw.lowerBound])
            out.append(contentsOf: CSVRecord.encodeField(replacement.value, forceQuotes: field.quoted))
            cursor = field.raw.upperBound
        }
        out.append(contentsOf: bytes[cursor...])
        return out + terminator
    }

    /// One field, quoted if it contains a comma, quote or line break (or if asked to).
    public static func encodeField(_ value: [UInt8], forceQuotes: Bool = false) -> [UInt8] {
        let needs = forceQuotes || value.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needs else { return value }
        var out: [UInt8] = [34]
        for byte in value {
            if byte == 34 { out.append(34) }
            out.append(byte)
        }
        out.append(34)
        return out
    }

    /// A cell for a spreadsheet: quoted as needed, with a leading `'` when it starts with
    /// `=`, `+`, `-`, `@`, tab or CR (formula injection).
    public static func spreadsheetCell(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { value = "'" + value }
        return String(decoding: encodeField(Array(value.utf8)), as: UTF8.self)
    }
}
