import Foundation
import ZIPFoundation

/// The text of an Office Open XML or OpenDocument file, from its XML parts, as one document:
/// DOCX body (`paragraph 12`, field codes included, `alt text 1`, `field code 1`), headers,
/// footers, footnotes, endnotes and comments (`header1 › paragraph 2`); XLSX cells
/// (`Sheet1!C14`), formulas' string literals (`Sheet1!C14 formula`), notes and threaded comments
/// (`comments1 › B2`), shared strings no cell shows (`shared string 7`), sheet names
/// (`sheet name 2`) and pivot caches (`pivotCacheRecords1`); PPTX slides, notes and comments
/// (`slide 3`, `notes 3`, `comment1 › comment 2`); charts' cached values (`chart1`); ODT/ODS/ODP `content.xml` likewise, comments included; and the
/// document properties (`properties`: core, extended and custom; ODF `meta.xml`); external
/// hyperlink targets (`document › link 1`, ODF `link 1`); XLSX defined names (`defined name 1`)
/// and worksheet headers and footers (`Sheet1 › odd header`); ODF headers and footers
/// (`styles › paragraph 1`) and embedded objects (`Object 1 › paragraph 2`). Embedded files
/// (`word/embeddings/…`) are read by ``Extractor`` as nested documents.
enum OfficeText {
    /// How a part is parsed: by ``XMLTokenizer`` for reading (``XMLTextReader/read(_:)``) and for the in-place
    /// rewriter, which also learns where each part's text lands in the document (`placed`).
    struct PartParser {
        var parse: (_ part: String, _ data: Data, _ reader: XMLTextReader) throws(ExtractProblem) -> Void
        var placed: (_ part: String, _ shift: Int) -> Void = { _, _ in }
        /// Shared string `index` (one no cell shows) lands at `start` of the document text.
        var placedShared: (_ index: Int, _ start: Int) -> Void = { _, _ in }
        /// Reads a part in windows instead (a large worksheet: ``SheetWindows``); true when it did,
        /// and the reader then holds no text of its own.
        var windows: ((_ part: String, _ entry: Entry, _ reader: XMLTextReader) throws(ExtractProblem) -> Bool)?

        static var standard: PartParser {
            PartParser(parse: { (_: String, data: Data, reader: XMLTextReader) throws(ExtractProblem) in
                if let problem = reader.read(data) { throw problem }
            })
        }
    }

