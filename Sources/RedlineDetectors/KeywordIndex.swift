/// Keyword context for the scanner: the keywords of all detectors in flat tables, and the
/// per-text index that answers "is a keyword of this detector near this match?".

/// Every distinct context keyword of a scanner's detectors, indexed by first byte, in flat
/// tables (the per-byte loop of ``KeywordIndex`` touches no reference-counted storage).
final class KeywordTable {
    /// Keyword bytes, back to back; keyword `k` is `bytes[offsets[k] ..< offsets[k + 1]]`.
    let bytes: [UInt8]
    let offsets: [Int]
    /// Keyword indices grouped by first byte: those starting with byte `b` are
    /// `byFirst[firstStart[b] ..< firstStart[b + 1]]`.
    let byFirst: [Int]
    let firstStart: [Int]
    /// Which detectors use each keyword: `words` bit words per keyword.
    let users: [UInt64]
    let words: Int
    let isEmpty: Bool

    init(_ perDetector: [[[UInt8]]]) {
        var keywords: [[UInt8]] = []
        var userSets: [[Int]] = []
        var position: [[UInt8]: Int] = [:]
        for (detector, list) in perDetector.enumerated() {
            for keyword in list where !keyword.isEmpty {
                if let known = position[keyword] {
                    userSets[known].append(detector)
                } else {
                    position[keyword] = keywords.count
                    keywords.append(keyword)
                    userSets.append([detector])
                }
            }
        }
        words = max(1, (perDetector.count + 63) / 64)
        var users = [UInt64](repeating: 0, count: keywords.count * words)
        for (keyword, detectors) in userSets.enumerated() {
            for detector in detectors { users[keyword * words + detector / 64] |= 1 << UInt64(detector % 64) }
        }
        var offsets = [0]
        for keyword in keywords { offsets.append(offsets.last! + keyword.count) }
        var firstStart = [Int](repeating: 0, count: 257)
        var byFirst: [Int] = []
        for byte in 0..<256 {
            firstStart[byte] = byFirst.count
            for (index, keyword) in keywords.enumerated() where Int(keyword[0]) == byte { byFirst.append(index) }
        }
        firstStart[256] = byFirst.count
        self.bytes = keywords.flatMap { $0 }
        self.offsets = offsets
        self.byFirst = byFirst
        self.firstStart = firstStart
        self.users = users
        self.isEmpty = keywords.isEmpty
    }

    static let lower: [UInt8] = (0..<256).map { (value: Int) -> UInt8 in
        let byte = UInt8(value)
        return byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    /// Bit 0: ASCII letter; bit 1: ASCII letter or digit; bit 3: UTF-8 continuation byte.
    static let classes: [UInt8] = (0..<256).map { (value: Int) -> UInt8 in
        let byte = UInt8(value)
        return (UKFormats.isLetter(byte) ? 1 : 0) | (UKFormats.isAlnum(byte) ? 2 : 0) | (byte & 0xC0 == 0x80 ? 8 : 0)
    }

    /// Per text byte: the classes above, plus bit 2 when a keyword starts with its lower-case form.
    lazy var startClasses: [UInt8] = (0..<256).map { (value: Int) -> UInt8 in
        let lowered = Int(KeywordTable.lower[value])
        return KeywordTable.classes[value] | (firstStart[lowered] != firstStart[lowered + 1] ? 4 : 0)
    }

    /// Bit set over (lower-case first byte, lower-case second byte): some keyword starts with the
    /// pair, or is one byte long and starts with the first.
    lazy var pairs: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 65536 / 64)
        for keyword in 0..<(offsets.count - 1) {
            let first = Int(bytes[offsets[keyword]])
            let length = offsets[keyword + 1] - offsets[keyword]
            let seconds = length == 1 ? Array(0..<256) : [Int(bytes[offsets[keyword] + 1])]
            for second in seconds {
                // Any text byte whose lower-case form is `second`.
                for raw in 0..<256 where Int(KeywordTable.lower[raw]) == second {
                    let pair = first << 8 | raw
                    bits[pair >> 6] |= 1 << UInt64(pair & 63)
                }
            }
        }
        return bits
    }()
}

/// Case-insensitive keyword positions in one text: one pass over the text, on first use, finds
/// every keyword of every detector (ASCII letters compared case-insensitively; a keyword that
/// starts or ends with a letter or digit must not touch a letter on that side).
struct KeywordIndex {
    let buffer: UnsafeBufferPointer<UInt8>
    let table: KeywordTable
    private var built = false
    private var windowedBytes = 0
    /// Build the whole index on the first lookup (when every hit's confidence is wanted).
    var buildsEagerly = false
    /// Keyword occurrences, sorted by start: start, end and keyword index.
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var keywords: [Int] = []
    /// Offsets of UTF-8 continuation bytes, sorted (for stepping over characters).
    private var continuation: [Int] = []

    init(_ buffer: UnsafeBufferPointer<UInt8>, table: KeywordTable) {
        self.buffer = buffer
        self.table = table
    }

