/// Start rules of the kinds whose pattern opens with a keyword (date of birth, card security code,
/// card expiry): a cheap look at each digit cluster decides whether the value could start there,
/// and only then are the few bytes before it read, backwards, the way the pattern allows: gap
/// bytes and filler words, then a keyword's last word. Most clusters stop at the first word
/// ("order 123", "on 0800…"), so texts full of numbers but without these keywords cost a few
/// comparisons per cluster.
///
/// Why each rule holds (a necessary condition for a productive match, as in ``StartRule``): the
/// keywords and filler words contain no digit (`cvv2`/`cvc2` aside, whose digit opens the code's
/// cluster or ends the keyword), so the value's first digit opens its cluster; the patterns use no
/// caseless mode (letters are `[Xx]` classes), so every keyword and filler word has its ASCII
/// length, and the keyword starts at most `lead` bytes before that digit. Between the keyword and
/// the value the pattern allows only gap bytes (`[\s:=#(),\-]`) and the kind's filler words (whole
/// words, at most ``itemLimit`` items), and for a date of birth the month name of `March 12th,
/// 1985`; ``keywordBefore(_:_:)`` walks back over exactly those, and at each word asks whether a
/// keyword could end there (its last word, ``endsKeyword(_:_:_:)``) and start within
/// ``keywordLength`` bytes before (``starts(_:at:)``: a prefix of one of the keyword's
/// alternatives, after no `[A-Za-z0-9_]`).
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

    static let all: [KeywordLed] = [.securityCode, .expiry, .birth]

    /// This kind's bit in the masks of ``starts(_:at:)`` and ``keywordForms(_:_:families:)``.
    var bit: UInt8 {
        switch self {
        case .securityCode: 1
        case .expiry: 2
        case .birth: 4
        }
    }

    /// Whether the kind also has a form that opens with a card number (12 or more digits in the
    /// cluster, the start a digit of it).
    var hasCardForm: Bool { self != .birth }

    /// Whether the value's first digit can be the cluster's first digit at `first`.
    func valueStarts(_ text: UnsafeBufferPointer<UInt8>, _ first: Int) -> Bool {
        KeywordLed.valueStarts(text, first, families: bit) != 0
    }

    /// The kinds among `families` (``bit``s) whose value's first digit can be the cluster's
    /// first digit at `first`.
    static func valueStarts(_ text: UnsafeBufferPointer<UInt8>, _ first: Int, families: UInt8) -> UInt8 {
        var end = first
        if first + 8 <= text.count, let base = text.baseAddress {
            // Up to seven digits, eight bytes at a time (little-endian: the lowest byte first).
            let others = ~DigitClusters.digitBytes(UnsafeRawPointer(base + first).loadUnaligned(as: UInt64.self)) & 0x8080_8080_8080_8080
            end = first + min(7, others.trailingZeroBitCount / 8)
        } else {
            let limit = min(text.count, first + 7)
            while end < limit, StartRule.isDigit(text[end]) { end += 1 }
        }
        let digits = end - first
        let next: UInt8 = end < text.count ? text[end] : 0
        var found: UInt8 = 0
        // `[0-9]{3,4}`, a code typed apart (`1 2 3`: one digit, a space, a digit), or `2` closing `cvv2`/`cvc2`.
        if families & securityCode.bit != 0, digits >= 3 || (first >= 3 && text[first] == 50)
            || (digits == 1 && next == 32 && end + 1 < text.count && StartRule.isDigit(text[end + 1])) { found |= securityCode.bit }
        if families & expiry.bit != 0 {
            // `M ?[/.-]`, `MM ?[/.-]`, or compact MMYY / MMYYYY.
            if digits <= 2 {
                var index = end
                if index < text.count, text[index] == 32 { index += 1 }
                if index < text.count && (text[index] == 47 || text[index] == 46 || text[index] == 45) { found |= expiry.bit }
            } else if digits == 4 || digits == 6 {
                found |= expiry.bit
            }
        }
        if families & birth.bit != 0 {
            if digits == 4 {
                if next == 47 || next == 46 || next == 45 { found |= birth.bit }
            } else if digits <= 2, next == 47 || next == 46 || next == 45 || next == 32 || next == 44 || StartRule.isLetter(next) {
                found |= birth.bit
            }
        }
        return found
    }

    /// Dates of birth also come before their keyword (`12/03/1985 (DOB)`): whether, after the
    /// cluster's last digit and at most ` (` or ` [`, the trailing keyword (`dob`, `d.o.b.`,
    /// `date of birth`) starts. The date (10 bytes at most, ending at that digit) then starts
    /// within `lead` bytes before the cluster that ends it.
    func keywordFollows(_ text: UnsafeBufferPointer<UInt8>, _ last: Int) -> Bool {
        guard self == .birth else { return false }
        var index = last + 1
        var skipped = 0
        while index < text.count, skipped < 3, text[index] == 32 || text[index] == 40 || text[index] == 91 { index += 1; skipped += 1 }
        guard index < text.count, text[index] | 0x20 == 100 else { return false }
        return KeywordLed.birthKeyword(text, index)
    }

    /// Most gap items (gap bytes and filler words) the pattern allows between keyword and value.
    var itemLimit: Int {
        switch self {
        case .securityCode: 10
        case .expiry, .birth: 6
        }
    }

    /// The longest keyword, in bytes (`card verification number`, `expiration date`, `date of birth`).
    var keywordLength: Int {
        switch self {
        case .securityCode: 24
        case .expiry: 15
        case .birth: 13
        }
    }

    /// The word read backwards from `position` (a non-gap byte stands before it): the letters
    /// before `position`, or before a `.` (`exp.`, `d.o.b.`) or a `2` (`cvv2`), which is then
    /// the `suffix` (else 0). Nil when no letter stands there. ``keywordBefore(_:_:)`` and
    /// ``keywordForms(_:_:families:)`` read words the same way through this.
    @inline(__always)
    static func wordBefore(_ text: UnsafeBufferPointer<UInt8>, _ position: Int) -> (start: Int, end: Int, suffix: UInt8)? {
        let byte = text[position - 1]
        let suffix: UInt8 = byte == 46 || byte == 50 ? byte : 0
        let end = suffix == 0 ? position : position - 1
        var start = end
        while start > 0, StartRule.isLetter(text[start - 1]) { start -= 1 }
        return start < end ? (start, end, suffix) : nil
    }

    /// Whether a keyword of the kind can stand before a value that starts at `value`: reading
    /// backwards over gap bytes and filler words (and, for a date of birth, the month name of
    /// `March 12th, 1985`), a word is reached that can end a keyword, and a keyword of the kind
    /// starts at most ``keywordLength`` bytes before its end.
    func keywordBefore(_ text: UnsafeBufferPointer<UInt8>, _ value: Int) -> Bool {
        let endBit = bit
        let fillerBit = bit << 3
        var position = value
        var items = 0
        var monthSeen = false
        while position > 0 {
            let byte = text[position - 1]
            if KeywordLed.isGap(byte) {
                items += 1
                if items > itemLimit { return false }
                position -= 1
                continue
            }
            guard let (start, end, suffix) = KeywordLed.wordBefore(text, position) else { return false }
            let flags = suffix == 0 ? KeywordLed.flags(text, start..<end) : endsBeforeSuffix(text, start..<end, suffix)
            if flags & endBit != 0 && keywordStarts(text, from: position - keywordLength, to: position) { return true }
            if self == .birth, !monthSeen, position == value - 1, text[position] == 32, suffix != 50,
               KeywordLed.flags(text, start..<end) & KeywordLed.monthBit != 0 {
                // `March 12th, 1985`: the value starts at the month; the gap comes before it.
                monthSeen = true
                items = 0
                position = start
                continue
            }
            guard suffix == 0 else { return false }
            if flags & fillerBit != 0 {
                position = start
            } else if self == .securityCode, end - start == 1, text[start] | 0x20 == 115, start >= 3, text[start - 1] == 39,
                      KeywordLed.word(text, start - 3, "it"), !(start > 3 && StartRule.isLetter(text[start - 4])) {
                // `it's`
                position = start - 3
            } else {
                return false
            }
            items += 1
            if items > itemLimit { return false }
        }
        return false
    }

    /// The kinds (their ``bit``s, among `families`) whose keyword form can start at the digit
    /// `value`: ``valueStarts(_:_:)`` and ``keywordBefore(_:_:)`` of each, with one backward
    /// reading shared by all (they read the same gap bytes and words; only their filler words,
    /// item limits and keyword ends differ).
    static func keywordForms(_ text: UnsafeBufferPointer<UInt8>, _ value: Int, families: UInt8) -> UInt8 {
        var alive = valueStarts(text, value, families: families)
        var found: UInt8 = 0
        // Items read so far, per kind, indexed by ``index``.
        var items = (0, 0, 0)
        func count(_ family: KeywordLed) {
            let total: Int
            switch family {
            case .securityCode: items.0 += 1; total = items.0
            case .expiry: items.1 += 1; total = items.1
            case .birth: items.2 += 1; total = items.2
            }
            if total > family.itemLimit { alive &= ~family.bit }
        }
        var position = value
        var monthSeen = false
        while position > 0, alive != 0 {
            let byte = text[position - 1]
            if isGap(byte) {
                if alive & securityCode.bit != 0 { count(.securityCode) }
                if alive & expiry.bit != 0 { count(.expiry) }
                if alive & birth.bit != 0 { count(.birth) }
                position -= 1
                continue
            }
            guard let (start, end, suffix) = wordBefore(text, position) else { break }
            let flags = suffix == 0 ? KeywordLed.flags(text, start..<end) : 0
            // The usual end: a plain word that is no keyword end, filler or month (`order 123`),
            // and not the `s` of `it's`: every kind stops at it.
            if suffix == 0, flags == 0, end - start != 1 || text[start] | 0x20 != 115 { break }
            for family in KeywordLed.all where alive & family.bit != 0 {
                let ends = suffix == 0 ? flags & family.bit != 0 : family.endsBeforeSuffix(text, start..<end, suffix) != 0
                if ends && family.keywordStarts(text, from: position - family.keywordLength, to: position) {
                    found |= family.bit
                    alive &= ~family.bit
                }
            }
            var month = false
            if alive & birth.bit != 0, !monthSeen, position == value - 1, text[position] == 32, suffix != 50,
               (suffix == 0 ? flags : KeywordLed.flags(text, start..<end)) & monthBit != 0 {
                // `March 12th, 1985`: the date of birth starts at the month; its gap comes before it.
                month = true
                monthSeen = true
                items.2 = 0
            }
            if suffix != 0 {
                alive &= month ? birth.bit : 0
                position = start
                continue
            }
            var next = start
            for family in KeywordLed.all where alive & family.bit != 0 && !(month && family == .birth) {
                if flags & (family.bit << 3) != 0 {
                    count(family)
                } else if family == .securityCode, end - start == 1, text[start] | 0x20 == 115, start >= 3, text[start - 1] == 39,
                          KeywordLed.word(text, start - 3, "it"), !(start > 3 && StartRule.isLetter(text[start - 4])) {
                    // `it's` (no other kind reads `s` as a filler word: they stop here)
                    count(family)
                    next = start - 3
                } else {
                    alive &= ~family.bit
                }
            }
            position = next
        }
        return found
    }

    /// Whether a keyword of the kind starts in `text[from..<to]`.
    func keywordStarts(_ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        var index = max(0, from)
        while index < to {
            if KeywordLed.starts(text, at: index) & bit != 0 { return true }
            index += 1
        }
        return false
    }

    /// `[\s:=#(),\-]`, the gap bytes of the three patterns.
    @inline(__always)
    static func isGap(_ byte: UInt8) -> Bool {
        switch byte {
        case 9, 10, 11, 12, 13, 32, 58, 61, 35, 40, 41, 44, 45: return true
        default: return false
        }
    }

    /// ``bit`` when the letters `word`, then `suffix` (`.` or `2`), can end a keyword of the kind.
    func endsBeforeSuffix(_ text: UnsafeBufferPointer<UInt8>, _ word: Range<Int>, _ suffix: UInt8) -> UInt8 {
        let ends: [StaticString]
        switch (self, suffix) {
        case (.securityCode, 50): ends = ["cvv", "cvc"]
        case (.expiry, 46): ends = ["exp"]
        case (.birth, 46): ends = ["dob", "ob", "b"]
        default: return 0
        }
        for candidate in ends where candidate.utf8CodeUnitCount == word.count && KeywordLed.word(text, word.lowerBound, candidate) { return bit }
        return 0
    }

    /// What a word can be, as bits: ``bit`` of each kind whose keyword it can end (the last word of
    /// ``SecurityCode/keyword``, ``Expiry/keyword``, ``BirthDate/keyword``; `d[.][ ]o[.][ ]b` ends in
    /// `dob`, `ob` or `b`), `bit << 3` of each kind whose gap allows it as a filler word, and
    /// ``monthBit`` for a month name.
    static let words: [(bytes: [UInt8], flags: UInt8)] = {
        var flags: [String: UInt8] = [:]
        func add(_ words: [String], _ bits: UInt8) { for word in words { flags[word, default: 0] |= bits } }
        add(["cvv", "cvc", "cvn", "csc", "cid", "code", "number", "no", "verification", "value"], KeywordLed.securityCode.bit)
        add(["exp", "expiry", "expiration", "expires", "expiring", "date", "thru", "through", "until", "till", "to"], KeywordLed.expiry.bit)
        add(["dob", "ob", "b", "birth", "birthday", "birthdate", "date", "on", "born"], KeywordLed.birth.bit)
        add(["is", "was", "number", "no", "num", "code", "of", "the", "on", "back", "reverse", "digits", "its"], KeywordLed.securityCode.bit << 3)
        add(["is", "was", "date", "on", "of", "the", "card", "at"], KeywordLed.expiry.bit << 3)
        add(["is", "was", "on", "of", "the", "as", "my", "his", "her", "their", "your", "our", "listed", "recorded", "shows", "show", "given",
             "stated", "file", "records", "record", "system", "confirmed", "be"], KeywordLed.birth.bit << 3)
        add(["january", "february", "march", "april", "may", "june", "july", "august", "september", "sept", "october", "november", "december",
             "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], monthBit)
        let sorted = flags.map { (bytes: Array($0.key.utf8), flags: $0.value) }.sorted { key($0.bytes) < key($1.bytes) }
        precondition(Set(sorted.map { key($0.bytes) }).count == sorted.count, "two words share a lookup key")
        return sorted
    }()
    static let monthBit: UInt8 = 0x40

    /// ``words`` by lookup key, for ``flags(_:_:)``: an open-addressing table of
    /// ``wordSlotCount`` slots (linear probing; a key is never 0, its length byte is not), each
    /// holding a word's key, its flags and its index in ``words``. One multiply and usually one
    /// comparison per word read, where a binary search over the sorted keys took seven.
    static let wordSlotCount = 256
    static let wordSlots: [(key: UInt64, flags: UInt8, index: Int)] = {
        var slots = [(key: UInt64, flags: UInt8, index: Int)](repeating: (0, 0, -1), count: wordSlotCount)
        for (index, entry) in words.enumerated() {
            let wordKey = key(entry.bytes)
            var slot = wordSlot(wordKey)
            while slots[slot].key != 0 { slot = (slot + 1) & (wordSlotCount - 1) }
            slots[slot] = (wordKey, entry.flags, index)
        }
        return slots
    }()

    @inline(__always)
    static func wordSlot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56) }

    /// A word's lookup key: its length and its first seven letters, lower case.
    @inline(__always)
    static func key(_ text: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> UInt64 {
        var key = UInt64(min(word.count, 255)) << 56
        var shift: UInt64 = 0
        for index in word.lowerBound..<min(word.upperBound, word.lowerBound + 7) {
            key |= UInt64(text[index] | 0x20) << shift
            shift += 8
        }
        return key
    }

    static func key(_ word: [UInt8]) -> UInt64 { word.withUnsafeBufferPointer { key($0, 0..<$0.count) } }

    /// The bits of ``words`` for the letters `text[word]` (0 for any other word).
    static func flags(_ text: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> UInt8 {
        let wanted = key(text, word)
        return wordSlots.withUnsafeBufferPointer { slots in
            var slot = wordSlot(wanted)
            while true {
                let entry = slots[slot]
                if entry.key == 0 { return 0 }
                if entry.key == wanted {
                    // Longer than seven letters: the key holds only the first seven.
                    if word.count > 7 {
                        let bytes = words[entry.index].bytes
                        if !bytes.indices.allSatisfy({ text[word.lowerBound + $0] | 0x20 == bytes[$0] }) { return 0 }
                    }
                    return entry.flags
                }
                slot = (slot + 1) & (wordSlotCount - 1)
            }
        }
    }

    /// The families (``bit``s) whose keyword starts at `index`: not after `[A-Za-z0-9_]`, and the
    /// bytes there spell the start of one of the keyword's alternatives (ASCII letters in either
    /// case, other bytes exactly):
    /// - security code: `cvv cvc cvn csc cid`, `card verification`, `sec ` / `security `;
    /// - expiry: `exp` then a non-letter or `expir…` (`expiry`, `expiration`, `expires`, `expiring`), `valid `,
    ///   `good thru`, `end date`;
    /// - date of birth: `d`, `.`?, ` `?, `o`, `.`?, ` `?, `b` (`dob`, `d.o.b.`, `D. O. B.`),
    ///   `date of birth`, `birth…`, `born`.
    @inline(__always)
    static func starts(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt8 {
        let first = text[index] | 0x20
        switch first {
        case 99, 115, 101, 118, 103, 100, 98: break   // c s e v g d b
        default: return 0
        }
        if index > 0, StartRule.isWord(text[index - 1]) { return 0 }
        switch first {
        case 99:
            if word(text, index, "cvv") || word(text, index, "cvc") || word(text, index, "cvn") || word(text, index, "csc")
                || word(text, index, "cid") || word(text, index, "card verification") { return KeywordLed.securityCode.bit }
        case 115:
            if word(text, index, "sec ") || word(text, index, "security ") { return KeywordLed.securityCode.bit }
        case 101:
            if word(text, index, "exp") {
                let next = index + 3 < text.count ? text[index + 3] : 0
                if !StartRule.isLetter(next) || word(text, index, "expir") { return KeywordLed.expiry.bit }
            } else if word(text, index, "end date") {
                return KeywordLed.expiry.bit
            }
        case 118:
            if word(text, index, "valid ") { return KeywordLed.expiry.bit }
        case 103:
            if word(text, index, "good thru") { return KeywordLed.expiry.bit }
        case 100:
            if birthKeyword(text, index) { return KeywordLed.birth.bit }
        default:
            if word(text, index, "birth") || word(text, index, "born") { return KeywordLed.birth.bit }
        }
        return 0
    }

    /// `d`, `.`?, ` `?, `o`, `.`?, ` `?, `b`, or `date of birth`, at `index` (a `d` or `D`).
    static func birthKeyword(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        if word(text, index, "date of birth") { return true }
        var position = index + 1
        func skip(_ byte: UInt8) { if position < text.count, text[position] == byte { position += 1 } }
        func letter(_ lower: UInt8) -> Bool {
            guard position < text.count, StartRule.isLetter(text[position]), text[position] | 0x20 == lower else { return false }
            position += 1
            return true
        }
        skip(46)
        skip(32)
        guard letter(111) else { return false }
        skip(46)
        skip(32)
        return letter(98)
    }

    /// Whether `text` at `index` spells `literal` (lower case ASCII): letters in either case,
    /// other bytes exactly.
    @inline(__always)
    static func word(_ text: UnsafeBufferPointer<UInt8>, _ index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= text.count else { return false }
        let bytes = literal.utf8Start
        for offset in 0..<count {
            let expected = bytes[offset]
            let byte = text[index + offset]
            if StartRule.isLetter(expected) {
                if byte | 0x20 != expected { return false }
            } else if byte != expected {
                return false
            }
        }
        return true
    }
}
