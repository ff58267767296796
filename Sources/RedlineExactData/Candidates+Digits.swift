/// Candidates of the `phone` and `digits` column types: chains of digit groups ("0113 496 0000",
/// "9001-4998", "+44 (0)7700 900123"), cut into every run of consecutive groups whose digit count
/// can match the column.
///
/// Both types come from the same chains, so one pass over the text serves both: the text is read
/// eight bytes at a time to the next digit and to the end of each digit group, and a candidate is
/// copied out and normalised only when its length can equal that of an indexed value (for a phone
/// number the normalised length follows from the digit count and the first digits alone, see
/// ``phoneLength(count:plus:digit:)``).
extension Candidates {
    /// At most this many groups make one chain.
    static let maxGroups = 12

    /// Every `phone` candidate (when `phone` is given) and `digits` candidate (when `digits` is
    /// given) of the chains that start in `range`, in text order; per chain the phone candidates
    /// come first. The same candidates, in the same order per type, as one pass per type.
    mutating func digitCandidates(phone: TypeLimits?, digits: TypeLimits?, in range: Range<Int>, _ emit: TypedEmit) {
        let phone = phone.flatMap { $0.maxLength > 0 ? $0 : nil }
        let digits = digits.flatMap { $0.maxLength > 0 ? $0 : nil }
        guard phone != nil || digits != nil, let base = text.baseAddress, range.lowerBound < range.upperBound else { return }
        let count = text.count, upper = range.upperBound
        // The fewest digits a chain needs to hold a candidate of each type (a phone number's
        // normalised form has at most one byte more than its digits).
        let phoneShortest = phone.map { max(7, $0.minLength - 1) } ?? Int.max
        let shortest = min(phoneShortest, digits?.minLength ?? Int.max)
        var index = range.lowerBound
        while index > 0 && Normaliser.isDigit(text[index - 1]) { index -= 1 }
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: Candidates.maxGroups) { buffer in
            guard let groups = buffer.baseAddress else { return }
            while index < upper {
                // To the next digit: eight bytes at a time while eight are left in the text.
                if index + 8 <= count {
                    let mask = Candidates.digitMask(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                    if mask == 0 { index += 8; continue }
                    index += mask.trailingZeroBitCount >> 3
                    if index >= upper { break }
                } else if !Normaliser.isDigit(text[index]) {
                    index += 1
                    continue
                }
                var groupCount = 0
                var total = 0
                var start = index
                while true {
                    let end = digitEnd(from: start, base: base)
                    groups[groupCount] = start..<end
                    groupCount += 1
                    total += end - start
                    guard groupCount < Candidates.maxGroups, let next = gapEnd(after: end, limit: count) else { index = end; break }
                    start = next
                }
                // Most chains (times, prices, short order numbers) are too short for either type.
                guard total >= shortest else { continue }
                let chain = UnsafeBufferPointer(start: groups, count: groupCount)
                if let phone, total >= phoneShortest { phoneChains(chain, phone, emit) }
                if let digits, total >= digits.minLength { digitChains(chain, digits, emit) }
            }
        }
    }

