import Testing
import RedlineCore
import RedlineEngine
import RedlinePolicy

/// Issue 19: sender groups, rules scoped to senders, overrides with a justification.
@Suite("Sender groups, scoped rules and overrides")
struct SenderPolicyTests {
    static let yaml = """
        name: senders-test
        senders:
          team-leads: { addresses: ["lead@example.co.uk", "*@leads.example.co.uk"], logins: [jsmith], tokens: [helpdesk] }
          billing: { domains: ["billing.example.co.uk", "*.billing.example.co.uk"] }
        detectors:
          card: { kind: payment_card }
          iban: { kind: iban }
          postcode: { kind: uk_postcode }
          phone: { kind: uk_phone }
        channels:
          chat: { encrypted: false, external: true }
          portal: { encrypted: true, external: true }
        default_channel: chat
        rules:
          - id: cards
            detectors: [card]
            action: block
            override: never
          - id: iban-billing-portal
            detectors: [iban]
            channels: [portal]
            senders: [billing]
            action: allow
          - id: iban-everyone-else
            detectors: [iban]
            senders: { except: [billing] }
            action: redact
          - id: postcode-external
            detectors: [postcode]
            action: block
            message: Customer addresses do not leave by chat
            tip: Send it through the secure portal instead
            override: { by: [team-leads], justification: required, min_length: 15, becomes: flag }
          - id: phone-anyone
            detectors: [phone]
            action: redact
            override: { by: "*", becomes: allow }
          - id: phone-floor
            detectors: [phone]
            action: flag
        """

    static func pipeline() throws -> Pipeline { try TestPolicy.pipeline(yaml) }

    static let iban = "Pay GB82 WEST 1234 5698 7654 32 today"
    static let postcode = "Deliver to Flat 2, 8 High St, Bristol BS1 4DJ please"
    static let card = "card 4111 1111 1111 1111"
    static let phone = "call me on mob +44 7700 900456"

    static func scan(_ text: String, _ pipeline: Pipeline, sender: SenderIdentity = SenderIdentity(),
                     overrides: [OverrideRequest] = [], channel: String = "chat") -> ScanResult {
        let session = pipeline.makeSession()
        session.sender = pipeline.senderContext(sender, overrides: overrides)
        return session.scan(Array(text.utf8), channel: channel)
    }

    static func ask(_ rule: String, _ why: String) -> OverrideRequest { OverrideRequest(rule: rule, justification: why, origin: "option") }

    // MARK: group matching

    @Test("a sender is put in groups by SASL login, exact address, address pattern, domain and token; otherwise in default")
    func groupMatching() throws {
        let senders = try Self.pipeline().senders
        #expect(senders.groups(of: SenderIdentity(login: "jsmith")) == ["team-leads"])
        #expect(senders.groups(of: SenderIdentity(address: "Lead@Example.co.uk")) == ["team-leads"])
        #expect(senders.groups(of: SenderIdentity(address: "<ann@leads.example.co.uk>")) == ["team-leads"])
        #expect(senders.groups(of: SenderIdentity(address: "bob@billing.example.co.uk")) == ["billing"])
        #expect(senders.groups(of: SenderIdentity(address: "bob@eu.billing.example.co.uk")) == ["billing"])
        #expect(senders.groups(of: SenderIdentity(token: "helpdesk")) == ["team-leads"])
        #expect(senders.groups(of: SenderIdentity(address: "eve@example.co.uk")) == ["default"])
        #expect(senders.groups(of: SenderIdentity(address: "bob@notbilling.example.co.uk")) == ["default"])
        #expect(senders.groups(of: SenderIdentity(login: "JSMITH")) == ["default"], "logins are exact")
        #expect(senders.groups(of: SenderIdentity()) == ["default"])
        #expect(senders.groups(of: SenderIdentity(address: "lead@example.co.uk", login: "x")) == ["team-leads"])
        // A lookalike address does not match an exact entry.
        #expect(senders.groups(of: SenderIdentity(address: "lead@example.co.uk.evil.test")) == ["default"])
    }

    @Test("a sender matching several groups is in each of them")
    func severalGroups() throws {
        let pipeline = try TestPolicy.pipeline("""
            name: t
            senders:
              a: { domains: [example.co.uk] }
              b: { logins: [sam] }
            detectors: { card: { kind: payment_card } }
            channels: { chat: { encrypted: false, external: true } }
            default_channel: chat
            rules: [{ id: r, detectors: [card], action: block }]
            """)
        #expect(pipeline.senders.groups(of: SenderIdentity(address: "sam@example.co.uk", login: "sam")) == ["a", "b"])
    }

