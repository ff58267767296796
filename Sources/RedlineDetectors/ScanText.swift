/// The text detectors match against: the original bytes normalised so that evasion does not hide
/// PII, with a map from every normalised offset back to the original bytes.
///
/// Normalisation (only non-ASCII input and invalid bytes change anything; ASCII passes as is):
/// - Unicode decimal digits (full-width, Arabic-Indic, …) become ASCII digits;
/// - full-width ASCII forms (U+FF01–U+FF5E) become ASCII;
/// - no-break, narrow, thin and other Unicode spaces become a space;
/// - hyphens, en and em dashes and minus signs become `-`;
/// - format characters (general category Cf: zero-width spaces and joiners, soft hyphens, bidi
///   marks and isolates, invisible operators, tags), the combining grapheme joiner and variation
///   selectors are removed, and so is a combining mark that follows an ASCII letter or digit;
/// - line and paragraph separators (U+2028, U+2029) and NEL become a line feed;
/// - Cyrillic and Greek letters that look like Latin ones become those letters when their word
///   holds only such letters, ASCII letters and digits (`АВ123456С`), never inside a word of
///   their own script (see ``Confusables``);
/// - invalid UTF-8 bytes become U+FFFD, so the result is always valid UTF-8.
public struct ScanText: Sendable {
    /// Normalised bytes, valid UTF-8.
    public let bytes: [UInt8]
    /// Length of the original text in bytes.
    public let originalCount: Int
    /// Change points (normalised offset, original offset), sorted; empty when the mapping is identity.
    private let changes: [(norm: Int, orig: Int)]

    public var isIdentity: Bool { changes.isEmpty }

    public init(_ original: [UInt8]) {
        let edits = original.withUnsafeBufferPointer { ScanText.edits($0) }
        if edits.isEmpty {
            // Nothing to normalise: share the caller's storage.
            bytes = original
            originalCount = original.count
            changes = []
        } else {
            self = original.withUnsafeBufferPointer { ScanText($0, edits: edits) }
        }
    }

    public init(_ original: UnsafeBufferPointer<UInt8>) {
        self.init(original, edits: ScanText.edits(original))
    }

    typealias Edit = (index: Int, length: Int, replacement: UInt8?)

    /// The characters normalisation changes (replacement nil: an invalid byte).
    static func edits(_ original: UnsafeBufferPointer<UInt8>) -> [Edit] {
        // Most text is ASCII with a few non-ASCII characters that normalisation keeps (`é`, `£`,
        // emoji): find the characters that change first, skipping ASCII eight bytes at a time,
        // and copy the text in one piece when there are none.
        var edits: [Edit] = []
        var index = 0
        let count = original.count
        // The last non-ASCII character seen: where it ended, and whether it normalised to an ASCII
        // letter or digit (a combining mark after one is dropped).
        var previousEnd = -1
        var previousAlnum = false
        // Look-alike letters before `foldUntil` are folded (their word mixes them with Latin
        // letters or digits only); before `keepUntil` they are kept (a word of their own script).
        var foldUntil = -1
        var keepUntil = -1
        if let base = original.baseAddress {
            while index < count {
                while index + 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                while index < count, original[index] < 0x80 { index += 1 }
                guard index < count else { break }
                let (scalar, length) = ScanText.decode(original, at: index)
                guard let scalar else {
                    edits.append((index, 1, nil))
                    index += 1
                    previousEnd = index
                    previousAlnum = false
                    continue
                }
                let afterAlnum = index > 0 && (original[index - 1] < 0x80 ? UKFormats.isAlnum(original[index - 1])
                                                                          : previousEnd == index && previousAlnum)
                var replacement = ScanText.replacement(for: scalar)
                if replacement == nil, let letter = Confusables.latin(for: scalar.value) {
                    if index >= keepUntil && index >= foldUntil {
                        let word = Confusables.word(original, around: index)
                        if word.mixed { foldUntil = word.end } else { keepUntil = word.end }
                    }
                    if index < foldUntil { replacement = letter }
                } else if replacement == nil, afterAlnum, ScanText.isMark(scalar) {
                    replacement = 0
                }
                if let replacement { edits.append((index, length, replacement)) }
                index += length
                previousEnd = index
                previousAlnum = replacement.map { UKFormats.isAlnum($0) || ($0 == 0 && afterAlnum) } ?? false
            }
        }
        return edits
    }

