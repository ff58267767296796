/// A JSON string literal for a Swift string: quotes, backslashes and control characters escaped.
/// The one escaper behind every hand-written JSON line (reports, audit records, milter logs).
public enum JSONText {
    public static func quoted(_ value: String) -> String {
        var out: [UInt8] = []
        appendQuoted(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `value` as a JSON string literal to UTF-8 bytes (no intermediate `String`).
    /// Only ASCII bytes are ever escaped, so every other character passes through unchanged.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            // Grow geometrically: an exact reservation per call would copy a long line every time.
            let needed = out.count + bytes.count + 2
            if out.capacity < needed { out.reserveCapacity(max(needed, out.capacity * 2)) }
            out.append(34)
            var run = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 34 || byte == 92 || byte == 0x7F {
                if index > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index])) }
                run = index + 1
                out.append(92)
                switch byte {
                case 34: out.append(34)
                case 92: out.append(92)
                case 10: out.append(UInt8(ascii: "n"))
                case 13: out.append(UInt8(ascii: "r"))
                case 9: out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), 48, 48, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
                }
            }
            if bytes.count > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
            out.append(34)
        }
    }

    /// Appends the decimal digits of `value` (no `String` in between).
    public static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = 24
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            // Byte by byte: appending the raw buffer's slice went through the generic sequence path.
            for index in start..<24 { out.append(buffer[index]) }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
