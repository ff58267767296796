import Foundation

/// Where each byte of an Office document's text (as ``OfficeText`` builds it) comes from in the
/// file: which XML part, which piece of character data, and where inside it.
///
/// Built by running the very readers that produced the text over the parts again, driven by
/// ``XMLTokenizer`` instead of `XMLParser`, and watching what each reader does with each text
/// node. Spreadsheet cells that show a shared string point into `xl/sharedStrings.xml`; inline
/// strings and formula string results into their worksheet; shared strings no cell shows into
/// `xl/sharedStrings.xml` too. Text that comes from no character data (tabs and newlines between
/// cells and paragraphs, numbers, ODS cell values) or from attributes (alt text, field codes,
/// sheet names, formulas' literals) has no origin, and a redaction over it cannot be written.
struct OfficeTextMap {
    /// A text node of one part.
    struct Node {
        var part: String
        var characters: XMLTokenizer.Characters
    }

    /// `length` bytes of the document text from `start` are bytes `offset…` of node `node`.
    struct Piece {
        var start: Int
        var length: Int
        var node: Int
        var offset: Int
    }

    private(set) var nodes: [Node] = []
    private(set) var pieces: [Piece] = []
    /// The document text, as the reader builds it.
    private(set) var text: [UInt8] = []
    /// The parts read, with their bytes.
    private(set) var parts: [String: [UInt8]] = [:]

    /// Maps the document in `container`.
    init(_ container: ZipContainer, kind: ContentKind, budget: ExtractBudget) throws(ExtractProblem) {
        // Pieces of the part being read, at positions in the reader's own text.
        var pending: [Piece] = []
        // Shared strings: pieces at offsets inside the item (`start` is the offset), by index.
        var shared: [Int: [Piece]] = [:]
        // A worksheet's cell pieces, by cell ordinal, until the cell is placed.
        var cellPieces: [Int: [Piece]] = [:]
        var nodes: [Node] = []
        var parts: [String: [UInt8]] = [:]
        var placedPieces: [Piece] = []

        let parser = OfficeText.PartParser(parse: { (part: String, data: Data, reader: XMLTextReader) throws(ExtractProblem) in
            pending = []
            cellPieces = [:]
            let tokenizer = XMLTokenizer(data, budget: budget)
            parts[part] = tokenizer.bytes
            if let sheet = reader as? OpenDocumentSheetReader {
                // A typed cell keeps its value in an attribute (office:value) as well: its text is
                // not mapped, so a redaction there fails closed instead of leaving the attribute.
                sheet.onCell = { ordinal, start, typed in
                    let pieces = cellPieces.removeValue(forKey: ordinal) ?? []
                    guard !typed else { return }
                    pending += pieces.map { Piece(start: start + $0.start, length: $0.length, node: $0.node, offset: $0.offset) }
                }
            }
            if let sheet = reader as? WorksheetReader {
                sheet.onCell = { ordinal, start, type, index in
                    if type == "s", let index {
                        pending += (shared[index] ?? []).map { Piece(start: start + $0.start, length: $0.length, node: $0.node, offset: $0.offset) }
                    } else {
                        pending += (cellPieces.removeValue(forKey: ordinal) ?? []).map {
                            Piece(start: start + $0.start, length: $0.length, node: $0.node, offset: $0.offset)
                        }
                    }
                }
            }
            // What the reader does with character data, decided once per part.
            enum Sink { case shared(SharedStringsReader), sheet(WorksheetReader), odsSheet(OpenDocumentSheetReader), text, none }
            let sink: Sink = switch reader {
            case let strings as SharedStringsReader: .shared(strings)
            case let sheet as WorksheetReader: .sheet(sheet)
            case let sheet as OpenDocumentSheetReader: .odsSheet(sheet)
            case is ParagraphReader, is AllTextReader, is CommentReader, is DefinedNameReader: .text
            default: .none
            }
            func length() -> Int? {
                switch sink {
                case let .shared(strings): strings.current.utf8.count
                case let .sheet(sheet): sheet.cellTextLength
                case let .odsSheet(sheet): sheet.cellTextLength
                case .text: reader.out.text.count
                case .none: nil
                }
            }
            try tokenizer.run(reader) { node in
                let before = length()
                reader.characters(String(decoding: node.text, as: UTF8.self))
                // Only text the reader took whole is mapped (a reader that skips or alters it leaves
                // it unmapped, and a redaction over it fails closed).
                guard let before, !node.text.isEmpty, let after = length(), after - before == node.text.count else { return }
                nodes.append(Node(part: part, characters: node))
                let piece = Piece(start: before, length: node.text.count, node: nodes.count - 1, offset: 0)
                switch sink {
                case let .shared(strings): shared[strings.strings.count, default: []].append(piece)
                case let .sheet(sheet): cellPieces[sheet.cellOrdinal, default: []].append(piece)
                case let .odsSheet(sheet): cellPieces[sheet.cellOrdinal, default: []].append(piece)
                case .text, .none: pending.append(piece)
                }
            }
            if let sheet = reader as? WorksheetReader { sheet.onCell = nil }
            if let sheet = reader as? OpenDocumentSheetReader { sheet.onCell = nil }
        }, placed: { _, shift in
            placedPieces += pending.map { Piece(start: shift + $0.start, length: $0.length, node: $0.node, offset: $0.offset) }
            pending = []
        }, placedShared: { index, start in
            placedPieces += (shared[index] ?? []).map { Piece(start: start + $0.start, length: $0.length, node: $0.node, offset: $0.offset) }
        })
        let (text, _) = try OfficeText.extract(container, kind: kind, budget: budget, parser: parser)
        self.text = text
        self.nodes = nodes
        self.parts = parts
        pieces = placedPieces.sorted { $0.start < $1.start }
    }

