/// A value inside a JSON record that can carry text: a string or a number, at any depth.
public struct JSONScalar: Sendable, Equatable {
    /// Where it is in the record: `text`, `customer.notes`, `items[2].text` (member names decoded).
    public var path: String
    /// The value's raw byte range in the line (quotes included for a string).
    public var range: Range<Int>
    /// A string (decode it); else a number (scan it as written).
    public var isString: Bool

    public init(path: String, range: Range<Int>, isString: Bool) {
        self.path = path
        self.range = range
        self.isString = isString
    }
}

extension JSONScalar {
    /// The path of member `name` inside the object at `parent`: `parent.name`, or
    /// `parent["name"]` (the name JSON-quoted) when the dotted form would not read back as that
    /// member: an empty name, one holding `.`, `[`, `]` or `"`, or one whose first character joins
    /// the separator (a combining mark after the dot would make `.` and it one character, so the
    /// path would no longer begin with its parent's path followed by a dot).
    static func joined(_ parent: String, member name: String) -> String {
        var plain = !name.isEmpty
        if plain {
            for byte in name.utf8 where byte == UInt8(ascii: ".") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "\"") {
                plain = false
                break
            }
        }
        // No ASCII character joins a preceding one; anything else is asked of Character.
        if plain, let first = name.utf8.first, first >= 0x80, ("." + name).first != "." { plain = false }
        if plain { return parent + "." + name }
        return parent + "[" + String(decoding: JSONString.encode(Array(name.utf8)), as: UTF8.self) + "]"
    }
}

extension JSONLine {
    /// The record as a ``JSONLineView`` over its bytes (valid during `body`).
    public func withView<R>(_ body: (JSONLineView) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { buffer in
            try body(JSONLineView(bytes: UnsafeBufferPointer(rebasing: buffer[..<count]), slots: slots))
        }
    }

    /// Every string and number of the record, nested objects and arrays included, in order.
    public var allScalars: [JSONScalar] { withView { $0.allScalars } }

    /// The strings and numbers of every top-level member named `key` (each occurrence of a
    /// duplicated name): the member itself when it is a string or a number, else every string and
    /// number inside it (`text[0]`, `text.body`). `true`, `false` and `null` carry no text.
    public func scalars(named key: String) -> [JSONScalar] { withView { $0.scalars(named: key) } }

    /// The decoded text of a scalar: a string decoded, a number as written.
    public func text(of scalar: JSONScalar) -> [UInt8] { withView { $0.text(of: scalar) } }

    /// The line (nothing after `count`) with each range replaced by its JSON string encoding of the
    /// given UTF-8 text. Ranges must not overlap; every other byte is kept as it was.
    public func replacing(_ replacements: [(range: Range<Int>, text: [UInt8])]) -> [UInt8] { withView { $0.replacing(replacements) } }
}

extension JSONLine.Parser {
    /// Walks the value at `index`, handing every string and number to `visit` with its path.
    mutating func walk(depth: Int, path: String, _ visit: (JSONScalar) -> Void) throws(JSONLine.ParseError) {
        guard depth <= Self.maxDepth else { throw fail("nesting too deep") }
        guard index < bytes.count else { throw fail("expected a value") }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "\""):
            try skipString()
            visit(JSONScalar(path: path, range: start..<index, isString: true))
        case UInt8(ascii: "{"):
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let keyStart = index
                let escaped = try skipString()
                let raw = UnsafeBufferPointer(rebasing: bytes[keyStart..<index])
                var name: [UInt8] = []
                if escaped { JSONString.decode(raw, into: &name) } else { name = Array(raw.dropFirst().dropLast()) }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipSpace()
                let key = String(decoding: name, as: UTF8.self)
                try walk(depth: depth + 1, path: JSONScalar.joined(path, member: key), visit)
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated container") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                throw fail("expected ',' or closing bracket")
            }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
            var element = 0
            while true {
                skipSpace()
                try walk(depth: depth + 1, path: path + "[\(element)]", visit)
                element += 1
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated container") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return }
                throw fail("expected ',' or closing bracket")
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try skipNumber()
            visit(JSONScalar(path: path, range: start..<index, isString: false))
        }
    }
}
