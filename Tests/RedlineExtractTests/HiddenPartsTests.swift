import Foundation
import Testing
@testable import RedlineExtract

/// Issue 13: the parts of an Office or OpenDocument file a reader does not see at first glance
/// (field codes, alt text, comments, notes, headers and footers, foot- and endnotes, document
/// properties, formulas, unused shared strings, sheet names) are read, each with a location; a
/// redaction there is written in place when the value is character data, and fails closed
/// (X012) when it sits in an attribute or a formula.
@Suite("Hidden parts of Office documents")
struct HiddenPartsTests {
    /// The one document `data` reads as; every marker must be found under its label.
    static func expectLabels(_ data: Data, name: String, _ labels: [(String, String)],
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (documents, problems) = run(data, name: name)
        #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
        let document = try #require(documents.first, sourceLocation: sourceLocation)
        for (marker, label) in labels {
            #expect(document.label(of: marker) == label, "\(marker) in \(document.label(of: marker) ?? "nothing")", sourceLocation: sourceLocation)
        }
    }

    /// Redacting `marker` writes it in place (the file reads back without it) or fails closed.
    static func expectRedaction(_ data: Data, _ marker: String, inPlace: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let output = try redact(data, [(marker, "[REDACTED]")])
            #expect(inPlace, "\(marker) was written, but should fail closed", sourceLocation: sourceLocation)
            let after = text(output)
            #expect(!after.contains(marker) && after.contains("[REDACTED]"), "\(after)", sourceLocation: sourceLocation)
        } catch {
            #expect(!inPlace, "\(marker): \(error.message)", sourceLocation: sourceLocation)
            #expect(error.code == ExtractCode.notRewritable, sourceLocation: sourceLocation)
        }
    }

    static let w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

    static func docx() throws -> Data {
        let body = """
            <w:p><w:r><w:t>Dear customer</w:t></w:r></w:p>\
            <w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> MERGEFIELD FIELD-instr </w:instrText></w:r>\
            <w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>\
            <w:p><w:r><w:drawing><wp:inline xmlns:wp="wp"><wp:docPr id="1" name="Picture 1" descr="Scan of ALT-descr&#10;front"/></wp:inline></w:drawing></w:r></w:p>\
            <w:p><w:fldSimple w:instr=" HYPERLINK &quot;mailto:FIELD-simple@example.com&quot; "><w:r><w:t>mail us</w:t></w:r></w:fldSimple></w:p>
            """
        func part(_ root: String, _ text: String) -> String {
            "<w:\(root) \(w)><w:p><w:r><w:t>\(text)</w:t></w:r></w:p></w:\(root)>"
        }
        return try Fixtures.zip([
            ("[Content_Types].xml", Fixtures.contentTypes),
            ("word/document.xml", "<w:document \(w)><w:body>\(body)</w:body></w:document>"),
            ("word/comments.xml", "<w:comments \(w)><w:comment w:id=\"0\" w:author=\"A\"><w:p><w:r><w:t>COMMENT-word</w:t></w:r></w:p></w:comment></w:comments>"),
            ("word/header1.xml", part("hdr", "HEADER-word")),
            ("word/footer2.xml", part("ftr", "FOOTER-word")),
            ("word/footnotes.xml", "<w:footnotes \(w)><w:footnote w:id=\"1\"><w:p><w:r><w:t>FOOTNOTE-word</w:t></w:r></w:p></w:footnote></w:footnotes>"),
            ("word/endnotes.xml", "<w:endnotes \(w)><w:endnote w:id=\"1\"><w:p><w:r><w:t>ENDNOTE-word</w:t></w:r></w:p></w:endnote></w:endnotes>"),
            ("docProps/core.xml", "<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"><dc:title>PROP-core</dc:title></cp:coreProperties>"),
            ("docProps/app.xml", "<Properties xmlns=\"e\"><Company>PROP-app</Company><Pages>1</Pages></Properties>"),
            ("docProps/custom.xml", "<Properties xmlns=\"c\" xmlns:vt=\"v\"><property fmtid=\"{D5CDD505}\" pid=\"2\" name=\"Customer\"><vt:lpwstr>PROP-custom</vt:lpwstr></property></Properties>"),
        ])
    }

    @Test("DOCX: field codes, alt text, simple fields, comments, headers, footers, foot- and endnotes, core/app/custom properties")
    func wordParts() throws {
        let data = try Self.docx()
        try Self.expectLabels(data, name: "letter.docx", [
            ("FIELD-instr", "paragraph 2"), ("ALT-descr front", "alt text 1"), ("FIELD-simple", "field code 1"),
            ("COMMENT-word", "comments › paragraph 1"), ("HEADER-word", "header1 › paragraph 1"), ("FOOTER-word", "footer2 › paragraph 1"),
            ("FOOTNOTE-word", "footnotes › paragraph 1"), ("ENDNOTE-word", "endnotes › paragraph 1"),
            ("PROP-core", "properties"), ("PROP-app", "properties"), ("PROP-custom", "properties"),
        ])
        for marker in ["FIELD-instr", "COMMENT-word", "HEADER-word", "FOOTER-word", "FOOTNOTE-word", "ENDNOTE-word", "PROP-core", "PROP-app", "PROP-custom"] {
            Self.expectRedaction(data, marker, inPlace: true)
        }
        // Attribute values (alt text, a simple field's code) cannot be written: fail closed.
        Self.expectRedaction(data, "ALT-descr", inPlace: false)
        Self.expectRedaction(data, "FIELD-simple", inPlace: false)
    }

    static func xlsx() throws -> Data {
        try Fixtures.zip([
            ("[Content_Types].xml", Fixtures.contentTypes),
            ("xl/workbook.xml", "<workbook xmlns=\"m\" xmlns:r=\"r\"><sheets><sheet name=\"SHEET-name\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"p\"><Relationship Id=\"rId1\" Type=\"ws\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
            ("xl/sharedStrings.xml", "<sst xmlns=\"m\" count=\"2\"><si><t>name</t></si><si><t>UNUSED-shared</t></si></sst>"),
            ("xl/worksheets/sheet1.xml", """
                <worksheet xmlns="m"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>\
                <c r="B1" t="str"><f>CONCAT(&quot;FORMULA-&quot;&quot;lit&quot;&quot;&quot;, A1)</f><v>computed</v></c>\
                <c r="C1"><f>LEN(&quot;ONLY-formula&quot;)</f></c></row></sheetData></worksheet>
                """),
            ("xl/comments1.xml", "<comments xmlns=\"m\"><authors><author>A</author></authors><commentList><comment ref=\"A1\" authorId=\"0\"><text><r><t>NOTE-</t></r><r><t>legacy</t></r></text></comment></commentList></comments>"),
            ("xl/threadedComments/threadedComment1.xml", "<ThreadedComments xmlns=\"t\"><threadedComment ref=\"B1\" id=\"{1}\"><text>THREAD-comment</text></threadedComment></ThreadedComments>"),
            ("docProps/custom.xml", "<Properties xmlns=\"c\" xmlns:vt=\"v\"><property name=\"x\"><vt:lpwstr>PROP-xlsx</vt:lpwstr></property></Properties>"),
            ("xl/pivotCache/pivotCacheDefinition1.xml", "<pivotCacheDefinition xmlns=\"m\"><cacheFields><cacheField name=\"ni\"><sharedItems><s v=\"PIVOT-value\"/><n v=\"4\"/></sharedItems></cacheField></cacheFields></pivotCacheDefinition>"),
            ("xl/charts/chart1.xml", "<c:chartSpace xmlns:c=\"c\"><c:chart><c:ser><c:cat><c:strRef><c:f>Sheet1!$A$1</c:f><c:strCache><c:pt idx=\"0\"><c:v>CHART-cache</c:v></c:pt></c:strCache></c:strRef></c:cat></c:ser></c:chart></c:chartSpace>"),
        ])
    }

    @Test("XLSX: formulas' string literals, notes, threaded comments, unused shared strings, sheet names, pivot caches, charts, properties")
    func spreadsheetParts() throws {
        let data = try Self.xlsx()
        try Self.expectLabels(data, name: "book.xlsx", [
            ("computed", "SHEET-name!B1"), ("FORMULA-\"lit\"", "SHEET-name!B1 formula"), ("ONLY-formula", "SHEET-name!C1 formula"),
            ("NOTE-legacy", "comments1 › A1"), ("THREAD-comment", "threadedComment1 › B1"), ("UNUSED-shared", "shared string 2"),
            ("SHEET-name", "sheet name 1"), ("PROP-xlsx", "properties"), ("PIVOT-value", "pivotCacheDefinition1"), ("CHART-cache", "chart1"),
        ])
        for marker in ["NOTE-legacy", "THREAD-comment", "UNUSED-shared", "PROP-xlsx", "computed", "CHART-cache"] {
            Self.expectRedaction(data, marker, inPlace: true)
        }
        // A formula's literal and a sheet name are not character data the rewriter writes: fail closed.
        Self.expectRedaction(data, "FORMULA-", inPlace: false)
        Self.expectRedaction(data, "ONLY-formula", inPlace: false)
        Self.expectRedaction(data, "PIVOT-value", inPlace: false)
        let document = try #require(run(data).documents.first)
        let start = try #require(document.string.range(of: "SHEET-name"))
        let offset = document.string.utf8.distance(from: document.string.startIndex, to: start.lowerBound)
        #expect(throws: ExtractProblem.self) {
            try OfficeRewriter.redact(data, text: document.text, replacements: [.init(range: offset..<(offset + 10), text: Array("x".utf8))])
        }
    }

    @Test("PPTX: notes, legacy and modern comments, alt text")
    func presentationParts() throws {
        let data = try Fixtures.zip([
            ("[Content_Types].xml", Fixtures.contentTypes), ("ppt/presentation.xml", "<p:presentation xmlns:p=\"p\"/>"),
            ("ppt/slides/slide1.xml", "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><p:cNvPr id=\"2\" name=\"Picture\" descr=\"ALT-slide\"/><a:p><a:r><a:t>Title</a:t></a:r></a:p></p:sld>"),
            ("ppt/notesSlides/notesSlide1.xml", "<p:notes xmlns:p=\"p\" xmlns:a=\"a\"><a:p><a:r><a:t>NOTES-slide</a:t></a:r></a:p></p:notes>"),
            ("ppt/comments/comment1.xml", "<p:cmLst xmlns:p=\"p\"><p:cm authorId=\"0\" idx=\"1\"><p:pos x=\"1\" y=\"1\"/><p:text>LEGACY-comment</p:text></p:cm></p:cmLst>"),
            ("ppt/comments/modernComment_100_1.xml", "<p188:cmLst xmlns:p188=\"m\" xmlns:a=\"a\"><p188:cm id=\"{1}\"><p188:txBody><a:bodyPr/><a:p><a:r><a:t>MODERN-comment</a:t></a:r></a:p></p188:txBody></p188:cm></p188:cmLst>"),
        ])
        try Self.expectLabels(data, name: "deck.pptx", [
            ("NOTES-slide", "notes 1"), ("LEGACY-comment", "comment1 › comment 1"), ("MODERN-comment", "modernComment_100_1 › comment 1"),
            ("ALT-slide", "slide 1 › alt text 1"),
        ])
        for marker in ["NOTES-slide", "LEGACY-comment", "MODERN-comment"] { Self.expectRedaction(data, marker, inPlace: true) }
        Self.expectRedaction(data, "ALT-slide", inPlace: false)
    }

    @Test("ODT and ODS: comments (office:annotation) without their author and date, and meta.xml")
    func openDocumentParts() throws {
        let namespaces = "xmlns:office=\"o\" xmlns:text=\"t\" xmlns:table=\"tb\" xmlns:dc=\"dc\" xmlns:meta=\"m\""
        let annotation = "<office:annotation><dc:creator>Ada Author</dc:creator><dc:date>2026-01-01T10:00:00</dc:date><text:p>ANNOTATION-odf</text:p></office:annotation>"
        let meta = "<office:document-meta \(namespaces)><office:meta><meta:user-defined meta:name=\"ni\">META-odf</meta:user-defined></office:meta></office:document-meta>"
        let odt = try Fixtures.zip([
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", "<office:document-content \(namespaces)><office:body><office:text><text:p>First</text:p><text:p>Before \(annotation)AFTER-odf</text:p></office:text></office:body></office:document-content>"),
            ("meta.xml", meta),
        ])
        try Self.expectLabels(odt, name: "letter.odt", [("ANNOTATION-odf", "comment 1"), ("AFTER-odf", "paragraph 2"), ("Before", "paragraph 2"), ("META-odf", "properties")])
        let odtText = try #require(run(odt).documents.first).string
        #expect(!odtText.contains("Ada Author") && !odtText.contains("2026-01-01"))
        for marker in ["ANNOTATION-odf", "AFTER-odf", "META-odf"] { Self.expectRedaction(odt, marker, inPlace: true) }

        let ods = try Fixtures.zip([
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", "<office:document-content \(namespaces)><office:body><office:spreadsheet><table:table table:name=\"Sheet1\"><table:table-row><table:table-cell office:value-type=\"string\">\(annotation)<text:p>cell</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"),
            ("meta.xml", meta),
        ])
        try Self.expectLabels(ods, name: "book.ods", [("ANNOTATION-odf", "Sheet1!A1"), ("META-odf", "properties")])
        #expect(try #require(run(ods).documents.first).string.contains("Ada Author") == false)
        for marker in ["ANNOTATION-odf", "META-odf"] { Self.expectRedaction(ods, marker, inPlace: true) }
    }
}
