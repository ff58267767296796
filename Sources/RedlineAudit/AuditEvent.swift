import Foundation
import RedlineCore

/// One decision to record in the audit trail. It names the input and what was decided — never
/// content: no excerpts, no values, only keyed fingerprints.
///
/// Wire format of a record (one JSON Lines object, fields in this order):
/// `seq` (1-based, consecutive), `time` (UTC, ISO 8601 with milliseconds), `mode` (check, redact,
/// scan, sendmail, milter), `source` (path, Message-ID or queue id), `channel`, `verdict`,
/// `rules` (sorted rule ids), `detectors` (counts per detector id), `fingerprints` (keyed, sorted),
/// when the sender is known `sender` and `groups`, when overrides were asked for `overrides` (see
/// ``AuditOverride``), then `policy_sha256`, `prev` (the previous record's `mac`; 64 zeros for the first), and last `mac`:
/// hex HMAC-SHA256(key, "redline.audit/1\n" ‖ the record's bytes before `,"mac":`).
public struct AuditEvent: Sendable, Equatable {
    public var mode: String
    public var source: String
    public var channel: String
    public var verdict: String
    public var rules: [String]
    public var detectors: [String: Int]
    public var fingerprints: [String]
    public var policySHA256: String
    /// How the sender was identified (address, `login:NAME`, `token:NAME`); nil when unknown.
    public var sender: String?
    /// The sender's groups.
    public var groups: [String] = []
    /// Every override asked for with this decision, granted or refused.
    public var overrides: [AuditOverride] = []

    public init(mode: String, source: String, channel: String, verdict: String, rules: [String] = [],
                detectors: [String: Int] = [:], fingerprints: [String] = [], policySHA256: String) {
        self.mode = mode
        self.source = source
        self.channel = channel
        self.verdict = verdict
        self.rules = Array(Set(rules)).sorted()
        self.detectors = detectors
        self.fingerprints = Array(Set(fingerprints)).sorted()
        self.policySHA256 = policySHA256
    }

    /// The event for one decision from its findings: their rule ids, counts per detector and keyed
    /// fingerprints (nothing of their excerpts or positions).
    public init(mode: String, source: String, channel: String, verdict: Action, findings: [Finding], policySHA256: String) {
        var counts: [String: Int] = [:]
        for finding in findings { counts[finding.detector, default: 0] += 1 }
        self.init(mode: mode, source: source, channel: channel, verdict: verdict.name, rules: findings.compactMap(\.rule),
                  detectors: counts, fingerprints: findings.map(\.valueHash).filter { !$0.isEmpty }, policySHA256: policySHA256)
    }

    /// The record body (everything before `,"mac":`) for sequence number `seq`.
    func body(seq: Int, time: String, prev: String) -> String {
        var text = "{\"seq\":\(seq),\"time\":\(AuditJSON.string(time)),\"mode\":\(AuditJSON.string(mode)),"
        text += "\"source\":\(AuditJSON.string(source)),\"channel\":\(AuditJSON.string(channel)),\"verdict\":\(AuditJSON.string(verdict)),"
        text += "\"rules\":[" + rules.map(AuditJSON.string).joined(separator: ",") + "],"
        text += "\"detectors\":{" + detectors.keys.sorted().map { "\(AuditJSON.string($0)):\(detectors[$0]!)" }.joined(separator: ",") + "},"
        text += "\"fingerprints\":[" + fingerprints.map(AuditJSON.string).joined(separator: ",") + "],"
        if let sender {
            text += "\"sender\":\(AuditJSON.string(sender)),\"groups\":[" + groups.map(AuditJSON.string).joined(separator: ",") + "],"
        }
        if !overrides.isEmpty { text += "\"overrides\":[" + overrides.map(\.json).joined(separator: ",") + "]," }
        text += "\"policy_sha256\":\(AuditJSON.string(policySHA256)),\"prev\":\"\(prev)\""
        return text
    }
}

/// One override in an audit record: the rule, whether it was granted, the justification as
/// recorded (already scanned with the policy and redacted by the caller), where it was asked
/// (`header`, `option`, `api`), and for a granted one what passed because of it: counts per
/// detector and keyed fingerprints of the values.
///
/// Wire format: `{"rule","outcome":"granted"|"refused","becomes"|"refusal","origin",
/// "justification","detectors":{…},"fingerprints":[…]}`.
public struct AuditOverride: Sendable, Equatable {
    public var rule: String
    public var granted: Bool
    /// The action the rule became (granted only).
    public var becomes: String?
    /// Why it was refused (refused only).
    public var refusal: String?
    public var origin: String
    /// Redacted by the caller: this type never sees the raw justification.
    public var justification: String
    public var detectors: [String: Int]
    public var fingerprints: [String]

    public init(rule: String, granted: Bool, becomes: String? = nil, refusal: String? = nil, origin: String, justification: String,
                detectors: [String: Int] = [:], fingerprints: [String] = []) {
        self.rule = rule
        self.granted = granted
        self.becomes = becomes
        self.refusal = refusal
        self.origin = origin
        self.justification = justification
        self.detectors = detectors
        self.fingerprints = Array(Set(fingerprints)).sorted()
    }

    var json: String {
        var text = "{\"rule\":\(AuditJSON.string(rule)),\"outcome\":\"\(granted ? "granted" : "refused")\","
        if let becomes { text += "\"becomes\":\(AuditJSON.string(becomes))," }
        if let refusal { text += "\"refusal\":\(AuditJSON.string(refusal))," }
        text += "\"origin\":\(AuditJSON.string(origin)),\"justification\":\(AuditJSON.string(justification)),"
        text += "\"detectors\":{" + detectors.keys.sorted().map { "\(AuditJSON.string($0)):\(detectors[$0]!)" }.joined(separator: ",") + "},"
        text += "\"fingerprints\":[" + fingerprints.map(AuditJSON.string).joined(separator: ",") + "]}"
        return text
    }
}

enum AuditJSON {
    /// A JSON string literal (control characters escaped; output is valid UTF-8).
    static func string(_ value: String) -> String { JSONText.quoted(value) }
}
