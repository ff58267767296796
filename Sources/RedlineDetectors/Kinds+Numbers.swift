import RedlineCore

extension DetectorKind {
    /// Payment card numbers: 12–19 digits, issuer prefix and length per scheme, Luhn, consistent
    /// separators; never part of a longer digit run or an alphanumeric token.
    public static let paymentCard = DetectorKind(
        id: "payment_card",
        summary: "Payment card number (PAN): issuer range and length per scheme, Luhn check; groups separated consistently by spaces, tabs, hyphens, dots, slashes or underscores (mixed only between groups of four), possibly wrapped.",
        source: .pattern(Pattern.notAfterWord(except: GluedKeywords.card) + Pattern.notAfterDigitSep + Pattern.digitRun
                         + "(?![A-Za-z0-9_])(?![.][0-9])", []),
        refine: refineCard,
        defaultKeywords: ["card", "credit", "debit", "visa", "mastercard", "amex", "american express", "maestro",
                          "discover", "jcb", "diners", "unionpay", "cvv", "cvc", "expiry", "exp date", "card number",
                          "long number", "security code", "cardholder", "pan"],
        requiresContextByDefault: false,
        defaultLabel: "[CARD NUMBER]",
        maskKeepsLastDigits: 4,
        matchExamples: ["card 4111 1111 1111 1111 exp 12/27", "Visa: 4929-1234-5678-9114", "5555555555554444",
                        "Amex 3782 822463 10005 0427",
                        "Amex 3782 822463 10005", "MC 2223 0031 2200 3222", "UnionPay 6205500000000000004",
                        "dots 4111.1111.1111.1111 ok", "Diners 3056 930902 5904", "split 4111 1111\n1111 1111 end", "100234871,49.99,4111 1111 1111 1111,2026-01-02",
                        "full-width ４１１１ １１１１ １１１１ １１１１", "nbsp 4111\u{00A0}1111\u{00A0}1111\u{00A0}1111",
                        "zero\u{200B}width 4111\u{200B}1111\u{200B}1111\u{200B}1111", "dash 4111\u{2013}1111\u{2013}1111\u{2013}1111",
                        "tabs 4539\t1488\t0343\t6467", "spaced 4539  1488  0343  6467", "dashes 4539 - 1488 - 0343 - 6467",
                        "slashes 4539/1488/0343/6467", "under 4539_1488_0343_6467", "mixed 4539-1488 0343.6467",
                        "bidi 4539\u{200E}1488\u{202A}0343\u{2063}6467", "marks 4\u{0332}5\u{0332}39 1488 0343 6467",
                        "vs 4539\u{FE0F}1488\u{034F}0343 6467", "cr 4539 1488\r0343 6467", "ls 4539 1488\u{2028}0343 6467",
                        "card4539148803436467", "Visa4539 1488 0343 6467", "card 4539 l488 O343 6467", "card 4539 I488 0343 64b7 no, 4539 1488 O343 6467",
                        "5555555555554444/4111111111111111", "cards 4111 1111 1111 1111/5555 5555 5555 4444", "card 4111111111111111/0429"],
        noMatchExamples: ["order 4111 1111 1111 1112", "ref 41111111111111111111", "IMEI 490154203237518",
                          "IMEI: 378282246310005", "device serial 371449635398431", "sort code 36227206271667", "DPD parcel 36227206271667",
                          "DHL JD01 4111 1111 1111 1111", "Evri parcel 4111111111111111",
                          "tracking 1234567812345678", "ABC4111111111111111", "4111111111111111X",
                          "mixed 4111 1111-1111 111", "ref 4539148803436467-2", "id 12/4539/1488/0343/6467",
                          "double 4539 -- 1488 -- 0343 -- 6467", "word abc4539148803436467",
                          "card 4539 l488 O343 6468", "Iceland lOl 4539 1488", "pool 4539148803436467b", "12-digit 123456789012", "time 12:30 on 2024-01-15"]
    )

