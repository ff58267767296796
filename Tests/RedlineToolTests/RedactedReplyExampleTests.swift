import Foundation
import Testing

/// Examples/attachments/reply.eml: an agent's reply carrying a letter (.docx) and a spreadsheet
/// (.xlsx) with NI numbers and bank details. `redline redact` sends it on with both files
/// redacted inside; the output is pinned in reply.redacted.eml, and python-docx and openpyxl
/// (PyPI, in `.build/pyenv` from `make test`) open the attachments it carries.
@Suite("Redacted reply example")
struct RedactedReplyExampleTests {
    /// Opens each attachment of a message with python-docx / openpyxl and prints its text.
    static let script = """
        import email, io, sys, docx, openpyxl
        mail = email.message_from_binary_file(open(sys.argv[1], "rb"))
        for part in mail.walk():
            name = part.get_filename()
            if not name: continue
            data = part.get_payload(decode=True)
            print("==", name, part.get_content_type())
            if name.endswith(".docx"):
                for p in docx.Document(io.BytesIO(data)).paragraphs: print(p.text)
            elif name.endswith(".xlsx"):
                for sheet in openpyxl.load_workbook(io.BytesIO(data)).worksheets:
                    for row in sheet.iter_rows():
                        for cell in row:
                            if cell.value is not None: print(sheet.title + "!" + cell.coordinate + "=" + str(cell.value))
        """

    static var python: String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["REDLINE_PYTHON"], Redline.path(".build/pyenv/bin/python")]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("redline redact sends the reply on with the letter and the spreadsheet redacted inside, as pinned in reply.redacted.eml")
    func pinnedOutput() throws {
        let result = try Redline.run(["redact", "Examples/attachments/reply.eml"], directory: Redline.repository.path)
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try Data(contentsOf: URL(fileURLWithPath: Redline.path("Examples/attachments/reply.redacted.eml")))
        #expect(result.stdout == Array(expected))
        let text = result.out
        #expect(text.contains("X-Redline-Verdict: redact\r\n"))
        #expect(text.contains("X-Redline-Redacted: part 2 \"account-letter.docx\": nino in paragraph 3;\r\n bank in paragraph 3\r\n"))
        #expect(text.contains("X-Redline-Redacted: part 3 \"account-summary.xlsx\": nino in Customers!B2;\r\n nino in Customers!B3; bank in Customers!C3\r\n"))
        // Checking the output finds nothing left to redact.
        let again = try Redline.run(["check", "--color", "never", "--fail-on", "redact", "-"], input: result.stdout, directory: Redline.repository.path)
        #expect(again.status == 0, "\(again.out)")
    }

    @Test("python-docx and openpyxl open the redacted attachments: the values are gone, everything else is there")
    func opensInOffice() throws {
        guard let python = Self.python else {
            if ProcessInfo.processInfo.environment["REDLINE_REQUIRE_PYTHON"] == "1" { Issue.record("no Python with python-docx and openpyxl") }
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.script, Redline.path("Examples/attachments/reply.redacted.eml")]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let text = String(decoding: data, as: UTF8.self)
        for line in ["== account-letter.docx application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "We have updated your record. Your NI number is [NI NUMBER] and refunds go to sort code [BANK DETAILS].",
                     "Customers!A3=Grace Hopper", "Customers!B2=[NI NUMBER]", "Customers!C3=sort code [BANK DETAILS]"] {
            #expect(text.contains(line + "\n"), "\(text)")
        }
        for value in ["AB 12", "CE 12 34 56 D", "31926819"] { #expect(!text.contains(value)) }
    }

    @Test("redline redact of a DOCX or XLSX file writes it redacted inside; a card (block) or a PDF writes nothing and exits 3")
    func documentFiles() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let letter = directory + "/letter.docx"
        let redacted = try Redline.run(["redact", "Examples/attachments/account-letter.docx", "--output", letter], directory: Redline.repository.path)
        #expect(redacted.status == 0, "\(redacted.stderr)")
        let again = try Redline.run(["check", "--format", "jsonl", "--fail-on", "redact", letter])
        #expect(again.status == 0, "\(again.out)")
        let sheet = try Redline.run(["redact", "Examples/attachments/account-summary.xlsx"], directory: Redline.repository.path)
        #expect(sheet.status == 0 && sheet.stdout.starts(with: [0x50, 0x4B, 3, 4]))
        let card = directory + "/refund.docx"
        let blocked = try Redline.run(["redact", "Examples/attachments/refund-letter.docx", "--output", card], directory: Redline.repository.path)
        #expect(blocked.status == 3)
        #expect(blocked.stderr.contains("blocked by rule card-never-leaves; nothing written"))
        #expect(!FileManager.default.fileExists(atPath: card))
        let pdf = try Redline.run(["redact", "Examples/attachments/statement.pdf"], directory: Redline.repository.path)
        #expect(pdf.status == 3 && pdf.stdout.isEmpty)
        #expect(pdf.stderr.contains("cannot be redacted inside the file: X012"))
        for output in [redacted.stderr, blocked.stderr, pdf.stderr] {
            #expect(!output.contains("31926819") && !output.contains("4111"))
        }
    }
}
