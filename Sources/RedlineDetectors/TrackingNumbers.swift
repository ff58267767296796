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
}
