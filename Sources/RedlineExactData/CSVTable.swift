/// A streaming RFC 4180 reader over bytes in memory (a mapped file): records may span lines
/// inside quoted fields, `""` is a quote inside a quoted field, records end with LF or CRLF, and a
/// UTF-8 byte order mark at the start is skipped. Lenient where RFC 4180 is silent: a quote inside
/// an unquoted field is kept as is, and text after a closing quote is appended to the field.
///
/// Each record's fields are decoded into one reused buffer, so reading a million rows allocates
/// almost nothing. Every record is checked to be valid UTF-8.
public struct CSVTable {
    private let buffer: UnsafeBufferPointer<UInt8>
    private var position: Int
    /// 1-based line on which the next record starts.
    public private(set) var line = 1
    /// Decoded bytes of the current record's fields.
    public private(set) var storage: [UInt8] = []
    /// Ranges of the current record's fields in ``storage``.
    public private(set) var fields: [Range<Int>] = []
    /// Line on which the current record started.
    public private(set) var recordLine = 0

    public init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        position = buffer.count >= 3 && buffer.prefix(3).elementsEqual(bom) ? 3 : 0
    }

    /// Offset of the next unread byte (for progress).
    public var offset: Int { position }

    /// Reads the next record. Returns false at the end of input. Throws on bytes that are not UTF-8.
    public mutating func next() throws(EDMError) -> Bool {
        guard position < buffer.count else { return false }
        storage.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        recordLine = line
        let start = position
        var fieldStart = 0
        var inQuotes = false
        var atFieldStart = true
        var index = position
        let count = buffer.count
        var ended = false
        while index < count {
            // Runs of ordinary bytes are copied in one piece.
            var run = index
            if inQuotes {
                while run < count, buffer[run] != 34 {
                    if buffer[run] == 10 { line += 1 }
                    run += 1
                }
            } else {
                while run < count, !CSVTable.isSpecial(buffer[run]) { run += 1 }
            }
            if run > index {
                storage.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<run]))
                if !inQuotes { atFieldStart = false }
                index = run
                continue
            }
            let byte = buffer[index]
            if inQuotes {
                if byte == 34 {
                    if index + 1 < count && buffer[index + 1] == 34 {
                        storage.append(34)
                        index += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if byte == 10 { line += 1 }
                    storage.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case 44:
                fields.append(fieldStart..<storage.count)
                fieldStart = storage.count
                atFieldStart = true
                index += 1
                continue
            case 10:
                line += 1
                index += 1
                ended = true
            case 13 where index + 1 < count && buffer[index + 1] == 10:
                line += 1
                index += 2
                ended = true
            case 34 where atFieldStart:
                inQuotes = true
                index += 1
            default:
                storage.append(byte)
                index += 1
            }
            if ended { break }
            atFieldStart = false
        }
        fields.append(fieldStart..<storage.count)
        position = index
        if !UTF8Check.isValid(UnsafeBufferPointer(rebasing: buffer[start..<index])) {
            throw EDMError(.notUTF8, "the file is not valid UTF-8", line: recordLine)
        }
        return true
    }

    /// Bytes that end a run outside quotes: comma, line feed, carriage return, quote.
    @inline(__always)
    static func isSpecial(_ byte: UInt8) -> Bool { byte == 44 || byte == 10 || byte == 13 || byte == 34 }

    /// Whether the current record is a blank line (one empty field).
    public var isBlank: Bool { fields.count == 1 && fields[0].isEmpty }

    /// Calls `body` with the bytes of field `index` of the current record.
    @inline(__always)
    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[fields[index]])) }
    }

    /// Field `index` of the current record as a string.
    public func string(_ index: Int) -> String {
        storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[fields[index]]), as: UTF8.self) }
    }
}

/// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
public enum UTF8Check {
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        let base = bytes.baseAddress
        while index < count {
            if let base, index + 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            var length = 0
            var minimum: UInt32 = 0
            var scalar: UInt32 = 0
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07); minimum = 0x10000
            default: return false
            }
            guard index + length <= count else { return false }
            for offset in 1..<length {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return false }
            index += length
        }
        return true
    }
}