    static let refineCard: Refiner = { text, match in
        let groups = Grouping.groups(text, match, member: UKFormats.isDigit)
        guard !groups.isEmpty else { return [] }
        // A single unbroken run longer than 19 digits is an order number or similar.
        if groups.count == 1 && groups[0].range.count > 19 { return [] }
        var results: [Refined] = []
        var first = 0
        while first < groups.count {
            var found: (Int, [UInt8])?
            var digitCount = 0
            var last = first
            while last < groups.count {
                digitCount += groups[last].range.count
                // Two punctuation characters between groups end a number (`1234 -- 5678`), and so
                // does a second line break (the pattern allows one).
                if digitCount > 19 || (last > first && groups[last].broken) { break }
                // Under 16 digits, a window that a same-size group continues is a fragment of a longer
                // number — unless its groups are a card's own layout (Amex 4-6-5, Diners 4-6-4), which
                // end where the number ends (`3782 822463 10005 0427`: an expiry follows).
                // Mixed separators are accepted between groups of four (`4539-1488 0343.6467`), the
                // way a card is written; any other layout must be written one way.
                if digitCount >= 12, Grouping.consistent(groups[first...last]) || groups[first...last].allSatisfy({ $0.range.count == 4 }),
                   !Grouping.boundToNeighbour(groups, first...last),
                   digitCount >= 16 || !Grouping.continues(groups, first...last) || CardSchemes.isShortLayout(groups[first...last]) {
                    let digits = Grouping.digits(text, groups[first...last])
                    // A valid 16-digit card followed by a shorter group (`4111 1111 1111 1111 123`: a
                    // security code, an expiry's month) stays a 16-digit card, even when the 19 digits
                    // also pass Luhn (1 in 10): masking a 19-digit reading would show the code's digits.
                    let keepsShorter = found.map { $0.1.count >= 16 && groups[last].range.count != groups[first].range.count } ?? false
                    if !keepsShorter, CardSchemes.scheme(of: digits) != nil, Checksums.luhn(digits) {
                        found = (last, digits)
                    }
                }
                last += 1
            }
            if let (end, digits) = found {
                let range = groups[first].range.lowerBound..<groups[end].range.upperBound
                // Not a card: a device's IMEI, a parcel number, or 14 digits labelled as bank details
                // (the bank detector reports those, once).
                if DeviceNumbers.isIMEI(text, range, digits: digits) || TrackingNumbers.covers(text, range)
                    || (digits.count == 14 && NearbyWords.contains(text, (range.lowerBound - 40)..<range.lowerBound, NearbyWords.bankWords)) {
                    first = end + 1
                    continue
                }
                let isTest = CardSchemes.isTestNumber(digits)
                results.append(Refined(range: range, value: digits, isTestValue: isTest, confidence: .medium))
                first = end + 1
            } else {
                first += 1
            }
        }
        return results
    }

    /// NHS numbers: 10 digits written 3-3-4, mod-11 check; needs context by default.
    public static let nhsNumber = DetectorKind(
        id: "nhs_number",
        summary: "NHS number (England and Wales): 10 digits as 3-3-4, mod-11 check digit (10 is never issued). Needs context, except (at lower confidence) when written 3-3-4 with no other label before it, or anywhere in a message about health.",
        source: .pattern(Pattern.notAfterWord + "(?<![0-9][ .\\-])[0-9]{3}([ \\-]?)" + Pattern.lineBreak + "?[0-9]{3}\\1" + Pattern.lineBreak + "?[0-9]{4}" + Pattern.notBeforeWord + "(?![ \\-][0-9])", []),
        refine: { text, match in
            var digits: [UInt8] = []
            for index in match where UKFormats.isDigit(text[index]) { digits.append(text[index]) }
            guard Checksums.nhsMod11(digits) else { return [] }
            return [Refined(range: match, value: digits, confidence: .medium, standsAlone: NHSContext.standsAlone(text, match, digits))]
        },
        defaultKeywords: ["nhs", "national health service", "health service", "patient", "gp", "hospital", "nhs no",
                          "nhs number", "date of birth", "dob", "d.o.b"],
        requiresContextByDefault: true,
        defaultLabel: "[NHS NUMBER]",
        maskKeepsLastDigits: 0,
        matchExamples: ["NHS number 943 476 5919", "patient nhs no: 9434765919", "NHS: 401-023-2137",
                        "your number 943 476 5919 is now linked", "Your repeat prescription is ready. Number: 9434765919"],
        noMatchExamples: ["NHS number 943 476 5918", "reference 943 476 5919", "nhs 943 476 59190", "Order 943 476 5919 has shipped",
                          "Your order 9434765919 has shipped", "Booking ref: 943-476-5919", "Parcel 943 476 5919 is on its way",
                          "call 094 347 6593 today"]
    )

