import Testing
import RedlineCore

@Suite("JSON string escaping")
struct JSONTextTests {
    /// The escaper as first written (scalar by scalar): the byte-level one must agree with it.
    static func reference(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u00" + String(scalar.value >> 4, radix: 16) + String(scalar.value & 15, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    @Test("escapes quotes, backslashes and control characters and keeps every other character", arguments: [
        "", "plain", "q\"uote", "back\\slash", "line\nbreak\r\n\ttab", "\u{01}\u{1F}\u{7F}", "café ünï 😀 \u{2028}",
        "ends with \\", "\"", String(repeating: "long run without escapes ", count: 20) + "\"",
    ])
    func matchesReference(_ value: String) {
        #expect(JSONText.quoted(value) == Self.reference(value))
        var bytes = Array("prefix".utf8)
        JSONText.appendQuoted(value, to: &bytes)
        #expect(bytes == Array(("prefix" + Self.reference(value)).utf8))
    }

    @Test("writes integers as decimal digits", arguments: [0, 7, 10, 99, 1_000_000, Int.max, -1, -45, Int.min])
    func decimals(_ value: Int) {
        var bytes: [UInt8] = []
        JSONText.appendDecimal(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
    }
}
