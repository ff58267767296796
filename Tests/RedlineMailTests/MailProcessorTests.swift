import Testing
import RedlineCore
@testable import RedlineMail

@Suite("MailProcessor")
struct MailProcessorTests {
    static let multipart = """
        From: Agent <agent@example.co.uk>
        To: Jane <jane@gmail.com>
        Subject: Your refund
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        This is a multi-part message in MIME format.
        --outer
        Content-Type: multipart/alternative; boundary="inner"

        --inner
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        Dear Jane, your NI number JG 10 37 =
        55 A is on file. Caf=E9.
        --inner
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: base64

        PHA+RGVhciBKYW5lLCB5b3VyIE5JIG51bWJlciBKRyAxMCAzNyA1NSBBIGlzIG9uIGZpbGUuPC9wPg==
        --inner--
        --outer
        Content-Type: application/pdf; name="statement.pdf"
        Content-Disposition: attachment; filename="statement.pdf"
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --outer--

        """

    @Test("a message without findings passes byte-identical, with no header added")
    func cleanPassThrough() {
        let message = Fixture.crlf("From: a@example.co.uk\nTo: b@gmail.com\nSubject: Order 12345678 shipped\n\nTracking 1Z999AA10123456784, 12/03/2024.\n")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .allow)
        #expect(verdict.findings.isEmpty)
        #expect(output == message)
    }

    @Test("QP in latin-1 and base64 HTML parts are decoded, redacted and re-encoded in place")
    func nestedRedaction() throws {
        let message = Fixture.crlf(Self.multipart)
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .redact)
        #expect(verdict.findings.map(\.part) == ["1.1", "1.2"])
        // The "PDF" is only a header: unscannable (corrupt), listed with its code.
        #expect(verdict.unscannedAttachments == ["part 2 › statement.pdf (X007: a PDF that cannot be opened (corrupt or truncated))"])
        #expect(Fixture.outline(output) == Fixture.outline(message))
        let text = Fixture.text(output)
        #expect(text.contains("X-Redline-Verdict: redact\r\nX-Redline-Findings: nino=2\r\n\r\nThis is a multi-part"))
        #expect(text.contains("Dear Jane, your NI number [NI NUMBER] is on file. Caf=E9.\r\n--inner"))
        #expect(text.contains("JVBERi0xLjQK\r\n--outer--"))
        // Re-parsing the output finds nothing left to redact.
        let again = Fixture.check(output)
        #expect(again.findings.filter { $0.action >= .redact }.isEmpty)
        #expect(again.diagnostics.map(\.code) == ["X007"])
    }

    @Test("text in a 4111<span>1111</span> HTML split is found and redacted in the source")
    func htmlSpans() {
        let message = Fixture.lf("To: x@gmail.com\nContent-Type: text/html\n\n<div>Card 4111<span>1111</span>1111 1111</div>\n")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .block)
        #expect(verdict.findings.first?.detector == "card")
        #expect(Fixture.text(output).contains("<div>Card ************ 1111<span></span></div>"))
    }

    @Test("an NI number in an encoded-word Subject is found and the header re-encoded when redacted")
    func encodedSubject() {
        let message = Fixture.lf("To: x@gmail.com\nSubject: =?utf-8?Q?Caf=C3=A9_order_for_JG_10_37_55_A?=\n\nHello\n")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.findings.map(\.part) == ["header:Subject"])
        var diagnostics: [Diagnostic] = []
        let headers = HeaderParser.parse(output, range: 0..<output.count, label: "test", diagnostics: &diagnostics)
        let subject = headers.first("subject")?.unfoldedValue(in: output) ?? []
        #expect(Fixture.text(subject).hasPrefix("=?UTF-8?Q?"))
        #expect(Fixture.text(EncodedWords.decode(subject).text) == "Café order for [NI NUMBER]")
        #expect(Fixture.text(output).hasSuffix("\n\nHello\n"))
    }

    @Test("display names are scanned and redacted, addresses are not scanned")
    func displayNames() {
        let message = Fixture.lf("To: \"JG 10 37 55 A\" <jane.doe@gmail.com>, bob@gmail.com\n\nHi\n")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.findings.map(\.detector) == ["nino"])
        #expect(Fixture.text(output).hasPrefix("To: \"[NI NUMBER]\" <jane.doe@gmail.com>, bob@gmail.com\n"))
    }

    @Test("recipients choose the channel: internal, external, mixed takes the stricter, explicit wins")
    func channels() {
        let body = "\n\nHer NI number is JG 10 37 55 A.\n"
        let inside = Fixture.check(Fixture.lf("To: a@example.co.uk, b@support.example.co.uk" + body))
        #expect(inside.channel == "email-internal")
        #expect(inside.verdict == .flag)
        let mixed = Fixture.check(Fixture.lf("To: a@example.co.uk\nCc: Group: c@gmail.com;" + body))
        #expect(mixed.channel == "email-external")
        #expect(mixed.verdict == .redact)
        let envelope = Fixture.check(Fixture.lf("To: a@gmail.com" + body), recipients: ["<a@Example.co.uk>"])
        #expect(envelope.channel == "email-internal")
        let explicit = Fixture.check(Fixture.lf("To: a@example.co.uk" + body), channel: "chat")
        #expect(explicit.channel == "chat")
        let none = Fixture.check(Fixture.lf("Subject: x" + body))
        #expect(none.channel == "email-external")
    }

    @Test("the bulk-export threshold counts NI numbers across parts of one message")
    func thresholdAcrossParts() {
        let message = Fixture.lf("""
            To: a@example.co.uk
            Content-Type: multipart/mixed; boundary=b

            --b

            AB 12 34 56 A, CE 12 34 56 B
            --b

            JG 10 37 55 A, HB 11 22 33 C
            --b
            Content-Type: text/csv; name=list.csv

            KA 98 76 54 D
            --b--

            """)
        let verdict = Fixture.check(message)
        #expect(verdict.findings.count == 5)
        #expect(verdict.findings.allSatisfy { $0.action == .block && $0.rule == "nino-bulk-export" })
    }

    @Test("flag adds the verdict header and changes nothing else")
    func flagOnly() {
        let message = Fixture.crlf("To: x@gmail.com\nSubject: Delivery\n\nWe will deliver to LS6 2AB tomorrow.\n")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .flag)
        #expect(Fixture.text(output) == Fixture.text(message).replacingOccurrences(of: "Subject: Delivery\r\n", with: "Subject: Delivery\r\nX-Redline-Verdict: flag\r\nX-Redline-Findings: postcode=1\r\n"))
        // Running it again replaces the headers instead of adding more.
        let (twice, _) = Fixture.redact(output)
        #expect(twice == output)
    }
}
