import Foundation
import Testing

/// Runs redline on hostile inputs with every stream in a file (no pipe can fill up) and a
/// generous deadline: a run that outlives it is killed and recorded as a hang. The heavy cases use
/// the release binary when it is at least as new as the debug one.
enum Hostile {
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["REDLINE_BINARY"] { return explicit }
        let release = Redline.path(".build/release/redline")
        let debug = Redline.binary
        func modified(_ path: String) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        }
        if let releaseDate = modified(release), let debugDate = modified(debug), releaseDate >= debugDate { return release }
        return debug
    }()

    struct Outcome {
        var status: Int32
        var signalled: Bool
        var stdout: [UInt8]
        var stderr: String
        var hung: Bool
        var out: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `arguments` with stdin from `inputFile` (or empty), stdout to `outputFile` (or a
    /// temporary file that is read back unless `keepStdout` is false).
    static func run(_ arguments: [String], inputFile: String? = nil, input: [UInt8]? = nil, outputFile: String? = nil,
                    readStdout: Bool = true, deadline: TimeInterval = 300, directory: String? = nil) throws -> Outcome {
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var stdinPath = inputFile ?? "/dev/null"
        if let input {
            stdinPath = dir + "/stdin"
            try Data(input).write(to: URL(fileURLWithPath: stdinPath))
        }
        let stdoutPath = outputFile ?? dir + "/stdout"
        let stderrPath = dir + "/stderr"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = [:]
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? dir)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdinPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        let hung = !waitBounded(process, seconds: deadline)
        if hung {
            process.terminate()
            process.waitUntilExit()
        }
        let stdout = readStdout ? Array((try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data()) : []
        let stderr = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data(), as: UTF8.self)
        return Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                       stdout: stdout, stderr: stderr, hung: hung)
    }

    /// Waits for `process` up to `seconds`; false when it is still running (hang detection only).
    static func waitBounded(_ process: Process, seconds: TimeInterval) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning {
            if Date() > end { return false }
            usleep(20_000)
        }
        return true
    }

    /// Writes `count` bytes made of `unit` repeated (plus `tail`) to `path` without holding them.
    static func writeRepeated(_ unit: String, bytes count: Int, head: String = "", tail: String = "", to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        handle.write(Data(head.utf8))
        let block = Data(String(repeating: unit, count: max(1, (1 << 20) / unit.utf8.count)).utf8)
        var written = 0
        while written < count {
            let piece = block.prefix(count - written)
            handle.write(piece)
            written += piece.count
        }
        handle.write(Data(tail.utf8))
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    /// A policy with the catastrophic `(a+)+$` custom regex.
    static func catastrophicPolicy(onError: String, action: String = "redact") -> String {
        """
        version: 1
        name: hostile
        settings: { on_detector_error: \(onError), match_limit: 100000 }
        detectors:
          evil: { kind: regex, pattern: '(a+)+$' }
          card: { kind: payment_card }
        channels:
          chat: { encrypted: false, external: true }
        default_channel: chat
        rules:
          - { id: evil-rule, detectors: [evil], channels: "*", action: \(action) }
          - { id: card-blocks, detectors: [card], channels: "*", action: block }
        """
    }
}
