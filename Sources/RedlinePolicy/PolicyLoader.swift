import RedlineCore
import Yams

/// Stage one of loading a policy: YAML with positions → ``Policy``. Every problem is collected;
/// the caller gets either a policy and no errors, or all the errors.
public enum PolicyLoader {
    /// Largest policy file accepted, in bytes: 4 MiB (the README says so). The largest real policy
    /// is a few kilobytes; exact-data lists belong in an index, not in the YAML.
    public static let maxBytes = 4 * 1024 * 1024

    /// The P013 message for a policy over ``maxBytes`` (`size` when known).
    public static func tooLargeMessage(_ size: Int?) -> String {
        let actual = size.map { "policy file is \($0) bytes" } ?? "policy file is larger"
        return "\(actual); the limit is 4 MiB (\(maxBytes) bytes)"
    }

    /// Parses `text`; `file` names it in diagnostics. Returns a policy only when there is no error.
    public static func parse(_ text: String, file: String) -> (Policy?, [Diagnostic]) {
        let (policy, diagnostics) = parsePartially(text, file: file)
        return (diagnostics.contains { $0.severity == .error } ? nil : policy, diagnostics)
    }

    /// Parses `text` and returns what could be read even when there are errors, so that a caller
    /// can validate the rest and report every error at once. Names whose declarations could not be
    /// read are in ``Policy/unreadable``. The policy is nil only when the YAML itself is unusable
    /// (syntax error, too large, aliases expanding too far).
    public static func parsePartially(_ text: String, file: String) -> (Policy?, [Diagnostic]) {
        if text.utf8.count > maxBytes {
            return (nil, [Diagnostic(.error, code: PolicyCode.tooLarge, tooLargeMessage(text.utf8.count),
                                     at: SourceLocation(file: file, line: 1, column: 1))])
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return (nil, [Diagnostic(.error, code: PolicyCode.missingField, "policy file is empty", at: SourceLocation(file: file, line: 1, column: 1))])
            }
            root = node
        } catch let error as YamlError {
            return (nil, [syntaxDiagnostic(error, file: file, text: text)])
        } catch {
            return (nil, [Diagnostic(.error, code: PolicyCode.syntax, "cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        let reader = NodeReader(file: file)
        if let diagnostic = reader.expansionCheck(root) { return (nil, [diagnostic]) }
        let policy = read(root, text: text, reader: reader)
        return (policy, reader.diagnostics)
    }

    static func syntaxDiagnostic(_ error: YamlError, file: String, text: String = "") -> Diagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return SyntaxHint.diagnostic(problem: problem, context: context.map { ($0.text, $0.mark.line, $0.mark.column) },
                                         line: mark.line, column: mark.column, file: file, text: text)
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams marks the first occurrence; point at the repeated one, where the fix is.
            let first = (line: context.mark.line, column: context.mark.column)
            let repeated = duplicates.count == 1 ? repeatedKey(duplicates[0], after: first, in: text) : nil
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            if let repeated {
                return Diagnostic(.error, code: PolicyCode.duplicate, "duplicate key \(names) (first at line \(first.line))",
                                  at: SourceLocation(file: file, line: repeated.line, column: repeated.column))
            }
            return Diagnostic(.error, code: PolicyCode.duplicate, "duplicate key \(names)",
                              at: SourceLocation(file: file, line: first.line, column: first.column))
        case let .reader(problem, _, _, _):
            return Diagnostic(.error, code: PolicyCode.syntax, "YAML: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return Diagnostic(.error, code: PolicyCode.syntax, "YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// The next occurrence of mapping key `key` after `first` (1-based line and column): at the same
    /// column on a later line (block mapping) or later on the same line (flow mapping).
    static func repeatedKey(_ key: String, after first: (line: Int, column: Int), in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let forms = [key, "\"\(key)\"", "'\(key)'"]
        func keyAt(_ line: Substring, _ column: Int) -> Bool {
            let scalars = Array(line.unicodeScalars)
            guard column >= 1, column <= scalars.count else { return false }
            let rest = String(String.UnicodeScalarView(scalars[(column - 1)...]))
            for form in forms where rest.hasPrefix(form) {
                let after = rest.dropFirst(form.count).drop { $0 == " " }
                if after.first == ":" { return true }
            }
            return false
        }
        // Flow mapping: later on the same line.
        let firstLine = lines[first.line - 1]
        let count = firstLine.unicodeScalars.count
        if count > first.column {
            for column in (first.column + 1)...count where keyAt(firstLine, column) {
                let before = Array(firstLine.unicodeScalars)[column - 2]
                if before == " " || before == "," || before == "{" { return (first.line, column) }
            }
        }
        for index in first.line..<lines.count {
            let line = lines[index]
            let indent = line.prefix { $0 == " " }.count
            if indent + 1 < first.column, !line.trimmingPrefixSpaces.isEmpty, !line.trimmingPrefixSpaces.hasPrefix("#") { return nil }
            if indent + 1 == first.column, keyAt(line, first.column) { return (index + 1, first.column) }
        }
        return nil
    }

    static let topKeys = ["version", "name", "description", "settings", "detectors", "channels", "default_channel",
                          "email", "paths", "rules", "senders", "allowlist", "examples"]

    static func read(_ root: Node, text: String, reader r: NodeReader) -> Policy {
        var policy = Policy(file: r.file, text: text, name: "", description: "", version: 1, settings: Settings(),
                            detectors: [], channels: [], defaultChannel: nil, email: EmailRouting(), rules: [],
                            allowlist: [], examples: [])
        guard let top = r.mapping(root, what: "the policy", allowed: topKeys) else { return policy }
        if let node = top["version"], let version = r.int(node, what: "version", range: 1...1) { policy.version = version }
        if let node = top["name"], let name = r.string(node, what: "name") { policy.name = name.value }
        if policy.name.isEmpty { r.error(PolicyCode.missingField, "the policy needs a 'name'", at: root) }
        if let node = top["description"], let text = r.string(node, what: "description") { policy.description = text.value }
        if let node = top["settings"] { policy.settings = readSettings(node, r) }
        if let node = top["detectors"] {
            for (id, value) in r.namedMapping(node, what: "detectors") {
                if let spec = readDetector(id, value, r) { policy.detectors.append(spec) } else { policy.unreadable.insert("detector:\(id.value)") }
            }
        } else {
            r.error(PolicyCode.missingField, "the policy needs 'detectors'", at: root)
        }
        if let node = top["channels"] {
            for (name, value) in r.namedMapping(node, what: "channels") {
                if let channel = readChannel(name, value, r) { policy.channels.append(channel) } else { policy.unreadable.insert("channel:\(name.value)") }
            }
        } else {
            r.error(PolicyCode.missingField, "the policy needs 'channels'", at: root)
        }
        if let node = top["default_channel"] {
            policy.defaultChannel = r.string(node, what: "default_channel")
            if policy.defaultChannel == nil { policy.unreadable.insert("default_channel") }
        }
        if let node = top["email"] { policy.email = readEmail(node, r) }
        if let node = top["paths"] {
            for (pattern, value) in r.namedMapping(node, what: "paths") {
                if pattern.value.isEmpty { r.error(PolicyCode.invalidValue, "a path pattern cannot be empty", at: pattern.location) }
                if let channel = r.string(value, what: "channel for path '\(pattern.value)'") { policy.paths.append((pattern, channel)) }
            }
        }
        if let node = top["senders"] { policy.senders = readSenders(node, r) }
        if let node = top["rules"] {
            policy.rules = r.sequence(node, what: "rules").compactMap { readRule($0, r) }
        }
        if let node = top["allowlist"] {
            policy.allowlist = r.sequence(node, what: "allowlist").compactMap { readAllow($0, r) }
        }
        if let node = top["examples"] {
            policy.examples = r.sequence(node, what: "examples").compactMap { readExample($0, r) }
        }
        return policy
    }

    static func readSettings(_ node: Node, _ r: NodeReader) -> Settings {
        var settings = Settings()
        guard let map = r.mapping(node, what: "settings", allowed: ["on_detector_error", "context_window", "match_limit", "unscannable_attachments",
                                                                          "unredactable_attachments", "unknown_channel"]) else { return settings }
        if let value = map["unknown_channel"], let choice = r.choice(value, what: "unknown_channel", choices: UnknownChannel.allCases.map(\.rawValue)) {
            settings.unknownChannel = UnknownChannel(rawValue: choice)!
        }
        if let value = map["on_detector_error"], let choice = r.choice(value, what: "on_detector_error", choices: FailClosed.allCases.map(\.rawValue)) {
            settings.onDetectorError = FailClosed(rawValue: choice)!
        }
        if let value = map["context_window"], let window = r.int(value, what: "context_window", range: 0...10_000) { settings.contextWindow = window }
        if let value = map["match_limit"], let limit = r.int(value, what: "match_limit", range: 1_000...100_000_000) { settings.matchLimit = limit }
        if let value = map["unscannable_attachments"], let choice = r.choice(value, what: "unscannable_attachments", choices: Action.allCases.map(\.name)) {
            settings.unscannableAttachments = Action(name: choice)!
        }
        if let value = map["unredactable_attachments"],
           let choice = r.choice(value, what: "unredactable_attachments", choices: UnredactableAttachments.allCases.map(\.rawValue)) {
            settings.unredactableAttachments = UnredactableAttachments(rawValue: choice)!
        }
        return settings
    }

    static let detectorKeys = ["kind", "keywords", "window", "min_confidence", "require_context", "allow_values", "allow_patterns",
                               "redaction", "label", "test_numbers", "pattern", "validator", "flags", "confidence", "examples", "description",
                               "index", "primary", "corroborate", "min_corroborating"]

    static func readDetector(_ id: Located<String>, _ node: Node, _ r: NodeReader) -> DetectorSpec? {
        guard let map = r.mapping(node, what: "detector '\(id.value)'", allowed: detectorKeys) else { return nil }
        guard let kindNode = map["kind"], let kind = r.string(kindNode, what: "kind") else {
            if map["kind"] == nil { r.missing("kind", in: node, "detector '\(id.value)' needs a 'kind'") }
            return nil
        }
        var spec = DetectorSpec(id: id, kind: kind, location: r.location(node))
        spec.misspelt = r.misspellings(in: node)
        if let value = map["keywords"] { spec.keywords = r.strings(value, what: "keywords").map(\.value) }
        if let value = map["window"] { spec.window = r.int(value, what: "window", range: 0...10_000) }
        if let value = map["min_confidence"], let choice = r.choice(value, what: "min_confidence", choices: Confidence.allCases.map(\.name)) {
            spec.minConfidence = Confidence(name: choice)!
        }
        if let value = map["require_context"] { spec.requireContext = r.bool(value, what: "require_context") }
        if let value = map["allow_values"] { spec.allowValues = r.strings(value, what: "allow_values") }
        if let value = map["allow_patterns"] { spec.allowPatterns = r.strings(value, what: "allow_patterns") }
        if let value = map["redaction"], let choice = r.choice(value, what: "redaction", choices: RedactionStyle.allCases.map(\.rawValue)) {
            spec.redaction = RedactionStyle(rawValue: choice)!
            spec.redactionWasSet = true
        }
        if let value = map["label"] { spec.label = r.string(value, what: "label")?.value }
        if let value = map["test_numbers"], let choice = r.choice(value, what: "test_numbers", choices: ["count", "ignore"]) {
            spec.countTestNumbers = choice == "count"
        }
        if let value = map["pattern"] { spec.pattern = r.string(value, what: "pattern") }
        if let value = map["validator"] { spec.validator = r.string(value, what: "validator") }
        if let value = map["flags"] { spec.flags = r.strings(value, what: "flags") }
        if let value = map["confidence"], let choice = r.choice(value, what: "confidence", choices: Confidence.allCases.map(\.name)) {
            spec.confidence = Confidence(name: choice)!
        }
        if let value = map["index"] { spec.index = r.string(value, what: "index") }
        if let value = map["primary"] { spec.primary = r.strings(value, what: "primary") }
        if let value = map["corroborate"] { spec.corroborate = r.strings(value, what: "corroborate") }
        if let value = map["min_corroborating"], let count = r.int(value, what: "min_corroborating", range: 0...64) {
            spec.minCorroborating = Located(count, at: r.location(value))
        }
        if let value = map["examples"], let examples = r.mapping(value, what: "examples", allowed: ["match", "no_match"]) {
            if let list = examples["match"] { spec.matchExamples = r.strings(list, what: "examples.match") }
            if let list = examples["no_match"] { spec.noMatchExamples = r.strings(list, what: "examples.no_match") }
        }
        return spec
    }

    static func readChannel(_ name: Located<String>, _ node: Node, _ r: NodeReader) -> ChannelSpec? {
        guard case let .mapping(mapping) = node else {
            r.error(PolicyCode.wrongType, "channel '\(name.value)' must be a mapping of attributes (encrypted, external, …)", at: node)
            return nil
        }
        var channel = ChannelSpec(name: name, attributes: [:], description: "", location: r.location(node))
        for (key, value) in mapping {
            guard let attribute = key.scalar?.string else { continue }
            if attribute == "description" {
                channel.description = r.string(value, what: "description")?.value ?? ""
            } else if let flag = r.bool(value, what: "channel attribute '\(attribute)'") {
                channel.attributes[attribute] = flag
            }
        }
        for required in ["encrypted", "external"] where channel.attributes[required] == nil {
            // Other attributes are allowed, so a misspelling is not an unknown key: name it here.
            let typo = mapping.compactMap { $0.key.scalar?.string }.first { $0 != required && Suggest.closest($0, in: [required]) != nil
                && !["encrypted", "external", "description"].contains($0) }
            let key = typo.flatMap { name in mapping.first { $0.key.scalar?.string == name }?.key }
            let message = "channel '\(name.value)' needs '\(required): true|false'" + (typo.map { "; did you mean '\(required)' for '\($0)'?" } ?? "")
            r.error(PolicyCode.missingField, message, at: key ?? node)
        }
        return channel
    }

    static func readEmail(_ node: Node, _ r: NodeReader) -> EmailRouting {
        var routing = EmailRouting()
        guard let map = r.mapping(node, what: "email", allowed: ["domains", "other_domains"]) else { return routing }
        if let domains = map["domains"] {
            for (pattern, value) in r.namedMapping(domains, what: "email.domains") {
                if let channel = r.string(value, what: "channel for domain '\(pattern.value)'") {
                    routing.domains.append((pattern.value.lowercased(), channel))
                }
            }
        }
        if let other = map["other_domains"] { routing.otherwise = r.string(other, what: "email.other_domains") }
        return routing
    }

    static func readRule(_ node: Node, _ r: NodeReader) -> RuleSpec? {
        guard let map = r.mapping(node, what: "rule", allowed: ["id", "detectors", "channels", "action", "min_instances", "message", "description",
                                                                  "senders", "override", "tip"]) else { return nil }
        guard let idNode = map["id"], let id = r.string(idNode, what: "rule id") else {
            if map["id"] == nil { r.missing("id", in: node, "every rule needs an 'id'") }
            return nil
        }
        // A missing or invalid action is reported; the rule is still read (as `block`, never used
        // since the policy has an error) so that its detectors and channels are checked too.
        var actionName = "block"
        if let actionNode = map["action"] {
            actionName = r.choice(actionNode, what: "action", choices: Action.allCases.map(\.name)) ?? actionName
        } else {
            r.missing("action", in: node, "rule '\(id.value)' needs an 'action' (allow, flag, redact, block)")
        }
        var detectors: [Located<String>]?
        if let value = map["detectors"] {
            let list = r.strings(value, what: "detectors")
            detectors = list.contains { $0.value == "*" } ? nil : list
        } else {
            r.missing("detectors", in: node, "rule '\(id.value)' needs 'detectors' (a list of detector ids, or '*')")
        }
        var channels = ChannelSelector.all
        var selectorKeys: [Located<String>] = []
        if let value = map["channels"] {
            if case let .mapping(mapping) = value {
                var attributes: [String: Bool] = [:]
                for (key, flag) in mapping {
                    guard let name = r.string(key, what: "a channel attribute") else { continue }
                    selectorKeys.append(name)
                    if let bool = r.bool(flag, what: "channel attribute '\(name.value)'") { attributes[name.value] = bool }
                }
                channels = .attributes(attributes)
            } else {
                let list = r.strings(value, what: "channels")
                channels = list.contains { $0.value == "*" } ? .all : .names(list)
            }
        }
        var rule = RuleSpec(id: id, detectors: detectors, channels: channels, action: Action(name: actionName)!, location: r.location(node))
        rule.selectorAttributes = selectorKeys
        if let value = map["min_instances"], let count = r.int(value, what: "min_instances", range: 1...100_000) { rule.minInstances = count }
        if let value = map["message"] { rule.message = r.string(value, what: "message")?.value }
        if let value = map["tip"] { rule.tip = r.string(value, what: "tip")?.value }
        if let value = map["senders"] {
            if case .mapping = value {
                if let except = r.mapping(value, what: "senders of rule '\(id.value)'", allowed: ["except"]) {
                    rule.sendersExcept = except["except"].map { r.strings($0, what: "senders.except") } ?? []
                    if except["except"] == nil { r.missing("except", in: value, "'senders' is a list of groups, or { except: [groups] }") }
                }
            } else {
                let list = r.strings(value, what: "senders")
                rule.senders = list.contains { $0.value == "*" } ? nil : list
            }
        }
        if let value = map["override"] { rule.override = readOverride(value, rule: id.value, r) }
        return rule
    }

    static func readAllow(_ node: Node, _ r: NodeReader) -> AllowEntry? {
        guard let map = r.mapping(node, what: "allowlist entry", allowed: ["value", "pattern", "detectors", "reason"]) else { return nil }
        var entry = AllowEntry(value: nil, pattern: nil, detectors: nil, reason: "", location: r.location(node))
        if let value = map["value"] { entry.value = r.string(value, what: "value") }
        if let value = map["pattern"] { entry.pattern = r.string(value, what: "pattern") }
        if let value = map["detectors"] {
            let list = r.strings(value, what: "detectors")
            entry.detectors = list.contains { $0.value == "*" } ? nil : list
        }
        if (entry.value == nil) == (entry.pattern == nil) {
            r.error(PolicyCode.missingField, "an allowlist entry needs exactly one of 'value' or 'pattern'", at: node)
        }
        if let value = map["reason"], let reason = r.string(value, what: "reason"), !reason.value.isEmpty {
            entry.reason = reason.value
        } else {
            r.error(PolicyCode.missingField, "every allowlist entry needs a 'reason'", at: node)
        }
        return entry
    }

    static func readExample(_ node: Node, _ r: NodeReader) -> PolicyExample? {
        guard let map = r.mapping(node, what: "example", allowed: ["text", "channel", "verdict"]) else { return nil }
        guard let textNode = map["text"], let text = r.string(textNode, what: "text") else {
            if map["text"] == nil { r.missing("text", in: node, "every example needs a 'text'") }
            return nil
        }
        guard let verdictNode = map["verdict"] else {
            r.missing("verdict", in: node, "every example needs a 'verdict'")
            return nil
        }
        guard let verdict = r.choice(verdictNode, what: "verdict", choices: Action.allCases.map(\.name)) else { return nil }
        let channel = map["channel"].flatMap { r.string($0, what: "channel") }
        return PolicyExample(text: text.value, channel: channel, verdict: Action(name: verdict)!, location: r.location(node))
    }
}

extension Substring {
    var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
