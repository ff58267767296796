import RedlineCore

/// A YAML syntax error as a policy author needs it: the offending line with a caret under the
/// column, and for the common mistakes (a tab in the indentation, a quote left open, a key out of
/// line, a regex escape inside double quotes) a hint saying what to change.
enum SyntaxHint {
    static func diagnostic(problem: String, context: (text: String, line: Int, column: Int)?, line: Int, column: Int,
                           file: String, text: String) -> Diagnostic {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        func source(_ number: Int) -> String? { number >= 1 && number <= lines.count ? lines[number - 1] : nil }
        var location = SourceLocation(file: file, line: line, column: column)
        var message = "YAML syntax: \(problem)"
        if let context { message += " (\(context.text) at line \(context.line), column \(context.column))" }
        var hint: String?
        let contextText = context?.text ?? ""
        // A tab in the indentation, on this line or the one before (libyaml often notices a line late).
        let tabbed = [line, line - 1].first { number in source(number).map { $0.prefix { $0 == " " || $0 == "\t" }.contains("\t") } ?? false }
        if problem.contains("unknown escape character") {
            hint = "in double quotes YAML reads backslash escapes itself (\\d is not one of them): write regex patterns in single quotes, e.g. pattern: 'ORD-\\d{8}'"
        } else if contextText.contains("quoted scalar"), let context {
            // Point at the opening quote: the end of the file, where libyaml noticed, is not where the fix is.
            location = SourceLocation(file: file, line: context.line, column: context.column)
            hint = "the quote opened here is never closed; close it on the same line (a quote inside single quotes is written '')"
        } else if let tabbed {
            location = SourceLocation(file: file, line: tabbed, column: (source(tabbed)?.unicodeScalars.firstIndex(of: "\t")).map {
                source(tabbed)!.unicodeScalars.distance(from: source(tabbed)!.unicodeScalars.startIndex, to: $0) + 1 } ?? 1)
            hint = "YAML indentation must be spaces: line \(tabbed) has a tab"
        } else if problem.contains("mapping values are not allowed") {
            hint = "a ':' where YAML did not expect a new key: check the indentation of this line against the one above, "
                + "or quote a value that contains ': '"
        } else if problem.contains("did not find expected key") || problem.contains("did not find expected '-'")
                    || problem.contains("could not find expected ':'") || contextText.contains("block mapping") || contextText.contains("block collection") {
            hint = "check the indentation: keys of one mapping start in the same column, and a nested block is indented further than its key"
        } else if problem.contains("did not find expected ',' or ']'") || problem.contains("did not find expected ',' or '}'") {
            hint = "a '[' or '{' list is not closed, or an item in it is missing a comma"
        }
        return Diagnostic(.error, code: PolicyCode.syntax, message, at: location, hint: hint, sourceLine: source(location.line))
    }
}
