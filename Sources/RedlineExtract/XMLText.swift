import Foundation

/// Reads one XML part with the byte-level ``XMLTokenizer`` into a ``TextBuilder``; subclasses
/// take the start, end and character-data hooks.
///
/// Safety: a part that declares a DOCTYPE or entities is refused before parsing (Office Open
/// XML and OpenDocument parts never need one), so neither external entities nor internal
/// expansions (billion laughs) are ever resolved; the tokenizer knows only the five predefined
/// entities and character references. A part that is neither UTF-8 nor UTF-16 with a byte-order
/// mark is refused; UTF-16 is converted to UTF-8 first. The budget's time limit is checked while
/// parsing, and the text kept is charged to its text budget.
class XMLTextReader {
    var out = TextBuilder()
    let budget: ExtractBudget
    private(set) var problem: ExtractProblem?

    init(budget: ExtractBudget) { self.budget = budget }

    /// Parses `data`; returns the problem that stopped it, if any.
    func read(_ data: Data) -> ExtractProblem? {
        let bytes: [UInt8]
        if data.starts(with: [0xFE, 0xFF]) || data.starts(with: [0xFF, 0xFE]) {
            bytes = Extractor.utf8(data)
        } else {
            guard XMLTextReader.isUTF8(data) else { return ExtractProblem(ExtractCode.corrupt, "an XML part is not UTF-8") }
            bytes = [UInt8](data)
        }
        if XMLTextReader.declaresEntities(bytes) {
            return ExtractProblem(ExtractCode.xmlDeclarations, "an XML part declares a DOCTYPE or entities (never expanded)")
        }
        do throws(ExtractProblem) {
            try XMLTokenizer(bytes: bytes, budget: budget).read(self)
        } catch where error.code == ExtractCode.notRewritable {
            // The tokenizer speaks for the rewriter; here it is reading: a malformed part.
            return ExtractProblem(ExtractCode.corrupt, "an XML part is not well-formed")
        } catch {
            return error
        }
        return problem
    }

    /// Stops parsing with `problem` (the tokenizer stops at the next tag).
    func fail(_ problem: ExtractProblem) {
        if self.problem == nil { self.problem = problem }
    }

    // Hooks for subclasses.
    func start(_ name: String, _ attributes: XMLAttributes) {}
    func end(_ name: String) {}
    func characters(_ string: String) {}

    /// An attribute value as text: white space (tab, line end, a `&#10;` reference) as single
    /// spaces, trimmed.
    static func attributeText(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
    }

    /// The part after the namespace prefix (`w:t` → `t`).
    static func local(_ name: String) -> Substring {
        guard let colon = name.lastIndex(of: ":") else { return name[...] }
        return name[name.index(after: colon)...]
    }

    /// Whether `data` is well-formed UTF-8 (ASCII runs skipped eight bytes at a time).
    static func isUTF8(_ data: Data) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let count = raw.count
            var index = 0
            while index < count {
                if index + 8 <= count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                    continue
                }
                let lead = raw[index]
                if lead < 0x80 { index += 1; continue }
                let length: Int
                var low: UInt8 = 0x80, high: UInt8 = 0xBF
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; high = 0x9F
                case 0xF0: length = 4; low = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; high = 0x8F
                default: return false
                }
                guard index + length <= count else { return false }
                let second = raw[index + 1]
                guard second >= low && second <= high else { return false }
                for offset in 2..<length where raw[index + offset] & 0xC0 != 0x80 { return false }
                index += length
            }
            return true
        }
    }

    /// `<!DOCTYPE` or `<!ENTITY` anywhere in the part.
    static func declaresEntities(_ data: Data) -> Bool {
        data.withUnsafeBytes(declaresEntities)
    }

    static func declaresEntities(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes(declaresEntities)
    }

    private static func declaresEntities(_ raw: UnsafeRawBufferPointer) -> Bool {
        do {
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            let count = bytes.count
            while index + 2 < count {
                guard let base = bytes.baseAddress,
                      let found = memchr(base + index, 0x3C, count - index) else { return false }
                let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if at + 2 < count && bytes[at + 1] == 0x21 && (bytes[at + 2] == 0x44 || bytes[at + 2] == 0x45) { return true }
                index = at + 1
            }
            return false
        }
    }

    /// Text a subclass collected, charged to the text budget.
    func finish() -> (text: [UInt8], segments: [ExtractedDocument.Segment], problem: ExtractProblem?) {
        let (text, segments) = out.finish()
        do { try budget.charge(text: text.count) } catch { return (text, segments, error) }
        return (text, segments, nil)
    }
}

/// Every piece of character data in the part, one line per element that holds text (document
/// properties: title, subject, author, keywords).
final class AllTextReader: XMLTextReader {
    private var pending = false

    init(budget: ExtractBudget, label: String) {
        super.init(budget: budget)
        out.begin(label)
    }

    override func start(_ name: String, _ attributes: XMLAttributes) {
        if pending { out.newline(); pending = false }
    }

    override func characters(_ string: String) {
        guard string.contains(where: { !$0.isWhitespace }) else { return }
        out.append(string)
        pending = true
    }
}

/// One attribute of one element, a line per value (XLSX pivot caches: `<s v="…"/>` holds a copy
/// of every distinct text value of the source range). Attribute values: the in-place rewriter
/// cannot write them, so a redaction there fails closed.
final class AttributeTextReader: XMLTextReader {
    let element: String
    let attribute: String

    init(budget: ExtractBudget, label: String, element: String, attribute: String) {
        self.element = element
        self.attribute = attribute
        super.init(budget: budget)
        out.begin(label)
    }

    override func start(_ name: String, _ attributes: XMLAttributes) {
        guard name == element, let value = attributes[attribute].map(XMLTextReader.attributeText), !value.isEmpty else { return }
        out.newline()
        out.append(value)
    }
}
