import Testing
import RedlineCore
@testable import RedlineFormats

@Suite("Text report lines")
struct TextReportLineTests {
    static func context() -> ReportContext {
        var context = ReportContext(toolVersion: "1", policyName: "p", policySHA256: "", policySource: "built-in",
                                    detectors: [], ruleMessages: ["cards": "Cards may not be sent.", "ninos": "No NI numbers."])
        context.ruleTips = ["cards": "Tip: use the payment portal.", "other": "Tip: ask first."]
        return context
    }

    static func lines(_ findings: [Finding], record: Int? = nil) -> [String] {
        var out: [UInt8] = []
        let sink = ReportFormat.text.makeSink(context: context(), color: false) { out.append(contentsOf: $0) }
        for finding in findings { sink.add(ReportEntry(source: "in.txt", record: record, channel: "email", finding: finding)) }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("findings of alternating rules, detectors and actions each get their own rule, action, message and tip")
    func alternating() {
        let findings = [
            Finding(detector: "card", kind: "payment_card", start: 0, end: 4, line: 1, column: 5, confidence: .high, excerpt: "****1234", rule: "cards", action: .block),
            Finding(detector: "nino", kind: "uk_nino", start: 0, end: 4, line: 2, column: 1, confidence: .high, excerpt: "*********", rule: "ninos", action: .redact),
            Finding(detector: "card", kind: "payment_card", start: 0, end: 4, line: 3, column: 12, confidence: .high, excerpt: "****5678", rule: "cards", action: .flag),
            Finding(detector: "email", kind: "email", start: 0, end: 4, line: 4, column: 7, confidence: .high, excerpt: "****@****", rule: nil, action: .allow),
            Finding(detector: "phone", kind: "uk_phone", start: 0, end: 4, line: 5, column: 2, confidence: .high, excerpt: "*****", rule: "other", action: .flag),
            Finding(detector: "card", kind: "payment_card", start: 0, end: 4, line: 6, column: 1, confidence: .high, excerpt: "****1234", rule: "cards", action: .block),
        ]
        #expect(Self.lines(findings) == [
            "in.txt:1:5: cards [block] card: ****1234 — Cards may not be sent. Tip: use the payment portal.",
            "in.txt:2:1: ninos [redact] nino: ********* — No NI numbers.",
            "in.txt:3:12: cards [flag] card: ****5678 — Cards may not be sent. Tip: use the payment portal.",
            "in.txt:4:7: - [allow] email: ****@****",
            "in.txt:5:2: other [flag] phone: ***** — Tip: ask first.",
            "in.txt:6:1: cards [block] card: ****1234 — Cards may not be sent. Tip: use the payment portal.",
        ])
    }

    @Test("an exact_data finding names its column, a part and a record index are shown")
    func columnPartAndRecord() {
        var finding = Finding(detector: "customers", kind: "exact_data", start: 0, end: 4, line: 1, column: 3, confidence: .high,
                              excerpt: "**** *****", rule: "cards", action: .block, part: "attachment a.xlsx", dataColumn: "full_name")
        finding.overriddenRule = "ninos"
        finding.overriddenAction = .block
        #expect(Self.lines([finding], record: 7) == [
            "in.txt:#7:3: cards [block] customers[full_name]: **** ***** (attachment a.xlsx) — Cards may not be sent. Tip: use the payment portal. [overridden: rule 'ninos' would block]",
        ])
    }

    @Test("past the number of rule and detector pairs kept, lines are still right")
    func manyDetectors() {
        let findings = (0..<150).map { index in
            Finding(detector: "custom_\(index % 100)", kind: "regex", start: 0, end: 1, line: index + 1, column: 1, confidence: .low,
                    excerpt: "*", rule: index % 2 == 0 ? "cards" : nil, action: index % 3 == 0 ? .flag : .block)
        }
        let expected = (0..<150).map { index in
            let rule = index % 2 == 0 ? "cards" : "-"
            let action = index % 3 == 0 ? "flag" : "block"
            let suffix = index % 2 == 0 ? " — Cards may not be sent. Tip: use the payment portal." : ""
            return "in.txt:\(index + 1):1: \(rule) [\(action)] custom_\(index % 100): *\(suffix)"
        }
        #expect(Self.lines(findings) == expected)
    }
}
