import Foundation
import FuzzSupport
import RedlineExtract
import ZIPFoundation

// The windowed worksheet reader (SheetWindows: a large XLSX sheet streamed from its entry, cut
// between rows, each run of rows scanned by the byte-level XMLTokenizer) on arbitrary sheet XML.
// The first byte picks the window size (64 B to 2 KiB of text), the rest is the worksheet, packed
// into a real XLSX and read with every sheet windowed. Invariants: no crash or hang; segments in
// order and inside each window's text; DOCTYPE/ENTITY never expanded; and when the sheet also
// reads whole without a problem, the windows name the same cells in the same order.

let workbook = "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>"
let relationships = "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
let strings = "<sst><si><t>a</t></si><si><t>b c</t></si></sst>"

/// Cell labels of every document, in order, and the problems met.
func read(_ file: Data, threshold: UInt64, windowText: Int) -> (labels: [String], problems: [ExtractProblem]) {
    var limits = ExtractLimits()
    limits.seconds = 5
    let extractor = Extractor(limits: limits)
    extractor.windowedSheetBytes = threshold
    extractor.windowText = windowText
    var labels: [String] = []
    let problems = extractor.extract(file, name: "sheet.xlsx") { document in
        var last = 0
        for segment in document.segments {
            Fuzz.check(segment.start >= last && segment.start < segment.end && segment.end <= document.text.count,
                       "segment out of order or outside the text")
            last = segment.end
            if segment.label.hasPrefix("S!") { labels.append(segment.label) }
        }
    }
    return (labels, problems)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSheetWindows(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let windowText = 64 << (Int(data[0]) % 6)
    let sheet = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    guard let archive = try? Archive(data: Data(), accessMode: .create) else { return 0 }
    for (name, bytes) in [("[Content_Types].xml", Data("<Types/>".utf8)), ("xl/workbook.xml", Data(workbook.utf8)),
                          ("xl/_rels/workbook.xml.rels", Data(relationships.utf8)), ("xl/sharedStrings.xml", Data(strings.utf8)),
                          ("xl/worksheets/sheet1.xml", sheet)] {
        try? archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, count in
            bytes.subdata(in: Int(position)..<Int(position) + count)
        }
    }
    guard let file = archive.data else { return 0 }
    let windowed = read(file, threshold: 0, windowText: windowText)
    let declares = sheet.range(of: Data("<!D".utf8)) != nil || sheet.range(of: Data("<!E".utf8)) != nil
    if declares {
        Fuzz.check(windowed.problems.contains { $0.code == ExtractCode.xmlDeclarations || $0.code == ExtractCode.corrupt },
                   "a sheet with declarations was read in windows")
    }
    let whole = read(file, threshold: .max, windowText: windowText)
    if windowed.problems.isEmpty && whole.problems.isEmpty {
        Fuzz.check(windowed.labels == whole.labels, "windows name other cells than the whole sheet: \(windowed.labels) vs \(whole.labels)")
    }
    return 0
}
