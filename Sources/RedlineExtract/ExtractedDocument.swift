/// Text taken out of one file (or one archive member), with where each piece came from.
///
/// Spreadsheet cells, paragraphs, slides and pages are joined into one text (cells of a row by
/// tabs, rows and paragraphs by newlines) so that context keywords in a neighbouring cell or
/// paragraph count; `segments` maps byte ranges of that text back to `Sheet1!C14`,
/// `paragraph 12`, `slide 3`, `page 2`. Plain-text members have no segments: their findings
/// are located by line and column.
public struct ExtractedDocument: Sendable {
    /// Container chain, outermost first: `["export.zip", "2026/tickets.csv"]`. Raw names from
    /// the file: mask before printing.
    public var path: [String]
    public var kind: ContentKind
    /// UTF-8 text (plain-text members: their bytes as they are).
    public var text: [UInt8]
    /// Sorted, non-overlapping labelled ranges of `text`.
    public var segments: [Segment]
    /// For a long plain-text member delivered in pieces: this piece's index (0-based) and whether
    /// it is the last. Pieces of one member are consecutive; a whole document is piece 0, last.
    public var piece = 0
    public var isLastPiece = true

    public struct Segment: Sendable, Hashable {
        public var start: Int
        public var end: Int
        public var label: String
        public init(start: Int, end: Int, label: String) {
            self.start = start
            self.end = end
            self.label = label
        }
    }

    public init(path: [String], kind: ContentKind, text: [UInt8], segments: [Segment] = []) {
        self.path = path
        self.kind = kind
        self.text = text
        self.segments = segments
    }

    /// The segment holding byte `offset`, if any (binary search).
    public func segment(at offset: Int) -> Segment? {
        var low = 0
        var high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].end <= offset { low = mid + 1 } else { high = mid }
        }
        guard low < segments.count, segments[low].start <= offset else { return nil }
        return segments[low]
    }
}

/// Builds a document's text and segments piece by piece.
struct TextBuilder {
    var text: [UInt8] = []
    var segments: [ExtractedDocument.Segment] = []
    private var open: (start: Int, label: String)?

    /// Starts a labelled range (closing any open one).
    mutating func begin(_ label: String) {
        end()
        open = (text.count, label)
    }

    /// Closes the open range; an empty one is dropped.
    mutating func end() {
        if let current = open, text.count > current.start {
            segments.append(.init(start: current.start, end: text.count, label: current.label))
        }
        open = nil
    }

    mutating func append(_ string: String) { text.append(contentsOf: string.utf8) }
    mutating func append(byte: UInt8) { text.append(byte) }

    /// One spreadsheet cell of a row: a tab before every cell but the row's first, the shown text
    /// under `label` (`beforeText` is told where it starts), then the formula's string literals
    /// under "`label` formula". A cell with neither is skipped.
    mutating func appendCell(label: String, text cellText: String, formulaLiterals: [String],
                             cellsInRow: inout Int, beforeText: (Int) -> Void) {
        guard !cellText.isEmpty || !formulaLiterals.isEmpty else { return }
        if cellsInRow > 0 { append(byte: 9) }
        cellsInRow += 1
        if !cellText.isEmpty {
            begin(label)
            beforeText(text.count)
            append(cellText)
            end()
        }
        if !formulaLiterals.isEmpty {
            if !cellText.isEmpty { append(byte: 32) }
            begin("\(label) formula")
            append(formulaLiterals.joined(separator: " "))
            end()
        }
    }

    /// Ends the line unless the text is empty or already ends one.
    mutating func newline() {
        if let last = text.last, last != 10 { text.append(10) }
    }

    mutating func finish() -> (text: [UInt8], segments: [ExtractedDocument.Segment]) {
        end()
        return (text, segments)
    }
}
