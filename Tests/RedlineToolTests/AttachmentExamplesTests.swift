import Foundation
import Testing

/// Examples/attachments (built by scripts/make-attachment-examples.py with openpyxl,
/// python-docx and reportlab): Office, PDF and ZIP files checked directly and inside an e-mail.
@Suite("Attachment examples")
struct AttachmentExamplesTests {
    /// The `part` of every finding in `redline check --format jsonl` output, in order.
    static func parts(_ arguments: [String]) throws -> (parts: [String], status: Int32, stderr: String) {
        let result = try Redline.run(["check", "--format", "jsonl"] + arguments, directory: Redline.repository.path)
        var parts: [String] = []
        for line in result.out.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["type"] as? String != "summary" else { continue }
            parts.append(object["part"] as? String ?? "-")
        }
        return (parts, result.status, result.stderr)
    }

    @Test("a spreadsheet: findings name the sheet and cell")
    func spreadsheet() throws {
        let (parts, status, _) = try Self.parts(["Examples/attachments/customers.xlsx"])
        #expect(status == 1)
        #expect(parts.contains("Customers!B2") && parts.contains("Customers!C2") && parts.contains("Customers!D2"))
        #expect(parts.contains("Customers!E4"))   // the sort code and account in the notes column
    }

    @Test("a letter, a PDF statement and a ZIP export: paragraph, page and member")
    func documents() throws {
        #expect(try Self.parts(["Examples/attachments/refund-letter.docx"]).parts.allSatisfy { $0 == "paragraph 4" })
        let pdf = try Self.parts(["Examples/attachments/statement.pdf"]).parts
        #expect(!pdf.isEmpty && pdf.allSatisfy { $0 == "page 2" })
        let zip = try Self.parts(["Examples/attachments/export.zip"]).parts
        #expect(zip.contains("2026/tickets.csv") && zip.contains("customers.xlsx › Customers!B2"))
    }

    @Test("the e-mail carrying them: every attachment is read and the message is blocked, not sent half-redacted")
    func message() throws {
        let (parts, status, stderr) = try Self.parts(["Examples/attachments/documents.eml"])
        #expect(status == 1)
        #expect(parts.contains("part 2 › customers.xlsx › Customers!B2"))
        #expect(parts.contains("part 3 › refund-letter.docx › paragraph 4"))
        #expect(parts.contains("part 4 › statement.pdf › page 2"))
        #expect(parts.contains("part 5 › export.zip › 2026/tickets.csv"))
        #expect(!stderr.contains("not scanned"))
        let redacted = try Redline.run(["redact", "Examples/attachments/documents.eml"], directory: Redline.repository.path)
        #expect(redacted.out.contains("X-Redline-Verdict: block"))
    }

    @Test("scan reads the attachment examples folder: documents recognised by extension and content")
    func scanFolder() throws {
        let result = try Redline.run(["scan", "--format", "jsonl", "Examples/attachments"], directory: Redline.repository.path)
        #expect(result.status == 1)
        #expect(result.out.contains("\"part\":\"Customers!C2\""))
        #expect(result.out.contains("\"part\":\"page 2\""))
        #expect(!result.out.contains("4111 1111 1111 1111") && !result.out.contains("4111111111111111"))
    }

    @Test("a long CSV inside a ZIP is streamed in windows: a card near its end is found on its line")
    func longMember() throws {
        let directory = try Redline.temporaryDirectory()
        let archive = directory + "/export.zip"
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        zip.arguments = ["-c", """
            import zipfile, sys
            rows = "".join("%d,order %d shipped to customer%d\\n" % (i, 100000 + i * 7, i % 991) for i in range(150000))
            z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
            z.writestr("2026/tickets.csv", rows + "150000,card 4111 1111 1111 1111\\n")
            z.close()
            """, archive]
        try zip.run()
        zip.waitUntilExit()
        let result = try Redline.run(["check", "--color", "never", archive], directory: directory)
        #expect(result.status == 1)
        #expect(result.out.contains("export.zip:150001:13: card-never-leaves [block] card: **** **** **** 1111 (2026/tickets.csv)"), "\(result.out)")
    }

    @Test("a zip bomb file is unscannable: flagged with its code, quickly")
    func zipBomb() throws {
        let directory = try Redline.temporaryDirectory()
        // 64 MB of zeros deflates to about 64 KB: far over the 200:1 ratio.
        let archive = directory + "/bomb.zip"
        let zeros = directory + "/zeros.txt"
        FileManager.default.createFile(atPath: zeros, contents: Data(count: 64 << 20))
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        zip.arguments = ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[2],'zeros.txt'); z.close()", archive, zeros]
        try zip.run()
        zip.waitUntilExit()
        let started = Date()
        let result = try Redline.run(["check", archive], directory: directory)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.status == 1)   // uk-default: unscannable_attachments: flag
        #expect(result.stderr.contains("X004"))
    }
}
