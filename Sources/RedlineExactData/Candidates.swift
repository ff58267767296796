#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Limits that bound candidate generation for one column type (from the index's column table).
struct TypeLimits {
    var maxTokens = 1
    var minLength = Int.max
    var maxLength = 0
}

/// Cuts the candidate values of one column type out of text and normalises them exactly as the
/// builder normalised cells (``Normaliser``). Each candidate is handed to `emit` with its byte
/// range in the text; nothing is kept.
struct Candidates {
    let text: UnsafeBufferPointer<UInt8>
    private var scratch: [UInt8] = []
    private var phone: [UInt8] = []
    private var tokens: [Range<Int>] = []
    private var normals: [[UInt8]] = []

    init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

    typealias Emit = (Range<Int>, UnsafeBufferPointer<UInt8>) -> Void

    mutating func generate(_ type: ColumnType, in range: Range<Int>, limits: TypeLimits, _ emit: Emit) {
        switch type {
        case .email: emails(in: range, limits, emit)
        case .phone, .digits: digitRuns(type, in: range, limits, emit)
        case .name, .text: sequences(type, in: range, limits, emit)
        case .postcode: postcodes(in: range, emit)
        case .date: dates(in: range, emit)
        }
    }

    // MARK: - Tokens

    /// Whitespace-separated tokens of `range`, widened to whole tokens.
    private mutating func tokenise(_ range: Range<Int>) {
        tokens.removeAll(keepingCapacity: true)
        var lo = range.lowerBound, hi = range.upperBound
        while lo > 0 && !Normaliser.isSpace(text[lo - 1]) { lo -= 1 }
        while hi < text.count && !Normaliser.isSpace(text[hi]) { hi += 1 }
        var index = lo
        while index < hi {
            while index < hi && Normaliser.isSpace(text[index]) { index += 1 }
            let start = index
            while index < hi && !Normaliser.isSpace(text[index]) { index += 1 }
            if index > start { tokens.append(start..<index) }
        }
    }

    /// The token without leading and trailing ASCII punctuation (the part a span covers).
    private func trimmed(_ token: Range<Int>) -> Range<Int> {
        var lo = token.lowerBound, hi = token.upperBound
        while lo < hi && !Normaliser.isWordByte(text[lo]) { lo += 1 }
        while hi > lo && !Normaliser.isWordByte(text[hi - 1]) { hi -= 1 }
        return lo < hi ? lo..<hi : token
    }

    private func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { ArraySlice(UnsafeBufferPointer(rebasing: text[range])) }

    /// Names and free text: every run of 1…maxTokens tokens (tokens that normalise to nothing are
    /// skipped; a name does not start at a title).
    private mutating func sequences(_ type: ColumnType, in range: Range<Int>, _ limits: TypeLimits, _ emit: Emit) {
        guard limits.maxTokens > 0 else { return }
        tokenise(range)
        normals.removeAll(keepingCapacity: true)
        for token in tokens {
            normals.append(type == .name ? Normaliser.nameToken(slice(token)) : Normaliser.textToken(slice(token)))
        }
        for start in tokens.indices {
            let first = normals[start]
            if first.isEmpty || (type == .name && Normaliser.isTitle(first)) { continue }
            scratch.removeAll(keepingCapacity: true)
            var count = 0
            var index = start
            while index < tokens.count && count < limits.maxTokens {
                let normal = normals[index]
                if !normal.isEmpty {
                    if count > 0 { scratch.append(32) }
                    scratch.append(contentsOf: normal)
                    count += 1
                    if scratch.count > limits.maxLength { break }
                    if scratch.count >= limits.minLength {
                        let span = trimmed(tokens[start]).lowerBound..<trimmed(tokens[index]).upperBound
                        scratch.withUnsafeBufferPointer { emit(span, $0) }
                    }
                }
                index += 1
            }
        }
    }

    private mutating func dates(in range: Range<Int>, _ emit: Emit) {
        tokenise(range)
        for start in tokens.indices {
            let first = Normaliser.textToken(slice(tokens[start]))
            guard Normaliser.mayStartDate(first) else { continue }
            if let date = Normaliser.date([first]) {
                date.withUnsafeBufferPointer { emit(trimmed(tokens[start]), $0) }
            } else if start + 2 < tokens.count {
                let parts = [first, Normaliser.textToken(slice(tokens[start + 1])), Normaliser.textToken(slice(tokens[start + 2]))]
                if let date = Normaliser.date(parts) {
                    date.withUnsafeBufferPointer { emit(trimmed(tokens[start]).lowerBound..<trimmed(tokens[start + 2]).upperBound, $0) }
                }
            }
        }
    }

    private mutating func postcodes(in range: Range<Int>, _ emit: Emit) {
        tokenise(range)
        for index in tokens.indices {
            let first = trimmed(tokens[index])
            if first.count >= 5 && first.count <= 7, let code = Normaliser.postcode(slice(first).map(Normaliser.upper)) {
                code.withUnsafeBufferPointer { emit(first, $0) }
            }
            if first.count >= 2 && first.count <= 4 && index + 1 < tokens.count {
                let second = trimmed(tokens[index + 1])
                guard second.count == 3, let code = Normaliser.postcode((slice(first) + slice(second)).map(Normaliser.upper)) else { continue }
                code.withUnsafeBufferPointer { emit(first.lowerBound..<second.upperBound, $0) }
            }
        }
    }

