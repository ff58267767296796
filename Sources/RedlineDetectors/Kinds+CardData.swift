import RedlineCore

extension DetectorKind {
    /// Card security codes (CVV2, CVC2, CID): 3–4 digits right after their keyword (typed apart,
    /// `cvv: 1 2 3`, too), or right after
    /// a valid card number in the same sentence (an expiry may stand between; four digits only
    /// after an American Express card). PCI DSS forbids storing or sending them at all.
    public static let cardSecurityCode = DetectorKind(
        id: "card_security_code",
        summary: "Card security code (CVV/CVC/CVV2/CID): 3–4 digits next to its keyword (also one by one with single spaces: `cvv 1 2 3`), or right after a valid card number in the same sentence (an expiry may stand between): three digits, four only after an American Express card.",
        source: .pattern("(?:" + Pattern.notAfterWord + SecurityCode.keyword + "(?![A-Za-z])" + SecurityCode.keywordGap
                         + "(?<![0-9])(?:" + SecurityCode.spaced + "|[0-9]{3,4})"
                         + "|" + Pattern.notAfterWord + CardData.leadingCard + SecurityCode.cardGap + "(?<![0-9])[0-9]{3,4})"
                         + Pattern.notBeforeWord + "(?![.,/\\-][0-9])", []),
        refine: { text, match in
            // The code is the last three or four digits of the candidate.
            var start = match.upperBound
            while start > match.lowerBound, UKFormats.isDigit(text[start - 1]) { start -= 1 }
            if UKFormats.isLetter(text[match.lowerBound]) {
                // After a keyword the digits may stand apart (`cvv 1 2 3`): the gap holds no digit,
                // so every single-spaced digit before the last belongs to the code.
                if match.upperBound - start == 1 {
                    while start - 2 > match.lowerBound, text[start - 1] == 32, UKFormats.isDigit(text[start - 2]),
                          !UKFormats.isLetter(text[start - 3]) { start -= 2 }
                }
                let value = text[start..<match.upperBound].filter(UKFormats.isDigit)
                guard (3...4).contains(value.count) else { return [] }
                return [Refined(range: start..<match.upperBound, value: value, confidence: .high)]
            }
            guard (3...4).contains(match.upperBound - start) else { return [] }
            let value = Array(text[start..<match.upperBound])
            guard let card = CardData.card(text, match, limit: start), card.end < start,
                  !CardData.continuesInFours(text, cardEnd: card.end, next: start..<match.upperBound) else { return [] }
            // Only an American Express CID has four digits: four digits after another card are not
            // its code (they are its expiry, `4111111111111111/0429`) unless a code word names them.
            if value.count == 4, !card.fourDigitCode, !NearbyWords.contains(text, card.end..<start, CardData.codeWords) { return [] }
            return [Refined(range: start..<match.upperBound, value: value, confidence: .medium)]
        },
        defaultKeywords: ["cvv", "cvc", "cvv2", "cvc2", "security code", "card", "visa", "mastercard", "amex", "debit", "credit"],
        requiresContextByDefault: false,
        defaultLabel: "[SECURITY CODE]",
        maskKeepsLastDigits: 0,
        matchExamples: ["CVV: 123", "the cvv2 is 4821", "security code on the back is 517", "Card 4111 1111 1111 1111 exp 12/27 cvc 123",
                        "4111111111111111 123", "card 5555 5555 5555 4444, 09/28, 731", "CID 1234", "card verification code 882",
                        "card 4111111111111111/04/29/123", "amex 378282246310005/0429", "card 4111111111111111 cvv 1234", "cvv: 1 2 3", "CVV 1 2 3 4"],
        noMatchExamples: ["CVV policy updated", "security code 12", "cvv 12345", "order 4111 1111 1111 1112 123",
                          "card 4111 1111 1111 1111. Order 123 shipped", "code 123", "cid:image001.png@01DA", "CVV 123.45",
                          "Your order 6706 7944 8910 9047 has shipped", "card 4111111111111111/0429", "card 4111111111111111 04/29/2025",
                          "pick 1 2 3 from the list", "card 4111 1111 1111 1111 then 1 2 3", "cvv 1 2", "cvv 1 2 3 4 5", "cvv2 1 2"]
    )

