import Foundation
import FuzzSupport
import RedlineExtract
import ZIPFoundation

// The in-place Office rewriter (its own byte-level XML scanner, XMLTokenizer) on arbitrary XML:
// the first byte picks the document type and part, the rest is that part's XML, packed into a
// real archive (as FuzzOffice). The document is read, and the middle third of its text (or the
// first byte's worth) is redacted. Invariants: no crash or hang; a rewrite either fails with a
// problem or gives a file that reads back without problems and shows the replacement (where
// else text changes depends on shared strings, so only that is checked).

let layouts: [(main: String, extra: [(String, String)])] = [
    ("word/document.xml", [("[Content_Types].xml", "<Types/>")]),
    ("xl/worksheets/sheet1.xml", [("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>"),
                                  ("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
                                  ("xl/sharedStrings.xml", "<sst><si><t>a</t></si><si><t>b</t></si></sst>")]),
    ("xl/sharedStrings.xml", [("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>"),
                              ("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
                              ("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row></sheetData></worksheet>")]),
    ("ppt/slides/slide1.xml", [("[Content_Types].xml", "<Types/>"), ("ppt/presentation.xml", "<p/>")]),
    ("content.xml", [("mimetype", "application/vnd.oasis.opendocument.text")]),
    ("content.xml", [("mimetype", "application/vnd.oasis.opendocument.presentation")]),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRewrite(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let layout = layouts[Int(data[0]) % layouts.count]
    let xml = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    guard let archive = try? Archive(data: Data(), accessMode: .create) else { return 0 }
    for (name, part) in layout.extra + [(layout.main, "")] {
        let bytes = name == layout.main ? xml : Data(part.utf8)
        try? archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, count in
            bytes.subdata(in: Int(position)..<Int(position) + count)
        }
    }
    guard let file = archive.data else { return 0 }
    var limits = ExtractLimits()
    limits.seconds = 5
    var documents: [ExtractedDocument] = []
    let problems = Extractor(limits: limits).extract(file, name: "doc") { documents.append($0) }
    guard problems.isEmpty, let document = documents.first, document.text.count >= 3 else { return 0 }
    let count = document.text.count
    let range = (count / 3)..<(2 * count / 3)
    let marker = Array("[R]".utf8)
    do {
        let output = try OfficeRewriter.redact(file, text: document.text, replacements: [.init(range: range, text: marker)], limits: limits)
        var after: [ExtractedDocument] = []
        let again = Extractor(limits: limits).extract(output, name: "doc") { after.append($0) }
        Fuzz.check(again.isEmpty, "the rewritten file does not read back")
        Fuzz.check(after.first.map { $0.text.contains(marker) } ?? false, "the rewritten text does not show the replacement")
    } catch {
        Fuzz.check(!error.code.isEmpty, "a problem without a code")
    }
    return 0
}

private extension [UInt8] {
    func contains(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
