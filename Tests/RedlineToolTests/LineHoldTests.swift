import Foundation
import Testing
import RedlineCore
import RedlineEngine
@testable import RedlineTool
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17.1: a value split over two lines in line-buffered mode. The library model (hold a line
/// whose end could begin a value; report a value completed after its line was released) and the
/// binary driven through a pipe with real pauses.
@Suite("Line-buffered hold of a line that could begin a value")
struct LineHoldTests {
    static func session() throws -> PipelineSession { try PolicySource.embeddedDefault.compile().makeSession() }

    @Test("a line ending in a digit group, a NINO start or an IBAN start could begin a value; plain prose cannot",
          arguments: [("card 4111 1111\n", true), ("NI number AB 12 34\n", true), ("IBAN GB82 WEST\n", true),
                      ("sort code 40-47-84 account\n", true), ("see you at 10\n", true),
                      ("thanks, that is all\n", false), ("Regards, Jane.\n", false), ("", false)])
    func couldBeginAValue(_ example: (String, Bool)) throws {
        let session = try Self.session()
        let bytes = Array(example.0.utf8)
        #expect((session.openValueStart(bytes[...]) != nil) == example.1, "\(example.0)")
    }

    @Test("the start of the open value is where the value begins, not the start of the line")
    func openStartIsTheValue() throws {
        let session = try Self.session()
        let bytes = Array("card 4111 1111\n".utf8)
        #expect(session.openValueStart(bytes[...]) == 5)
    }

    @Test("a custom pattern that cannot cross a line break does not hold its line")
    func customPatternFollowsItsPattern() throws {
        let yaml = """
            version: 1
            name: orders
            detectors:
              order: { kind: regex, pattern: 'ORD-[0-9]{8}' }
              ticket: { kind: regex, pattern: 'TK-[0-9]{4}(?:\\n[0-9]{4})?' }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chat
            rules:
              - { id: r, detectors: [order, ticket], channels: "*", action: redact }
            """
        let session = try Pipeline.compile(yaml: yaml, file: "orders.yaml").makeSession()
        #expect(session.openValueStart(Array("order ORD-1234\n".utf8)[...]) == nil)
        #expect(session.openValueStart(Array("ticket TK-1234\n".utf8)[...]) == 7)
    }

    /// Feeds `lines` to a holding stream, releasing after each line listed in `release`, and
    /// returns the redacted output and the late completions.
    static func drive(_ lines: [String], release: Set<Int>) throws -> (output: String, late: [TextStream.LateCompletion], chunks: Int) {
        let session = try Self.session()
        let stream = TextStream(session: session, channel: "chat", eager: true, holds: true)
        var output: [UInt8] = []
        var late: [TextStream.LateCompletion] = []
        var chunks = 0
        let emit: (TextStream.Chunk) throws -> Void = { chunk in
            chunks += 1
            late += chunk.lateCompletions
            output += session.pipeline.redact(Array(chunk.bytes), findings: chunk.findings.filter { $0.action >= .redact }, base: chunk.offset)
        }
        for (index, line) in lines.enumerated() {
            try stream.feed(Array(line.utf8)[...], emit: emit)
            if release.contains(index) { try stream.release(emit: emit) }
        }
        try stream.finish(emit: emit)
        return (String(decoding: output, as: UTF8.self), late, chunks)
    }

    @Test("a held line is scanned with the next one: both halves of the card are redacted")
    func heldLineJoinsTheNext() throws {
        let result = try Self.drive(["card 4111 1111\n", "1111 1111 ok\n"], release: [])
        // The card is masked (last four kept) across the line break.
        #expect(result.output == "card **** ****\n**** 1111 ok\n")
        #expect(result.late.isEmpty)
    }

    @Test("a line that cannot begin a value is not held")
    func plainLineGoesOut() throws {
        let session = try Self.session()
        let stream = TextStream(session: session, channel: "chat", eager: true, holds: true)
        var written: [UInt8] = []
        try stream.feed(Array("hello there\n".utf8)[...]) { written += $0.bytes }
        #expect(!stream.isHolding)
        #expect(written == Array("hello there\n".utf8))
        try stream.feed(Array("card 4111 1111\n".utf8)[...]) { written += $0.bytes }
        #expect(stream.isHolding)
        #expect(written == Array("hello there\n".utf8))
    }

    @Test("a line released after the hold: the completing line is redacted and the late part counted")
    func releasedLineIsCounted() throws {
        let result = try Self.drive(["card 4111 1111\n", "1111 1111 ok\n"], release: [0])
        #expect(result.output == "card 4111 1111\n**** 1111 ok\n")
        #expect(result.late.count == 1)
        #expect(result.late.first?.bytesAlreadyWritten == 10)
        #expect(result.late.first?.releasedLine == 1)
        #expect(result.late.first?.finding.kind == "payment_card")
        #expect(result.late.first?.finding.line == 2)
    }

    @Test("a released line followed by an unrelated line reports nothing")
    func releasedLineWithoutCompletion() throws {
        let result = try Self.drive(["see you at 10\n", "thanks\n"], release: [0])
        #expect(result.output == "see you at 10\nthanks\n")
        #expect(result.late.isEmpty)
    }

    @Test("holding keeps one line out per line in, in order, byte-identical where nothing is found")
    func holdingKeepsTheContract() throws {
        var lines: [String] = []
        for index in 0..<30 { lines.append(index % 3 == 0 ? "n \(index) 12\n" : "line \(index) ok\n") }
        let result = try Self.drive(lines, release: [3, 9, 12])
        #expect(result.output == lines.joined())
    }
}

/// The binary through a pipe, with real pauses (bounded waits only).
@Suite("redact --line-buffered through a pipe", .serialized)
struct LineHoldBinaryTests {
    /// A running `redline redact --line-buffered` with helpers to write and read with deadlines.
    final class Filter {
        let process = Process()
        let input = Pipe(), output = Pipe(), errors = Pipe()
        var received: [UInt8] = []

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: Redline.binary)
            process.arguments = ["redact", "--line-buffered", "--channel", "chat"] + arguments
            process.environment = [:]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
        }

        func write(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }

        /// Reads what arrives within `seconds` until `lines` newlines have been received in all.
        func read(lines: Int, within seconds: Double) -> String {
            let fd = output.fileHandleForReading.fileDescriptor
            let deadline = Date().addingTimeInterval(seconds)
            while received.filter({ $0 == 10 }).count < lines {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { break }
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, Int32(left * 1000) + 1) > 0 else { break }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = Glibc.read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                received += buffer[0..<count]
            }
            return String(decoding: received, as: UTF8.self)
        }

        /// Closes the input and waits (bounded) for the exit; returns status and stderr.
        func finish() -> (status: Int32, stderr: String) {
            try? input.fileHandleForWriting.close()
            _ = read(lines: Int.max, within: 5)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (process.terminationStatus, stderr)
        }
    }

    @Test("issue 17.1: a card split over two lines with a pause shorter than the hold is redacted in both lines")
    func pauseWithinTheHold() throws {
        let filter = try Filter(["--hold-ms", "3000"])
        filter.write("card 4111 1111\n")
        // The line could begin a card: it is held, nothing comes out yet.
        #expect(filter.read(lines: 1, within: 0.5) == "")
        filter.write("1111 1111 ok\n")
        let out = filter.read(lines: 2, within: 10)
        let (status, stderr) = filter.finish()
        #expect(status == 0)
        #expect(out == "card **** ****\n**** 1111 ok\n")
        #expect(!stderr.contains("split over two lines"))
        NoLeakTests.expectClean(stderr, ["4111 1111 1111 1111"], "stderr")
    }

    @Test("issue 17.1: a pause longer than the hold releases the line; the completing line is redacted and the late part reported")
    func pauseLongerThanTheHold() throws {
        let filter = try Filter(["--hold-ms", "200"])
        filter.write("card 4111 1111\n")
        // Released after the hold: the first line comes out on its own.
        #expect(filter.read(lines: 1, within: 10) == "card 4111 1111\n")
        filter.write("1111 1111 ok\n")
        let out = filter.read(lines: 2, within: 10)
        let (status, stderr) = filter.finish()
        #expect(status == 0)
        #expect(out == "card 4111 1111\n**** 1111 ok\n")
        #expect(stderr.contains("line 2: a card value begun on line 1"), "\(stderr)")
        #expect(stderr.contains("10 byte(s) of it were already written"))
        #expect(stderr.contains("redline: 1 value(s) split over two lines"))
        NoLeakTests.expectClean(stderr, ["4111 1111 1111 1111", "4111 1111"], "stderr")
    }

    @Test("--hold-ms 0 writes every line at once")
    func holdOff() throws {
        let filter = try Filter(["--hold-ms", "0"])
        filter.write("card 4111 1111\n")
        #expect(filter.read(lines: 1, within: 10) == "card 4111 1111\n")
        #expect(filter.finish().status == 0)
    }

    @Test("--hold-ms rejects values out of range or not numbers with exit 2",
          arguments: ["-1", "60001", "soon", ""])
    func badHoldMs(_ value: String) throws {
        let result = try Redline.run(["redact", "--line-buffered", "--hold-ms", value], input: Array("x\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("hold-ms"))
        #expect(result.stdout.isEmpty)
    }
}
