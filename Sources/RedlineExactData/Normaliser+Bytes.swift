extension Normaliser {
    /// ``normalise(_:as:)`` of a cell given as bytes, into a reused buffer (the builder's path).
    /// Returns false where that returns nil. A pure-ASCII cell (the common case) is normalised
    /// here without allocating: ``ScanText`` leaves ASCII unchanged, so the byte rules below are
    /// the same rules as the String path's, token by token. Any other cell takes the String path.
    public static func normalise(_ cell: UnsafeBufferPointer<UInt8>, as type: ColumnType,
                                 into out: inout [UInt8], scratch: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        guard isASCII(cell) else {
            guard let normal = normalise(String(decoding: cell, as: UTF8.self), as: type) else { return false }
            out.append(contentsOf: normal)
            return true
        }
        switch type {
        case .name, .text:
            var started = false
            forEachToken(cell) { token in
                let mark = out.count
                if started { out.append(32) }
                let first = out.count
                if type == .name {
                    for index in token where isAlnum(cell[index]) { out.append(lower(cell[index])) }
                } else {
                    var lo = token.lowerBound, hi = token.upperBound
                    while lo < hi, !isAlnum(cell[lo]) { lo += 1 }
                    while hi > lo, !isAlnum(cell[hi - 1]) { hi -= 1 }
                    for index in lo..<hi { out.append(lower(cell[index])) }
                }
                if out.count == first || (type == .name && !started && isTitle(out[first...])) {
                    out.removeSubrange(mark...)
                    return
                }
                started = true
            }
            return started
        case .email:
            var at = false
            forEachToken(cell) { token in
                if !out.isEmpty { out.append(32) }
                for index in token {
                    if cell[index] == 64 { at = true }
                    out.append(lower(cell[index]))
                }
            }
            return at
        case .phone:
            scratch.removeAll(keepingCapacity: true)
            var plus: Bool?
            for byte in cell {
                if plus == nil && !isSpace(byte) { plus = byte == 43 }
                if isDigit(byte) { scratch.append(byte) }
            }
            guard plus != nil else { return false }
            return phone(digits: scratch, plus: plus ?? false, into: &out)
        case .postcode:
            scratch.removeAll(keepingCapacity: true)
            for byte in cell where !isSpace(byte) {
                guard scratch.count < 8 else { return false }
                scratch.append(upper(byte))
            }
            guard let code = postcode(scratch) else { return false }
            out.append(contentsOf: code)
            return true
        case .date:
            var parts: [[UInt8]] = []
            forEachToken(cell) { token in
                let part = textToken(ArraySlice(UnsafeBufferPointer(rebasing: cell[token])))
                if !part.isEmpty { parts.append(part) }
            }
            guard let date = date(parts) else { return false }
            out.append(contentsOf: date)
            return true
        case .digits:
            for byte in cell where isDigit(byte) { out.append(byte) }
            return !out.isEmpty
        }
    }

    /// Whether every byte is ASCII (eight bytes at a time).
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            if UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Whether an ASCII cell is only whitespace (what `Character.isWhitespace` says of ASCII).
    static func isBlankASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { bytes.allSatisfy(isSpace) }

    /// Calls `body` with each whitespace-separated token's range, in order.
    @inline(__always)
    static func forEachToken(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var index = 0
        let count = bytes.count
        while index < count {
            while index < count && isSpace(bytes[index]) { index += 1 }
            let start = index
            while index < count && !isSpace(bytes[index]) { index += 1 }
            if index > start { body(start..<index) }
        }
    }

    /// ``isTitle(_:)`` of a slice, without copying it.
    static func isTitle(_ normal: ArraySlice<UInt8>) -> Bool {
        normal.count <= 4 && titleList.contains { $0.elementsEqual(normal) }
    }

    static let titleList: [[UInt8]] = Array(titles)
}
