import ArgumentParser
import Foundation
import RedlineAudit
import RedlineEngine

/// `redline audit`: check the tamper-evident audit trail that --audit writes.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the keyed, hash-chained audit log written with --audit.",
        subcommands: [Verify.self, Head.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the chain: name the first edited, removed, inserted or reordered record, and a truncated tail.",
            discussion: "Exit codes: 0 intact; 1 tampering found; 2 usage error, unreadable log or no key."
        )
        @Option(name: .long, help: "File holding the HMAC key (else REDLINE_KEY).") var keyFile: String?
        @Option(name: .long, help: "The chain head kept outside the log, as 'seq:mac' (default: FILE.head).") var head: String?
        @Argument(help: "Audit log.") var file: String

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            guard let key = try KeySource.load(keyFile: keyFile, environment: environment) else {
                throw ValidationError("audit verify needs the HMAC key: --key-file FILE or REDLINE_KEY")
            }
            var expected: AuditHead?
            if let head {
                guard let parsed = AuditHead(parsing: head) else { throw ValidationError("--head must be 'seq:mac'") }
                expected = parsed
            } else {
                expected = AuditHead.read(for: file)
            }
            let result = try AuditVerifier.verify(path: file, key: key, head: expected)
            if let problem = result.problem {
                FileHandle.standardError.write(Data("redline: \(file): \(problem.description)\n".utf8))
                throw ExitCode(1)
            }
            var line = "\(file): \(result.records) records, chain intact"
            line += result.checkedHead ? ", head matches" : " (no head: a truncated tail cannot be detected; keep 'redline audit head' output elsewhere)"
            print(line)
        }
    }

    struct Head: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the chain head (seq:mac) for an external system to keep.")
        @Argument(help: "Audit log.") var file: String
        func run() throws {
            guard let head = AuditHead.read(for: file) else { throw ValidationError("no head file \(AuditHead.path(for: file))") }
            print(head.description)
        }
    }
}