    mutating func hasKeyword(detector: Int, around range: Range<Int>, window: Int) -> Bool {
        // Lookups scan just their windows until that work adds up to half the text; then (a
        // PII-dense text with confidence wanted) the whole index is built once.
        let low = stepBack(range.lowerBound, scalars: window)
        let high = stepForward(range.upperBound, scalars: window)
        windowedBytes += high - low
        if !built && (buildsEagerly || windowedBytes > buffer.count / 2 + 4096) { build() }
        let word = detector / 64
        let bit = UInt64(1) << UInt64(detector % 64)
        if !built {
            var found: (starts: [Int], ends: [Int], keywords: [Int], continuation: [Int]) = ([], [], [], [])
            collect(low..<high, &found.starts, &found.ends, &found.keywords, &found.continuation)
            for index in found.starts.indices where found.ends[index] <= high {
                if table.users[found.keywords[index] * table.words + word] & bit != 0 { return true }
            }
            return false
        }
        // First occurrence starting at or after `low`.
        var lo = 0
        var hi = starts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if starts[mid] < low { lo = mid + 1 } else { hi = mid }
        }
        while lo < starts.count, starts[lo] < high {
            if ends[lo] <= high, table.users[keywords[lo] * table.words + word] & bit != 0 { return true }
            lo += 1
        }
        return false
    }

    private mutating func build() {
        built = true
        var starts: [Int] = []
        var ends: [Int] = []
        var keywords: [Int] = []
        var continuation: [Int] = []
        collect(0..<buffer.count, &starts, &ends, &keywords, &continuation)
        self.starts = starts
        self.ends = ends
        self.keywords = keywords
        self.continuation = continuation
    }

    /// Appends every keyword occurrence starting in `range` (and the continuation bytes in it).
    private func collect(_ range: Range<Int>, _ starts: inout [Int], _ ends: inout [Int], _ keywords: inout [Int], _ continuation: inout [Int]) {
        guard let text = buffer.baseAddress else { return }
        let n = buffer.count
        let table = self.table
        table.startClasses.withUnsafeBufferPointer { startClasses in
        table.pairs.withUnsafeBufferPointer { pairs in
        KeywordTable.lower.withUnsafeBufferPointer { lower in
        KeywordTable.classes.withUnsafeBufferPointer { classes in
        table.bytes.withUnsafeBufferPointer { bytes in
        table.offsets.withUnsafeBufferPointer { offsets in
        table.byFirst.withUnsafeBufferPointer { byFirst in
        table.firstStart.withUnsafeBufferPointer { firstStart in
            // Bit 0 of the previous byte's class: it was a letter.
            var previous: UInt8 = range.lowerBound > 0 ? startClasses[Int(text[range.lowerBound - 1])] : 0
            for index in range {
                let byte = text[index]
                let kind = startClasses[Int(byte)]
                defer { previous = kind }
                if kind & 0x0C == 0 { continue }
                if kind & 8 != 0 {
                    continuation.append(index)
                    continue
                }
                // A keyword may start here: its first byte matches, and a keyword starting with a
                // letter or digit does not start inside a word.
                if kind & 4 == 0 || (kind & 2 != 0 && previous & 1 != 0) { continue }
                let lowered = Int(lower[Int(byte)])
                if index + 1 < n {
                    let pair = lowered << 8 | Int(text[index + 1])
                    if pairs[pair >> 6] & (1 << UInt64(pair & 63)) == 0 { continue }
                }
                for slot in firstStart[lowered]..<firstStart[lowered + 1] {
                    let keyword = byFirst[slot]
                    let start = offsets[keyword]
                    let length = offsets[keyword + 1] - start
                    guard index + length <= n else { continue }
                    var offset = 1
                    while offset < length, lower[Int(text[index + offset])] == bytes[start + offset] { offset += 1 }
                    if offset < length { continue }
                    if classes[Int(bytes[start + length - 1])] & 2 != 0, index + length < n,
                       classes[Int(text[index + length])] & 1 != 0 { continue }
                    starts.append(index)
                    ends.append(index + length)
                    keywords.append(keyword)
                }
            }
        }}}}}}}}
    }

    /// Whether any continuation byte lies in `range`.
    private func hasContinuation(in range: Range<Int>) -> Bool {
        var lo = 0
        var hi = continuation.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if continuation[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        return lo < continuation.count && continuation[lo] < range.upperBound
    }

    private func stepBack(_ offset: Int, scalars: Int) -> Int {
        let target = max(0, offset - scalars)
        if built && !hasContinuation(in: target..<offset) { return target }
        var position = offset
        var remaining = scalars
        while position > 0 && remaining > 0 {
            position -= 1
            if buffer[position] & 0xC0 != 0x80 { remaining -= 1 }
        }
        return position
    }

    private func stepForward(_ offset: Int, scalars: Int) -> Int {
        let target = min(buffer.count, offset + scalars)
        if built && !hasContinuation(in: (offset + 1)..<(target + 1)) { return target }
        var position = offset
        var remaining = scalars
        while position < buffer.count && remaining > 0 {
            position += 1
            while position < buffer.count, buffer[position] & 0xC0 == 0x80 { position += 1 }
            remaining -= 1
        }
        return position
    }
}
