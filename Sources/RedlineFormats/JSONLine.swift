#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One JSON Lines record: a JSON object on one line, parsed just enough to find its top-level
/// members and their raw byte ranges. Rewriting one member splices new bytes into the original
/// line, so every other key and value is kept exactly as it was, in order.
public struct JSONLine: Sendable {
    public struct Member: Sendable {
        public var key: String
        public var value: Range<Int>
    }

    /// A top-level member as parsed: where its name (quotes excluded) and value lie.
    struct Slot: Sendable {
        var key: Range<Int>
        /// The name has a backslash escape, so it must be decoded before comparing.
        var keyEscaped: Bool
        var value: Range<Int>
    }

    /// The bytes the line was parsed from; only `bytes[..<count]` is the line (a caller may keep
    /// the line terminator after it).
    public let bytes: [UInt8]
    public let count: Int
    let slots: [Slot]

    /// Why a line is not a JSON object.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Parses `bytes[..<count]` (all of `bytes` when `count` is nil). Nothing is copied: member
    /// names are compared in place, and only the values asked for are decoded.
    public init(_ bytes: [UInt8], count: Int? = nil) throws(ParseError) {
        let end = min(count ?? bytes.count, bytes.count)
        let parsed: Result<[Slot], ParseError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: UnsafeBufferPointer(rebasing: buffer[..<end]))
            do throws(ParseError) { return .success(try parser.parseTopObject()) } catch { return .failure(error) }
        }
        self.slots = try parsed.get()
        self.bytes = bytes
        self.count = end
    }

    /// Finds the value ranges of the first members named `names` in the object `line`, without
    /// copying anything (for readers that only look at a few members); ``Located/firstRepeats``
    /// says whether the first name occurs again. Throws when `line` is not exactly one JSON
    /// object, like ``init(_:count:)``.
    public static func locate(_ names: [[UInt8]], in line: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Located {
        var found = Located(count: names.count)
        var parser = Parser(bytes: line)
        try parser.visitTopObject { slot in
            for (index, name) in names.enumerated() where found[index] == nil || (index == 0 && !found.firstRepeats) {
                let matches: Bool
                if slot.keyEscaped {
                    var decoded: [UInt8] = []
                    JSONString.decode(UnsafeBufferPointer(rebasing: line[(slot.key.lowerBound - 1)..<(slot.key.upperBound + 1)]), into: &decoded)
                    matches = decoded == name
                } else {
                    matches = slot.key.count == name.count && name.withUnsafeBufferPointer { wanted in
                        wanted.isEmpty || memcmp(line.baseAddress! + slot.key.lowerBound, wanted.baseAddress!, wanted.count) == 0
                    }
                }
                if matches {
                    if found[index] == nil { found[index] = slot.value } else { found.firstRepeats = true }
                }
            }
        }
        return found
    }

    /// Value ranges found by ``locate(_:in:)``, in the order of the names asked for (up to four,
    /// held inline: nothing is allocated).
    public struct Located {
        private var storage: (Range<Int>?, Range<Int>?, Range<Int>?, Range<Int>?) = (nil, nil, nil, nil)
        /// The first name asked for occurs more than once (the range is its first occurrence's).
        public internal(set) var firstRepeats = false

        init(count: Int) { precondition(count <= 4, "JSONLine.locate looks for at most four names") }

        public subscript(index: Int) -> Range<Int>? {
            get {
                switch index {
                case 0: return storage.0
                case 1: return storage.1
                case 2: return storage.2
                default: return storage.3
                }
            }
            set {
                switch index {
                case 0: storage.0 = newValue
                case 1: storage.1 = newValue
                case 2: storage.2 = newValue
                default: storage.3 = newValue
                }
            }
        }
    }

    /// Every top-level member in order, names decoded.
    public var members: [Member] {
        withView { view in slots.map { Member(key: String(decoding: view.keyBytes($0), as: UTF8.self), value: $0.value) } }
    }

    /// The first member named `key`.
    public func member(_ key: String) -> Member? {
        withView { $0.member(key) }.map { Member(key: key, value: $0) }
    }

    /// The decoded UTF-8 bytes of a string member; nil if absent or not a string.
    public func string(_ key: String) -> [UInt8]? { withView { $0.string(key) } }

    /// A member as display text: strings decoded, numbers and literals as written.
    public func text(_ key: String) -> String? { withView { $0.text(key) } }

    /// The line (without anything after `count`) with member `key`'s value replaced by the JSON
    /// string encoding of `value`.
    public func replacing(_ key: String, withString value: [UInt8]) -> [UInt8] {
        guard let member = member(key) else { return Array(bytes[..<count]) }
        var out = Array(bytes[..<member.value.lowerBound])
        out.append(contentsOf: JSONString.encode(value))
        out.append(contentsOf: bytes[member.value.upperBound..<count])
        return out
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static let maxDepth = 512

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func fail(_ reason: String) -> ParseError { ParseError(offset: index, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 || bytes[index] == 13 || bytes[index] == 10 { index += 1 }
        }

        mutating func parseTopObject() throws(ParseError) -> [Slot] {
            var members: [Slot] = []
            members.reserveCapacity(4)
            try visitTopObject { members.append($0) }
            return members
        }

        /// Parses the whole input as one object, handing each top-level member to `visit` in order.
        mutating func visitTopObject(_ visit: (Slot) -> Void) throws(ParseError) {
            // A UTF-8 byte-order mark before the object (the first line of a file saved by some
            // Windows tools, or of files joined with cat) is tolerated and kept.
            if index == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail("expected a JSON object") }
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                    let keyStart = index
                    let escaped = try skipString()
                    let key = (keyStart + 1)..<(index - 1)
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    skipSpace()
                    let valueStart = index
                    try skipValue(depth: 1)
                    visit(Slot(key: key, keyEscaped: escaped, value: valueStart..<index))
                    skipSpace()
                    guard index < bytes.count else { throw fail("unterminated object") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                    throw fail("expected ',' or '}'")
                }
            }
            skipSpace()
            guard index == bytes.count else { throw fail("unexpected text after the object") }
        }

        /// Skips the string starting at `index` (its opening quote); true when it holds a backslash escape.
        @discardableResult
        mutating func skipString() throws(ParseError) -> Bool {
            let count = bytes.count
            guard let base = bytes.baseAddress else { throw fail("unterminated string") }
            var i = index + 1
            var escaped = false
            let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
            while true {
                // Eight plain bytes at a time: no quote, backslash or control character.
                while i + 8 <= count {
                    let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                    let special = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)) & high
                    if special != 0 {
                        // The lowest flagged byte is exactly the first special one (a borrow only
                        // flags bytes above a true match): go straight to it.
                        i += (special.littleEndian.trailingZeroBitCount) >> 3
                        break
                    }
                    i += 8
                }
                guard i < count else {
                    index = count
                    throw fail("unterminated string")
                }
                let byte = base[i]
                if byte == 34 {
                    index = i + 1
                    return escaped
                }
                if byte == 92 {
                    escaped = true
                    i += 1
                    guard i < count else {
                        index = count
                        throw fail("unterminated string")
                    }
                    switch base[i] {
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            i += 1
                            guard i < count, JSONString.hexValue(base[i]) != nil else {
                                index = i
                                throw fail("bad escape or control character in string")
                            }
                        }
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        break
                    default:
                        index = i
                        throw fail("bad escape or control character in string")
                    }
                } else if byte < 0x20 {
                    index = i
                    throw fail("bad escape or control character in string")
                }
                i += 1
            }
        }

        mutating func skipValue(depth: Int) throws(ParseError) {
            guard depth <= Parser.maxDepth else { throw fail("nesting too deep") }
            guard index < bytes.count else { throw fail("expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                let isObject = close == UInt8(ascii: "}")
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == close { index += 1; return }
                while true {
                    skipSpace()
                    if isObject {
                        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                        try skipString()
                        skipSpace()
                        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                        index += 1
                        skipSpace()
                    }
                    try skipValue(depth: depth + 1)
                    skipSpace()
                    guard index < bytes.count else { throw fail("unterminated container") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == close { index += 1; return }
                    throw fail("expected ',' or closing bracket")
                }
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default:
                try skipNumber()
            }
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<(index + expected.count)]) == expected else { throw fail("bad literal") }
            index += expected.count
        }

        mutating func skipNumber() throws(ParseError) {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            while index < bytes.count, let byte = Optional(bytes[index]),
                  (byte >= 48 && byte <= 57) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                if byte >= 48 && byte <= 57 { digits += 1 }
                index += 1
            }
            if digits == 0 { index = start; throw fail("expected a value") }
        }
    }
}