    /// Card expiry dates (`04/29`, `04/2029`, `exp 0429`) next to their keyword or right after a
    /// valid card number (`4111111111111111/0429`, `…/04/2029/123`).
    public static let cardExpiry = DetectorKind(
        id: "card_expiry",
        summary: "Card expiry date (MM/YY, MM/YYYY, MMYY) next to its keyword (exp, expiry, valid thru; expires / expiring / valid until only with a card word before, or just after the date: `expires 04/29 on my visa`), or right after a valid card number; a compact MMYY right after an American Express card only with a code after it (else it is the four-digit CID).",
        source: .pattern("(?:" + Pattern.notAfterWord + Expiry.keyword + "(?![A-Za-z])" + Expiry.keywordGap + "(?:" + Expiry.slashed + "|" + Expiry.compact + ")"
                         + "|" + Pattern.notAfterWord + CardData.leadingCard + Expiry.cardGap + "(?:" + Expiry.slashed + "|" + Expiry.compact + "))"
                         + Pattern.notBeforeWord + "(?:(?![./\\-][0-9])|(?=/[0-9]{3,4}(?![0-9])))", []),
        refine: { text, match in
            guard var date = Expiry.date(text, match), !Expiry.isFullDate(text, date) else { return [] }
            var value = Array(text[date]).filter(UKFormats.isDigit)
            if UKFormats.isLetter(text[match.lowerBound]) {
                if Expiry.isWeakKeyword(text, match.lowerBound), !CardData.cardWordBefore(text, match.lowerBound, reach: 80),
                   !CardData.cardWordAfter(text, date.upperBound) { return [] }
                return [Refined(range: date, value: value, confidence: .high)]
            }
            guard let card = CardData.card(text, match, limit: date.lowerBound), card.end < date.lowerBound else { return [] }
            // The pattern's card may run on into the next group (`378282246310005 0429 1234` read as
            // 19 digits, then `1234`): when that group is a compact date, it is the expiry.
            if let first = (card.end..<date.lowerBound).first(where: { UKFormats.isDigit(text[$0]) }) {
                var end = first
                while end < text.count, UKFormats.isDigit(text[end]) { end += 1 }
                if end - first == 4 || end - first == 6, end == text.count || !UKFormats.isLetter(text[end]),
                   let compact = Expiry.date(text, first..<end) {
                    date = compact
                    value = Array(text[compact])
                }
            }
            if value.count == date.count {
                // A compact `MMYY` right after a card: not the fourth group of a number printed in fours,
                // and after an American Express card (whose CID has four digits) only with a code after it.
                if card.digits < 16, CardData.continuesInFours(text, cardEnd: card.end, next: date) { return [] }
                if card.fourDigitCode, date.count == 4, !CardData.codeFollows(text, date.upperBound) { return [] }
            }
            return [Refined(range: date, value: value, confidence: .medium)]
        },
        defaultKeywords: ["expiry", "exp", "expires", "valid thru", "card", "visa", "mastercard", "amex", "debit", "credit"],
        requiresContextByDefault: false,
        defaultLabel: "[CARD EXPIRY]",
        maskKeepsLastDigits: 0,
        matchExamples: ["expiry 04/29", "Exp: 04/2029", "exp 0429", "card 4111 1111 1111 1111 04/29", "valid thru 11/27",
                        "Card expires 12/26", "4111111111111111, 09/2028, cvv 123", "expiry date: 3/28", "card 4111111111111111/04/29",
                        "card 4111111111111111/0429", "card 4111111111111111/04/2029/123", "amex 378282246310005/0429/1234",
                        "visa ending 1111 expiring 04/29", "expires 04/29 on my visa", "exp 04/29 (mastercard)"],
        noMatchExamples: ["expires 12/03/2024", "Your voucher expires 04/29", "exp 13/29", "order 4111 1111 1111 1112 04/29",
                          "expiry 04/29/2025", "delivered 04/29", "exp 1329", "expiry 04/295",
                          "amex 378282246310005/0429", "card 4111111111111111 1399", "card 4111111111111111 04/29/2025",
                          "offer expiring 04/29", "delivery expires 04/29", "your voucher expires 04/29, then order a new card"]
    )
}

/// The security code's keyword and the words allowed between it and the code.
enum SecurityCode {
    static let keyword = "(?:" + Pattern.ci(["cvv", "cvc"]) + "2?|" + Pattern.ci(["cvn", "csc", "cid"]) + "|" + Pattern.ci("sec") + "(?:" + Pattern.ci("urity") + ")? "
        + Pattern.ci(["code", "number", "no"]) + "|" + Pattern.ci("card verification") + "(?: " + Pattern.ci(["value", "code", "number"]) + ")?)"
    /// A code typed digit by digit with single spaces (`1 2 3`, `1 2 3 4`), no further spaced digit after.
    /// Not after a letter: the `2` of `cvv2 1 2` is no digit of the code.
    static let spaced = "(?<![A-Za-z])[0-9](?: [0-9]){2,3}(?! [0-9])"
    /// Up to ten separators or short filler words (`is`, `number`, `on the back`…): 70 bytes at most.
    static let keywordGap = "(?:[\\s:=#(),\\-]|(?<![A-Za-z])" + Pattern.ci(["is", "was", "number", "no", "num", "code", "of", "the", "on", "back", "reverse", "digits", "it's", "its"])
        + "(?![A-Za-z])){0,10}"
    /// Between a card and its code: separators (a slash too: `card/cvv`), an expiry, and a few
    /// words (exp, cvv…), 1 to 8 of them.
    static let cardGap = "(?:[\\s,;:|()\\-/]|(?<![A-Za-z])" + Pattern.ci(["expiry", "expires", "exp", "valid", "thru", "to", "until", "and", "cvv2", "cvv", "cvc2", "cvc", "csc", "security", "code"])
        + "(?![A-Za-z])\\.?|(?<![0-9])(?:0?[1-9]|1[0-2]) ?/ ?(?:20)?[0-9]{2}(?![0-9])|" + Expiry.compact + "){1,8}"
}

