/// The text a reader sees in an HTML part, with a map from every text byte back to the HTML.
/// Tags are dropped (block-level tags become a line break so that words do not run together),
/// comments and `<style>` content are dropped, character references are decoded. `4111<span>1111
/// </span>1111 1111` reads as `411111111111 1111`. After the visible text come the values of the
/// attributes that carry text or addresses (``textAttributes``: `href="mailto:…"`, a link's query,
/// `alt`, `title`…), one per line, mapped back to the HTML like the rest, so they are scanned and
/// redacted too.
struct HTMLText: Sendable {
    /// The visible text, UTF-8.
    var text: [UInt8] = []
    /// For each text byte, the HTML range it came from (a character, a whole entity, or a tag).
    var sourceStart: [Int32] = []
    var sourceEnd: [Int32] = []
    /// The text byte stands for a tag (a line break for `<br>`, `<p>`…), not for text.
    var fromTag: [Bool] = []

    init(html: [UInt8]) {
        text.reserveCapacity(html.count)
        sourceStart.reserveCapacity(html.count)
        sourceEnd.reserveCapacity(html.count)
        fromTag.reserveCapacity(html.count)
        var attributes: [Range<Int>] = []
        defer { appendAttributes(attributes, of: html) }
        var i = 0
        let count = html.count
        while i < count {
            let byte = html[i]
            if byte == UInt8(ascii: "<"), i + 1 < count {
                let next = html[i + 1]
                if html[i...].starts(with: Array("<!--".utf8)) {
                    i = HTMLText.find(Array("-->".utf8), in: html, from: i + 4).map { $0 + 3 } ?? count
                    continue
                }
                if HTMLText.isLetter(next) || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                    let end = HTMLText.tagEnd(html, from: i + 1)
                    let name = HTMLText.tagName(html, start: i + 1, end: end)
                    if HTMLText.breakingTags.contains(name) { emit([10], i, end, tag: true) }
                    if next != UInt8(ascii: "/") { HTMLText.textAttributeValues(html, tag: i..<end, into: &attributes) }
                    i = end
                    if name == "style" || name == "script" {
                        let close = Array("</\(name)".utf8)
                        i = HTMLText.find(close, in: html, from: i, caseInsensitive: true) ?? count
                    }
                    continue
                }
            }
            if byte == UInt8(ascii: "&"), let (scalar, end) = HTMLText.entity(html, at: i) {
                var utf8: [UInt8] = []
                appendUTF8(scalar, to: &utf8)
                emit(utf8, i, end, tag: false)
                i = end
                continue
            }
            emit([byte], i, i + 1, tag: false)
            i += 1
        }
    }

    /// Attributes whose values are text a person wrote or addresses (links, images, form values).
    static let textAttributes: Set<String> = ["href", "src", "title", "alt", "value", "placeholder", "content", "action",
                                              "cite", "label", "summary", "aria-label", "data", "poster"]

    /// Appends each attribute value after the visible text, a line break (a tag byte) before each,
    /// character references decoded.
    private mutating func appendAttributes(_ ranges: [Range<Int>], of html: [UInt8]) {
        for range in ranges where range.contains(where: { html[$0] > 32 }) {
            emit([10], range.lowerBound, range.lowerBound, tag: true)
            var i = range.lowerBound
            while i < range.upperBound {
                if html[i] == UInt8(ascii: "&"), let (scalar, end) = HTMLText.entity(html, at: i), end <= range.upperBound {
                    var utf8: [UInt8] = []
                    appendUTF8(scalar, to: &utf8)
                    emit(utf8, i, end, tag: false)
                    i = end
                    continue
                }
                emit([html[i]], i, i + 1, tag: false)
                i += 1
            }
        }
    }

    /// The value ranges (quotes excluded) of the ``textAttributes`` (and `data-*`) in the tag `tag`.
    static func textAttributeValues(_ html: [UInt8], tag: Range<Int>, into out: inout [Range<Int>]) {
        var i = tag.lowerBound + 1
        let end = tag.upperBound > tag.lowerBound && html[tag.upperBound - 1] == UInt8(ascii: ">") ? tag.upperBound - 1 : tag.upperBound
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 12 }
        // The tag name.
        while i < end, !isSpace(html[i]), html[i] != UInt8(ascii: "/") { i += 1 }
        while i < end {
            while i < end, isSpace(html[i]) || html[i] == UInt8(ascii: "/") { i += 1 }
            let nameStart = i
            while i < end, !isSpace(html[i]), html[i] != UInt8(ascii: "="), html[i] != UInt8(ascii: "/") { i += 1 }
            guard i > nameStart else { break }
            let name = String(decoding: html[nameStart..<i].map { $0 | 0x20 }, as: UTF8.self)
            while i < end, isSpace(html[i]) { i += 1 }
            guard i < end, html[i] == UInt8(ascii: "=") else { continue }
            i += 1
            while i < end, isSpace(html[i]) { i += 1 }
            guard i < end else { break }
            let value: Range<Int>
            if html[i] == UInt8(ascii: "\"") || html[i] == UInt8(ascii: "'") {
                let quote = html[i]
                let start = i + 1
                i = start
                while i < end, html[i] != quote { i += 1 }
                value = start..<i
                if i < end { i += 1 }
            } else {
                let start = i
                while i < end, !isSpace(html[i]) { i += 1 }
                value = start..<i
            }
            if textAttributes.contains(name) || name.hasPrefix("data-") { out.append(value) }
        }
    }

    private mutating func emit(_ bytes: [UInt8], _ start: Int, _ end: Int, tag: Bool) {
        for byte in bytes {
            text.append(byte)
            sourceStart.append(Int32(truncatingIfNeeded: start))
            sourceEnd.append(Int32(truncatingIfNeeded: end))
            fromTag.append(tag)
        }
    }

    /// The HTML pieces behind text bytes `range` that are text (not tags): what to replace.
    func sourceTextRanges(_ range: Range<Int>) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        for index in range where !fromTag[index] {
            let piece = Int(sourceStart[index])..<Int(sourceEnd[index])
            if let last = pieces.last, last.upperBound >= piece.lowerBound {
                pieces[pieces.count - 1] = last.lowerBound..<max(last.upperBound, piece.upperBound)
            } else {
                pieces.append(piece)
            }
        }
        return pieces
    }

    /// Rewrites `html`: for each (text range, replacement text) the first text piece behind the
    /// range gets the replacement (HTML-escaped) and the other text pieces are removed; tags in
    /// between stay, so the markup stays well formed.
    func rewrite(_ html: [UInt8], replacements: [(range: Range<Int>, text: [UInt8])]) -> [UInt8] {
        var edits: [(Range<Int>, [UInt8])] = []
        for replacement in replacements {
            let pieces = sourceTextRanges(replacement.range)
            guard let first = pieces.first else { continue }
            edits.append((first, HTMLText.escape(replacement.text)))
            for piece in pieces.dropFirst() { edits.append((piece, [])) }
        }
        edits.sort { $0.0.lowerBound < $1.0.lowerBound }
        var out: [UInt8] = []
        out.reserveCapacity(html.count)
        var cursor = 0
        for (range, text) in edits where range.lowerBound >= cursor {
            out.append(contentsOf: html[cursor..<range.lowerBound])
            out.append(contentsOf: text)
            cursor = range.upperBound
        }
        out.append(contentsOf: html[cursor...])
        return out
    }

    static func escape(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for byte in text {
            switch byte {
            case UInt8(ascii: "<"): out.append(contentsOf: Array("&lt;".utf8))
            case UInt8(ascii: ">"): out.append(contentsOf: Array("&gt;".utf8))
            case UInt8(ascii: "&"): out.append(contentsOf: Array("&amp;".utf8))
            // Replacements may land inside a quoted attribute value.
            case UInt8(ascii: "\""): out.append(contentsOf: Array("&quot;".utf8))
            case UInt8(ascii: "'"): out.append(contentsOf: Array("&#39;".utf8))
            default: out.append(byte)
            }
        }
        return out
    }

    static let breakingTags: Set<String> = [
        "br", "p", "/p", "div", "/div", "tr", "/tr", "li", "/li", "ul", "/ul", "ol", "/ol", "table", "/table",
        "h1", "h2", "h3", "h4", "h5", "h6", "/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "blockquote", "/blockquote",
        "hr", "pre", "/pre", "td", "th", "/td", "/th", "title", "/title", "section", "/section", "article", "/article",
        "header", "/header", "footer", "/footer", "address", "/address", "dd", "dt", "body", "/body", "img",
    ]

    static let namedEntities: [String: UInt32] = [
        "nbsp": 0xA0, "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "pound": 0xA3, "euro": 0x20AC,
        "copy": 0xA9, "reg": 0xAE, "trade": 0x2122, "ndash": 0x2013, "mdash": 0x2014, "hellip": 0x2026, "lsquo": 0x2018,
        "rsquo": 0x2019, "ldquo": 0x201C, "rdquo": 0x201D, "bull": 0x2022, "middot": 0xB7, "shy": 0xAD, "zwj": 0x200D,
        "zwnj": 0x200C, "thinsp": 0x2009, "ensp": 0x2002, "emsp": 0x2003, "times": 0xD7, "commat": 0x40, "period": 0x2E,
        "hyphen": 0x2010, "dash": 0x2010, "minus": 0x2212, "num": 0x23, "colon": 0x3A, "lpar": 0x28, "rpar": 0x29,
    ]

    /// `&#52;`, `&#x34;`, `&nbsp;` at `start`: the scalar and the end of the reference.
    static func entity(_ html: [UInt8], at start: Int) -> (UInt32, Int)? {
        var i = start + 1
        let limit = min(html.count, start + 34)
        if i < limit, html[i] == UInt8(ascii: "#") {
            i += 1
            var hex = false
            if i < limit, html[i] | 0x20 == UInt8(ascii: "x") { hex = true; i += 1 }
            var value: UInt32 = 0
            let digitsStart = i
            while i < limit {
                let byte = html[i]
                let digit: UInt32?
                if let d = QuotedPrintable.hexValue(byte), hex || byte <= UInt8(ascii: "9") { digit = UInt32(d) } else { digit = nil }
                guard let digit else { break }
                value = min(value * (hex ? 16 : 10) + digit, 0x10FFFF + 1)
                i += 1
            }
            guard i > digitsStart else { return nil }
            if i < html.count, html[i] == UInt8(ascii: ";") { i += 1 }
            if value == 0 || value > 0x10FFFF || (value >= 0xD800 && value < 0xE000) { value = 0xFFFD }
            return (value, i)
        }
        let nameStart = i
        while i < limit, isLetter(html[i]) || (html[i] >= 48 && html[i] <= 57) { i += 1 }
        guard i > nameStart, i < html.count, html[i] == UInt8(ascii: ";") else { return nil }
        let name = String(decoding: html[nameStart..<i], as: UTF8.self)
        guard let scalar = namedEntities[name] ?? namedEntities[name.lowercased()] else { return nil }
        return (scalar, i + 1)
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }

    /// The index after the `>` closing a tag that starts at `from`; quoted attribute values may hold `>`.
    static func tagEnd(_ html: [UInt8], from: Int) -> Int {
        var i = from
        var quote: UInt8 = 0
        while i < html.count {
            let byte = html[i]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return i + 1
            }
            i += 1
        }
        return html.count
    }

    static func tagName(_ html: [UInt8], start: Int, end: Int) -> String {
        var i = start
        var name: [UInt8] = []
        if i < end, html[i] == UInt8(ascii: "/") { name.append(html[i]); i += 1 }
        while i < end, isLetter(html[i]) || (html[i] >= 48 && html[i] <= 57) { name.append(html[i] | 0x20); i += 1 }
        return String(decoding: name, as: UTF8.self)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, caseInsensitive: Bool = false) -> Int? {
        guard needle.count > 0, from + needle.count <= haystack.count else { return nil }
        var i = from
        while i + needle.count <= haystack.count {
            var matched = true
            for (offset, byte) in needle.enumerated() {
                let other = haystack[i + offset]
                if caseInsensitive ? (other | 0x20) != (byte | 0x20) : other != byte { matched = false; break }
            }
            if matched { return i }
            i += 1
        }
        return nil
    }
}
