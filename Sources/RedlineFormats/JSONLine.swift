/// One JSON Lines record: a JSON object on one line, parsed just enough to find its top-level
/// members and their raw byte ranges. Rewriting one member splices new bytes into the original
/// line, so every other key and value is kept exactly as it was, in order.
public struct JSONLine: Sendable {
    public struct Member: Sendable {
        public var key: String
        public var value: Range<Int>
    }

    public let bytes: [UInt8]
    public let members: [Member]

    /// Why a line is not a JSON object.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    public init(_ bytes: [UInt8]) throws(ParseError) {
        var parser = Parser(bytes: bytes)
        self.members = try parser.parseTopObject()
        self.bytes = bytes
    }

    public func member(_ key: String) -> Member? { members.first { $0.key == key } }

    /// Bytes that may follow a backslash (besides `u`).
    static let simpleEscapes: [UInt8] = Array("\"\\/bfnrt".utf8)

    /// The decoded UTF-8 bytes of a string member; nil if absent or not a string.
    public func string(_ key: String) -> [UInt8]? {
        guard let member = member(key), bytes[member.value.lowerBound] == UInt8(ascii: "\"") else { return nil }
        return JSONString.decode(bytes[member.value])
    }

    /// A member as display text: strings decoded, numbers and literals as written.
    public func text(_ key: String) -> String? {
        guard let member = member(key) else { return nil }
        if let decoded = string(key) { return String(decoding: decoded, as: UTF8.self) }
        return String(decoding: bytes[member.value], as: UTF8.self)
    }

    /// The line with member `key`'s value replaced by the JSON string encoding of `value`.
    public func replacing(_ key: String, withString value: [UInt8]) -> [UInt8] {
        guard let member = member(key) else { return bytes }
        var out = Array(bytes[..<member.value.lowerBound])
        out.append(contentsOf: JSONString.encode(value))
        out.append(contentsOf: bytes[member.value.upperBound...])
        return out
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0
        static let maxDepth = 512

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func fail(_ reason: String) -> ParseError { ParseError(offset: index, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 32 || bytes[index] == 9 || bytes[index] == 13 || bytes[index] == 10 { index += 1 }
        }

        mutating func parseTopObject() throws(ParseError) -> [Member] {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail("expected a JSON object") }
            index += 1
            var members: [Member] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                    let keyStart = index
                    try skipString()
                    let key = String(decoding: JSONString.decode(bytes[keyStart..<index]), as: UTF8.self)
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    skipSpace()
                    let valueStart = index
                    try skipValue(depth: 1)
                    members.append(Member(key: key, value: valueStart..<index))
                    skipSpace()
                    guard index < bytes.count else { throw fail("unterminated object") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                    throw fail("expected ',' or '}'")
                }
            }
            skipSpace()
            guard index == bytes.count else { throw fail("unexpected text after the object") }
            return members
        }

        mutating func skipString() throws(ParseError) {
            index += 1
            let count = bytes.count
            let result: Int? = bytes.withUnsafeBufferPointer { buffer -> Int? in
                var i = index
                let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
                while i < count {
                    // Eight plain bytes at a time: no quote, backslash or control character.
                    while i + 8 <= count {
                        let word = UnsafeRawPointer(buffer.baseAddress! + i).loadUnaligned(as: UInt64.self)
                        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                        let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                        if special & high != 0 { break }
                        i += 8
                    }
                    guard i < count else { break }
                    let byte = buffer[i]
                    if byte == 34 { return i + 1 }
                    if byte == 92 {
                        i += 1
                        guard i < count else { return nil }
                        if buffer[i] == UInt8(ascii: "u") {
                            for _ in 0..<4 {
                                i += 1
                                guard i < count, JSONString.hexValue(buffer[i]) != nil else { return -i }
                            }
                        } else if !JSONLine.simpleEscapes.contains(buffer[i]) {
                            return -i
                        }
                    } else if byte < 0x20 {
                        return -i
                    }
                    i += 1
                }
                return nil
            }
            guard let result else {
                index = count
                throw fail("unterminated string")
            }
            if result < 0 {
                index = -result
                throw fail("bad escape or control character in string")
            }
            index = result
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