    /// An edit inside one node: bytes `range` of its decoded text become `text`.
    struct Edit: Hashable {
        var node: Int
        var range: Range<Int>
        var text: [UInt8]
    }

    /// The node edits for replacing document text `range` by `replacement`: the replacement goes
    /// where the range starts, the rest of the range's text is removed from the nodes it is in.
    /// Throws when a byte of the range that is not white space has no origin (a number cell, a
    /// value the reader derived), or when the range has no origin at all.
    func edits(replacing range: Range<Int>, with replacement: [UInt8]) throws(ExtractProblem) -> [Edit] {
        var low = 0
        var high = pieces.count
        while low < high {
            let mid = (low + high) / 2
            if pieces[mid].start + pieces[mid].length <= range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var edits: [Edit] = []
        var covered = range.lowerBound
        var index = low
        while index < pieces.count, pieces[index].start < range.upperBound {
            let piece = pieces[index]
            index += 1
            let from = max(range.lowerBound, piece.start)
            let to = min(range.upperBound, piece.start + piece.length)
            guard from < to else { continue }
            try requireWhiteSpace(covered..<max(covered, from))
            covered = max(covered, to)
            let local = (piece.offset + from - piece.start)..<(piece.offset + to - piece.start)
            edits.append(Edit(node: piece.node, range: local, text: edits.isEmpty ? replacement : []))
        }
        try requireWhiteSpace(covered..<max(covered, range.upperBound))
        if edits.isEmpty {
            throw ExtractProblem(ExtractCode.notRewritable, "a value to redact is not stored as text in the file (a number or a derived value)")
        }
        return edits
    }

    private func requireWhiteSpace(_ range: Range<Int>) throws(ExtractProblem) {
        guard range.upperBound <= text.count else {
            throw ExtractProblem(ExtractCode.notRewritable, "a redaction lies outside the document's text")
        }
        if text[range].contains(where: { $0 != 9 && $0 != 10 && $0 != 13 && $0 != 32 }) {
            throw ExtractProblem(ExtractCode.notRewritable, "a value to redact is not stored as text in the file (a number or a derived value)")
        }
    }
}
