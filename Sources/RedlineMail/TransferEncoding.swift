/// Content-Transfer-Encoding: decoding for scanning, encoding after redaction.
enum TransferEncoding: Sendable, Equatable {
    case identity      // 7bit, 8bit, binary, or absent
    case quotedPrintable
    case base64
    /// An encoding the parser does not know: scanned as identity, with a diagnostic.
    case unknown(String)

    /// Reads the value as mail clients do: RFC 822 comments (`base64 (encoded)`) and quotes
    /// (`"base64"`) are removed, then the first word is the encoding.
    init(headerValue: String?) {
        let value = TransferEncoding.token(headerValue ?? "")
        switch value {
        case "", "7bit", "8bit", "binary": self = .identity
        case "quoted-printable": self = .quotedPrintable
        case "base64": self = .base64
        default: self = .unknown(value)
        }
    }
}

extension TransferEncoding {
    /// The lower-cased first word of a header value, comments and quotes removed. Nested comments
    /// are followed to any depth with a counter (no recursion).
    static func token(_ value: String) -> String {
        var out: [UInt8] = []
        var depth = 0
        var escaped = false
        for byte in value.utf8 {
            if escaped { escaped = false; if depth == 0 { out.append(byte) }; continue }
            switch byte {
            case UInt8(ascii: "\\"): escaped = true
            case UInt8(ascii: "("): depth += 1; out.append(32)
            case UInt8(ascii: ")"): if depth > 0 { depth -= 1 }
            case UInt8(ascii: "\""): if depth == 0 { out.append(32) }
            default: if depth == 0 { out.append(byte) }
            }
        }
        let words = String(decoding: out, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == ";" })
        return words.first.map { $0.lowercased() } ?? ""
    }
}

/// Problems found while decoding, reported as diagnostics by the caller.
struct DecodeProblems: Sendable {
    var invalidEscapes = 0
    var invalidCharacters = 0
    var truncated = false
    var isEmpty: Bool { invalidEscapes == 0 && invalidCharacters == 0 && !truncated }
}

enum QuotedPrintable {
    /// Decodes quoted-printable. Soft line breaks (`=` at the end of a line) are removed; an `=` not
    /// followed by two hex digits is kept literally and counted.
    static func decode(_ input: ArraySlice<UInt8>, problems: inout DecodeProblems) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = input.startIndex
        let end = input.endIndex
        while i < end {
            let byte = input[i]
            guard byte == UInt8(ascii: "=") else { out.append(byte); i += 1; continue }
            // Soft line break: "=" then optional trailing blanks then LF or CRLF (or the end).
            var j = i + 1
            while j < end, input[j] == 32 || input[j] == 9 { j += 1 }
            if j == end { i = end; continue }
            if input[j] == 10 { i = j + 1; continue }
            if input[j] == 13, j + 1 < end, input[j + 1] == 10 { i = j + 2; continue }
            if i + 2 < end, let high = hexValue(input[i + 1]), let low = hexValue(input[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                problems.invalidEscapes += 1
                out.append(byte)
                i += 1
            }
        }
        return out
    }

    /// Encodes with hard line breaks kept as they are (LF or CRLF) and soft breaks so that no
    /// line is longer than 76 characters.
    static func encode(_ input: [UInt8], lineEnding: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + input.count / 8)
        var lineLength = 0
        var i = 0
        let hex = Array("0123456789ABCDEF".utf8)
        func emit(_ token: [UInt8]) {
            if lineLength + token.count > 75 {
                out.append(UInt8(ascii: "="))
                out.append(contentsOf: lineEnding)
                lineLength = 0
            }
            out.append(contentsOf: token)
            lineLength += token.count
        }
        var atLineStart = true
        while i < input.count {
            let byte = input[i]
            if byte == 10 || (byte == 13 && i + 1 < input.count && input[i + 1] == 10) {
                out.append(contentsOf: byte == 13 ? [13, 10] : [10])
                i += byte == 13 ? 2 : 1
                lineLength = 0
                atLineStart = true
                continue
            }
            let next = i + 1 < input.count ? input[i + 1] : 10
            let beforeBreak = next == 10 || (next == 13 && i + 2 < input.count && input[i + 2] == 10) || i + 1 == input.count
            let fromLine = atLineStart && byte == UInt8(ascii: "F") && input[i...].starts(with: Array("From ".utf8))
            let dotLine = atLineStart && byte == UInt8(ascii: ".")
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=") && !fromLine && !dotLine)
                || ((byte == 32 || byte == 9) && !beforeBreak)
            if literal {
                emit([byte])
            } else {
                emit([UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
            atLineStart = false
            i += 1
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Decodes base64, skipping line breaks and white space. Other characters are skipped and
    /// counted; input that stops mid-quantum is decoded as far as it goes and marked truncated.
    static func decode(_ input: ArraySlice<UInt8>, problems: inout DecodeProblems) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var count = 0
        var padded = false
        for byte in input {
            if byte == UInt8(ascii: "=") { padded = true; continue }
            let value = decodeTable[Int(byte)]
            if value == 0xFF {
                if byte != 10 && byte != 13 && byte != 32 && byte != 9 { problems.invalidCharacters += 1 }
                continue
            }
            if padded { problems.invalidCharacters += 1; padded = false }
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        switch count {
        case 2:
            out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
            if !padded { problems.truncated = true }
        case 3:
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
            if !padded { problems.truncated = true }
        case 1:
            problems.truncated = true
        default:
            break
        }
        return out
    }

    /// Encodes in lines of `lineLength` characters (0 = one line) separated by `lineEnding`.
    static func encode(_ input: [UInt8], lineLength: Int = 76, lineEnding: [UInt8] = [13, 10]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 4 / 3 + input.count / 40 + 4)
        var column = 0
        func put(_ byte: UInt8) {
            if lineLength > 0 && column == lineLength {
                out.append(contentsOf: lineEnding)
                column = 0
            }
            out.append(byte)
            column += 1
        }
        var i = 0
        while i + 3 <= input.count {
            let value = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            put(alphabet[Int(value >> 18 & 63)]); put(alphabet[Int(value >> 12 & 63)])
            put(alphabet[Int(value >> 6 & 63)]); put(alphabet[Int(value & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            let value = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            put(alphabet[Int(value >> 18 & 63)]); put(alphabet[Int(value >> 12 & 63)])
            put(rest == 2 ? alphabet[Int(value >> 6 & 63)] : UInt8(ascii: "=")); put(UInt8(ascii: "="))
        }
        return out
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CRs and LFs. The rest is copied in one piece
    /// (rebuilding it scalar by scalar cost more than the MIME parsing around it).
    func trimmingWhitespace() -> String {
        let text = Substring(self)
        let scalars = text.unicodeScalars
        func space(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, space(scalars[start]) { start = scalars.index(after: start) }
        while end > start, space(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        // Sliced as scalars: a range of a Substring would round to whole characters (a space
        // carrying a combining mark would stay).
        return String(scalars[start..<end])
    }
}
