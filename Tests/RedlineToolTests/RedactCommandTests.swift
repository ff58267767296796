import Foundation
import Testing

@Suite("redline redact, end to end")
struct RedactCommandTests {
    @Test("text passes byte-identical except where redacted, one line out per line in")
    func textRedaction() throws {
        let input = "first line\n\nmy NI is JG 10 37 55 A thanks\r\nZoë says hi\n"
        let result = try Redline.run(["redact"], input: Array(input.utf8))
        #expect(result.status == 0)
        #expect(result.out == "first line\n\nmy NI is [NI NUMBER] thanks\r\nZoë says hi\n")
        // Issue 17.3: each deciding rule's message, once, with a count (no content).
        #expect(result.stderr == "redline: rule identifiers-unencrypted (redact, 1 finding(s)): NI, NHS and bank details are redacted on unencrypted channels.\n")
    }

    @Test("a clean input comes back byte-identical, invalid UTF-8 and NUL bytes included")
    func cleanPassThrough() throws {
        var input: [UInt8] = Array("order 58213\n".utf8)
        input += [0xC3, 0x28, 0x00, 0xFF, 0x0A]
        input += Array("no newline at the end".utf8)
        let result = try Redline.run(["redact"], input: input)
        #expect(result.status == 0)
        #expect(result.stdout == input)
    }

    @Test("a blocked card is redacted by default and reported on stderr without content")
    func blockedIsReported() throws {
        let result = try Redline.run(["redact", "--channel", "chat"], input: Array("a\ncard 4111 1111 1111 1111\n".utf8))
        #expect(result.status == 0)
        #expect(result.out == "a\ncard **** **** **** 1111\n")
        #expect(result.stderr.contains("line 2: blocked by rule card-never-leaves"))
        #expect(!result.stderr.contains("4111"))
    }

    @Test("--on-block marker replaces the line with a marker naming the rule")
    func markerReplacesLine() throws {
        let result = try Redline.run(["redact", "--on-block", "marker"], input: Array("a\ncard 4111 1111 1111 1111 x\nb\n".utf8))
        #expect(result.out == "a\n[redline: blocked by rule card-never-leaves]\nb\n")
    }

    @Test("--on-block fail writes nothing and exits 3")
    func failWritesNothing() throws {
        let result = try Redline.run(["redact", "--on-block", "fail"], input: Array("a\ncard 4111 1111 1111 1111\n".utf8))
        #expect(result.status == 3)
        #expect(result.stdout.isEmpty)
        let clean = try Redline.run(["redact", "--on-block", "fail"], input: Array("nothing here\n".utf8))
        #expect(clean.status == 0)
        #expect(clean.out == "nothing here\n")
    }

    @Test("--in-place rewrites the file atomically and keeps it on --on-block fail")
    func inPlace() throws {
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write("NI JG 10 37 55 A\n", to: dir, name: "draft.txt")
        #expect(try Redline.run(["redact", "--in-place", path]).status == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "NI [NI NUMBER]\n")
        let blocked = try Redline.write("card 4111 1111 1111 1111\n", to: dir, name: "blocked.txt")
        #expect(try Redline.run(["redact", "--in-place", "--on-block", "fail", blocked]).status == 3)
        #expect(try String(contentsOfFile: blocked, encoding: .utf8) == "card 4111 1111 1111 1111\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("redline-") }
        #expect(leftovers.isEmpty)
    }

    @Test("a full disk on --output is an error with exit 2, not a crash")
    func fullDisk() throws {
        let result = try Redline.run(["check", "--output", "/dev/full"], input: Array("card 4111 1111 1111 1111\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("No space left on device"))
        let redact = try Redline.run(["redact", "--output", "/dev/full"], input: Array("card 4111 1111 1111 1111\n".utf8))
        #expect(redact.status == 2)
    }

    @Test("JSONL: only the text field changes, keys keep their order, records in = records out")
    func jsonlRewrite() throws {
        let input = """
            {"id":1,"text":"NI JG 10 37 55 A","z":[1,2,{"a":null}],"channel":"chat"}

            {"id":2, "text":"nothing", "extra": "kept \\u00e9"}
            not json
            {"id":3,"text":"card 4111 1111 1111 1111"}

            """
        let result = try Redline.run(["redact", "--input", "jsonl", "--channel-field", "channel"], input: Array(input.utf8))
        #expect(result.status == 0)
        let lines = result.out.split(separator: "\n", omittingEmptySubsequences: false)
        let inputLines = input.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == inputLines.count)
        #expect(lines[0] == #"{"id":1,"text":"NI [NI NUMBER]","z":[1,2,{"a":null}],"channel":"chat"}"#)
        #expect(lines[1] == "")
        #expect(lines[2] == inputLines[2])
        #expect(lines[3] == #"{"redline_error":"malformed JSON record","record":3}"#)
        #expect(lines[4] == #"{"id":3,"text":"card **** **** **** 1111"}"#)
        #expect(result.stderr.contains("record 3: malformed JSON"))
        #expect(!result.stderr.contains("not json"))
    }

    @Test("CSV: quoted multi-line fields, only the text column changes")
    func csvRewrite() throws {
        let input = "id,text,agent\r\n1,\"line one\nNI JG 10 37 55 A\",Sam\r\n2,plain,\"Pat, Jr\"\r\n"
        let result = try Redline.run(["redact", "--input", "csv"], input: Array(input.utf8))
        #expect(result.out == "id,text,agent\r\n1,\"line one\nNI [NI NUMBER]\",Sam\r\n2,plain,\"Pat, Jr\"\r\n")
    }

    @Test("a closed reader ends redline quietly")
    func brokenPipe() throws {
        let big = String(repeating: "card 4111 1111 1111 1111 and more text\n", count: 200_000)
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write(big, to: dir, name: "big.txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\"$0\" redact \"$1\" | head -c 10 >/dev/null; echo ${PIPESTATUS:-done}", Redline.binary, path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(!stderr.contains("Fatal error"))
        #expect(!stderr.contains("Broken pipe"))
    }
}
