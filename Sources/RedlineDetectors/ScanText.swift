/// The text detectors match against: the original bytes normalised so that evasion does not hide
/// PII, with a map from every normalised offset back to the original bytes.
///
/// Normalisation (only non-ASCII input and invalid bytes change anything; ASCII passes as is):
/// - Unicode decimal digits (full-width, Arabic-Indic, …) become ASCII digits;
/// - full-width ASCII forms (U+FF01–U+FF5E) become ASCII;
/// - no-break, narrow, thin and other Unicode spaces become a space;
/// - hyphens, en and em dashes and minus signs become `-`;
/// - zero-width characters and soft hyphens are removed;
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
        if let base = original.baseAddress {
            while index < count {
                while index + 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                while index < count, original[index] < 0x80 { index += 1 }
                guard index < count else { break }
                let (scalar, length) = ScanText.decode(original, at: index)
                if let scalar {
                    if let replacement = ScanText.replacement(for: scalar) { edits.append((index, length, replacement)) }
                } else {
                    edits.append((index, 1, nil))
                }
                index += length
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
        // Latin-1 has no decimal digits: only the no-break space and the soft hyphen change.
        if value < 0x100 { return value == 0xA0 ? UInt8(ascii: " ") : value == 0xAD ? 0 : nil }
        switch value {
        case 0x00A0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000:
            return UInt8(ascii: " ")
        case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E:
            return 0
        case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D:
            return UInt8(ascii: "-")
        case 0xFF01...0xFF5E:
            return UInt8(value - 0xFF01 + 0x21)
        default:
            break
        }
        if scalar.properties.numericType == .decimal, let number = scalar.properties.numericValue,
           number >= 0, number <= 9 {
            return UInt8(ascii: "0") + UInt8(number)
        }
        return nil
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
