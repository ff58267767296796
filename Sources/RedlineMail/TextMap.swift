/// Text extracted from markup (HTML, RTF) with a map from every text byte back to the markup, kept
/// as runs so that it costs a few bytes per run, not per byte: a run of text copied byte for byte
/// from the source is one entry, an entity or escape is one entry, a line break standing for a tag
/// is one entry. A large attribute or a long paragraph is one run.
struct TextMap: Sendable {
    /// The extracted text, UTF-8.
    var text: [UInt8] = []
    /// Per run: first text byte, source range, and whether it is a copy (byte for byte) or a tag.
    private var runText: [Int32] = []
    private var runSourceStart: [Int32] = []
    private var runSourceEnd: [Int32] = []
    private var runFlags: [UInt8] = []
    private static let copy: UInt8 = 1
    private static let tag: UInt8 = 2

    var runCount: Int { runText.count }

    init(capacity: Int = 0) { text.reserveCapacity(capacity) }

    /// Appends the source byte at `index`, extending the current copy run when it continues it.
    mutating func copy(_ byte: UInt8, at index: Int) {
        if let last = runFlags.last, last == TextMap.copy, Int(runSourceEnd[runSourceEnd.count - 1]) == index {
            runSourceEnd[runSourceEnd.count - 1] += 1
        } else {
            addRun(index, index + 1, TextMap.copy)
        }
        text.append(byte)
    }

    /// Appends a range of source bytes copied as they are.
    mutating func copy(_ source: [UInt8], _ range: Range<Int>) {
        source.withUnsafeBufferPointer { copy($0, range) }
    }

    /// Appends a range of source bytes copied as they are: what ``copy(_:at:)`` byte by byte would
    /// record (the current copy run extended when the range continues it, else one new run), in
    /// one append.
    mutating func copy(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if let last = runFlags.last, last == TextMap.copy, Int(runSourceEnd[runSourceEnd.count - 1]) == range.lowerBound {
            runSourceEnd[runSourceEnd.count - 1] += Int32(truncatingIfNeeded: range.count)
        } else {
            addRun(range.lowerBound, range.upperBound, TextMap.copy)
        }
        text.append(contentsOf: UnsafeBufferPointer(rebasing: source[range]))
    }

    /// Appends `bytes` standing for the source range `start..<end` (an entity, an escape) or, with
    /// `tag`, for a tag (a line break for `<p>`).
    mutating func emit(_ bytes: [UInt8], _ start: Int, _ end: Int, tag: Bool = false) {
        guard !bytes.isEmpty else { return }
        addRun(start, end, tag ? TextMap.tag : 0)
        text.append(contentsOf: bytes)
    }

    private mutating func addRun(_ start: Int, _ end: Int, _ flags: UInt8) {
        runText.append(Int32(truncatingIfNeeded: text.count))
        runSourceStart.append(Int32(truncatingIfNeeded: start))
        runSourceEnd.append(Int32(truncatingIfNeeded: end))
        runFlags.append(flags)
    }

    /// Whether the last text byte stands for a tag.
    var endsWithTag: Bool { runFlags.last == TextMap.tag }

    /// The run holding text byte `index`.
    private func run(at index: Int) -> Int {
        var low = 0
        var high = runText.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if Int(runText[middle]) <= index { low = middle } else { high = middle - 1 }
        }
        return low
    }

    private func runEnd(_ run: Int) -> Int { run + 1 < runText.count ? Int(runText[run + 1]) : text.count }

    /// The source range behind text byte `index` (one byte of a copy, or a whole entity or tag).
    func sourceRange(of index: Int) -> Range<Int> {
        let r = run(at: index)
        if runFlags[r] == TextMap.copy {
            let source = Int(runSourceStart[r]) + index - Int(runText[r])
            return source..<(source + 1)
        }
        return Int(runSourceStart[r])..<Int(runSourceEnd[r])
    }

    /// Whether text byte `index` stands for a tag.
    func isTag(_ index: Int) -> Bool { runFlags[run(at: index)] == TextMap.tag }

    /// The source pieces behind text bytes `range` that are text (not tags): what to replace.
    func sourceTextRanges(_ range: Range<Int>) -> [Range<Int>] {
        guard !range.isEmpty, !runText.isEmpty else { return [] }
        var pieces: [Range<Int>] = []
        var r = run(at: range.lowerBound)
        while r < runText.count, Int(runText[r]) < range.upperBound {
            defer { r += 1 }
            guard runFlags[r] != TextMap.tag else { continue }
            var piece = Int(runSourceStart[r])..<Int(runSourceEnd[r])
            if runFlags[r] == TextMap.copy {
                let from = max(range.lowerBound, Int(runText[r]))
                let to = min(range.upperBound, runEnd(r))
                let base = Int(runSourceStart[r]) - Int(runText[r])
                piece = (base + from)..<(base + to)
            }
            if let last = pieces.last, last.upperBound >= piece.lowerBound {
                pieces[pieces.count - 1] = last.lowerBound..<max(last.upperBound, piece.upperBound)
            } else {
                pieces.append(piece)
            }
        }
        return pieces
    }

    /// Rewrites `source`: for each (text range, replacement text) the first source piece behind the
    /// range gets the escaped replacement and the other text pieces are removed; tags in between
    /// stay, so the markup stays well formed.
    func rewrite(_ source: [UInt8], replacements: [(range: Range<Int>, text: [UInt8])], escape: ([UInt8]) -> [UInt8]) -> [UInt8] {
        rewrite(source[...], replacements: replacements, escape: escape)
    }

    /// ``rewrite(_:replacements:escape:)`` of a source read in place (offsets from its start).
    func rewrite(_ source: ArraySlice<UInt8>, replacements: [(range: Range<Int>, text: [UInt8])], escape: ([UInt8]) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(source.count)
        let edits = self.edits(replacements, escape: escape)
        TextMap.apply(edits, to: source) { out.append(contentsOf: $0) }
        return out
    }

    /// The source edits behind ``rewrite(_:replacements:escape:)``, sorted (ranges are offsets
    /// from the source's start): for each replacement, its first source piece gets the escaped text
    /// and its other text pieces are removed.
    func edits(_ replacements: [(range: Range<Int>, text: [UInt8])], escape: ([UInt8]) -> [UInt8]) -> [(Range<Int>, [UInt8])] {
        var edits: [(Range<Int>, [UInt8])] = []
        for replacement in replacements {
            let pieces = sourceTextRanges(replacement.range)
            guard let first = pieces.first else { continue }
            edits.append((first, escape(replacement.text)))
            for piece in pieces.dropFirst() { edits.append((piece, [])) }
        }
        edits.sort { $0.0.lowerBound < $1.0.lowerBound }
        return edits
    }

    /// Writes `source` with `edits` (from ``edits(_:escape:)``) applied, piece by piece: nothing
    /// the size of the source is built (an edit that overlaps an earlier one is skipped).
    static func apply(_ edits: [(Range<Int>, [UInt8])], to source: ArraySlice<UInt8>,
                      _ write: (ArraySlice<UInt8>) throws -> Void) rethrows {
        let base = source.startIndex
        var cursor = 0
        for (range, text) in edits where range.lowerBound >= cursor {
            if range.lowerBound > cursor { try write(source[(base + cursor)..<(base + range.lowerBound)]) }
            if !text.isEmpty { try write(text[...]) }
            cursor = range.upperBound
        }
        if base + cursor < source.endIndex { try write(source[(base + cursor)...]) }
    }
}
