import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

/// Issue 15 group 4 and issue 13 "No raw values in diagnostics": whatever a diagnostic, a label or
/// the list of unscanned attachments quotes from a message is masked like a finding.
@Suite("Mail diagnostics quote nothing raw")
struct DiagnosticLeakTests {
    static let card = "4111111111111111"
    static let forms = ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "JG103755A", "JG 10 37 55 A", "jane.doe"]

    static func expectClean(_ verdict: MailVerdict, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let texts = verdict.diagnostics.map(\.message) + verdict.unscannedAttachments + verdict.findings.compactMap(\.part)
            + verdict.findings.map(\.excerpt)
        for text in texts {
            for form in forms where text.contains(form) {
                Issue.record("'\(text)' quotes '\(form)'", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("each diagnostic path: charset, encoded-word charset, transfer encoding, content type, file name, header name",
          arguments: [
              "Content-Type: text/plain; charset=x-4111111111111111\n\nhello",
              "Content-Type: text/plain; charset=\"JG103755A\"\n\nhello",
              "Subject: =?x-4111-1111-1111-1111?Q?hi?=\n\nhello",
              "Content-Transfer-Encoding: x-4111111111111111\n\nhello",
              "Content-Transfer-Encoding: x-jane.doe@example.com\n\nhello",
              "Content-Type: multipart/4111111111111111\n\nhello",
              "Content-Type: application/x-4111-1111-1111-1111\n\nhello",
              "Content-Type: application/pdf; name=\"4111 1111 1111 1111.pdf\"\n\nJVBE",
              "Content-Type: image/png\nContent-Disposition: attachment; filename*=utf-8''JG%20103755A.png\n\nx",
              "Content-Type: application/pdf; name=\"=?utf-8?Q?jane.doe=40example.com?=\"\n\nx",
              "X-4111111111111111: NI JG 10 37 55 A\n\nhello",
          ])
    func masked(_ headersAndBody: String) {
        let message = Fixture.lf("To: x@gmail.com\n\(headersAndBody)\n")
        let verdict = Fixture.check(message)
        #expect(!verdict.diagnostics.isEmpty || !verdict.unscannedAttachments.isEmpty || !verdict.findings.isEmpty)
        Self.expectClean(verdict)
        Self.expectClean(Fixture.redact(message).verdict)
    }

    @Test("a quoted value keeps its shape: letters stay, digits and found values are masked")
    func quoteShape() {
        let quote = MailQuote(session: Fixture.session())
        #expect(quote("x-klingon") == "x-klingon")
        #expect(quote("x-4111111111111111") == "x-****************")
        #expect(!quote("NI JG103755A.pdf").contains("JG"))
        #expect(quote("jane@example.com").allSatisfy { $0 == "*" || $0 == "@" || $0 == "." })
        #expect(quote(String(repeating: "a", count: 500)).count <= 61)
        #expect(quote("bad\u{1B}[31m") == "bad?[**m")
    }
}
