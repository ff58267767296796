/// Letters typed for digits (`O` or `o` for 0, `I` or `l` for 1) inside a number already shaped
/// like a card or a NI number (`4111 1111 1lll 1111`, `JG1O3755A`). The scanner folds them in a copy
/// of the text (same length, so offsets do not move) and runs the card and NINO detectors again
/// only around the folded letters; a detection counts only if it holds a folded letter and
/// validates (Luhn, NINO rules), so ordinary words are never read as numbers.
enum LookalikeDigits {
    /// Kinds given the second pass.
    static let kinds: Set<String> = ["payment_card", "uk_nino"]

    @inline(__always) static func digit(for byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "O"), UInt8(ascii: "o"): return UInt8(ascii: "0")
        case UInt8(ascii: "I"), UInt8(ascii: "l"): return UInt8(ascii: "1")
        default: return nil
        }
    }

    /// The gap bytes allowed between the groups of a number on one line.
    @inline(__always) static func isGap(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 45 || byte == 46 || byte == 47 || byte == 95
    }

    /// Whether a look-alike letter touches one of `clusters` (right before or after it, or across
    /// a short gap): the only places the second pass is worth its cost. Clusters are sorted.
    static func touches(_ clusters: [DigitCluster], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        for cluster in clusters where cluster.digits >= 2 {
            var index = cluster.last + 1
            while index < text.count, index - cluster.last <= 4, isGap(text[index]) { index += 1 }
            if index < text.count, digit(for: text[index]) != nil { return true }
            index = cluster.first - 1
            while index >= 0, cluster.first - index <= 4, isGap(text[index]) { index -= 1 }
            if index >= 0, digit(for: text[index]) != nil { return true }
        }
        return false
    }

    /// A copy of `text` with the look-alike letters of number-shaped words folded, and the offsets
    /// folded; nil when there are none. A word (ASCII letters and digits) is folded when it holds
    /// only digits and look-alikes with at least one digit, or only look-alikes (two or more)
    /// between such words on the same line; or when it is NINO-shaped: two letters, six digits or
    /// look-alikes with at least one digit, and an optional suffix letter.
    static func fold(_ text: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], folded: [Int])? {
        var words: [(range: Range<Int>, digits: Int, lookalikes: Int, others: Int)] = []
        var index = 0
        let count = text.count
        while index < count {
            guard UKFormats.isAlnum(text[index]) else { index += 1; continue }
            let start = index
            var digits = 0, lookalikes = 0, others = 0
            while index < count, UKFormats.isAlnum(text[index]) {
                if UKFormats.isDigit(text[index]) { digits += 1 } else if digit(for: text[index]) != nil { lookalikes += 1 } else { others += 1 }
                index += 1
            }
            if lookalikes > 0 || digits > 0 { words.append((start..<index, digits, lookalikes, others)) }
        }
        var bytes: [UInt8]?
        var folded: [Int] = []
        func foldRange(_ range: Range<Int>) {
            if bytes == nil { bytes = Array(text) }
            for position in range {
                if let replacement = digit(for: text[position]) {
                    bytes![position] = replacement
                    folded.append(position)
                }
            }
        }
        func joined(_ left: Int, _ right: Int) -> Bool {
            guard left >= 0, right < words.count else { return false }
            let gap = words[left].range.upperBound..<words[right].range.lowerBound
            return gap.count <= 4 && gap.allSatisfy { isGap(text[$0]) }
        }
        for (position, word) in words.enumerated() where word.lookalikes > 0 {
            if word.others == 0 && word.digits > 0 {
                foldRange(word.range)
            } else if word.others == 0 && word.lookalikes >= 2 {
                let left = position > 0 && joined(position - 1, position) && words[position - 1].others == 0 && words[position - 1].digits > 0
                let right = joined(position, position + 1) && words[position + 1].others == 0 && words[position + 1].digits > 0
                if left || right { foldRange(word.range) }
            } else if word.range.count == 8 || word.range.count == 9, word.digits > 0 {
                let start = word.range.lowerBound
                let middle = (start + 2)..<(start + 8)
                guard UKFormats.isLetter(text[start]), UKFormats.isLetter(text[start + 1]),
                      middle.allSatisfy({ UKFormats.isDigit(text[$0]) || digit(for: text[$0]) != nil }),
                      word.range.count == 8 || UKFormats.isLetter(text[start + 8]) else { continue }
                foldRange(middle)
            }
        }
        guard let bytes, !folded.isEmpty else { return nil }
        return (bytes, folded)
    }
}
