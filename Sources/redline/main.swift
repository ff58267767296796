import ArgumentParser
import Foundation
import RedlineTool
#if canImport(Glibc)
import Glibc
#endif

// A closed reader is a quiet stop, not a crash: writes see EPIPE instead of SIGPIPE.
signal(SIGPIPE, SIG_IGN)

/// Custom entry point: argument-parser exits 64 on usage errors and 1 on errors thrown from
/// run(); redline keeps 1 for "findings" and uses 2 for every usage, policy or input error.
/// It also suggests the subcommand meant by a misspelt one, names the subcommand in the usage
/// line of an error from its run(), and ends each command's help with its examples.
func redlineMain() -> Never {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let problem = CommandLine.misspeltSubcommand(arguments) {
        let text = "Error: \(problem.message)\nUsage: \(Redline.usageString(for: problem.parent))\n"
            + "  See 'redline \(CommandLine.path(of: problem.parent))--help' for the commands.\n"
        FileHandle.standardError.write(Data(text.utf8))
        exit(2)
    }
    // sendmail passes its arguments through to the real sendmail, which has no --help: answer it here.
    if arguments.count == 2, arguments[0] == "sendmail", arguments[1] == "--help" {
        print(Redline.helpMessage(for: SendmailCommand.self) + "\n" + HelpExamples.section(for: SendmailCommand.self), terminator: "")
        exit(0)
    }
    var parsed: ParsableCommand.Type?
    do {
        let (parse, morePaths) = CommandLine.trailingCheckPaths(arguments)
        var command = try Redline.parseAsRoot(parse)
        if !morePaths.isEmpty, var check = command as? CheckCommand {
            check.paths.append(contentsOf: morePaths)
            command = check
        }
        parsed = type(of: command)
        try command.run()
        Redline.exit()
    } catch let code as ExitCode {
        Redline.exit(withError: code)
    } catch {
        if Redline.exitCode(for: error) == .success {
            let message = Redline.fullMessage(for: error)
            let target = CommandLine.named(arguments)
            if message.contains("USAGE:"), target != Redline.self {
                print(message + "\n" + HelpExamples.section(for: target), terminator: "")
                exit(0)
            }
            Redline.exit(withError: error)
        }
        var text = Redline.fullMessage(for: error)
        // An error thrown by a command's run() is not tied to the command by argument-parser:
        // its usage line would be the root's. Name the command that failed.
        if let parsed, parsed != Redline.self {
            text = "Error: \(Redline.message(for: error))\nUsage: \(Redline.usageString(for: parsed))\n"
                + "  See 'redline \(CommandLine.path(of: parsed))--help' for more information."
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        exit(2)
    }
}

extension CommandLine {
    /// `redline check` over many files (`check --input eml dir/*.eml`): argument-parser spends
    /// about 250,000 instructions on each positional argument, more than parsing a small message.
    /// The trailing run of plain arguments (none starting with `-`) is all paths, except its first,
    /// which may be the value of the option before it: that one is left to the parser, the rest are
    /// handed to the command after parsing, in order. Nothing is split off when `--` or the
    /// multi-valued `--recipient` (which takes every plain argument after it) is present.
    static func trailingCheckPaths(_ arguments: [String]) -> (parse: [String], paths: [String]) {
        guard arguments.first == "check",
              !arguments.contains(where: { $0 == "--" || $0.hasPrefix("--recipient") }) else { return (arguments, []) }
        var start = arguments.count
        while start > 1, !arguments[start - 1].hasPrefix("-") { start -= 1 }
        // Keep the run's first argument (and a second, so the parser always sees a path).
        let cut = start + 2
        guard cut < arguments.count else { return (arguments, []) }
        return (Array(arguments[..<cut]), Array(arguments[cut...]))
    }

    /// The deepest command the arguments name (`redline policy check --help` → `Check`; `help` skipped).
    static func named(_ arguments: [String]) -> ParsableCommand.Type {
        var current: ParsableCommand.Type = Redline.self
        for argument in arguments where !argument.hasPrefix("-") && argument != "help" {
            guard let next = current.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            current = next
        }
        return current
    }

    /// `policy check ` for `PolicyCommand.Check` (empty for the root), with a trailing space.
    static func path(of command: ParsableCommand.Type) -> String {
        func search(_ node: ParsableCommand.Type, _ trail: [String]) -> [String]? {
            if node == command { return trail }
            for child in node.configuration.subcommands {
                if let found = search(child, trail + [child._commandName]) { return found }
            }
            return nil
        }
        return (search(Redline.self, []) ?? []).map { $0 + " " }.joined()
    }

    /// A first positional argument of a command that only has subcommands, which names none of
    /// them but is close to one: `redline chek`, `redline policy tset`.
    static func misspeltSubcommand(_ arguments: [String]) -> (message: String, parent: ParsableCommand.Type)? {
        var current: ParsableCommand.Type = Redline.self
        var isRoot = true
        for argument in arguments {
            if argument.hasPrefix("-") { return nil }   // options (and --) first: leave it to the parser
            let children: [ParsableCommand.Type] = current.configuration.subcommands
            if children.isEmpty { return nil }
            if argument == "help" && isRoot { continue }
            var names: [String] = []
            var next: ParsableCommand.Type?
            for child in children {
                let name: String = child._commandName
                names.append(name)
                if name == argument { next = child }
            }
            if let next {
                current = next
                isRoot = false
                continue
            }
            let place = isRoot ? "redline" : "redline " + String(path(of: current).dropLast())
            if let suggestion = OptionChoice.suggestion(argument, in: names) {
                return ("'\(argument)' is not a \(place) command; did you mean '\(suggestion)'?", current)
            }
            return ("'\(argument)' is not a \(place) command (commands: \(names.joined(separator: ", ")))", current)
        }
        return nil
    }
}

redlineMain()
