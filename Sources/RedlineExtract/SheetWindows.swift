import Foundation
import ZIPFoundation

/// A large XLSX worksheet read in windows: its XML is streamed from the ZIP entry (never held
/// whole), cut between rows, each run of rows scanned by ``XMLTokenizer`` through the same
/// ``WorksheetReader`` as a small sheet, and its text handed out in windows of about
/// ``windowText`` bytes. So the per-message text budget bounds what one window holds, not the
/// whole file: a 200 MB-of-XML export is scanned, not reported unscannable. The archive's
/// bounds (expanded bytes, ratio, time, nesting) still apply to every byte streamed.
///
/// A window ends between two rows, so no cell is ever split; the part before `<sheetData>` and
/// the part after `</sheetData>` (header and footer text) are read together at the end.
public enum SheetWindows {
    /// Worksheets whose XML is larger than this are read in windows (smaller ones whole, as before).
    /// Task-local, so a test (or a caller that builds no ``Extractor`` itself, such as the mail
    /// layer) can lower it for the work it starts: `SheetWindows.$threshold.withValue(4096) { … }`.
    @TaskLocal public static var threshold: UInt64 = 32 << 20
    /// Text of one window (task-local likewise).
    @TaskLocal public static var windowText = 4 << 20
    /// Longest run of XML without a row end, and longest tail after `</sheetData>`.
    static let longest = 32 << 20

    /// Streams `entry` through `reader`, calling `window` with each window's text and segments
    /// (offsets within the window). The reader's text is empty afterwards; its `usedShared` holds
    /// every shared string the sheet showed.
    static func read(_ entry: Entry, of container: ZipContainer, reader: WorksheetReader, budget: ExtractBudget,
                     windowText: Int = windowText, window: ([UInt8], [ExtractedDocument.Segment]) -> Void) throws(ExtractProblem) {
        // XML parsed at once: whole rows, cut at the last row end in about this many bytes.
        let batch = max(4096, min(1 << 20, windowText / 4))
        var buffer: [UInt8] = []
        var head: [UInt8]?          // everything up to and including the `<sheetData …>` start tag
        var tail: [UInt8]?          // from `</sheetData>` on

        func flush(force: Bool) {
            guard reader.out.text.count >= windowText || (force && !reader.out.text.isEmpty) else { return }
            let (text, segments) = reader.out.finish()
            reader.out = TextBuilder()
            window(text, segments)
        }
        /// Rows in `bytes` (complete elements), parsed inside the head's open elements.
        func rows(_ bytes: ArraySlice<UInt8>) throws(ExtractProblem) {
            guard !bytes.isEmpty else { return }
            try parse(Array("<sheetData>".utf8) + bytes + Array("</sheetData>".utf8), reader: reader, budget: budget)
            flush(force: false)
        }

        try container.stream(entry) { chunk throws(ExtractProblem) in
            if tail != nil {
                tail! += chunk
                if tail!.count > longest { throw ExtractProblem(ExtractCode.tooLarge, "a worksheet has more than \(longest >> 20) MiB after its cells") }
                return
            }
            buffer += chunk
            if head == nil {
                if XMLTextReader.declaresEntities(Data(buffer)) {
                    throw ExtractProblem(ExtractCode.xmlDeclarations, "an XML part declares a DOCTYPE or entities (never expanded)")
                }
                guard let open = SheetWindows.sheetDataStart(buffer) else {
                    if buffer.count > longest { throw ExtractProblem(ExtractCode.corrupt, "a worksheet without cells in its first \(longest >> 20) MiB") }
                    return
                }
                head = Array(buffer[..<open])
                buffer.removeSubrange(..<open)
            }
            // Runs of whole rows of about `batch` bytes (a fraction of a window), so windows stay
            // close to their size.
            var position = 0
            // Where the cells end, looked for once per chunk (the buffer does not change in this
            // loop): the first end at or after a cut is the one found before it, unless the cut
            // passed it (then it is looked for again).
            var end: Int?? = nil
            while buffer.count - position >= batch {
                if end == nil || end!.map({ $0 < position }) == true { end = .some(SheetWindows.sheetDataEnd(buffer, from: position)) }
                if let close = end!, close < position + batch {
                    try rows(buffer[position..<close])
                    tail = Array(buffer[close...])
                    buffer = []
                    return
                }
                guard let cut = SheetWindows.lastRowEnd(buffer, in: position..<(position + batch))
                    ?? SheetWindows.lastRowEnd(buffer, in: position..<buffer.count) else {
                    if buffer.count - position > longest { throw ExtractProblem(ExtractCode.tooLarge, "a worksheet row longer than \(longest >> 20) MiB") }
                    break
                }
                try rows(buffer[position..<cut])
                position = cut
            }
            if position > 0 { buffer.removeSubrange(..<position) }
        }
        guard head != nil else {
            throw ExtractProblem(ExtractCode.corrupt, "an XML part is not well-formed (a worksheet without sheetData)")
        }
        if tail == nil {
            guard let close = SheetWindows.sheetDataEnd(buffer, from: 0) else {
                throw ExtractProblem(ExtractCode.corrupt, "an XML part is not well-formed (a truncated worksheet)")
            }
            var position = 0
            while let cut = SheetWindows.lastRowEnd(buffer, in: position..<min(position + batch, close)), cut > position {
                try rows(buffer[position..<cut])
                position = cut
            }
            try rows(buffer[position..<close])
            tail = Array(buffer[close...])
        }
        // The head with the tail: checks the sheet is well-formed and reads what follows the cells.
        reader.out.newline()
        try parse(head! + tail!, reader: reader, budget: budget)
        flush(force: true)
    }

