import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17.5: one verdict line per record, clean records included, as soon as each is decided.
@Suite("Per-record verdict lines", .serialized)
struct VerdictLineTests {
    static func records(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["type"] as? String == "record" }
    }

    static let tickets = """
        {"id":"T1","text":"thanks, all sorted"}
        {"id":"T2","text":"card 4111 1111 1111 1111"}
        not json
        {"id":"4111 1111 1111 1111","text":"NI JG 10 37 55 A"}

        """

    @Test("check --format jsonl --line-buffered writes a verdict line for every record, in order, after its findings")
    func checkRecords() throws {
        let result = try Redline.run(["check", "--format", "jsonl", "--line-buffered", "--input", "jsonl", "--channel", "chat"], input: Array(Self.tickets.utf8))
        #expect(result.status == 2)   // the malformed record is an input problem
        let lines = Self.records(result.out)
        #expect(lines.map { $0["record"] as? Int } == [0, 1, 2, 3])
        #expect(lines.map { $0["verdict"] as? String } == ["allow", "block", "error", "redact"])
        #expect(lines[0]["id"] as? String == "T1")
        #expect(lines[1]["rule"] as? String == "card-never-leaves")
        #expect(lines[1]["findings"] as? Int == 1)
        // An id holding a card is masked like a finding.
        #expect(lines[3]["id"] as? String == "**** **** **** 1111")
        // Verdict lines hold no value (finding lines' ids are the record-id masking work of issue 15).
        let verdictText = result.out.split(separator: "\n").filter { $0.contains("\"type\":\"record\"") }.joined(separator: "\n")
        NoLeakTests.expectClean(verdictText, ["4111 1111 1111 1111", "JG 10 37 55 A"], "verdict lines")
        // Each record's findings come before its verdict line.
        let all = result.out.split(separator: "\n")
        let finding = all.firstIndex { $0.contains("\"type\":\"finding\"") && $0.contains("\"record\":1") }!
        let verdict = all.firstIndex { $0.contains("\"type\":\"record\"") && $0.contains("\"record\":1") }!
        #expect(finding < verdict)
    }

    @Test("check --line-buffered answers each record before the next one is written")
    func checkIsInteractive() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Redline.binary)
        process.arguments = ["check", "--format", "jsonl", "--line-buffered", "--input", "jsonl", "--channel", "chat"]
        process.environment = [:]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let fd = output.fileHandleForReading.fileDescriptor
        var received = ""
        for (index, text) in ["hello", "my NI is JG 10 37 55 A", "bye"].enumerated() {
            input.fileHandleForWriting.write(Data("{\"id\":\"m\(index)\",\"text\":\"\(text)\"}\n".utf8))
            let deadline = Date().addingTimeInterval(10)
            while !received.contains("\"record\":\(index),") && Date() < deadline {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 200) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = Glibc.read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                received += String(decoding: buffer[0..<count], as: UTF8.self)
            }
            #expect(received.contains("{\"type\":\"record\",\"source\":\"-\",\"record\":\(index),\"id\":\"m\(index)\""), "record \(index): \(received)")
        }
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(Self.records(received).map { $0["verdict"] as? String } == ["allow", "redact", "allow"])
    }

    @Test("check --line-buffered on text gives one verdict per line")
    func checkTextLines() throws {
        let result = try Redline.run(["check", "--format", "jsonl", "--line-buffered", "--channel", "chat", "--hold-ms", "0"],
                                     input: Array("hello\nNI JG 10 37 55 A\n\nbye".utf8))
        let lines = Self.records(result.out)
        #expect(lines.map { $0["record"] as? Int } == [0, 1, 2, 3])
        #expect(lines.map { $0["verdict"] as? String } == ["allow", "redact", "allow", "allow"])
    }

    @Test("redact --verdicts FILE writes the same lines beside the redacted output")
    func redactVerdicts() throws {
        let dir = try Redline.temporaryDirectory()
        let file = (dir as NSString).appendingPathComponent("verdicts.jsonl")
        let result = try Redline.run(["redact", "--input", "jsonl", "--channel", "chat", "--verdicts", file], input: Array(Self.tickets.utf8))
        #expect(result.status == 0)
        #expect(result.out.split(separator: "\n").count == 4)
        let written = try String(contentsOfFile: file, encoding: .utf8)
        let lines = Self.records(written)
        #expect(lines.map { $0["verdict"] as? String } == ["allow", "block", "error", "redact"])
        #expect(lines[3]["id"] as? String == "**** **** **** 1111")
        NoLeakTests.expectClean(written, ["4111 1111 1111 1111", "JG 10 37 55 A"], "verdicts file")
        // Text: one line per input line, a blocked line included.
        let text = try Redline.run(["redact", "--channel", "chat", "--verdicts", file], input: Array("a\ncard 4111 1111 1111 1111\nc\n".utf8))
        #expect(text.status == 0)
        #expect(Self.records(try String(contentsOfFile: file, encoding: .utf8)).map { $0["verdict"] as? String } == ["allow", "block", "allow"])
    }

    @Test("bad values for the new options exit 2 with a clear error", arguments: [
        (["check", "--line-buffered"], "--line-buffered needs --format jsonl"),
        (["check", "--format", "jsonl", "--line-buffered", "--hold-ms", "99999"], "--hold-ms must be between"),
        (["redact", "--verdicts", "-"], "--verdicts needs a file path"),
        (["redact", "--verdicts", ""], "--verdicts needs a file path"),
        (["redact", "--output", "/tmp/x", "--verdicts", "/tmp/x"], "--verdicts must name a different file"),
        (["redact", "--input", "eml", "--verdicts", "/dev/null"], "--verdicts works with text, jsonl and csv"),
    ])
    func badOptions(_ example: ([String], String)) throws {
        let result = try Redline.run(example.0, input: Array("x\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains(example.1), "\(result.stderr)")
    }
}
