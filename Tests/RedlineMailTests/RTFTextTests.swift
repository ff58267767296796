import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

/// Issue 15 group 3: RTF bodies and attachments are read as the text they show and redacted in place.
@Suite("RTF text")
struct RTFTextTests {
    @Test("text, hex bytes in the code page, \\u characters (fallback skipped), paragraph marks; picture data skipped")
    func extractsText() {
        let rtf = Array(#"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}\f0 Caf\'e9 \u52?\u49?11\par {\*\pict\pngblip 34313131}x\tab y\}"#.utf8)
        let text = RTFText(rtf: rtf).text
        #expect(Fixture.text(text) == "Arial;Café 4111\nx\ty}")
    }

    @Test("hostile RTF: unbalanced braces, deep nesting, \\bin past the end, huge parameters: bounded, no crash")
    func hostile() {
        let deep = String(repeating: "{", count: 50_000) + "NI JG 10 37 55 A" + String(repeating: "}", count: 60_000)
        #expect(Fixture.text(RTFText(rtf: Array(deep.utf8)).text) == "NI JG 10 37 55 A")
        for input in [#"{\rtf1\bin999999999999 abc"#, #"{\rtf1\u-99999999999?\'zz\'4"#, #"{\rtf1\u9999999999?\u4294967296 x}"#, "\\", #"{\rtf1\abcdefghijklmnopqrstuvwxyzabcdefghijklmnop1234567890123 x"#] {
            _ = RTFText(rtf: Array(input.utf8))
        }
    }

    @Test("a text/rtf body and an application/rtf attachment are scanned; a NINO is redacted inside the RTF")
    func rtfParts() {
        let body = #"{\rtf1\ansi NI JG\'20103755A\par thanks}"#
        let message = Fixture.lf("To: x@gmail.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/rtf\n\n\(body)\n"
            + "--b\nContent-Type: application/rtf; name=\"note.rtf\"\nContent-Transfer-Encoding: base64\n\n"
            + Data(#"{\rtf1 card \u52?111 1111 1111 1111}"#.utf8).base64EncodedString() + "\n--b--\n")
        let verdict = Fixture.check(message)
        #expect(verdict.findings.map(\.detector) == ["nino", "card"])
        #expect(verdict.unscannedAttachments.isEmpty)
        let ninoOnly = Fixture.lf("To: x@gmail.com\nContent-Type: text/rtf\n\n\(body)\n")
        let (output, redacted) = Fixture.redact(ninoOnly)
        #expect(redacted.verdict == .redact)
        #expect(Fixture.text(output).contains(#"{\rtf1\ansi NI [NI NUMBER]\par thanks}"#))
        #expect(RTFText.escape(Array("a{b}\\c é".utf8)) == Array(#"a\{b\}\\c \u233?"#.utf8))
    }
}