    /// Bit 7 of each byte of the result is set where that byte of `word` is an ASCII digit, and
    /// no other bit is set. Exact for every byte: the per-byte sums cannot carry into the next byte.
    @inline(__always)
    static func digitMask(_ word: UInt64) -> UInt64 {
        let x = UInt64(littleEndian: word) ^ 0x3030_3030_3030_3030 // a digit becomes 0...9
        // Bit 7 of (low seven bits + 0x76) is set when they are >= 10; bit 7 of x when x >= 0x80.
        let notDigit = ((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | x
        return ~notDigit & 0x8080_8080_8080_8080
    }

    /// Whether any of the eight bytes of `word` is an ASCII digit.
    @inline(__always)
    static func hasDigit(_ word: UInt64) -> Bool { digitMask(word) != 0 }

    /// The end of the digit group starting at `start`.
    @inline(__always)
    private func digitEnd(from start: Int, base: UnsafePointer<UInt8>) -> Int {
        var end = start
        while end + 8 <= text.count {
            let notDigit = ~Candidates.digitMask(UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)) & 0x8080_8080_8080_8080
            if notDigit != 0 { return end + notDigit.trailingZeroBitCount >> 3 }
            end += 8
        }
        while end < text.count && Normaliser.isDigit(text[end]) { end += 1 }
        return end
    }

    /// Between two digit groups of one number: up to three of space, tab, `-`, `.`, `(`, `)`, `/`,
    /// and at most one line break.
    @inline(__always)
    private func gapEnd(after end: Int, limit: Int) -> Int? {
        var index = end
        var breaks = 0
        while index < limit && index - end < 4 {
            let b = text[index]
            if Normaliser.isDigit(b) { return index > end ? index : nil }
            if b == 10 { breaks += 1; if breaks > 1 { return nil } } else if !(b == 32 || b == 9 || b == 45 || b == 46 || b == 40 || b == 41 || b == 47 || b == 13) { return nil }
            index += 1
        }
        return nil
    }

    /// The `k`th digit of the groups from `first` on (`k` below their digit count).
    @inline(__always)
    private func digit(_ k: Int, of groups: UnsafeBufferPointer<Range<Int>>, from first: Int) -> UInt8 {
        var k = k, group = first
        while k >= groups[group].count {
            k -= groups[group].count
            group += 1
        }
        return text[groups[group].lowerBound + k]
    }

    /// The groups `first...last` as one run of digits, in `scratch`.
    private mutating func copyDigits(_ groups: UnsafeBufferPointer<Range<Int>>, _ first: Int, _ last: Int) {
        scratch.removeAll(keepingCapacity: true)
        for group in first...last { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: text[groups[group]])) }
    }

    /// Account and customer numbers: every run of consecutive groups with as many digits as an
    /// indexed value can have.
    private mutating func digitChains(_ groups: UnsafeBufferPointer<Range<Int>>, _ limits: TypeLimits, _ emit: TypedEmit) {
        for first in groups.indices {
            var digits = 0
            for last in first..<groups.count {
                digits += groups[last].count
                if digits > limits.maxLength { break }
                if digits < limits.minLength { continue }
                copyDigits(groups, first, last)
                let span = groups[first].lowerBound..<groups[last].upperBound
                scratch.withUnsafeBufferPointer { emit(.digits, span, $0) }
            }
        }
    }

    /// Phone numbers: every run of consecutive groups of 7 to 17 digits (a `+` just before the
    /// first group counts) whose normalised form has the length of an indexed value.
    private mutating func phoneChains(_ groups: UnsafeBufferPointer<Range<Int>>, _ limits: TypeLimits, _ emit: TypedEmit) {
        for first in groups.indices {
            let plus = groups[first].lowerBound > 0 && text[groups[first].lowerBound - 1] == 43
            var digits = 0
            for last in first..<groups.count {
                digits += groups[last].count
                if digits > 17 { break }
                // The normalised length is between digits - 4 ("0044 0…" becomes "0…") and digits + 1.
                if digits < 7 || digits + 1 < limits.minLength || digits - 4 > limits.maxLength { continue }
                let length = Candidates.phoneLength(count: digits, plus: plus) { digit($0, of: groups, from: first) }
                guard length >= limits.minLength, length <= limits.maxLength else { continue }
                copyDigits(groups, first, last)
                guard Normaliser.phone(digits: scratch, plus: plus, into: &self.phone),
                      self.phone.count >= limits.minLength, self.phone.count <= limits.maxLength else { continue }
                let span = (plus ? groups[first].lowerBound - 1 : groups[first].lowerBound)..<groups[last].upperBound
                self.phone.withUnsafeBufferPointer { emit(.phone, span, $0) }
            }
        }
    }

    /// The length in bytes of `Normaliser.phone(digits:plus:into:)`'s output for `count` digits,
    /// `digit(k)` giving the `k`th; computed from at most the first five digits.
    @inline(__always)
    static func phoneLength(count: Int, plus: Bool, digit: (Int) -> UInt8) -> Int {
        var start = 0
        var international = plus
        if !plus && count >= 2 && digit(0) == 48 && digit(1) == 48 {
            start = 2
            international = true
        } else if !plus && count == 12 && digit(0) == 52 && digit(1) == 52 {
            international = true
        }
        if international && count - start >= 2 && digit(start) == 52 && digit(start + 1) == 52 {
            var national = start + 2
            if national < count && digit(national) == 48 { national += 1 }
            return 1 + count - national
        }
        return international ? 1 + count - start : count
    }
}
