import Foundation
import Testing
import RedlineTool
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8: output destinations that fail. A full disk is an error (exit 2) and never a crash or
/// a half-written file in place of the original; a reader that goes away ends redline quietly.
@Suite("Hostile output destinations", .serialized)
struct HostileOutputTests {
    let card = "4111 1111 1111 1111"

    @Test("a full disk (/dev/full) on --output: exit 2 with the reason, for check (every format), redact and scan")
    func fullDisk() throws {
        // Enough output that the first write fails while the input is still being read.
        let input = Array(String(repeating: "card \(card) NI AB123456C\n", count: 20_000).utf8)
        for format in ["text", "json", "jsonl", "sarif"] {
            let result = try Hostile.run(["check", "--format", format, "--output", "/dev/full"], input: input, deadline: 120)
            #expect(!result.signalled && result.status == 2, "format \(format)")
            #expect(result.stderr.contains("No space left on device"), "format \(format)")
            #expect(!result.stderr.contains(card))
        }
        let redact = try Hostile.run(["redact", "--channel", "chat", "--output", "/dev/full"], input: input, deadline: 120)
        #expect(!redact.signalled && redact.status == 2 && redact.stderr.contains("No space left on device"))
        let dir = try Redline.temporaryDirectory()
        _ = try Redline.write(String(decoding: input, as: UTF8.self), to: dir, name: "a.txt")
        let scan = try Hostile.run(["scan", "--quiet", "--format", "json", "--output", "/dev/full", dir], deadline: 120)
        #expect(!scan.signalled && scan.status == 2 && !scan.stderr.contains(card))
    }

    @Test("--in-place with a write failure (fault-injection seam): exit 2, the original untouched, no temporary file left")
    func inPlaceFault() throws {
        let dir = try Redline.temporaryDirectory()
        let original = "keep me\ncard \(card)\n"
        let path = try Redline.write(original, to: dir, name: "draft.txt")
        let policy = try Redline.write(Hostile.catastrophicPolicy(onError: "strictest"), to: dir, name: "p.yaml")
        for code in [ENOSPC, EIO] {
            AtomicFile.faultInjection = { target in target == path ? code : nil }
            defer { AtomicFile.faultInjection = nil }
            var options = RedactOptions()
            options.path = path
            options.inPlace = true
            options.policy = PolicyOptions(policy: policy, environment: [:], directory: dir)
            let status = RedactRunner.run(options)
            #expect(status == 2)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("redline-") }
            #expect(leftovers.isEmpty)
        }
        // Without the fault the same run rewrites the file.
        var options = RedactOptions()
        options.path = path
        options.inPlace = true
        options.policy = PolicyOptions(policy: policy, environment: [:], directory: dir)
        #expect(RedactRunner.run(options) == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me\ncard **** **** **** 1111\n")
    }

    @Test("SIGPIPE: a reader that closes early ends check, redact and scan with exit 0, no crash, no signal")
    func closedReader() throws {
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write(String(repeating: "card \(card) and NI AB123456C\n", count: 100_000), to: dir, name: "big.txt")
        for arguments in [["check", path], ["check", "--format", "jsonl", path], ["redact", path], ["scan", "--quiet", "--list", dir]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Hostile.binary)
            process.arguments = arguments
            process.environment = [:]
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            let out = Pipe()
            let errPath = dir + "/stderr"
            FileManager.default.createFile(atPath: errPath, contents: nil)
            process.standardOutput = out
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            process.standardInput = FileHandle.nullDevice
            try process.run()
            _ = try out.fileHandleForReading.read(upToCount: 100)
            try out.fileHandleForReading.close()
            let finished = Hostile.waitBounded(process, seconds: 300)
            if !finished { process.terminate(); process.waitUntilExit() }
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            #expect(finished, "\(arguments)")
            #expect(process.terminationReason == .exit, "\(arguments): not killed by a signal")
            #expect(process.terminationStatus == 0, "\(arguments): \(stderr)")
            #expect(!stderr.contains("Fatal error") && !stderr.contains(card), "\(arguments)")
        }
    }
}
