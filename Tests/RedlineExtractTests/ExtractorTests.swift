import Foundation
import Testing
@testable import RedlineExtract

func run(_ data: Data, name: String = "file", limits: ExtractLimits = ExtractLimits(), pieceSize: Int? = nil)
    -> (documents: [ExtractedDocument], problems: [ExtractProblem]) {
    let extractor = Extractor(limits: limits)
    if let pieceSize { extractor.pieceSize = pieceSize }
    var documents: [ExtractedDocument] = []
    let problems = extractor.extract(data, name: name) { documents.append($0) }
    return (documents, problems)
}

extension ExtractedDocument {
    var string: String { String(decoding: text, as: UTF8.self) }
    /// The label of the segment holding the first occurrence of `needle`.
    func label(of needle: String) -> String? {
        guard let range = string.range(of: needle) else { return nil }
        return segment(at: string.utf8.distance(from: string.startIndex, to: range.lowerBound))?.label
    }
}

@Suite("Content sniffing")
struct ContentKindTests {
    @Test("chooses the type from magic bytes, not the name")
    func magic() throws {
        #expect(ContentKind.sniff(Array("PK\u{3}\u{4}rest".utf8)) == .zip)
        #expect(ContentKind.sniff([0x1F, 0x8B, 8, 0]) == .gzip)
        #expect(ContentKind.sniff(Array("%PDF-1.7\n".utf8)) == .pdf)
        #expect(ContentKind.sniff([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]) == .compoundFile)
        #expect(ContentKind.sniff(Array("name,email\nAda,ada@example.com\n".utf8)) == .text)
        #expect(ContentKind.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) == .binary)
    }

    @Test("a ZIP is refined by the entries inside it")
    func zipEntries() throws {
        #expect(run(try Fixtures.docx(paragraphs: ["x"]), name: "a.zip").documents.first?.kind == .docx)
        #expect(run(try Fixtures.xlsx(cells: [("A1", "x", "s")]), name: "a.bin").documents.first?.kind == .xlsx)
        #expect(run(try Fixtures.pptx(slides: ["x"]), name: "a").documents.first?.kind == .pptx)
        #expect(run(try Fixtures.odf("text", content: "<office:text><text:p>x</text:p></office:text>")).documents.first?.kind == .odt)
    }
}

@Suite("Office text with locations")
struct OfficeTextTests {
    @Test("XLSX: shared strings, inline strings and numbers are located by sheet and cell")
    func spreadsheet() throws {
        let data = try Fixtures.xlsx(sheet: "Customers", cells: [
            ("A1", "Name", "s"), ("B1", "NI number", "s"), ("C1", "Card", "s"),
            ("A14", "Ada Lovelace", "s"), ("B14", "QQ 12 34 56 C", "inlineStr"), ("C14", "4111111111111111", "n"),
        ])
        let (documents, problems) = run(data, name: "customers.xlsx")
        #expect(problems.isEmpty)
        let document = try #require(documents.first)
        #expect(document.path == ["customers.xlsx"])
        #expect(document.label(of: "4111111111111111") == "Customers!C14")
        #expect(document.label(of: "QQ 12 34 56 C") == "Customers!B14")
        #expect(document.label(of: "Ada") == "Customers!A14")
        // A row is one line, its cells separated by tabs: a header keyword sits near its values.
        #expect(document.string.contains("Ada Lovelace\tQQ 12 34 56 C\t4111111111111111"))
    }

    @Test("DOCX: paragraphs are numbered, runs joined, headers labelled")
    func wordprocessing() throws {
        let split = "<w:p><w:r><w:t>Card 4111 1111</w:t></w:r><w:r><w:t xml:space=\"preserve\"> 1111 1111</w:t></w:r></w:p>"
        var data = try Fixtures.docx(paragraphs: ["Dear customer", "Ref 7"], header: "Sort code 12-34-56")
        // A paragraph whose number is split over two runs, inserted as the third paragraph.
        data = try Fixtures.zip([
            ("[Content_Types].xml", Fixtures.contentTypes),
            ("word/document.xml", "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>Dear customer</w:t></w:r></w:p><w:p/>\(split)</w:body></w:document>"),
            ("word/header1.xml", "<w:hdr xmlns:w=\"w\"><w:p><w:r><w:t>Sort code 12-34-56</w:t></w:r></w:p></w:hdr>"),
        ])
        let document = try #require(run(data, name: "report.docx").documents.first)
        #expect(document.label(of: "4111 1111 1111 1111") == "paragraph 3")
        #expect(document.label(of: "Sort code") == "header1 › paragraph 1")
        #expect(document.label(of: "Dear") == "paragraph 1")
    }

    @Test("a part of over 10 MB on one line (as Excel and Word write them) is read, not refused as malformed")
    func hugeSingleLinePart() throws {
        var body = ""
        var index = 0
        while body.utf8.count < 11_000_000 {
            body += "<w:p><w:r><w:t>Paragraph \(index) about order \(100_000 + index)</w:t></w:r></w:p>"
            index += 1
        }
        body += "<w:p><w:r><w:t>NI JG 10 37 55 A</w:t></w:r></w:p>"
        let data = try Fixtures.zip([("[Content_Types].xml", Fixtures.contentTypes),
                                     ("word/document.xml", "<w:document xmlns:w=\"w\"><w:body>\(body)</w:body></w:document>")])
        let (documents, problems) = run(data, name: "long.docx")
        #expect(problems.isEmpty)
        #expect(documents.first?.label(of: "JG 10 37 55 A") == "paragraph \(index + 1)")
    }

