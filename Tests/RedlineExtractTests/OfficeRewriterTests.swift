import Foundation
import Testing
import ZIPFoundation
@testable import RedlineExtract

/// Redacts the first occurrence of each needle in `data`'s text, as a caller with findings would.
func redact(_ data: Data, _ needles: [(String, String)], limits: ExtractLimits = ExtractLimits()) throws(ExtractProblem) -> Data {
    let (documents, problems) = run(data)
    guard problems.isEmpty, let document = documents.first else { throw problems.first ?? ExtractProblem(ExtractCode.corrupt, "nothing read") }
    let replacements = needles.map { needle, replacement in
        let range = document.string.range(of: needle)!
        let start = document.string.utf8.distance(from: document.string.startIndex, to: range.lowerBound)
        return OfficeRewriter.Replacement(range: start..<(start + needle.utf8.count), text: Array(replacement.utf8))
    }
    return try OfficeRewriter.redact(data, text: document.text, replacements: replacements, limits: limits)
}

func text(_ data: Data) -> String {
    let (documents, problems) = run(data)
    #expect(problems.isEmpty, "\(problems)")
    return documents.first?.string ?? ""
}

/// Entries as (name, compression method, uncompressed bytes), in archive order.
func entries(_ data: Data) throws -> [(String, Bool, Data)] {
    let archive = try Archive(data: data, accessMode: .read)
    return try archive.map { entry in
        var bytes = Data()
        _ = try archive.extract(entry) { bytes.append($0) }
        return (entry.path, entry.isCompressed, bytes)
    }
}

let examples = PythonOffice.packageRoot.appendingPathComponent("Examples/attachments")

@Suite("Office documents redacted in place")
struct OfficeRewriterTests {
    @Test("a DOCX value split over three runs is replaced where it starts, every other entry is kept, python-docx opens it")
    func wordprocessing() throws {
        let original = try Data(contentsOf: examples.appendingPathComponent("refund-letter.docx"))
        let redacted = try redact(original, [("ending 4111 1111 1111 1111 and", "ending [card] and"), ("JG 10 37 55 A", "[nino]")])
        let sentence = "The refund went to the card ending [card] and your NI number [nino] is on file."
        #expect(text(redacted).contains(sentence))
        #expect(!text(redacted).contains("4111"))
        let before = try entries(original)
        let after = try entries(redacted)
        #expect(before.map(\.0) == after.map(\.0))
        #expect(before.map(\.1) == after.map(\.1))
        for (old, new) in zip(before, after) where old.0 != "word/document.xml" {
            #expect(old.2 == new.2, "\(old.0) changed")
        }
        // The rewritten part is well-formed and only its character data changed.
        let part = String(decoding: after.first { $0.0 == "word/document.xml" }!.2, as: UTF8.self)
        #expect(part.contains("<w:rPr><w:b/></w:rPr><w:t></w:t>"))
        if let opened = try PythonOffice.text(of: redacted, name: "letter.docx") {
            #expect(opened.contains(sentence), "\(opened)")
            #expect(!opened.contains("4111"))
        }
    }

