import RedlineCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON string decoding and encoding on UTF-8 bytes.
public enum JSONString {
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 48...57: return UInt32(byte - 48)
        case 65...70: return UInt32(byte - 55)
        case 97...102: return UInt32(byte - 87)
        default: return nil
        }
    }

    /// Decodes a quoted JSON string (quotes included) to UTF-8. Lone surrogates become U+FFFD.
    /// Runs without escapes are copied in one piece.
    public static func decode(_ quoted: ArraySlice<UInt8>) -> [UInt8] {
        quoted.withUnsafeBufferPointer { buffer -> [UInt8] in
            guard buffer.count >= 2 else { return [] }
            let body = UnsafeBufferPointer(rebasing: buffer[1..<(buffer.count - 1)])
            // Most strings have no escape: one copy.
            guard let base = body.baseAddress, memchr(base, 92, body.count) != nil else { return Array(body) }
            var out: [UInt8] = []
            out.reserveCapacity(body.count)
            appendDecoded(body, to: &out)
            return out
        }
    }

    /// Decodes a quoted JSON string (quotes included) and appends it to `out` (a caller reusing
    /// one buffer allocates nothing).
    public static func decode(_ quoted: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard quoted.count >= 2 else { return }
        appendDecoded(UnsafeBufferPointer(rebasing: quoted[1..<(quoted.count - 1)]), to: &out)
    }

    /// Decodes a quoted JSON string (quotes included) in pieces of about `pieceSize` decoded
    /// bytes, handing each to `body` (a buffer reused from piece to piece): a long string is never
    /// decoded whole. Pieces end between escapes (a surrogate pair stays together) and between
    /// UTF-8 sequences, so their concatenation is ``decode(_:)``'s result.
    public static func forEachDecodedPiece(_ quoted: UnsafeBufferPointer<UInt8>, pieceSize: Int, _ body: ([UInt8]) -> Void) {
        guard quoted.count >= 2 else { return }
        let raw = UnsafeBufferPointer(rebasing: quoted[1..<(quoted.count - 1)])
        var piece: [UInt8] = []
        var start = 0
        while start < raw.count {
            let end = cut(raw, from: start, target: start + max(pieceSize, 16))
            piece.removeAll(keepingCapacity: true)
            appendDecoded(UnsafeBufferPointer(rebasing: raw[start..<end]), to: &piece)
            body(piece)
            start = end
        }
    }

    /// Where a piece of the string body starting at `start` (an escape boundary) may end, at or
    /// before `target`: never inside an escape or a surrogate pair of escapes, never inside a
    /// UTF-8 sequence.
    static func cut(_ raw: UnsafeBufferPointer<UInt8>, from start: Int, target: Int) -> Int {
        guard target < raw.count, let base = raw.baseAddress else { return raw.count }
        func highSurrogate(_ at: Int) -> Bool {
            guard at + 6 <= raw.count, raw[at + 1] == UInt8(ascii: "u"), raw[at + 2] | 0x20 == UInt8(ascii: "d") else { return false }
            let digit = raw[at + 3] | 0x20
            return digit == UInt8(ascii: "8") || digit == UInt8(ascii: "9") || digit == UInt8(ascii: "a") || digit == UInt8(ascii: "b")
        }
        var cut = target
        var index = start
        while index < target, let found = memchr(base + index, 92, target - index) {
            let escape = UnsafeRawPointer(found) - UnsafeRawPointer(base)
            var length = escape + 1 < raw.count && raw[escape + 1] == UInt8(ascii: "u") ? 6 : 2
            // A high surrogate stays with the escape after it (its low half).
            if highSurrogate(escape), escape + 7 < raw.count, raw[escape + 6] == 92, raw[escape + 7] == UInt8(ascii: "u") { length = 12 }
            if escape + length > target {
                cut = escape
                break
            }
            index = escape + length
        }
        while cut > start, raw[cut] & 0xC0 == 0x80 { cut -= 1 }
        // Only a run of stray continuation bytes (invalid UTF-8) can bring the cut back to the
        // start (escapes are shorter than a piece): cut inside it.
        return cut > start ? cut : target
    }

    /// Appends the decoded string body (between the quotes). Runs without escapes are copied in
    /// one piece.
    private static func appendDecoded(_ body: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let base = body.baseAddress else { return }
        var index = 0
        let end = body.count
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= end else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                guard let digit = hexValue(body[at + offset]) else { return nil }
                value = value * 16 + digit
            }
            return value
        }
        while index < end {
            let run: Int
            if let found = memchr(base + index, 92, end - index) {
                run = UnsafeRawPointer(found) - UnsafeRawPointer(base)
            } else {
                run = end
            }
            if run > index { out.append(contentsOf: UnsafeBufferPointer(rebasing: body[index..<run])) }
            index = run
            guard index < end else { break }
            guard index + 1 < end else { out.append(92); break }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                guard var value = hex4(index) else { out.append(contentsOf: [0xEF, 0xBF, 0xBD]); continue }
                index += 4
                if (0xD800...0xDBFF).contains(value), index + 6 <= end, body[index] == 92,
                   body[index + 1] == UInt8(ascii: "u"), let low = hex4(index + 2), (0xDC00...0xDFFF).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                out.append(contentsOf: String(scalar).utf8)
            default:
                out.append(escape)
            }
        }
    }

    /// Encodes UTF-8 bytes as a quoted JSON string. Invalid UTF-8 becomes U+FFFD, so the output is
    /// always valid UTF-8; control characters are escaped.
    public static func encode<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(bytes.count + 2)
        let text = String(decoding: bytes, as: UTF8.self)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let digits = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    public static func encode(_ string: String) -> String { JSONText.quoted(string) }
}
