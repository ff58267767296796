import Foundation

/// A byte-level XML scanner for the in-place rewriter: it drives the same reader hooks as
/// ``XMLTextReader`` (start, end, characters) and, unlike `XMLParser`, tells where each piece of
/// character data is in the part's bytes, so a redaction can be written back there.
///
/// It accepts only what Office and OpenDocument parts are: UTF-8, no DOCTYPE or entity
/// declarations, the five predefined entities and character references. Anything else (an
/// unknown entity, a mismatched or unclosed tag, text outside the root, a second root) is a
/// problem: the rewriter then fails closed. Its text is compared with the reader's before any
/// byte is changed, so a difference between the two parsers can never move a redaction.
struct XMLTokenizer {
    /// One piece of character data (a text node or a CDATA section): its bytes in the part and
    /// its decoded text.
    struct Characters {
        var source: Range<Int>
        var text: [UInt8]
    }

    let bytes: [UInt8]
    let budget: ExtractBudget

    init(_ data: Data, budget: ExtractBudget) {
        bytes = [UInt8](data)
        self.budget = budget
    }

    init(bytes: [UInt8], budget: ExtractBudget) {
        self.bytes = bytes
        self.budget = budget
    }

    /// Scans the part, calling `reader`'s start and end hooks; each text node goes to
    /// `characters`, which hands it to the reader (so it can see what the reader did with it).
    func run(_ reader: XMLTextReader, characters: (Characters) -> Void) throws(ExtractProblem) {
        try scan(reader) { (range: Range<Int>, cdata: Bool) throws(ExtractProblem) in
            let text = cdata ? XMLTokenizer.lineEnds(bytes[range.lowerBound + 9..<range.upperBound - 3]) : try XMLTokenizer.decode(bytes[range])
            characters(Characters(source: range, text: text))
        }
    }

    /// Scans the part for reading: each text node goes straight to the reader as a string.
    func read(_ reader: XMLTextReader) throws(ExtractProblem) {
        try scan(reader) { (range: Range<Int>, cdata: Bool) throws(ExtractProblem) in
            if cdata {
                reader.characters(String(decoding: XMLTokenizer.lineEnds(bytes[range.lowerBound + 9..<range.upperBound - 3]), as: UTF8.self))
            } else {
                reader.characters(try XMLTokenizer.decodeString(bytes[range]))
            }
        }
    }

