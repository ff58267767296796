import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

/// Issue 15, group 3: what a reader (or a mail program) sees is scanned, whatever corner of the
/// message it hides in. Card = a Luhn-valid card number (blocked by uk-default), NINO = a valid NI
/// number (redacted).
@Suite("Mail reader: what a reader sees is scanned")
struct ReaderHardeningTests {
    static func html(_ body: String, type: String = "text/html") -> [UInt8] {
        Fixture.lf("To: x@gmail.com\nContent-Type: \(type); charset=utf-8\n\n\(body)\n")
    }

    static func detectors(_ verdict: MailVerdict) -> [String] { verdict.findings.map(\.detector) }

    @Test("a card in an HTML comment, a script, a style sheet's content: text and a CDATA section is found",
          arguments: [
              "<p>Hello</p><!-- card 4111 1111 1111 1111 -->",
              "<p>Hello</p><script>var card = '4111 1111 1111 1111';</script>",
              "<style>.x::after { content: \"4111 1111 1111 1111\"; }</style><p class=x>Hello</p>",
              #"<style>.x::after { content: "\34 111 1111 1111 1111"; }</style><p class=x>Hello</p>"#,
              "<p style=\"--c: '4111 1111 1111 1111'\">Hello</p>",
              "<p>Hello <![CDATA[4111 1111 1111 1111]]></p>",
          ])
    func hiddenHTMLText(_ body: String) {
        let verdict = Fixture.check(Self.html(body))
        #expect(Self.detectors(verdict) == ["card"], "\(body)")
        #expect(verdict.verdict == .block)
    }

    @Test("a card in a comment is redacted where it stands, the markup around it kept")
    func redactsComment() {
        let (output, verdict) = Fixture.redact(Self.html("<p>Hi</p><!-- 4111 1111 1111 1111 --><p>Bye</p>"))
        #expect(verdict.verdict == .block)
        let text = Fixture.text(output)
        #expect(!text.contains("4111 1111 1111"))
        #expect(text.contains("<p>Hi</p><!-- **** **** **** 1111 --><p>Bye</p>"))
    }

    @Test("a value wrapped across <td>, <div> and <p> boundaries reads like one wrapped across a line",
          arguments: ["<table><tr><td>4111 1111</td>\n  <td>1111 1111</td></tr></table>",
                      "<div>4111 1111</div>\n<div>1111 1111</div>", "<p>4111 1111</p> <p>1111 1111</p>"])
    func wrappedAcrossBlocks(_ body: String) {
        let text = HTMLText(html: Array(body.utf8)).text
        #expect(Fixture.text(text).trimmingCharacters(in: .whitespacesAndNewlines) == "4111 1111\n1111 1111")
        let plain = Fixture.check(Fixture.lf("To: x@gmail.com\n\n4111 1111\n1111 1111\n"))
        #expect(Self.detectors(Fixture.check(Self.html(body))) == Self.detectors(plain))
    }

    @Test("named references for invisible characters and legacy &nbsp without a semicolon are decoded")
    func invisibleEntities() {
        let cases: [(String, String)] = [
            ("4111&ZeroWidthSpace;1111&ZeroWidthSpace;1111&ZeroWidthSpace;1111", "4111\u{200B}1111\u{200B}1111\u{200B}1111"),
            ("4111&NoBreak;1111&NoBreak;1111&NoBreak;1111", "4111\u{2060}1111\u{2060}1111\u{2060}1111"),
            ("4111&lrm;1111&rlm;1111&lrm;1111", "4111\u{200E}1111\u{200F}1111\u{200E}1111"),
            ("4111&nbsp1111&nbsp1111&nbsp1111", "4111\u{A0}1111\u{A0}1111\u{A0}1111"),
            ("4111&amp1111", "4111&1111"),
        ]
        for (html, expected) in cases {
            #expect(Fixture.text(HTMLText(html: Array(html.utf8)).text) == expected, "\(html)")
        }
        // Each reads as the same characters written directly: what the detectors see is the same.
        for (html, expected) in cases.prefix(4) {
            let plain = Fixture.check(Fixture.lf("To: x@gmail.com\nContent-Type: text/plain; charset=utf-8\n\n\(expected)\n"))
            #expect(Self.detectors(Fixture.check(Self.html(html))) == Self.detectors(plain), "\(html)")
        }
        #expect(Self.detectors(Fixture.check(Self.html(cases[0].0))) == ["card"])
        #expect(Self.detectors(Fixture.check(Self.html(cases[3].0))) == ["card"])
    }

