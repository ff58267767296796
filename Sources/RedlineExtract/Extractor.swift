import Foundation
import ZIPFoundation

/// Takes the text out of an attachment or a file: Office Open XML (DOCX, XLSX, PPTX),
/// OpenDocument (ODT, ODS, ODP), PDF, ZIP (members of any supported type, nested), gzip, and
/// plain text (handed on as it is, for the text, CSV, JSON Lines and e-mail readers).
///
/// The type is chosen by content. One extractor serves one message (or one file): its
/// ``budget`` bounds nesting depth, entries, expanded bytes, expansion ratio and time over
/// everything it opens. A container over a bound, encrypted, corrupt, or with unsafe or
/// duplicate entry names is reported as an ``ExtractProblem`` (unscannable) and never crashes,
/// hangs or writes anything: members are read in memory only.
public final class Extractor {
    public let budget: ExtractBudget
    /// Plain-text members larger than this are handed out in pieces of about this size.
    public var pieceSize = 4 * 1024 * 1024
    /// XLSX worksheets with more XML than this are read in windows of about `windowText` bytes
    /// of text (``SheetWindows``).
    public var windowedSheetBytes = SheetWindows.threshold
    public var windowText = SheetWindows.windowText

    public init(limits: ExtractLimits = ExtractLimits()) {
        budget = ExtractBudget(limits: limits)
    }

    /// Extracts `data` (a file named `name`), calling `emit` for each document in order.
    /// Returns the problems met (each naming its container chain in `path`).
    @discardableResult
    public func extract(_ data: Data, name: String, emit: (ExtractedDocument) -> Void) -> [ExtractProblem] {
        var problems: [ExtractProblem] = []
        do throws(ExtractProblem) {
            try extract(data, path: [name], depth: 1, emit: emit, problems: &problems)
        } catch {
            problems.append(error)
        }
        return problems
    }

