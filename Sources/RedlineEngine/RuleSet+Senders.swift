import Foundation
import RedlineCore
import RedlinePolicy

/// How a sender asks for an override on the channel they use (for the "how to override" text).
public enum OverrideVia: Sendable {
    /// A mail header `X-Redline-Override: RULE; reason`.
    case mailHeader
    /// `--override RULE=REASON`.
    case commandLine
    /// The `"override"` field of a `redline serve` request.
    case api
}

extension RuleSet {
    /// The rule with id `id`.
    public func rule(_ id: String) -> Rule? { rules.first { $0.id == id } }

    /// The tip of a rule (`tip:`), if any.
    public func tip(for ruleID: String) -> String? { rule(ruleID)?.tip }

    /// Judges one override request of a sender in `groups`: the rule exists, may be overridden,
    /// by one of the sender's groups, and the justification is long enough. The refusal says
    /// why, never quoting the justification.
    public func judge(_ request: OverrideRequest, groups: [String]) -> OverrideOutcome {
        func refuse(_ why: String) -> OverrideOutcome { OverrideOutcome(request: request, granted: false, becomes: nil, refusal: why) }
        guard let rule = rule(request.rule) else {
            let hint = Suggest.closest(request.rule, in: rules.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
            var outcome = refuse("the policy has no rule by that name\(hint)")
            outcome.ruleIsKnown = false
            return outcome
        }
        guard let override = rule.override else {
            return refuse("rule '\(rule.id)' cannot be overridden")
        }
        if let by = override.by, !groups.contains(where: { name in by.contains { $0.value == name } }) {
            return refuse("rule '\(rule.id)' can be overridden only by senders in \(by.map(\.value).joined(separator: ", ")); "
                          + "the sender is in \(groups.joined(separator: ", "))")
        }
        let length = request.justification.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count
        if override.justificationRequired && length < override.minLength {
            return refuse(length == 0 ? "overriding rule '\(rule.id)' needs a justification (at least \(override.minLength) characters)"
                          : "the justification is too short: \(length) characters, rule '\(rule.id)' needs at least \(override.minLength)")
        }
        return OverrideOutcome(request: request, granted: true, becomes: override.becomes, refusal: nil)
    }

    /// How a sender in `groups` may ask to override rule `ruleID` on `via`; nil when the rule
    /// cannot be overridden. When the sender's groups may not, names the groups that may.
    public func howToOverride(_ ruleID: String, groups: [String], via: OverrideVia) -> String? {
        guard let rule = rule(ruleID), let override = rule.override else { return nil }
        if let by = override.by, !groups.contains(where: { name in by.contains { $0.value == name } }) {
            return "senders in \(by.map(\.value).joined(separator: ", ")) may override rule '\(rule.id)' with a justification"
        }
        let reason = override.justificationRequired ? " (a justification of at least \(override.minLength) characters, which is recorded)" : ""
        let ask: String
        switch via {
        case .mailHeader: ask = "add the header 'X-Redline-Override: \(rule.id); your justification'"
        case .commandLine: ask = "pass --override '\(rule.id)=your justification'"
        case .api: ask = "send \"override\": {\"rule\": \"\(rule.id)\", \"justification\": \"...\"}"
        }
        return "to override, \(ask)\(reason); it becomes \(override.becomes.name)"
    }

    /// What a sender sees for rule `ruleID`: its message (as written), then its tip, then how to
    /// override it, as one line: `message. Tip: tip. To override, …`; nil when it has none of them.
    public func senderNotice(_ ruleID: String, groups: [String], via: OverrideVia) -> String? {
        guard let rule = rule(ruleID) else { return nil }
        var extras: [String] = []
        if let tip = rule.tip, !tip.isEmpty { extras.append("Tip: " + RuleSet.sentence(tip)) }
        if let how = howToOverride(ruleID, groups: groups, via: via) { extras.append(RuleSet.sentence(how.prefix(1).uppercased() + how.dropFirst())) }
        let message = rule.message.flatMap { $0.isEmpty ? nil : $0 }
        guard let message else { return extras.isEmpty ? nil : extras.joined(separator: " ") }
        return extras.isEmpty ? message : ([RuleSet.sentence(message)] + extras).joined(separator: " ")
    }

    /// `text` ending in `.`, `!` or `?` (a period added when it has none).
    public static func sentence(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let last = trimmed.last else { return trimmed }
        return ".!?".contains(last) ? trimmed : trimmed + "."
    }
}

extension Pipeline {
    /// Resolves `identity` to its groups and judges each override request on its own.
    public func senderContext(_ identity: SenderIdentity, overrides requests: [OverrideRequest] = []) -> SenderContext {
        let groups = senders.groups(of: identity)
        var outcomes: [OverrideOutcome] = []
        var lowered: [String: Action] = [:]
        for request in requests {
            let outcome = rules.judge(request, groups: groups)
            outcomes.append(outcome)
            if outcome.granted, let becomes = outcome.becomes { lowered[request.rule] = min(lowered[request.rule] ?? becomes, becomes) }
        }
        return SenderContext(identity: identity, groups: groups, overrides: outcomes, lowered: lowered)
    }
}
