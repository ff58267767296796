import Foundation
import RedlineCore
import RedlineEngine
import Testing
import ZIPFoundation
@testable import RedlineMail

/// Office files, archives and PDFs attached to a message: read, located, decided with the
/// message, and blocked or stripped when they need redaction.
@Suite("Attachment content")
struct AttachmentTests {
    static func zip(_ entries: [(String, String)]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, text) in entries {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return [UInt8](archive.data!)
    }

    /// An XLSX whose sheet `Customers` has one inline-string cell per (reference, text).
    static func xlsx(_ cells: [(String, String)]) throws -> [UInt8] {
        let rows = cells.map { "<row r=\"\($0.0.drop { $0.isLetter })\"><c r=\"\($0.0)\" t=\"inlineStr\"><is><t>\($0.1)</t></is></c></row>" }.joined()
        return try zip([
            ("[Content_Types].xml", "<Types/>"),
            ("xl/workbook.xml", "<workbook xmlns:r=\"r\"><sheets><sheet name=\"Customers\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
            ("xl/worksheets/sheet1.xml", "<worksheet><sheetData>\(rows)</sheetData></worksheet>"),
        ])
    }

    /// A message with a text body and one base64 attachment.
    static func message(body: String, attachment: [UInt8], name: String, type: String = "application/octet-stream") -> [UInt8] {
        let encoded = String(decoding: Base64.encode(attachment, lineLength: 76, lineEnding: [13, 10]), as: UTF8.self)
        return Fixture.crlf("""
            From: agent@example.co.uk
            To: someone@gmail.com
            Subject: your file
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain; charset=utf-8

            \(body)
            --b
            Content-Type: \(type); name="\(name)"
            Content-Disposition: attachment; filename="\(name)"
            Content-Transfer-Encoding: base64

            \(encoded)
            --b--

            """)
    }

    static func pipeline(strip: Bool) throws -> Pipeline {
        var text = PolicySource.embeddedDefaultText
        if strip { text = text.replacingOccurrences(of: "unredactable_attachments: block", with: "unredactable_attachments: strip") }
        return try Pipeline.compile(yaml: text, file: "test.yaml", key: nil)
    }

    @Test("a spreadsheet attached to a mail is read: findings name the part, file and cell")
    func spreadsheetFindings() throws {
        let sheet = try Self.xlsx([("A1", "NI number"), ("C14", "JG 10 37 55 A")])
        let verdict = Fixture.check(Self.message(body: "Please see the attached list.", attachment: sheet, name: "customers.xlsx"))
        #expect(verdict.findings.map(\.part) == ["part 2 › customers.xlsx › Customers!C14"])
        #expect(verdict.findings.first?.detector == "nino")
        #expect(verdict.findings.first?.excerpt.contains("JG 10 37 55 A") == false)
        #expect(verdict.verdict == .redact)   // redacted inside the file
        #expect(verdict.redactedAttachments == ["part 2 \"customers.xlsx\": nino in Customers!C14"])
        #expect(verdict.diagnostics.isEmpty)
        #expect(verdict.unscannedAttachments.isEmpty)
    }

    @Test("thresholds count across body and attachments: 3 NI numbers in the body and 2 in a ZIP make a bulk export")
    func thresholdsAcrossTheMessage() throws {
        let body = "JG 10 37 55 A, AB 12 34 56 C, CE 12 34 56 D"
        let archive = try Self.zip([("2026/tickets.csv", "id,ni\n1,HJ 65 43 21 A\n2,KL 11 22 33 B\n")])
        let verdict = Fixture.check(Self.message(body: body, attachment: archive, name: "export.zip"))
        #expect(verdict.findings.count == 5)
        #expect(verdict.findings.filter { $0.part == "part 2 › export.zip › 2026/tickets.csv" }.map(\.line) == [2, 3])
        #expect(verdict.findings.allSatisfy { $0.rule == "nino-bulk-export" })
        #expect(verdict.verdict == .block)
    }

    @Test("strip: an attachment that needs redaction it cannot take (a UTF-16 CSV inside a ZIP) is replaced by a note; other parts are byte-identical")
    func strip() throws {
        var utf16 = Data([0xFF, 0xFE])
        utf16.append("name,ni\nAda,JG 10 37 55 A\n".data(using: .utf16LittleEndian)!)
        let archive = try ZIPFixture.zip([("2026/customers.csv", utf16)])
        let message = Self.message(body: "Hello JG 10 37 55 A", attachment: archive, name: "customers.zip")
        let session = try Self.pipeline(strip: true).makeSession()
        let (output, verdict) = MailProcessor.redact(message, session: session)
        #expect(verdict.verdict == .redact)
        #expect(verdict.strippedAttachments == ["part 2 (rule nino-external)"] || verdict.strippedAttachments.count == 1)
        let text = Fixture.text(output)
        #expect(text.contains("X-Redline-Stripped: part 2 (rule "))
        #expect(text.contains("Hello [NI NUMBER]"))
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline"))
        #expect(text.contains("[redline: an attachment was removed (part 2)"))
        #expect(!text.contains("customers.zip"))
        #expect(Fixture.outline(output).count == Fixture.outline(message).count)
        // The stripped message has nothing left to find.
        #expect(MailProcessor.check(output, session: session).findings.filter { $0.action >= .redact }.isEmpty)
    }

    @Test("unscannable attachments are flagged (uk-default) with a code, their names masked")
    func unscannable() throws {
        var encrypted = try Self.zip([("a.txt", "secret")])
        let signature: [UInt8] = [0x50, 0x4B, 1, 2]
        let at = try #require((0..<(encrypted.count - 4)).first { Array(encrypted[$0..<($0 + 4)]) == signature })
        encrypted[at + 8] |= 1
        let verdict = Fixture.check(Self.message(body: "Hi", attachment: encrypted, name: "card 4111111111111111.zip"))
        // Unscannable alone flags; the card in the file name itself (headers are scanned) blocks.
        #expect(verdict.verdict == .block)
        #expect(verdict.findings.map(\.part) == ["2.header:Content-Type;name", "2.header:Content-Disposition;filename"])
        #expect(verdict.diagnostics.map(\.code) == ["X006"])
        let shown = verdict.unscannedAttachments.joined() + verdict.diagnostics.map(\.description).joined()
        #expect(!shown.contains("4111111111111111") && !shown.contains("4111 1111"))
        #expect(shown.contains("1111"))   // the masked excerpt keeps the last digits
    }

    @Test("a message whose attachments hold nothing passes byte-identical")
    func cleanAttachments() throws {
        let sheet = try Self.xlsx([("A1", "Order 12345678 shipped")])
        let message = Self.message(body: "Order attached.", attachment: sheet, name: "orders.xlsx")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .allow)
        #expect(output == message)
    }
}
