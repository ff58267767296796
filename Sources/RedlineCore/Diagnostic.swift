/// A position in a named source (a policy file, an input file), 1-based.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error or warning as a value: a stable code, a human message and an optional location.
/// Printed in the compiler's shape: `file:line:col: error[CODE]: message`.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    public var severity: Severity
    public var code: String
    public var message: String
    public var location: SourceLocation?
    /// What to do about it, in a sentence (printed on its own line by ``detailed``).
    public var hint: String?
    /// The source line the location points into (policy text written by the policy's author;
    /// never message content), shown under the message with a caret at the column.
    public var sourceLine: String?

    public init(_ severity: Severity = .error, code: String, _ message: String, at location: SourceLocation? = nil,
                hint: String? = nil, sourceLine: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.hint = hint
        self.sourceLine = sourceLine
    }

    /// One line: `file:line:col: error[CODE]: message`.
    public var description: String {
        let head = location.map { "\($0): " } ?? ""
        return "\(head)\(severity.rawValue)[\(code)]: \(message)"
    }

    /// ``description``, then the source line with a caret under the column and the hint, each on
    /// its own line (the compiler's layout):
    /// ```
    /// policy.yaml:7:1: error[P001]: YAML syntax: found character that cannot start any token
    ///     7 | 	kind: regex
    ///       | ^
    ///   hint: YAML indentation must be spaces; this line starts with a tab
    /// ```
    public var detailed: String {
        var text = description
        if let sourceLine, let location {
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            // Tabs are shown as one space each so that the caret stays under its column.
            let shown = String(sourceLine.unicodeScalars.map { $0 == "\t" ? " " : Character($0) }.prefix(200))
            let caretColumn = max(1, min(location.column, shown.count + 1))
            text += "\n    \(number) | \(shown)\n    \(gutter) | \(String(repeating: " ", count: caretColumn - 1))^"
        }
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// Several diagnostics thrown together (a policy reports all its errors at once).
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