    @Test("%-encoded digits in a link are decoded and redacted in the link")
    func percentEncodedLink() {
        let message = Self.html(#"<a href="https://shop.example/t?ni=JG%31%30%33%37%35%35A&x=1">track</a>"#)
        let (output, verdict) = Fixture.redact(message)
        #expect(Self.detectors(verdict) == ["nino"])
        #expect(Fixture.text(output).contains(#"href="https://shop.example/t?ni=[NI NUMBER]&x=1""#))
        #expect(Fixture.check(output).findings.isEmpty)
    }

    @Test("an application/xhtml+xml part is read as HTML, not listed as an unscanned attachment")
    func xhtmlPart() {
        let verdict = Fixture.check(Self.html("<html xmlns=\"http://www.w3.org/1999/xhtml\"><p>4111<span>1111</span>1111 1111</p></html>",
                                              type: "application/xhtml+xml"))
        #expect(Self.detectors(verdict) == ["card"])
        #expect(verdict.unscannedAttachments.isEmpty)
    }

    @Test("a uuencoded block in a text body is decoded and scanned; it cannot be redacted in place, so the message is blocked")
    func uuencodedBody() {
        let card = Fixture.lf("To: x@gmail.com\nSubject: file\n\nsee attached\n\nbegin 644 card.txt\n"
            + "98V%R9\" T,3$Q(#$Q,3$@,3$Q,2 Q,3$Q\"@  \n`\nend\n")
        #expect(Self.detectors(Fixture.check(card)) == ["card"])
        // A NINO alone would be redacted; inside the encoded block it cannot be, so the message is blocked.
        let nino = Fixture.lf("To: x@gmail.com\n\nbegin 600 ni.txt\r\n13DD@2D<@,3 @,S<@-34@00H \r\n`\r\nend\r\n")
        let verdict = Fixture.check(nino)
        #expect(Self.detectors(verdict) == ["nino"])
        #expect(verdict.verdict == .block)
        #expect(verdict.diagnostics.contains { $0.code == MailCode.derivedTextNeedsRedaction })
        #expect(Fixture.redact(nino).verdict.reason != nil)
    }

    @Test("Content-Transfer-Encoding with an RFC 822 comment, in quotes or with a blank before the colon is decoded",
          arguments: ["Content-Transfer-Encoding: base64 (the body is base64)", "Content-Transfer-Encoding: \"base64\"",
                      "Content-Transfer-Encoding : base64", "Content-Transfer-Encoding:(encoded) BASE64"])
    func transferEncodingVariants(_ header: String) {
        let body = Data("NI number JG 10 37 55 A on file".utf8).base64EncodedString()
        let message = Fixture.lf("To: x@gmail.com\nContent-Type: text/plain; charset=utf-8\n\(header)\n\n\(body)\n")
        let (output, verdict) = Fixture.redact(message)
        #expect(Self.detectors(verdict) == ["nino"], "\(header)")
        #expect(verdict.diagnostics.isEmpty, "\(verdict.diagnostics.map(\.message))")
        // Re-encoded in base64, the original header kept as written.
        #expect(Fixture.text(output).contains(header))
        #expect(!Fixture.text(output).contains(body))
    }

    @Test("duplicate Content-Transfer-Encoding fields that disagree: the body is scanned both ways and a finding there blocks")
    func duplicateTransferEncoding() {
        let body = Data("card 4111 1111 1111 1111".utf8).base64EncodedString()
        for headers in ["Content-Transfer-Encoding: 7bit\nContent-Transfer-Encoding: base64", "Content-Transfer-Encoding: base64\nContent-Transfer-Encoding: 7bit"] {
            let verdict = Fixture.check(Fixture.lf("To: x@gmail.com\nContent-Type: text/plain\n\(headers)\n\n\(body)\n"))
            #expect(Self.detectors(verdict) == ["card"], "\(headers)")
            #expect(verdict.verdict == .block)
            #expect(verdict.diagnostics.contains { $0.code == MailCode.conflictingHeaders })
        }
    }

    @Test("duplicate Content-Type fields: a part that is an attachment one way and text the other is read as text")
    func duplicateContentType() {
        let message = Fixture.lf("To: x@gmail.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/octet-stream\n"
            + "Content-Type: text/plain\n\nNI JG 10 37 55 A\n--b--\n")
        let verdict = Fixture.check(message)
        #expect(Set(Self.detectors(verdict)) == ["nino"])
        #expect(verdict.verdict == .block)
    }

    @Test("GB18030 and UTF-7 bodies are decoded (UTF-7 digits hidden in base64 runs too)")
    func charsets() {
        let gb = Fixture.lf("To: x@gmail.com\nContent-Type: text/plain; charset=GB18030\nContent-Transfer-Encoding: base64\n\n"
            + "v827p7+ousUgNDExMSAxMTExIDExMTEgMTExMSDQu9C7\n")
        #expect(Self.detectors(Fixture.check(gb)) == ["card"])
        #expect(Fixture.check(gb).diagnostics.isEmpty)
        let utf7 = Fixture.lf("To: x@gmail.com\nContent-Type: text/plain; charset=utf-7\n\ncard +ADQAMQAxADEAIAAxADEAMQAxACAAMQAxADEAMQAgADEAMQAxADE-\n")
        #expect(Self.detectors(Fixture.check(utf7)) == ["card"])
        let nino = Fixture.lf("To: x@gmail.com\nContent-Type: text/plain; charset=utf-7\n\nNI +AEoARw- 10 37 55 A\n")
        let (output, verdict) = Fixture.redact(nino)
        #expect(Self.detectors(verdict) == ["nino"])
        #expect(!Fixture.text(output).contains("+AEoARw- 10 37 55 A"))
        #expect(Fixture.text(output).contains("charset=utf-7"))
        #expect(Fixture.check(output).findings.isEmpty)
        #expect(Charset.named("gb18030") != nil && Charset.named("UTF-7") != nil && Charset.named("koi8-r") != nil)
    }

    @Test("Date, Message-ID, References and X- headers are scanned", arguments: ["Date", "Message-ID", "References", "X-Ticket-Note", "Received"])
    func headersScanned(_ name: String) {
        let verdict = Fixture.check(Fixture.lf("To: x@gmail.com\n\(name): <ref 4111 1111 1111 1111 x>\n\nHello\n"))
        #expect(Self.detectors(verdict) == ["card"], "\(name)")
        #expect(verdict.findings.first?.part == "header:\(name)")
    }

    @Test("message ids and routing headers: a card is found, the address-like id itself is not an e-mail finding",
          arguments: ["Message-ID", "References", "In-Reply-To", "Received", "Return-Path"])
    func routingHeaders(_ name: String) {
        let clean = Fixture.check(Fixture.lf("To: x@gmail.com\n\(name): <20240312101403.4411@mail.example.co.uk>\n\nHello\n"))
        #expect(clean.findings.isEmpty, "\(name)")
        let card = Fixture.check(Fixture.lf("To: x@gmail.com\n\(name): <4111111111111111@mail.example.co.uk>\n\nHello\n"))
        #expect(Self.detectors(card) == ["card"], "\(name)")
    }
}
