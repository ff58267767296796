import ArgumentParser
import Foundation
import RedlineTool

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate, test and explain policy files.",
        subcommands: [Check.self, Test.self, Explain.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report every error in a policy as file:line:col (exit 2 if any).")
        @Argument(help: "Policy file.") var file: String
        @Option(name: .long, help: "File holding the key (else REDLINE_KEY): exact_data indexes are checked against it.") var keyFile: String?
        func run() throws {
            let out = OutputStream(fd: 1, name: "standard output")
            let code = try PolicyTools.check(file, environment: ProcessInfo.processInfo.environment, keyFile: keyFile, out: out)
            try out.flush()
            throw ExitCode(code)
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the policy's examples: pass/fail each; exit 1 on any failure.")
        @Argument(help: "Policy file.") var file: String
        @Option(name: .long, help: "File holding the key (else REDLINE_KEY), for exact_data detectors.") var keyFile: String?
        func run() throws {
            let out = OutputStream(fd: 1, name: "standard output")
            let code = try PolicyTools.test(file, environment: ProcessInfo.processInfo.environment, keyFile: keyFile, out: out)
            try out.flush()
            throw ExitCode(code)
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say in words what the compiled policy does, per channel.")
        @Argument(help: "Policy file (default: the embedded uk-default).") var file: String?
        @Option(name: .long, help: "Only this channel.") var channel: String?
        @Option(name: .long, help: "File holding the key (else REDLINE_KEY), for exact_data detectors.") var keyFile: String?
        func run() throws {
            let out = OutputStream(fd: 1, name: "standard output")
            let code = try PolicyTools.explain(file, channel: channel, environment: ProcessInfo.processInfo.environment, keyFile: keyFile, out: out)
            try out.flush()
            throw ExitCode(code)
        }
    }
}

struct DetectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detectors", abstract: "List the detector kinds (built-in, regex, exact_data) with a description and an example.")
    func run() throws {
        let out = OutputStream(fd: 1, name: "standard output")
        let code = try PolicyTools.detectors(out: out)
        try out.flush()
        throw ExitCode(code)
    }
}
