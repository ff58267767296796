import Foundation
import RedlineCore
import RedlinePolicy

/// Who is sending: whatever the caller could establish. Only what the channel can vouch for
/// belongs here — the milter passes the SASL login and, for an authenticated session, the
/// envelope sender; `redline sendmail` runs as the sender and passes `-f` or `From`.
public struct SenderIdentity: Sendable, Equatable {
    /// Envelope sender or `From` address (without angle brackets).
    public var address: String?
    /// SASL login (milter `{auth_authen}`).
    public var login: String?
    /// Token name of `redline serve`.
    public var token: String?
    /// A group named outright (`--sender-group`, for tests and dry runs): no pattern is consulted.
    public var group: String?

    public init(address: String? = nil, login: String? = nil, token: String? = nil, group: String? = nil) {
        self.address = address
        self.login = login
        self.token = token
        self.group = group
    }

    /// How the sender is shown in reports and the audit log: the address, else `login:NAME`,
    /// `token:NAME`, `group:NAME`, or `unknown`.
    public var display: String {
        if let address, !address.isEmpty { return address }
        if let login, !login.isEmpty { return "login:\(login)" }
        if let token, !token.isEmpty { return "token:\(token)" }
        if let group { return "group:\(group)" }
        return "unknown"
    }
}

/// A sender's request to override a rule, with the reason they gave.
public struct OverrideRequest: Sendable, Equatable {
    public var rule: String
    public var justification: String
    /// Where it came from: `header`, `option`, `api`.
    public var origin: String

    public init(rule: String, justification: String, origin: String) {
        self.rule = rule
        self.justification = justification
        self.origin = origin
    }

    /// Parses `RULE-ID=JUSTIFICATION` (the command line's `--override`); nil without `=` or rule.
    public init?(option text: String) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let rule = text[..<equals].trimmingCharacters(in: .whitespaces)
        guard !rule.isEmpty else { return nil }
        self.init(rule: rule, justification: String(text[text.index(after: equals)...]), origin: "option")
    }
}

/// The decision on one override request.
public struct OverrideOutcome: Sendable, Equatable {
    public var request: OverrideRequest
    public var granted: Bool
    /// The rule's action once overridden (granted only).
    public var becomes: Action?
    /// Why it was refused, for the sender (never quotes the justification); nil when granted.
    public var refusal: String?
    /// The request named a rule of the policy. An unknown name is the sender's own text and is
    /// never repeated (it could be anything they typed): see ``ruleName``.
    public var ruleIsKnown = true

    /// The rule as it may be shown or logged: its id, or `(unknown rule)`.
    public var ruleName: String { ruleIsKnown ? request.rule : "(unknown rule)" }
}

/// A sender resolved against the policy: their groups, and the overrides asked for, each judged.
/// Set on a ``PipelineSession`` (``PipelineSession/sender``); every decision the session makes
/// afterwards takes it into account.
public struct SenderContext: Sendable {
    public var identity: SenderIdentity
    /// The groups the sender is in (policy order), or `["default"]`.
    public var groups: [String]
    /// Each request, judged on its own.
    public var overrides: [OverrideOutcome]
    /// Granted overrides: rule id → the action it becomes.
    var lowered: [String: Action]

    /// A sender in no group, asking for nothing.
    public static let anonymous = SenderContext(identity: SenderIdentity(), groups: [SenderGroupSpec.defaultGroup], overrides: [], lowered: [:])

    /// The granted requests.
    public var granted: [OverrideOutcome] { overrides.filter(\.granted) }
    /// The refused requests.
    public var refused: [OverrideOutcome] { overrides.filter { !$0.granted } }
}

/// The policy's sender groups, compiled for matching.
public struct SenderDirectory: Sendable {
    struct Group: Sendable {
        let name: String
        let addresses: [String]
        let domains: [String]
        let logins: Set<String>
        let tokens: Set<String>
    }

    let groups: [Group]

    init(policy: Policy) {
        groups = policy.senders.map { spec in
            Group(name: spec.name.value, addresses: spec.addresses.map { $0.value.lowercased() },
                  domains: spec.domains.map { $0.value.lowercased() }, logins: Set(spec.logins.map(\.value)),
                  tokens: Set(spec.tokens.map(\.value)))
        }
    }

    /// Every declared group name, then `default`.
    public var names: [String] { groups.map(\.name) + [SenderGroupSpec.defaultGroup] }

    /// The groups `identity` belongs to, in policy order; `["default"]` when none. A group named
    /// outright (``SenderIdentity/group``) is taken as it is.
    public func groups(of identity: SenderIdentity) -> [String] {
        if let group = identity.group { return [group] }
        let address = identity.address.map { SenderDirectory.bareAddress($0) }
        let domain = address.flatMap { $0.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) }
        let found = groups.filter { group in
            if let login = identity.login, group.logins.contains(login) { return true }
            if let token = identity.token, group.tokens.contains(token) { return true }
            if let address, address.contains("@"), group.addresses.contains(where: { Glob.matches($0, address) }) { return true }
            if let domain, !domain.isEmpty, address?.contains("@") == true,
               group.domains.contains(where: { SenderDirectory.domain(domain, matches: $0) }) { return true }
            return false
        }.map(\.name)
        return found.isEmpty ? [SenderGroupSpec.defaultGroup] : found
    }

    /// `<a@b>` or ` A@B ` → `a@b`.
    static func bareAddress(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("<") && value.hasSuffix(">") { value = String(value.dropFirst().dropLast()) }
        return value.lowercased()
    }

    /// `example.co.uk` matches itself; `*.example.co.uk` its sub-domains; other `*`/`?` are wildcards.
    static func domain(_ domain: String, matches pattern: String) -> Bool {
        if pattern.hasPrefix("*."), !pattern.dropFirst(2).contains("*") { return domain.hasSuffix(String(pattern.dropFirst(1))) }
        return Glob.matches(pattern, domain)
    }
}

/// `*` (any run of characters) and `?` (one character) wildcards, on Unicode scalars.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
