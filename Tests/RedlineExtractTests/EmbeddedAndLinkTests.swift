import Foundation
import Testing
@testable import RedlineExtract

/// Issue 13, what was still not read: Office files embedded in Office files, hyperlink targets,
/// XLSX defined names, worksheet headers and footers, ODS formulas' string literals, ODF headers,
/// footers and embedded objects. Each is found under a location label; a redaction is written in
/// place where the value is character data, and fails closed (X012) where it is an attribute.
@Suite("Embedded files, links, defined names, headers and footers")
struct EmbeddedAndLinkTests {
    static let w = HiddenPartsTests.w

    /// A DOCX with a spreadsheet embedded in it and a `mailto:` link behind its text.
    static func letterWithWorkbook(embedded: Data, embeddedName: String = "word/embeddings/Book1.xlsx") throws -> Data {
        try Fixtures.zip([
            ("[Content_Types].xml", Data(Fixtures.contentTypes.utf8)),
            ("word/document.xml", Data("<w:document \(w)><w:body><w:p><w:r><w:t>OUTER-text</w:t></w:r></w:p></w:body></w:document>".utf8)),
            ("word/_rels/document.xml.rels", Data("""
                <Relationships xmlns="p"><Relationship Id="rId1" Type="hyperlink" Target="mailto:LINK-docx%40example.com" TargetMode="External"/>\
                <Relationship Id="rId2" Type="styles" Target="styles.xml"/></Relationships>
                """.utf8)),
            (embeddedName, embedded),
        ])
    }

    @Test("a spreadsheet embedded in a DOCX is read as a nested document with its own location")
    func embeddedWorkbookIsRead() throws {
        let inner = try Fixtures.xlsx(cells: [("A1", "EMBED-cell", "s"), ("B1", "EMBED-inline", "inlineStr")])
        let (documents, problems) = run(try Self.letterWithWorkbook(embedded: inner), name: "letter.docx")
        #expect(problems.isEmpty, "\(problems)")
        #expect(documents.map(\.path) == [["letter.docx"], ["letter.docx", "word/embeddings/Book1.xlsx"]])
        #expect(documents[0].label(of: "OUTER-text") == "paragraph 1")
        #expect(documents[1].kind == .xlsx)
        #expect(documents[1].label(of: "EMBED-cell") == "Sheet1!A1")
        #expect(documents[1].label(of: "EMBED-inline") == "Sheet1!B1")
    }

    @Test("an embedded spreadsheet and the letter around it are both redacted, the letter re-packed around the new spreadsheet")
    func embeddedWorkbookIsRedacted() throws {
        let inner = try Fixtures.xlsx(cells: [("A1", "JG 10 37 55 A", "s")])
        let outer = try Self.letterWithWorkbook(embedded: inner)
        let docx = try Fixtures.zip([
            ("[Content_Types].xml", Fixtures.contentTypes),
            ("word/document.xml", "<w:document \(Self.w)><w:body><w:p><w:r><w:t>NI JG 10 37 55 A</w:t></w:r></w:p></w:body></w:document>"),
        ])
        // Only the embedded file, then the letter's own text and the embedded file together.
        for (data, paths) in [(outer, [["l.docx", "word/embeddings/Book1.xlsx"]]),
                              (try Self.letterWithWorkbook(embedded: inner).replacingDocument(with: docx),
                               [["l.docx"], ["l.docx", "word/embeddings/Book1.xlsx"]])] {
            let targets = try paths.map { try ArchiveRewriteTests.target(data, name: "l.docx", path: $0) }
            let output = try DocumentRewriter.redact(data, name: "l.docx", targets: targets)
            let (texts, problems) = ArchiveRewriteTests.documents(output, name: "l.docx")
            #expect(problems.isEmpty, "\(problems)")
            #expect(texts.count == 2)
            #expect(!texts.values.contains { $0.contains("JG 10 37 55 A") }, "\(texts)")
            #expect(texts["l.docx › word/embeddings/Book1.xlsx"]?.contains("[NI NUMBER]") == true)
            // The parts that held nothing are copied as they were.
            let before = try entries(data), after = try entries(output)
            #expect(before.map(\.0) == after.map(\.0))
            for ((name, _, bytes), (_, _, newBytes)) in zip(before, after) where name == "word/_rels/document.xml.rels" || name == "[Content_Types].xml" {
                #expect(bytes == newBytes)
            }
        }
    }

