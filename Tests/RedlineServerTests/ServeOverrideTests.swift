import Foundation
import Testing

/// Issue 19 in `redline serve`: the token's name decides the sender groups; `"override"` asks
/// to override a rule; answers carry the tips and what became of the request.
@Suite("redline serve: senders and overrides", .serialized)
struct ServeOverrideTests {
    static let policy = """
        name: serve-override
        senders:
          team-leads: { tokens: [helpdesk] }
        detectors:
          postcode: { kind: uk_postcode }
        channels:
          chat: { encrypted: false, external: true }
        default_channel: chat
        rules:
          - id: postcode-chat
            detectors: [postcode]
            action: block
            message: "Addresses stay out of chat"
            tip: "Use the courier portal"
            override: { by: [team-leads], min_length: 15, becomes: flag }
        """
    static let text = "Deliver to Flat 2, 8 High St, Bristol BS1 4DJ please."
    static let override = ["rule": "postcode-chat", "justification": "the courier needs it for today's round, Bristol BS1 4DJ"]

    static func json(_ answer: HTTPAnswer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
    }

    @Test("a token in team-leads gets its override: flag, the finding says overridden, the audit record holds the redacted justification")
    func granted() async throws {
        let server = try await ServeHarness(audit: true, policyYAML: Self.policy)
        let answer = try await server.postJSON("/v1/check", ["text": Self.text, "channel": "chat", "override": Self.override],
                                               token: ServeHarness.helpdeskToken)
        #expect(answer.status == 200, "\(answer.body)")
        let body = try Self.json(answer)
        #expect(body["verdict"] as? String == "flag")
        let finding = (body["findings"] as? [[String: Any]])?.first
        #expect((finding?["overridden"] as? [String: Any])?["rule"] as? String == "postcode-chat")
        #expect((finding?["overridden"] as? [String: Any])?["action"] as? String == "block")
        let outcome = (body["overrides"] as? [[String: Any]])?.first
        #expect(outcome?["granted"] as? Bool == true)
        #expect(outcome?["becomes"] as? String == "flag")
        #expect(!answer.body.contains("courier needs"), "the justification is not echoed")
        let log = try String(contentsOfFile: server.auditPath, encoding: .utf8)
        #expect(log.contains("\"sender\":\"token:helpdesk\",\"groups\":[\"team-leads\"]"))
        #expect(log.contains("\"origin\":\"api\""))
        #expect(!log.contains("BS1 4DJ"))
        await server.stop()
    }

    @Test("another token is refused: block stands, the answer says why and gives the tip and who may override")
    func refused() async throws {
        let server = try await ServeHarness(policyYAML: Self.policy)
        let answer = try await server.postJSON("/v1/check", ["text": Self.text, "channel": "chat", "override": Self.override])
        let body = try Self.json(answer)
        #expect(body["verdict"] as? String == "block")
        #expect(body["messages"] as? [String] == ["Addresses stay out of chat"])
        #expect(body["tips"] as? [String] == ["Tip: Use the courier portal. Senders in team-leads may override rule 'postcode-chat' with a justification."])
        let outcome = (body["overrides"] as? [[String: Any]])?.first
        #expect(outcome?["granted"] as? Bool == false)
        #expect(outcome?["refusal"] as? String == "rule 'postcode-chat' can be overridden only by senders in team-leads; the sender is in default")
        // Without an override the helpdesk token is told how to ask for one.
        let plain = try Self.json(try await server.postJSON("/v1/check", ["text": Self.text, "channel": "chat"], token: ServeHarness.helpdeskToken))
        #expect((plain["tips"] as? [String])?.first?.contains("to override, send \"override\": {\"rule\": \"postcode-chat\"") == false)
        #expect((plain["tips"] as? [String])?.first?.contains("To override, send \"override\": {\"rule\": \"postcode-chat\"") == true)
        #expect(plain["overrides"] == nil)
        await server.stop()
    }
}
