import RedlineCore

/// Stage two of loading a policy: checks a parsed ``Policy`` against itself — every name it
/// refers to is declared once, every channel selector means something — and finds the mistakes
/// that compile but do not do what their author meant (warnings). Kept apart from compilation
/// (`RedlineEngine`'s `Pipeline`), which only turns a valid policy into matchers; detector kinds,
/// regex syntax and keys are the compiler's to judge.
public enum PolicyValidator {
    /// Every error: duplicates, unknown detectors and channels (with suggestions), a missing
    /// default channel, selector attributes no channel declares.
    public static func errors(_ policy: Policy) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ code: String, _ message: String, _ location: SourceLocation, hint: String? = nil) {
            diagnostics.append(Diagnostic(.error, code: code, message, at: location, hint: hint))
        }
        var detectorSeen = Set<String>()
        for spec in policy.detectors where !detectorSeen.insert(spec.id.value).inserted {
            report(PolicyCode.duplicate, "detector '\(spec.id.value)' is declared twice", spec.id.location)
        }
        let channelNames = policy.channels.map(\.name.value)
        var channelSeen = Set<String>()
        for channel in policy.channels where !channelSeen.insert(channel.name.value).inserted {
            report(PolicyCode.duplicate, "channel '\(channel.name.value)' is declared twice", channel.name.location)
        }
        func checkChannel(_ name: Located<String>) {
            if !channelNames.contains(name.value), !policy.unreadable.contains("channel:\(name.value)") {
                let hint = Suggest.closest(name.value, in: channelNames).map { "; did you mean '\($0)'?" } ?? ""
                report(PolicyCode.unknownChannel, "unknown channel '\(name.value)'\(hint)", name.location)
            }
        }
        let detectorIDs = policy.detectors.map(\.id.value)
        func checkDetector(_ name: Located<String>) {
            if !detectorIDs.contains(name.value), !policy.unreadable.contains("detector:\(name.value)") {
                let hint = Suggest.closest(name.value, in: detectorIDs).map { "; did you mean '\($0)'?" } ?? ""
                report(PolicyCode.unknownDetector, "unknown detector '\(name.value)'\(hint)", name.location)
            }
        }
        if let defaultChannel = policy.defaultChannel {
            checkChannel(defaultChannel)
        } else if !policy.unreadable.contains("default_channel") {
            report(PolicyCode.noDefaultChannel, "the policy needs a 'default_channel' (used when the caller names none)",
                   SourceLocation(file: policy.file, line: 1, column: 1))
        }
        for (_, channel) in policy.email.domains { checkChannel(channel) }
        if let other = policy.email.otherwise { checkChannel(other) }
        for (_, channel) in policy.paths { checkChannel(channel) }
        let attributes = declaredAttributes(policy)
        var ruleIDs = Set<String>()
        for rule in policy.rules {
            if !ruleIDs.insert(rule.id.value).inserted {
                report(PolicyCode.duplicate, "rule '\(rule.id.value)' is declared twice", rule.id.location)
            }
            rule.detectors?.forEach(checkDetector)
            if case let .names(names) = rule.channels { names.forEach(checkChannel) }
            // An attribute no channel has would match every channel (`false`) or none (`true`).
            for key in rule.selectorAttributes where !attributes.contains(key.value) {
                let suggestion = Suggest.closest(key.value, in: attributes.sorted())
                report(PolicyCode.unknownAttribute,
                       "no channel has the attribute '\(key.value)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), key.location,
                       hint: "channel attributes in this policy: \(attributes.sorted().joined(separator: ", ")); "
                           + "a selector with an unknown attribute would match every channel or none")
            }
        }
        diagnostics += senderErrors(policy)
        for entry in policy.allowlist { entry.detectors?.forEach(checkDetector) }
        for example in policy.examples { example.channel.map(checkChannel) }
        return diagnostics
    }

    /// Mistakes that still compile: a rule that applies to no channel, a detector no rule uses, a
    /// rule that never decides because another wins everywhere it applies, and a double-quoted
    /// pattern whose escapes YAML has already turned into control characters.
    public static func warnings(_ policy: Policy) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func warn(_ code: String, _ message: String, _ location: SourceLocation, hint: String) {
            diagnostics.append(Diagnostic(.warning, code: code, message, at: location, hint: hint))
        }
        let detectorIDs = policy.detectors.map(\.id.value)
        let coverage = policy.rules.map { rule in
            (channels: channels(for: rule.channels, in: policy), detectors: rule.detectors.map { Set($0.map(\.value)) } ?? Set(detectorIDs))
        }
        for (index, rule) in policy.rules.enumerated() {
            let (onChannels, onDetectors) = coverage[index]
            if onChannels.isEmpty {
                warn(PolicyCode.ruleAppliesNowhere, "rule '\(rule.id.value)' applies to no channel", rule.id.location,
                     hint: "its channel selector matches none of the channels declared (\(policy.channels.map(\.name.value).joined(separator: ", ")))")
                continue
            }
            if onDetectors.isEmpty {
                warn(PolicyCode.ruleAppliesNowhere, "rule '\(rule.id.value)' applies to no detector", rule.id.location,
                     hint: "list detector ids under 'detectors', or '*' for every detector")
                continue
            }
            // Shadowed: on every channel and detector it names, an earlier rule with an action at
            // least as strict, or a later stricter one, decides instead (thresholds only delay a
            // rule, so only rules without one can shadow).
            var winners: [String] = []
            var shadowed = true
            for channel in onChannels where shadowed {
                for detector in onDetectors {
                    let winner = policy.rules.indices.first { other in
                        other != index && policy.rules[other].minInstances == 1 && policy.rules[other].override == nil
                            && covers(policy.rules[other], rule)
                            && coverage[other].channels.contains(channel) && coverage[other].detectors.contains(detector)
                            && (policy.rules[other].action > rule.action || (policy.rules[other].action == rule.action && other < index))
                    }
                    guard let winner else { shadowed = false; break }
                    if !winners.contains(policy.rules[winner].id.value) { winners.append(policy.rules[winner].id.value) }
                }
            }
            if shadowed {
                let names = winners.map { "'\($0)'" }.joined(separator: ", ")
                warn(PolicyCode.shadowedRule, "rule '\(rule.id.value)' never decides anything: \(names) \(winners.count == 1 ? "is" : "are") at least as strict on every channel and detector it names",
                     rule.id.location, hint: "remove it, or narrow the stricter rule's channels or detectors")
            }
        }
        diagnostics += senderWarnings(policy)
        let used = coverage.filter { !$0.channels.isEmpty }.reduce(into: Set<String>()) { $0.formUnion($1.detectors) }
        let named = coverage.reduce(into: Set<String>()) { $0.formUnion($1.detectors) }
        for spec in policy.detectors where !used.contains(spec.id.value) {
            let what = named.contains(spec.id.value) ? "is used only by rules that apply to no channel" : "is used by no rule"
            warn(PolicyCode.unusedDetector, "detector '\(spec.id.value)' \(what)", spec.id.location,
                 hint: "its findings are reported with action allow on every channel; add it to a rule (or remove it)")
        }
        var patterns: [Located<String>] = []
        for spec in policy.detectors {
            if let pattern = spec.pattern { patterns.append(pattern) }
            patterns += spec.allowPatterns
        }
        patterns += policy.allowlist.compactMap(\.pattern)
        for pattern in patterns where pattern.doubleQuoted {
            let controls = pattern.value.unicodeScalars.filter { $0.value < 0x20 && !["\t", "\n", "\r"].contains($0) || $0.value == 0x7F }
            guard let first = controls.first else { continue }
            let name = first.value == 8 ? "a backspace (from \\b)" : "control character U+\(String(first.value, radix: 16, uppercase: true).leftPadded(4))"
            warn(PolicyCode.controlCharacters, "this double-quoted pattern holds \(name): YAML read its backslash escapes before the regex did",
                 pattern.location, hint: "use single quotes for patterns, e.g. '\\bORD-[0-9]{8}\\b' (in double quotes write \\\\b)")
        }
        return diagnostics
    }

    /// The channel names a selector applies to, in policy order.
    public static func channels(for selector: ChannelSelector, in policy: Policy) -> [String] {
        switch selector {
        case .all:
            return policy.channels.map(\.name.value)
        case let .names(names):
            let wanted = Set(names.map(\.value))
            return policy.channels.map(\.name.value).filter { wanted.contains($0) }
        case let .attributes(wanted):
            return policy.channels.filter { channel in
                wanted.allSatisfy { (channel.attributes[$0.key] ?? false) == $0.value }
            }.map(\.name.value)
        }
    }

    /// Every attribute some channel declares (`encrypted` and `external` always).
    static func declaredAttributes(_ policy: Policy) -> Set<String> {
        policy.channels.reduce(into: Set(["encrypted", "external"])) { $0.formUnion($1.attributes.keys) }
    }

    /// Every diagnostic of both kinds, in file order (a diagnostic at the same place as another
    /// keeps its order: causes are reported before their consequences).
    public static func ordered(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            return (la?.line ?? 0, la?.column ?? 0, a.offset) < (lb?.line ?? 0, lb?.column ?? 0, b.offset)
        }.map(\.element)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
