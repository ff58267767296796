import Foundation
import Testing
import RedlineCore
import RedlineEngine
import RedlinePolicy

/// Policy mistakes that used to pass `policy check` silently (issue 17.2): an error when the
/// policy would do something other than what it says, a warning with a code, position and hint
/// when it merely does less.
@Suite("Policy warnings and fail-closed selectors")
struct PolicyWarningsTests {
    static func check(_ yaml: String) -> (Pipeline?, [Diagnostic]) {
        Pipeline.check(yaml: yaml, file: "t.yaml", key: Array("k".utf8))
    }

    static func policy(detectors: String = "  card: { kind: payment_card }", rules: String) -> String {
        """
        name: t
        detectors:
        \(detectors)
        channels:
          chat: { encrypted: false, external: true }
          portal: { encrypted: true, external: true }
          desk: { encrypted: true, external: false, monitored: true }
        default_channel: chat
        rules:
        \(rules)
        """
    }

    @Test("a misspelt attribute in a channel selector is an error with a suggestion, not a rule that matches every channel")
    func misspeltSelectorAttribute() {
        let yaml = Self.policy(rules: "  - { id: r, detectors: [card], channels: { encypted: false }, action: block }")
        let (pipeline, diagnostics) = Self.check(yaml)
        #expect(pipeline == nil)
        #expect(diagnostics.map(\.description) == ["t.yaml:10:45: error[P017]: no channel has the attribute 'encypted'; did you mean 'encrypted'?"])
        #expect(diagnostics.first?.hint?.contains("encrypted, external, monitored") == true)
        // The compiler refuses it as well: nothing can run with it.
        #expect(throws: DiagnosticList.self) { try Pipeline.compile(yaml: yaml, file: "t.yaml") }
    }

    @Test("an attribute only some channels declare is accepted (missing counts as false)")
    func customAttribute() throws {
        let yaml = Self.policy(rules: "  - { id: r, detectors: [card], channels: { monitored: true }, action: block }")
        let (pipeline, diagnostics) = Self.check(yaml)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(pipeline?.rules.rules(on: "desk").map(\.id) == ["r"])
        #expect(pipeline?.rules.rules(on: "chat").isEmpty == true)
    }