    /// UK telephone numbers: `0…`, `+44 …`, `+44 (0)…`, `0044…`, with spaces, hyphens and brackets.
    public static let ukPhone = DetectorKind(
        id: "uk_phone",
        summary: "UK telephone number (01/02/03/05/07/08/09 ranges) written 0…, +44 …, +44 (0)… or 0044…, with spaces, hyphens or brackets; not the tail of a UPS tracking number.",
        source: .pattern("(?<![A-Za-z0-9_])(?<!(?<![0-9])\\+)(?<![0-9][\\-.])(?:\\+|\\(\\+?)?[0-9](?:[ \\-]?[()]?[ \\-]?(?:" + Pattern.lineBreak + "[ \\t]{0,2})?[0-9]){8,13}"
                         + Pattern.notBeforeWord, []),
        refine: refinePhone,
        defaultKeywords: ["phone", "tel", "telephone", "mobile", "call", "ring", "contact", "number", "landline", "whatsapp"],
        requiresContextByDefault: false,
        defaultLabel: "[PHONE NUMBER]",
        maskKeepsLastDigits: 0,
        matchExamples: ["call 07700 900123", "+44 20 7946 0123", "+44 (0)20 7946 0123", "0044 7700 900123",
                        "(020) 7946 0123", "tel: 0161-496-0000", "01632 960123", "call me on 07700\n900123 please",
                        "tel 0161 496\r\n0000", "mobile +44 7700\u{2028}900123", "call 07700900123/07700900456", "call 01632960123+07700900456",
                        "call 07700 900123+44 7700 900456"],
        noMatchExamples: ["+1 212 555 0123", "+33 1 42 68 53 00", "order 12345678901", "07700 90012",
                          "0044 1 2", "ref 077009001234567", "parcel 1Z 999 AA1 01 2345 6784"]
    )

    static let refinePhone: Refiner = { text, match in
        // The tail of a UPS tracking number (`1Z 999 AA1 01 2345 6784`) is shaped like a phone number.
        if TrackingNumbers.covers(text, match) { return [] }
        // Not the tail of a card number whose digits run on into a security code
        // (`2345 1367 0199 6011 851`: `0199 6011 851` is shaped like a phone number).
        if CardData.cardOverlaps(text, match) { return [] }
        // Digits in order, remembering where each group ends, so that a number followed by
        // another number (a card, an order number) is still found on its own.
        var groups = Grouping.groups(text, match, member: UKFormats.isDigit, separators: [32, 45, 40, 41])
        // A number wraps at most once, as a mail client wraps it.
        var wrappedSeen = false
        for index in groups.indices where groups[index].wrapped {
            if wrappedSeen { groups.removeSubrange(index...); break }
            wrappedSeen = true
        }
        guard !groups.isEmpty else { return [] }
        // A `+` glued to the digits before it (`…900123+44 7700 900456`) is left out of the match
        // (it cannot start one after a digit), but it still makes a `44…` number international.
        let gluedPlus = match.lowerBound >= 2 && text[match.lowerBound - 1] == UInt8(ascii: "+") && UKFormats.isDigit(text[match.lowerBound - 2])
            && text[match.lowerBound] == UInt8(ascii: "4")
        let international = text[match.lowerBound] == UInt8(ascii: "+") || gluedPlus
            || (match.count > 1 && text[match.lowerBound] == UInt8(ascii: "(") && text[match.lowerBound + 1] == UInt8(ascii: "+"))
        let start = gluedPlus ? match.lowerBound - 1 : match.lowerBound
        var digits: [UInt8] = []
        for last in 0..<groups.count {
            digits.append(contentsOf: text[groups[last].range])
            guard var national = nationalNumber(digits, international: international) else { continue }
            // Trim a trailing group that made it too long: try the longest valid prefix.
            if isUKNational(national) {
                // Prefer a longer valid prefix if the next group also fits.
                var end = last
                var extended = digits
                var probe = last + 1
                while probe < groups.count {
                    extended.append(contentsOf: text[groups[probe].range])
                    if let longer = nationalNumber(extended, international: international), isUKNational(longer) {
                        end = probe
                        national = longer
                    }
                    probe += 1
                }
                return [Refined(range: start..<groups[end].range.upperBound, value: national, confidence: .low)]
            }
        }
        return []
    }

