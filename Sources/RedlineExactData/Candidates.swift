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
    var scratch: [UInt8] = []
    var phone: [UInt8] = []
    private var tokens: [Range<Int>] = []
    private var normals: [[UInt8]] = []

    init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

    typealias Emit = (Range<Int>, UnsafeBufferPointer<UInt8>) -> Void
    /// A candidate with its column type (from a pass that serves several types at once).
    typealias TypedEmit = (ColumnType, Range<Int>, UnsafeBufferPointer<UInt8>) -> Void

    mutating func generate(_ type: ColumnType, in range: Range<Int>, limits: TypeLimits, _ emit: Emit) {
        switch type {
        case .email: emails(in: range, limits, emit)
        case .phone: digitCandidates(phone: limits, digits: nil, in: range) { _, span, normal in emit(span, normal) }
        case .digits: digitCandidates(phone: nil, digits: limits, in: range) { _, span, normal in emit(span, normal) }
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
}
