import RedlineCore

/// One header field as it sits in the message: byte ranges into the message, never copied, so an
/// untouched field is written back byte for byte.
struct HeaderField: Sendable {
    /// The field name as written.
    let name: String
    /// The whole field, folded lines included, with its final line ending.
    var range: Range<Int>
    /// From just after the colon to the end of the last line, without the final line ending.
    var valueRange: Range<Int>
    /// The name lower-cased, once (fields are looked up by it many times per message).
    let lowercasedName: String

    init(name: String, range: Range<Int>, valueRange: Range<Int>) {
        self.name = name
        self.range = range
        self.valueRange = valueRange
        self.lowercasedName = name.lowercased()
    }

    /// The unfolded value: line breaks removed (folding white space kept), leading blanks trimmed.
    func unfoldedValue(in bytes: [UInt8]) -> [UInt8] {
        // Most values are one line: past the leading blanks, a value with no line break is
        // copied in one piece.
        var start = valueRange.lowerBound
        while start < valueRange.upperBound, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
        if !bytes[start..<valueRange.upperBound].contains(where: { $0 == 13 || $0 == 10 }) {
            return Array(bytes[start..<valueRange.upperBound])
        }
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
    /// The fields beyond ``HeaderParser/maxFields``: kept as they are and scanned as one text.
    var overflow: Range<Int>?

    func first(_ lowercasedName: String) -> HeaderField? { fields.first { $0.lowercasedName == lowercasedName } }
}

enum HeaderParser {
    /// RFC 5322 limits a line to 998 characters; longer lines are reported (and still read).
    static let lineLimit = 998
    /// Fields read one by one per header section; the lines after them are one text (``HeaderBlock/overflow``).
    static let maxFields = 1_000

    /// Reads the header section starting at `range.lowerBound`. A line that is neither a field nor a
    /// continuation ends the header section (as Postfix does), with a diagnostic.
    static func parse(_ bytes: [UInt8], range: Range<Int>, label: String, diagnostics: inout [Diagnostic]) -> HeaderBlock {
        var block = HeaderBlock(end: range.upperBound, bodyStart: range.upperBound, lineEnding: [13, 10])
        var sawLineEnding = false
        var position = range.lowerBound
        var reportedLong = false
        var overflowStart: Int?
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
                if let start = overflowStart { block.overflow = start..<position }
                return block
            }
            if overflowStart != nil {
                position = next
                continue
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
               case let nameEnd = HeaderParser.nameEnd(bytes, position, colon), nameEnd > position,
               !bytes[position..<nameEnd].contains(where: { $0 <= 32 || $0 >= 127 }) {
                // `Name : value` (blanks before the colon, RFC 822's obsolete syntax) is the field
                // `Name`, as mail clients read it.
                if block.fields.count == maxFields {
                    diagnostics.append(Diagnostic(.warning, code: MailCode.tooManyParts,
                        "\(label): more than \(maxFields) header fields; the rest is scanned as one text"))
                    overflowStart = position
                    position = next
                    continue
                }
                let name = String(decoding: bytes[position..<nameEnd], as: UTF8.self)
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
        if let start = overflowStart { block.overflow = start..<range.upperBound }
        return block
    }
}

extension HeaderParser {
    /// The end of a field name that ends at `colon`, blanks before the colon left out.
    static func nameEnd(_ bytes: [UInt8], _ start: Int, _ colon: Int) -> Int {
        var end = colon
        while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
        return end
    }
}

/// A parsed `Content-Type` or `Content-Disposition` value: a token and its parameters.
struct HeaderParameters: Sendable {
    /// Where one parameter sits in the value, for rewriting it in place.
    struct Piece: Sendable {
        /// From the parameter's name to the end of its value.
        var range: Range<Int>
        /// From the `;` before it (what to remove when the parameter is dropped).
        var removal: Range<Int>
    }

    /// The lower-cased value before the first `;` (e.g. `text/plain`, `attachment`).
    var token: String
    /// Where the token sits in the value (blanks around it left out).
    var tokenRange: Range<Int> = 0..<0
    /// Lower-cased parameter names; RFC 2231 continuations joined and `*=` values decoded.
    var parameters: [String: String]
    /// Per parameter (base name, lower-cased): its pieces in the value, in order of their
    /// continuation number (one piece when it is not continued).
    var pieces: [String: [Piece]] = [:]
    /// Parameters written in RFC 2231 form (`name*=` or `name*0*=`).
    var extended: Set<String> = []

    init(_ value: String) { self.init(bytes: Array(value.utf8)) }

    init(bytes: [UInt8]) {
        var index = 0
        func skipSpace() { while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 { index += 1 } }
        var tokenEnd = 0
        while tokenEnd < bytes.count, bytes[tokenEnd] != UInt8(ascii: ";") { tokenEnd += 1 }
        index = tokenEnd
        self.token = String(decoding: bytes[0..<tokenEnd], as: UTF8.self).trimmingWhitespace().lowercased()
        var tokenStart = 0
        var tokenLast = tokenEnd
        while tokenStart < tokenLast, bytes[tokenStart] <= 32 { tokenStart += 1 }
        while tokenLast > tokenStart, bytes[tokenLast - 1] <= 32 { tokenLast -= 1 }
        tokenRange = tokenStart..<tokenLast
        var raw: [(name: String, value: String, piece: Piece)] = []
        while index < bytes.count {
            let separator = index
            index += 1 // the ';'
            skipSpace()
            let nameStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ";") { index += 1 }
            let name = bytes[nameStart..<index]
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
                if index < bytes.count { index += 1 }
                let valueEnd = index
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
                raw.append((String(decoding: name, as: UTF8.self).trimmingWhitespace().lowercased(),
                            String(decoding: parameterValue, as: UTF8.self), Piece(range: nameStart..<valueEnd, removal: separator..<valueEnd)))
            } else {
                let valueStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
                var valueEnd = index
                while valueEnd > valueStart, bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9 { valueEnd -= 1 }
                raw.append((String(decoding: name, as: UTF8.self).trimmingWhitespace().lowercased(),
                            String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self), Piece(range: nameStart..<valueEnd, removal: separator..<valueEnd)))
            }
        }
        var parameters: [String: String] = [:]
        var continued: [String: [(Int, String, Bool, Piece)]] = [:]
        for (name, value, piece) in raw {
            let isExtended = name.hasSuffix("*")
            let base = isExtended ? String(name.dropLast()) : name
            if let star = base.lastIndex(of: "*"), let number = Int(base[base.index(after: star)...]) {
                continued[String(base[..<star]), default: []].append((number, value, isExtended, piece))
            } else if isExtended {
                parameters[base] = HeaderParameters.decode2231(value, hasCharset: true)
                pieces[base] = [piece]
                extended.insert(base)
            } else if parameters[base] == nil {
                parameters[base] = value
                pieces[base] = [piece]
            }
        }
        for (name, parts) in continued where parameters[name] == nil {
            let sorted = parts.sorted { $0.0 < $1.0 }
            parameters[name] = sorted.enumerated().map { index, piece in
                piece.2 ? HeaderParameters.decode2231(piece.1, hasCharset: index == 0) : piece.1
            }.joined()
            pieces[name] = sorted.map(\.3)
            if sorted.contains(where: \.2) { extended.insert(name) }
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
