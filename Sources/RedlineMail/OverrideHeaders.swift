import Foundation
import RedlineCore
import RedlineEngine

/// `X-Redline-Override: RULE-ID; justification` in a message's own header (RFC 2047 encoded
/// words allowed): a sender's request to override a rule. Each header is judged on its own; the
/// headers are removed before the message goes on, and their text is never scanned as message
/// content (a forwarded message's header is content, and is scanned). The justification is not
/// quoted in any diagnostic.
enum OverrideHeaders {
    static let name = "x-redline-override"

    struct Found {
        var requests: [OverrideRequest] = []
        /// Every override field of the top-level header, malformed ones included (all are removed).
        var fields: [HeaderField] = []
        var diagnostics: [Diagnostic] = []
    }

    static func read(_ message: [UInt8], headers: HeaderBlock) -> Found {
        var found = Found()
        var index = 0
        for field in headers.fields where field.lowercasedName == name {
            index += 1
            found.fields.append(field)
            let text = String(decoding: EncodedWords.decode(field.unfoldedValue(in: message)).text, as: UTF8.self)
            guard let request = parse(text) else {
                found.diagnostics.append(Diagnostic(.warning, code: MailCode.malformedOverride,
                    "X-Redline-Override header \(index) is not 'RULE-ID; justification': ignored, the policy's decision stands"))
                continue
            }
            found.requests.append(request)
        }
        return found
    }

    /// `RULE-ID; justification` → a request; nil when there is no `;` or the rule id is empty or
    /// holds white space.
    static func parse(_ text: String) -> OverrideRequest? {
        guard let semicolon = text.firstIndex(of: ";") else { return nil }
        let rule = text[..<semicolon].trimmingCharacters(in: .whitespacesAndNewlines)
        guard !rule.isEmpty, !rule.contains(where: \.isWhitespace) else { return nil }
        let justification = text[text.index(after: semicolon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        return OverrideRequest(rule: rule, justification: justification, origin: "header")
    }
}
