import Foundation
import RedlineAudit
import RedlineCore
import RedlineEngine
import Testing
@testable import RedlineMilter

/// Issue 19 on the milter path: only the SASL login (and the envelope of an authenticated
/// session) say who the sender is; the override header is removed; the 550 text carries the
/// reason, the tip and how to override, within an SMTP reply line.
@Suite("Milter: sender groups and overrides")
struct MilterOverrideTests {
    static let yaml = """
        name: milter-override
        senders:
          team-leads: { logins: [jsmith], addresses: ["*@leads.example.co.uk"] }
        detectors:
          postcode: { kind: uk_postcode, redaction: label, label: "[POSTCODE]" }
        channels:
          email-external: { encrypted: false, external: true }
        default_channel: email-external
        rules:
          - id: postcode-external
            detectors: [postcode]
            action: block
            message: "customer addresses do not leave"
            tip: "use the courier portal"
            override: { by: [team-leads], min_length: 15, becomes: flag }
        """

    static func frames(auth: String?, sender: String = "<agent@sink.test>") -> [MilterFrame] {
        Postfix.message(sender: sender, headers: [("From", "agent@sink.test"), ("To", "customer@sink.test"), ("Subject", "delivery"),
                                                  ("X-Redline-Override", "postcode-external; courier needs the address for today's round")],
                        body: "Deliver to Flat 2, 8 High St, Bristol BS1 4DJ please.\r\n", auth: auth)
    }

    @Test("an authenticated team lead's override: flag headers added, the override header removed (m with an empty value), body untouched")
    func authenticatedOverride() throws {
        let pipeline = try Fixtures.pipeline(yaml: Self.yaml)
        let message = try MilterDeciderTests.message(Self.frames(auth: "jsmith"))
        #expect(MilterDecider.sender(of: message) == SenderIdentity(address: "agent@sink.test", login: "jsmith"))
        let outcome = MilterDecider().decide(message, session: pipeline.makeSession())
        guard case let .modify(headers, body) = outcome.decision else { Issue.record("not modified: \(outcome.decision)"); return }
        #expect(body == nil)
        #expect(headers.contains(.change(name: "X-Redline-Override", index: 1, value: [])))
        #expect(headers.contains(.add(name: "X-Redline-Verdict", value: Array("flag".utf8))))
        #expect(headers.contains { if case let .add(name, _) = $0 { return name == "X-Redline-Overridden" } else { return false } })
        #expect(outcome.verdict?.verdict == .flag)
    }

    @Test("an unauthenticated session is 'default' whatever its envelope says: refused, 550 with the reason, tip and who may override")
    func unauthenticatedRefused() throws {
        let pipeline = try Fixtures.pipeline(yaml: Self.yaml)
        let message = try MilterDeciderTests.message(Self.frames(auth: nil, sender: "<boss@leads.example.co.uk>"))
        #expect(MilterDecider.sender(of: message) == SenderIdentity())
        let outcome = MilterDecider().decide(message, session: pipeline.makeSession())
        #expect(outcome.decision == .reject(reply: "550 5.7.1 redline: customer addresses do not leave. Override of rule 'postcode-external' refused: "
            + "rule 'postcode-external' can be overridden only by senders in team-leads; the sender is in default. Tip: use the courier portal. "
            + "Senders in team-leads may override rule 'postcode-external' with a justification."))
    }

    @Test("an authenticated session's envelope sender decides the group too")
    func envelopeOfAuthenticatedSession() throws {
        let pipeline = try Fixtures.pipeline(yaml: Self.yaml)
        let message = try MilterDeciderTests.message(Self.frames(auth: "someone", sender: "<jo@leads.example.co.uk>"))
        #expect(MilterDecider().decide(message, session: pipeline.makeSession()).verdict?.verdict == .flag)
    }

    @Test("the 550 text stays within an SMTP reply line however long the rule's message and tip are")
    func replyLineLimit() throws {
        let long = String(repeating: "addresses stay inside the company ", count: 20)
        let yaml = Self.yaml.replacingOccurrences(of: "\"customer addresses do not leave\"", with: "\"\(long)\"")
        let pipeline = try Fixtures.pipeline(yaml: yaml)
        let message = try MilterDeciderTests.message(Self.frames(auth: nil))
        guard case let .reject(reply) = MilterDecider().decide(message, session: pipeline.makeSession()).decision else {
            Issue.record("not rejected"); return
        }
        #expect(reply.utf8.count + 2 <= 512)
        #expect(reply.hasPrefix("550 5.7.1 redline: addresses stay inside"))
        #expect(reply.hasSuffix("..."))
    }

    @Test("--audit: the override is recorded with the sender, group and redacted justification, and the chain verifies")
    func auditRecord() throws {
        let pipeline = try Pipeline.compile(yaml: Self.yaml, file: "t.yaml", key: Array("key".utf8))
        let directory = NSTemporaryDirectory() + "redline-milter-override-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/audit.jsonl"
        let audit = MilterAudit(trail: try AuditTrail(path: path, key: Array("key".utf8)), onError: .tempfail)
        let frames = Postfix.message(headers: [("From", "agent@sink.test"), ("To", "customer@sink.test"), ("Subject", "delivery"),
                                               ("X-Redline-Override", "postcode-external; delivery to 8 High St, Bristol BS1 4DJ today")],
                                     body: "Deliver to Flat 2, 8 High St, Bristol BS1 4DJ please.\r\n", auth: "jsmith")
        let message = try MilterDeciderTests.message(frames)
        let session = pipeline.makeSession()
        let outcome = audit.record(MilterDecider().decide(message, session: session), message: message, session: session)
        #expect(outcome.verdict?.verdict == .flag)
        let log = try String(contentsOfFile: path, encoding: .utf8)
        #expect(log.contains("\"sender\":\"agent@sink.test\",\"groups\":[\"team-leads\"]"))
        #expect(log.contains("\"overrides\":[{\"rule\":\"postcode-external\",\"outcome\":\"granted\",\"becomes\":\"flag\",\"origin\":\"header\","
                             + "\"justification\":\"delivery to 8 High St, Bristol [POSTCODE] today\",\"detectors\":{\"postcode\":1},\"fingerprints\":[\""))
        #expect(!log.contains("BS1 4DJ"))
        #expect(try AuditVerifier.verify(path: path, key: Array("key".utf8), head: AuditHead.read(for: path)).problem == nil)
    }
}
