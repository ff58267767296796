import ArgumentParser
import Foundation
import RedlineTool

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate, test and explain policy files.",
        subcommands: [Check.self, Test.self, Explain.self]
    )

    /// `--policy FILE` or the positional FILE (the same thing; both only if they agree), else discovery.
    struct Selection: ParsableArguments {
        @Option(name: .long, help: "Policy file (else REDLINE_POLICY, .redline.yaml found walking up, or the embedded default).")
        var policy: String?
        @Option(name: .long, help: "File holding the key (else REDLINE_KEY): exact_data indexes are checked against it.")
        var keyFile: String?
        @Argument(help: "Policy file (the same as --policy).") var file: String?

        func choice() throws -> PolicyTools.Choice {
            if let policy, let file, policy != file { throw ValidationError("give the policy once: --policy \(policy) or \(file)") }
            return PolicyTools.Choice(explicit: policy ?? file, environment: ProcessInfo.processInfo.environment,
                                      directory: FileManager.default.currentDirectoryPath, keyFile: keyFile)
        }
    }

    struct Check: ParsableCommand, HasExamples {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Report every error and warning in a policy as file:line:col (exit 2 on an error).",
            discussion: "Warnings (a rule that applies nowhere or never decides, a detector no rule uses, a double-quoted pattern "
                + "whose escapes YAML consumed) do not fail the check unless --strict is given.")
        static let examples = [
            ("redline policy check .redline.yaml", "check one file"),
            ("redline policy check --strict --policy /etc/redline/policy.yaml", "in CI: warnings fail too"),
            ("redline policy check", "the policy every other command would use here"),
        ]
        @OptionGroup var selection: Selection
        @Flag(name: .long, help: "Exit 2 on warnings too.") var strict = false
        func run() throws {
            let out = OutputStream(fd: 1, name: "standard output")
            let code = try PolicyTools.check(try selection.choice(), strict: strict, out: out)
            try out.flush()
            throw ExitCode(code)
        }
    }

    struct Test: ParsableCommand, HasExamples {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Run the policy's examples: pass/fail each; exit 1 on any failure.")
        static let examples = [
            ("redline policy test .redline.yaml", "every example, PASS or FAIL"),
            ("redline policy test --failures-only", "only what failed, with the example's text"),
        ]
        @OptionGroup var selection: Selection
        @Flag(name: .long, help: "Print only the failing examples (and the totals).") var failuresOnly = false
        func run() throws {
            let out = OutputStream(fd: 1, name: "standard output")
            let code = try PolicyTools.test(try selection.choice(), failuresOnly: failuresOnly, out: out)
            try out.flush()
            throw ExitCode(code)
        }
    }

    struct Explain: ParsableCommand, HasExamples {
        static let configuration = CommandConfiguration(commandName: "explain", abstract: "Say in words what the compiled policy does, per channel.")
        static let examples = [
            ("redline policy explain", "the policy in use here, every channel"),
            ("redline policy explain Policies/pci-strict.yaml --channel chat", "one channel of one file"),
        ]
        @OptionGroup var selection: Selection
        @Option(name: .long, help: "Only this channel.") var channel: String?
        func run() throws {
            let out = OutputStream(fd: 1, name: "standard output")
            let code = try PolicyTools.explain(try selection.choice(), channel: channel, out: out)
            try out.flush()
            throw ExitCode(code)
        }
    }
}

struct DetectorsCommand: ParsableCommand, HasExamples {
    static let configuration = CommandConfiguration(
        commandName: "detectors",
        abstract: "List the detector kinds (built-in, regex, exact_data) with a description and an example, then the policy's detectors.")
    static let examples = [
        ("redline detectors", "built-in kinds and the detectors of the policy in use"),
        ("redline detectors --policy Policies/gdpr-strict.yaml", "those of another policy"),
    ]
    @Option(name: .long, help: "Policy file (else REDLINE_POLICY, .redline.yaml found walking up, or the embedded default).")
    var policy: String?
    func run() throws {
        let out = OutputStream(fd: 1, name: "standard output")
        let choice = PolicyTools.Choice(explicit: policy, environment: ProcessInfo.processInfo.environment,
                                        directory: FileManager.default.currentDirectoryPath)
        let code = try PolicyTools.detectors(choice, out: out)
        try out.flush()
        throw ExitCode(code)
    }
}