    private init(_ original: UnsafeBufferPointer<UInt8>, edits: [Edit]) {
        originalCount = original.count
        let count = original.count
        if edits.isEmpty {
            bytes = Array(original)
            changes = []
            return
        }
        var out = [UInt8]()
        out.reserveCapacity(original.count + 2 * edits.count + 16)
        var points: [(norm: Int, orig: Int)] = []
        // Several points may share a normalised offset (a removed zero-width character): the
        // first is where a range may end, the last is where a range may start.
        func mark(_ normalised: Int, _ orig: Int) {
            if let last = points.last, last.norm == normalised, last.orig == orig { return }
            points.append((normalised, orig))
        }
        var copied = 0
        for edit in edits {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: original[copied..<edit.index]))
            mark(out.count, edit.index)
            if let replacement = edit.replacement {
                if replacement != 0 { out.append(replacement) }
            } else {
                // Invalid byte: U+FFFD for matching, mapped to the single original byte.
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            }
            mark(out.count, edit.index + edit.length)
            copied = edit.index + edit.length
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: original[copied..<count]))
        bytes = out
        changes = points
    }

    /// The original offset of normalised offset `normalised`, as the start of a range: characters
    /// removed by normalisation just before it (zero-width characters) are skipped.
    public func originalOffset(_ normalised: Int) -> Int {
        if changes.isEmpty { return normalised }
        // Last change point at or before `normalised`.
        let index = firstPoint(after: normalised) - 1
        if index < 0 { return normalised }
        let point = changes[index]
        return min(point.orig + (normalised - point.norm), originalCount)
    }

    /// The original offset of normalised offset `normalised`, as the end of a range: characters
    /// removed by normalisation just after it are not included.
    public func originalEndOffset(_ normalised: Int) -> Int {
        if changes.isEmpty { return normalised }
        var index = firstPoint(after: normalised) - 1
        if index < 0 { return normalised }
        while index > 0, changes[index - 1].norm == normalised { index -= 1 }
        let point = changes[index]
        return min(point.orig + (normalised - point.norm), originalCount)
    }

    /// Index of the first change point whose normalised offset is greater than `normalised`.
    private func firstPoint(after normalised: Int) -> Int {
        var low = 0
        var high = changes.count
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].norm <= normalised { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The original byte range of a normalised range.
    public func originalRange(_ range: Range<Int>) -> Range<Int> {
        let start = originalOffset(range.lowerBound)
        let end = max(start, range.isEmpty ? start : originalEndOffset(range.upperBound))
        return start..<end
    }

    /// ASCII replacement for a scalar (0 means "remove"), or nil to keep it.
    static func replacement(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        // Latin-1 has no decimal digits: only the no-break space, the soft hyphen and NEL change;
        // below U+0300 there are no marks or format characters either.
        if value < 0x300 { return value == 0xA0 ? UInt8(ascii: " ") : value == 0xAD ? 0 : value == 0x85 ? 10 : nil }
        switch value {
        case 0x00A0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000:
            return UInt8(ascii: " ")
        case 0x2028, 0x2029:
            // Line and paragraph separators wrap a number like a line feed.
            return 10
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F, 0xFEFF:
            // Zero-width characters, bidi marks and embeddings, invisible operators, isolates.
            return 0
        case 0x034F, 0x180B...0x180F, 0xFE00...0xFE0F, 0xE0100...0xE01EF:
            // Combining grapheme joiner and variation selectors: invisible wherever they stand.
            return 0
        case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D:
            return UInt8(ascii: "-")
        case 0xFF01...0xFF5E:
            return UInt8(value - 0xFF01 + 0x21)
        default:
            break
        }
        let properties = scalar.properties
        // Every format character (zero-width spaces and joiners, bidi marks and isolates, invisible
        // operators, tags, the BOM…) is invisible: removed.
        if properties.generalCategory == .format { return 0 }
        if properties.numericType == .decimal, let number = properties.numericValue,
           number >= 0, number <= 9 {
            return UInt8(ascii: "0") + UInt8(number)
        }
        return nil
    }

    /// A combining mark (dropped when it follows an ASCII letter or digit: `4̲1̲1̲1̲`, keycaps).
    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark: return true
        default: return false
        }
    }

    /// Decodes one UTF-8 scalar at `index`; nil scalar for an invalid sequence (length 1).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar?, Int) {
        let lead = bytes[index]
        let count = bytes.count
        func cont(_ offset: Int) -> UInt32? {
            guard index + offset < count else { return nil }
            let byte = bytes[index + offset]
            return byte & 0xC0 == 0x80 ? UInt32(byte & 0x3F) : nil
        }
        switch lead {
        case 0xC2...0xDF:
            guard let b1 = cont(1) else { return (nil, 1) }
            return (Unicode.Scalar((UInt32(lead & 0x1F) << 6) | b1), 2)
        case 0xE0...0xEF:
            guard let b1 = cont(1), let b2 = cont(2) else { return (nil, 1) }
            let value = (UInt32(lead & 0x0F) << 12) | (b1 << 6) | b2
            if value < 0x800 || (0xD800...0xDFFF).contains(value) { return (nil, 1) }
            return (Unicode.Scalar(value), 3)
        case 0xF0...0xF4:
            guard let b1 = cont(1), let b2 = cont(2), let b3 = cont(3) else { return (nil, 1) }
            let value = (UInt32(lead & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3
            if value < 0x10000 || value > 0x10FFFF { return (nil, 1) }
            return (Unicode.Scalar(value), 4)
        default:
            return (nil, 1)
        }
    }
}

extension ScanText {
    /// Where a tail of `bytes` starts that holds at least `visible` bytes normalisation keeps (so
    /// a value stretched by zero-width or other invisible characters still fits in a stream's
    /// window overlap), but never more than `maxBytes` bytes. Walks back from the end, one
    /// character at a time; plain text gives `bytes.count - visible` at once.
    public static func tailStart(_ bytes: UnsafeBufferPointer<UInt8>, visible: Int, maxBytes: Int) -> Int {
        let count = bytes.count
        let floor = max(0, count - max(maxBytes, visible))
        var index = count
        var kept = 0
        while index > floor, kept < visible {
            var start = index - 1
            while start > floor, bytes[start] & 0xC0 == 0x80, index - start < 4 { start -= 1 }
            if bytes[start] < 0x80 {
                kept += index - start
            } else {
                let (scalar, length) = decode(bytes, at: start)
                if start + length != index {
                    kept += index - start   // an invalid sequence is kept (as U+FFFD)
                } else if let scalar, replacement(for: scalar) == 0 || isMark(scalar) {
                    // Removed by normalisation (a combining mark may be): not counted.
                } else {
                    kept += 1
                }
            }
            index = start
        }
        return index
    }
}
