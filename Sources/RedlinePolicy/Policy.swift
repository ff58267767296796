import RedlineCore

/// A value with the place in the policy file it came from.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation
    /// For string scalars: the column where the characters start, when each character of the
    /// value maps to one column (plain and single-quoted scalars on one line); nil otherwise.
    public var exactColumn: Int?
    /// For string scalars: written in double quotes, where YAML itself reads backslash escapes
    /// (`"\b"` is a backspace before any regex sees it).
    public var doubleQuoted = false

    public init(_ value: Value, at location: SourceLocation, exactColumn: Int? = nil) {
        self.value = value
        self.location = location
        self.exactColumn = exactColumn
    }
}

/// A parsed policy, positions kept, not yet validated against the detector registry or compiled.
/// `RedlineEngine` compiles it into a pipeline and reports the remaining errors.
public struct Policy: Sendable {
    public var file: String
    /// The exact text it was read from (for hashing and display).
    public var text: String
    public var name: String
    public var description: String
    public var version: Int
    public var settings: Settings
    public var detectors: [DetectorSpec]
    public var channels: [ChannelSpec]
    public var defaultChannel: Located<String>?
    public var email: EmailRouting
    /// `paths:` — folder globs (relative to a scanned root, `**` any depth) → channel, for `scan`;
    /// first match wins.
    public var paths: [(pattern: Located<String>, channel: Located<String>)] = []
    public var rules: [RuleSpec]
    /// `senders:` — named sender groups, in policy order (see ``SenderGroupSpec``).
    public var senders: [SenderGroupSpec] = []
    public var allowlist: [AllowEntry]
    public var examples: [PolicyExample]
    /// Declarations that were present but could not be read (`detector:<id>`, `channel:<name>`,
    /// `default_channel`), so that a partially read policy does not also report them as missing.
    public var unreadable: Set<String> = []
}

/// What happens when a detector cannot finish (match limit): the message is decided as if the
/// detector had found something, with the strictest action of the rules using it, or `block`.
public enum FailClosed: String, Sendable, CaseIterable {
    case strictest
    case block
}

/// How a record that names a channel the policy does not have is decided (`settings.unknown_channel`).
public enum UnknownChannel: String, Sendable, CaseIterable {
    /// On the policy's strictest channel, and counted as an input problem (check and scan exit 2).
    case strictest
    /// On the default channel, with a warning only.
    case `default`
}

/// `settings.unredactable_attachments`.
public enum UnredactableAttachments: String, Sendable, CaseIterable {
    case block
    case strip
}

public struct Settings: Sendable {
    public var onDetectorError: FailClosed = .strictest
    /// A record naming an unknown channel (see ``UnknownChannel``).
    public var unknownChannel: UnknownChannel = .strictest
    /// Default context window (characters on each side) for detectors that do not set one.
    public var contextWindow: Int = 300
    /// Match limit for every pattern (PCRE2 match steps).
    public var matchLimit: Int = 1_000_000
    /// Action for attachments that cannot be scanned (mail); `allow` lists them only.
    public var unscannableAttachments: Action = .allow
    /// What happens to an attachment that needs redaction where it cannot be redacted in place
    /// (a PDF, an encrypted file, text the document writer cannot rewrite): the message is
    /// blocked, or the attachment is replaced by a short text/plain note.
    public var unredactableAttachments: UnredactableAttachments = .block
    public init() {}
}

public enum RedactionStyle: String, Sendable, CaseIterable {
    case mask
    case label
    case hash
    case remove
}

public struct DetectorSpec: Sendable {
    public var id: Located<String>
    public var kind: Located<String>
    public var keywords: [String]?
    public var window: Int?
    public var minConfidence: Confidence = .low
    public var requireContext: Bool?
    public var allowValues: [Located<String>] = []
    public var allowPatterns: [Located<String>] = []
    public var redaction: RedactionStyle = .label
    public var redactionWasSet = false
    public var label: String?
    /// `payment_card`: whether published test numbers count (default true).
    public var countTestNumbers: Bool = true
    /// `regex` only.
    public var pattern: Located<String>?
    public var validator: Located<String>?
    public var flags: [Located<String>] = []
    public var confidence: Confidence = .medium
    public var matchExamples: [Located<String>] = []
    public var noMatchExamples: [Located<String>] = []
    /// `exact_data` only: the index file (relative to the policy file), the columns whose values
    /// start a finding, the columns that corroborate it, and how many corroborating columns of the
    /// same row must appear within `window`.
    public var index: Located<String>?
    public var primary: [Located<String>] = []
    public var corroborate: [Located<String>] = []
    public var minCorroborating: Located<Int>?
    public var location: SourceLocation
    /// Unknown keys of this detector that look like a misspelt known key: known key → the typo.
    public var misspelt: [String: Located<String>] = [:]
}

