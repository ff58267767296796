/// One mailbox in an address header (`To`, `Cc`, …).
struct MailboxAddress: Sendable, Equatable {
    /// The addr-spec (`jane@example.com`), without angle brackets.
    var address: String
    /// Where the display name (or a trailing comment) sits in the unfolded raw value; nil when
    /// there is none. It may hold quotes and encoded words.
    var displayRange: Range<Int>?

    /// The lower-cased domain, or nil for a local name with no `@`.
    var domain: String? {
        // An ASCII address is searched as bytes (in ASCII only CR LF is a character of two
        // bytes, so the last `@` byte is the last `@` character); anything else by characters.
        let ascii = address.utf8.allSatisfy { $0 < 0x80 }
        guard let at = ascii ? address.utf8.lastIndex(of: UInt8(ascii: "@")) : address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...].trimmingWhitespace().lowercased()
        return domain.isEmpty ? nil : domain.hasSuffix(".") ? String(domain.dropLast()) : domain
    }
}

/// A small RFC 5322 address-list reader: display names, quoted strings, comments, angle
/// addresses and groups (`Team: a@x, b@y;`). Lenient: it never fails, it takes what it can.
enum AddressList {
    static func parse(_ raw: [UInt8]) -> [MailboxAddress] {
        var result: [MailboxAddress] = []
        var phraseStart: Int?
        var phraseEnd = 0
        var bare: [UInt8] = []
        var angle: String?
        var commentRange: Range<Int>?
        var i = 0
        func notePhrase(_ start: Int, _ end: Int) {
            if phraseStart == nil { phraseStart = start }
            phraseEnd = end
        }
        func flush() {
            let display = phraseStart.map { $0..<phraseEnd }
            if let angle {
                result.append(MailboxAddress(address: angle, displayRange: display))
            } else {
                let address = String(decoding: bare, as: UTF8.self).trimmingWhitespace()
                if !address.isEmpty {
                    // "jane@x (Jane Doe)": the comment is the display name.
                    result.append(MailboxAddress(address: address.split(separator: " ").first.map(String.init) ?? address,
                                                 displayRange: commentRange))
                }
            }
            phraseStart = nil
            bare = []
            angle = nil
            commentRange = nil
        }
        while i < raw.count {
            let byte = raw[i]
            switch byte {
            case UInt8(ascii: "\""):
                let start = i
                i += 1
                while i < raw.count, raw[i] != UInt8(ascii: "\"") {
                    if raw[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
                i = min(i + 1, raw.count)
                notePhrase(start, i)
                bare.append(contentsOf: raw[start..<i])
                continue
            case UInt8(ascii: "("):
                let start = i
                var depth = 0
                while i < raw.count {
                    if raw[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if raw[i] == UInt8(ascii: "(") { depth += 1 }
                    if raw[i] == UInt8(ascii: ")") { depth -= 1; if depth == 0 { i += 1; break } }
                    i += 1
                }
                i = min(i, raw.count)
                if start + 1 < i - 1 { commentRange = (start + 1)..<(i - 1) }
                continue
            case UInt8(ascii: "<"):
                let end = raw[i...].firstIndex(of: UInt8(ascii: ">")) ?? raw.count
                angle = String(decoding: raw[(i + 1)..<end], as: UTF8.self).trimmingWhitespace()
                i = min(end + 1, raw.count)
                continue
            case UInt8(ascii: ":") where angle == nil:
                // A group name: not a mailbox, and not scanned as a display name either.
                phraseStart = nil
                bare = []
            case UInt8(ascii: ","), UInt8(ascii: ";"):
                flush()
            case 32, 9:
                bare.append(byte)
            default:
                notePhrase(i, i + 1)
                bare.append(byte)
            }
            i += 1
        }
        flush()
        return result
    }

    /// The display name as text: quotes removed, escapes resolved, encoded words decoded.
    static func displayText(_ raw: ArraySlice<UInt8>) -> (text: [UInt8], decoded: EncodedWords.Decoded) {
        var unquoted: [UInt8] = []
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            if byte == UInt8(ascii: "\"") { i += 1; continue }
            if byte == UInt8(ascii: "\\"), i + 1 < raw.endIndex { unquoted.append(raw[i + 1]); i += 2; continue }
            unquoted.append(byte)
            i += 1
        }
        let decoded = EncodedWords.decode(unquoted)
        return (decoded.text, decoded)
    }

    /// A display name written back: as it is when it is a plain atom sequence, quoted when it
    /// holds specials, as encoded words when it is not ASCII.
    static func encodeDisplay(_ text: [UInt8], like decoded: EncodedWords.Decoded, lineEnding: [UInt8]) -> [UInt8] {
        let ascii = !text.contains { $0 >= 127 || $0 < 32 }
        if ascii {
            let specials = Array("()<>[]:;@\\,.\"".utf8)
            if !text.contains(where: { specials.contains($0) }) { return text }
            var out: [UInt8] = [UInt8(ascii: "\"")]
            for byte in text {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
            return out
        }
        let first = decoded.firstWord
        return EncodedWords.encode(text, charset: first?.charset ?? .utf8, encoding: first?.encoding ?? UInt8(ascii: "B"), lineEnding: lineEnding)
    }
}
