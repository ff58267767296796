import ArgumentParser
import Foundation
import RedlineTool

/// `redline key generate`: a new HMAC key file.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create the HMAC key used for fingerprints, baselines, audit logs and hash redaction.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand, HasExamples {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write 32 random bytes (as 64 hex digits) to a new file, mode 0600.",
            discussion: "Use it with --key-file FILE, or put its contents in REDLINE_KEY. Exit codes: 0 written; 2 the file exists "
                + "(without --force) or cannot be written.")
        static let examples = [
            ("redline key generate --output /etc/redline/key", "a new key, readable only by its owner"),
            ("redline scan --key-file /etc/redline/key --write-baseline baseline.json archive/", "then use it"),
        ]
        @Option(name: .long, help: "The key file to create.") var output: String
        @Flag(name: .long, help: "Replace an existing file.") var force = false
        func run() throws {
            guard !output.isEmpty else { throw ValidationError("--output needs a file name") }
            do {
                let message = try KeyGenerator.generate(path: output, force: force)
                FileHandle.standardError.write(Data("redline: \(message)\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("redline: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