    /// Parses `bytes` (a whole document) with ``XMLTokenizer`` through `reader`.
    private static func parse(_ bytes: [UInt8], reader: WorksheetReader, budget: ExtractBudget) throws(ExtractProblem) {
        let tokenizer = XMLTokenizer(bytes: bytes, budget: budget)
        do throws(ExtractProblem) {
            try tokenizer.read(reader)
        } catch where error.code == ExtractCode.notRewritable {
            // The tokenizer speaks for the rewriter; here it is reading: a malformed part.
            throw ExtractProblem(ExtractCode.corrupt, "an XML part is not well-formed")
        }
    }

    /// The index just past the `<sheetData …>` start tag (any prefix), nil if not yet in `bytes`.
    static func sheetDataStart(_ bytes: [UInt8]) -> Int? {
        var from = 0
        while let at = find(Array("sheetData".utf8), in: bytes, from: from) {
            from = at + 1
            guard let open = tagOpen(bytes, before: at), bytes[open + 1] != 0x2F else { continue }
            guard let close = bytes[at...].firstIndex(of: 0x3E) else { return nil }
            // `<sheetData/>`: no rows; the tokenizer reads it whole as head and tail.
            if bytes[close - 1] == 0x2F { return open }
            return close + 1
        }
        return nil
    }

    /// The index of `</sheetData>` (any prefix) at or after `from`, or of a self-closing `<sheetData/>`.
    static func sheetDataEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var from = start
        while let at = find(Array("sheetData".utf8), in: bytes, from: from) {
            from = at + 1
            guard let open = tagOpen(bytes, before: at) else { continue }
            if bytes[open + 1] == 0x2F { return open }
            if let close = bytes[at...].firstIndex(of: 0x3E), bytes[close - 1] == 0x2F { return open }
        }
        return nil
    }

    /// The index just past the last `</row>` (any prefix) inside `range` of `bytes`.
    static func lastRowEnd(_ bytes: [UInt8], in range: Range<Int>) -> Int? {
        var index = min(range.upperBound, bytes.count) - 1
        while index >= range.lowerBound + 4 {
            if bytes[index] == 0x3E && bytes[index - 1] == 0x77 && bytes[index - 2] == 0x6F && bytes[index - 3] == 0x72,
               let open = tagOpen(bytes, before: index - 3), bytes[open + 1] == 0x2F, open >= range.lowerBound {
                return index + 1
            }
            index -= 1
        }
        return nil
    }

    /// Where the tag whose local name starts at `name` opens: `<` or `</`, then an optional `prefix:`.
    private static func tagOpen(_ bytes: [UInt8], before name: Int) -> Int? {
        var index = name - 1
        if index >= 0 && bytes[index] == 0x3A {   // prefix:
            index -= 1
            while index >= 0, bytes[index] != 0x3C, bytes[index] != 0x2F, bytes[index] > 0x20, bytes[index] != 0x3E { index -= 1 }
        }
        if index >= 0 && bytes[index] == 0x2F { index -= 1 }
        guard index >= 0, bytes[index] == 0x3C, index + 1 < bytes.count else { return nil }
        return index
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count <= bytes.count, from <= bytes.count - needle.count else { return nil }
        var index = from
        let first = needle[0]
        while index <= bytes.count - needle.count {
            if bytes[index] == first && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
