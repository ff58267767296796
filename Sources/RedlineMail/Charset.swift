import Foundation

/// A MIME charset: decodes a part's bytes to UTF-8 for scanning and encodes redacted UTF-8 text
/// back. The single-byte tables (Latin-1, Latin-9, windows-1252) are built in and round-trip every
/// byte; other charsets go through the C library's iconv (GB18030, GBK, GB2312, Big5, UTF-7,
/// KOI8-R, Shift_JIS, ISO-2022-JP, UTF-16…), then Foundation; a name neither knows falls back to
/// windows-1252 with a diagnostic (a part is never skipped).
enum Charset: Sendable, Equatable {
    /// UTF-8 and US-ASCII: the bytes are scanned as they are (no lossy conversion).
    case utf8
    case latin1
    case latin9
    case windows1252
    case foundation(String.Encoding, name: String)
    case iconv(String)

    /// The canonical name written in re-encoded encoded words.
    var name: String {
        switch self {
        case .utf8: "UTF-8"
        case .latin1: "ISO-8859-1"
        case .latin9: "ISO-8859-15"
        case .windows1252: "windows-1252"
        case let .foundation(_, name): name
        case let .iconv(name): name
        }
    }

    /// The charset for a `charset=` value; nil when it is unknown. An empty name is UTF-8 (RFC 2045
    /// says US-ASCII, which UTF-8 contains; 8-bit bytes in such parts are usually UTF-8).
    static func named(_ raw: String) -> Charset? {
        // A name that starts and ends with a printable ASCII byte has no white space to trim
        // (Foundation's trimming costs several thousand instructions a call).
        let utf8 = raw.utf8
        let bare = utf8.first.map { $0 > 32 && $0 < 0x7F } == true && utf8.last.map { $0 > 32 && $0 < 0x7F } == true
        let name = (bare ? raw : raw.trimmingCharacters(in: .whitespaces)).lowercased()
        switch name {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "unicode-1-1-utf-8", "x-unknown":
            return .utf8
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819":
            return .latin1
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", "l9":
            return .latin9
        case "windows-1252", "cp1252", "x-cp1252", "win-1252":
            return .windows1252
        default:
            let plain = name.utf8.count <= 40 && name.utf8.allSatisfy {
                HTMLText.isLetter($0) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")
            }
            guard plain else { return nil }
            if Iconv.supports(name) { return .iconv(name) }
            guard let encoding = String.Encoding(ianaName: name) else { return nil }
            // Probe: Foundation must be able to decode ASCII in it.
            guard String(data: Data("a".utf8), encoding: encoding) != nil else { return nil }
            return .foundation(encoding, name: raw.trimmingCharacters(in: .whitespaces))
        }
    }

    /// Decodes to UTF-8. Single-byte tables map every byte (undefined windows-1252 bytes go to the
    /// C1 control of the same value), so encoding the result gives the input back.
    func decode(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .utf8:
            return bytes
        case .latin1, .latin9, .windows1252:
            if !bytes.contains(where: { $0 >= 0x80 }) { return bytes }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 8)
            for byte in bytes {
                if byte < 0x80 { out.append(byte); continue }
                appendUTF8(scalar(for: byte), to: &out)
            }
            return out
        case let .foundation(encoding, _):
            if let text = String(data: Data(bytes), encoding: encoding) { return Array(text.utf8) }
            return Charset.windows1252.decode(bytes)
        case let .iconv(name):
            return Iconv.decode(bytes, from: name) ?? Charset.windows1252.decode(bytes)
        }
    }

    /// Encodes UTF-8 text; characters the charset cannot represent become `?`.
    func encode(_ utf8: [UInt8]) -> [UInt8] {
        switch self {
        case .utf8:
            return utf8
        case .latin1, .latin9, .windows1252:
            if !utf8.contains(where: { $0 >= 0x80 }) { return utf8 }
            let reverse = reverseTable()
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count)
            for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
                if scalar.value < 0x80 { out.append(UInt8(scalar.value)) } else { out.append(reverse[scalar.value] ?? 0x3F) }
            }
            return out
        case let .foundation(encoding, _):
            let text = String(decoding: utf8, as: UTF8.self)
            if let data = text.data(using: encoding, allowLossyConversion: true) { return Array(data) }
            return Array(text.utf8)
        case let .iconv(name):
            return Iconv.encode(utf8, to: name) ?? utf8
        }
    }

    /// The Unicode scalar value of a byte ≥ 0x80 in a single-byte charset.
    func scalar(for byte: UInt8) -> UInt32 {
        switch self {
        case .latin9:
            return Charset.latin9Differences[byte] ?? UInt32(byte)
        case .windows1252:
            if byte >= 0x80 && byte < 0xA0 {
                let value = Charset.windows1252High[Int(byte - 0x80)]
                return value == 0 ? UInt32(byte) : value
            }
            return UInt32(byte)
        default:
            return UInt32(byte)
        }
    }

    private func reverseTable() -> [UInt32: UInt8] {
        var table: [UInt32: UInt8] = [:]
        for byte in UInt8(0x80)...UInt8(0xFF) { table[scalar(for: byte)] = byte }
        return table
    }

    /// ISO-8859-15 differs from ISO-8859-1 in eight code points.
    static let latin9Differences: [UInt8: UInt32] = [
        0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D,
        0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178,
    ]

    /// windows-1252 0x80…0x9F (0 = undefined, mapped to the C1 control of the same value).
    static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]
}

/// Appends the UTF-8 encoding of a scalar value (invalid values become U+FFFD).
func appendUTF8(_ value: UInt32, to out: inout [UInt8]) {
    let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
    var buffer: [UInt8] = []
    UTF8.encode(scalar) { buffer.append($0) }
    out.append(contentsOf: buffer)
}