    // MARK: rule scoping

    @Test("a rule scoped to billing applies to billing only; 'except' covers everyone else")
    func ruleScoping() throws {
        let pipeline = try Self.pipeline()
        let billing = SenderIdentity(address: "bob@billing.example.co.uk")
        let other = SenderIdentity(address: "eve@example.co.uk")
        #expect(Self.scan(Self.iban, pipeline, sender: billing, channel: "portal").verdict == .allow)
        #expect(Self.scan(Self.iban, pipeline, sender: billing, channel: "portal").findings.first?.rule == "iban-billing-portal")
        #expect(Self.scan(Self.iban, pipeline, sender: other, channel: "portal").verdict == .redact)
        #expect(Self.scan(Self.iban, pipeline, sender: other, channel: "portal").findings.first?.rule == "iban-everyone-else")
        #expect(Self.scan(Self.iban, pipeline, channel: "portal").verdict == .redact, "no sender is the default group")
        #expect(Self.scan(Self.iban, pipeline, sender: SenderIdentity(group: "billing"), channel: "portal").verdict == .allow)
    }

    @Test("most restrictive wins among the rules that apply to the sender")
    func mostRestrictiveAmongApplying() throws {
        let pipeline = try TestPolicy.pipeline("""
            name: t
            senders: { billing: { domains: [billing.example.co.uk] } }
            detectors: { iban: { kind: iban } }
            channels: { chat: { encrypted: false, external: true } }
            default_channel: chat
            rules:
              - { id: billing-allow, detectors: [iban], senders: [billing], action: allow }
              - { id: everyone-redact, detectors: [iban], action: redact }
            """)
        let result = Self.scan(Self.iban, pipeline, sender: SenderIdentity(address: "a@billing.example.co.uk"))
        #expect(result.verdict == .redact)
        #expect(result.findings.first?.rule == "everyone-redact")
    }

    // MARK: overrides

    @Test("an allowed override lowers the rule to its 'becomes' action and marks the finding overridden")
    func overrideAllowed() throws {
        let pipeline = try Self.pipeline()
        let lead = SenderIdentity(login: "jsmith")
        let request = Self.ask("postcode-external", "courier needs the delivery address today")
        let context = pipeline.senderContext(lead, overrides: [request])
        #expect(context.granted.count == 1)
        #expect(context.refused.isEmpty)
        let result = Self.scan(Self.postcode, pipeline, sender: lead, overrides: [request])
        #expect(result.verdict == .flag)
        #expect(result.findings.first?.rule == "postcode-external")
        #expect(result.findings.first?.overriddenRule == "postcode-external")
        #expect(result.findings.first?.overriddenAction == .block)
        // Without the override the same sender is blocked.
        #expect(Self.scan(Self.postcode, pipeline, sender: lead).verdict == .block)
        #expect(Self.scan(Self.postcode, pipeline, sender: lead).findings.first?.overriddenRule == nil)
    }

    @Test("an override by a sender outside 'by' is refused and the block stands")
    func overrideNotAllowed() throws {
        let pipeline = try Self.pipeline()
        let request = Self.ask("postcode-external", "courier needs the delivery address today")
        let eve = SenderIdentity(address: "eve@example.co.uk")
        let outcome = try #require(pipeline.senderContext(eve, overrides: [request]).overrides.first)
        #expect(!outcome.granted)
        #expect(outcome.refusal == "rule 'postcode-external' can be overridden only by senders in team-leads; the sender is in default")
        #expect(Self.scan(Self.postcode, pipeline, sender: eve, overrides: [request]).verdict == .block)
    }

    @Test("a rule marked 'override: never' cannot be lowered by anyone")
    func overrideNever() throws {
        let pipeline = try Self.pipeline()
        let request = Self.ask("cards", "the customer asked for their card number back")
        let lead = SenderIdentity(login: "jsmith")
        let outcome = try #require(pipeline.senderContext(lead, overrides: [request]).overrides.first)
        #expect(!outcome.granted)
        #expect(outcome.refusal == "rule 'cards' cannot be overridden")
        #expect(Self.scan(Self.card, pipeline, sender: lead, overrides: [request]).verdict == .block)
    }

