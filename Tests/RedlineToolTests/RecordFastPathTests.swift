import Testing
import RedlineCore
import RedlineEngine
@testable import RedlineTool

/// `check` and `redact` read JSON Lines records in place (`RecordProcessor.jsonl(inPlace:…)`);
/// `RecordProcessor.jsonl(_:record:)` parses a copy of each record, the straightforward way. Both
/// must see every record the same way and write the same bytes.
@Suite("JSON Lines fast path")
struct RecordFastPathTests {
    static let records: [String] = [
        #"{"id":"r1","text":"card 4111 1111 1111 1111 please"}"# + "\n",
        #"{"id":7,"text":"NI number JG 10 37 55 A, postcode LS6 2AB"}"# + "\r\n",
        #"{"text":"escaped\ncard 5555\u00205555 5555 4444","id":"esc"}"# + "\n",
        #"{"te\u0078t":"name escaped: 07700 900123","id":"k"}"# + "\n",
        #"{"id":"dup","text":"first 4111111111111111","text":"second"}"# + "\n",
        #"{"id":"num","text":12345678901234}"# + "\n",
        #"{"id":"none"}"# + "\n",
        "   \t\n",
        #"{"id":"bad","text":"unterminated}"# + "\n",
        #"[1,2,3]"# + "\n",
        #"{"id":"chan","channel":"chat","text":"sort code 20-00-00 account 12345678"}"# + "\n",
        #"{"id":"unknown-chan","channel":"nowhere","text":"mail me at someone@example.org"}"# + "\n",
        #"{"id":"nested","meta":{"text":"4111 1111 1111 1111"},"text":"IBAN GB82 WEST 1234 5698 7654 32"}"#,
    ]

    @Test("reading a record in place gives the same outcome and output as parsing a copy",
          arguments: [(nil, false, OnBlock.redact), ("channel", false, .redact), (nil, true, .redact), ("channel", true, .marker), ("channel", true, .redact)])
    func inPlaceMatchesCopy(_ setup: (channel: String?, redact: Bool, onBlock: OnBlock)) throws {
        let pipeline = try PolicySource.embeddedDefault.compile()
        var fields = RecordFields()
        fields.channel = setup.channel
        for passMalformed in [false, true] {
            let processor = RecordProcessor(session: pipeline.makeSession(), defaultChannel: "email-external", fields: fields,
                                            redact: setup.redact, onBlock: setup.onBlock, passMalformed: passMalformed)
            var text: [UInt8] = Array("left over from an earlier record 4111 1111 1111 1111".utf8)
            var findings = 0
            var rewritten = 0
            for (index, record) in Self.records.enumerated() {
                let raw = Array(record.utf8)
                let copied = processor.jsonl(raw, record: index)
                let inPlace = raw.withUnsafeBufferPointer { processor.jsonl(inPlace: $0, record: index, names: processor.jsonlNames, text: &text) }
                #expect(inPlace.id == copied.id, "record \(index)")
                #expect(inPlace.channel == copied.channel, "record \(index)")
                #expect(inPlace.verdict == copied.verdict, "record \(index)")
                #expect(inPlace.malformed == copied.malformed, "record \(index)")
                #expect(inPlace.findings.map { "\($0.detector) \($0.start)-\($0.end) \($0.action) \($0.excerpt)" }
                        == copied.findings.map { "\($0.detector) \($0.start)-\($0.end) \($0.action) \($0.excerpt)" }, "record \(index)")
                if setup.redact {
                    // What is written: the output, or the record exactly as read.
                    #expect((inPlace.output ?? raw) == (copied.output ?? raw), "record \(index)")
                    if (inPlace.output ?? raw) != raw { rewritten += 1 }
                }
                findings += inPlace.findings.count
            }
            // The cases above are not vacuous: cards, NINO, postcode, phone, bank, e-mail and IBAN are
            // found, and redaction rewrites some records and leaves others as they were.
            #expect(findings >= 9)
            if setup.redact { #expect(rewritten >= 4 && rewritten < Self.records.count) }
        }
    }

