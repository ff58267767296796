import Foundation
import ZIPFoundation

/// Builds small Office, ODF, ZIP, gzip and PDF files in memory for the tests.
enum Fixtures {
    /// A ZIP of `entries` (deflated unless `stored`).
    static func zip(_ entries: [(String, Data)], stored: Bool = false) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, data) in entries {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: stored ? .none : .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return archive.data!
    }

    static func zip(_ entries: [(String, String)]) throws -> Data {
        try zip(entries.map { ($0.0, Data($0.1.utf8)) })
    }

    /// A gzip file (RFC 1952) around `data`, deflated by zlib through ZIPFoundation.
    static func gzip(_ data: Data, name: String? = nil) throws -> Data {
        var out = Data([0x1F, 0x8B, 8, name == nil ? 0 : 0x08, 0, 0, 0, 0, 0, 3])
        if let name { out.append(Data(name.utf8)); out.append(0) }
        var compressed = Data()
        let crc = try Data.compress(size: Int64(data.count), bufferSize: 16 * 1024, provider: { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }, consumer: { compressed.append($0) })
        out.append(compressed)
        for value in [crc, UInt32(truncatingIfNeeded: data.count)] {
            out.append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)])
        }
        return out
    }

    static let contentTypes = "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"

    static func docx(paragraphs: [String], header: String? = nil, extra: [(String, String)] = []) throws -> Data {
        let body = paragraphs.map { "<w:p><w:r><w:t>\(escape($0))</w:t></w:r></w:p>" }.joined()
        var entries: [(String, String)] = [
            ("[Content_Types].xml", contentTypes),
            ("word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\(body)</w:body></w:document>"),
        ]
        if let header {
            entries.append(("word/header1.xml", "<w:hdr xmlns:w=\"w\"><w:p><w:r><w:t>\(escape(header))</w:t></w:r></w:p></w:hdr>"))
        }
        return try zip(entries + extra)
    }

    /// An XLSX with one sheet: `cells` as (reference, value, kind) where kind is `s` (shared
    /// string), `inlineStr` or `n` (number).
    static func xlsx(sheet: String = "Sheet1", cells: [(String, String, String)]) throws -> Data {
        var shared: [String] = []
        var rows: [Int: [String]] = [:]
        for (reference, value, kind) in cells {
            let row = Int(reference.drop { $0.isLetter })!
            let cell: String
            switch kind {
            case "s":
                shared.append(value)
                cell = "<c r=\"\(reference)\" t=\"s\"><v>\(shared.count - 1)</v></c>"
            case "inlineStr": cell = "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(escape(value))</t></is></c>"
            default: cell = "<c r=\"\(reference)\"><v>\(value)</v></c>"
            }
            rows[row, default: []].append(cell)
        }
        let sheetData = rows.keys.sorted().map { "<row r=\"\($0)\">\(rows[$0]!.joined())</row>" }.joined()
        let strings = shared.map { "<si><t>\(escape($0))</t></si>" }.joined()
        return try zip([
            ("[Content_Types].xml", contentTypes),
            ("xl/workbook.xml", "<workbook xmlns=\"m\" xmlns:r=\"r\"><sheets><sheet name=\"\(escape(sheet))\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"p\"><Relationship Id=\"rId1\" Type=\"ws\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
            ("xl/sharedStrings.xml", "<sst xmlns=\"m\" count=\"\(shared.count)\">\(strings)</sst>"),
            ("xl/worksheets/sheet1.xml", "<worksheet xmlns=\"m\"><sheetData>\(sheetData)</sheetData></worksheet>"),
        ])
    }

    static func pptx(slides: [String]) throws -> Data {
        var entries: [(String, String)] = [("[Content_Types].xml", contentTypes), ("ppt/presentation.xml", "<p:presentation xmlns:p=\"p\"/>")]
        for (index, text) in slides.enumerated() {
            entries.append(("ppt/slides/slide\(index + 1).xml",
                            "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><p:txBody><a:p><a:r><a:t>\(escape(text))</a:t></a:r></a:p></p:txBody></p:sld>"))
        }
        return try zip(entries)
    }

    static func odf(_ mimetype: String, content: String) throws -> Data {
        try zip([("mimetype", "application/vnd.oasis.opendocument.\(mimetype)"),
                 ("content.xml", "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\" xmlns:table=\"tb\" xmlns:draw=\"d\"><office:body>\(content)</office:body></office:document-content>")])
    }

    /// A minimal PDF with one page per string (Helvetica text), with a correct xref table.
    static func pdf(pages: [String]) -> Data {
        var objects: [String] = []
        let pageCount = pages.count
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        let kids = (0..<pageCount).map { "\(4 + $0 * 2) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for text in pages {
            let number = objects.count + 1
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents \(number + 1) 0 R >>")
            let stream = "BT /F1 12 Tf 72 700 Td (\(text)) Tj ET"
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
        }
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