/// The expiry's keyword, the words allowed before the date, and the date forms.
enum Expiry {
    static let keyword = "(?:" + Pattern.ci("exp") + "(?:" + Pattern.ci(["iry", "iration", "ires", "iring"]) + ")?(?: " + Pattern.ci("date") + ")?|" + Pattern.ci("exp") + "\\.(?: ?" + Pattern.ci("date") + ")?|"
        + Pattern.ci("valid") + " " + Pattern.ci(["thru", "through", "until", "till", "to"]) + "|" + Pattern.ci(["good thru", "end date"]) + ")"
    /// Up to six separators or filler words: 24 bytes at most.
    static let keywordGap = "(?:[\\s:=#(),\\-]|(?<![A-Za-z])" + Pattern.ci(["is", "was", "date", "on", "of", "the", "card", "at"]) + "(?![A-Za-z])){0,6}"
    /// Between a card and its expiry: separators (a slash too: `4111111111111111/04/29`) and a few words.
    static let cardGap = "(?:[\\s,;:|()\\-/]|(?<![A-Za-z])" + Pattern.ci(["expiry", "expires", "exp", "valid", "thru", "until", "to", "and", "date"]) + "(?![A-Za-z])\\.?){1,6}"
    static let slashed = "(?<![0-9])(?:0?[1-9]|1[0-2]) ?[/.\\-] ?(?:20)?[0-9]{2}(?![0-9])"
    static let compact = "(?<![0-9])(?:0[1-9]|1[0-2])(?:20)?[0-9]{2}(?![0-9])"

    /// Keywords that also date vouchers and subscriptions: they need a card word before them.
    static let weak: [[UInt8]] = ["expires", "expiring", "expiration", "valid until", "valid till", "valid to", "end date"].map { Array($0.utf8) }

    /// Whether the date at `date` has a two-digit year and a four-digit year after a further slash
    /// (`04/29/2025`: a day in April, not an expiry and a code).
    static func isFullDate(_ text: UnsafeBufferPointer<UInt8>, _ date: Range<Int>) -> Bool {
        guard date.count >= 4, date.upperBound + 5 <= text.count, text[date.upperBound] == 47,
              !UKFormats.isDigit(text[date.upperBound - 3]) else { return false }
        let year = text[(date.upperBound + 1)..<(date.upperBound + 5)]
        return year.allSatisfy(UKFormats.isDigit) && (year.starts(with: [49, 57]) || year.starts(with: [50, 48]))
            && !(date.upperBound + 5 < text.count && UKFormats.isDigit(text[date.upperBound + 5]))
    }

    static func isWeakKeyword(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        weak.contains { word in
            start + word.count <= text.count && word.indices.allSatisfy { (UKFormats.isLetter(text[start + $0]) ? text[start + $0] | 0x20 : text[start + $0]) == word[$0] }
        }
    }

    /// The date at the end of `match`: `MM/YY`, `MM/YYYY` (slash, dot or hyphen, spaces allowed
    /// around it) or compact `MMYY` / `MMYYYY`; month 1–12, a four-digit year 20YY.
    static func date(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>) -> Range<Int>? {
        var index = match.upperBound
        while index > match.lowerBound, UKFormats.isDigit(text[index - 1]) { index -= 1 }
        let yearStart = index
        let yearCount = match.upperBound - yearStart
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(text[$1]) - 48 } }
        var probe = yearStart
        if probe > match.lowerBound, text[probe - 1] == 32 { probe -= 1 }
        if probe > match.lowerBound, [47, 46, 45].contains(text[probe - 1]) {
            probe -= 1
            if probe > match.lowerBound, text[probe - 1] == 32 { probe -= 1 }
            var monthStart = probe
            while monthStart > match.lowerBound, probe - monthStart < 2, UKFormats.isDigit(text[monthStart - 1]) { monthStart -= 1 }
            // A month is one or two digits on its own: digits before it belong to a card
            // (`4111111111111111/0429`: a compact date after a slash).
            if monthStart < probe, !(monthStart > match.lowerBound && UKFormats.isDigit(text[monthStart - 1])) {
                guard yearCount == 2 || yearCount == 4 else { return nil }
                let month = number(monthStart..<probe)
                guard (1...12).contains(month), yearCount == 2 || number(yearStart..<(yearStart + 2)) == 20 else { return nil }
                return monthStart..<match.upperBound
            }
        }
        guard yearCount == 4 || yearCount == 6 else { return nil }
        let month = number(yearStart..<(yearStart + 2))
        guard (1...12).contains(month), yearCount == 4 || number((yearStart + 2)..<(yearStart + 4)) == 20 else { return nil }
        return yearStart..<match.upperBound
    }
}
