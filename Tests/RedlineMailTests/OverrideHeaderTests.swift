import Foundation
import Testing
import RedlineCore
import RedlineEngine
@testable import RedlineMail

/// Issue 19: `X-Redline-Override: RULE-ID; justification` in mail — judged for the sender the
/// caller established, removed before the message goes on, the rest byte-identical.
@Suite("X-Redline-Override in mail")
struct OverrideHeaderTests {
    static let yaml = """
        name: override-mail
        senders:
          team-leads: { addresses: ["*@leads.example.co.uk"], logins: [jsmith] }
        detectors:
          card: { kind: payment_card }
          postcode: { kind: uk_postcode, redaction: label, label: "[POSTCODE]" }
        channels:
          email-external: { encrypted: false, external: true }
        default_channel: email-external
        rules:
          - { id: card-never-leaves, detectors: [card], action: block, override: never, message: "Cards never leave" }
          - id: postcode-external
            detectors: [postcode]
            action: block
            message: "Customer addresses do not leave"
            tip: "Use the courier portal instead"
            override: { by: [team-leads], justification: required, min_length: 15, becomes: flag }
        """

    static let pipeline: Pipeline = {
        do { return try Pipeline.compile(yaml: yaml, file: "t.yaml", key: Array("k".utf8)) } catch { fatalError("\(error)") }
    }()

    static func session(_ identity: SenderIdentity) -> PipelineSession {
        let session = pipeline.makeSession()
        session.sender = pipeline.senderContext(identity)
        return session
    }

    static let lead = SenderIdentity(address: "jo@leads.example.co.uk")
    static let header = "X-Redline-Override: postcode-external; courier needs the address for today's delivery\r\n"

    static func message(override: String = header, body: String = "Deliver to Flat 2, 8 High St, Bristol BS1 4DJ please.\r\n") -> [UInt8] {
        Array(("From: Jo <jo@leads.example.co.uk>\r\nTo: courier@parcels.example.net\r\nSubject: delivery\r\n"
               + override + "Message-ID: <m1@leads.example.co.uk>\r\n\r\n" + body).utf8)
    }

    /// `message` without `remove`, with `stamp` inserted where the header ends.
    static func expected(_ message: [UInt8], removing remove: String, stamp: String) -> [UInt8] {
        var text = String(decoding: message, as: UTF8.self)
        text = text.replacingOccurrences(of: remove, with: "")
        let end = text.range(of: "\r\n\r\n")!
        text.insert(contentsOf: "\r\n" + stamp.dropLast(), at: end.lowerBound)   // "\r\n" is one Character
        return Array(text.utf8)
    }

    @Test("an allowed override: flagged, X-Redline-Overridden added, the override header removed, everything else byte-identical")
    func allowedOverride() {
        let original = Self.message()
        let (output, verdict) = MailProcessor.redact(original, session: Self.session(Self.lead))
        #expect(verdict.verdict == .flag)
        #expect(verdict.overriddenRules == ["postcode-external"])
        #expect(verdict.sender.granted.map(\.request.origin) == ["header"])
        let stamp = "X-Redline-Verdict: flag\r\nX-Redline-Findings: postcode=1\r\n"
            + "X-Redline-Overridden: postcode-external (would block; the sender's justification is recorded)\r\n"
        #expect(Fixture.text(output) == Fixture.text(Self.expected(original, removing: Self.header, stamp: stamp)))
        #expect(!Fixture.text(output).contains("courier needs"))
    }

