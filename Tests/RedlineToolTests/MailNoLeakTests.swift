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

    /// A message whose Message-ID holds a card and an NI number.
    static let identified = """
        From: agent@example.co.uk
        To: customer@example.org
        Subject: your order
        Message-ID: <order-4111111111111111-JG103755A@shop.example>

        Thanks for your order.

        """

    @Test("audit records of sendmail and scan name the message by its Message-ID with the card and NINO redacted")
    func auditSourceMasked() throws {
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Redline.write("mail-no-leak-audit-key\n", to: dir, name: "key")
        let mail = try Redline.write(Self.identified, to: dir + "", name: "order.eml")
        let sendmailLog = dir + "/sendmail-audit.jsonl"
        let sendmail = try Hostile.run(["sendmail", "--sendmail", "/bin/true", "--key-file", key, "--audit", sendmailLog, "--", "customer@example.org"],
                                       inputFile: mail, deadline: 120, directory: dir)
        #expect(!sendmail.hung)
        let sendmailRecord = try String(contentsOfFile: sendmailLog, encoding: .utf8)
        #expect(sendmailRecord.contains("\"source\":\"<order-"), "\(sendmailRecord)")
        #expect(sendmailRecord.contains("@shop.example>"), "the Message-ID's own form is kept: \(sendmailRecord)")
        Self.expectClean(sendmailRecord + sendmail.stderr, "sendmail audit record")

        let scanLog = dir + "/scan-audit.jsonl"
        let tree = dir + "/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        _ = try Redline.write(Self.identified, to: tree, name: "order.eml")
        let scan = try Hostile.run(["scan", "--format", "json", "--key-file", key, "--audit", scanLog, tree], deadline: 120, directory: dir)
        #expect([0, 1].contains(scan.status), "\(scan.stderr)")
        let scanRecord = try String(contentsOfFile: scanLog, encoding: .utf8)
        #expect(scanRecord.contains("\"source\":\"<order-"), "\(scanRecord)")
        Self.expectClean(scanRecord + scan.out + scan.stderr, "scan audit record and report")
    }

    @Test("a file name holding a card: check's diagnostics about the message and its audit record, and scan's audit record, show it masked")
    func fileNameMasked() throws {
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Redline.write("mail-no-leak-audit-key\n", to: dir, name: "key")
        let tree = dir + "/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        let path = try Redline.write(Self.message, to: tree, name: "statement 4111 1111 1111 1111.eml")
        let checkLog = dir + "/check-audit.jsonl"
        let check = try Hostile.run(["check", "--key-file", key, "--audit", checkLog, path], deadline: 120, directory: dir)
        #expect(check.stderr.contains("statement **** **** **** 1111.eml"), "\(check.stderr)")
        let checkRecord = try String(contentsOfFile: checkLog, encoding: .utf8)
        #expect(checkRecord.contains("statement **** **** **** 1111.eml"), "\(checkRecord)")
        Self.expectClean(check.stderr + checkRecord, "check stderr and audit record")
        let scanLog = dir + "/scan-audit.jsonl"
        let scan = try Hostile.run(["scan", "--format", "json", "--key-file", key, "--audit", scanLog, tree], deadline: 120, directory: dir)
        let scanRecord = try String(contentsOfFile: scanLog, encoding: .utf8)
        Self.expectClean(scanRecord + scan.stderr, "scan audit record and stderr")
    }
}
