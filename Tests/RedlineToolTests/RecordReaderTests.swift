import Foundation
import Testing

/// Issue 15 group 2 (record readers) and issue 13 item 4 (every field), end to end.
@Suite("Record readers, end to end")
struct RecordReaderTests {
    static let nino = "JG 10 37 55 A"
    static let card = "4111 1111 1111 1111"

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test("issue15_duplicateTextKey: a repeated text member is scanned and redacted in every occurrence")
    func duplicateTextKey() throws {
        let input = #"{"id":"d","text":"hello","text":"NI \#(Self.nino)"}"# + "\n"
        let check = try Redline.run(["check", "--input", "jsonl", "--format", "jsonl"], input: Array(input.utf8))
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.out.contains("\"detector\":\"nino\""))
        let redact = try Redline.run(["redact", "--input", "jsonl"], input: Array(input.utf8))
        #expect(redact.status == 0)
        #expect(redact.out == #"{"id":"d","text":"hello","text":"NI [NI NUMBER]"}"# + "\n")
    }

    @Test("issue15_textNotAString: a number or an array in the text field is scanned, not skipped")
    func textNotAString() throws {
        let input = #"{"id":"n","text":4111111111111111}"# + "\n" + #"{"id":"a","text":["hi",{"note":"NI \#(Self.nino)"}]}"# + "\n"
        let check = try Redline.run(["check", "--input", "jsonl", "--format", "jsonl"], input: Array(input.utf8))
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.out.contains("\"detector\":\"card\""))
        #expect(check.out.contains("\"part\":\"text[1].note\""))
        let redact = try Redline.run(["redact", "--input", "jsonl"], input: Array(input.utf8))
        #expect(redact.status == 0)
        #expect(Self.lines(redact.out) == [#"{"id":"n","text":"************1111"}"#, #"{"id":"a","text":["hi",{"note":"NI [NI NUMBER]"}]}"#])
    }

    @Test("issue15_csvDuplicateColumns: every column of a repeated name is scanned and redacted")
    func csvDuplicateColumns() throws {
        // Whichever column a reader keeps for the name (first or last), the other one holds a value.
        let input = "id,text,text\n1,NI \(Self.nino),hello\n2,hello,NI \(Self.nino)\n"
        let check = try Redline.run(["check", "--input", "csv"], input: Array(input.utf8))
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.out.contains(":#0:") && check.out.contains(":#1:"), "\(check.out)")
        let redact = try Redline.run(["redact", "--input", "csv"], input: Array(input.utf8))
        #expect(redact.out == "id,text,text\n1,NI [NI NUMBER],hello\n2,hello,NI [NI NUMBER]\n")
    }

    @Test("issue15_unterminatedQuote: a quote that swallows the rest of a CSV is an error naming its line, exit 2")
    func unterminatedQuote() throws {
        let input = "id,text\n1,\"fine\"\n2,\"never closed, NI \(Self.nino)\n3,more\n4,\"x\"\n"
        for command in [["check"], ["redact"], ["scan", "--quiet"]] {
            let path = try Redline.write(input, to: try Redline.temporaryDirectory(), name: "replies.csv")
            let result = try Redline.run(command + ["--input", "csv", path])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("line 3: a quoted field is never closed"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("JG"), "\(command)")
        }
    }

    @Test("issue15_jsonlBOM: a UTF-8 byte-order mark on the first line is tolerated, kept, and the line scanned")
    func jsonlByteOrderMark() throws {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"text":"NI \#(Self.nino)"}"#.utf8) + [10] + Array(#"{"text":"ok"}"#.utf8) + [10]
        let check = try Redline.run(["check", "--input", "jsonl"], input: input)
        #expect(check.status == 1, "\(check.stderr)")
        #expect(!check.stderr.contains("malformed"))
        let redact = try Redline.run(["redact", "--input", "jsonl"], input: input)
        #expect(redact.stdout == [0xEF, 0xBB, 0xBF] + Array(#"{"text":"NI [NI NUMBER]"}"#.utf8) + [10] + Array(#"{"text":"ok"}"#.utf8) + [10])
    }

    static let nested = #"{"id":"r1","customer":{"notes":"NI \#(nino)"},"items":[{"text":"a"},{"text":"b"},{"text":"card \#(card)"}],"text":"fine","n":1}"# + "\n"

    @Test("issue13_allFields: check finds values in every field with --all-fields, naming the field path; only the text field without it")
    func checkAllFields() throws {
        let plain = try Redline.run(["check", "--input", "jsonl"], input: Array(Self.nested.utf8))
        #expect(plain.status == 0, "\(plain.out)")
        let all = try Redline.run(["check", "--input", "jsonl", "--all-fields", "--format", "jsonl"], input: Array(Self.nested.utf8))
        #expect(all.status == 1)
        #expect(all.out.contains("\"part\":\"customer.notes\""))
        #expect(all.out.contains("\"part\":\"items[2].text\""))
        let text = try Redline.run(["check", "--input", "jsonl", "--all-fields"], input: Array(Self.nested.utf8))
        #expect(text.out.contains("(customer.notes)") && text.out.contains("(items[2].text)"))
    }

    @Test("issue13_allFields: redact rewrites every affected string and leaves the rest of the line byte-identical")
    func redactAllFields() throws {
        let result = try Redline.run(["redact", "--input", "jsonl", "--all-fields"], input: Array(Self.nested.utf8))
        #expect(result.status == 0)
        #expect(result.out == #"{"id":"r1","customer":{"notes":"NI [NI NUMBER]"},"items":[{"text":"a"},{"text":"b"},{"text":"card **** **** **** 1111"}],"text":"fine","n":1}"# + "\n")
        let csv = "id,email,text\n1,jane.doe@example.com,\"NI \(Self.nino)\"\n2,none,fine\n"
        let redacted = try Redline.run(["redact", "--input", "csv", "--all-fields"], input: Array(csv.utf8))
        #expect(redacted.out == "id,email,text\n1,jane.doe@example.com,\"NI [NI NUMBER]\"\n2,none,fine\n")
        let checked = try Redline.run(["check", "--input", "csv", "--all-fields", "--format", "json"], input: Array(csv.utf8))
        #expect(checked.out.contains("\"part\":\"email\""), "\(checked.out)")
    }

    @Test("issue13_scanEveryField: scan reads every field by default and every format names the field path")
    func scanEveryField() throws {
        let dir = try Redline.temporaryDirectory()
        _ = try Redline.write(Self.nested, to: dir, name: "tickets.jsonl")
        _ = try Redline.write("id,email,notes\n1,x,\"NI \(Self.nino)\"\n", to: dir, name: "export.csv")
        let expectations: [String: [String]] = [
            "text": ["(customer.notes)", "(items[2].text)", "(notes)"],
            "json": ["\"part\":\"customer.notes\"", "\"part\":\"items[2].text\"", "\"part\":\"notes\""],
            "jsonl": ["\"part\":\"customer.notes\"", "\"part\":\"notes\""],
            "sarif": ["\"fullyQualifiedName\":\"customer.notes\"", "found in items[2].text", "\"part\":\"notes\""],
            // `part`, then the rule's `message` (the last column).
            "csv": [",customer.notes,", ",items[2].text,", ",notes,"],
            "html": ["(customer.notes)", "(items[2].text)", "(notes)"],
        ]
        for (format, needles) in expectations {
            let result = try Redline.run(["scan", "--quiet", "--list", "--format", format, dir])
            #expect(result.status == 1, "\(format): \(result.stderr)")
            for needle in needles { #expect(result.out.contains(needle), "\(format) lacks \(needle)") }
        }
        // Naming one text field narrows the scan to it.
        let narrow = try Redline.run(["scan", "--quiet", "--list", "--text-field", "text", dir + "/tickets.jsonl"])
        #expect(narrow.status == 0, "\(narrow.out)")
    }

    @Test("issue15_recordIdMasked: an id holding a value is redacted in every report; a clean id is shown as it is")
    func recordIDMasked() throws {
        let dir = try Redline.temporaryDirectory()
        let jsonl = try Redline.write(#"{"id":"JG103755A","text":"card \#(Self.card)"}"# + "\n" + #"{"id":"T-77","text":"card \#(Self.card)"}"# + "\n",
                                      to: dir, name: "tickets.jsonl")
        let csv = try Redline.write("id,text\nJG103755A,card \(Self.card)\n", to: dir, name: "replies.csv")
        for path in [jsonl, csv] {
            for format in ["text", "json", "jsonl", "sarif"] {
                let result = try Redline.run(["check", "--format", format, path])
                #expect(!result.out.contains("JG103755A") && !result.out.contains("103755"), "check \(format) \(path)")
                if format != "text" && path == jsonl { #expect(result.out.contains("T-77"), "check \(format): a clean id is kept") }
            }
        }
        for format in ["text", "json", "jsonl", "sarif", "csv", "html"] {
            let result = try Redline.run(["scan", "--quiet", "--list", "--format", format, dir])
            #expect(!result.out.contains("103755"), "scan \(format)")
        }
        let marker = try Redline.run(["redact", "--on-block", "marker", jsonl])
        #expect(marker.out.contains("\"id\":\"[NI NUMBER]\"") && !marker.out.contains("103755"), "\(marker.out)")
    }
}

/// Issue 15 group 2: UTF-16 files with a byte-order mark.
@Suite("UTF-16 inputs, end to end")
struct UTF16InputTests {
    static func utf16(_ text: String, littleEndian: Bool) -> [UInt8] {
        (littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF])
            + text.utf16.flatMap { littleEndian ? [UInt8($0 & 0xFF), UInt8($0 >> 8)] : [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    @Test("issue15_utf16: text, JSONL and CSV in UTF-16 (LE and BE) are scanned, and redact writes UTF-16 back", arguments: [true, false])
    func utf16Files(littleEndian: Bool) throws {
        let dir = try Redline.temporaryDirectory()
        let cases: [(name: String, input: String, redacted: String)] = [
            ("note.txt", "Hi Zoë,\r\nNI JG 10 37 55 A\r\n", "Hi Zoë,\r\nNI [NI NUMBER]\r\n"),
            ("tickets.jsonl", "{\"id\":\"1\",\"text\":\"NI JG 10 37 55 A\"}\n", "{\"id\":\"1\",\"text\":\"NI [NI NUMBER]\"}\n"),
            ("replies.csv", "id,text\n1,NI JG 10 37 55 A\n", "id,text\n1,NI [NI NUMBER]\n"),
        ]
        for item in cases {
            let path = dir + "/" + item.name
            try Data(Self.utf16(item.input, littleEndian: littleEndian)).write(to: URL(fileURLWithPath: path))
            let check = try Redline.run(["check", path])
            #expect(check.status == 1, "\(item.name): \(check.out) \(check.stderr)")
            #expect(check.out.contains("nino"), "\(item.name)")
            let scan = try Redline.run(["scan", "--quiet", path])
            #expect(scan.status == 1, "\(item.name) scan")
            let redact = try Redline.run(["redact", path])
            #expect(redact.stdout == Self.utf16(item.redacted, littleEndian: littleEndian), "\(item.name): \(redact.out)")
            #expect(try Redline.run(["redact", "--in-place", path]).status == 0)
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Self.utf16(item.redacted, littleEndian: littleEndian))
        }
    }

    @Test("a clean UTF-16 file, unpaired surrogate included, comes back byte-identical")
    func utf16ByteFidelity() throws {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x0A, 0x00, 0x42, 0x00]
        let result = try Redline.run(["redact"], input: bytes)
        #expect(result.status == 0)
        #expect(result.stdout == bytes)
    }
}
