/// The text a reader sees in an HTML part, with a map (``TextMap``) from every text byte back to
/// the HTML. Tags are dropped (block-level tags become one line break, so that words do not run
/// together and a value wrapped across `<div>`, `<td>` or `<p>` reads like one wrapped across a
/// line), character references are decoded (named, numeric, and legacy names without a
/// semicolon). `4111<span>1111</span>1111 1111` reads as `411111111111 1111`. What a reader can
/// be shown or a program can put on screen is text too: comments, `<![CDATA[…]]>`, and the
/// contents of `<script>` and `<style>` (CSS escapes such as `\34` decoded, so `content:` text is
/// read), each between line breaks where it stands. After the visible text come the values of the
/// attributes that carry text or addresses (``textAttributes``: `href="mailto:…"`, a link's query
/// with `%34`-style escapes decoded, `alt`, `title`, `style`…), one per line, mapped back to the
/// HTML like the rest, so they are scanned and redacted too.
struct HTMLText: Sendable {
    var map: TextMap

    /// The visible text, UTF-8.
    var text: [UInt8] { map.text }

    /// How a stretch of HTML is decoded.
    enum Mode { case text, raw, css, url }

    init(html: [UInt8]) {
        self = html.withUnsafeBufferPointer { HTMLText(buffer: $0) }
    }

    /// Reads the HTML in place (a part's body inside the message: no copy of it).
    init(html: ArraySlice<UInt8>) {
        self = html.withUnsafeBufferPointer { HTMLText(buffer: $0) }
    }

