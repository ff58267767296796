/// Context for a NINO written without its suffix letter, which on its own is too weak to report:
/// the word `NI` right before it (`NI JG103755`, `NI: JG 10 37 55`), or a full NINO (suffix and
/// all) joined to it in a list (`AB123456C/JG103755`, `JG103755, AB123456C`).
enum NINONeighbours {
    static let joiners = ByteSet("/,;|+&".utf8)
    static let niWords: [[UInt8]] = ["ni", "nin", "nino"].map { Array($0.utf8) }

    /// Whether the suffixless NINO at `match` has the word NI right before it or a full NINO joined to it.
    static func vouchFor(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>) -> Bool {
        afterNIWord(text, match.lowerBound) || fullNINOJoined(text, after: match.upperBound) || fullNINOJoined(text, before: match.lowerBound)
    }

    /// `NI` (or `NINO`, `NIN`), then at most two blanks, a colon, hyphen or `#`, right before `start`.
    static func afterNIWord(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        var index = start
        while index > 0, start - index < 3, [32, 9, 58, 35, 45].contains(text[index - 1]) { index -= 1 }
        return GluedKeywords.ends(text, at: index, with: niWords)
    }

    /// A full NINO that begins after a joiner at `offset` (blanks allowed around the joiner).
    static func fullNINOJoined(_ text: UnsafeBufferPointer<UInt8>, after offset: Int) -> Bool {
        guard let start = acrossJoiner(text, from: offset, step: 1) else { return false }
        var end = start, count = 0
        while end < text.count, count < 9, isPart(text, end, step: 1) {
            if UKFormats.isAlnum(text[end]) { count += 1 }
            end += 1
        }
        if end < text.count, UKFormats.isAlnum(text[end]) || text[end] == 95 { return false }
        return isFullNINO(text, start..<end)
    }

    /// A full NINO that ends before a joiner at `offset` (blanks allowed around the joiner).
    static func fullNINOJoined(_ text: UnsafeBufferPointer<UInt8>, before offset: Int) -> Bool {
        guard let end = acrossJoiner(text, from: offset, step: -1) else { return false }
        var start = end, count = 0
        while start > 0, count < 9, isPart(text, start - 1, step: -1) {
            if UKFormats.isAlnum(text[start - 1]) { count += 1 }
            start -= 1
        }
        if start > 0, UKFormats.isAlnum(text[start - 1]) || text[start - 1] == 95 { return false }
        return isFullNINO(text, start..<end)
    }

    /// Past blanks, one joiner and blanks from `offset` in the direction `step`: where the
    /// neighbour begins (or ends, reading backwards), or nil when no joiner stands there.
    private static func acrossJoiner(_ text: UnsafeBufferPointer<UInt8>, from offset: Int, step: Int) -> Int? {
        var index = offset
        func byte() -> UInt8? {
            let at = step > 0 ? index : index - 1
            return at >= 0 && at < text.count ? text[at] : nil
        }
        var blanks = 0
        while blanks < 2, byte() == 32 { index += step; blanks += 1 }
        guard let joiner = byte(), joiners.contains(joiner) else { return nil }
        index += step
        blanks = 0
        while blanks < 2, byte() == 32 { index += step; blanks += 1 }
        return index
    }

    /// A letter or digit, or one blank, hyphen or dot between two of them.
    private static func isPart(_ text: UnsafeBufferPointer<UInt8>, _ index: Int, step: Int) -> Bool {
        if UKFormats.isAlnum(text[index]) { return true }
        guard [32, 45, 46].contains(text[index]) else { return false }
        let next = index + step, previous = index - step
        return next >= 0 && next < text.count && previous >= 0 && previous < text.count
            && UKFormats.isAlnum(text[next]) && UKFormats.isAlnum(text[previous])
    }

    /// Two prefix letters, six digits and a suffix A–D, laid out as a NINO on its own must be
    /// (``DetectorKind/refineNINO``: pairs or threes, one separator throughout), so a neighbour
    /// that would not be reported itself (`AB 12-34 56 C`) vouches for nothing.
    private static func isFullNINO(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var chars: [UInt8] = []
        for index in range where UKFormats.isAlnum(text[index]) { chars.append(UKFormats.upper(text[index])) }
        guard chars.count == 9, UKFormats.isNINOPrefix(chars[0], chars[1]),
              chars[2..<8].allSatisfy(UKFormats.isDigit), (65...68).contains(chars[8]) else { return false }
        // Nine characters: the refiner decides on the layout alone (it asks no neighbour).
        return !DetectorKind.refineNINO(text, range).isEmpty
    }
}
