/// Start rules of the kinds whose pattern opens with a keyword (date of birth, card security code,
/// card expiry): a cheap look at each digit cluster decides whether the value could start there,
/// and only then are the few bytes before it searched for the keyword's first letters. Nothing
/// here reads a byte more than `lead` bytes before a cluster that already looks like the value,
/// so texts full of numbers but without these keywords cost a few comparisons per cluster.
///
/// Why each rule holds (a necessary condition for a productive match, as in ``StartRule``): the
/// keywords and filler words contain no digit (`cvv2`/`cvc2` aside, whose digit opens the code's
/// cluster, so the keyword still starts before it), so the value's first digit opens its cluster;
/// the patterns use no caseless mode (letters are `[Xx]` classes), so every keyword and filler
/// word has its ASCII length, and the keyword starts at most `lead` bytes before that digit.
enum KeywordLed: Sendable {
    /// `cvv cvc cvn csc cid card… sec…` then 10 filler items: at most 24 + 10 × 7 bytes.
    case securityCode
    /// `exp… valid … good thru, end date` then 6 filler items: at most 15 + 6 × 4 bytes.
    case expiry
    /// `d[.][ ]o…, date of birth, birth…, born` then 6 filler items and a month name: 13 + 6 × 9 + 11.
    case birth

    var lead: Int {
        switch self {
        case .securityCode: 96
        case .expiry: 48
        case .birth: 80
        }
    }

    /// Whether the kind also has a form that opens with a card number (12 or more digits in the
    /// cluster, the start a digit of it).
    var hasCardForm: Bool { self != .birth }

    /// Whether the value's first digit can be the cluster's first digit at `first`.
    func valueStarts(_ text: UnsafeBufferPointer<UInt8>, _ first: Int) -> Bool {
        var end = first
        while end < text.count, end - first < 7, StartRule.isDigit(text[end]) { end += 1 }
        let digits = end - first
        let next: UInt8 = end < text.count ? text[end] : 0
        switch self {
        case .securityCode:
            // `[0-9]{3,4}`, or `2` closing `cvv2`/`cvc2`.
            return digits >= 3 || (first >= 3 && text[first] == 50)
        case .expiry:
            // `M ?[/.-]`, `MM ?[/.-]`, or compact MMYY / MMYYYY.
            if digits <= 2 {
                var index = end
                if index < text.count, text[index] == 32 { index += 1 }
                return index < text.count && (text[index] == 47 || text[index] == 46 || text[index] == 45)
            }
            return digits == 4 || digits == 6
        case .birth:
            if digits == 4 { return next == 47 || next == 46 || next == 45 }
            guard digits <= 2 else { return false }
            if next == 47 || next == 46 || next == 45 || next == 32 || next == 44 || StartRule.isLetter(next) { return true }
            return false
        }
    }

    /// Dates of birth also come before their keyword (`12/03/1985 (DOB)`): whether, after the
    /// cluster's last digit and at most ` (` or ` [`, a `d` opens `dob`, `d.o` or `date`. The date
    /// (10 bytes at most, ending at that digit) then starts within `lead` bytes before the cluster
    /// that ends it.
    func keywordFollows(_ text: UnsafeBufferPointer<UInt8>, _ last: Int) -> Bool {
        guard self == .birth else { return false }
        var index = last + 1
        var skipped = 0
        while index < text.count, skipped < 3, text[index] == 32 || text[index] == 40 || text[index] == 91 { index += 1; skipped += 1 }
        guard index < text.count, text[index] | 0x20 == 100 else { return false }
        return matches(text, index)
    }

    /// Whether a keyword of the kind starts in `text[from..<to]`.
    func keywordStarts(_ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        var index = max(0, from)
        while index < to {
            let byte = text[index] | 0x20
            switch (self, byte) {
            case (.securityCode, 99), (.securityCode, 115), (.expiry, 101), (.expiry, 118), (.expiry, 103), (.birth, 100), (.birth, 98):
                if matches(text, index) { return true }
            default: break
            }
            index += 1
        }
        return false
    }

    private func matches(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        func lower(_ offset: Int) -> UInt8 { index + offset < text.count ? text[index + offset] | 0x20 : 0 }
        let three = (lower(0), lower(1), lower(2))
        switch self {
        case .securityCode:
            // cvv cvc cvn csc cid car(d verification) sec(urity)
            return [(99, 118, 118), (99, 118, 99), (99, 118, 110), (99, 115, 99), (99, 105, 100), (99, 97, 114), (115, 101, 99)].contains { $0 == three }
        case .expiry:
            // exp val(id) goo(d thru) end( date)
            return [(101, 120, 112), (118, 97, 108), (103, 111, 111), (101, 110, 100)].contains { $0 == three }
        case .birth:
            // dat(e of birth) bir(th…) bor(n), or d[.][ ]o(…b)
            if [(100, 97, 116), (98, 105, 114), (98, 111, 114)].contains(where: { $0 == three }) { return true }
            guard three.0 == 100 else { return false }
            var offset = 1
            if lower(offset) == 46 | 0x20 { offset += 1 }
            if lower(offset) == 32 | 0x20 { offset += 1 }
            return lower(offset) == 111
        }
    }
}