    private init(buffer html: UnsafeBufferPointer<UInt8>) {
        map = TextMap(capacity: html.count)
        var attributes: [(Range<Int>, Mode)] = []
        var pendingSpace: Range<Int>?
        let count = html.count
        var i = 0
        while i < count {
            let byte = html[i]
            if byte == UInt8(ascii: "<"), i + 1 < count {
                let next = html[i + 1]
                if html[i...].starts(with: HTMLText.commentOpen) {
                    let close = HTMLText.find(HTMLText.commentClose, in: html, from: i + 4)
                    blockBreak(i, &pendingSpace)
                    decode(html, (i + 4)..<(close ?? count), mode: .raw)
                    i = close.map { $0 + 3 } ?? count
                    blockBreak(i, &pendingSpace)
                    continue
                }
                if html[i...].starts(with: HTMLText.cdataOpen) {
                    let close = HTMLText.find(HTMLText.cdataClose, in: html, from: i + 9)
                    flush(html, &pendingSpace)
                    decode(html, (i + 9)..<(close ?? count), mode: .raw)
                    i = close.map { $0 + 3 } ?? count
                    continue
                }
                if HTMLText.isLetter(next) || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                    let end = HTMLText.tagEnd(html, from: i + 1)
                    let name = HTMLText.tagName(html, start: i + 1, end: end)
                    if HTMLText.breakingTags.contains(name) { blockBreak(i, &pendingSpace) }
                    if next != UInt8(ascii: "/") { HTMLText.textAttributeValues(html, tag: i..<end, into: &attributes) }
                    i = end
                    if name == "style" || name == "script" {
                        let close = HTMLText.find(Array("</\(name)".utf8), in: html, from: i, caseInsensitive: true) ?? count
                        decode(html, i..<close, mode: name == "style" ? .css : .raw)
                        i = close
                    }
                    continue
                }
            }
            if byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 12 {
                // White space waits: before a block break it is dropped, before text it is kept.
                pendingSpace = (pendingSpace?.lowerBound ?? i)..<(i + 1)
                i += 1
                continue
            }
            flush(html, &pendingSpace)
            if byte == UInt8(ascii: "&"), let (scalar, end) = HTMLText.entity(html, at: i) {
                i = emit(scalar, i, end)
                continue
            }
            // This byte and the plain text after it, copied in one piece: up to a tag or a
            // reference, white space included when more text follows it (it would be kept and
            // copied as it is then; before a `<` it waits, as above).
            var end = i + 1
            while end < count {
                let next = html[end]
                if next == UInt8(ascii: "<") || next == UInt8(ascii: "&") { break }
                if HTMLText.isSpace(next) {
                    var after = end + 1
                    while after < count, HTMLText.isSpace(html[after]) { after += 1 }
                    guard after < count, html[after] != UInt8(ascii: "<") else { break }
                    end = after
                    continue
                }
                end += 1
            }
            map.copy(html, i..<end)
            i = end
        }
        flush(html, &pendingSpace)
        for (range, mode) in attributes where range.contains(where: { html[$0] > 32 }) {
            if !map.endsWithTag { map.emit([10], range.lowerBound, range.lowerBound, tag: true) }
            decode(html, range, mode: mode)
        }
    }

    /// White space as the text loop reads it.
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 12 }

    static let commentOpen = Array("<!--".utf8)
    static let commentClose = Array("-->".utf8)
    static let cdataOpen = Array("<![CDATA[".utf8)
    static let cdataClose = Array("]]>".utf8)

    /// One line break for a block-level tag, unless the text already ends with one (white space
    /// between two blocks is dropped), so that `</td>\n<td>` is a single break.
    private mutating func blockBreak(_ at: Int, _ pendingSpace: inout Range<Int>?) {
        pendingSpace = nil
        if map.endsWithTag { return }
        map.emit([10], at, at, tag: true)
    }

    private mutating func flush(_ html: UnsafeBufferPointer<UInt8>, _ pendingSpace: inout Range<Int>?) {
        if let range = pendingSpace { map.copy(html, range) }
        pendingSpace = nil
    }

    /// Appends `scalar` (UTF-8) standing for the source range `start..<end` (a character
    /// reference or an escape); returns `end`, where reading goes on.
    private mutating func emit(_ scalar: UInt32, _ start: Int, _ end: Int) -> Int {
        var utf8: [UInt8] = []
        appendUTF8(scalar, to: &utf8)
        map.emit(utf8, start, end)
        return end
    }

    /// Appends `range` decoded in `mode`: references in text and attribute values, also `%XX` in
    /// links, CSS escapes in style sheets, nothing in scripts and comments.
    private mutating func decode(_ html: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, mode: Mode) {
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = html[i]
            if mode != .raw && mode != .css, byte == UInt8(ascii: "&"), let (scalar, end) = HTMLEntities.reference(html, at: i, limit: range.upperBound) {
                i = emit(scalar, i, end)
                continue
            }
            if mode == .url, byte == UInt8(ascii: "%"), i + 2 < range.upperBound,
               let high = QuotedPrintable.hexValue(html[i + 1]), let low = QuotedPrintable.hexValue(html[i + 2]), high << 4 | low >= 32 {
                map.emit([high << 4 | low], i, i + 3)
                i += 3
                continue
            }
            if mode == .css, byte == UInt8(ascii: "\\"), let (scalar, end) = HTMLText.cssEscape(html, at: i, limit: range.upperBound) {
                i = emit(scalar, i, end)
                continue
            }
            // This byte and those after it that no rule of `mode` reads, copied in one piece.
            var end = i + 1
            switch mode {
            case .raw: end = range.upperBound
            case .text: while end < range.upperBound, html[end] != UInt8(ascii: "&") { end += 1 }
            case .url: while end < range.upperBound, html[end] != UInt8(ascii: "&"), html[end] != UInt8(ascii: "%") { end += 1 }
            case .css: while end < range.upperBound, html[end] != UInt8(ascii: "\\") { end += 1 }
            }
            map.copy(html, i..<end)
            i = end
        }
    }

    /// `\34 ` (one to six hex digits, one optional white space) at `start`: the scalar and the end.
    static func cssEscape(_ html: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> (UInt32, Int)? {
        var i = start + 1
        var value: UInt32 = 0
        while i < limit, i - start <= 6, let digit = QuotedPrintable.hexValue(html[i]) {
            value = value << 4 | UInt32(digit)
            i += 1
        }
        guard i > start + 1 else { return nil }
        if i < limit, html[i] == 32 || html[i] == 9 || html[i] == 10 { i += 1 }
        if value == 0 || value > 0x10FFFF || (value >= 0xD800 && value < 0xE000) { value = 0xFFFD }
        return (value, i)
    }

    /// Attributes whose values are text a person wrote, addresses or style sheets (CSS `content:`
    /// puts text on screen).
    static let textAttributes: Set<String> = ["href", "src", "title", "alt", "value", "placeholder", "content", "action",
                                              "cite", "label", "summary", "aria-label", "data", "poster", "style", "srcdoc"]
    /// Attributes holding a URL: `%XX` escapes are decoded.
    static let urlAttributes: Set<String> = ["href", "src", "action", "cite", "data", "poster"]

    /// The value ranges (quotes excluded) of the ``textAttributes`` (and `data-*`) in the tag `tag`.
    static func textAttributeValues(_ html: UnsafeBufferPointer<UInt8>, tag: Range<Int>, into out: inout [(Range<Int>, Mode)]) {
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
            let name = String(decoding: html[nameStart..<min(i, nameStart + 32)].map { $0 | 0x20 }, as: UTF8.self)
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
            if textAttributes.contains(name) || name.hasPrefix("data-") {
                out.append((value, urlAttributes.contains(name) ? .url : name == "style" ? .css : .text))
            }
        }
    }

    /// The HTML pieces behind text bytes `range` that are text (not tags): what to replace.
    func sourceTextRanges(_ range: Range<Int>) -> [Range<Int>] { map.sourceTextRanges(range) }

    /// The HTML behind text byte `index`.
    func sourceRange(of index: Int) -> Range<Int> { map.sourceRange(of: index) }

    /// Rewrites `html`: for each (text range, replacement text) the first text piece behind the
    /// range gets the replacement (HTML-escaped) and the other text pieces are removed; tags in
    /// between stay, so the markup stays well formed.
    func rewrite(_ html: [UInt8], replacements: [(range: Range<Int>, text: [UInt8])]) -> [UInt8] {
        map.rewrite(html, replacements: replacements, escape: HTMLText.escape)
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
        "style", "/style", "script", "/script", "/dd", "/dt", "caption", "/caption", "center", "/center",
        "form", "/form", "fieldset", "/fieldset", "nav", "/nav", "main", "/main", "aside", "/aside", "figure", "/figure",
        "figcaption", "/figcaption", "option", "textarea", "/textarea", "button", "/button", "thead", "tbody", "tfoot",
    ]

    /// `&#52;`, `&#x34;`, `&nbsp;` at `start`: the scalar and the end of the reference.
    static func entity(_ html: UnsafeBufferPointer<UInt8>, at start: Int) -> (UInt32, Int)? {
        HTMLEntities.reference(html, at: start, limit: html.count)
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }

    /// The index after the `>` closing a tag that starts at `from`; quoted attribute values may hold `>`.
    static func tagEnd(_ html: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
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

    static func tagName(_ html: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> String {
        var i = start
        if i < end, html[i] == UInt8(ascii: "/") { i += 1 }
        while i < end, isLetter(html[i]) || (html[i] >= 48 && html[i] <= 57) { i += 1 }
        // Written straight into the string (a short name needs no allocation at all).
        return String(unsafeUninitializedCapacity: i - start) { name in
            for offset in 0..<(i - start) {
                let byte = html[start + offset]
                name[offset] = byte == UInt8(ascii: "/") ? byte : byte | 0x20
            }
            return i - start
        }
    }

    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int, caseInsensitive: Bool = false) -> Int? {
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
