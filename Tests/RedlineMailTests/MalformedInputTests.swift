import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

@Suite("Malformed and oversized input")
struct MalformedInputTests {
    @Test("a missing closing boundary is reported and the last part still checked")
    func missingClosingBoundary() {
        let message = Fixture.lf("To: x@gmail.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nhello\n--b\n\nNI JG 10 37 55 A\n")
        let verdict = Fixture.check(message)
        #expect(verdict.diagnostics.map(\.code) == [MailCode.missingClosingBoundary])
        #expect(verdict.findings.map(\.part) == ["2"])
    }

    @Test("truncated base64 is reported and what decodes is still checked")
    func truncatedBase64() {
        let encoded = Fixture.text(Base64.encode(Array("Refund card 4111 1111 1111 1111 please".utf8), lineLength: 76, lineEnding: [10]))
        let message = Fixture.lf("To: x@gmail.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n\(encoded.dropLast(3))\n")
        let verdict = Fixture.check(message)
        #expect(verdict.diagnostics.map(\.code) == [MailCode.badBase64])
        #expect(verdict.verdict == .block)
    }

    @Test("invalid quoted-printable is reported and the text still checked")
    func invalidQuotedPrintable() {
        let message = Fixture.lf("To: x@gmail.com\nContent-Transfer-Encoding: quoted-printable\n\n100=% off, NI JG 10 37 =\n55 A\n")
        let verdict = Fixture.check(message)
        #expect(verdict.diagnostics.map(\.code) == [MailCode.badQuotedPrintable])
        #expect(verdict.findings.map(\.detector) == ["nino"])
    }

    @Test("an unknown charset is decoded as windows-1252 with a diagnostic, never skipped")
    func unknownCharset() {
        var message = Fixture.lf("To: x@gmail.com\nContent-Type: text/plain; charset=x-klingon\n\n")
        message += [0x93] + Array("JG 10 37 55 A".utf8) + [0x94, 10]
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.diagnostics.map(\.code) == [MailCode.unknownCharset])
        #expect(verdict.findings.map(\.detector) == ["nino"])
        var expected: [UInt8] = [0x93]
        expected += Array("[NI NUMBER]".utf8)
        expected += [0x94, 10]
        #expect(Array(output.suffix(expected.count)) == expected)
    }

    @Test("1,000-deep nesting stops at the depth limit and the rest is scanned as text")
    func deepNesting() {
        var text = "To: x@gmail.com\n"
        for level in 0..<1000 { text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n" }
        text += "Content-Type: text/plain\n\nNI JG 10 37 55 A\n"
        for level in (0..<1000).reversed() { text += "--b\(level)--\n" }
        let start = Date()
        let verdict = Fixture.check(Fixture.lf(text))
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(verdict.diagnostics.contains { $0.code == MailCode.nestingTooDeep })
        #expect(verdict.findings.map(\.detector) == ["nino"])
    }

    @Test("a 1 MB header line is reported, read, and the body still checked")
    func longHeaderLine() {
        let message = Fixture.lf("To: x@gmail.com\nX-Junk: \(String(repeating: "a", count: 1_048_576))\nSubject: for JG 10 37 55 A\n\nLS6 2AB\n")
        let verdict = Fixture.check(message)
        #expect(verdict.diagnostics.map(\.code) == [MailCode.longHeaderLine])
        #expect(verdict.findings.map(\.part) == ["header:Subject", "1"])
    }

    @Test("a 20 MB attachment is listed as not scanned; a 20 MB text attachment is scanned")
    func largeAttachments() {
        // Binary content (the type is read from the bytes, not the declared application/zip).
        let blob = Base64.encode([UInt8](repeating: 0x00, count: 15_000_000), lineLength: 76, lineEnding: [13, 10])
        var message = Fixture.crlf("To: x@gmail.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nNI JG 10 37 55 A\n--b\nContent-Type: application/zip; name=big.zip\nContent-Transfer-Encoding: base64\n\n")
        message += blob + Fixture.crlf("\n--b--\n")
        #expect(message.count > 20_000_000)
        var start = Date()
        let (output, verdict) = Fixture.redact(message)
        let binarySeconds = Date().timeIntervalSince(start)
        #expect(verdict.unscannedAttachments == ["part 2 › big.zip (X011: a binary file of a type that cannot be read)"])
        #expect(verdict.verdict == .redact)
        let added = Fixture.crlf("X-Redline-Verdict: redact\nX-Redline-Findings: nino=1\n").count
        let shrunk = "JG 10 37 55 A".count - "[NI NUMBER]".count
        #expect(output.count == message.count + added - shrunk)

        let line = String(repeating: "order 12345678 shipped on 12/03/2024 to the depot\n", count: 420_000)
        let big = Fixture.lf("To: x@gmail.com\nContent-Type: text/plain\n\n\(line)NI JG 10 37 55 A\n")
        #expect(big.count > 20_000_000)
        start = Date()
        let textVerdict = Fixture.check(big)
        let textSeconds = Date().timeIntervalSince(start)
        #expect(textVerdict.findings.map(\.detector) == ["nino"])
        print("measured: 20 MB binary attachment \(binarySeconds) s, 20 MB text part \(textSeconds) s")
    }

    @Test("a message with no header/body separator and CR-only junk does not crash")
    func oddShapes() {
        for text in ["", "\n", "no header here JG 10 37 55 A", "Subject: only a header", "--b\n--b--", "Content-Type: multipart/mixed\n\n--\n"] {
            let verdict = Fixture.check(Fixture.lf(text))
            #expect(verdict.verdict <= .redact)
        }
        #expect(Fixture.check(Fixture.lf("no header here JG 10 37 55 A")).findings.count == 1)
    }
}
