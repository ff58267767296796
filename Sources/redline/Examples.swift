import ArgumentParser

/// A command whose `--help` ends with worked examples (argument-parser has no epilogue: the entry
/// point appends them, see `main.swift`).
protocol HasExamples {
    /// (command line, what it does).
    static var examples: [(String, String)] { get }
}

enum HelpExamples {
    /// The EXAMPLES section for `command`, or "" when it has none.
    static func section(for command: ParsableCommand.Type) -> String {
        guard let examples = (command as? HasExamples.Type)?.examples, !examples.isEmpty else { return "" }
        var text = "\nEXAMPLES:\n"
        for (line, what) in examples { text += "  \(line)\n      \(what)\n" }
        return text
    }
}