    @Test("an embedded OLE object is reported as unreadable, the document around it is still read")
    func embeddedOleObjectIsReported() throws {
        let ole = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504))
        let (documents, problems) = run(try Self.letterWithWorkbook(embedded: ole, embeddedName: "word/embeddings/oleObject1.bin"), name: "l.docx")
        #expect(documents.map(\.path) == [["l.docx"]])
        #expect(problems.map(\.code) == [ExtractCode.unsupported])
        #expect(problems.first?.path == ["l.docx", "word/embeddings/oleObject1.bin"])
    }

    @Test("Office files embedded deeper than the nesting bound are refused as too deep")
    func embeddingDepthIsBounded() throws {
        var data = try Fixtures.docx(paragraphs: ["innermost"])
        for _ in 0..<3 { data = try Self.letterWithWorkbook(embedded: data, embeddedName: "word/embeddings/Doc.docx") }
        var limits = ExtractLimits()
        limits.depth = 3
        let (documents, problems) = run(data, name: "l.docx", limits: limits)
        #expect(problems.map(\.code) == [ExtractCode.tooDeep])
        #expect(!documents.contains { $0.string.contains("innermost") })
        limits.depth = 4
        #expect(run(data, name: "l.docx", limits: limits).documents.contains { $0.string.contains("innermost") })
    }

    @Test("external hyperlink targets are read (percent escapes decoded) and a redaction there fails closed")
    func hyperlinkTargets() throws {
        let data = try Self.letterWithWorkbook(embedded: Data("plain".utf8), embeddedName: "word/embeddings/note.txt")
        let document = try #require(run(data, name: "l.docx").documents.first)
        #expect(document.label(of: "mailto:LINK-docx@example.com") == "document › link 1")
        #expect(!document.string.contains("styles.xml"))
        HiddenPartsTests.expectRedaction(data, "LINK-docx", inPlace: false)
    }

    static func workbook() throws -> Data {
        try Fixtures.zip([
            ("[Content_Types].xml", Fixtures.contentTypes),
            ("xl/workbook.xml", """
                <workbook xmlns="m" xmlns:r="r"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>\
                <definedNames><definedName name="contact">"DEFINED-name@example.com"</definedName>\
                <definedName name="_xlnm.Print_Area" localSheetId="0">Sheet1!$A$1:$B$2</definedName></definedNames></workbook>
                """),
            ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"p\"><Relationship Id=\"rId1\" Type=\"ws\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
            ("xl/worksheets/sheet1.xml", """
                <worksheet xmlns="m" xmlns:r="r"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cell</t></is></c></row></sheetData>\
                <hyperlinks><hyperlink ref="A1" r:id="rId1"/></hyperlinks>\
                <headerFooter><oddHeader>&amp;L&amp;"Arial,Bold"HEADER-left&amp;RPage &amp;P of &amp;N</oddHeader>\
                <oddFooter>&amp;C&amp;KFF0000FOOTER-centre &amp;&amp; co</oddFooter><firstHeader>&amp;12FIRST-header</firstHeader></headerFooter></worksheet>
                """),
            ("xl/worksheets/_rels/sheet1.xml.rels", "<Relationships xmlns=\"p\"><Relationship Id=\"rId1\" Type=\"hyperlink\" Target=\"mailto:LINK-xlsx@example.com?subject=x\" TargetMode=\"External\"/></Relationships>"),
        ])
    }

    @Test("XLSX: defined names, header and footer text (codes blanked), a sheet's hyperlink targets")
    func workbookParts() throws {
        let data = try Self.workbook()
        try HiddenPartsTests.expectLabels(data, name: "book.xlsx", [
            ("DEFINED-name@example.com", "defined name 1"), ("Sheet1!$A$1:$B$2", "defined name 2"),
            ("HEADER-left", "Sheet1 › odd header"), ("FOOTER-centre &  co", "Sheet1 › odd footer"), ("FIRST-header", "Sheet1 › first header"),
            ("mailto:LINK-xlsx@example.com", "sheet1 › link 1"),
        ])
        let document = try #require(run(data).documents.first)
        #expect(!document.string.contains("Arial") && !document.string.contains("FF0000") && !document.string.contains("&P"))
        for marker in ["DEFINED-name", "HEADER-left", "FOOTER-centre", "FIRST-header"] {
            HiddenPartsTests.expectRedaction(data, marker, inPlace: true)
        }
        HiddenPartsTests.expectRedaction(data, "LINK-xlsx", inPlace: false)
        // The codes around a redacted header value are kept.
        let output = try redact(data, [("HEADER-left", "[REDACTED]")])
        let sheet = try #require(try entries(output).first { $0.0 == "xl/worksheets/sheet1.xml" }?.2)
        #expect(String(decoding: sheet, as: UTF8.self).contains("&amp;L&amp;\"Arial,Bold\"[REDACTED]&amp;RPage"))
    }

    @Test("the header and footer code blanking keeps every byte where it was")
    func headerCodes() {
        #expect(blankHeaderFooterCodes("&L&\"Arial,Bold\"Ada&RPage &P") == "  " + String(repeating: " ", count: 13) + "Ada  Page   ")
        #expect(blankHeaderFooterCodes("a && b &KFF0000red &14big") == "a &  b         red    big")
        #expect(blankHeaderFooterCodes("&\"Ünï\"x &é").utf8.count == "&\"Ünï\"x &é".utf8.count)
        #expect(blankHeaderFooterCodes("&").utf8.count == 1)
    }

    static let namespaces = "xmlns:office=\"o\" xmlns:text=\"t\" xmlns:table=\"tb\" xmlns:xlink=\"x\" xmlns:style=\"s\" xmlns:draw=\"d\""

    @Test("ODS: formulas' string literals and string values are read; a redaction there fails closed")
    func spreadsheetFormulas() throws {
        let content = """
            <office:document-content \(Self.namespaces)><office:body><office:spreadsheet><table:table table:name="Sheet1"><table:table-row>\
            <table:table-cell table:formula="of:=CONCATENATE(&quot;FORMULA-&quot;&quot;ods&quot;&quot;&quot;;[.B1])" office:value-type="string"><text:p>shown</text:p></table:table-cell>\
            <table:table-cell table:formula="of:=LEN(&quot;ONLY-formula&quot;)" office:value-type="float" office:value="12"/>\
            <table:table-cell office:value-type="string" office:string-value="HIDDEN-value"><text:p>other</text:p></table:table-cell>\
            </table:table-row></table:table></office:spreadsheet></office:body></office:document-content>
            """
        let data = try Fixtures.zip([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content)])
        try HiddenPartsTests.expectLabels(data, name: "book.ods", [
            ("shown", "Sheet1!A1"), ("FORMULA-\"ods\"", "Sheet1!A1 formula"), ("ONLY-formula", "Sheet1!B1 formula"), ("HIDDEN-value", "Sheet1!C1"),
        ])
        HiddenPartsTests.expectRedaction(data, "FORMULA-", inPlace: false)
        HiddenPartsTests.expectRedaction(data, "ONLY-formula", inPlace: false)
        HiddenPartsTests.expectRedaction(data, "HIDDEN-value", inPlace: false)
        HiddenPartsTests.expectRedaction(data, "shown", inPlace: true)
    }

    @Test("ODF: links that leave the package, headers and footers in styles.xml, embedded objects; package paths are not links")
    func openDocumentParts() throws {
        let content = """
            <office:document-content \(Self.namespaces)><office:body><office:text>\
            <text:p>Write to <text:a xlink:type="simple" xlink:href="mailto:LINK-odt@example.com">us</text:a></text:p>\
            <text:p><draw:frame><draw:object xlink:href="./Object 1" xlink:type="simple"/></draw:frame>\
            <draw:frame><draw:image xlink:href="Pictures/1.png"/></draw:frame><text:a xlink:href="#Bookmark">x</text:a></text:p>\
            </office:text></office:body></office:document-content>
            """
        let styles = "<office:document-styles \(Self.namespaces)><office:master-styles><style:master-page style:name=\"Standard\"><style:header><text:p>HEADER-odt</text:p></style:header></style:master-page></office:master-styles></office:document-styles>"
        let object = "<office:document-content \(Self.namespaces)><office:body><office:spreadsheet><table:table table:name=\"Data\"><table:table-row><table:table-cell office:value-type=\"string\"><text:p>OBJECT-cell</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
        let chart = "<office:document-content \(Self.namespaces)><office:body><office:chart><text:p>CHART-title</text:p></office:chart></office:body></office:document-content>"
        let data = try Fixtures.zip([
            ("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", content), ("styles.xml", styles),
            ("Object 1/content.xml", object), ("Object 2/content.xml", chart), ("Pictures/1.png", "png"),
        ])
        try HiddenPartsTests.expectLabels(data, name: "letter.odt", [
            ("mailto:LINK-odt@example.com", "link 1"), ("HEADER-odt", "styles › paragraph 1"),
            ("OBJECT-cell", "Object 1 › Data!A1"), ("CHART-title", "Object 2 › paragraph 1"),
        ])
        let document = try #require(run(data).documents.first)
        #expect(!document.string.contains("Object 1\n") && !document.string.contains("Pictures/") && !document.string.contains("Bookmark"))
        for marker in ["HEADER-odt", "OBJECT-cell", "CHART-title"] { HiddenPartsTests.expectRedaction(data, marker, inPlace: true) }
        HiddenPartsTests.expectRedaction(data, "LINK-odt", inPlace: false)
    }
}

extension Data {
    /// This DOCX with its `word/document.xml` taken from `other`.
    func replacingDocument(with other: Data) throws -> Data {
        let mine = try entries(self)
        let theirs = try entries(other)
        let document = try #require(theirs.first { $0.0 == "word/document.xml" }?.2)
        return try Fixtures.zip(mine.map { ($0.0, $0.0 == "word/document.xml" ? document : $0.2) })
    }
}
