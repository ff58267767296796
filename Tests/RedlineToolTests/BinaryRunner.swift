import Foundation
import Testing

/// Runs the built `redline` binary end to end.
struct RunResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
}

enum Redline {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary beside the test bundle (same scratch path), else `.build/debug/redline`.
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["REDLINE_BINARY"] { return explicit }
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            let url = URL(fileURLWithPath: first)
            candidates.append(url.deletingLastPathComponent().appendingPathComponent("redline"))
            candidates.append(url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("redline"))
        }
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("redline"))
        }
        candidates.append(repository.appendingPathComponent(".build/debug/redline"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
    }()

    static func path(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

    /// Runs redline with `arguments`, feeding `input` on stdin. The environment is minimal and
    /// never carries a REDLINE_POLICY from the caller.
    @discardableResult
    static func run(_ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:],
                    directory: String? = nil) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? FileManager.default.temporaryDirectory.path)
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Feed stdin and drain both outputs concurrently so large inputs and outputs cannot deadlock.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        nonisolated(unsafe) var errorData = Data()
        let errorReader = Thread { errorData = stderr.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorReader.isFinished { usleep(1000) }
        return RunResult(status: process.terminationStatus, stdout: Array(outData), stderr: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("redline-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func write(_ text: String, to directory: String, name: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
