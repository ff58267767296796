/// Letters typed for digits (`O` or `o` for 0, `I` or `l` for 1) inside a number already shaped
/// like a card or a NI number (`4111 1111 1lll 1111`, `JG1O3755A`). The scanner folds them in a copy
/// of the text (same length, so offsets do not move) and runs the card and NINO detectors again
/// only around the folded letters; a detection counts only if it holds a folded letter and
/// validates (Luhn, NINO rules), so ordinary words are never read as numbers.
///
/// Cost: only the words right beside a digit cluster (see ``DigitClusters``) are looked at, and
/// the text is copied only when one of them is a number-shaped word holding a look-alike.
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

    /// The folded copy of `text` and the folded offsets (sorted), or nil when no word beside a
    /// cluster of `clusters` qualifies. A word (ASCII letters and digits) is folded when it holds
    /// only digits and look-alikes with at least one digit (`111l`), or only look-alikes, two or
    /// more, right beside a cluster (`4111 OOOO`); or when it is NINO-shaped: two letters, six
    /// digits or look-alikes, an optional suffix letter (`JG1O3755A`).
    static func fold(_ text: UnsafeBufferPointer<UInt8>, _ clusters: [DigitCluster]) -> (bytes: [UInt8], folded: [Int])? {
        fold(text, clusters, at: clusters.indices)
    }

    /// ``fold(_:_:)`` over the clusters at `indices` only (in order): the same result when they
    /// include every cluster ``hasLookalikeBeside(_:_:)`` holds for (no other cluster folds anything).
    static func fold<Indices: Sequence<Int>>(_ text: UnsafeBufferPointer<UInt8>, _ clusters: [DigitCluster],
                                             at indices: Indices) -> (bytes: [UInt8], folded: [Int])? {
        var bytes: [UInt8]?
        var folded: [Int] = []
        var lastWordEnd = -1
        func consider(_ position: Int, besideCluster: Bool) {
            guard position >= lastWordEnd, digit(for: text[position]) != nil else { return }
            var start = position
            while start > 0, UKFormats.isAlnum(text[start - 1]) { start -= 1 }
            var end = position
            while end < text.count, UKFormats.isAlnum(text[end]) { end += 1 }
            lastWordEnd = end
            var digits = 0, lookalikes = 0, others = 0
            for index in start..<end {
                if UKFormats.isDigit(text[index]) { digits += 1 } else if digit(for: text[index]) != nil { lookalikes += 1 } else { others += 1 }
            }
            var range: Range<Int>?
            if others == 0 && (digits > 0 || (besideCluster && lookalikes >= 2)) {
                range = start..<end
            } else if end - start == 8 || end - start == 9, digits > 0, UKFormats.isLetter(text[start]), UKFormats.isLetter(text[start + 1]),
                      ((start + 2)..<(start + 8)).allSatisfy({ UKFormats.isDigit(text[$0]) || digit(for: text[$0]) != nil }),
                      end - start == 8 || UKFormats.isLetter(text[start + 8]) {
                range = (start + 2)..<(start + 8)
            }
            guard let range else { return }
            for index in range {
                guard let replacement = digit(for: text[index]) else { continue }
                if bytes == nil { bytes = Array(text) }
                bytes![index] = replacement
                folded.append(index)
            }
        }
        for clusterIndex in indices {
            let cluster = clusters[clusterIndex]
            // Right before the cluster and right after it (across a short gap), in text order.
            var index = cluster.first - 1
            while index >= 0, cluster.first - index <= 4, isGap(text[index]) { index -= 1 }
            if index >= 0, digit(for: text[index]) != nil { consider(index, besideCluster: index < cluster.first - 1) }
            index = cluster.last + 1
            while index < text.count, index - cluster.last <= 4, isGap(text[index]) { index += 1 }
            if index < text.count, digit(for: text[index]) != nil { consider(index, besideCluster: index > cluster.last + 1) }
        }
        guard let bytes, !folded.isEmpty else { return nil }
        folded.sort()
        return (bytes, folded)
    }

    /// Whether a look-alike stands right before or right after the cluster (across up to four gap
    /// bytes): the only clusters ``fold(_:_:)`` looks at further.
    @inline(__always)
    static func hasLookalikeBeside(_ text: UnsafeBufferPointer<UInt8>, _ cluster: DigitCluster) -> Bool {
        var index = cluster.first - 1
        while index >= 0, cluster.first - index <= 4, isGap(text[index]) { index -= 1 }
        if index >= 0, digit(for: text[index]) != nil { return true }
        index = cluster.last + 1
        while index < text.count, index - cluster.last <= 4, isGap(text[index]) { index += 1 }
        return index < text.count && digit(for: text[index]) != nil
    }
}
