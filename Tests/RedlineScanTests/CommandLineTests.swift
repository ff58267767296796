import Foundation
import Testing

/// Runs the built `redline` binary (beside the test bundle in the same scratch path).
enum Binary {
    static let path: String = {
        if let explicit = ProcessInfo.processInfo.environment["REDLINE_BINARY"] { return explicit }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates = Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent().appendingPathComponent("redline").path }
        candidates.append(repository.appendingPathComponent(".build/debug/redline").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    struct Result { var status: Int32; var out: String; var err: String }

    static func run(_ arguments: [String], executable: String = path, environment: [String: String] = ["REDLINE_KEY": ScanFixture.key],
                    directory: String? = nil, input: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let input {
            let stdin = Pipe()
            process.standardInput = stdin
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }
}

@Suite("redline scan and audit on the command line")
struct CommandLineTests {
    @Test("scan exits 1 with findings, 2 on a partial scan, and prints no progress bar when stderr is not a terminal")
    func exitCodes() throws {
        let root = try ScanFixture.archive()
        let found = try Binary.run(["scan", "--format", "text", root])
        #expect(found.status == 1)
        #expect(found.out.contains("by detector:"))
        #expect(!found.err.contains("\r"))
        let partial = try Binary.run(["scan", "-q", root, root + "/nope"])
        #expect(partial.status == 2)
        #expect(partial.err.contains("nope"))
        let usage = try Binary.run(["scan", "--format", "pdf", root])
        #expect(usage.status == 2)
        let noKey = try Binary.run(["scan", "--write-baseline", root + ".b", root], environment: [:])
        #expect(noKey.status == 2)
        #expect(noKey.err.contains("key"))
    }

    @Test("check, redact and concurrent scans append to one audit log that verifies; tampering exits 1")
    func auditAcrossModes() throws {
        let root = try ScanFixture.archive()
        let log = root + ".audit.jsonl"
        let checked = try Binary.run(["check", "--audit", log, root + "/chat/transcript.txt"])
        #expect(checked.status == 1, "\(checked.err)")
        #expect(try Binary.run(["redact", "--audit", log, "--input", "jsonl", "-"], input: "{\"text\":\"NI \(ScanFixture.nino)\"}\n").status == 0)
        // Three scans at once: appends never interleave.
        let group = DispatchGroup()
        for _ in 0..<3 {
            group.enter()
            DispatchQueue.global().async {
                _ = try? Binary.run(["scan", "-q", "-j", "2", "--audit", log, root])
                group.leave()
            }
        }
        group.wait()
        // The sendmail wrapper records its decisions in the same chain (blocked ones too).
        let sent = try Binary.run(["sendmail", "--audit", log, "--sendmail", "/bin/true", "--", "jane@gmail.com"],
                                  input: "To: jane@gmail.com\nMessage-ID: <sm-1@support.example>\n\nNI \(ScanFixture.nino)\n")
        #expect(sent.status == 0, "\(sent.err)")
        let refused = try Binary.run(["sendmail", "--audit", log, "--sendmail", "/bin/true", "--", "jane@gmail.com"],
                                     input: "To: jane@gmail.com\n\nCard 4111 1111 1111 1111\n")
        #expect(refused.status == 77)
        let verify = try Binary.run(["audit", "verify", log])
        #expect(verify.status == 0, "\(verify.err)")
        #expect(verify.out.contains("chain intact, head matches"))
        let text = ScanFixture.read(log)
        #expect(text.contains("\"mode\":\"check\"") && text.contains("\"mode\":\"redact\"") && text.contains("\"mode\":\"scan\""))
        #expect(text.contains("\"mode\":\"sendmail\",\"source\":\"<sm-1@support.example>\""))
        #expect(text.contains("\"mode\":\"sendmail\",\"source\":\"-\",\"channel\":\"email-external\",\"verdict\":\"block\""))
        #expect(!text.contains("4111 1111") && !text.contains("4111111111111111"))
        #expect(text.contains("<md-1@support.example>"))
        for raw in ScanRunnerTests.rawValues { #expect(!text.contains(raw)) }
        #expect(!text.contains(ScanFixture.key))

        // Delete one record in the middle.
        var lines = text.split(separator: "\n").map(String.init)
        lines.remove(at: 3)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        let tampered = try Binary.run(["audit", "verify", log])
        #expect(tampered.status == 1)
        #expect(tampered.err.contains("record 4 was removed"))
    }
}

/// The stdin-filter contract under GNU parallel (Debian `parallel`): `--pipepart` splits a file
/// into blocks at line ends, runs one redline per block, and `-k` keeps the order.
@Suite("Bulk filters: GNU parallel --pipepart")
struct ParallelPipeTests {
    static let parallel = ["/usr/bin/parallel"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("records in equal records out, in order, and match a single-process run", .enabled(if: parallel != nil))
    func pipepart() throws {
        let directory = try ScanFixture.temporaryDirectory()
        var input = ""
        for index in 0..<3000 {
            let text = index % 7 == 0 ? "Card \(ScanFixture.card) for order \(index)" : index % 5 == 0 ? "NI \(ScanFixture.nino), ref \(index)" : "Order \(index) is on its way"
            input += "{\"id\":\(index),\"text\":\"\(text)\"}\n"
        }
        let file = try ScanFixture.write(input, directory, "big.jsonl")
        let single = try Binary.run(["redact", "--input", "jsonl", file], environment: [:])
        #expect(single.status == 0)
        let command = "\(Binary.path) redact --input jsonl"
        let split = try Binary.run(["--will-cite", "--pipepart", "-a", file, "--block", "16k", "-k", "-j", "2", command], executable: Self.parallel!, environment: ["PATH": "/usr/bin:/bin"])
        #expect(split.status == 0, "\(split.err)")
        let lines = split.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 3000)
        #expect(split.out == single.out)
        #expect(!split.out.contains(ScanFixture.card))
    }
}
