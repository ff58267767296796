/// A JSON Lines record parsed where it lies: what ``JSONLine`` reads from a copy, read from a
/// buffer the caller keeps valid while the view is in use (a record in a reader's buffer), so a
/// long record costs no second copy of itself. ``JSONLine`` answers through one of these.
public struct JSONLineView {
    /// The line (without its terminator).
    public let bytes: UnsafeBufferPointer<UInt8>
    let slots: [JSONLine.Slot]

    /// Parses `bytes` as one JSON object (throws like ``JSONLine/init(_:count:)``).
    public init(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONLine.ParseError) {
        var parser = JSONLine.Parser(bytes: bytes)
        self.slots = try parser.parseTopObject()
        self.bytes = bytes
    }

    init(bytes: UnsafeBufferPointer<UInt8>, slots: [JSONLine.Slot]) {
        self.bytes = bytes
        self.slots = slots
    }

    /// A member's name, decoded.
    func keyBytes(_ slot: JSONLine.Slot) -> [UInt8] {
        guard slot.keyEscaped else { return Array(UnsafeBufferPointer(rebasing: bytes[slot.key])) }
        var decoded: [UInt8] = []
        JSONString.decode(UnsafeBufferPointer(rebasing: bytes[(slot.key.lowerBound - 1)..<(slot.key.upperBound + 1)]), into: &decoded)
        return decoded
    }

    /// Whether a member's name is `name` (compared in place when it has no escape).
    func named(_ slot: JSONLine.Slot, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        if slot.keyEscaped { return keyBytes(slot).elementsEqual(name) }
        return slot.key.count == name.count && UnsafeBufferPointer(rebasing: bytes[slot.key]).elementsEqual(name)
    }

    /// The value range of the first member named `key`.
    public func member(_ key: String) -> Range<Int>? {
        var wanted = key
        return wanted.withUTF8 { name in slots.first { named($0, name) }?.value }
    }

    /// The decoded UTF-8 bytes of a string member; nil if absent or not a string.
    public func string(_ key: String) -> [UInt8]? {
        guard let value = member(key), bytes[value.lowerBound] == UInt8(ascii: "\"") else { return nil }
        return decoded(value)
    }

    /// A member as display text: strings decoded, numbers and literals as written.
    public func text(_ key: String) -> String? {
        guard let value = member(key) else { return nil }
        if bytes[value.lowerBound] == UInt8(ascii: "\"") { return String(decoding: decoded(value), as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self)
    }

    private func decoded(_ value: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        JSONString.decode(UnsafeBufferPointer(rebasing: bytes[value]), into: &out)
        return out
    }

    /// Every string and number of the record, nested objects and arrays included, in order.
    public var allScalars: [JSONScalar] {
        var out: [JSONScalar] = []
        for slot in slots { walk(slot.value, path: String(decoding: keyBytes(slot), as: UTF8.self), into: &out) }
        return out
    }

    /// The strings and numbers of every top-level member named `key` (each occurrence of a
    /// duplicated name): the member itself when it is a string or a number, else every string and
    /// number inside it (`text[0]`, `text.body`). `true`, `false` and `null` carry no text.
    public func scalars(named key: String) -> [JSONScalar] {
        var out: [JSONScalar] = []
        var wanted = key
        wanted.withUTF8 { name in
            for slot in slots where named(slot, name) { walk(slot.value, path: key, into: &out) }
        }
        return out
    }

    /// The decoded text of a scalar: a string decoded, a number as written.
    public func text(of scalar: JSONScalar) -> [UInt8] {
        scalar.isString ? decoded(scalar.range) : Array(UnsafeBufferPointer(rebasing: bytes[scalar.range]))
    }

    /// The line with each range replaced by the JSON string encoding of the given UTF-8 text.
    /// Ranges must not overlap; every other byte is kept as it was.
    public func replacing(_ replacements: [(range: Range<Int>, text: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var cursor = 0
        for replacement in replacements.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) where replacement.range.lowerBound >= cursor {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[cursor..<replacement.range.lowerBound]))
            out.append(contentsOf: JSONString.encode(replacement.text))
            cursor = replacement.range.upperBound
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[cursor...]))
        return out
    }

    private func walk(_ value: Range<Int>, path: String, into out: inout [JSONScalar]) {
        var parser = JSONLine.Parser(bytes: bytes)
        parser.index = value.lowerBound
        // The line parsed once already: the walk cannot fail.
        try? parser.walk(depth: 1, path: path) { out.append($0) }
    }
}
