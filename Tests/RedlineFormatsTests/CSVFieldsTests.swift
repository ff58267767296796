import Testing
import RedlineFormats

/// `check`/`redact --input csv` split and decode records where they lie
/// (`CSVRecord.split(_:into:)`, `CSVRecord.decode(_:in:into:)`); they must agree with the copying
/// `CSVRecord` on every input, well-formed or not.
@Suite("CSV fields read in place")
struct CSVFieldsTests {
    static func agree(_ text: [UInt8]) -> Bool {
        let record = CSVRecord(text[...])
        var fields: [CSVRecord.Field] = []
        return record.bytes.withUnsafeBufferPointer { line in
            CSVRecord.split(line, into: &fields)
            guard fields.map(\.raw) == record.fields.map(\.raw), fields.map(\.quoted) == record.fields.map(\.quoted) else { return false }
            return fields.indices.allSatisfy { index in
                var decoded: [UInt8] = []
                CSVRecord.decode(fields[index], in: line, into: &decoded)
                return decoded == record.value(index)
            }
        }
    }

    @Test("quoted, doubled and stray quotes, empty fields, long runs and open quotes split and decode as the copy does",
          arguments: [
              "", ",", "a,b,c\n", "\"a,b\",c\r\n", "\"he said \"\"hi\"\"\",x", "a\"b,c\"d,e", "\"open, to the end",
              "\"\"", "\"\"\"\"", ",,\"\",", "x,\"multi\nline, field\",y\n", "abcdefghijklmnop,qrstuvwxyz0123456789,\"0123456789abcdef\"",
              "\"a\"b\",c", "plain text with no separators at all, then one", "\"ends with a quote\"\"\"",
          ])
    func agreesWithCopy(_ text: String) {
        #expect(Self.agree(Array(text.utf8)), "\(text.debugDescription)")
    }

    @Test("random records over commas, quotes, line breaks and letters split and decode as the copy does")
    func randomRecords() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array(",\"\n\r ab1".utf8)
        var checked = 0
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(Self.agree(text), "\(String(decoding: text, as: UTF8.self).debugDescription)")
            checked += 1
        }
        #expect(checked == 3000)
    }

    /// The record extent, byte by byte: what `CSVRecord.nextRecord` finds eight bytes at a time.
    static func extent(_ bytes: [UInt8], from start: Int, atEnd: Bool) -> CSVRecord.Extent? {
        var inQuotes = false
        var lineBreaks = 0
        var index = start
        while index < bytes.count {
            if bytes[index] == 34 { inQuotes.toggle() } else if bytes[index] == 10 {
                lineBreaks += 1
                if !inQuotes { return CSVRecord.Extent(length: index + 1 - start, lineBreaks: lineBreaks, unterminated: false) }
            }
            index += 1
        }
        return atEnd && index > start ? CSVRecord.Extent(length: index - start, lineBreaks: lineBreaks, unterminated: inQuotes) : nil
    }

    @Test("record ends are found as a byte-by-byte reading finds them, quoted line breaks counted, at the end of input or not")
    func recordExtents() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array(",\"\n\nabcdefgh".utf8)
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let start = text.isEmpty ? 0 : Int.random(in: 0..<text.count, using: &generator)
            for atEnd in [false, true] {
                let found = text.withUnsafeBufferPointer { CSVRecord.nextRecord(in: $0, from: start, atEnd: atEnd) }
                #expect(found == Self.extent(text, from: start, atEnd: atEnd), "\(String(decoding: text, as: UTF8.self).debugDescription) from \(start)")
            }
        }
    }
}
