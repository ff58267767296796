import RedlineCore
import RedlineEngine

/// What the sender of a blocked or overridden message is told, on every mail path (`redline
/// sendmail`'s standard error, the milter's 550 reply): the deciding rule's message, why an
/// override was refused, the rule's tip, and how to ask for an override when the rule allows one.
/// Never a value or a justification.
public enum SenderText {
    /// The parts, most important first: the reason (rule message, else the verdict's reason),
    /// each refused override, the tip, how to override.
    public static func blockParts(_ verdict: MailVerdict, pipeline: Pipeline, via: OverrideVia) -> [String] {
        let rule = verdict.decidingRule
        var parts = [rule.flatMap { pipeline.rules.message(for: $0) } ?? verdict.reason ?? "the message breaks the data-protection policy"]
        for outcome in verdict.sender.refused {
            parts.append("Override of rule '\(outcome.ruleName)' refused: \(outcome.refusal ?? "not allowed").")
        }
        if let rule {
            if let tip = pipeline.rules.tip(for: rule), !tip.isEmpty { parts.append("Tip: " + RuleSet.sentence(tip)) }
            if let how = pipeline.rules.howToOverride(rule, groups: verdict.sender.groups, via: via) {
                parts.append(how.prefix(1).uppercased() + how.dropFirst() + ".")
            }
        }
        return parts
    }

    /// ``blockParts(_:pipeline:via:)`` joined by spaces, leaving out (from the end) the parts that
    /// would take the text past `limit` Unicode scalars; the first part is cut at a word with `...`
    /// when alone it is too long (an SMTP reply line is at most 512 octets).
    public static func blockReason(_ verdict: MailVerdict, pipeline: Pipeline, via: OverrideVia, limit: Int = 400) -> String {
        let parts = blockParts(verdict, pipeline: pipeline, via: via)
        var text = cut(parts[0], limit)
        for part in parts.dropFirst() where text.unicodeScalars.count + 2 + part.unicodeScalars.count <= limit {
            text = RuleSet.sentence(text) + " " + part
        }
        return text
    }

    static func cut(_ text: String, _ limit: Int) -> String {
        guard text.unicodeScalars.count > limit else { return text }
        var scalars = String.UnicodeScalarView(text.unicodeScalars.prefix(limit - 1))
        if let space = scalars.lastIndex(of: " "), scalars.distance(from: scalars.startIndex, to: space) > limit / 2 {
            scalars = String.UnicodeScalarView(scalars[..<space])
        }
        return String(scalars) + "..."
    }
}