    @Test("PPTX slides and document properties")
    func presentation() throws {
        var entries: [(String, String)] = [("[Content_Types].xml", Fixtures.contentTypes), ("ppt/presentation.xml", "<p/>")]
        for number in [1, 2, 10] {
            entries.append(("ppt/slides/slide\(number).xml", "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><a:p><a:r><a:t>text on \(number)</a:t></a:r></a:p></p:sld>"))
        }
        entries.append(("docProps/core.xml", "<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"><dc:creator>Ada Lovelace</dc:creator></cp:coreProperties>"))
        let document = try #require(run(try Fixtures.zip(entries), name: "deck.pptx").documents.first)
        #expect(document.label(of: "text on 10") == "slide 10")
        #expect(document.label(of: "text on 2") == "slide 2")
        #expect(document.string.range(of: "text on 2")!.lowerBound < document.string.range(of: "text on 10")!.lowerBound)
        #expect(document.label(of: "Ada Lovelace") == "properties")
    }

    @Test("ODT paragraphs, ODS cells (repeated rows counted, not expanded) and ODP pages")
    func openDocument() throws {
        let odt = try Fixtures.odf("text", content: "<office:text><text:h>Title</text:h><text:p>NI<text:s text:c=\"2\"/>QQ123456C</text:p></office:text>")
        let text = try #require(run(odt).documents.first)
        #expect(text.label(of: "NI  QQ123456C") == "paragraph 2")

        let ods = try Fixtures.odf("spreadsheet", content: """
            <office:spreadsheet><table:table table:name="Export">\
            <table:table-row><table:table-cell><text:p>Card</text:p></table:table-cell></table:table-row>\
            <table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>\
            <table:table-row><table:table-cell table:number-columns-repeated="2"/>\
            <table:table-cell office:value-type="float" office:value="4111111111111111"><text:p>4.11E+15</text:p></table:table-cell></table:table-row>\
            </table:table></office:spreadsheet>
            """)
        let sheet = try #require(run(ods).documents.first)
        #expect(sheet.label(of: "4111111111111111") == "Export!C1000002")
        #expect(sheet.text.count < 200)

        let odp = try Fixtures.odf("presentation", content: "<office:presentation><draw:page><text:p>one</text:p></draw:page><draw:page><text:p>two</text:p></draw:page></office:presentation>")
        #expect(try #require(run(odp).documents.first).label(of: "two") == "slide 2")
    }
}

@Suite("Archives, gzip and PDF")
struct ContainerTests {
    @Test("ZIP members of any supported type, nested, with their paths")
    func nestedZip() throws {
        let inner = try Fixtures.zip([("deep/notes.txt", "sort code 12-34-56")])
        let sheet = try Fixtures.xlsx(cells: [("C14", "QQ123456C", "s")])
        let outer = try Fixtures.zip([("2026/tickets.csv", Data("id,card\n1,4111111111111111\n".utf8)),
                                      ("inner.zip", inner), ("customers.xlsx", sheet), ("logo.png", Data([0x89, 0x50, 0x4E, 0x47, 0, 0]))])
        let (documents, problems) = run(outer, name: "export.zip")
        #expect(documents.map(\.path) == [["export.zip", "2026/tickets.csv"], ["export.zip", "inner.zip", "deep/notes.txt"],
                                          ["export.zip", "customers.xlsx"]])
        #expect(documents[2].label(of: "QQ123456C") == "Sheet1!C14")
        // The image is reported as a member that cannot be read, by path.
        #expect(problems.map(\.code) == [ExtractCode.unsupported])
        #expect(problems.first?.path == ["export.zip", "logo.png"])
    }

    @Test("gzip of a CSV and of an XLSX")
    func gzip() throws {
        let csv = Data("card\n4111111111111111\n".utf8)
        let (documents, problems) = run(try Fixtures.gzip(csv), name: "export.csv.gz")
        #expect(problems.isEmpty)
        #expect(documents.first?.path == ["export.csv.gz", "export.csv"])
        #expect(documents.first?.text == Array(csv))
        let sheet = try Fixtures.gzip(try Fixtures.xlsx(cells: [("B2", "QQ123456C", "s")]), name: "a.xlsx")
        #expect(run(sheet, name: "blob").documents.first?.label(of: "QQ123456C") == "Sheet1!B2")
    }

    @Test("PDF text per page")
    func pdf() throws {
        let (documents, problems) = run(Fixtures.pdf(pages: ["Welcome", "Card 4111 1111 1111 1111", "Thanks"]), name: "statement.pdf")
        #expect(problems.isEmpty)
        let document = try #require(documents.first)
        #expect(document.label(of: "4111 1111 1111 1111") == "page 2")
        #expect(document.label(of: "Thanks") == "page 3")
    }

    @Test("a long text member is handed out in pieces that end on lines and add up to the member")
    func pieces() throws {
        let csv = Data((0..<40_000).map { "\($0),user\($0 &* 7919 % 100_003)@example.com,\($0 &* 104_729)\n" }.joined().utf8)
        let (documents, problems) = run(try Fixtures.zip([("big.csv", csv)]), name: "x.zip", pieceSize: 256 * 1024)
        #expect(problems.isEmpty)
        #expect(documents.count > 3)
        #expect(documents.map(\.piece) == Array(0..<documents.count))
        #expect(documents.dropLast().allSatisfy { !$0.isLastPiece && $0.text.last == 10 })
        #expect(documents.last?.isLastPiece == true)
        #expect(documents.flatMap(\.text) == Array(csv))
    }
}
