import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

/// Issue 13, item 4 (headers): attachment names, descriptions and every header a person can write
/// are scanned and redacted in place; every other byte of the message stays as it was.
@Suite("Header and attachment-name scanning")
struct HeaderScanningTests {
    static let attachment = """
        From: Agent <agent@example.co.uk>
        To: Jane <jane@gmail.com>
        Subject: statement
        Content-Type: multipart/mixed; boundary="b"

        --b
        Content-Type: text/plain

        Please find it attached.
        --b
        Content-Type: application/pdf; name="statement.pdf"
        Content-Disposition: attachment; filename="NI JG 10 37 55 A.pdf"; size=1234
        Content-Description: statement for NI JG 10 37 55 A
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --b--

        """

    /// The output with the lines that may change removed equals the input with the same lines removed.
    static func unchangedElsewhere(_ input: [UInt8], _ output: [UInt8], changing prefixes: [String]) -> Bool {
        func keep(_ bytes: [UInt8]) -> [String] {
            Fixture.text(bytes).components(separatedBy: "\n").filter { line in
                !prefixes.contains { line.hasPrefix($0) } && !line.hasPrefix("X-Redline-")
            }
        }
        return keep(input) == keep(output)
    }

    @Test("a NINO in an attachment's file name and description is found and redacted in place; the rest is byte-identical")
    func fileNameAndDescription() {
        let message = Fixture.lf(Self.attachment)
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.findings.map(\.part) == ["2.header:Content-Disposition;filename", "2.header:Content-Description"])
        #expect(verdict.verdict == .redact)
        let text = Fixture.text(output)
        #expect(text.contains("Content-Disposition: attachment; filename=\"NI [NI NUMBER].pdf\"; size=1234\n"))
        #expect(text.contains("Content-Description: statement for NI [NI NUMBER]\n"))
        #expect(Self.unchangedElsewhere(message, output, changing: ["Content-Disposition:", "Content-Description:"]))
        #expect(Fixture.outline(output) == Fixture.outline(message))
        // The list of attachments left unscanned names the file masked.
        #expect(verdict.unscannedAttachments.allSatisfy { !$0.contains("10 37 55") })
    }

    @Test("RFC 2231 encoded and continued file names are joined, found and written back as one parameter")
    func rfc2231Continued() {
        let message = Fixture.lf("""
            To: jane@gmail.com
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: application/octet-stream
            Content-Disposition: attachment;
             filename*0*=utf-8''caf%C3%A9%20JG%2010;
             filename*1*=%2037%2055%20A.bin

            data
            --b--

            """)
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.findings.map(\.part) == ["1.header:Content-Disposition;filename"])
        let text = Fixture.text(output)
        #expect(text.contains("Content-Disposition: attachment; filename*=utf-8''caf%C3%A9%20%5BNI%20NUMBER%5D.bin\n"))
        #expect(!text.contains("filename*1*"))
        #expect(Fixture.check(output).findings.isEmpty)
    }

    @Test("encoded-word file names are decoded, found and written back as encoded words")
    func encodedWordFileName() {
        let message = Fixture.lf("To: jane@gmail.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            + "Content-Type: application/pdf; name=\"=?utf-8?B?\(Data("café JG 10 37 55 A.pdf".utf8).base64EncodedString())?=\"\n\nx\n--b--\n")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.findings.map(\.part) == ["1.header:Content-Type;name"])
        let again = Fixture.check(output)
        #expect(again.findings.isEmpty)
        #expect(Fixture.text(output).contains("Content-Type: application/pdf; name=\"=?UTF-8?B?"))
    }

    @Test("display names in To, From, Cc and Reply-To, and custom X- headers, are redacted in place")
    func personHeaders() {
        let message = Fixture.lf("""
            From: "JG 10 37 55 A" <agent@example.co.uk>
            To: Jane <jane@gmail.com>
            Cc: "NI JG103755A" <boss@example.co.uk>
            Reply-To: "ref JG 10 37 55 A" <reply@example.co.uk>
            X-Customer-Note: NI JG 10 37 55 A
            X-Mailer: Helpdesk 4.2
            Subject: hello

            Body
            """)
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.findings.map(\.part) == ["header:From", "header:Cc", "header:Reply-To", "header:X-Customer-Note"])
        let text = Fixture.text(output)
        #expect(text.contains("From: \"[NI NUMBER]\" <agent@example.co.uk>\n"))
        #expect(text.contains("Reply-To: \"ref [NI NUMBER]\" <reply@example.co.uk>\n"))
        #expect(text.contains("X-Customer-Note: NI [NI NUMBER]\n"))
        #expect(Self.unchangedElsewhere(message, output, changing: ["From:", "Cc:", "Reply-To:", "X-Customer-Note:"]))
    }

    @Test("headers of a body part (X- headers, Content-ID) are scanned too; machine signatures are not")
    func partHeaders() {
        let message = Fixture.lf("To: jane@gmail.com\nDKIM-Signature: v=1; b=4111111111111111\nContent-Type: multipart/mixed; boundary=b\n\n"
            + "--b\nContent-Type: text/plain\nX-Note: NI JG 10 37 55 A\n\nhello\n--b--\n")
        let verdict = Fixture.check(message)
        #expect(verdict.findings.map(\.part) == ["1.header:X-Note"])
    }
}