    static func extract(_ container: ZipContainer, kind: ContentKind, budget: ExtractBudget, parser: PartParser = .standard) throws(ExtractProblem)
        -> (text: [UInt8], segments: [ExtractedDocument.Segment]) {
        var document = TextBuilder()
        func add(_ part: String, _ reader: XMLTextReader) throws(ExtractProblem) {
            guard let entry = container.entry(part) else { return }
            if let windows = parser.windows, try windows(part, entry, reader) { return }
            try parser.parse(part, try container.read(entry), reader)
            let (text, segments, problem) = reader.finish()
            if let problem { throw problem }
            guard !text.isEmpty else { return }
            document.newline()
            let shift = document.text.count
            parser.placed(part, shift)
            document.text.append(contentsOf: text)
            document.segments.append(contentsOf: segments.map { .init(start: $0.start + shift, end: $0.end + shift, label: $0.label) })
        }
        func properties(_ part: String) throws(ExtractProblem) {
            try add(part, AllTextReader(budget: budget, label: "properties"))
        }
        func officeProperties() throws(ExtractProblem) {
            for part in ["docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"] { try properties(part) }
            // External hyperlink targets of every part (`mailto:` addresses behind links).
            for part in sortedNumerically(container.names.filter { $0.hasSuffix(".rels") }) {
                try add(part, LinkReader(budget: budget, source: .relationships, prefix: LinkReader.prefix(relationships: part)))
            }
        }
        /// OpenDocument: headers and footers (`styles.xml`), embedded objects (`Object 1/content.xml`:
        /// charts, spreadsheets, text, read within the document), links that leave the package,
        /// and the properties.
        func openDocumentExtras() throws(ExtractProblem) {
            try add("styles.xml", ParagraphReader(budget: budget, style: .openDocument, prefix: "styles › "))
            let objects = container.names.filter { $0.hasSuffix("/content.xml") }
            for part in sortedNumerically(objects) {
                let prefix = "\(part.dropLast("/content.xml".count)) › "
                guard let entry = container.entry(part) else { continue }
                if entry.uncompressedSize < 64 << 20, OfficeText.isSpreadsheet(try container.read(entry)) {
                    let reader = OpenDocumentSheetReader(budget: budget)
                    reader.prefix = prefix
                    try add(part, reader)
                } else {
                    try add(part, ParagraphReader(budget: budget, style: .openDocument, prefix: prefix))
                }
            }
            // Package paths: every entry and every folder above one.
            var paths = Set<Substring>()
            for name in container.names {
                var path = name[...]
                while path.hasSuffix("/") { path = path.dropLast() }
                while !path.isEmpty, paths.insert(path).inserted, let slash = path.lastIndex(of: "/") { path = path[..<slash] }
            }
            let isInternal = { [paths] (href: String) -> Bool in
                var path = href.hasPrefix("./") ? href.dropFirst(2) : href[...]
                while path.hasSuffix("/") { path = path.dropLast() }
                return paths.contains(path)
            }
            for part in ["content.xml", "styles.xml"] + sortedNumerically(objects) {
                let stem = part == "content.xml" ? "" : "\(part.dropLast(4)) › "
                try add(part, LinkReader(budget: budget, source: .openDocument(isInternal: isInternal), prefix: stem))
            }
            try properties("meta.xml")
        }
        /// Text made here, not read from a part (`shared` tells where each shared string lands).
        func block(_ builder: TextBuilder, shared: [(index: Int, start: Int)]) throws(ExtractProblem) {
            var builder = builder
            let (text, segments) = builder.finish()
            guard !text.isEmpty else { return }
            try budget.charge(text: text.count)
            document.newline()
            let shift = document.text.count
            for item in shared { parser.placedShared(item.index, shift + item.start) }
            document.text.append(contentsOf: text)
            document.segments.append(contentsOf: segments.map { .init(start: $0.start + shift, end: $0.end + shift, label: $0.label) })
        }
        /// Chart parts: their caches hold copies of the cells they plot (character data, written in place).
        func charts(_ directory: String) throws(ExtractProblem) {
            let parts = container.names.filter { $0.hasPrefix(directory + "chart") && $0.hasSuffix(".xml") && !$0.dropFirst(directory.count).contains("/") }
            for part in sortedNumerically(parts) {
                try add(part, AllTextReader(budget: budget, label: String(part.dropFirst(directory.count).dropLast(4))))
            }
        }
        /// Comment parts directly in `directory` whose names start with `stem`.
        func comments(_ directory: String, _ stem: String) throws(ExtractProblem) {
            let parts = container.names.filter {
                $0.hasPrefix(directory + stem) && $0.hasSuffix(".xml") && !$0.dropFirst(directory.count).contains("/")
            }
            for part in sortedNumerically(parts) {
                let stem = String(part.dropFirst(directory.count).dropLast(4))
                try add(part, CommentReader(budget: budget, prefix: "\(stem) › "))
            }
        }
        switch kind {
        case .docx:
            try add("word/document.xml", ParagraphReader(budget: budget, style: .wordprocessing))
            let extras = container.names.filter { name in
                name.hasPrefix("word/") && name.hasSuffix(".xml") && !name.dropFirst(5).contains("/")
                    && ["header", "footer", "footnotes", "endnotes", "comments"].contains { name.dropFirst(5).hasPrefix($0) }
            }
            for part in sortedNumerically(extras) {
                let stem = String(part.dropFirst(5).dropLast(4))
                try add(part, ParagraphReader(budget: budget, style: .wordprocessing, prefix: "\(stem) › "))
            }
            try charts("word/charts/")
            try officeProperties()
        case .xlsx:
            try spreadsheet(container, budget: budget, parser: parser, add: add, block: block)
            try add("xl/workbook.xml", DefinedNameReader(budget: budget))
            try comments("xl/", "comments")
            try comments("xl/threadedComments/", "threadedComment")
            // Pivot caches keep a copy of every distinct text of their source (attribute values).
            let caches = container.names.filter { $0.hasPrefix("xl/pivotCache/pivotCache") && $0.hasSuffix(".xml") }
            for part in sortedNumerically(caches) {
                let stem = String(part.dropFirst("xl/pivotCache/".count).dropLast(4))
                try add(part, AttributeTextReader(budget: budget, label: stem, element: "s", attribute: "v"))
            }
            try charts("xl/charts/")
            try officeProperties()
        case .pptx:
            for (prefix, label) in [("ppt/slides/slide", "slide"), ("ppt/notesSlides/notesSlide", "notes")] {
                let parts = container.names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".xml") && !$0.dropFirst(prefix.count).contains("/") }
                for part in sortedNumerically(parts) {
                    let number = part.dropFirst(prefix.count).dropLast(4)
                    try add(part, ParagraphReader(budget: budget, style: .drawing, fixedLabel: "\(label) \(number)"))
                }
            }
            try comments("ppt/comments/", "")
            try charts("ppt/charts/")
            try officeProperties()
        case .odt:
            try add("content.xml", ParagraphReader(budget: budget, style: .openDocument))
            try openDocumentExtras()
        case .ods:
            try add("content.xml", OpenDocumentSheetReader(budget: budget))
            try openDocumentExtras()
        case .odp:
            try add("content.xml", ParagraphReader(budget: budget, style: .openDocumentPresentation))
            try openDocumentExtras()
        default:
            break
        }
        return document.finish()
    }

    /// XLSX: shared strings, then each worksheet in workbook order (names from the workbook,
    /// paths from its relationships).
    private static func spreadsheet(_ container: ZipContainer, budget: ExtractBudget, parser: PartParser,
                                    add: (String, XMLTextReader) throws(ExtractProblem) -> Void,
                                    block: (TextBuilder, [(index: Int, start: Int)]) throws(ExtractProblem) -> Void) throws(ExtractProblem) {
        func parse<R: XMLTextReader>(_ part: String, _ reader: R) throws(ExtractProblem) -> R? {
            guard let entry = container.entry(part) else { return nil }
            try parser.parse(part, try container.read(entry), reader)
            return reader
        }
        let shared = try parse("xl/sharedStrings.xml", SharedStringsReader(budget: budget))?.strings ?? []
        let sheets = try parse("xl/workbook.xml", WorkbookReader(budget: budget))?.sheets ?? []
        let targets = try parse("xl/_rels/workbook.xml.rels", RelationshipsReader(budget: budget))?.targets ?? [:]
        var done = Set<String>()
        var used = Set<Int>()
        for sheet in sheets {
            guard let target = targets[sheet.id] else { continue }
            let part = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            guard done.insert(part).inserted else { continue }
            let reader = WorksheetReader(budget: budget, sheet: sheet.name, shared: shared)
            try add(part, reader)
            used.formUnion(reader.usedShared)
        }
        // Worksheets the workbook does not list are still in the file: read them too.
        let unlisted = container.names.filter { $0.hasPrefix("xl/worksheets/") && $0.hasSuffix(".xml") && !done.contains($0) }
        for part in sortedNumerically(unlisted) {
            let stem = String(part.dropFirst("xl/worksheets/".count).dropLast(4))
            let reader = WorksheetReader(budget: budget, sheet: stem, shared: shared)
            try add(part, reader)
            used.formUnion(reader.usedShared)
        }
        // Shared strings no cell shows are still sent (a deleted column's values): written back
        // in place like the others. Sheet names come from attributes: a redaction there fails closed.
        var extra = TextBuilder()
        var placed: [(index: Int, start: Int)] = []
        for (index, string) in shared.enumerated() where !used.contains(index) && string.contains(where: { !$0.isWhitespace }) {
            extra.newline()
            extra.begin("shared string \(index + 1)")
            placed.append((index, extra.text.count))
            extra.append(string)
            extra.end()
        }
        for (number, sheet) in sheets.enumerated() {
            let name = XMLTextReader.attributeText(sheet.name)
            guard !name.isEmpty else { continue }
            extra.newline()
            extra.begin("sheet name \(number + 1)")
            extra.append(name)
            extra.end()
        }
        try block(extra, placed)
    }

    /// An OpenDocument part whose body is a spreadsheet.
    static func isSpreadsheet(_ data: Data) -> Bool {
        data.range(of: Data("<office:spreadsheet".utf8)) != nil
    }

    /// `slide2.xml` before `slide10.xml`.
    static func sortedNumerically(_ names: some Sequence<String>) -> [String] {
        func key(_ name: String) -> (String, Int) {
            let stem = name.hasSuffix(".xml") ? String(name.dropLast(4)) : name
            let number = stem.reversed().prefix { $0.isNumber }
            return (String(stem.dropLast(number.count)), Int(String(number.reversed())) ?? 0)
        }
        return names.sorted { key($0) < key($1) }
    }
}
