/// Pieces shared by the kinds that find card data next to a card number (security code, expiry).
enum CardData {
    /// A card number as it opens a candidate: digit groups joined by single spaces or hyphens,
    /// 12–19 digits in all, the last group of three or more (so that an expiry's month after a
    /// card, `4111 1111 1111 1111 04/2029 123`, is not read as the card's last group).
    static let leadingCard = "(?<![0-9][ .\\-])(?:[0-9][ \\-]?){11,18}[0-9](?<=[0-9]{3})"

    /// Where a valid payment card (issuer range, length, Luhn) that opens `match` ends, reading
    /// no further than `limit`: the longest run of leading digit groups that validates.
    static func cardEnd(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>, limit: Int) -> Int? {
        card(text, match, limit: limit)?.end
    }

    /// ``cardEnd(_:_:limit:)`` and whether the card's security code has four digits (an American
    /// Express CID; every other scheme prints three).
    /// A card under 16 digits that a group of the same size continues is a fragment of a longer
    /// number (`6364 9620 2707` in `6364 9620 2707 9093/04/29`), as for ``DetectorKind/paymentCard``.
    static func card(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>, limit: Int) -> (end: Int, fourDigitCode: Bool, digits: Int)? {
        let groups = Grouping.groups(text, match.lowerBound..<limit, member: UKFormats.isDigit, separators: [32, 45])
        var digits: [UInt8] = []
        var found: (end: Int, fourDigitCode: Bool, digits: Int)?
        for (index, group) in groups.enumerated() {
            // The groups of a card touch: one separator byte at most between them.
            if index > 0, group.range.lowerBound - groups[index - 1].range.upperBound > 1 { break }
            // …and that byte is a space or hyphen: a slash ends the card (`4563068743842523/11/31`
            // is not an 18-digit card that happens to pass Luhn, then a code).
            if index > 0, text[group.range.lowerBound - 1] != 32, text[group.range.lowerBound - 1] != 45 { break }
            digits.append(contentsOf: text[group.range])
            if digits.count > 19 { break }
            if digits.count >= 12, Grouping.consistent(groups[0...index]), let scheme = CardSchemes.scheme(of: digits), Checksums.luhn(digits),
               digits.count >= 16 || !Grouping.continues(groups, 0...index) || CardSchemes.isShortLayout(groups[0...index]) {
                found = (group.range.upperBound, scheme == "amex", digits.count)
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
            // A card has 19 digits at most: a longer run is not walked to its start (the check
            // below then sees a digit before `start` and says no).
            while start > 0, match.lowerBound - start < 44, UKFormats.isDigit(text[start - 1]) { start -= 1 }
        }
        guard start < match.lowerBound, !(start > 0 && UKFormats.isAlnum(text[start - 1])) else { return false }
        guard let end = cardEnd(text, start..<match.upperBound, limit: match.upperBound) else { return false }
        return end > match.lowerBound
    }

    /// Whether a card word (card, Visa, debit…) lies within `reach` bytes before `offset`.
    static func cardWordBefore(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int, reach: Int) -> Bool {
        NearbyWords.contains(text, (offset - reach)..<offset, NearbyWords.cardWords)
    }

    /// Whether a card word follows `offset` with only separators and a few small words between
    /// (`04/29 on my visa`, `04/29 (mastercard)`, `11/2027, the debit card`), within 40 bytes.
    /// A sentence end or any other word stops the search (`expires 04/29, then order a new card`).
    static func cardWordAfter(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Bool {
        var index = offset
        let limit = min(text.count, offset + 40)
        while index < limit {
            let byte = text[index]
            if [32, 9, 44, 40, 41, 45, 58].contains(byte) { index += 1; continue }
            guard UKFormats.isLetter(byte) else { return false }
            var end = index
            while end < text.count, UKFormats.isLetter(text[end]) { end += 1 }
            if end < text.count, UKFormats.isDigit(text[end]) || text[end] == 95 { return false }
            let word = text[index..<end].map(NearbyWords.lower)
            if NearbyWords.cardWords.contains(where: { $0.elementsEqual(word) }) { return true }
            guard trailingFillers.contains(where: { $0.elementsEqual(word) }) else { return false }
            index = end
        }
        return false
    }

    /// The small words that may stand between an expiry and the card word after it.
    static let trailingFillers = NearbyWords.list(["on", "my", "your", "the", "this", "that", "for", "of", "a", "is", "it", "its"])

    /// Whether four digits one separator after a card printed in groups of four, the same separator
    /// again, continue a longer number (`6706 7944 8910 9047` is not a 12-digit card and a code).
    static func continuesInFours(_ text: UnsafeBufferPointer<UInt8>, cardEnd: Int, next: Range<Int>) -> Bool {
        next.lowerBound - cardEnd == 1 && next.count == 4 && cardEnd >= 5 && !UKFormats.isDigit(text[cardEnd - 5]) && text[cardEnd - 5] == text[cardEnd]
    }

    /// Whether a security code (three or four digits, then no further digit) follows `offset`
    /// after one or two separators (`04/2029/123`, `0429 123`).
    static func codeFollows(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Bool {
        var index = offset
        while index < text.count, index - offset < 2, [32, 47, 44, 59].contains(text[index]) { index += 1 }
        guard index > offset else { return false }
        var end = index
        while end < text.count, UKFormats.isDigit(text[end]) { end += 1 }
        return (3...4).contains(end - index) && !(end < text.count && (UKFormats.isLetter(text[end]) || text[end] == 95))
    }

    /// The words in a card's trailing run that name a security code (`card … cvv 1234`).
    static let codeWords = NearbyWords.list(["cvv", "cvv2", "cvc", "cvc2", "csc", "cid", "security", "code"])
}
