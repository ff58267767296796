import RedlineCore

/// Checks of `senders:` groups, rules' `senders:` and `override:`.
extension PolicyValidator {
    /// Every group name a rule may refer to: the declared ones and `default`.
    public static func senderGroupNames(_ policy: Policy) -> [String] {
        policy.senders.map(\.name.value) + [SenderGroupSpec.defaultGroup]
    }

    /// Unknown groups in a rule's `senders:` or an override's `by:` (with "did you mean").
    static func senderErrors(_ policy: Policy) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let known = senderGroupNames(policy)
        func check(_ name: Located<String>, _ what: String) {
            guard !known.contains(name.value) else { return }
            let hint = Suggest.closest(name.value, in: known).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(Diagnostic(.error, code: PolicyCode.unknownSenderGroup, "unknown sender group '\(name.value)' in \(what)\(hint)",
                                          at: name.location, hint: "sender groups in this policy: \(known.joined(separator: ", "))"))
        }
        for rule in policy.rules {
            rule.senders?.forEach { check($0, "the senders of rule '\(rule.id.value)'") }
            rule.sendersExcept.forEach { check($0, "the senders of rule '\(rule.id.value)'") }
            rule.override?.by?.forEach { check($0, "who may override rule '\(rule.id.value)'") }
        }
        return diagnostics
    }

    /// An override that cannot lower its rule, and card rules that may be overridden.
    static func senderWarnings(_ policy: Policy) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let cardKinds: Set<String> = ["payment_card", "card_security_code", "card_expiry", "card_track_data"]
        let cardDetectors = Set(policy.detectors.filter { cardKinds.contains($0.kind.value) }.map(\.id.value))
        for rule in policy.rules {
            guard let override = rule.override else { continue }
            if override.becomes >= rule.action {
                diagnostics.append(Diagnostic(.warning, code: PolicyCode.overrideQuestionable,
                    "the override of rule '\(rule.id.value)' changes nothing: it becomes '\(override.becomes.name)' and the rule's action is '\(rule.action.name)'",
                    at: override.location, hint: "an override lowers a block or redact to flag or allow; remove it or make 'becomes' lower"))
            }
            let cards = rule.detectors.map { $0.map(\.value).filter(cardDetectors.contains) } ?? cardDetectors.sorted()
            if !cards.isEmpty {
                diagnostics.append(Diagnostic(.warning, code: PolicyCode.overrideQuestionable,
                    "rule '\(rule.id.value)' lets senders override it for card data (\(cards.joined(separator: ", ")))",
                    at: override.location, hint: "card data should never be sent on a sender's say-so: give cards their own rule with 'override: never'"))
            }
        }
        return diagnostics
    }

    /// Whether rule `outer` applies to every sender rule `inner` applies to (roughly: a sender in
    /// several groups is not considered).
    static func covers(_ outer: RuleSpec, _ inner: RuleSpec) -> Bool {
        guard outer.sendersExcept.isEmpty || Set(outer.sendersExcept.map(\.value)).isSubset(of: Set(inner.sendersExcept.map(\.value))) else { return false }
        guard let outerGroups = outer.senders else { return true }
        guard let innerGroups = inner.senders else { return false }
        return Set(innerGroups.map(\.value)).isSubset(of: Set(outerGroups.map(\.value)))
    }
}