    /// Extracts a file on disk. A ZIP is read from the file in chunks (never whole); other
    /// types are read into memory up to the expansion budget.
    @discardableResult
    public func extract(path file: String, name: String, emit: (ExtractedDocument) -> Void) -> [ExtractProblem] {
        var problems: [ExtractProblem] = []
        do throws(ExtractProblem) {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw ExtractProblem(ExtractCode.corrupt, "the file cannot be read", path: [name])
            }
            let head = (try? handle.read(upToCount: 8192)) ?? Data()
            try? handle.close()
            if ContentKind.sniff(head) == .zip {
                let container = try ZipContainer(path: file, budget: budget)
                try zip(container, path: [name], depth: 1, emit: emit, problems: &problems)
            } else {
                let data = try Extractor.readFile(file, limit: budget.limits.expandedBytes)
                try extract(data, path: [name], depth: 1, emit: emit, problems: &problems)
            }
        } catch {
            var problem = error
            if problem.path.isEmpty { problem.path = [name] }
            problems.append(problem)
        }
        return problems
    }

    static func readFile(_ path: String, limit: Int) throws(ExtractProblem) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ExtractProblem(ExtractCode.corrupt, "the file cannot be read")
        }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit + 1) else { return Data() }
        if data.count > limit { throw ExtractProblem(ExtractCode.tooLarge, "larger than \(limit / (1024 * 1024)) MiB") }
        return data
    }

    /// Problems that end the whole attachment: the message's budget is spent, or the file is a
    /// bomb (too deep, expanding too far): reading its other members would only feed it.
    static func isFatal(_ problem: ExtractProblem) -> Bool {
        [ExtractCode.tooLarge, ExtractCode.timeLimit, ExtractCode.tooManyEntries, ExtractCode.tooDeep, ExtractCode.ratio].contains(problem.code)
    }

    /// One file or member: dispatched on its content. Problems local to it are recorded and
    /// extraction goes on; budget problems are thrown.
    func extract(_ data: Data, path: [String], depth: Int, emit: (ExtractedDocument) -> Void,
                 problems: inout [ExtractProblem]) throws(ExtractProblem) {
        do throws(ExtractProblem) {
            try budget.checkTime()
            let kind = ContentKind.sniff(data.prefix(8192))
            if kind == .zip || kind == .gzip, depth > budget.limits.depth {
                throw ExtractProblem(ExtractCode.tooDeep, "nested deeper than \(budget.limits.depth) containers")
            }
            switch kind {
            case .zip:
                try zip(ZipContainer(data: data, budget: budget), path: path, depth: depth, emit: emit, problems: &problems)
            case .gzip:
                try gzip(data, path: path, depth: depth, emit: emit, problems: &problems)
            case .pdf:
                let (text, segments) = try PDFDocument.extract(data, budget: budget)
                emit(ExtractedDocument(path: path, kind: .pdf, text: text, segments: segments))
            case .text:
                try budget.charge(text: data.count)
                emit(ExtractedDocument(path: path, kind: .text, text: Extractor.utf8(data)))
            case .compoundFile:
                throw ExtractProblem(ExtractCode.unsupported, "a legacy or encrypted Office file (OLE compound file)")
            case .binary:
                throw ExtractProblem(ExtractCode.unsupported, "a binary file of a type that cannot be read")
            default:
                throw ExtractProblem(ExtractCode.unsupported, "a file of a type that cannot be read")
            }
        } catch {
            var problem = error
            if problem.path.isEmpty { problem.path = path }
            if Extractor.isFatal(problem) { throw problem }
            problems.append(problem)
        }
    }

    private func gzip(_ data: Data, path: [String], depth: Int, emit: (ExtractedDocument) -> Void,
                      problems: inout [ExtractProblem]) throws(ExtractProblem) {
        let header = try GzipReader.header(data)
        let inner = GzipReader.innerName(outer: path.last ?? "", header: header)
        var expanded = Data()
        try GzipReader.inflate(data, budget: budget) { chunk in expanded.append(chunk) }
        try extract(expanded, path: path + [inner], depth: depth + 1, emit: emit, problems: &problems)
    }

    func zip(_ container: ZipContainer, path: [String], depth: Int, emit: (ExtractedDocument) -> Void,
             problems: inout [ExtractProblem]) throws(ExtractProblem) {
        var mimetype: String?
        if let entry = container.entry("mimetype"), entry.uncompressedSize < 256 {
            mimetype = String(decoding: try container.read(entry), as: UTF8.self)
        }
        let kind = ContentKind.refine(zipEntries: container.names, mimetype: mimetype)
        if kind.isOfficeDocument {
            try office(container, kind: kind, path: path, emit: emit)
            try members(container.files.filter { Extractor.isEmbedded($0.path, in: kind) }, of: container, path: path, depth: depth,
                        emit: emit, problems: &problems)
            return
        }
        try members(container.files, of: container, path: path, depth: depth, emit: emit, problems: &problems)
    }

    /// Files embedded in an Office document (a spreadsheet in a letter, a document in a slide):
    /// OOXML `word/embeddings/…`, `xl/embeddings/…`, `ppt/embeddings/…`; ODF objects stored as
    /// files of their own (`Object 1`, not the `Object 1/` folders, read within the document).
    /// Each is read as a nested document within the depth bound (`letter.docx › word/embeddings/
    /// Book1.xlsx › Sheet1!C14`); one of a kind that cannot be read (an OLE object) is reported.
    static func isEmbedded(_ name: String, in kind: ContentKind) -> Bool {
        switch kind {
        case .docx: name.hasPrefix("word/embeddings/")
        case .xlsx: name.hasPrefix("xl/embeddings/")
        case .pptx: name.hasPrefix("ppt/embeddings/")
        case .odt, .ods, .odp: name.hasPrefix("Object ") && !name.contains("/")
        default: false
        }
    }

    private func members(_ entries: [Entry], of container: ZipContainer, path: [String], depth: Int,
                         emit: (ExtractedDocument) -> Void, problems: inout [ExtractProblem]) throws(ExtractProblem) {
        for entry in entries {
            let name = entry.path
            if name.hasPrefix("__MACOSX/") || (name as NSString).lastPathComponent.hasPrefix("._") { continue }
            do throws(ExtractProblem) {
                try member(entry, of: container, path: path + [name], depth: depth, emit: emit, problems: &problems)
            } catch {
                var problem = error
                if problem.path.isEmpty { problem.path = path + [name] }
                if Extractor.isFatal(problem) { throw problem }
                problems.append(problem)
            }
        }
    }

    /// An Office document. A large XLSX worksheet is read in windows (``SheetWindows``), each
    /// handed out as a piece of the document (its own text and segments); the rest of the
    /// document is the last piece.
    private func office(_ container: ZipContainer, kind: ContentKind, path: [String], emit: (ExtractedDocument) -> Void) throws(ExtractProblem) {
        var piece = 0
        let budget = self.budget
        let threshold = windowedSheetBytes
        let windowText = windowText
        try withoutActuallyEscaping(emit) { (emit) throws(ExtractProblem) in
            var parser = OfficeText.PartParser.standard
            if kind == .xlsx {
                parser.windows = { (_: String, entry: Entry, reader: XMLTextReader) throws(ExtractProblem) -> Bool in
                    guard entry.uncompressedSize > threshold, let sheet = reader as? WorksheetReader else { return false }
                    try SheetWindows.read(entry, of: container, reader: sheet, budget: budget, windowText: windowText) { text, segments in
                        var document = ExtractedDocument(path: path, kind: kind, text: text, segments: segments)
                        document.piece = piece
                        document.isLastPiece = false
                        piece += 1
                        emit(document)
                    }
                    return true
                }
            }
            let (text, segments) = try OfficeText.extract(container, kind: kind, budget: budget, parser: parser)
            var document = ExtractedDocument(path: path, kind: kind, text: text, segments: segments)
            document.piece = piece
            emit(document)
        }
    }

    /// A ZIP member: small ones are read whole and dispatched; a large plain-text member is
    /// streamed in pieces (a 1 GB CSV never sits in memory).
    private func member(_ entry: Entry, of container: ZipContainer, path: [String], depth: Int,
                        emit: (ExtractedDocument) -> Void, problems: inout [ExtractProblem]) throws(ExtractProblem) {
        if entry.uncompressedSize <= UInt64(pieceSize) {
            try extract(container.read(entry), path: path, depth: depth + 1, emit: emit, problems: &problems)
            return
        }
        var buffer = Data()
        var kind: ContentKind?
        var piece = 0
        let pieceSize = self.pieceSize
        try container.stream(entry) { chunk in
            buffer.append(chunk)
            if kind == nil && buffer.count >= 8192 { kind = ContentKind.sniff(buffer.prefix(8192)) }
            guard kind == .text, buffer.count >= pieceSize else { return }
            // Cut after the last newline so a piece ends on a line.
            let cut = buffer.lastIndex(of: 10).map { $0 + 1 } ?? buffer.endIndex
            let head = buffer[buffer.startIndex..<cut]
            var document = ExtractedDocument(path: path, kind: .text, text: [UInt8](head))
            document.piece = piece
            document.isLastPiece = false
            emit(document)
            piece += 1
            buffer = Data(buffer[cut...])
        }
        if kind == .text || (kind == nil && ContentKind.sniff(buffer.prefix(8192)) == .text) {
            var document = ExtractedDocument(path: path, kind: .text, text: [UInt8](buffer))
            document.piece = piece
            emit(document)
        } else {
            try extract(buffer, path: path, depth: depth + 1, emit: emit, problems: &problems)
        }
    }

    /// Text as UTF-8: UTF-16 with a byte-order mark is converted, anything else passes as it is.
    static func utf8(_ data: Data) -> [UInt8] {
        let bytes = [UInt8](data)
        guard bytes.count >= 2 else { return bytes }
        let little = bytes[0] == 0xFF && bytes[1] == 0xFE
        let big = bytes[0] == 0xFE && bytes[1] == 0xFF
        guard little || big else { return bytes }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 2
        while index + 1 < bytes.count {
            units.append(little ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8 : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }
}
