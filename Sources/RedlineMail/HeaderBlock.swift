import RedlineCore

/// One header field as it sits in the message: byte ranges into the message, never copied, so an
/// untouched field is written back byte for byte.
struct HeaderField: Sendable {
    /// The field name as written.
    var name: String
    /// The whole field, folded lines included, with its final line ending.
    var range: Range<Int>
    /// From just after the colon to the end of the last line, without the final line ending.
    var valueRange: Range<Int>

    var lowercasedName: String { name.lowercased() }

    /// The unfolded value: line breaks removed (folding white space kept), leading blanks trimmed.
    func unfoldedValue(in bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(valueRange.count)
        var leading = true
        for byte in bytes[valueRange] where byte != 13 && byte != 10 {
            if leading && (byte == 32 || byte == 9) { continue }
            leading = false
            out.append(byte)
        }
        return out
    }

    func value(in bytes: [UInt8]) -> String { String(decoding: unfoldedValue(in: bytes), as: UTF8.self) }
}

/// The header section of a message or body part.
struct HeaderBlock: Sendable {
    var fields: [HeaderField] = []
    /// Where the header section ends: the blank line (or the body, when there is none).
    var end: Int
    /// Where the body starts (after the blank line).
    var bodyStart: Int
    /// The line ending the header section uses (CRLF or LF).
    var lineEnding: [UInt8]

    func first(_ lowercasedName: String) -> HeaderField? { fields.first { $0.lowercasedName == lowercasedName } }
}

enum HeaderParser {
    /// RFC 5322 limits a line to 998 characters; longer lines are reported (and still read).
    static let lineLimit = 998

    /// Reads the header section starting at `range.lowerBound`. A line that is neither a field nor a
    /// continuation ends the header section (as Postfix does), with a diagnostic.
    static func parse(_ bytes: [UInt8], range: Range<Int>, label: String, diagnostics: inout [Diagnostic]) -> HeaderBlock {
        var block = HeaderBlock(end: range.upperBound, bodyStart: range.upperBound, lineEnding: [13, 10])
        var sawLineEnding = false
        var position = range.lowerBound
        var reportedLong = false
        while position < range.upperBound {
            let lineEnd = bytes[position..<range.upperBound].firstIndex(of: 10) ?? range.upperBound
            let next = lineEnd < range.upperBound ? lineEnd + 1 : range.upperBound
            let contentEnd = lineEnd > position && lineEnd < range.upperBound && bytes[lineEnd - 1] == 13 ? lineEnd - 1 : lineEnd
            if !sawLineEnding && lineEnd < range.upperBound {
                block.lineEnding = contentEnd < lineEnd ? [13, 10] : [10]
                sawLineEnding = true
            }
            if contentEnd - position > lineLimit && !reportedLong {
                diagnostics.append(Diagnostic(.warning, code: MailCode.longHeaderLine,
                    "\(label): header line of \(contentEnd - position) bytes (the limit is \(lineLimit)); read in full"))
                reportedLong = true
            }
            if contentEnd == position {
                // The blank line ending the header section.
                block.end = position
                block.bodyStart = next
                return block
            }
            let first = bytes[position]
            if first == 32 || first == 9 {
                if var last = block.fields.popLast() {
                    last.range = last.range.lowerBound..<next
                    last.valueRange = last.valueRange.lowerBound..<contentEnd
                    block.fields.append(last)
                }
                // A continuation before any field is ignored (kept byte-identical in the output).
                position = next
                continue
            }
            if let colon = bytes[position..<contentEnd].firstIndex(of: UInt8(ascii: ":")), colon > position,
               !bytes[position..<colon].contains(where: { $0 <= 32 || $0 >= 127 }) {
                let name = String(decoding: bytes[position..<colon], as: UTF8.self)
                block.fields.append(HeaderField(name: name, range: position..<next, valueRange: (colon + 1)..<contentEnd))
                position = next
                continue
            }
            if position == range.lowerBound && bytes[position..<contentEnd].starts(with: Array("From ".utf8)) {
                position = next   // an mbox "From " line left on the message
                continue
            }
            diagnostics.append(Diagnostic(.warning, code: MailCode.malformedHeader,
                "\(label): a line in the header section is not a header field; the body is taken to start there"))
            block.end = position
            block.bodyStart = position
            return block
        }
        block.end = range.upperBound
        block.bodyStart = range.upperBound
        return block
    }
}

/// A parsed `Content-Type` or `Content-Disposition` value: a token and its parameters.
struct HeaderParameters: Sendable {
    /// The lower-cased value before the first `;` (e.g. `text/plain`, `attachment`).
    var token: String
    /// Lower-cased parameter names; RFC 2231 continuations joined and `*=` values decoded.
    var parameters: [String: String]

    init(_ value: String) {
        let bytes = Array(value.utf8)
        var index = 0
        func skipSpace() { while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 { index += 1 } }
        var token: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: ";") { token.append(bytes[index]); index += 1 }
        self.token = String(decoding: token, as: UTF8.self).trimmingWhitespace().lowercased()
        var raw: [(name: String, value: String)] = []
        while index < bytes.count {
            index += 1 // the ';'
            skipSpace()
            var name: [UInt8] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ";") { name.append(bytes[index]); index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipSpace()
            var parameterValue: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    parameterValue.append(bytes[index])
                    index += 1
                }
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
            } else {
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { parameterValue.append(bytes[index]); index += 1 }
            }
            raw.append((String(decoding: name, as: UTF8.self).trimmingWhitespace().lowercased(),
                        String(decoding: parameterValue, as: UTF8.self).trimmingWhitespace()))
        }
        var parameters: [String: String] = [:]
        var continued: [String: [(Int, String, Bool)]] = [:]
        for (name, value) in raw {
            let extended = name.hasSuffix("*")
            let base = extended ? String(name.dropLast()) : name
            if let star = base.lastIndex(of: "*"), let number = Int(base[base.index(after: star)...]) {
                continued[String(base[..<star]), default: []].append((number, value, extended))
            } else if extended {
                parameters[base] = HeaderParameters.decode2231(value, hasCharset: true)
            } else if parameters[base] == nil {
                parameters[base] = value
            }
        }
        for (name, pieces) in continued where parameters[name] == nil {
            let sorted = pieces.sorted { $0.0 < $1.0 }
            parameters[name] = sorted.enumerated().map { index, piece in
                piece.2 ? HeaderParameters.decode2231(piece.1, hasCharset: index == 0) : piece.1
            }.joined()
        }
        self.parameters = parameters
    }

    /// `utf-8'en'caf%C3%A9` → `café` (the charset prefix only on the first piece).
    static func decode2231(_ value: String, hasCharset: Bool) -> String {
        var charset = Charset.utf8
        var text = Substring(value)
        if hasCharset {
            let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if pieces.count == 3 {
                charset = Charset.named(String(pieces[0])) ?? .windows1252
                text = pieces[2]
            }
        }
        var bytes: [UInt8] = []
        let raw = Array(text.utf8)
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "%"), i + 2 < raw.count, let h = QuotedPrintable.hexValue(raw[i + 1]), let l = QuotedPrintable.hexValue(raw[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(raw[i])
                i += 1
            }
        }
        return String(decoding: charset.decode(bytes), as: UTF8.self)
    }
}
