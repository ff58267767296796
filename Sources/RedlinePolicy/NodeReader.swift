import RedlineCore
import Yams

/// Reads typed values out of Yams nodes, collecting diagnostics at each node's position instead of
/// stopping at the first problem.
final class NodeReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Nodes visited; bounds the work on alias-expanded documents ("billion laughs").
    private var visited = 0
    static let maxNodes = 200_000
    private(set) var exhausted = false

    /// Unknown keys that look like a misspelling of a known one, per mapping (by the mapping's
    /// position): suggested key → where the misspelt key is. A field then reported missing is
    /// reported at the misspelling, right after its "did you mean", so the cause reads first.
    private var misspelt: [SourceLocation: [String: Located<String>]] = [:]

    init(file: String) { self.file = file }

    /// The misspelt keys of mapping `node`: the key it suggested → the misspelt key.
    func misspellings(in node: Node) -> [String: Located<String>] { misspelt[location(node)] ?? [:] }

    /// Reports that mapping `node` lacks `field`: at the key that looks like a misspelling of it
    /// (after that key's "did you mean"), else at the mapping.
    func missing(_ field: String, in node: Node, _ message: String) {
        if let typo = misspellings(in: node)[field] {
            error(PolicyCode.missingField, "\(message) ('\(typo.value)' is not '\(field)')", at: typo.location)
        } else {
            error(PolicyCode.missingField, message, at: node)
        }
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func error(_ code: String, _ message: String, at node: Node?) {
        let location = node.map(location) ?? SourceLocation(file: file, line: 1, column: 1)
        diagnostics.append(Diagnostic(.error, code: code, message, at: location))
    }

    func error(_ code: String, _ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, code: code, message, at: location))
    }

    /// Counts the nodes of the document with every alias expanded, stopping once there are more
    /// than ``maxNodes``: a few anchors that refer to each other can stand for billions of nodes
    /// ("billion laughs"). Returns a diagnostic at the top-level entry that went over the limit.
    func expansionCheck(_ root: Node) -> Diagnostic? {
        var budget = NodeReader.maxNodes
        func walk(_ node: Node) -> Bool {
            budget -= 1
            if budget < 0 { return false }
            switch node {
            case .scalar, .alias: return true
            case let .sequence(sequence): return sequence.allSatisfy(walk)
            case let .mapping(mapping): return mapping.allSatisfy { walk($0.key) && walk($0.value) }
            }
        }
        guard !walk(root) else { return nil }
        var culprit = root
        if case let .mapping(mapping) = root {
            budget = NodeReader.maxNodes
            for (key, value) in mapping where !(walk(key) && walk(value)) {
                culprit = key
                break
            }
        }
        return Diagnostic(.error, code: PolicyCode.tooLarge,
                          "policy expands to more than \(NodeReader.maxNodes) YAML nodes (aliases expanding exponentially?)", at: location(culprit))
    }

    /// Counts a node; false once the document is too large to walk.
    func visit(_ node: Node) -> Bool {
        visited += 1
        if visited > NodeReader.maxNodes {
            if !exhausted {
                exhausted = true
                error(PolicyCode.tooLarge, "policy expands to more than \(NodeReader.maxNodes) YAML nodes (aliases expanding exponentially?)", at: node)
            }
            return false
        }
        return true
    }

    /// The pairs of a mapping, reporting unknown keys. Nil (with a diagnostic) if not a mapping.
    func mapping(_ node: Node, what: String, allowed: [String]) -> [String: Node]? {
        guard visit(node) else { return nil }
        guard case let .mapping(mapping) = node else {
            error(PolicyCode.wrongType, "\(what) must be a mapping", at: node)
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(PolicyCode.wrongType, "keys in \(what) must be strings", at: key)
                continue
            }
            if !allowed.isEmpty && !allowed.contains(name) {
                let suggestion = Suggest.closest(name, in: allowed)
                let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
                error(PolicyCode.unknownKey, "unknown key '\(name)' in \(what)\(hint)", at: key)
                if let suggestion { misspelt[location(node), default: [:]][suggestion] = Located(name, at: location(key)) }
                continue
            }
            result[name] = value
        }
        return result
    }

    /// Ordered pairs of a mapping whose keys are user-chosen names (detector ids, channel names).
    func namedMapping(_ node: Node, what: String) -> [(Located<String>, Node)] {
        guard visit(node) else { return [] }
        guard case let .mapping(mapping) = node else {
            error(PolicyCode.wrongType, "\(what) must be a mapping of names", at: node)
            return []
        }
        var result: [(Located<String>, Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(PolicyCode.wrongType, "names in \(what) must be strings", at: key)
                continue
            }
            result.append((Located(name, at: location(key)), value))
        }
        return result
    }

    func sequence(_ node: Node, what: String) -> [Node] {
        guard visit(node) else { return [] }
        if case let .sequence(sequence) = node { return Array(sequence) }
        error(PolicyCode.wrongType, "\(what) must be a list", at: node)
        return []
    }

    func string(_ node: Node, what: String) -> Located<String>? {
        guard visit(node) else { return nil }
        guard case let .scalar(scalar) = node else {
            error(PolicyCode.wrongType, "\(what) must be a string", at: node)
            return nil
        }
        var exact: Int?
        if let mark = scalar.mark, !scalar.string.contains("\n") {
            switch scalar.style {
            case .plain, .any: exact = mark.column
            case .singleQuoted where !scalar.string.contains("'"): exact = mark.column + 1
            case .doubleQuoted where !scalar.string.contains("\\") && !scalar.string.contains("\""): exact = mark.column + 1
            default: exact = nil
            }
        }
        var located = Located(scalar.string, at: location(node), exactColumn: exact)
        located.doubleQuoted = scalar.style == .doubleQuoted
        return located
    }

    func strings(_ node: Node, what: String) -> [Located<String>] {
        if case .scalar = node, let single = string(node, what: what) { return [single] }
        return sequence(node, what: what).compactMap { string($0, what: what) }
    }

    func bool(_ node: Node, what: String) -> Bool? {
        guard visit(node) else { return nil }
        if case let .scalar(scalar) = node {
            switch scalar.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        error(PolicyCode.wrongType, "\(what) must be true or false", at: node)
        return nil
    }

    func int(_ node: Node, what: String, range: ClosedRange<Int>) -> Int? {
        guard visit(node) else { return nil }
        guard case let .scalar(scalar) = node, let value = Int(scalar.string) else {
            error(PolicyCode.wrongType, "\(what) must be a whole number", at: node)
            return nil
        }
        guard range.contains(value) else {
            error(PolicyCode.outOfRange, "\(what) must be between \(range.lowerBound) and \(range.upperBound), got \(value)", at: node)
            return nil
        }
        return value
    }

    /// A string that must be one of `choices`.
    func choice(_ node: Node, what: String, choices: [String]) -> String? {
        guard let value = string(node, what: what) else { return nil }
        guard choices.contains(value.value) else {
            let hint = Suggest.closest(value.value, in: choices).map { "; did you mean '\($0)'?" } ?? ""
            error(PolicyCode.invalidValue, "\(what) must be one of \(choices.joined(separator: ", ")), got '\(value.value)'\(hint)", at: node)
            return nil
        }
        return value.value
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggest {
    public static func closest(_ word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word.lowercased()), Array(candidate.lowercased()))
            if distance <= max(2, word.count / 3), best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        return best?.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// Diagnostic codes for policies. Stable: documented in the README.
public enum PolicyCode {
    public static let syntax = "P001"
    public static let unknownKey = "P002"
    public static let wrongType = "P003"
    public static let missingField = "P004"
    public static let unknownKind = "P005"
    public static let unknownDetector = "P006"
    public static let unknownChannel = "P007"
    public static let badRegex = "P008"
    public static let outOfRange = "P009"
    public static let invalidValue = "P010"
    public static let duplicate = "P011"
    public static let noDefaultChannel = "P012"
    public static let tooLarge = "P013"
    public static let missingKey = "P014"
    public static let notForKind = "P015"
    public static let unreadable = "P016"
    /// `exact_data`: the index is missing, unreadable, corrupt, of a newer format, or built with
    /// another key (P040); a column the index does not have (P041).
    public static let exactDataIndex = "P040"
    public static let unknownColumn = "P041"
    /// A channel selector (`channels: { encrypted: false }`) names an attribute no channel has.
    public static let unknownAttribute = "P017"
    /// A rule's `senders:` or an override's `by:` names a sender group the policy does not declare.
    public static let unknownSenderGroup = "P018"

    // Warnings: the policy works, but probably not as meant. `policy check --strict` fails on them.
    /// A rule that applies to no channel (or to no detector).
    public static let ruleAppliesNowhere = "P101"
    /// A detector that no rule uses: its findings are only ever reported as `allow`.
    public static let unusedDetector = "P102"
    /// A rule that never decides: an earlier or stricter rule wins on every channel and detector it names.
    public static let shadowedRule = "P103"
    /// A double-quoted pattern holding control characters YAML made from its escapes (`"\b"`).
    public static let controlCharacters = "P104"
    /// An `override:` that cannot lower its rule (`becomes` is not below the rule's action), or a
    /// card rule that may be overridden (PCI DSS: card data is never sent on someone's say-so).
    public static let overrideQuestionable = "P105"
}
