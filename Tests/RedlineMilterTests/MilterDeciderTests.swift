import RedlineCore
import RedlineEngine
import Testing
@testable import RedlineMilter

@Suite("MilterDecider: policy verdict → milter decision")
struct MilterDeciderTests {
    static func message(_ frames: [MilterFrame]) throws -> MilterMessage {
        var session = try MilterSessionTests.negotiated()
        return try #require(try MilterSessionTests.run(frames, in: &session).evaluate).0
    }

    @Test("allow → accept, nothing added")
    func allow() throws {
        let pipeline = try Fixtures.pipeline()
        let outcome = MilterDecider().decide(try Self.message(Postfix.cleanMessage), session: pipeline.makeSession())
        #expect(outcome.decision == .accept)
        #expect(outcome.verdict?.verdict == .allow)
    }

    @Test("block → 550 5.7.1 with the rule's message")
    func block() throws {
        let pipeline = try Fixtures.pipeline()
        let outcome = MilterDecider().decide(try Self.message(Postfix.cardMessage), session: pipeline.makeSession())
        #expect(outcome.decision == .reject(reply: "550 5.7.1 redline: payment card number in outbound message; take payments through the payment page only"))
        #expect(outcome.verdict?.decidingRule == "card-never-leaves")
    }

    @Test("a signed message whose signed part needs redaction → 550 5.7.1 saying why, not a broken signature")
    func signedNeedsRedaction() throws {
        let pipeline = try Fixtures.pipeline()
        let frames = Postfix.message(headers: [("From", "agent@sink.test"), ("To", "customer@sink.test"), ("Subject", "signed"),
                                               ("MIME-Version", "1.0"),
                                               ("Content-Type", "multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"sig\"")],
                                     body: "--sig\r\nContent-Type: text/plain\r\n\r\nyour NI number is AB 12 34 56 C.\r\n--sig\r\n"
                                         + "Content-Type: application/pkcs7-signature\r\n\r\nMIAGCSqGSIb3DQEHAqCA\r\n--sig--\r\n")
        let outcome = MilterDecider().decide(try Self.message(frames), session: pipeline.makeSession())
        guard case let .reject(reply) = outcome.decision else { Issue.record("not rejected: \(outcome.decision)"); return }
        #expect(reply.hasPrefix("550 5.7.1 redline: a signed part needs redaction"))
        #expect(!reply.contains("AB 12"))
    }

    @Test("block with --on-block quarantine → hold with the rule id, no content")
    func blockQuarantine() throws {
        let pipeline = try Fixtures.pipeline()
        let outcome = MilterDecider(onBlock: .quarantine).decide(try Self.message(Postfix.cardMessage), session: pipeline.makeSession())
        guard case let .quarantine(reason, headers) = outcome.decision else { Issue.record("not quarantined: \(outcome.decision)"); return }
        #expect(reason == "redline: card-never-leaves (card=1)")
        #expect(headers.allSatisfy(MilterDecider.isVerdictHeader))
        #expect(!reason.contains("4111"))
    }

    @Test("redact → changed Subject (m), the redacted body (b), verdict headers (h)")
    func redact() throws {
        let pipeline = try Fixtures.pipeline()
        let message = try Self.message(Postfix.ninoMessage)
        let outcome = MilterDecider().decide(message, session: pipeline.makeSession())
        guard case let .modify(headers, body) = outcome.decision else { Issue.record("not modified: \(outcome.decision)"); return }
        let text = String(decoding: try #require(body), as: UTF8.self)
        #expect(text == "Hello,\r\nyour NI number is [NINO REDACTED].\r\n")
        #expect(headers.contains(.change(name: "Subject", index: 1, value: Array("NI [NINO REDACTED]".utf8))))
        #expect(headers.contains(.add(name: "X-Redline-Verdict", value: Array("redact".utf8))))
        #expect(headers.contains(.add(name: "X-Redline-Findings", value: Array("nino=2".utf8))))
        #expect(headers.count == 3)
    }

    @Test("flag → headers added, body untouched")
    func flag() throws {
        let pipeline = try Fixtures.pipeline(yaml: Fixtures.flagPolicy)
        let message = try Self.message(Postfix.message(headers: [("Subject", "delivery")], body: "We deliver to LS6 2AB tomorrow.\r\n"))
        let outcome = MilterDecider(findingsHeader: false).decide(message, session: pipeline.makeSession())
        #expect(outcome.decision == .modify(headers: [.add(name: "X-Redline-Verdict", value: Array("flag".utf8))], body: nil))
    }

    @Test("a rule message with % is escaped for the MTA")
    func percent() throws {
        let pipeline = try Fixtures.pipeline(yaml: Fixtures.flagPolicy)
        let outcome = MilterDecider().decide(try Self.message(Postfix.cardMessage), session: pipeline.makeSession())
        #expect(outcome.decision == .reject(reply: "550 5.7.1 redline: no cards: 100%% sure"))
    }

    @Test("header diff: changed, removed (from the last) and added headers, matched by name and position")
    func headerDiff() {
        func h(_ name: String, _ value: String) -> MilterHeader { MilterHeader(name: name, value: Array(value.utf8)) }
        let old = [h("Received", "a"), h("Subject", "s"), h("Received", "b"), h("X-Redline-Verdict", "flag"), h("X-Redline-Verdict", "old")]
        let new = [h("Received", "a"), h("Subject", "S"), h("Received", "B"), h("X-Redline-Verdict", "redact"), h("X-Redline-Findings", "nino=1")]
        #expect(MilterDecider.headerChanges(from: old, to: new) == [
            .change(name: "Received", index: 2, value: Array("B".utf8)),
            .change(name: "Subject", index: 1, value: Array("S".utf8)),
            .change(name: "X-Redline-Verdict", index: 1, value: Array("redact".utf8)),
            .change(name: "X-Redline-Verdict", index: 2, value: []),
            .add(name: "X-Redline-Findings", value: Array("nino=1".utf8)),
        ])
    }

    @Test("header split: folded values come back with bare LF, one space after the colon removed")
    func headerSplit() {
        let split = HeaderSplit(Array("A: one\r\n two\r\nB:  x\r\nC:\r\n\r\nbody".utf8))
        #expect(split.headers == [MilterHeader(name: "A", value: Array("one\n two".utf8)), MilterHeader(name: "B", value: Array(" x".utf8)),
                                  MilterHeader(name: "C", value: [])])
        #expect(split.bodyStart == 27)
    }
}