    /// The national form (leading 0) of a digit string, or nil if it is not a UK-looking number.
    static func nationalNumber(_ digits: [UInt8], international: Bool) -> [UInt8]? {
        let zero = UInt8(ascii: "0")
        var rest = digits[...]
        if international {
            guard rest.starts(with: [52, 52]) else { return nil }   // "44"
            rest = rest.dropFirst(2)
        } else if rest.starts(with: [zero, zero]) {
            guard rest.dropFirst(2).starts(with: [52, 52]) else { return nil }
            rest = rest.dropFirst(4)
        } else {
            guard rest.first == zero else { return nil }
            return Array(rest)
        }
        if rest.first == zero { rest = rest.dropFirst() }   // +44 (0)20 …
        return [zero] + rest
    }

    static func isUKNational(_ national: [UInt8]) -> Bool {
        guard national.count >= 10, national.count <= 11, national[0] == 48 else { return false }
        switch national[1] {
        case UInt8(ascii: "1"): return true
        // 080 freephone, 084 and 087 service numbers; 055 corporate and 056 VoIP.
        case UInt8(ascii: "8"): return national[2] == 48 || national[2] == 52 || national[2] == 55
        case UInt8(ascii: "5") where national[2] != 53 && national[2] != 54: return false
        case UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "7"), UInt8(ascii: "9"): return national.count == 11
        default: return false
        }
    }

    /// UK sort code and account number given together.
    public static let ukBankAccount = DetectorKind(
        id: "uk_bank_account",
        summary: "UK sort code (NN-NN-NN, with spaces, dots or hyphens) and 8-digit account number (or 4-4) given together, in either order. Needs context by default.",
        source: .pattern(
            Pattern.notAfterWord + "(?<![0-9][\\-.])(?:" + sortCode(1) + "(?![0-9\\-.][0-9])[\\s,;:/]*+(?:(?:and\\s+)?(?:a/?c|acc(?:oun)?t?)\\.?(?:\\s*(?:no|number|num|#)\\.?)?[\\s:#.]*+)?" + accountNumber
                + "|" + accountNumber + "[\\s,;:/(]*+(?:(?:and\\s+)?(?:sort[\\s\\-]*code|s/?c)\\.?[\\s:#.]*+)?" + sortCode(2) + ")" + Pattern.notBeforeWord + "(?![\\-.][0-9])",
            [.caseless]),
        refine: { text, match in
            var digits: [UInt8] = []
            for index in match where UKFormats.isDigit(text[index]) { digits.append(text[index]) }
            guard digits.count == 14, !TrackingNumbers.covers(text, match) else { return [] }
            return [Refined(range: match, value: digits, confidence: .medium)]
        },
        defaultKeywords: ["sort code", "sort-code", "sortcode", "s/c", "account number", "account no", "acc no", "acct", "a/c", "bank details",
                          "bank account", "bank"],
        requiresContextByDefault: true,
        defaultLabel: "[BANK DETAILS]",
        maskKeepsLastDigits: 0,
        matchExamples: ["sort code 20-00-00 account 12345678", "Sort code: 40 47 84, acc no 70872490", "bank: 12345678 sort code 30-90-89",
                        "sort-code 20-00-00 acct no 12345678", "s/c 40.47.84 a/c 70872490", "sort code 40  47  84 account 7087 2490",
                        "bank account 12345678 (sort code 09-45-71)", "bank details 09-45-71 / 12345678", "sort code 20-00-00/12345678",
                        "bank details 20-00-00 12345678/40-47-84 70872490"],
        noMatchExamples: ["on 12-03-24 order 12345678", "sort code 20-00-00", "account 12345678 only", "sort code 20-00-00 account 123456789",
                          "bank holiday: DPD parcel 15501234567890 is delayed"]
    )

    /// A sort code whose separator is capture group `group`: `NN-NN-NN`, `NN NN NN`, `NN  NN  NN`,
    /// `NN.NN.NN` or `NNNNNN`, one way throughout.
    static func sortCode(_ group: Int) -> String { "[0-9]{2}((?: {1,2}|[\\-.])?)[0-9]{2}\\\(group)[0-9]{2}" }
    /// An account number: eight digits, or four and four.
    static let accountNumber = "[0-9]{4}[ \\-]?[0-9]{4}"
}
