import Testing
import RedlineCore
import RedlineEngine
@testable import RedlineMail

/// Redacting inside a signed part would break its signature (the recipient sees a tampered
/// message), so such a message is blocked, unchanged, with the reason; everything a signature
/// does not cover is handled as usual.
@Suite("Signed messages")
struct SignedMessageTests {
    static func signed(subject: String = "your account", body: String) -> [UInt8] {
        Fixture.crlf("""
            From: Support <support@example.co.uk>
            To: jane@gmail.com
            Subject: \(subject)
            MIME-Version: 1.0
            Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"

            --sig
            Content-Type: text/plain; charset=utf-8

            \(body)
            --sig
            Content-Type: application/pkcs7-signature; name="smime.p7s"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="smime.p7s"

            MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIE
            --sig--

            """)
    }

    @Test("a signed part that needs redaction blocks the message with the reason, instead of breaking the signature")
    func signedRedactionBlocks() {
        let verdict = Fixture.check(Self.signed(body: "Your NI number is JG 10 37 55 A."))
        #expect(verdict.verdict == .block)
        #expect(verdict.reason?.contains("signature") == true)
        #expect(verdict.diagnostics.contains { $0.code == MailCode.signedPartNeedsRedaction })
        #expect(verdict.findings.map(\.detector) == ["nino"])
    }

    @Test("the signature part is not an unscanned attachment, and a clean signed message is allowed unchanged")
    func signatureIsNotAnAttachment() {
        let message = Self.signed(body: "Thanks for your patience, your refund is on its way.")
        let (output, verdict) = MailProcessor.redact(message, session: Fixture.session())
        #expect(verdict.verdict == .allow)
        #expect(verdict.unscannedAttachments.isEmpty)
        #expect(output == message)
    }

    @Test("a flag in a signed part only adds headers (outside the signature)")
    func flagStillFlags() {
        let message = Self.signed(body: "Please call us on 0161 496 0000.")
        let (output, verdict) = MailProcessor.redact(message, session: Fixture.session())
        #expect(verdict.verdict == .flag)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.contains("X-Redline-Verdict: flag"))
        #expect(text.contains("Please call us on 0161 496 0000."))
    }

    @Test("a top-level header is outside the signature: it is redacted and the signed part stays byte-identical")
    func headerOutsideSignature() {
        let message = Self.signed(subject: "NI JG 10 37 55 A", body: "Your refund is on its way.")
        let (output, verdict) = MailProcessor.redact(message, session: Fixture.session())
        #expect(verdict.verdict == .redact)
        let text = String(decoding: output, as: UTF8.self)
        #expect(!text.contains("JG 10 37 55 A"))
        let signedPart = "--sig\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour refund is on its way.\r\n--sig"
        #expect(text.contains(signedPart))
    }

    @Test("an inline PGP-signed text that needs redaction blocks too")
    func inlinePGP() {
        let message = Fixture.crlf("""
            From: support@example.co.uk
            To: jane@gmail.com
            Subject: signed

            -----BEGIN PGP SIGNED MESSAGE-----
            Hash: SHA256

            Your NI number is JG 10 37 55 A.
            -----BEGIN PGP SIGNATURE-----
            iQEzBAEBCAAdFiEE
            -----END PGP SIGNATURE-----

            """)
        let verdict = Fixture.check(message)
        #expect(verdict.verdict == .block)
        #expect(verdict.diagnostics.contains { $0.code == MailCode.signedPartNeedsRedaction })
    }

    @Test("a card in a signed part is blocked by its own rule, whose message the sender sees")
    func blockRuleKeepsItsMessage() {
        let verdict = Fixture.check(Self.signed(body: "Card 4111 1111 1111 1111"))
        #expect(verdict.verdict == .block)
        #expect(verdict.decidingRule == "card-never-leaves")
        #expect(verdict.reason == nil)
    }
}