    /// The scan both modes share: `text` gets each piece of character data inside the root (a
    /// CDATA section with its `<![CDATA[` and `]]>`), as a range of the part's bytes.
    private func scan(_ reader: XMLTextReader, text: (Range<Int>, Bool) throws(ExtractProblem) -> Void) throws(ExtractProblem) {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw XMLTokenizer.problem("an XML part in UTF-16")
        }
        var stack: [Range<Int>] = []
        var spans: [XMLAttributes.Span] = []
        var names = LocalNames()
        var sawRoot = false
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var steps = 0
        while index < bytes.count {
            steps &+= 1
            if steps & 4095 == 0 { try budget.checkTime() }
            if bytes[index] != 0x3C {
                let end = nextOpen(from: index)
                if stack.isEmpty {
                    let outside = try XMLTokenizer.decode(bytes[index..<end])
                    guard outside.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 }) else { throw XMLTokenizer.problem("text outside the root element") }
                } else {
                    try text(index..<end, false)
                }
                index = end
                continue
            }
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if next == 0x3F {   // <?
                index = try after("?>", from: index + 2)
            } else if next == 0x21 && starts("<!--", at: index) {
                index = try after("-->", from: index + 4)
            } else if next == 0x21 && starts("<![CDATA[", at: index) {
                guard !stack.isEmpty else { throw XMLTokenizer.problem("CDATA outside the root element") }
                let close = try after("]]>", from: index + 9)
                try text(index..<close, true)
                index = close
            } else if next == 0x21 {
                throw XMLTokenizer.problem("a DOCTYPE or declaration")
            } else if next == 0x2F {   // </
                let close = try tagEnd(from: index + 2)
                let name = XMLTokenizer.trimmed(bytes[(index + 2)..<(close - 1)])
                guard let open = stack.popLast(), open.count == name.count, bytes.withUnsafeBufferPointer({ buffer in
                    open.isEmpty || memcmp(buffer.baseAddress! + open.lowerBound, buffer.baseAddress! + name.startIndex, open.count) == 0
                }) else { throw XMLTokenizer.problem("mismatched end tag") }
                reader.end(names.local(name, in: bytes))
                index = close
            } else {
                let close = try tagEnd(from: index + 1)
                let selfClosing = bytes[close - 2] == 0x2F
                let name = try XMLTokenizer.tag(bytes[(index + 1)..<(close - (selfClosing ? 2 : 1))], spans: &spans)
                let attributes = XMLAttributes(bytes: bytes, spans: spans)
                if stack.isEmpty && sawRoot { throw XMLTokenizer.problem("a second root element") }
                sawRoot = true
                let local = names.local(name, in: bytes)
                reader.start(local, attributes)
                if selfClosing { reader.end(local) } else { stack.append(name.startIndex..<name.endIndex) }
                index = close
            }
            if let problem = reader.problem { throw problem }
        }
        guard sawRoot, stack.isEmpty else { throw XMLTokenizer.problem("an unclosed element") }
    }

    private func starts(_ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
    }

    /// The index just past the next `literal` at or after `from`.
    private func after(_ literal: StaticString, from: Int) throws(ExtractProblem) -> Int {
        var index = from
        while index < bytes.count {
            if starts(literal, at: index) { return index + literal.utf8CodeUnitCount }
            index += 1
        }
        throw XMLTokenizer.problem("a truncated part")
    }

    /// The index of the next `<` at or after `from` (the end when there is none).
    private func nextOpen(from: Int) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, from < buffer.count, let found = memchr(base + from, 0x3C, buffer.count - from) else { return buffer.count }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The index just past a tag's `>` (quoted attribute values may hold `>`).
    private func tagEnd(from: Int) throws(ExtractProblem) -> Int {
        // -1: a `<` inside the tag; -2: truncated.
        let end: Int = bytes.withUnsafeBufferPointer { buffer in
            var quote: UInt8 = 0
            var index = from
            while index < buffer.count {
                let byte = buffer[index]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                } else if byte == 0x22 || byte == 0x27 {
                    quote = byte
                } else if byte == 0x3E {
                    return index + 1
                } else if byte == 0x3C {
                    return -1
                }
                index += 1
            }
            return -2
        }
        if end == -1 { throw XMLTokenizer.problem("a `<` inside a tag") }
        if end == -2 { throw XMLTokenizer.problem("a truncated tag") }
        return end
    }

    /// A start tag's name; its attributes' names and raw values go to `spans` (checked here:
    /// quoted, entities known, none repeated; decoded only when a reader asks, ``XMLAttributes``).
    static func tag(_ inside: ArraySlice<UInt8>, spans: inout [XMLAttributes.Span]) throws(ExtractProblem) -> ArraySlice<UInt8> {
        spans.removeAll(keepingCapacity: true)
        var index = inside.startIndex
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
        while index < inside.endIndex && !isSpace(inside[index]) { index += 1 }
        let name = inside[inside.startIndex..<index]
        guard !name.isEmpty else { throw problem("an element without a name") }
        while true {
            while index < inside.endIndex && isSpace(inside[index]) { index += 1 }
            if index == inside.endIndex { break }
            let nameStart = index
            while index < inside.endIndex && inside[index] != 0x3D && !isSpace(inside[index]) { index += 1 }
            let key = nameStart..<index
            while index < inside.endIndex && isSpace(inside[index]) { index += 1 }
            guard !key.isEmpty, index < inside.endIndex, inside[index] == 0x3D else { throw problem("an attribute without a value") }
            index += 1
            while index < inside.endIndex && isSpace(inside[index]) { index += 1 }
            guard index < inside.endIndex, inside[index] == 0x22 || inside[index] == 0x27 else { throw problem("an unquoted attribute") }
            let quote = inside[index]
            let valueStart = index + 1
            guard let valueEnd = inside[valueStart...].firstIndex(of: quote) else { throw problem("an unterminated attribute") }
            if inside[valueStart..<valueEnd].contains(0x26) { _ = try decode(inside[valueStart..<valueEnd]) }
            for span in spans where span.name.count == key.count && inside[span.name].elementsEqual(inside[key]) {
                throw problem("a repeated attribute")
            }
            spans.append(XMLAttributes.Span(name: key, value: valueStart..<valueEnd))
            index = valueEnd + 1
        }
        return name
    }

    /// Character data decoded: the predefined entities, character references, literal line
    /// ends normalised to LF (a `&#13;` reference stays a CR). An unknown entity or a bare `&`
    /// is a problem.
    static func decode(_ raw: ArraySlice<UInt8>) throws(ExtractProblem) -> [UInt8] {
        if !raw.contains(0x26) && !raw.contains(13) { return Array(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == 13 {
                out.append(10)
                index += index + 1 < raw.endIndex && raw[index + 1] == 10 ? 2 : 1
                continue
            }
            guard byte == 0x26 else {
                out.append(byte)
                index += 1
                continue
            }
            guard let semicolon = raw[index...].prefix(12).firstIndex(of: 0x3B) else { throw problem("a bare `&`") }
            let name = Array(raw[(index + 1)..<semicolon])
            switch String(decoding: name, as: UTF8.self) {
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "amp": out.append(0x26)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                guard name.first == 0x23, let scalar = characterReference(name.dropFirst()) else { throw problem("an unknown entity") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            index = semicolon + 1
        }
        return out
    }

    /// Character data decoded as ``decode(_:)`` does, as a string (no copy through an array
    /// when there is nothing to decode).
    static func decodeString(_ raw: ArraySlice<UInt8>) throws(ExtractProblem) -> String {
        if !raw.contains(where: { $0 == 0x26 || $0 == 13 }) { return String(decoding: raw, as: UTF8.self) }
        return String(decoding: try decode(raw), as: UTF8.self)
    }

    private static func characterReference(_ digits: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var hex = false
        var body = digits
        if body.first == 0x78 { hex = true; body = body.dropFirst() }
        guard !body.isEmpty, let value = UInt32(String(decoding: body, as: UTF8.self), radix: hex ? 16 : 10),
              value == 9 || value == 10 || value == 13 || value >= 32 else { return nil }
        return Unicode.Scalar(value)
    }

    /// Character data escaped for writing back (`&`, `<`, `>`; a CR as a reference).
    static func escape(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 8)
        for byte in text {
            switch byte {
            case 0x26: out.append(contentsOf: Array("&amp;".utf8))
            case 0x3C: out.append(contentsOf: Array("&lt;".utf8))
            case 0x3E: out.append(contentsOf: Array("&gt;".utf8))
            case 0x0D: out.append(contentsOf: Array("&#13;".utf8))
            default: out.append(byte)
            }
        }
        return out
    }

    /// CDATA content: only line ends are normalised.
    static func lineEnds(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        guard raw.contains(13) else { return Array(raw) }
        var out: [UInt8] = []
        var index = raw.startIndex
        while index < raw.endIndex {
            if raw[index] == 13 {
                out.append(10)
                index += index + 1 < raw.endIndex && raw[index + 1] == 10 ? 2 : 1
            } else {
                out.append(raw[index])
                index += 1
            }
        }
        return out
    }

    static func trimmed(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = slice.endIndex
        while end > slice.startIndex, [32, 9, 10, 13].contains(slice[end - 1]) { end -= 1 }
        return slice[slice.startIndex..<end]
    }

    /// The part after the namespace prefix (`w:t` → `t`), as the reader's hooks take it.
    static func local(_ name: ArraySlice<UInt8>) -> String {
        let start = name.lastIndex(of: 0x3A).map { $0 + 1 } ?? name.startIndex
        return String(decoding: name[start...], as: UTF8.self)
    }

    /// The local parts of the element names a part uses (a worksheet has a handful, repeated
    /// millions of times): each name's string is made once, not at every tag.
    struct LocalNames {
        private var known: [(name: Range<Int>, local: String)] = []

        mutating func local(_ name: ArraySlice<UInt8>, in bytes: [UInt8]) -> String {
            let count = name.count
            let found: Int? = bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return nil }
                for (index, entry) in known.enumerated() where entry.name.count == count
                    && memcmp(base + entry.name.lowerBound, base + name.startIndex, count) == 0 {
                    return index
                }
                return nil
            }
            if let found { return known[found].local }
            let local = XMLTokenizer.local(name)
            if known.count < 32 { known.append((name.startIndex..<name.endIndex, local)) }
            return local
        }
    }

    static func problem(_ what: String) -> ExtractProblem {
        ExtractProblem(ExtractCode.notRewritable, "an XML part the rewriter cannot follow (\(what))")
    }
}

