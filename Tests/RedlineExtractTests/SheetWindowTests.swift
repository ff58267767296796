import Foundation
import Testing
@testable import RedlineExtract

/// A customer export of `rows` rows: shared strings, inline strings and numbers; `plant` puts
/// extra cells in given rows; `tail` is XML after `</sheetData>`.
func largeSheet(rows: Int, plant: [Int: String] = [:], sharedPlant: (row: Int, text: String)? = nil, tail: String = "") throws -> Data {
    var shared = ["Name", "Email"]
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\"m\"><dimension ref=\"A1:D\(rows)\"/><sheetData>"
    xml.reserveCapacity(rows * 200)
    for row in 1...rows {
        shared.append(sharedPlant?.row == row ? sharedPlant!.text : "Customer \(row) called about order \(100_000 + row)")
        xml += "<row r=\"\(row)\"><c r=\"A\(row)\" t=\"s\"><v>\(shared.count - 1)</v></c><c r=\"B\(row)\" t=\"inlineStr\"><is><t>user\(row)@example.com</t></is></c><c r=\"C\(row)\"><v>\(row * 37)</v></c>"
        if let text = plant[row] { xml += "<c r=\"D\(row)\" t=\"inlineStr\"><is><t>\(text)</t></is></c>" }
        xml += "</row>"
    }
    xml += "</sheetData>\(tail)</worksheet>"
    let strings = "<sst xmlns=\"m\">" + shared.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>"
    return try Fixtures.zip([
        ("[Content_Types].xml", Fixtures.contentTypes),
        ("xl/workbook.xml", "<workbook xmlns=\"m\" xmlns:r=\"r\"><sheets><sheet name=\"Export\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"p\"><Relationship Id=\"rId1\" Type=\"ws\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
        ("xl/sharedStrings.xml", strings),
        ("xl/worksheets/sheet1.xml", xml),
    ])
}

func windows(_ data: Data, threshold: UInt64, windowText: Int, limits: ExtractLimits = ExtractLimits())
    -> (documents: [ExtractedDocument], problems: [ExtractProblem]) {
    let extractor = Extractor(limits: limits)
    extractor.windowedSheetBytes = threshold
    extractor.windowText = windowText
    var documents: [ExtractedDocument] = []
    let problems = extractor.extract(data, name: "export.xlsx") { documents.append($0) }
    return (documents, problems)
}

@Suite("Large spreadsheets read in windows")
struct SheetWindowTests {
    @Test("a windowed sheet gives the same cells, with the same labels, as the sheet read whole")
    func sameAsWhole() throws {
        let file = try largeSheet(rows: 3000, plant: [2990: "card 4111 1111 1111 1111"], sharedPlant: (17, "NI AB 12 34 56 C"),
                                  tail: "<headerFooter><oddHeader>&amp;CExport</oddHeader></headerFooter>")
        let whole = run(file)
        #expect(whole.problems.isEmpty)
        #expect(whole.documents.count == 1)
        let split = windows(file, threshold: 1024, windowText: 32 * 1024)
        #expect(split.problems.isEmpty)
        #expect(split.documents.count > 4)
        #expect(split.documents.dropLast().allSatisfy { !$0.isLastPiece && $0.text.count < 40 * 1024 })
        #expect(split.documents.last?.isLastPiece == true)
        #expect(split.documents.map(\.piece) == Array(0..<split.documents.count))
        // Every labelled cell of the whole read is in some window with the same label and text.
        var windowed: [String: String] = [:]
        for document in split.documents {
            for segment in document.segments { windowed[segment.label] = String(decoding: document.text[segment.start..<segment.end], as: UTF8.self) }
        }
        let reference = whole.documents[0]
        for segment in reference.segments {
            #expect(windowed[segment.label] == String(decoding: reference.text[segment.start..<segment.end], as: UTF8.self), "\(segment.label)")
        }
        let card = split.documents.first { $0.string.contains("4111 1111 1111 1111") }
        #expect(card?.label(of: "4111 1111 1111 1111") == "Export!D2990")
        let nino = split.documents.first { $0.string.contains("NI AB 12 34 56 C") }
        #expect(nino?.label(of: "NI AB 12 34 56 C") == "Export!A17")
    }

    @Test("a worksheet over the per-message text budget is scanned in windows, a card number near its end found")
    func overTextBudget() throws {
        let rows = 40_000
        let file = try largeSheet(rows: rows, plant: [rows - 3: "card 4111 1111 1111 1111"], sharedPlant: (rows - 100, "NI AB 12 34 56 C"))
        var limits = ExtractLimits()
        limits.textBytes = 2 << 20   // less than the sheet's text (the shared strings fit)
        limits.seconds = 600
        let read = run(file, limits: limits)
        #expect(read.problems.map(\.code) == [ExtractCode.tooLarge], "read whole, it is over the budget")
        let split = windows(file, threshold: 1 << 20, windowText: 256 * 1024, limits: limits)
        #expect(split.problems.isEmpty)
        #expect(split.documents.allSatisfy { $0.text.count < 300 * 1024 })
        let card = split.documents.first { $0.string.contains("4111 1111 1111 1111") }
        #expect(card?.label(of: "4111 1111 1111 1111") == "Export!D\(rows - 3)")
        let nino = split.documents.first { $0.string.contains("NI AB 12 34 56 C") }
        #expect(nino?.label(of: "NI AB 12 34 56 C") == "Export!A\(rows - 100)")
    }

    @Test("the default threshold: a sheet of more than 32 MiB of XML is read in windows")
    func defaultThreshold() throws {
        let rows = 240_000
        let file = try largeSheet(rows: rows, plant: [rows - 1: "card 4111 1111 1111 1111"])
        var limits = ExtractLimits()
        limits.seconds = 600   // a debug build on a loaded machine
        let extractor = Extractor(limits: limits)
        var pieces = 0
        var label: String?
        var largest = 0
        let problems = extractor.extract(file, name: "export.xlsx") { document in
            pieces += 1
            largest = max(largest, document.text.count)
            if document.string.contains("4111 1111 1111 1111") { label = document.label(of: "4111 1111 1111 1111") }
        }
        #expect(problems.isEmpty)
        #expect(pieces > 2)
        #expect(largest <= SheetWindows.windowText + 64 * 1024)
        #expect(label == "Export!D\(rows - 1)")
    }

    @Test("a windowed sheet that is cut short, malformed or declares entities is unscannable, not half read")
    func badSheets() throws {
        let good = try largeSheet(rows: 2000)
        for (xml, code) in [
            ("<worksheet xmlns=\"m\"><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>", ExtractCode.corrupt),
            ("<worksheet xmlns=\"m\"><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></row></sheetData></worksheet>", ExtractCode.corrupt),
            ("<!DOCTYPE x [<!ENTITY a \"b\">]><worksheet xmlns=\"m\"><sheetData></sheetData></worksheet>", ExtractCode.xmlDeclarations),
            ("<worksheet xmlns=\"m\"><cols/></worksheet>", ExtractCode.corrupt),
        ] {
            let padded = xml.replacingOccurrences(of: "<worksheet xmlns=\"m\">", with: "<worksheet xmlns=\"m\">" + String(repeating: "<cols/>", count: 400))
            let file = try Fixtures.zip([
                ("[Content_Types].xml", Fixtures.contentTypes),
                ("xl/workbook.xml", "<workbook xmlns=\"m\" xmlns:r=\"r\"><sheets><sheet name=\"Export\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
                ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"p\"><Relationship Id=\"rId1\" Type=\"ws\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
                ("xl/worksheets/sheet1.xml", padded),
            ])
            let split = windows(file, threshold: 64, windowText: 1024)
            #expect(split.problems.map(\.code) == [code], "\(xml)")
        }
        #expect(windows(good, threshold: 64, windowText: 1024).problems.isEmpty)
    }

    @Test("a zip bomb is still rejected by the archive's bounds when its sheet would be windowed")
    func bombStillRejected() throws {
        let zeros = "<worksheet xmlns=\"m\"><sheetData>" + String(repeating: " ", count: 8 << 20) + "</sheetData></worksheet>"
        let file = try Fixtures.zip([
            ("[Content_Types].xml", Fixtures.contentTypes),
            ("xl/workbook.xml", "<workbook xmlns=\"m\" xmlns:r=\"r\"><sheets><sheet name=\"Export\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"p\"><Relationship Id=\"rId1\" Type=\"ws\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
            ("xl/worksheets/sheet1.xml", zeros),
        ])
        let split = windows(file, threshold: 64, windowText: 1024)
        #expect(split.problems.map(\.code) == [ExtractCode.ratio])
    }
}