    // MARK: - E-mail

    @inline(__always) private static func isLocal(_ b: UInt8) -> Bool {
        Normaliser.isAlnum(b) || b == 46 || b == 95 || b == 37 || b == 43 || b == 45 || b == 39
    }
    @inline(__always) private static func isDomain(_ b: UInt8) -> Bool { Normaliser.isAlnum(b) || b == 46 || b == 45 }

    private mutating func emails(in range: Range<Int>, _ limits: TypeLimits, _ emit: Emit) {
        guard let base = text.baseAddress else { return }
        var from = range.lowerBound
        while from < range.upperBound {
            guard let found = memchr(base + from, 64, range.upperBound - from) else { return }
            let at = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            from = at + 1
            var lo = at, hi = at + 1
            while lo > 0 && Candidates.isLocal(text[lo - 1]) { lo -= 1 }
            while lo < at && text[lo] == 46 { lo += 1 }
            while hi < text.count && Candidates.isDomain(text[hi]) { hi += 1 }
            while hi > at + 1 && (text[hi - 1] == 46 || text[hi - 1] == 45) { hi -= 1 }
            guard lo < at, hi > at + 1, hi - lo >= limits.minLength, hi - lo <= limits.maxLength else { continue }
            scratch.removeAll(keepingCapacity: true)
            for index in lo..<hi { scratch.append(Normaliser.lower(text[index])) }
            scratch.withUnsafeBufferPointer { emit(lo..<hi, $0) }
        }
    }

    // MARK: - Digits and phone numbers

    /// Between two digit groups of one number: up to three of space, tab, `-`, `.`, `(`, `)`, `/`,
    /// and at most one line break.
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

    private mutating func digitRuns(_ type: ColumnType, in range: Range<Int>, _ limits: TypeLimits, _ emit: Emit) {
        guard limits.maxLength > 0 else { return }
        // At most 12 groups per chain, in a buffer reused for every run (no array reset per run).
        var groups = [Range<Int>](repeating: 0..<0, count: 12)
        var groupCount = 0
        var index = range.lowerBound
        while index > 0 && Normaliser.isDigit(text[index - 1]) { index -= 1 }
        let limit = text.count
        guard let base = text.baseAddress else { return }
        while index < range.upperBound {
            // Eight bytes at a time while none of them is a digit.
            while index + 8 <= range.upperBound,
                  !Candidates.hasDigit(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index += 8
            }
            guard index < range.upperBound else { break }
            guard Normaliser.isDigit(text[index]) else { index += 1; continue }
            groupCount = 0
            var start = index
            while true {
                var end = start
                while end < limit && Normaliser.isDigit(text[end]) { end += 1 }
                groups[groupCount] = start..<end
                groupCount += 1
                guard groupCount < 12, let next = gapEnd(after: end, limit: limit) else { index = end; break }
                start = next
            }
            chains(type, groups[0..<groupCount], limits, emit)
        }
    }

    /// Whether any of the eight bytes of `word` is an ASCII digit (exact: the "has a byte less
    /// than 10" test on the word xor '0'; its borrows can only miscount, never miss one).
    @inline(__always)
    static func hasDigit(_ word: UInt64) -> Bool {
        let x = word ^ 0x3030_3030_3030_3030
        return (x &- 0x0A0A_0A0A_0A0A_0A0A) & ~x & 0x8080_8080_8080_8080 != 0
    }

    private mutating func chains(_ type: ColumnType, _ groups: ArraySlice<Range<Int>>, _ limits: TypeLimits, _ emit: Emit) {
        let maxDigits = type == .phone ? 17 : limits.maxLength
        // Fewer digits than this are never emitted: the digits are only copied out from here on.
        let minDigits = type == .phone ? 7 : limits.minLength
        for first in groups.indices {
            let plus = groups[first].lowerBound > 0 && text[groups[first].lowerBound - 1] == 43
            var digits = 0
            for last in first..<groups.count {
                digits += groups[last].count
                if digits > maxDigits { break }
                if digits < minDigits { continue }
                scratch.removeAll(keepingCapacity: true)
                for group in groups[first...last] {
                    for offset in group { scratch.append(text[offset]) }
                }
                let span = (plus ? groups[first].lowerBound - 1 : groups[first].lowerBound)..<groups[last].upperBound
                if type == .digits {
                    if scratch.count >= limits.minLength { scratch.withUnsafeBufferPointer { emit(span, $0) } }
                } else if scratch.count >= 7, Normaliser.phone(digits: scratch, plus: plus, into: &phone),
                          phone.count >= limits.minLength, phone.count <= limits.maxLength {
                    phone.withUnsafeBufferPointer { emit(span, $0) }
                }
            }
        }
    }
}