public struct ChannelSpec: Sendable {
    public var name: Located<String>
    public var attributes: [String: Bool]
    public var description: String
    public var location: SourceLocation

    public var isEncrypted: Bool { attributes["encrypted"] ?? false }
    public var isExternal: Bool { attributes["external"] ?? false }
}

/// Recipient domain → channel, for e-mail.
public struct EmailRouting: Sendable {
    /// Domain patterns (`example.com`, `*.example.com`) and the channel they map to, in order.
    public var domains: [(pattern: String, channel: Located<String>)] = []
    /// Channel for recipients no pattern matches.
    public var otherwise: Located<String>?
    public init() {}
}

public enum ChannelSelector: Sendable {
    case all
    case names([Located<String>])
    /// Every channel whose attributes have these values (e.g. `encrypted: false`).
    case attributes([String: Bool])
}

public struct RuleSpec: Sendable {
    public var id: Located<String>
    /// Detector ids, or nil for every detector (`*`).
    public var detectors: [Located<String>]?
    public var channels: ChannelSelector
    public var action: Action
    /// The rule applies only when at least this many distinct values of its detectors appear.
    public var minInstances: Int = 1
    public var message: String?
    public var location: SourceLocation
    /// The attribute names of an attribute selector, with their positions (checked against the
    /// attributes the channels declare: a misspelt one would otherwise match every or no channel).
    public var selectorAttributes: [Located<String>] = []
    /// `senders:` — the sender groups the rule applies to; nil for every sender.
    public var senders: [Located<String>]?
    /// `senders: { except: [group, …] }` — the rule applies to every sender outside these groups.
    public var sendersExcept: [Located<String>] = []
    /// `override:` — who may lower the rule's action and how; nil is `override: never` (the default).
    public var override: OverrideSpec?
    /// `tip:` — what the sender can do instead, shown after the rule's message.
    public var tip: String?
}

/// A named group of senders (`senders:` in the policy). A sender belongs to every group one of
/// whose patterns matches it; a sender in no group is in ``SenderGroupSpec/defaultGroup``.
public struct SenderGroupSpec: Sendable {
    /// The group every sender that matches no declared group belongs to.
    public static let defaultGroup = "default"

    public var name: Located<String>
    /// Address patterns (`lead@example.co.uk`, `*@leads.example.co.uk`; `*` and `?` are wildcards,
    /// case does not matter), matched against the envelope sender or the `From` address.
    public var addresses: [Located<String>] = []
    /// Domain patterns (`example.co.uk`, `*.example.co.uk` for its sub-domains).
    public var domains: [Located<String>] = []
    /// SASL logins (milter `{auth_authen}`), exact.
    public var logins: [Located<String>] = []
    /// Token names of `redline serve`, exact.
    public var tokens: [Located<String>] = []
    public var location: SourceLocation

    public init(name: Located<String>, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

/// `override:` on a rule: who may lower it, whether a justification is needed, and to what.
public struct OverrideSpec: Sendable {
    /// Groups whose senders may override; nil is `by: "*"` (anyone).
    public var by: [Located<String>]?
    public var justificationRequired = true
    /// Fewest characters (Unicode scalars, spaces at either end not counted) a justification needs.
    public var minLength = 10
    /// The action the rule takes once overridden: `flag` or `allow`.
    public var becomes: Action = .flag
    public var location: SourceLocation

    public init(location: SourceLocation) { self.location = location }
}

public struct AllowEntry: Sendable {
    public var value: Located<String>?
    public var pattern: Located<String>?
    /// Detector ids the entry applies to; nil means every detector.
    public var detectors: [Located<String>]?
    public var reason: String
    public var location: SourceLocation
}

/// Message + channel → expected verdict (and optionally the rules expected to fire).
public struct PolicyExample: Sendable {
    public var text: String
    public var channel: Located<String>?
    public var verdict: Action
    public var location: SourceLocation
}
