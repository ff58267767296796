import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract
import Testing
import ZIPFoundation
@testable import RedlineMail

/// Office attachments redacted inside the file (issue 13.3): the message is sent on with the
/// document rewritten, its part re-encoded as before, and `X-Redline-Redacted` saying where.
@Suite("Attachments redacted in place")
struct AttachmentRedactionTests {
    /// A DOCX whose paragraphs are made of the given runs.
    static func docx(_ paragraphs: [[String]]) throws -> [UInt8] {
        let body = paragraphs.map { runs in
            "<w:p>" + runs.map { "<w:r><w:t xml:space=\"preserve\">\($0)</w:t></w:r>" }.joined() + "</w:p>"
        }.joined()
        return try AttachmentTests.zip([
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<w:document xmlns:w=\"w\"><w:body>\(body)</w:body></w:document>"),
            ("word/styles.xml", "<w:styles xmlns:w=\"w\"/>"),
        ])
    }

    /// The decoded body of the last base64 part of `message`.
    static func lastAttachment(_ message: [UInt8]) throws -> (bytes: [UInt8], lines: [Substring]) {
        let text = Fixture.text(message)
        let start = try #require(text.range(of: "Content-Transfer-Encoding: base64\r\n\r\n", options: .backwards))
        let end = try #require(text.range(of: "\r\n--b--", range: start.upperBound..<text.endIndex))
        let encoded = text[start.upperBound..<end.lowerBound]
        var problems = DecodeProblems()
        return (Base64.decode(Array(encoded.utf8)[...], problems: &problems), encoded.split(separator: "\r\n"))
    }

    static func documentText(_ bytes: [UInt8]) -> String {
        var text = ""
        let problems = Extractor().extract(Data(bytes), name: "file") { text += String(decoding: $0.text, as: UTF8.self) }
        #expect(problems.isEmpty)
        return text
    }

    @Test("a DOCX attachment is redacted inside the file and sent on: same part headers, base64 as before, X-Redline-Redacted says where")
    func wordAttachment() throws {
        let letter = try Self.docx([["Dear Ms Lovelace,"], ["Your NI number is JG 10 ", "37 55 A", " as we hold it."], ["Your husband's is AB 12 34 56 C."]])
        let message = AttachmentTests.message(body: "Please see the letter attached.", attachment: letter, name: "letter.docx")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .redact)
        #expect(verdict.redactedAttachments == ["part 2 \"letter.docx\": nino in paragraph 2; nino in paragraph 3"])
        #expect(verdict.strippedAttachments.isEmpty && verdict.diagnostics.isEmpty)
        let text = Fixture.text(output)
        // Folded after "; " to stay within 78 columns.
        #expect(text.contains("X-Redline-Redacted: part 2 \"letter.docx\": nino in paragraph 2;\r\n nino in paragraph 3\r\n"))
        #expect(text.contains("Content-Type: application/octet-stream; name=\"letter.docx\"\r\nContent-Disposition: attachment; filename=\"letter.docx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        #expect(Fixture.outline(output) == Fixture.outline(message))
        // The text part before the attachment is byte-identical.
        let head = Fixture.text(message).components(separatedBy: "Content-Type: application/octet-stream")[0]
        let firstPart = try #require(head.range(of: "--b\r\n"))
        #expect(text.contains(head[firstPart.lowerBound...]))
        let (file, lines) = try Self.lastAttachment(output)
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        let redacted = Self.documentText(file)
        #expect(redacted.contains("Your NI number is [NI NUMBER] as we hold it."))
        #expect(redacted.contains("Your husband's is [NI NUMBER]."))
        #expect(!redacted.contains("JG 10") && !redacted.contains("AB 12 34 56 C"))
        // Sent on, nothing is left to redact.
        #expect(Fixture.check(output).findings.filter { $0.action >= .redact }.isEmpty)
    }

    @Test("a value not stored as text (an NHS number in a number cell) cannot be written: X012, then blocked or stripped")
    func numberCell() throws {
        let sheet = try AttachmentTests.zip([
            ("[Content_Types].xml", "<Types/>"),
            ("xl/workbook.xml", "<workbook xmlns:r=\"r\"><sheets><sheet name=\"Patients\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
            ("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>NHS number</t></is></c><c r=\"B1\"><v>9434765919</v></c></row></sheetData></worksheet>"),
        ])
        let message = AttachmentTests.message(body: "Attached.", attachment: sheet, name: "patients.xlsx")
        let (blocked, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .block)
        #expect(verdict.diagnostics.map(\.code) == [ExtractCode.notRewritable, MailCode.attachmentNeedsRedaction])
        #expect(verdict.redactedAttachments.isEmpty)
        #expect(!Fixture.text(blocked).contains("X-Redline-Redacted"))
        let session = try AttachmentTests.pipeline(strip: true).makeSession()
        let (stripped, stripVerdict) = MailProcessor.redact(message, session: session)
        #expect(stripVerdict.verdict == .redact)
        #expect(stripVerdict.strippedAttachments.count == 1)
        #expect(Fixture.text(stripped).contains("[redline: an attachment was removed (part 2)"))
    }

    @Test("a card in a DOCX still blocks the message (card-never-leaves); the check verdict matches redact's")
    func blockingFinding() throws {
        let letter = try Self.docx([["Card 4111 1111 1111 1111 and NI JG 10 37 55 A"]])
        let message = AttachmentTests.message(body: "Attached.", attachment: letter, name: "letter.docx")
        let (_, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .block)
        #expect(Fixture.check(message).verdict == .block)
    }

    @Test("a part the rewriter cannot follow (UTF-16 XML) fails closed: X012, the message blocked, the file unchanged")
    func failClosed() throws {
        let xml = "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>NI JG 10 37 55 A</w:t></w:r></w:p></w:body></w:document>"
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(xml.data(using: .utf16LittleEndian)!)
        let archive = try ZIPFixture.zip([("[Content_Types].xml", Data("<Types/>".utf8)), ("word/document.xml", utf16)])
        let message = AttachmentTests.message(body: "Attached.", attachment: archive, name: "letter.docx")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.findings.map(\.part) == ["part 2 › letter.docx › paragraph 1"])
        #expect(verdict.verdict == .block)
        #expect(verdict.diagnostics.first?.code == ExtractCode.notRewritable)
        #expect(try Self.lastAttachment(output).bytes == archive)
    }
}

enum ZIPFixture {
    static func zip(_ entries: [(String, Data)]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, data) in entries {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return [UInt8](archive.data!)
    }
}
