import Foundation
import Testing
import RedlineCore
import RedlineEngine
@testable import RedlineTool
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17.1, second half: `--conversation-field`. The records of one conversation are read like
/// consecutive lines: a card typed across two chat messages is found, both parts redacted while
/// the first record is held, the second part redacted and the first counted once it was written.
@Suite("Records of one conversation read like consecutive lines")
struct ConversationHoldTests {
    static func processor(conversation: String = "conversation", redact: Bool = true) throws -> RecordProcessor {
        var fields = RecordFields()
        fields.conversation = conversation
        let session = try PolicySource.embeddedDefault.compile().makeSession()
        return RecordProcessor(session: session, defaultChannel: "chat", fields: fields, redact: redact, onBlock: .redact, passMalformed: false)
    }

    /// Runs `input` through `forEachRecord` with `holdMs` from a file; returns the records written
    /// (in order) and the late completions per record.
    static func run(_ input: String, mode: InputMode = .jsonl, holdMs: Int = 300) throws -> (out: String, indices: [Int], late: [Int: [RecordLateCompletion]], findings: Int) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("redline-conversation-\(UUID().uuidString)").path
        try Data(input.utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let stream = try InputStream.open(path)
        let processor = try processor()
        var out: [UInt8] = []
        var indices: [Int] = []
        var late: [Int: [RecordLateCompletion]] = [:]
        var findings = 0
        try processor.forEachRecord(stream, mode: mode, holdMs: holdMs, header: { out += $0 }, body: { index, outcome, raw in
            indices.append(index)
            findings += outcome.findings.count
            if !outcome.lateCompletions.isEmpty { late[index] = outcome.lateCompletions }
            out += outcome.output ?? Array(raw)
        }, tooLarge: { index, _ in indices.append(index) })
        return (String(decoding: out, as: UTF8.self), indices, late, findings)
    }

