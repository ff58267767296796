import Foundation
import Testing

/// Issue 15 group 4 and issue 13 "No raw values in diagnostics", through the binary: a message
/// whose charset names, transfer encoding, content types, encoded-word charset, attachment names
/// and header names hold a card. `check` (every format), `scan` and `sendmail` print no form of
/// it; `redact` writes none of it either (a header name holding it is redacted too).
@Suite("No raw values from a message in mail diagnostics", .serialized)
struct MailNoLeakTests {
    static let forms = ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "JG103755A", "JG 10 37 55 A"]

    static let message = """
        From: agent@example.co.uk
        To: customer@example.org
        Subject: =?x-4111-1111-1111-1111?Q?hello?=
        X-4111111111111111: note
        Content-Type: multipart/mixed; boundary="b"

        --b
        Content-Type: text/plain; charset=x-4111111111111111

        hello
        --b
        Content-Type: text/plain
        Content-Transfer-Encoding: x-4111111111111111

        hello
        --b
        Content-Type: application/x-4111-1111-1111-1111

        data
        --b
        Content-Type: application/pdf; name="4111 1111 1111 1111.pdf"

        JVBE
        --b
        Content-Type: image/png
        Content-Disposition: attachment; filename*=utf-8''JG%20103755A.png

        x
        --b--

        """

    static func expectClean(_ text: String, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for form in forms where text.contains(form) {
            Issue.record("\(what) contains '\(form)'", sourceLocation: sourceLocation)
        }
    }

    @Test("check in every format, scan, sendmail and redact: stdout and stderr hold no form of the card or NINO")
    func everyPath() throws {
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Redline.write(Self.message, to: dir, name: "hostile.eml")
        for format in ["text", "json", "jsonl", "sarif"] {
            let result = try Hostile.run(["check", "--format", format, path], deadline: 120, directory: dir)
            #expect([1, 2].contains(result.status), "check --format \(format): \(result.stderr)")
            Self.expectClean(result.out + result.stderr, "check --format \(format)")
        }
        let scan = try Hostile.run(["scan", "--format", "jsonl", dir], deadline: 120, directory: dir)
        Self.expectClean(scan.out + scan.stderr, "scan")
        let sendmail = try Hostile.run(["sendmail", "--sendmail", "/bin/true", "--", "customer@example.org"],
                                       inputFile: path, deadline: 120, directory: dir)
        Self.expectClean(sendmail.out + sendmail.stderr, "sendmail")
        let redact = try Hostile.run(["redact", path], deadline: 120, directory: dir)
        Self.expectClean(redact.stderr, "redact stderr")
        Self.expectClean(redact.out, "redact output")
        #expect(redact.out.contains("X-************1111: note"), "\(redact.out)")
    }
}