    @Test("issue15_longTextField: a text value over 4 MiB is scanned in windows and rewritten in pieces, with the findings and output of a whole scan",
          arguments: [OnBlock.redact, .marker])
    func longTextField(_ onBlock: OnBlock) throws {
        let pipeline = try PolicySource.embeddedDefault.compile()
        // Values near the 1 MiB piece and window edges, escapes and a surrogate pair around them.
        let filler = String(repeating: "order 58213 shipped, thanks! ", count: 40_000)
        var text = ""
        for (index, value) in ["NI JG 10 37 55 A", "call 07700 900123", "card 4111 1111 1111 1111", "NI AB 12 34 56 C", "😀 \\\"q\\\"\\\\n"].enumerated() {
            text += String(filler.prefix(1_048_576 - 9 + index * 3)) + "\\u00e9\\ud83d\\ude00 " + value + " "
        }
        let line = Array(#"{"id":"big","text":""#.utf8) + Array(text.utf8) + Array(#"","n":1,"meta":{"note":"card 4111 1111 1111 1111"}}"#.utf8) + [10]
        #expect(line.count > RecordProcessor.longValue)
        // --all-fields (scan's default) reads the long value in windows too, beside the short ones.
        for (redact, allFields) in [(false, false), (true, false), (false, true), (true, true)] {
            var fields = RecordFields()
            fields.allFields = allFields
            let processor = RecordProcessor(session: pipeline.makeSession(), defaultChannel: "email-external", fields: fields,
                                            redact: redact, onBlock: onBlock, passMalformed: false)
            var buffer: [UInt8] = []
            let long = line.withUnsafeBufferPointer { raw -> (RecordOutcome, [UInt8]) in
                let outcome = processor.jsonl(inPlace: raw, record: 0, names: processor.jsonlNames, text: &buffer)
                var written: [UInt8] = []
                if let writer = outcome.writer { try? writer { written += $0 } } else { written = outcome.output ?? Array(raw) }
                return (outcome, written)
            }
            #expect(buffer.isEmpty, "the long value was not decoded whole")
            let whole = processor.jsonl(line, record: 0)
            #expect(long.0.findings.map { "\($0.detector) \($0.start)-\($0.end) \($0.line):\($0.column) \($0.action) \($0.part ?? "")" }
                    == whole.findings.map { "\($0.detector) \($0.start)-\($0.end) \($0.line):\($0.column) \($0.action) \($0.part ?? "")" })
            #expect(long.0.findings.count >= (allFields ? 5 : 4))
            #expect(long.0.verdict == whole.verdict && long.0.id == whole.id)
            if redact { #expect(long.1 == (whole.output ?? line), "redacted output") }
        }
    }

    static let csvRecords: [String] = [
        "r1,email,\"card 4111 1111 1111 1111 please\"\n",
        "7,chat,NI number JG 10 37 55 A\r\n",
        "esc,email,\"quoted \"\"card\"\" 5555 5555 5555 4444, with a comma\"\n",
        "none,email\n",
        "\n",
        "chan,nowhere,mail me at someone@example.org\n",
        "stray,email,a\"b 4111 1111 1111 1111\"c,extra\n",
        "multi,email,\"line one\nsort code 20-00-00 account 12345678\"\n",
        "last,email,\"IBAN GB82 WEST 1234 5698 7654 32\"",
    ]

    @Test("reading a CSV record in place gives the same outcome and output as parsing a copy",
          arguments: [(nil, false, OnBlock.redact), ("channel", false, .redact), (nil, true, .redact), ("channel", true, .marker), ("channel", true, .redact)])
    func csvInPlaceMatchesCopy(_ setup: (channel: String?, redact: Bool, onBlock: OnBlock)) throws {
        let pipeline = try PolicySource.embeddedDefault.compile()
        var fields = RecordFields()
        fields.channel = setup.channel
        let columns = CSVColumns(header: Array("id,channel,text\n".utf8))
        for masksEveryID in [false, true] {
            let processor = RecordProcessor(session: pipeline.makeSession(), defaultChannel: "email-external", fields: fields,
                                            redact: setup.redact, onBlock: setup.onBlock, passMalformed: false, masksEveryID: masksEveryID)
            var scratch = RecordScratch()
            scratch.text = Array("left over from an earlier record 4111 1111 1111 1111".utf8)
            var findings = 0
            var rewritten = 0
            for (index, record) in Self.csvRecords.enumerated() {
                let raw = Array(record.utf8)
                let copied = processor.csv(raw, record: index, columns: columns)
                let inPlace = raw.withUnsafeBufferPointer {
                    processor.csv(inPlace: $0, record: index, columns: columns, plan: CSVPlan(columns, fields: fields), scratch: &scratch)
                }
                #expect(inPlace.id == copied.id, "record \(index)")
                #expect(inPlace.channel == copied.channel, "record \(index)")
                #expect(inPlace.unknownChannel?.message == copied.unknownChannel?.message, "record \(index)")
                #expect(inPlace.verdict == copied.verdict, "record \(index)")
                #expect(inPlace.findings.map { "\($0.detector) \($0.start)-\($0.end) \($0.action) \($0.excerpt) \($0.part ?? "")" }
                        == copied.findings.map { "\($0.detector) \($0.start)-\($0.end) \($0.action) \($0.excerpt) \($0.part ?? "")" }, "record \(index)")
                if setup.redact {
                    #expect((inPlace.output ?? raw) == (copied.output ?? raw), "record \(index)")
                    if (inPlace.output ?? raw) != raw { rewritten += 1 }
                }
                findings += inPlace.findings.count
            }
            #expect(findings >= 7)
            if setup.redact { #expect(rewritten >= 4 && rewritten < Self.csvRecords.count) }
        }
    }
}