/// The attributes of one start tag, in document order, each decoded (entities, white space as
/// spaces) only when a reader asks for it: most tags' attributes are never read.
struct XMLAttributes: Sequence {
    struct Span {
        var name: Range<Int>
        var value: Range<Int>
    }

    let bytes: [UInt8]
    let spans: [Span]

    var isEmpty: Bool { spans.isEmpty }

    /// The value of the attribute named `key` (qualified name, as written).
    subscript(key: String) -> String? {
        var key = key
        return key.withUTF8 { wanted -> String? in
            for span in spans where span.name.count == wanted.count && bytes[span.name].elementsEqual(wanted) { return value(span) }
            return nil
        }
    }

    func value(_ span: Span) -> String {
        let raw = bytes[span.value]
        guard raw.contains(where: { $0 == 0x26 || $0 == 9 || $0 == 10 || $0 == 13 }) else { return String(decoding: raw, as: UTF8.self) }
        // Checked by the tokenizer: decoding cannot fail here.
        guard var value = try? XMLTokenizer.decode(raw) else { return "" }
        for position in value.indices where value[position] == 9 || value[position] == 10 || value[position] == 13 { value[position] = 32 }
        return String(decoding: value, as: UTF8.self)
    }

    struct Iterator: IteratorProtocol {
        let attributes: XMLAttributes
        var index = 0
        mutating func next() -> (key: String, value: String)? {
            guard index < attributes.spans.count else { return nil }
            let span = attributes.spans[index]
            index += 1
            return (String(decoding: attributes.bytes[span.name], as: UTF8.self), attributes.value(span))
        }
    }

    func makeIterator() -> Iterator { Iterator(attributes: self) }
}
