import Testing
import RedlineCore
import RedlineEngine

/// Issue 14: e-mail addresses written out (`jane dot doe at gmail dot com`) are `email` findings
/// whose value is the address they spell: redaction removes the whole written form, allowlist
/// patterns and values see the address, and a keyed hash equals the plain address's.
@Suite("Written-out e-mail addresses in a policy")
struct SpelledEmailPolicyTests {
    static func policy(email: String = "{ kind: email }", allowlist: String = "") throws -> Pipeline {
        try TestPolicy.pipeline(TestPolicy.simple(allowlist: allowlist).replacingOccurrences(of: "  email: { kind: email }", with: "  email: \(email)"))
    }

    static func redact(_ text: String, _ pipeline: Pipeline) -> String {
        let bytes = Array(text.utf8)
        let result = pipeline.makeSession().scan(bytes, channel: "chat")
        return String(decoding: pipeline.redact(bytes, findings: result.findings), as: UTF8.self)
    }

    @Test("redaction removes the whole written address and nothing around it", arguments: [
        ("Write to jane dot doe at gmail dot com please", "Write to [EMAIL] please"),
        ("or jane (at) gmail (dot) co (dot) uk.", "or [EMAIL]."),
        ("JANE AT GMAIL DOT COM", "[EMAIL]"),
        ("jane @ gmail . com, thanks", "[EMAIL], thanks"),
        ("ping josé.garcía@example.com!", "ping [EMAIL]!"),
    ])
    func redactsWholeSpan(_ example: (String, String)) throws {
        let pipeline = try Self.policy(email: "{ kind: email, redaction: label, label: '[EMAIL]' }")
        #expect(Self.redact(example.0, pipeline) == example.1)
    }

    @Test("an allowlist pattern for the company's domain allows its mailboxes written out too")
    func allowlistPatternSeesSpelledAddress() throws {
        let pipeline = try Self.policy(allowlist: """
            allowlist:
              - pattern: '(?i)@example\\.co\\.uk$'
                detectors: [email]
                reason: "our own mailboxes"
            """)
        let session = pipeline.makeSession()
        for text in ["support@example.co.uk", "support at example dot co dot uk", "SUPPORT (AT) EXAMPLE (DOT) CO (DOT) UK"] {
            #expect(session.scan(Array(text.utf8), channel: "chat").findings.isEmpty, "\(text)")
        }
        // A customer's address, written out, still counts.
        #expect(session.scan(Array("jane at gmail dot com".utf8), channel: "chat").findings.map(\.detector) == ["email"])
        // The pattern is not loosened for other kinds or for the text around the address.
        #expect(session.scan(Array("jane at example dot co dot uk dot com".utf8), channel: "chat").findings.count == 1)
    }

    @Test("an allowlist value written plainly allows the same address written out")
    func allowlistValue() throws {
        let pipeline = try Self.policy(allowlist: """
            allowlist:
              - value: "returns@example.org"
                detectors: [email]
                reason: "our own mailboxes"
            """)
        let session = pipeline.makeSession()
        #expect(session.scan(Array("returns at example dot org".utf8), channel: "chat").findings.isEmpty)
        #expect(session.scan(Array("sales at example dot org".utf8), channel: "chat").findings.count == 1)
    }

    @Test("the keyed hash of a written-out address equals the plain address's")
    func hashMatchesPlain() throws {
        let pipeline = try Self.policy(email: "{ kind: email, redaction: hash }")
        let plain = Self.redact("jane.doe@gmail.com", pipeline)
        #expect(plain.hasPrefix("[") && plain.hasSuffix("]") && !plain.contains("jane"))
        #expect(Self.redact("jane dot doe at gmail dot com", pipeline) == plain)
        #expect(Self.redact("JANE.DOE(AT)GMAIL(DOT)COM", pipeline) == plain)
        #expect(Self.redact("sam dot doe at gmail dot com", pipeline) != plain)
    }
}
