import ArgumentParser
import Foundation
import RedlineAudit
import RedlineEngine
import RedlineTool

/// `redline audit`: check the tamper-evident audit trail that --audit writes.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the keyed, hash-chained audit log written with --audit.",
        subcommands: [Verify.self, Head.self, Report.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
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

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Summarise decisions and overrides per sender, group and rule (for the weekly review).",
            discussion: """
            With the HMAC key (--key-file or REDLINE_KEY) the chain is verified first and the report says so. \
            Exit codes: 0 report written; 1 report written but the chain is broken (tampering); 2 usage error or unreadable log.
            """
        )
        @Option(name: .long, help: "Only records at or after this UTC date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ).") var since: String?
        @Option(name: .long, help: "Report format: text, csv, html.") var format: String = "text"
        @Option(name: .long, help: "Write the report to FILE instead of standard output.") var output: String?
        @Option(name: .long, help: "File holding the HMAC key (else REDLINE_KEY): verify the chain too.") var keyFile: String?
        @Argument(help: "Audit log.") var file: String

        func validate() throws {
            try Choice.check(format, "--format", AuditReport.Format.allCases.map(\.rawValue))
            if let since, since.range(of: #"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?$"#, options: .regularExpression) == nil {
                throw ValidationError("--since must be a UTC date or time: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
            }
        }

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read audit log \(file)")
            }
            var report: AuditReport
            do { report = try AuditReport(log: data, since: since) } catch { throw ValidationError("\(file): \(error)") }
            var broken = false
            if let key = try KeySource.load(keyFile: keyFile, environment: ProcessInfo.processInfo.environment) {
                let result = try AuditVerifier.verify(path: file, key: key, head: AuditHead.read(for: file))
                if let problem = result.problem {
                    report.chain = "BROKEN: \(problem.description)"
                    broken = true
                } else {
                    report.chain = "\(result.records) records, intact" + (result.checkedHead ? ", head matches" : " (no head file)")
                }
            }
            let text = report.render(AuditReport.Format(rawValue: format)!, file: file)
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            if broken { throw ExitCode(1) }
        }
    }

    struct Head: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "head", abstract: "Print the chain head (seq:mac) for an external system to keep.")
        @Argument(help: "Audit log.") var file: String
        func run() throws {
            guard let head = AuditHead.read(for: file) else { throw ValidationError("no head file \(AuditHead.path(for: file))") }
            print(head.description)
        }
    }
}
