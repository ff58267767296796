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
}
