import RedlineCore
import Yams

/// Reading `senders:` groups and a rule's `override:`.
extension PolicyLoader {
    static let senderGroupKeys = ["addresses", "domains", "logins", "tokens", "description"]
    static let overrideKeys = ["by", "justification", "min_length", "becomes"]

    static func readSenders(_ node: Node, _ r: NodeReader) -> [SenderGroupSpec] {
        var groups: [SenderGroupSpec] = []
        for (name, value) in r.namedMapping(node, what: "senders") {
            if name.value == SenderGroupSpec.defaultGroup || name.value == "*" || name.value.isEmpty {
                r.error(PolicyCode.invalidValue, name.value.isEmpty ? "a sender group needs a name"
                        : "'\(name.value)' cannot be declared: \(name.value == "*" ? "'*' means every sender" : "'default' is the group of senders in no other group")",
                        at: name.location)
                continue
            }
            guard let map = r.mapping(value, what: "sender group '\(name.value)'", allowed: senderGroupKeys) else { continue }
            var group = SenderGroupSpec(name: name, location: r.location(value))
            if let list = map["addresses"] {
                group.addresses = r.strings(list, what: "addresses")
                for pattern in group.addresses where !validAddressPattern(pattern.value) {
                    r.error(PolicyCode.invalidValue, "'\(pattern.value)' is not an address pattern: write 'name@example.co.uk' or '*@example.co.uk' "
                            + "(domains alone go under 'domains')", at: pattern.location)
                }
            }
            if let list = map["domains"] {
                group.domains = r.strings(list, what: "domains")
                for pattern in group.domains where !validDomainPattern(pattern.value) {
                    r.error(PolicyCode.invalidValue, "'\(pattern.value)' is not a domain pattern: write 'example.co.uk' or '*.example.co.uk'"
                            + (pattern.value.contains("@") ? " (addresses go under 'addresses')" : ""), at: pattern.location)
                }
            }
            if let list = map["logins"] { group.logins = r.strings(list, what: "logins") }
            if let list = map["tokens"] { group.tokens = r.strings(list, what: "tokens") }
            for entry in group.logins + group.tokens where entry.value.isEmpty {
                r.error(PolicyCode.invalidValue, "an empty login or token name matches nobody", at: entry.location)
            }
            if group.addresses.isEmpty && group.domains.isEmpty && group.logins.isEmpty && group.tokens.isEmpty {
                // After a misspelt key's "did you mean" when there is one: the cause reads first.
                let typo = r.misspellings(in: value).first
                r.error(PolicyCode.missingField, "sender group '\(name.value)' matches nobody: give 'addresses', 'domains', 'logins' or 'tokens'"
                        + (typo.map { " ('\($0.value.value)' is not '\($0.key)')" } ?? ""), at: typo?.value.location ?? name.location)
            }
            groups.append(group)
        }
        return groups
    }

    /// `name@domain` where either side may hold `*` and `?`; exactly one `@`, neither side empty.
    static func validAddressPattern(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !text.contains(where: \.isWhitespace)
    }

    static func validDomainPattern(_ text: String) -> Bool {
        !text.isEmpty && !text.contains("@") && !text.contains(where: \.isWhitespace) && text != "*"
    }

    /// `override: never` (nil) or `override: { by, justification, min_length, becomes }`.
    static func readOverride(_ node: Node, rule: String, _ r: NodeReader) -> OverrideSpec? {
        if case let .scalar(scalar) = node {
            if scalar.string != "never" {
                let hint = Suggest.closest(scalar.string, in: ["never"]).map { "; did you mean '\($0)'?" } ?? ""
                r.error(PolicyCode.invalidValue, "override must be 'never' or a mapping { by, justification, min_length, becomes }, got '\(scalar.string)'\(hint)", at: node)
            }
            return nil
        }
        guard let map = r.mapping(node, what: "override of rule '\(rule)'", allowed: overrideKeys) else { return nil }
        var spec = OverrideSpec(location: r.location(node))
        if let value = map["by"] {
            let list = r.strings(value, what: "by")
            spec.by = list.contains { $0.value == "*" } ? nil : list
            if list.isEmpty { r.error(PolicyCode.invalidValue, "'by' lists nobody: name sender groups, or '*' for anyone (or write 'override: never')", at: value) }
        } else {
            r.missing("by", in: node, "override of rule '\(rule)' needs 'by' (sender groups that may override, or '*' for anyone)")
        }
        if let value = map["justification"], let choice = r.choice(value, what: "justification", choices: ["required", "optional"]) {
            spec.justificationRequired = choice == "required"
        }
        if let value = map["min_length"], let length = r.int(value, what: "min_length", range: 1...1_000) { spec.minLength = length }
        if let value = map["becomes"], let choice = r.choice(value, what: "becomes", choices: ["flag", "allow"]) {
            spec.becomes = Action(name: choice)!
        }
        return spec
    }
}
