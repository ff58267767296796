import Foundation
import Testing
import RedlineCore
import RedlineEngine
@testable import RedlineTool

@Suite("Streaming filter guarantees")
struct StreamingTests {
    static func findings(of text: [UInt8], windowSize: Int, overlap: Int, readSize: Int, channel: String = "chat") throws -> (findings: [Finding], output: [UInt8]) {
        let pipeline = try PolicySource.embeddedDefault.compile()
        let stream = TextStream(session: pipeline.makeSession(), channel: channel, windowSize: windowSize, overlap: overlap)
        var found: [Finding] = []
        var output: [UInt8] = []
        let emit: (TextStream.Chunk) throws -> Void = { chunk in
            found += chunk.findings
            output += pipeline.redact(Array(chunk.bytes), findings: chunk.findings.filter { $0.action >= .redact }, base: chunk.offset)
        }
        var offset = 0
        while offset < text.count {
            let end = min(offset + readSize, text.count)
            try stream.feed(text[offset..<end], emit: emit)
            offset = end
        }
        try stream.finish(emit: emit)
        return (found, output)
    }

    @Test("findings do not depend on where the windows and reads fall", arguments: [(256, 64, 7), (300, 80, 13), (400, 100, 1), (1 << 20, 4096, 65536)])
    func windowsDoNotChangeFindings(_ sizes: (Int, Int, Int)) throws {
        var text = ""
        for index in 0..<40 {
            text += "line \(index) card 4111 1111 1111 1111 and NI JG 10 37 55 A, call 07700 900\(100 + index) at LS6 2AB\n"
            text += "wrapped number 5555 5555\n5555 4444 then a long run " + String(repeating: "x", count: index * 3) + "\n"
        }
        let bytes = Array(text.utf8)
        // On an internal channel: uk-default's contact-list rule (10 or more phones or postcodes on
        // an external channel) would block every phone once the tenth is seen, and a stream cannot
        // take back the windows it already wrote (thresholds count forward only), so a whole-file
        // scan and a stream would rightly differ there.
        let whole = try Self.findings(of: bytes, windowSize: 1 << 24, overlap: 4096, readSize: bytes.count, channel: "email-internal")
        let streamed = try Self.findings(of: bytes, windowSize: sizes.0, overlap: sizes.1, readSize: sizes.2, channel: "email-internal")
        #expect(whole.findings.count == 40 * 5)
        #expect(streamed.findings.map { [$0.start, $0.end, $0.line, $0.column] } == whole.findings.map { [$0.start, $0.end, $0.line, $0.column] })
        #expect(streamed.output == whole.output)
        #expect(streamed.output.filter { $0 == 10 }.count == bytes.filter { $0 == 10 }.count)
    }

    @Test("issue 15: a card stretched by thousands of zero-width characters across a window boundary is still found")
    func zeroWidthStretchedAcrossWindow() throws {
        // 16 digits with 600 zero-width spaces (1,800 bytes) after each: about 27 KB for one card,
        // far more than the 4,096-byte overlap in raw bytes.
        let padding = String(repeating: "\u{200B}", count: 600)
        let card = "4111111111111111".map { String($0) + padding }.joined()
        for lead in [1 << 20 - 20_000, 1 << 20 - 9_000, 1 << 20 - 2_000] {
            let text = String(repeating: "x", count: lead) + " card " + card + " end\n"
            let bytes = Array(text.utf8)
            let streamed = try Self.findings(of: bytes, windowSize: 1 << 20, overlap: 4096, readSize: 65536)
            let cards = streamed.findings.filter { $0.kind == "payment_card" }
            #expect(cards.count == 1, "lead \(lead)")
            #expect(cards.first.map { $0.start == lead + 6 } ?? false)
            #expect(!String(decoding: streamed.output, as: UTF8.self).contains("4"), "lead \(lead): a digit of the card leaked")
        }
    }

    @Test("a card number straddling the binary's read-buffer and window boundary is still found")
    func boundaryInTheBinary() throws {
        // The binary reads 256 KiB at a time and commits 1 MiB windows minus a 4 KiB overlap.
        var text = [UInt8]()
        var expected = 0
        for target in [262_144 - 8, 524_288 - 3, 1_048_576 - 4096 - 10, 1_048_576 - 4096 + 2, 1_048_576 - 9, 2_097_152 - 8192 - 5] {
            let filler = target - text.count
            guard filler > 1 else { continue }
            text += Array(repeating: UInt8(ascii: "a"), count: filler - 1) + [32]
            text += Array("4111 1111 1111 1111 ".utf8)
            expected += 1
        }
        text += Array("\n".utf8)
        let result = try Redline.run(["check", "--format", "jsonl"], input: text)
        let findings = result.out.split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") }
        #expect(findings.count == expected)
        let redacted = try Redline.run(["redact"], input: text)
        #expect(redacted.stdout.count == text.count)
        #expect(!redacted.out.contains("4111 1111 1111 1111"))
    }

    @Test("a 50 MB single line is redacted in bounded memory (peak RSS measured)")
    func fiftyMegabyteLine() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            Issue.record("/usr/bin/time is missing: make test installs it (apt package 'time')")
            return
        }
        let dir = try Redline.temporaryDirectory()
        let path = (dir as NSString).appendingPathComponent("line.txt")
        let unit = Array("the customer said 4111 1111 1111 1111 then nothing much happened ".utf8)
        var line = [UInt8]()
        line.reserveCapacity(50 * 1024 * 1024 + unit.count)
        while line.count < 50 * 1024 * 1024 { line += unit }
        line.append(10)
        try Data(line).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "/usr/bin/time -f 'peak_kb=%M' \"$0\" redact --channel chat \"$1\" | wc -c", Redline.binary, path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errorData = Data()
        let errorReader = Thread { errorData = err.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let written = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        while !errorReader.isFinished { usleep(1000) }
        let stderr = String(decoding: errorData, as: UTF8.self)
        #expect(stderr.split(separator: "\n").count <= 25, "stderr is rate-limited")
        #expect(Int(written.trimmingCharacters(in: .whitespacesAndNewlines)) == line.count)
        let peak = stderr.split(separator: "\n").first { $0.hasPrefix("peak_kb=") }.flatMap { Int($0.dropFirst(8)) } ?? Int.max
        print("50 MB single line: peak RSS \(peak / 1024) MiB")
        #expect(peak < 96 * 1024, "peak RSS \(peak) KiB")
    }

    @Test("--line-buffered answers each line before the next one is written")
    func lineBuffered() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Redline.binary)
        process.arguments = ["redact", "--line-buffered", "--channel", "chat"]
        process.environment = [:]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        for index in 0..<5 {
            input.fileHandleForWriting.write(Data("turn \(index): NI JG 10 37 55 A\n".utf8))
            var received = [UInt8]()
            let deadline = Date().addingTimeInterval(10)
            while !received.contains(10) && Date() < deadline {
                let piece = reader.availableData
                if piece.isEmpty { break }
                received += piece
            }
            #expect(String(decoding: received, as: UTF8.self) == "turn \(index): NI [NI NUMBER]\n")
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
