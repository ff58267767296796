/// Context for a NINO written without its suffix letter, which on its own is too weak to report:
/// the word `NI` right before it (`NI JG103755`, `NI: JG 10 37 55`), or a full NINO (suffix and
/// all) joined to it in a list (`AB123456C/JG103755`, `JG103755, AB123456C`).
enum NINONeighbours {
    static let joiners = ByteSet("/,;|+&".utf8)
    static let niWords: [[UInt8]] = ["ni", "nin", "nino"].map { Array($0.utf8) }

    /// Whether the suffixless NINO at `match` has the word NI right before it or a full NINO joined
    /// to it, directly or through other suffixless NINOs in the same list
    /// (`AB123456C/JG103755/CE123456`).
    static func vouchFor(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>) -> Bool {
        afterNIWord(text, match.lowerBound) || chained(text, from: match.upperBound, step: 1) || chained(text, from: match.lowerBound, step: -1)
    }

    /// `NI` (or `NINO`, `NIN`), then at most two blanks, a colon, hyphen or `#`, right before `start`.
    static func afterNIWord(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        var index = start
        while index > 0, start - index < 3, [32, 9, 58, 35, 45].contains(text[index - 1]) { index -= 1 }
        return GluedKeywords.ends(text, at: index, with: niWords)
    }

    /// The list items past `offset` in the direction `step` (after a joiner each): true at the
    /// first full NINO, false at the first item that is not a NINO with or without its suffix,
    /// and after eight items.
    static func chained(_ text: UnsafeBufferPointer<UInt8>, from offset: Int, step: Int) -> Bool {
        var offset = offset
        for _ in 0..<8 {
            guard let item = neighbour(text, from: offset, step: step) else { return false }
            if isFullNINO(text, item) { return true }
            guard isSuffixlessNINO(text, item) else { return false }
            offset = step > 0 ? item.upperBound : item.lowerBound
        }
        return false
    }

    /// The item (at most nine letters and digits, one blank, hyphen or dot between two of them)
    /// that stands after a joiner at `offset`, reading in the direction `step`.
    static func neighbour(_ text: UnsafeBufferPointer<UInt8>, from offset: Int, step: Int) -> Range<Int>? {
        guard let edge = acrossJoiner(text, from: offset, step: step) else { return nil }
        var far = edge, count = 0
        if step > 0 {
            while far < text.count, count < 9, isPart(text, far, step: 1) {
                if UKFormats.isAlnum(text[far]) { count += 1 }
                far += 1
            }
            if far < text.count, UKFormats.isAlnum(text[far]) || text[far] == 95 { return nil }
            return edge..<far
        }
        while far > 0, count < 9, isPart(text, far - 1, step: -1) {
            if UKFormats.isAlnum(text[far - 1]) { count += 1 }
            far -= 1
        }
        if far > 0, UKFormats.isAlnum(text[far - 1]) || text[far - 1] == 95 { return nil }
        return far..<edge
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

    /// Two prefix letters and six digits with no suffix, laid out as a NINO must be.
    private static func isSuffixlessNINO(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var count = 0
        for index in range where UKFormats.isAlnum(text[index]) { count += 1 }
        guard count == 8, let item = range.first(where: { UKFormats.isAlnum(text[$0]) }), UKFormats.isLetter(text[item]) else { return false }
        return !DetectorKind.ninoCandidate(text, range, askNeighbours: false).isEmpty
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
