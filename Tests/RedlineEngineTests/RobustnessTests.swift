import Testing
import RedlineCore
import RedlineEngine

@Suite("Fail-closed and concurrency")
struct RobustnessTests {
    static func catastrophicPolicy(mode: String) -> String {
        TestPolicy.simple(
            detectors: "  evil: { kind: regex, pattern: '(a+)+$' }",
            rules: """
              - id: evil-redacts
                detectors: [evil]
                channels: [chat]
                action: redact
            """,
            settings: "settings: { on_detector_error: \(mode), match_limit: 100000 }")
    }

    @Test("a catastrophic custom regex returns promptly with an E100 diagnostic, decided fail-closed (strictest rule)")
    func catastrophicStrictest() throws {
        let pipeline = try TestPolicy.pipeline(Self.catastrophicPolicy(mode: "strictest"))
        let text = String(repeating: "a", count: 50_000) + "!"
        let result = pipeline.makeSession().scan(Array(text.utf8), channel: "chat")
        #expect(result.failures.map(\.code) == ["E100"])
        #expect(result.failures.first?.message.contains("detector 'evil'") == true)
        #expect(result.failures.first?.message.contains("rule 'evil-redacts'") == true)
        #expect(result.verdict == .redact, "the strictest rule using the failed detector on this channel")
        #expect(!result.failures.contains { $0.message.contains("aaaa") }, "no input text in diagnostics")
    }

    @Test("with on_detector_error: block a failed detector blocks the message")
    func catastrophicBlock() throws {
        let pipeline = try TestPolicy.pipeline(Self.catastrophicPolicy(mode: "block"))
        let result = pipeline.makeSession().scan(Array((String(repeating: "a", count: 50_000) + "!").utf8), channel: "internal")
        #expect(result.verdict == .block)
        #expect(result.failures.count == 1)
    }

    @Test("the other detectors still run when one fails")
    func othersStillRun() throws {
        let pipeline = try TestPolicy.pipeline(Self.catastrophicPolicy(mode: "strictest"))
        let text = "NI AB123456C " + String(repeating: "a", count: 50_000) + "!"
        let result = pipeline.makeSession().scan(Array(text.utf8), channel: "chat")
        #expect(result.findings.contains { $0.detector == "nino" })
        #expect(result.failures.count == 1)
    }

    @Test("one shared pipeline used from many concurrent tasks gives identical results")
    func concurrentScans() async throws {
        let pipeline = try TestPolicy.pipeline(TestPolicy.simple())
        let texts = (0..<24).map { index in
            "Ticket \(index): card 4111 1111 1111 1111, NI AB123456C, call 07700 900\(100 + index), "
                + "mail user\(index)@example.com, IBAN GB82 WEST 1234 5698 7654 32, LS6 2AB. " + String(repeating: "filler ", count: index * 20)
        }
        func fingerprint(_ result: ScanResult) -> [String] {
            result.findings.map { "\($0.detector)@\($0.start)-\($0.end):\($0.action):\($0.valueHash)" }
        }
        let session = pipeline.makeSession()
        let expected = texts.map { fingerprint(session.scan(Array($0.utf8), channel: "chat")) }
        let results = await withTaskGroup(of: (Int, [[String]]).self) { group in
            for worker in 0..<8 {
                group.addTask {
                    let session = pipeline.makeSession()
                    var out: [[String]] = []
                    for round in 0..<5 {
                        for (index, text) in texts.enumerated() where (index + round + worker) % 2 == 0 || round > 2 {
                            out.append(fingerprint(session.scan(Array(text.utf8), channel: "chat")) + ["#\(index)"])
                        }
                    }
                    return (worker, out)
                }
            }
            var all: [(Int, [[String]])] = []
            for await item in group { all.append(item) }
            return all
        }
        #expect(results.count == 8)
        for (_, outputs) in results {
            for output in outputs {
                let index = Int(output.last!.dropFirst())!
                #expect(Array(output.dropLast()) == expected[index])
            }
        }
        #expect(expected.allSatisfy { $0.count == 6 })
    }
}
