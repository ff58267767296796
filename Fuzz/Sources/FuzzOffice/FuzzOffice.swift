import Foundation
import FuzzSupport
import RedlineExtract
import ZIPFoundation

// The OOXML and ODF text extractors (XMLParser delegates) on arbitrary XML: the first byte picks
// the document type and part, the rest is that part's XML, packed into a real archive. The
// workbook, relationships and shared strings of an XLSX are fuzzed the same way. Invariants: no
// crash or hang, segments inside the text and in order, DOCTYPE/ENTITY never expanded (X010).

let layouts: [(main: String, extra: [(String, String)])] = [
    ("word/document.xml", [("[Content_Types].xml", "<Types/>")]),
    ("xl/worksheets/sheet1.xml", [("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>"),
                                  ("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
                                  ("xl/sharedStrings.xml", "<sst><si><t>a</t></si><si><t>b</t></si></sst>")]),
    ("xl/sharedStrings.xml", [("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>"),
                              ("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
                              ("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c></row></sheetData></worksheet>")]),
    ("xl/workbook.xml", [("[Content_Types].xml", "<Types/>"), ("xl/worksheets/sheet1.xml", "<worksheet/>")]),
    ("ppt/slides/slide1.xml", [("[Content_Types].xml", "<Types/>"), ("ppt/presentation.xml", "<p/>")]),
    ("content.xml", [("mimetype", "application/vnd.oasis.opendocument.text")]),
    ("content.xml", [("mimetype", "application/vnd.oasis.opendocument.spreadsheet")]),
    ("content.xml", [("mimetype", "application/vnd.oasis.opendocument.presentation")]),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOffice(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
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
    let problems = Extractor(limits: limits).extract(file, name: "doc") { document in
        var last = 0
        for segment in document.segments {
            Fuzz.check(segment.start >= last && segment.end <= document.text.count, "segment out of order or outside the text")
            last = segment.end
        }
    }
    let declares = xml.range(of: Data("<!D".utf8)) != nil || xml.range(of: Data("<!E".utf8)) != nil
    if declares {
        Fuzz.check(problems.contains { $0.code == ExtractCode.xmlDeclarations } || problems.contains { $0.code == ExtractCode.corrupt },
                   "XML with declarations was parsed")
    }
    return 0
}