    @Test("the override header of an unauthenticated or ungrouped sender counts as 'default': refused, blocked, the reason given")
    func defaultSenderRefused() {
        let original = Self.message()
        let (output, verdict) = MailProcessor.redact(original, session: Self.session(SenderIdentity()))
        #expect(verdict.verdict == .block)
        #expect(verdict.sender.refused.first?.refusal == "rule 'postcode-external' can be overridden only by senders in team-leads; the sender is in default")
        #expect(!Fixture.text(output).contains("X-Redline-Override:"))
        let text = SenderText.blockReason(verdict, pipeline: Self.pipeline, via: .mailHeader)
        #expect(text == "Customer addresses do not leave. Override of rule 'postcode-external' refused: rule 'postcode-external' can be overridden "
                + "only by senders in team-leads; the sender is in default. Tip: Use the courier portal instead. "
                + "Senders in team-leads may override rule 'postcode-external' with a justification.")
    }

    @Test("a justification that is too short is refused and the block stands")
    func shortJustification() {
        let (_, verdict) = MailProcessor.redact(Self.message(override: "X-Redline-Override: postcode-external; courier\r\n"), session: Self.session(Self.lead))
        #expect(verdict.verdict == .block)
        #expect(verdict.sender.refused.first?.refusal == "the justification is too short: 7 characters, rule 'postcode-external' needs at least 15")
    }

    @Test("'override: never' holds against any header; several headers are each judged on their own")
    func neverAndSeveral() {
        let headers = "X-Redline-Override: card-never-leaves; the customer asked for the card number back\r\n" + Self.header
        let body = "Card 4111 1111 1111 1111, deliver to Flat 2, 8 High St, Bristol BS1 4DJ.\r\n"
        let (output, verdict) = MailProcessor.redact(Self.message(override: headers, body: body), session: Self.session(Self.lead))
        #expect(verdict.verdict == .block)
        #expect(verdict.sender.overrides.map(\.granted) == [false, true])
        #expect(verdict.findings.first { $0.detector == "postcode" }?.action == .flag)
        #expect(verdict.findings.first { $0.detector == "card" }?.action == .block)
        #expect(!Fixture.text(output).contains("X-Redline-Override"))
    }

    @Test("a malformed header is ignored with a diagnostic that does not quote it; the decision stands; it is removed")
    func malformed() {
        let header = "X-Redline-Override: please let this through BS1 4DJ\r\n"
        let (output, verdict) = MailProcessor.redact(Self.message(override: header), session: Self.session(Self.lead))
        #expect(verdict.verdict == .block)
        let diagnostic = verdict.diagnostics.first { $0.code == MailCode.malformedOverride }
        #expect(diagnostic?.message == "X-Redline-Override header 1 is not 'RULE-ID; justification': ignored, the policy's decision stands")
        #expect(!Fixture.text(output).contains("please let this through"))
    }

    @Test("an RFC 2047 encoded header is decoded and honoured")
    func encodedWord() {
        let text = "postcode-external; Kurier braucht die Adresse für die Lieferung heute"
        let header = "X-Redline-Override: =?utf-8?B?\(Data(text.utf8).base64EncodedString())?=\r\n"
        let (output, verdict) = MailProcessor.redact(Self.message(override: header), session: Self.session(Self.lead))
        #expect(verdict.verdict == .flag)
        #expect(verdict.sender.granted.first?.request.justification == "Kurier braucht die Adresse für die Lieferung heute")
        #expect(!Fixture.text(output).contains("X-Redline-Override"))
    }

    @Test("a clean message with an override header comes back byte-identical except for the removed header, unstamped")
    func cleanMessage() {
        let original = Self.message(body: "Your parcel is on its way.\r\n")
        let (output, verdict) = MailProcessor.redact(original, session: Self.session(Self.lead))
        #expect(verdict.verdict == .allow)
        #expect(output == Array(Fixture.text(original).replacingOccurrences(of: Self.header, with: "").utf8))
    }

    @Test("a card number pasted into the justification is not message content: it does not block, and does not go on")
    func valueInJustification() {
        let header = "X-Redline-Override: postcode-external; customer's card 4111 1111 1111 1111 was refunded already\r\n"
        let (output, verdict) = MailProcessor.redact(Self.message(override: header), session: Self.session(Self.lead))
        #expect(verdict.verdict == .flag)
        #expect(!Fixture.text(output).contains("4111"))
    }

    @Test("the header claims nothing: a group named in it is just text of the justification")
    func headerCannotClaimGroup() {
        let header = "X-Redline-Override: postcode-external; group=team-leads, I am a team lead honestly\r\n"
        let (_, verdict) = MailProcessor.redact(Self.message(override: header), session: Self.session(SenderIdentity(address: "eve@example.net")))
        #expect(verdict.verdict == .block)
        #expect(verdict.sender.groups == ["default"])
    }

    @Test("a forwarded message's X-Redline-Override is content: scanned, kept, not a request")
    func forwardedHeaderIsContent() {
        let inner = "From: a@b.example\r\nX-Redline-Override: postcode-external; forwarded reason long enough\r\n\r\nhello\r\n"
        let message = "From: Jo <jo@leads.example.co.uk>\r\nTo: x@example.net\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n" + inner
        let (output, verdict) = MailProcessor.redact(Array(message.utf8), session: Self.session(Self.lead))
        #expect(verdict.sender.overrides.isEmpty)
        #expect(output == Array(message.utf8))
    }

    @Test("sendmail takes the sender from -f, else From")
    func sendmailSender() {
        #expect(SendmailWrapper.parse(["-f", "jo@leads.example.co.uk", "-oi", "x@example.net"]).sender == "jo@leads.example.co.uk")
        #expect(SendmailWrapper.parse(["-fjo@leads.example.co.uk", "x@example.net"]).sender == "jo@leads.example.co.uk")
        #expect(SendmailWrapper.parse(["-oi", "x@example.net"]).sender == nil)
        #expect(MailProcessor.fromAddress(Self.message()) == "jo@leads.example.co.uk")
    }

    @Test("redline sendmail: -f decides the group; an allowed override is sent without its header and said on stderr; a refused one is not sent and stderr says why, with the tip")
    func sendmailPath() throws {
        let standIn = try SendmailWrapperTests.StandIn()
        var errors: [String] = []
        let sent = SendmailWrapper.run(arguments: ["-f", "jo@leads.example.co.uk", "courier@parcels.example.net"], input: Self.message(),
                                       sendmailPath: standIn.script, session: Self.pipeline.makeSession()) { errors.append($0) }
        #expect(sent == 0)
        #expect(errors == ["redline: rule 'postcode-external' overridden at your request; your justification is recorded"])
        let delivered = Fixture.text(try #require(standIn.recordedInput))
        #expect(!delivered.contains("X-Redline-Override:"))
        #expect(delivered.contains("X-Redline-Overridden: postcode-external"))

        let refusedStandIn = try SendmailWrapperTests.StandIn()
        errors = []
        let refused = SendmailWrapper.run(arguments: ["-f", "eve@example.net", "courier@parcels.example.net"], input: Self.message(),
                                          sendmailPath: refusedStandIn.script, session: Self.pipeline.makeSession()) { errors.append($0) }
        #expect(refused == SendmailWrapper.blockedExitCode)
        #expect(refusedStandIn.recordedInput == nil)
        let text = errors.joined(separator: "\n")
        #expect(text.hasPrefix("redline: message not sent: Customer addresses do not leave (rule 'postcode-external')\n"
                               + "redline: Override of rule 'postcode-external' refused: rule 'postcode-external' can be overridden only by senders in team-leads; the sender is in default.\n"
                               + "redline: Tip: Use the courier portal instead.\n"
                               + "redline: Senders in team-leads may override rule 'postcode-external' with a justification.\n"))
        #expect(!text.contains("courier needs"))
    }
}