    @Test("a justification shorter than min_length is refused; spaces around it do not count")
    func shortJustification() throws {
        let pipeline = try Self.pipeline()
        let lead = SenderIdentity(login: "jsmith")
        let short = try #require(pipeline.senderContext(lead, overrides: [Self.ask("postcode-external", "   courier    ")]).overrides.first)
        #expect(!short.granted)
        #expect(short.refusal == "the justification is too short: 7 characters, rule 'postcode-external' needs at least 15")
        let empty = try #require(pipeline.senderContext(lead, overrides: [Self.ask("postcode-external", "")]).overrides.first)
        #expect(empty.refusal == "overriding rule 'postcode-external' needs a justification (at least 15 characters)")
        #expect(Self.scan(Self.postcode, pipeline, sender: lead, overrides: [Self.ask("postcode-external", "courier")]).verdict == .block)
        // Exactly the minimum is enough.
        #expect(pipeline.senderContext(lead, overrides: [Self.ask("postcode-external", "fifteen chars!!")]).granted.count == 1)
    }

    @Test("an override of an unknown rule is refused with a suggestion")
    func unknownRule() throws {
        let pipeline = try Self.pipeline()
        let outcome = try #require(pipeline.senderContext(SenderIdentity(login: "jsmith"),
                                                          overrides: [Self.ask("postcode-externl", "courier needs the address")]).overrides.first)
        #expect(!outcome.granted)
        #expect(outcome.refusal == "the policy has no rule by that name; did you mean 'postcode-external'?")
        #expect(outcome.ruleName == "(unknown rule)", "the sender's own text is not repeated")
    }

    @Test("'by: *' lets anyone override; a stricter rule that still applies keeps deciding")
    func anyoneAndFloor() throws {
        let pipeline = try Self.pipeline()
        let request = Self.ask("phone-anyone", "the customer asked to be called back")
        // phone-anyone (redact) becomes allow, but phone-floor (flag, not overridden) still applies.
        let result = Self.scan(Self.phone, pipeline, overrides: [request])
        #expect(result.verdict == .flag)
        #expect(result.findings.first?.rule == "phone-floor")
        #expect(result.findings.first?.overriddenRule == "phone-anyone")
        #expect(result.findings.first?.overriddenAction == .redact)
    }

    @Test("several requests are each judged on their own")
    func severalRequests() throws {
        let pipeline = try Self.pipeline()
        let lead = SenderIdentity(login: "jsmith")
        let context = pipeline.senderContext(lead, overrides: [
            Self.ask("cards", "the customer asked for it back"),
            Self.ask("postcode-external", "courier needs the delivery address today"),
            Self.ask("nope", "whatever reason is long enough"),
        ])
        #expect(context.overrides.map(\.granted) == [false, true, false])
        let session = pipeline.makeSession()
        session.sender = context
        #expect(session.scan(Array((Self.postcode + " " + Self.card).utf8), channel: "chat").findings.map(\.action).sorted() == [.flag, .block])
    }

    // MARK: tips and how to override

    @Test("the sender notice gives the message, the tip and how to ask for an override")
    func senderNotice() throws {
        let rules = try Self.pipeline().rules
        #expect(rules.senderNotice("postcode-external", groups: ["team-leads"], via: .mailHeader)
                == "Customer addresses do not leave by chat. Tip: Send it through the secure portal instead. "
                + "To override, add the header 'X-Redline-Override: postcode-external; your justification' (a justification of at least 15 characters, which is recorded); it becomes flag.")
        #expect(rules.senderNotice("postcode-external", groups: ["default"], via: .commandLine)
                == "Customer addresses do not leave by chat. Tip: Send it through the secure portal instead. "
                + "Senders in team-leads may override rule 'postcode-external' with a justification.")
        #expect(rules.senderNotice("cards", groups: ["team-leads"], via: .api) == nil)
        #expect(rules.howToOverride("phone-anyone", groups: ["default"], via: .commandLine)
                == "to override, pass --override 'phone-anyone=your justification' (a justification of at least 10 characters, which is recorded); it becomes allow")
    }

    @Test("OverrideRequest parses RULE-ID=JUSTIFICATION and refuses text without a rule")
    func optionParsing() {
        #expect(OverrideRequest(option: "postcode-external=courier needs it = today") ==
                OverrideRequest(rule: "postcode-external", justification: "courier needs it = today", origin: "option"))
        #expect(OverrideRequest(option: "no equals sign") == nil)
        #expect(OverrideRequest(option: "=reason only") == nil)
    }
}