    @Test("a rule whose selector matches no channel, or that names no channel, is a P101 warning at the rule")
    func ruleAppliesNowhere() {
        let yaml = Self.policy(rules: """
              - { id: all, detectors: [card], channels: "*", action: block }
              - { id: internal-unencrypted, detectors: [card], channels: { encrypted: false, external: false }, action: flag }
              - { id: empty, detectors: [card], channels: [], action: flag }
            """)
        let (pipeline, diagnostics) = Self.check(yaml)
        #expect(pipeline != nil)
        let p101 = diagnostics.filter { $0.code == PolicyCode.ruleAppliesNowhere }
        #expect(p101.map(\.description) == [
            "t.yaml:11:11: warning[P101]: rule 'internal-unencrypted' applies to no channel",
            "t.yaml:12:11: warning[P101]: rule 'empty' applies to no channel",
        ])
        #expect(p101.allSatisfy { $0.severity == .warning && $0.hint?.contains("chat, portal, desk") == true })
    }

    @Test("a detector no rule uses is a P102 warning at its id")
    func unusedDetector() {
        let yaml = Self.policy(detectors: "  card: { kind: payment_card }\n  nino: { kind: uk_nino }",
                               rules: "  - { id: r, detectors: [card], channels: \"*\", action: block }")
        let diagnostics = Self.check(yaml).1
        #expect(diagnostics.map(\.description) == ["t.yaml:4:3: warning[P102]: detector 'nino' is used by no rule"])
        #expect(diagnostics.first?.hint?.contains("allow") == true)
    }

    @Test("a rule beaten on every channel and detector it names is a P103 warning naming the winner")
    func shadowedRule() {
        let yaml = Self.policy(rules: """
              - { id: block-everywhere, detectors: [card], channels: "*", action: block }
              - { id: flag-on-chat, detectors: [card], channels: [chat], action: flag }
              - { id: block-five, detectors: [card], channels: "*", action: block, min_instances: 5 }
            """)
        let diagnostics = Self.check(yaml).1
        #expect(diagnostics.map(\.description) == [
            "t.yaml:11:11: warning[P103]: rule 'flag-on-chat' never decides anything: 'block-everywhere' is at least as strict on every channel and detector it names",
            "t.yaml:12:11: warning[P103]: rule 'block-five' never decides anything: 'block-everywhere' is at least as strict on every channel and detector it names",
        ])
    }

    @Test("a stricter rule on only some channels, or one with a threshold, does not shadow")
    func partialOverlapIsNotShadowing() {
        let yaml = Self.policy(detectors: "  card: { kind: payment_card }\n  nino: { kind: uk_nino }", rules: """
              - { id: redact-nino, detectors: [nino], channels: "*", action: redact }
              - { id: bulk-nino, detectors: [nino], channels: "*", action: block, min_instances: 5 }
              - { id: block-chat, detectors: [card, nino], channels: [chat], action: block }
              - { id: flag-cards, detectors: [card], channels: "*", action: flag }
            """)
        let (pipeline, diagnostics) = Self.check(yaml)
        #expect(pipeline != nil)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
    }

    @Test("a double-quoted pattern whose \\b became a backspace is a P104 warning suggesting single quotes")
    func controlCharactersInPattern() {
        let yaml = Self.policy(detectors: """
              card: { kind: payment_card }
              order:
                kind: regex
                pattern: "\\bORD-[0-9]{8}\\b"
              ticket:
                kind: regex
                pattern: '\\bTKT-[0-9]{6}\\b'
            """, rules: "  - { id: r, detectors: '*', channels: \"*\", action: block }")
        let (pipeline, diagnostics) = Self.check(yaml)
        #expect(pipeline != nil)
        #expect(diagnostics.count == 1, "\(diagnostics.map(\.description))")
        #expect(diagnostics.first?.description.hasPrefix("t.yaml:6:14: warning[P104]: this double-quoted pattern holds a backspace (from \\b)") == true)
        #expect(diagnostics.first?.hint?.contains("single quotes") == true)
    }

    @Test("every shipped policy is free of warnings", arguments: ["uk-default", "pci-strict", "gdpr-strict"])
    func shippedPoliciesHaveNoWarnings(_ name: String) throws {
        let source = PolicySource.file(PolicyExamplesTests.policiesDirectory.path + "/\(name).yaml")
        let (pipeline, diagnostics) = source.check(key: Array("k".utf8))
        #expect(pipeline != nil)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
    }

    @Test("a misspelt required key: the 'did you mean' comes before the 'needs a' it causes")
    func rootCauseFirst() {
        let yaml = """
            name: t
            detectors:
              order:
                kind: regex
                patern: 'ORD-[0-9]{8}'
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chat
            rules:
              - { id: r, detectors: [order], channels: "*", acton: block }
            """
        let rendered = Self.check(yaml).1.map(\.description)
        #expect(rendered == [
            "t.yaml:5:5: error[P002]: unknown key 'patern' in detector 'order'; did you mean 'pattern'?",
            "t.yaml:5:5: error[P004]: regex detector 'order' needs a 'pattern' ('patern' is not 'pattern')",
            "t.yaml:10:49: error[P002]: unknown key 'acton' in rule; did you mean 'action'?",
            "t.yaml:10:49: error[P004]: rule 'r' needs an 'action' (allow, flag, redact, block) ('acton' is not 'action')",
        ])
    }

    @Test("a misspelt required channel attribute is named at the misspelling")
    func misspeltChannelAttribute() {
        let yaml = Self.policy(rules: "  - { id: r, detectors: [card], channels: \"*\", action: block }")
            .replacingOccurrences(of: "chat: { encrypted: false", with: "chat: { encrytped: false")
        #expect(Self.check(yaml).1.map(\.description) == [
            "t.yaml:5:11: error[P004]: channel 'chat' needs 'encrypted: true|false'; did you mean 'encrypted' for 'encrytped'?",
        ])
    }
}

/// YAML syntax errors show the line, a caret and, for the common mistakes, what to change.
@Suite("YAML syntax hints")
struct SyntaxHintTests {
    static func only(_ yaml: String) -> Diagnostic? {
        let diagnostics = PolicyWarningsTests.check(yaml).1
        #expect(diagnostics.count == 1)
        return diagnostics.first
    }

    @Test("a tab in the indentation: the line, a caret at the tab, and a hint")
    func tab() throws {
        let diagnostic = try #require(Self.only("name: t\ndetectors:\n\tcard: { kind: payment_card }\n"))
        #expect(diagnostic.code == PolicyCode.syntax)
        #expect(diagnostic.location?.line == 3 && diagnostic.location?.column == 1)
        #expect(diagnostic.hint == "YAML indentation must be spaces: line 3 has a tab")
        #expect(diagnostic.detailed.contains("    3 |  card: { kind: payment_card }\n      | ^\n"))
    }

    @Test("an unclosed quote points at the opening quote, not the end of the file")
    func unclosedQuote() throws {
        let diagnostic = try #require(Self.only("name: \"uk\ndetectors: {}\nchannels: {}\n"))
        #expect(diagnostic.location?.line == 1 && diagnostic.location?.column == 7)
        #expect(diagnostic.hint?.contains("never closed") == true)
        #expect(diagnostic.detailed.contains("    1 | name: \"uk\n      |       ^"))
    }

    @Test("a key indented out of line gets an indentation hint")
    func indentation() throws {
        let diagnostic = try #require(Self.only("name: t\ndetectors:\n  card:\n    kind: regex\n   pattern: x\n"))
        #expect(diagnostic.location?.line == 5)
        #expect(diagnostic.hint?.contains("indentation") == true)
    }

    @Test("a regex escape in double quotes is a syntax error whose hint says single quotes")
    func escapeInDoubleQuotes() throws {
        let diagnostic = try #require(Self.only("name: t\ndetectors:\n  d:\n    kind: regex\n    pattern: \"\\d+\"\n"))
        #expect(diagnostic.location?.line == 5)
        #expect(diagnostic.hint?.contains("single quotes") == true)
    }
}