    @Test("an XLSX shared string is rewritten once, so every cell showing it is redacted; inline strings too; openpyxl opens it")
    func spreadsheet() throws {
        let original = try OfficeFixtures.xlsx(shared: ["Card", "4111 1111 1111 1111"],
                                               cells: [("A1", "s", "0"), ("B1", "s", "1"), ("B2", "s", "1"), ("C1", "inlineStr", "NI JG 10 37 55 A"), ("D1", "n", "42")])
        #expect(text(original).contains("Card\t4111 1111 1111 1111\tNI JG 10 37 55 A\t42"))
        let redacted = try redact(original, [("4111 1111 1111 1111", "[card]"), ("JG 10 37 55 A", "[nino]")])
        let read = text(redacted)
        #expect(read.contains("Card\t[card]\tNI [nino]\t42"))
        #expect(read.contains("\n[card]"))   // B2 shows the same shared string
        #expect(!read.contains("4111"))
        let after = try entries(redacted)
        let unchanged = Set(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
        for (old, new) in zip(try entries(original), after) where unchanged.contains(old.0) { #expect(old.2 == new.2) }
        if let opened = try PythonOffice.text(of: redacted, name: "customers.xlsx") {
            for line in ["Sheet1!B1=[card]", "Sheet1!B2=[card]", "Sheet1!C1=NI [nino]", "Sheet1!D1=42"] {
                #expect(opened.contains(line), "\(opened)")
            }
            #expect(!opened.contains("4111"))
        }
    }

    @Test("the example spreadsheet written by openpyxl is redacted cell by cell and still opens")
    func exampleSpreadsheet() throws {
        let original = try Data(contentsOf: examples.appendingPathComponent("customers.xlsx"))
        let redacted = try redact(original, [("JG 10 37 55 A", "** ** ** ** *"), ("5555 5555 5555 4444", "**** **** **** 4444")])
        #expect(text(redacted).contains("Ada Lovelace\t** ** ** ** *"))
        if let opened = try PythonOffice.text(of: redacted, name: "customers.xlsx") {
            #expect(opened.contains("Customers!B2=** ** ** ** *"), "\(opened)")
            #expect(opened.contains("Customers!C3=**** **** **** 4444"))
            #expect(!opened.contains("5555 5555 5555 4444") && !opened.contains("JG 10 37 55 A"))
        }
    }

    @Test("a PPTX value split over two runs is redacted; python-pptx opens the result")
    func presentation() throws {
        let fixture = try Fixtures.pptx(slides: ["Card 4111 1111 1111 1111 on file"])
        #expect(text(try redact(fixture, [("4111 1111 1111 1111", "[card]")])).contains("Card [card] on file"))
        guard let deck = try PythonOffice.makePresentation(["Card 4111 1111 |1111 1111 on file"]) else { return }
        let redacted = try redact(deck, [("4111 1111 1111 1111", "[card]")])
        if let opened = try PythonOffice.text(of: redacted, name: "deck.pptx") {
            #expect(opened.contains("Card [card] on file"), "\(opened)")
        }
    }

    @Test("ODT paragraphs are redacted in place; the mimetype entry stays first and stored")
    func openDocument() throws {
        let original = try Fixtures.zip([("mimetype", Data("application/vnd.oasis.opendocument.text".utf8)),
                                         ("content.xml", Data("<office:document-content xmlns:office=\"o\" xmlns:text=\"t\"><office:body><office:text><text:p>NI <text:span>JG 10</text:span> 37 55 A, AT&amp;T</text:p></office:text></office:body></office:document-content>".utf8))],
                                        stored: true)
        let redacted = try redact(original, [("JG 10 37 55 A", "[nino]")])
        #expect(text(redacted).contains("NI [nino], AT&T"))
        let after = try entries(redacted)
        #expect(after.first?.0 == "mimetype" && after.first?.1 == false)
    }

    @Test("ODS text cells are redacted in place; a cell with a typed value (kept in an attribute too) fails closed")
    func openDocumentSheet() throws {
        func sheet(_ cell: String) throws -> Data {
            try Fixtures.odf("spreadsheet", content: "<office:spreadsheet><table:table table:name=\"Customers\"><table:table-row><table:table-cell><text:p>NI number</text:p></table:table-cell>\(cell)</table:table-row></table:table></office:spreadsheet>")
        }
        let plain = try sheet("<table:table-cell office:value-type=\"string\"><text:p>JG 10<text:s/>37 55 A</text:p></table:table-cell>")
        let redacted = try redact(plain, [("JG 10 37 55 A", "[nino]")])
        #expect(text(redacted) == "NI number\t[nino] \n")   // the <text:s/> space stays
        let typed = try sheet("<table:table-cell office:value-type=\"float\" office:value=\"9434765919\"><text:p>9434765919</text:p></table:table-cell>")
        do { _ = try redact(typed, [("9434765919", "[nhs]")]); Issue.record("no problem") } catch { #expect(error.code == ExtractCode.notRewritable) }
    }

    @Test("a value in a number cell cannot be written as text: X012, nothing returned")
    func numberCell() throws {
        let original = try Fixtures.xlsx(cells: [("A1", "Account", "s"), ("B1", "31926819", "n")])
        #expect(throws: ExtractProblem.self) { try redact(original, [("31926819", "[account]")]) }
        do { _ = try redact(original, [("31926819", "[account]")]) } catch { #expect(error.code == ExtractCode.notRewritable) }
    }

    @Test("the rewriter obeys the reader's bounds and fails closed: entries, bytes, text that differs, a damaged file")
    func bounds() throws {
        let original = try Data(contentsOf: examples.appendingPathComponent("refund-letter.docx"))
        var few = ExtractLimits()
        few.entries = 5
        do { _ = try redact(original, [("JG 10 37 55 A", "[nino]")], limits: few); Issue.record("no problem") } catch {
            #expect(error.code == ExtractCode.tooManyEntries)
        }
        let (documents, _) = run(original)
        // The rewriter expands only the text parts (about 4 KB here); the other entries are copied compressed.
        var small = ExtractLimits()
        small.expandedBytes = 3_000
        do {
            _ = try OfficeRewriter.redact(original, text: documents[0].text, replacements: [.init(range: 0..<4, text: [])], limits: small)
            Issue.record("no problem")
        } catch { #expect(error.code == ExtractCode.tooLarge) }
        var other = documents[0].text
        other[0] = UInt8(ascii: "x")
        do { _ = try OfficeRewriter.redact(original, text: other, replacements: [.init(range: 0..<4, text: [])]); Issue.record("no problem") } catch {
            #expect(error.code == ExtractCode.notRewritable)
        }
        #expect(throws: ExtractProblem.self) {
            try OfficeRewriter.redact(original.prefix(original.count / 2), text: documents[0].text, replacements: [])
        }
    }

    @Test("damaged XML never crashes the rewriter: it either fails with a problem or gives a file that reads back")
    func mutatedParts() throws {
        let xml = Array("<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t xml:space=\"preserve\">Card 4111 1111 </w:t></w:r><w:r><w:t>1111 1111 &amp; AT&#38;T &lt;x&gt;</w:t></w:r></w:p><!-- c --><w:p><w:r><w:t><![CDATA[NI JG 10 37 55 A]]></w:t></w:r></w:p></w:body></w:document>".utf8)
        var generator = SplitMix(seed: 13)
        let alphabet = Array("<>&;\"'/!?[]=#x0 ".utf8)
        var rewritten = 0
        for _ in 0..<300 {
            var part = xml
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let at = Int(generator.next() % UInt64(part.count))
                switch generator.next() % 3 {
                case 0: part[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: part.remove(at: at)
                default: part.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                }
            }
            let file = try Fixtures.zip([("[Content_Types].xml", Data(Fixtures.contentTypes.utf8)), ("word/document.xml", Data(part))])
            let (documents, problems) = run(file)
            guard problems.isEmpty, let document = documents.first, document.text.count >= 3 else { continue }
            let count = document.text.count
            do {
                let output = try OfficeRewriter.redact(file, text: document.text, replacements: [.init(range: (count / 3)..<(2 * count / 3), text: Array("[R]".utf8))])
                #expect(text(output).contains("[R]"))
                rewritten += 1
            } catch {
                #expect(!error.code.isEmpty)
            }
        }
        #expect(rewritten > 0)
    }
}

/// A small deterministic generator for the mutation test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
