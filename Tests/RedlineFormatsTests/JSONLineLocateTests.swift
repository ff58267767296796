import Testing
@testable import RedlineFormats

@Suite("JSON Lines records read in place")
struct JSONLineLocateTests {
    @Test("locate finds the first member of each name in place, escaped names included")
    func locateMembers() throws {
        let raw = Array(#"{"id":"a-1","te\u0078t":"first","text":"second","n":12,"channel":"chat"}"#.utf8)
        let names = [Array("text".utf8), Array("id".utf8), Array("channel".utf8), Array("missing".utf8)]
        let found = try raw.withUnsafeBufferPointer { try JSONLine.locate(names, in: $0) }
        let line = try JSONLine(raw)
        #expect(found[0] == line.member("text")?.value)
        #expect(String(decoding: raw[found[0]!], as: UTF8.self) == #""first""#)
        #expect(found[1] == line.member("id")?.value)
        #expect(found[2] == line.member("channel")?.value)
        #expect(found[3] == nil)
        for bad in [#"{"a":1"#, "[1]", #"{"a":"x" "b":1}"#, #"{"text":"ok"} trailing"#] {
            #expect(throws: JSONLine.ParseError.self) { try Array(bad.utf8).withUnsafeBufferPointer { try JSONLine.locate(names, in: $0) } }
        }
    }

    @Test("decoding into a reused buffer appends exactly what decode returns")
    func decodeInto() {
        var buffer = Array("kept:".utf8)
        for quoted in [#""plain""#, #""a\nb\t\"q\" \u00e9 \ud83d\ude00 \ud800 lone""#, #""""#, #""\\""#, #""trailing \""#] {
            let bytes = Array(quoted.utf8)
            let expected = JSONString.decode(bytes[...])
            buffer.removeAll(keepingCapacity: true)
            bytes.withUnsafeBufferPointer { JSONString.decode($0, into: &buffer) }
            #expect(buffer == expected, "\(quoted)")
        }
        #expect(JSONString.decode(Array(#""a\nb \u00e9""#.utf8)[...]) == Array("a\nb é".utf8))
    }

    @Test("a line parsed with a count ignores the bytes after it")
    func parsesPrefix() throws {
        let raw = Array("{\"text\":\"x\"}\r\n".utf8)
        let line = try JSONLine(raw, count: raw.count - 2)
        #expect(line.string("text") == Array("x".utf8))
        #expect(line.replacing("text", withString: Array("y".utf8)) == Array(#"{"text":"y"}"#.utf8))
        #expect(line.replacing("absent", withString: []) == Array(#"{"text":"x"}"#.utf8))
    }
}
