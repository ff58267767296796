import Foundation
import RedlineCore

// The JSON bodies of `redline serve`, as described in openapi.yaml (components/schemas). Field
// names are snake_case on the wire. Findings carry offsets, masked excerpts and keyed
// fingerprints only: never the matched text.

/// `POST /v1/check`, `POST /v1/redact` and each record of `POST /v1/batch`.
public struct CheckRequest: Decodable, Sendable {
    public var text: String
    public var channel: String?
    public var recipients: [String]?
    public var id: String?
    /// `"override": {"rule", "justification"}`: the caller asks to override a rule (issue 19),
    /// judged for the token's sender groups.
    public var override: OverrideBody?

    public init(text: String, channel: String? = nil, recipients: [String]? = nil, id: String? = nil, override: OverrideBody? = nil) {
        self.text = text
        self.channel = channel
        self.recipients = recipients
        self.id = id
        self.override = override
    }
}

/// An override request in a `redline serve` request.
public struct OverrideBody: Decodable, Sendable {
    public var rule: String
    public var justification: String

    public init(rule: String, justification: String) {
        self.rule = rule
        self.justification = justification
    }
}

/// What became of an override request, in the answer: the rule (`(unknown rule)` when the
/// policy has none by that name), whether it was granted, what the rule became or why not.
public struct OverrideResultBody: Encodable, Sendable {
    public var rule: String
    public var granted: Bool
    public var becomes: String?
    public var refusal: String?
}

/// The rule an allowed override lowered for a finding, and what it would have done.
public struct OverriddenBody: Encodable, Sendable {
    public var rule: String
    public var action: String
}

/// `POST /v1/batch`.
public struct BatchRequest: Decodable, Sendable {
    public var records: [CheckRequest]
    /// `check` (default) or `redact`.
    public var mode: String?
}

public struct FindingBody: Encodable, Sendable {
    public var detector: String
    public var kind: String
    public var rule: String?
    public var action: String
    public var start: Int
    public var end: Int
    public var scalarStart: Int
    public var scalarEnd: Int
    public var line: Int
    public var column: Int
    public var excerpt: String
    public var confidence: String
    public var fingerprint: String?
    public var part: String?
    public var overridden: OverriddenBody?

    enum CodingKeys: String, CodingKey {
        case detector, kind, rule, action, start, end, line, column, excerpt, confidence, fingerprint, part, overridden
        case scalarStart = "scalar_start", scalarEnd = "scalar_end"
    }

    init(_ finding: Finding) {
        detector = finding.detector
        kind = finding.kind
        rule = finding.rule
        action = finding.action.name
        start = finding.start
        end = finding.end
        scalarStart = finding.scalarStart
        scalarEnd = finding.scalarEnd
        line = finding.line
        column = finding.column
        excerpt = finding.excerpt
        confidence = finding.confidence.name
        fingerprint = finding.valueHash.isEmpty ? nil : finding.valueHash
        part = finding.part
        overridden = finding.overriddenRule.map { OverriddenBody(rule: $0, action: finding.overriddenAction?.name ?? "") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(detector, forKey: .detector)
        try c.encode(kind, forKey: .kind)
        try c.encode(rule, forKey: .rule)   // null when no rule applies
        try c.encode(action, forKey: .action)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(scalarStart, forKey: .scalarStart)
        try c.encode(scalarEnd, forKey: .scalarEnd)
        try c.encode(line, forKey: .line)
        try c.encode(column, forKey: .column)
        try c.encode(excerpt, forKey: .excerpt)
        try c.encode(confidence, forKey: .confidence)
        try c.encodeIfPresent(fingerprint, forKey: .fingerprint)
        try c.encodeIfPresent(part, forKey: .part)
        try c.encodeIfPresent(overridden, forKey: .overridden)
    }
}

public struct PolicyRef: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String
}

/// The answer for one text (`/v1/check`, `/v1/redact`, one result of `/v1/batch`) or one message
/// (`/v1/mail`, with `message` instead of `text`).
public struct DecisionBody: Encodable, Sendable {
    public var id: String?
    public var verdict: String
    public var channel: String
    public var findings: [FindingBody]
    public var messages: [String]
    public var policy: PolicyRef
    /// Redacted text (redact mode; absent when the verdict is block).
    public var text: String?
    /// Redacted message (`/v1/mail`; absent when the verdict is block).
    public var message: String?
    /// Detectors that could not finish (decided as the CLI does: fail-closed).
    public var incomplete: [String]?
    /// Attachments that could not be scanned (`/v1/mail`), by name and reason code only.
    public var unscanned: [String]?
    /// The deciding rules' tips and how to ask for an override (absent when none).
    public var tips: [String]?
    /// The override asked for, granted or refused (absent when none was).
    public var overrides: [OverrideResultBody]?

    enum CodingKeys: String, CodingKey {
        case id, verdict, channel, findings, messages, policy, text, message, incomplete, unscanned, tips, overrides
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(channel, forKey: .channel)
        try c.encode(findings, forKey: .findings)
        try c.encode(messages, forKey: .messages)
        try c.encode(policy, forKey: .policy)
        try c.encodeIfPresent(text, forKey: .text)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(incomplete, forKey: .incomplete)
        try c.encodeIfPresent(unscanned, forKey: .unscanned)
        try c.encodeIfPresent(tips, forKey: .tips)
        try c.encodeIfPresent(overrides, forKey: .overrides)
    }
}

public struct BatchBody: Encodable, Sendable {
    public var results: [DecisionBody]
}

/// `{"error":{"code","message"}}`: codes and messages name fields and limits, never content.
public struct ErrorBody: Encodable, Sendable {
    public struct Detail: Encodable, Sendable {
        public var code: String
        public var message: String
    }
    public var error: Detail
    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}

/// A request the server refuses, as a value: HTTP status, a stable code and a message safe to
/// log and return (it never quotes the request body).
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var retryAfter: Int?
    public init(_ status: Int, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    /// The message for a body that does not decode: the field path and what was expected, no value.
    static func decoding(_ error: any Error) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "(body)" : text)
        }
        guard let error = error as? DecodingError else { return APIError(400, "malformed_json", "the body is not valid JSON") }
        switch error {
        case let .typeMismatch(type, context):
            return APIError(400, "wrong_type", "field '\(path(context.codingPath))' must be \(typeName(type))")
        case let .valueNotFound(type, context):
            return APIError(400, "wrong_type", "field '\(path(context.codingPath))' must be \(typeName(type)), not null")
        case let .keyNotFound(key, context):
            return APIError(400, "missing_field", "field '\(path(context.codingPath + [key]))' is required")
        case .dataCorrupted:
            return APIError(400, "malformed_json", "the body is not valid UTF-8 JSON")
        @unknown default:
            return APIError(400, "malformed_json", "the body is not valid JSON")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is [String].Type: "a list of strings"
        case is Int.Type: "an integer"
        default: type is any Collection.Type ? "a list" : "an object"
        }
    }
}
