import Foundation
import Testing

/// Issue 17.3: a rule's message reaches the sender in every output of check and redact.
@Suite("Rule messages in every output")
struct RuleMessageTests {
    static let input = Array("my card is 4111 1111 1111 1111 ok\n".utf8)
    static let message = "Card numbers must never be sent. Take payments through the payment page only."

    @Test("JSON, JSONL and SARIF findings carry the rule's message")
    func structuredFormats() throws {
        for format in ["json", "jsonl"] {
            let result = try Redline.run(["check", "--format", format], input: Self.input)
            #expect(result.status == 1)
            #expect(result.out.contains("\"message\":\"\(Self.message)\""), "\(format): \(result.out)")
        }
        let sarif = try Redline.run(["check", "--format", "sarif"], input: Self.input)
        let document = try JSONSerialization.jsonObject(with: Data(sarif.stdout)) as? [String: Any]
        let runs = document?["runs"] as? [[String: Any]]
        let result = (runs?.first?["results"] as? [[String: Any]])?.first
        #expect((result?["properties"] as? [String: Any])?["message"] as? String == Self.message)
        #expect(((result?["message"] as? [String: Any])?["text"] as? String)?.hasSuffix(Self.message) == true)
    }

    @Test("a finding whose rule has no message gets null")
    func noMessage() throws {
        let result = try Redline.run(["check", "--format", "jsonl", "--channel", "email-internal"], input: Array("NI JG 10 37 55 A\n".utf8))
        #expect(result.out.contains("\"rule\":\"identifiers-internal\""))
        #expect(result.out.contains("\"message\":null"))
    }

    @Test("redact tells each rule's message once on stderr, with a count and no content")
    func redactStderr() throws {
        let result = try Redline.run(["redact", "--channel", "chat"], input: Self.input + Self.input)
        #expect(result.status == 0)
        #expect(result.stderr.contains("redline: rule card-never-leaves (block, 2 finding(s)): \(Self.message)\n"))
        #expect(!result.stderr.contains("4111"))
    }
}
