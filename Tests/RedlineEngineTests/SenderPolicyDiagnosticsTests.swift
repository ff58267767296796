import Testing
import RedlineCore
import RedlineEngine
import RedlinePolicy

/// Issue 19: every mistake in `senders:`, a rule's `senders:` or `override:` points at its line
/// and column, with "did you mean" where there is a near name.
@Suite("Sender and override policy diagnostics")
struct SenderPolicyDiagnosticsTests {
    static func policy(senders: String, rules: String) -> String {
        """
        name: t
        senders:
        \(senders)
        detectors:
          card: { kind: payment_card }
          postcode: { kind: uk_postcode }
        channels:
          chat: { encrypted: false, external: true }
        default_channel: chat
        rules:
        \(rules)
        """
    }

    static let leads = "  team-leads: { addresses: [\"*@leads.example.co.uk\"] }"

    @Test("an unknown group in a rule's senders is an error at the name, with did you mean")
    func unknownGroupInRule() {
        let yaml = Self.policy(senders: Self.leads, rules: "  - { id: r, detectors: [postcode], senders: [team-lead], action: block }")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:11:47: error[P018]: unknown sender group 'team-lead' in the senders of rule 'r'; did you mean 'team-leads'?"])
    }

    @Test("an unknown group in an override's 'by' is an error at the name")
    func unknownGroupInOverride() {
        let yaml = Self.policy(senders: Self.leads, rules: """
              - id: r
                detectors: [postcode]
                action: block
                override: { by: [teamleads], becomes: flag }
            """)
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:14:22: error[P018]: unknown sender group 'teamleads' in who may override rule 'r'; did you mean 'team-leads'?"])
    }

    @Test("a misspelt key of a group or an override is reported with did you mean; 'becomes' is flag or allow")
    func misspeltKeys() {
        let yaml = Self.policy(senders: "  team-leads: { adresses: [\"*@leads.example.co.uk\"] }", rules: """
              - id: r
                detectors: [postcode]
                action: block
                override: { by: "*", becomes: block, min_lenght: 5 }
            """)
        #expect(TestPolicy.rendered(yaml) == [
            "t.yaml:3:17: error[P002]: unknown key 'adresses' in sender group 'team-leads'; did you mean 'addresses'?",
            "t.yaml:3:17: error[P004]: sender group 'team-leads' matches nobody: give 'addresses', 'domains', 'logins' or 'tokens' ('adresses' is not 'addresses')",
            "t.yaml:14:35: error[P010]: becomes must be one of flag, allow, got 'block'",
            "t.yaml:14:42: error[P002]: unknown key 'min_lenght' in override of rule 'r'; did you mean 'min_length'?",
        ])
    }

    @Test("'override: nevr' suggests 'never'; a missing 'by' is reported")
    func overrideScalarAndMissingBy() {
        let yaml = Self.policy(senders: Self.leads, rules: """
              - { id: a, detectors: [card], action: block, override: nevr }
              - { id: b, detectors: [postcode], action: block, override: { becomes: flag } }
            """)
        #expect(TestPolicy.rendered(yaml) == [
            "t.yaml:11:58: error[P010]: override must be 'never' or a mapping { by, justification, min_length, becomes }, got 'nevr'; did you mean 'never'?",
            "t.yaml:12:62: error[P004]: override of rule 'b' needs 'by' (sender groups that may override, or '*' for anyone)",
        ])
    }

    @Test("'default' cannot be declared; an address pattern needs one '@'; a domain pattern none")
    func badGroupDeclarations() {
        let yaml = Self.policy(senders: """
              default: { logins: [x] }
              billing: { addresses: ["billing.example.co.uk"], domains: ["a@b.example"] }
            """, rules: "  - { id: r, detectors: [card], action: block }")
        #expect(TestPolicy.rendered(yaml) == [
            "t.yaml:3:3: error[P010]: 'default' cannot be declared: 'default' is the group of senders in no other group",
            "t.yaml:4:26: error[P010]: 'billing.example.co.uk' is not an address pattern: write 'name@example.co.uk' or '*@example.co.uk' (domains alone go under 'domains')",
            "t.yaml:4:62: error[P010]: 'a@b.example' is not a domain pattern: write 'example.co.uk' or '*.example.co.uk' (addresses go under 'addresses')",
        ])
    }

    @Test("'default' may be named in a rule without being declared, and the policy compiles")
    func defaultIsKnown() throws {
        let yaml = Self.policy(senders: Self.leads, rules: """
              - id: r
                detectors: [postcode]
                senders: [default, team-leads]
                action: block
                override: { by: [team-leads], min_length: 15, becomes: flag }
            """)
        #expect(TestPolicy.rendered(yaml).isEmpty)
        let pipeline = try TestPolicy.pipeline(yaml)
        #expect(pipeline.senders.names == ["team-leads", "default"])
    }

    @Test("an override that changes nothing and an overridable card rule are warned about")
    func overrideWarnings() {
        let yaml = Self.policy(senders: Self.leads, rules: """
              - { id: cards, detectors: [card], action: block, override: { by: "*", becomes: flag } }
              - { id: post, detectors: [postcode], action: flag, override: { by: "*", becomes: flag } }
            """)
        let (pipeline, diagnostics) = Pipeline.check(yaml: yaml, file: "t.yaml", key: Array("k".utf8))
        #expect(pipeline != nil)
        #expect(diagnostics.map(\.description) == [
            "t.yaml:11:62: warning[P105]: rule 'cards' lets senders override it for card data (card)",
            "t.yaml:12:64: warning[P105]: the override of rule 'post' changes nothing: it becomes 'flag' and the rule's action is 'flag'",
        ])
    }
}
