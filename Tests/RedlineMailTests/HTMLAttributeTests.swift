import Testing
import RedlineCore
import RedlineEngine
@testable import RedlineMail

/// Links, image texts and form values are part of what an HTML reply sends: a NI number in a
/// tracking link's query or an e-mail address in `mailto:` leaves with the message even when the
/// visible text does not show it.
@Suite("HTML attribute values")
struct HTMLAttributeTests {
    @Test("text-carrying attribute values follow the visible text, one per line, references decoded; classes are left out, style sheets read")
    func valuesAfterText() {
        let html = Array(#"<p class="x1" style="color:red">Hi <a href="mailto:a&#64;b.example" title='T &amp; C'>us</a></p><img src=pic.png alt="card" data-ref="R-1"><input value="">"#.utf8)
        let text = HTMLText(html: html)
        // `<p>` and `</p><img>` break lines in the visible text (two blocks in a row are one break);
        // each value starts a line of its own; `style` is read (CSS `content:` puts text on screen).
        #expect(String(decoding: text.text, as: UTF8.self) == "\nHi us\ncolor:red\nmailto:a@b.example\nT & C\npic.png\ncard\nR-1")
        // Every attribute byte maps back to its place in the HTML.
        let mailto = text.text.firstIndex(of: UInt8(ascii: "@"))!
        #expect(String(decoding: html[text.sourceRange(of: mailto)], as: UTF8.self) == "&#64;")
    }

    @Test("a NI number in a link is redacted inside the attribute, quoted-printable part re-encoded, markup intact")
    func redactsInsideAttribute() throws {
        let message = Fixture.crlf("""
            From: support@example.co.uk
            To: jane@gmail.com
            Subject: your order
            MIME-Version: 1.0
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <p>Track it <a href=3D"https://shop.example/track?ni=3DJG103755A&amp;x=3D1">here</a>.</p>

            """)
        let (output, verdict) = MailProcessor.redact(message, session: Fixture.session())
        #expect(verdict.verdict == .redact)
        #expect(verdict.findings.map(\.detector) == ["nino"])
        let text = String(decoding: output, as: UTF8.self)
        #expect(!text.contains("JG103755A"))
        // Quoted-printable again (soft line breaks where needed); decoded, only the value changed.
        let decoded = text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
        #expect(decoded.contains("<p>Track it <a href=\"https://shop.example/track?ni=[NI NUMBER]&amp;x=1\">here</a>.</p>"))
        // The redacted message reads again, with nothing left to find.
        #expect(Fixture.check(output).findings.isEmpty)
    }

    @Test("a replacement that lands in an attribute cannot close its quotes")
    func escapesQuotes() {
        #expect(HTMLText.escape(Array(#"[A "B" 'C' <D> & E]"#.utf8)) == Array("[A &quot;B&quot; &#39;C&#39; &lt;D&gt; &amp; E]".utf8))
    }
}
