/// RFC 2047 encoded words (`=?utf-8?B?…?=`, `=?iso-8859-1?Q?…?=`) in header values.
enum EncodedWords {
    /// The result of decoding a header value.
    struct Decoded: Sendable {
        /// The text as UTF-8.
        var text: [UInt8]
        /// Charset and encoding ("B" or "Q") of the first encoded word, if there was one.
        var firstWord: (charset: Charset, encoding: UInt8)?
        /// Charset names that were unknown (decoded as windows-1252).
        var unknownCharsets: [String] = []
    }

    /// Decodes every encoded word in `raw`; white space between two adjacent encoded words is
    /// dropped (RFC 2047 section 6.2). Raw 8-bit bytes outside encoded words are taken as UTF-8.
    static func decode(_ raw: [UInt8]) -> Decoded {
        // No `=?`: nothing to decode, and nothing is copied (a long header costs its value once).
        if !raw.indices.dropLast().contains(where: { raw[$0] == UInt8(ascii: "=") && raw[$0 + 1] == UInt8(ascii: "?") }) {
            return Decoded(text: raw)
        }
        var result = Decoded(text: [])
        result.text.reserveCapacity(raw.count)
        var i = 0
        var pendingSpace: [UInt8] = []
        var lastWasWord = false
        while i < raw.count {
            if raw[i] == UInt8(ascii: "="), i + 1 < raw.count, raw[i + 1] == UInt8(ascii: "?"), let word = parseWord(raw, at: i) {
                if !lastWasWord { result.text.append(contentsOf: pendingSpace) }
                pendingSpace = []
                var charsetName = String(decoding: raw[word.charset], as: UTF8.self)
                if let star = charsetName.firstIndex(of: "*") { charsetName = String(charsetName[..<star]) }
                var charset = Charset.named(charsetName)
                if charset == nil {
                    result.unknownCharsets.append(charsetName)
                    charset = .windows1252
                }
                var problems = DecodeProblems()
                let bytes: [UInt8]
                if word.encoding == UInt8(ascii: "B") {
                    bytes = Base64.decode(raw[word.text], problems: &problems)
                } else {
                    let underscoresAsSpaces = raw[word.text].map { $0 == UInt8(ascii: "_") ? 32 : $0 }
                    bytes = QuotedPrintable.decode(underscoresAsSpaces[...], problems: &problems)
                }
                result.text.append(contentsOf: charset!.decode(bytes))
                if result.firstWord == nil { result.firstWord = (charset!, word.encoding) }
                lastWasWord = true
                i = word.end
                continue
            }
            let byte = raw[i]
            if byte == 32 || byte == 9 {
                pendingSpace.append(byte)
            } else {
                result.text.append(contentsOf: pendingSpace)
                pendingSpace = []
                result.text.append(byte)
                lastWasWord = false
            }
            i += 1
        }
        result.text.append(contentsOf: pendingSpace)
        return result
    }

    /// Parses `=?charset?X?text?=` at `start`; nil when it is not a well-formed encoded word.
    static func parseWord(_ raw: [UInt8], at start: Int) -> (charset: Range<Int>, encoding: UInt8, text: Range<Int>, end: Int)? {
        var i = start + 2
        let charsetStart = i
        while i < raw.count, raw[i] != UInt8(ascii: "?") {
            if raw[i] <= 32 || raw[i] >= 127 { return nil }
            i += 1
        }
        guard i + 2 < raw.count, i > charsetStart, raw[i + 2] == UInt8(ascii: "?") else { return nil }
        let encoding = raw[i + 1] & 0xDF // upper case
        guard encoding == UInt8(ascii: "B") || encoding == UInt8(ascii: "Q") else { return nil }
        let charset = charsetStart..<i
        i += 3
        let textStart = i
        while i + 1 < raw.count, !(raw[i] == UInt8(ascii: "?") && raw[i + 1] == UInt8(ascii: "=")) {
            if raw[i] <= 32 || raw[i] >= 127 { return nil }
            i += 1
        }
        guard i + 1 < raw.count else { return nil }
        return (charset, encoding, textStart..<i, i + 2)
    }

    /// Encodes `text` (UTF-8) as a header value. Pure printable ASCII without `=?` is written as it
    /// is; otherwise as encoded words in `charset` (UTF-8 when the charset cannot represent the
    /// text) of at most 75 characters, folded with `lineEnding` and a space.
    static func encode(_ text: [UInt8], charset: Charset = .utf8, encoding: UInt8 = UInt8(ascii: "B"), lineEnding: [UInt8]) -> [UInt8] {
        let plain = !text.contains { $0 >= 127 || ($0 < 32 && $0 != 9) }
            && !text.indices.contains { text[$0] == UInt8(ascii: "=") && $0 + 1 < text.count && text[$0 + 1] == UInt8(ascii: "?") }
        if plain { return text }
        var chosen = charset
        if chosen != .utf8 {
            let encoded = chosen.encode(text)
            if chosen.decode(encoded) != text { chosen = .utf8 }
        }
        let prefix = Array("=?\(chosen.name)?\(encoding == UInt8(ascii: "Q") ? "Q" : "B")?".utf8)
        var words: [[UInt8]] = []
        var chunk: [UInt8] = []
        // Split on character boundaries so that no word holds part of a multi-byte character.
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            var utf8: [UInt8] = []
            appendUTF8(scalar.value, to: &utf8)
            let piece = chosen.encode(utf8)
            let budget = encoding == UInt8(ascii: "Q") ? 17 : 39
            if chunk.count + piece.count > budget && !chunk.isEmpty {
                words.append(chunk)
                chunk = []
            }
            chunk.append(contentsOf: piece)
        }
        if !chunk.isEmpty { words.append(chunk) }
        var out: [UInt8] = []
        for (index, word) in words.enumerated() {
            if index > 0 { out.append(contentsOf: lineEnding); out.append(32) }
            out.append(contentsOf: prefix)
            if encoding == UInt8(ascii: "Q") {
                let hex = Array("0123456789ABCDEF".utf8)
                for byte in word {
                    if byte == 32 { out.append(UInt8(ascii: "_")) } else if (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) {
                        out.append(byte)
                    } else {
                        out.append(contentsOf: [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                    }
                }
            } else {
                out.append(contentsOf: Base64.encode(word, lineLength: 0))
            }
            out.append(contentsOf: Array("?=".utf8))
        }
        return out
    }
}
