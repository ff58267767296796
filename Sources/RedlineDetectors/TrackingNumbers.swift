/// Parcel tracking numbers that customer-service replies quote all the time and that contain
/// digit runs shaped like PII. They are not personal data, so a candidate lying inside one is
/// dropped by the validators that would otherwise take part of it (a UPS number's tail
/// `01 2345 6784` is a well-formed UK phone number).
enum TrackingNumbers {
    /// Whether `range` lies inside a UPS tracking number: `1Z` and 16 letters or digits (the last a
    /// check digit), written compact or in groups separated by single spaces
    /// (`1Z 999 AA1 01 2345 6784`), standing alone (no letter or digit on either side).
    ///
    /// Check digit (UPS, public): the 15 characters after `1Z` before the check digit, letters
    /// taken as `(code − 63) mod 10` (A = 2, B = 3, …), odd positions summed once and even ones twice;
    /// the check digit makes the total a multiple of 10.
    static func containsUPS(_ text: UnsafeBufferPointer<UInt8>, around range: Range<Int>) -> Bool {
        // `1Z` plus at most 16 characters and 15 spaces before the match.
        var start = max(0, range.lowerBound - 33)
        while start < range.lowerBound {
            defer { start += 1 }
            guard text[start] == UInt8(ascii: "1"), start + 1 < text.count, text[start + 1] | 0x20 == UInt8(ascii: "z") else { continue }
            if start > 0, UKFormats.isAlnum(text[start - 1]) { continue }
            guard let end = upsEnd(text, afterPrefix: start + 2), end >= range.upperBound else { continue }
            return true
        }
        return false
    }

    /// Where a UPS number whose `1Z` ends at `index` ends, when the 16 characters after it are
    /// there, stand alone and pass the check digit.
    private static func upsEnd(_ text: UnsafeBufferPointer<UInt8>, afterPrefix index: Int) -> Int? {
        var values: [Int] = []
        values.reserveCapacity(16)
        var position = index
        while values.count < 16 {
            // One optional space between groups (and after `1Z`).
            if position < text.count, text[position] == 32, position + 1 < text.count, UKFormats.isAlnum(text[position + 1]) {
                position += 1
            }
            guard position < text.count, UKFormats.isAlnum(text[position]) else { return nil }
            let byte = text[position]
            values.append(UKFormats.isDigit(byte) ? Int(byte - 48) : (Int(byte & 0xDF) - 63) % 10)
            position += 1
        }
        if position < text.count, UKFormats.isAlnum(text[position]) { return nil }
        var total = 0
        for (offset, value) in values.prefix(15).enumerated() { total += offset % 2 == 0 ? value : 2 * value }
        return (10 - total % 10) % 10 == values[15] && UKFormats.isDigit(text[position - 1]) ? position : nil
    }

    /// Whether `range` is part of a parcel tracking number of one of the big UK carriers: UPS
    /// (`1Z…`), Royal Mail (S10 `AB123456789GB`), DHL eCommerce (`JD` + 18 digits), or a DPD / Evri
    /// parcel number (14 digits, or 16 written compact) with a parcel word just before it.
    static func covers(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        containsUPS(text, around: range) || insideRoyalMail(text, range) || insideDHL(text, range) || isParcelNumber(text, range)
    }

    /// Royal Mail S10 (UPU standard): two letters, eight digits and a check digit, then `GB`;
    /// single spaces allowed between groups. Check digit: weights 8 6 4 2 3 5 9 7 over the eight
    /// digits, 11 − (sum mod 11), where 10 means 0 and 11 means 5.
    static func insideRoyalMail(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for start in max(0, range.lowerBound - 4)...range.lowerBound where start + 1 < text.count {
            guard UKFormats.isLetter(text[start]), UKFormats.isLetter(text[start + 1]), !(start > 0 && UKFormats.isAlnum(text[start - 1])) else { continue }
            guard let (digits, end) = digitRun(text, from: start + 2, count: 9), end + 1 < text.count else { continue }
            var suffix = end
            if text[suffix] == 32 { suffix += 1 }
            guard suffix + 1 < text.count, UKFormats.upper(text[suffix]) == 71, UKFormats.upper(text[suffix + 1]) == 66,
                  !(suffix + 2 < text.count && UKFormats.isAlnum(text[suffix + 2])), range.upperBound <= suffix + 2 else { continue }
            let weights = [8, 6, 4, 2, 3, 5, 9, 7]
            var sum = 0
            for index in 0..<8 { sum += weights[index] * digits[index] }
            var check = 11 - sum % 11
            if check == 10 { check = 0 } else if check == 11 { check = 5 }
            if check == digits[8] { return true }
        }
        return false
    }

    /// DHL eCommerce: `JD` and 18 digits, compact or in groups of four.
    static func insideDHL(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for start in max(0, range.lowerBound - 8)...range.lowerBound where start + 1 < text.count {
            guard UKFormats.upper(text[start]) == 74, UKFormats.upper(text[start + 1]) == 68, !(start > 0 && UKFormats.isAlnum(text[start - 1])) else { continue }
            if let (_, end) = digitRun(text, from: start + 2, count: 18), range.upperBound <= end, !(end < text.count && UKFormats.isAlnum(text[end])) { return true }
        }
        return false
    }

    /// A DPD parcel number (14 digits) or an Evri one (16 digits, compact), with a parcel word
    /// within 40 bytes before and no card or bank word after that word.
    static func isParcelNumber(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var digits = 0
        var spaced = false
        for index in range {
            if UKFormats.isDigit(text[index]) { digits += 1 } else { spaced = true }
        }
        guard digits == 14 || (digits == 16 && !spaced) else { return false }
        guard let end = NearbyWords.lastEnd(text, (range.lowerBound - 40)..<range.lowerBound, NearbyWords.parcelWords) else { return false }
        return !NearbyWords.contains(text, end..<range.lowerBound, NearbyWords.cardWords + NearbyWords.bankWords)
    }

    /// `count` digits from `from`, single spaces allowed between them: their values and the end.
    private static func digitRun(_ text: UnsafeBufferPointer<UInt8>, from: Int, count: Int) -> ([Int], Int)? {
        var values: [Int] = []
        var position = from
        while values.count < count {
            if position < text.count, text[position] == 32, !values.isEmpty { position += 1 }
            guard position < text.count, UKFormats.isDigit(text[position]) else { return nil }
            values.append(Int(text[position]) - 48)
            position += 1
        }
        return (values, position)
    }
}