    @Test("a card split over two records of one conversation is redacted in both")
    func splitAcrossRecords() throws {
        let result = try Self.run("""
            {"conversation":"c1","id":"m1","text":"my card is 4111 1111"}
            {"conversation":"c1","id":"m2","text":"1111 1111 thanks"}

            """)
        #expect(result.out == """
            {"conversation":"c1","id":"m1","text":"my card is **** ****"}
            {"conversation":"c1","id":"m2","text":"**** 1111 thanks"}

            """)
        #expect(result.late.isEmpty)
        #expect(result.findings == 2)
    }

    @Test("records of another conversation in between do not join, keep their order, and are not joined to each other")
    func interleavedConversations() throws {
        let result = try Self.run("""
            {"conversation":"c1","text":"card 4111 1111"}
            {"conversation":"c2","text":"1111 1111 is my order number"}
            {"conversation":"c1","text":"1111 1111 ok"}

            """)
        #expect(result.indices == [0, 1, 2])
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines[0] == #"{"conversation":"c1","text":"card **** ****"}"#)
        // c2's record is not the continuation of c1's: it stays as it was.
        #expect(lines[1] == #"{"conversation":"c2","text":"1111 1111 is my order number"}"#)
        #expect(lines[2] == #"{"conversation":"c1","text":"**** 1111 ok"}"#)
    }

    @Test("without a conversation value, or in different conversations, records are not joined")
    func noConversationNoJoin() throws {
        let input = """
            {"text":"card 4111 1111"}
            {"text":"1111 1111 ok"}
            {"conversation":"a","text":"card 4111 1111"}
            {"conversation":"b","text":"1111 1111 ok"}

            """
        let result = try Self.run(input)
        #expect(result.out == input)
        #expect(result.findings == 0)
    }

    @Test("with --hold-ms 0 the first record is written at once; the completing record is redacted and the late part counted")
    func releasedRecordIsCounted() throws {
        let result = try Self.run("""
            {"conversation":"c1","text":"card 4111 1111"}
            {"conversation":"c1","text":"1111 1111 ok"}

            """, holdMs: 0)
        #expect(result.out == """
            {"conversation":"c1","text":"card 4111 1111"}
            {"conversation":"c1","text":"**** 1111 ok"}

            """)
        let late = try #require(result.late[1]?.first)
        #expect(late.releasedRecord == 0)
        #expect(late.bytesAlreadyWritten == 9)
        #expect(late.finding.kind == "payment_card")
        #expect(late.finding.start == 0 && late.finding.end == 9)
    }

    @Test("CSV records: the conversation column joins rows; quoting and the other columns are kept")
    func csvRows() throws {
        let result = try Self.run("conversation,id,text\nc1,1,\"card 4111 1111\"\nc1,2,\"1111 1111, ok\"\nc2,3,fine\n", mode: .csv)
        #expect(result.out == "conversation,id,text\nc1,1,\"card **** ****\"\nc1,2,\"**** 1111, ok\"\nc2,3,fine\n")
    }

    @Test("a CSV without the conversation column is refused with the column named")
    func csvWithoutTheColumn() throws {
        #expect(throws: ToolError.self) { try Self.run("id,text\n1,card 4111 1111\n", mode: .csv) }
    }

    @Test("a NINO split over two messages is found in both parts")
    func ninoSplit() throws {
        let result = try Self.run("""
            {"conversation":"c9","text":"my NI number is AB 12"}
            {"conversation":"c9","text":"34 56 C"}

            """)
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(!lines[0].contains("AB 12"), "\(lines[0])")
        #expect(!lines[1].contains("34 56 C"), "\(lines[1])")
    }

    @Test("the option is validated: empty, the text field itself, or a text input")
    func validation() {
        var fields = RecordFields()
        fields.conversation = ""
        #expect(fields.conversationProblem?.contains("needs a field name") == true)
        fields.conversation = "text"
        #expect(fields.conversationProblem?.contains("other than the text field") == true)
        fields.conversation = "thread"
        #expect(fields.conversationProblem == nil)
        #expect(fields.conversationProblem(mode: .jsonl) == nil)
        #expect(fields.conversationProblem(mode: .csv) == nil)
        #expect(fields.conversationProblem(mode: .text)?.contains("works with jsonl and csv input, not text") == true)
        #expect(fields.conversationProblem(mode: .eml) != nil)
    }
}

/// The binary through a pipe with real pauses (bounded waits only).
@Suite("redact and check --conversation-field through a pipe", .serialized)
struct ConversationBinaryTests {
    typealias Filter = LineHoldBinaryTests.Filter

    static let first = #"{"conversation":"c1","id":"m1","text":"card 4111 1111"}"# + "\n"
    static let other = #"{"conversation":"c2","id":"m2","text":"hello"}"# + "\n"
    static let second = #"{"conversation":"c1","id":"m3","text":"1111 1111 ok"}"# + "\n"

    @Test("issue 17.1: a pause shorter than the hold: both parts redacted, the other conversation's record waits behind and keeps its place")
    func pauseWithinTheHold() throws {
        let filter = try Filter(["--input", "jsonl", "--conversation-field", "conversation", "--hold-ms", "3000"])
        filter.write(Self.first)
        #expect(filter.read(lines: 1, within: 0.5) == "")
        filter.write(Self.other)
        #expect(filter.read(lines: 1, within: 0.5) == "", "the record behind a held one waits")
        filter.write(Self.second)
        let out = filter.read(lines: 3, within: 10)
        let (status, stderr) = filter.finish()
        #expect(status == 0)
        #expect(out == #"{"conversation":"c1","id":"m1","text":"card **** ****"}"# + "\n" + Self.other
                + #"{"conversation":"c1","id":"m3","text":"**** 1111 ok"}"# + "\n")
        #expect(!stderr.contains("already written"))
        NoLeakTests.expectClean(stderr, ["4111 1111 1111 1111", "4111 1111"], "stderr")
    }

    @Test("issue 17.1: a pause longer than the hold releases the record; the completing record is redacted and the late part reported without content")
    func pauseLongerThanTheHold() throws {
        let filter = try Filter(["--input", "jsonl", "--conversation-field", "conversation", "--hold-ms", "200"])
        filter.write(Self.first)
        #expect(filter.read(lines: 1, within: 10) == Self.first)
        filter.write(Self.second)
        let out = filter.read(lines: 2, within: 10)
        let (status, stderr) = filter.finish()
        #expect(status == 0)
        #expect(out == Self.first + #"{"conversation":"c1","id":"m3","text":"**** 1111 ok"}"# + "\n")
        #expect(stderr.contains("record 1: a card value begun in record 0 of the same conversation was completed after that record's 200 ms hold"), "\(stderr)")
        #expect(stderr.contains("9 byte(s) of it were already written unredacted; the rest was redacted (rule card-never-leaves)"))
        #expect(stderr.contains("redline: 1 value(s) split over two records of a conversation"))
        NoLeakTests.expectClean(stderr, ["4111 1111 1111 1111", "4111 1111", "c1"], "stderr")
    }

    @Test("check --format jsonl --line-buffered: the held record's verdict waits for the next record and both are decided on the whole card")
    func checkVerdicts() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Redline.binary)
        process.arguments = ["check", "--format", "jsonl", "--line-buffered", "--channel", "chat", "--input", "jsonl",
                             "--conversation-field", "conversation", "--hold-ms", "3000"]
        process.environment = [:]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(Self.first.utf8))
        usleep(300_000)
        input.fileHandleForWriting.write(Data(Self.second.utf8))
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        let verdicts = out.split(separator: "\n").filter { $0.contains("\"type\":\"record\"") }
        #expect(verdicts.count == 2)
        #expect(verdicts.allSatisfy { $0.contains("\"verdict\":\"block\"") }, "\(out)")
        NoLeakTests.expectClean(out, ["4111 1111 1111 1111", "4111 1111", "1111 1111"], "stdout")
    }

    @Test("--conversation-field is validated with exit 2 and a clear message",
          arguments: [(["--conversation-field", ""], "needs a field name"),
                      (["--conversation-field", "text"], "other than the text field"),
                      (["--input", "text", "--conversation-field", "thread"], "works with jsonl and csv input, not text")])
    func badOption(_ example: ([String], String)) throws {
        for command in ["redact", "check"] {
            let result = try Redline.run([command] + example.0, input: Array("x\n".utf8))
            #expect(result.status == 2, "\(command) \(example.0)")
            #expect(result.stderr.contains(example.1), "\(command): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("a CSV input without the conversation column exits 2 naming the column")
    func csvMissingColumn() throws {
        let result = try Redline.run(["redact", "--input", "csv", "--conversation-field", "thread"], input: Array("id,text\n1,hi\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("no column 'thread' (--conversation-field)"))
    }
}
