/// Pieces shared by the kinds that find card data next to a card number (security code, expiry).
enum CardData {
    /// A card number as it opens a candidate: digit groups joined by single spaces or hyphens,
    /// 12–19 digits in all.
    static let leadingCard = "(?<![0-9][ .\\-])(?:[0-9][ \\-]?){11,18}[0-9]"

    /// Where a valid payment card (issuer range, length, Luhn) that opens `match` ends, reading
    /// no further than `limit`: the longest run of leading digit groups that validates.
    static func cardEnd(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>, limit: Int) -> Int? {
        let groups = Grouping.groups(text, match.lowerBound..<limit, member: UKFormats.isDigit, separators: [32, 45])
        var digits: [UInt8] = []
        var found: Int?
        for (index, group) in groups.enumerated() {
            // The groups of a card touch: one separator byte at most between them.
            if index > 0, group.range.lowerBound - groups[index - 1].range.upperBound > 1 { break }
            digits.append(contentsOf: text[group.range])
            if digits.count > 19 { break }
            if digits.count >= 12, Grouping.consistent(groups[0...index]), CardSchemes.scheme(of: digits) != nil, Checksums.luhn(digits) {
                found = group.range.upperBound
            }
        }
        return found
    }

    /// Whether a valid card number starts before `match` (in the digit groups joined by single
    /// spaces or hyphens that run into it) and ends inside it.
    static func cardOverlaps(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>) -> Bool {
        var start = match.lowerBound
        while start >= 2, start > match.lowerBound - 24, text[start - 1] == 32 || text[start - 1] == 45, UKFormats.isDigit(text[start - 2]) {
            start -= 2
            while start > 0, UKFormats.isDigit(text[start - 1]) { start -= 1 }
        }
        guard start < match.lowerBound, !(start > 0 && UKFormats.isAlnum(text[start - 1])) else { return false }
        guard let end = cardEnd(text, start..<match.upperBound, limit: match.upperBound) else { return false }
        return end > match.lowerBound
    }

    /// Whether a card word (card, Visa, debit…) lies within `reach` bytes before `offset`.
    static func cardWordBefore(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int, reach: Int) -> Bool {
        NearbyWords.contains(text, (offset - reach)..<offset, NearbyWords.cardWords)
    }
}
