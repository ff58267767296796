import Testing
@testable import RedlineFormats

/// Issue 15 group 2 and issue 13 item 4: what the record readers hand to the scanner.
@Suite("Record values")
struct RecordValueTests {
    @Test("issue15_duplicateTextKey: every occurrence of a repeated member name is a value to scan")
    func duplicateKeys() throws {
        let line = try JSONLine(Array(#"{"id":"d","text":"first","text":"second","text":3}"#.utf8))
        let scalars = line.scalars(named: "text")
        #expect(scalars.map { String(decoding: line.text(of: $0), as: UTF8.self) } == ["first", "second", "3"])
        #expect(scalars.map(\.path) == ["text", "text", "text"])
        let located = try Array(#"{"text":"a","id":1,"text":"b"}"#.utf8).withUnsafeBufferPointer { try JSONLine.locate([Array("text".utf8)], in: $0) }
        #expect(located.firstRepeats)
        let single = try Array(#"{"text":"a","id":1}"#.utf8).withUnsafeBufferPointer { try JSONLine.locate([Array("text".utf8)], in: $0) }
        #expect(!single.firstRepeats)
    }

    @Test("issue15_textNotAString: a number is scanned as written; an array or object gives every string and number inside")
    func nonStringText() throws {
        let line = try JSONLine(Array(#"{"text":[4111111111111111,"card",{"n":"x","m":[null,true,"y"]}],"other":"no"}"#.utf8))
        let scalars = line.scalars(named: "text")
        #expect(scalars.map(\.path) == ["text[0]", "text[1]", "text[2].n", "text[2].m[2]"])
        #expect(scalars.map(\.isString) == [false, true, true, true])
        #expect(line.text(of: scalars[0]) == Array("4111111111111111".utf8))
    }

    @Test("issue13_allFields: every string and number of a record, with its path; names decoded")
    func allScalars() throws {
        let line = try JSONLine(Array(#"{"id":7,"customer":{"notes":"n","na\u006De":"J"},"items":[{"text":"a"},{"text":"b"},{"text":"c"}],"ok":false}"#.utf8))
        #expect(line.allScalars.map(\.path) == ["id", "customer.notes", "customer.name", "items[0].text", "items[1].text", "items[2].text"])
    }

    @Test("a nested member name that would not read back after a dot is quoted in its path, so the path still begins with its parent's")
    func pathsOfAwkwardNames() throws {
        // Found by FuzzJSONL: a name starting with a combining mark (U+05B5) followed by invalid
        // UTF-8 fused with the dot, so "c.ֵ…" no longer began with "c." as characters.
        let fuzzed: [UInt8] = Array(#"{"id":"r1","c":{""#.utf8) + [0xD6, 0xB5, 0xFF, 0xFF, 0xFF] + Array(#"n@tes":"J"}}"#.utf8)
        let line = try JSONLine(fuzzed)
        let paths = line.scalars(named: "c").map(\.path)
        #expect(paths == ["c[\"\u{05B5}\u{FFFD}\u{FFFD}\u{FFFD}n@tes\"]"])
        #expect(paths.allSatisfy { $0.hasPrefix("c[") })
        #expect(line.text(of: line.scalars(named: "c")[0]) == Array("J".utf8))
        // Names holding a dot, a bracket or a quote, and the empty name, are quoted too; plain names are not.
        let odd = try JSONLine(Array(#"{"a":{"x.y":1,"":2,"q\"[":3,"e\u0301":4,"plain":5},"b":[{"\u0301":6}]}"#.utf8))
        #expect(odd.allScalars.map(\.path) == [#"a["x.y"]"#, #"a[""]"#, #"a["q\"["]"#, "a.e\u{0301}", "a.plain", "b[0][\"\u{0301}\"]"])
        #expect(odd.allScalars.map { String(decoding: odd.text(of: $0), as: UTF8.self) } == ["1", "2", "3", "4", "5", "6"])
        // Under a top-level member with the empty name, a nested value's path still begins with
        // that (empty) name and a separator, instead of looking like a top-level member of its own.
        let unnamed = try JSONLine(Array(#"{"":{"x":1,"y":[2]}}"#.utf8))
        #expect(unnamed.scalars(named: "").map(\.path) == [".x", ".y[0]"])
    }

    @Test("rewriting several values keeps every other byte of the line, numbers become strings")
    func replaceSeveral() throws {
        let raw = #"{"a" : "x" , "n":41, "b":["y", 1]}"#
        let line = try JSONLine(Array(raw.utf8))
        let scalars = line.allScalars
        let out = line.replacing([(scalars[3].range, Array("[N]".utf8)), (scalars[0].range, Array("[X]".utf8)), (scalars[1].range, Array("**".utf8))])
        #expect(String(decoding: out, as: UTF8.self) == #"{"a" : "[X]" , "n":"**", "b":["y", "[N]"]}"#)
    }

    @Test("issue15_jsonlBOM: a UTF-8 byte-order mark before the object is tolerated and kept")
    func byteOrderMark() throws {
        let raw: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"text":"hi"}"#.utf8)
        let line = try JSONLine(raw)
        #expect(line.string("text") == Array("hi".utf8))
        #expect(line.replacing("text", withString: Array("x".utf8)) == [0xEF, 0xBB, 0xBF] + Array(#"{"text":"x"}"#.utf8))
        let located = try raw.withUnsafeBufferPointer { try JSONLine.locate([Array("text".utf8)], in: $0) }
        #expect(located[0] != nil)
        // Only before the object: a mark after its first byte is still an error.
        #expect(throws: JSONLine.ParseError.self) { try JSONLine(Array(#"{"#.utf8) + [0xEF, 0xBB, 0xBF] + Array(#""text":"hi"}"#.utf8)) }
    }

    @Test("issue15_unterminatedQuote: a quote still open at the end of the input is reported, with the line breaks it swallowed")
    func unterminatedQuote() {
        let input = Array("a,\"ok\"\nb,\"never closed\nc,d\n".utf8)
        input.withUnsafeBufferPointer { buffer in
            let first = CSVRecord.nextRecord(in: buffer, from: 0, atEnd: true)
            #expect(first == CSVRecord.Extent(length: 7, lineBreaks: 1, unterminated: false))
            let rest = CSVRecord.nextRecord(in: buffer, from: 7, atEnd: true)
            #expect(rest?.unterminated == true)
            #expect(rest?.length == input.count - 7)
            // Not at the end of the input yet: more may close the quote.
            #expect(CSVRecord.nextRecord(in: buffer, from: 7, atEnd: false) == nil)
        }
        let quotedBreak = Array("a,\"two\nlines\"\n".utf8)
        quotedBreak.withUnsafeBufferPointer { buffer in
            #expect(CSVRecord.nextRecord(in: buffer, from: 0, atEnd: true) == CSVRecord.Extent(length: quotedBreak.count, lineBreaks: 2, unterminated: false))
        }
    }

    @Test("CSV: rewriting several fields keeps the others and the terminator")
    func csvReplaceSeveral() {
        let row = CSVRecord(Array("1,\"a, b\",c,d\r\n".utf8)[...])
        let out = row.replacing([(3, Array("X".utf8)), (1, Array("Y\"".utf8))])
        #expect(String(decoding: out, as: UTF8.self) == "1,\"Y\"\"\",c,X\r\n")
    }
}
