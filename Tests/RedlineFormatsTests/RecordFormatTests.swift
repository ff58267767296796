import Testing
@testable import RedlineFormats

@Suite("JSON Lines records")
struct JSONLineTests {
    @Test("finds top-level members and decodes the text field")
    func parsesMembers() throws {
        let line = try JSONLine(Array(#"{"id": 7, "text":"caf\u00e9 \ud83d\ude00 \"q\"\n", "nested": {"text": "no"}, "list": [1, "a"]}"#.utf8))
        #expect(line.members.map(\.key) == ["id", "text", "nested", "list"])
        #expect(line.string("text") == Array("café 😀 \"q\"\n".utf8))
        #expect(line.text("id") == "7")
        #expect(line.string("missing") == nil)
        #expect(line.string("id") == nil)
    }

    @Test("replacing one member keeps every other byte of the line")
    func replaceKeepsTheRest() throws {
        let raw = #"{"a" : 1 ,"text":"secret","z":[true,false,null]}"#
        let line = try JSONLine(Array(raw.utf8))
        let out = String(decoding: line.replacing("text", withString: Array("[REDACTED]\n".utf8)), as: UTF8.self)
        #expect(out == #"{"a" : 1 ,"text":"[REDACTED]\n","z":[true,false,null]}"#)
    }

    @Test("rejects malformed lines with an offset", arguments: [#"{"a":1"#, #"{"a":}"#, "[1,2]", #"{"a":"x" "b":1}"#, #"{"a":tru}"#, #"{"a":1} x"#, "not json", #"{"a":"\x"}"#])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONLine.ParseError.self) { try JSONLine(Array(text.utf8)) }
    }

    @Test("deep nesting is refused, not a stack overflow")
    func deepNesting() {
        let text = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: JSONLine.ParseError.self) { try JSONLine(Array(text.utf8)) }
    }

    @Test("encoding escapes control characters and turns invalid UTF-8 into U+FFFD")
    func encoding() {
        let encoded = String(decoding: JSONString.encode([0x61, 0x0A, 0x09, 0x22, 0x5C, 0x01, 0xFF]), as: UTF8.self)
        #expect(encoded == "\"a\\n\\t\\\"\\\\\\u0001\u{FFFD}\"")
    }
}

@Suite("CSV records")
struct CSVRecordTests {
    @Test("a quoted field may hold commas, quotes and line breaks")
    func quotedFields() {
        let raw = Array("1,\"a, \"\"b\"\"\nc\",x\r\n".utf8)
        let length = raw.withUnsafeBufferPointer { CSVRecord.nextRecordLength(in: $0, from: 0, atEnd: false) }
        #expect(length == raw.count)
        let record = CSVRecord(raw[...])
        #expect(record.fields.count == 3)
        #expect(record.value(1) == Array("a, \"b\"\nc".utf8))
        #expect(record.terminator == [13, 10])
    }

    @Test("an incomplete quoted record waits for more input")
    func incompleteRecord() {
        let raw = Array("1,\"open\nstill open".utf8)
        let length = raw.withUnsafeBufferPointer { CSVRecord.nextRecordLength(in: $0, from: 0, atEnd: false) }
        #expect(length == nil)
    }

    @Test("replacing a field quotes it when needed and keeps the other fields byte-identical")
    func replaceField() {
        let record = CSVRecord(Array("a,\"b\",c\n".utf8)[...])
        #expect(String(decoding: record.replacing(1, with: Array("x,y".utf8)), as: UTF8.self) == "a,\"x,y\",c\n")
        #expect(String(decoding: record.replacing(2, with: Array("z".utf8)), as: UTF8.self) == "a,\"b\",z\n")
    }

    @Test("spreadsheet cells starting with a formula character are neutralised", arguments: ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx"])
    func formulaInjection(_ text: String) {
        #expect(CSVRecord.spreadsheetCell(text).hasPrefix("'") || CSVRecord.spreadsheetCell(text).hasPrefix("\"'"))
    }
}
