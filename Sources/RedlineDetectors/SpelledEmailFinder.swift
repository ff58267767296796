/// E-mail addresses written to get past filters: `jane dot doe at gmail dot com`,
/// `jane(at)gmail(dot)com`, `jane [at] gmail [dot] com`, `jane (at) gmail (dot) co (dot) uk`,
/// `jane @ gmail . com`, `JANE AT GMAIL DOT COM`.
///
/// A finding covers the whole written address (redaction removes all of it); its value is the
/// address it spells (`jane.doe@gmail.com`, lower case), so allowlist values, patterns and keyed
/// fingerprints treat it as the plain address. Ordinary English must not fire: the domain ends in
/// a known top-level domain (``TopLevelDomains``), and the plain word `at` needs a spelled `dot`
/// between every pair of domain labels (`visit us at example.com` is a web site, not an address),
/// a local part that is not a common word (`look at gmail dot com`) and a domain that does not
/// start with one (`worked at the dot com boom`).
///
/// Cost: one pass over the window, sixteen bytes at a time, for `@` and the word `at` in any case
/// (``scanAtMarks(_:_:)``); only there is anything read, and at a word `at` only the next word
/// unless a separator follows it.
enum SpelledEmailFinder {
    /// How an `at` or a `dot` was written.
    enum Token { case symbol, bracketed, word, glued }

    /// Adds the spelled addresses of `text` to `out`, skipping any that overlaps an address
    /// already there (found from its `@`).
    static func find(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Refined]) {
        // The addresses found from their `@`, in order: a mark inside one is not read again.
        let existing = out.map(\.range)
        var next = 0
        var lastEnd = 0
        scanAtMarks(text) { position in
            while next < existing.count, existing[next].upperBound <= position { next += 1 }
            if next < existing.count, existing[next].contains(position) { return }
            guard let found = address(text, mark: position), found.range.lowerBound >= lastEnd,
                  !existing.contains(where: { $0.overlaps(found.range) }) else { return }
            out.append(found)
            lastEnd = found.range.upperBound
        }
    }

    // MARK: the prefilter

    /// Calls `visit`, in order, with the offset of every `@`, and of every `t` (either case) that
    /// ends the two letters `at` standing alone: no ASCII letter right before the `a` or right
    /// after the `t` (` at `, `(at)`, `[AT]`). Sixteen bytes at a time: English text holds the
    /// letters `at` every few words (`that`, `what`, `date`), the word `at` far less often.
    @inline(__always)
    static func scanAtMarks(_ text: UnsafeBufferPointer<UInt8>, _ visit: (Int) -> Void) {
        let count = text.count
        guard count > 0, let base = text.baseAddress else { return }
        @inline(__always) func isMark(_ index: Int) -> Bool {
            if text[index] == 64 { return true }
            guard index >= 1, text[index] | 0x20 == 116, text[index - 1] | 0x20 == 97 else { return false }
            if index >= 2, UKFormats.isLetter(text[index - 2]) { return false }
            return !(index + 1 < count && UKFormats.isLetter(text[index + 1]))
        }
        let raw = UnsafeRawPointer(base)
        let lowerCase = SIMD16<UInt8>(repeating: 0x20)
        let letterA = SIMD16<UInt8>(repeating: 0x61), letterT = SIMD16<UInt8>(repeating: 0x74)
        let atSign = SIMD16<UInt8>(repeating: 0x40), alphabet = SIMD16<UInt8>(repeating: 26)
        var index = 0
        while index < min(2, count) {
            if isMark(index) { visit(index) }
            index += 1
        }
        // Lane i of a block stands for offset index + i; it reads offsets index + i - 2 ... index + i + 1.
        while index + 17 <= count {
            let current = raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
            var marks = current .== atSign
            let folded = current | lowerCase
            let previous = raw.loadUnaligned(fromByteOffset: index - 1, as: SIMD16<UInt8>.self) | lowerCase
            let pair = (folded .== letterT) .& (previous .== letterA)
            if lanes(pair) != (0, 0) {
                let before = raw.loadUnaligned(fromByteOffset: index - 2, as: SIMD16<UInt8>.self) | lowerCase
                let after = raw.loadUnaligned(fromByteOffset: index + 1, as: SIMD16<UInt8>.self) | lowerCase
                marks = marks .| (pair .& ((before &- letterA) .>= alphabet) .& ((after &- letterA) .>= alphabet))
            }
            // (`any(_:)` is not inlined: it costs more than the comparisons.)
            var (low, high) = lanes(marks)
            while low != 0 {
                visit(index + low.trailingZeroBitCount >> 3)
                low &= ~(0xFF << (UInt64(low.trailingZeroBitCount) & ~7))
            }
            while high != 0 {
                visit(index + 8 + high.trailingZeroBitCount >> 3)
                high &= ~(0xFF << (UInt64(high.trailingZeroBitCount) & ~7))
            }
            index += 16
        }
        while index < count {
            if isMark(index) { visit(index) }
            index += 1
        }
    }

    /// The lanes of a mask as two words, each lane a byte of all ones or zeros.
    @inline(__always) static func lanes(_ mask: SIMDMask<SIMD16<Int8>>) -> (UInt64, UInt64) {
        unsafeBitCast(mask, to: (UInt64, UInt64).self)
    }

    // MARK: reading an address around one mark

    @inline(__always) static func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
    @inline(__always) static func opens(_ byte: UInt8) -> Bool { byte == 40 || byte == 91 || byte == 123 || byte == 60 }
    @inline(__always) static func closes(_ byte: UInt8) -> Bool { byte == 41 || byte == 93 || byte == 125 || byte == 62 }

    /// The `at` whose `@` or final `t` is at `mark`: where it starts and ends (blanks around it
    /// included) and how it was written; nil when it is none of the forms.
    static func atToken(_ text: UnsafeBufferPointer<UInt8>, mark: Int) -> (start: Int, end: Int, token: Token)? {
        let count = text.count
        if text[mark] == 64 {
            // `jane @ gmail . com`: a `@` with a blank on either side; without (`jane@gmail dot com`)
            // a spelled `dot` must follow.
            var start = mark, end = mark + 1
            while start > 0, mark - start < 2, isBlank(text[start - 1]) { start -= 1 }
            while end < count, end - mark < 3, isBlank(text[end]) { end += 1 }
            return (start, end, start == mark && end == mark + 1 ? .glued : .symbol)
        }
        let letterA = mark - 1
        guard letterA >= 1, mark + 1 < count else { return nil }
        let before = text[letterA - 1], after = text[mark + 1]
        if opens(before) && closes(after) {
            var start = letterA - 1, end = mark + 2
            while start > 0, letterA - 1 - start < 2, isBlank(text[start - 1]) { start -= 1 }
            while end < count, end - (mark + 2) < 2, isBlank(text[end]) { end += 1 }
            return (start, end, .bracketed)
        }
        // The word `at`, `AT` or `At` between blanks.
        guard isBlank(before), isBlank(after), text[mark] == 116 || text[letterA] == 65 else { return nil }
        return (letterA - 1, mark + 2, .word)
    }

    /// A `dot` ending just before `end` (its blanks included): where it starts and how it was written.
    static func dotToken(_ text: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> (start: Int, token: Token)? {
        var close = end
        while close > 0, end - close < 2, isBlank(text[close - 1]) { close -= 1 }
        if close >= 5, closes(text[close - 1]), isDot(text, close - 4), opens(text[close - 5]) {
            var start = close - 5
            while start > 0, close - 5 - start < 2, isBlank(text[start - 1]) { start -= 1 }
            return (start, .bracketed)
        }
        if end >= 5, isBlank(text[end - 1]), isDot(text, end - 4), isBlank(text[end - 5]) { return (end - 5, .word) }
        return nil
    }

    /// A `dot` starting at `start` (its blanks included): where it ends and how it was written.
    static func dotToken(_ text: UnsafeBufferPointer<UInt8>, startingAt start: Int) -> (end: Int, token: Token)? {
        let count = text.count
        var open = start
        while open < count, open - start < 2, isBlank(text[open]) { open += 1 }
        if open + 5 <= count, opens(text[open]), isDot(text, open + 1), closes(text[open + 4]) {
            var end = open + 5
            while end < count, end - (open + 5) < 2, isBlank(text[end]) { end += 1 }
            return (end, .bracketed)
        }
        if start + 5 <= count, isBlank(text[start]), isDot(text, start + 1), isBlank(text[start + 4]) { return (start + 5, .word) }
        return nil
    }

    /// `dot`, `DOT` or `Dot` at `index`.
    @inline(__always) static func isDot(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        let (d, o, t) = (text[index], text[index + 1], text[index + 2])
        return (d | 0x20 == 100) && ((o == 111 && t == 116) || (o == 79 && t == 84))
    }

    /// A local-part label ending before `end`: letters and digits of any script, and `.` `_` `-` `+`.
    static func localLabel(_ text: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> Int {
        var start = end
        while start > 0, end - start < 64 {
            let byte = text[start - 1]
            if byte >= 0x80 {
                let length = WordScalars.wordLength(text, before: start)
                if length == 0 { break }
                start -= length
            } else if UKFormats.isAlnum(byte) || byte == 46 || byte == 95 || byte == 45 || byte == 43 {
                start -= 1
            } else {
                break
            }
        }
        return start
    }

    /// A domain label starting at `start`: letters and digits of any script, and `-`.
    static func domainLabel(_ text: UnsafeBufferPointer<UInt8>, startingAt start: Int) -> Int {
        var end = start
        while end < text.count, end - start < 63 {
            let byte = text[end]
            if byte >= 0x80 {
                let length = WordScalars.wordLength(text, at: end)
                if length == 0 { break }
                end += length
            } else if UKFormats.isAlnum(byte) || byte == 45 {
                end += 1
            } else {
                break
            }
        }
        return end
    }

    /// The address around the `at` at `mark`, or nil.
    static func address(_ text: UnsafeBufferPointer<UInt8>, mark: Int) -> Refined? {
        guard let at = atToken(text, mark: mark) else { return nil }
        let plainWord = at.token == .word
        // Most marks are the word `at` in a sentence (`at the office`): unless a separator follows
        // the first word after it, there is no domain, and nothing more is read.
        let firstEnd = domainLabel(text, startingAt: at.end)
        guard firstEnd > at.end, firstEnd < text.count,
              text[firstEnd] == 46 || dotToken(text, startingAt: firstEnd) != nil
                || (!plainWord && firstEnd + 3 < text.count && isBlank(text[firstEnd]) && text[firstEnd + 1] == 46)
        else { return nil }
        // Local part, right to left: labels joined by a spelled `dot` (`jane dot doe`).
        var localLabels: [Range<Int>] = []
        var position = at.start
        while localLabels.count < 8 {
            let start = localLabel(text, endingAt: position)
            guard start < position else { break }
            localLabels.append(start..<position)
            guard let dot = dotToken(text, endingAt: start), dot.start < start else { break }
            position = dot.start
        }
        // The local part starts where a word starts (not 64 bytes into a longer run, not after `@`).
        guard let first = localLabels.last, let last = localLabels.first else { return nil }
        if first.lowerBound > 0 {
            let before = text[first.lowerBound - 1]
            if UKFormats.isAlnum(before) || before == 64 { return nil }
            if before >= 0x80, WordScalars.wordLength(text, before: first.lowerBound) > 0 { return nil }
        }
        for label in localLabels {
            if text[label.lowerBound] == 46 || text[label.upperBound - 1] == 46 { return nil }
        }
        if at.token == .word || at.token == .symbol, localLabels.count == 1, isCommonWord(text, last) { return nil }
        // Domain, left to right: labels joined by a spelled `dot`, a `.`, or ` . ` after a symbol.
        var domainLabels: [Range<Int>] = []
        var separators: [Token] = []
        position = at.end
        while domainLabels.count < 10 {
            let end = domainLabel(text, startingAt: position)
            guard end > position, text[position] != 45, text[end - 1] != 45 else { break }
            domainLabels.append(position..<end)
            if end < text.count, text[end] == 46, end + 1 < text.count, domainLabel(text, startingAt: end + 1) > end + 1 {
                separators.append(.symbol)
                position = end + 1
            } else if let dot = dotToken(text, startingAt: end), dot.end < text.count, domainLabel(text, startingAt: dot.end) > dot.end {
                separators.append(dot.token)
                position = dot.end
            } else if !plainWord, end + 3 < text.count, isBlank(text[end]), text[end + 1] == 46, isBlank(text[end + 2]),
                      domainLabel(text, startingAt: end + 3) > end + 3 {
                separators.append(.symbol) // ` . `
                position = end + 3
            } else {
                break
            }
        }
        // The longest run of labels that ends in a known top-level domain.
        var labelCount = domainLabels.count
        while labelCount >= 2, !TopLevelDomains.contains(text, domainLabels[labelCount - 1]) { labelCount -= 1 }
        guard labelCount >= 2 else { return nil }
        let usedSeparators = separators[0..<(labelCount - 1)]
        // Something was spelled out: `jane@gmail.com` is the `@` finder's, and a plain `at` with
        // only full stops after it is a web site (`visit us at example.com`).
        if at.token == .glued || plainWord {
            guard usedSeparators.contains(where: { $0 != .symbol }) else { return nil }
        }
        // A common word right after a plain `at` is English (`worked at the dot com boom`), unless
        // it names a mail host (`tom at mail dot com`) or more labels follow (`tom at mail dot
        // example dot org`, `sam at home dot co dot uk`): then it spells a domain.
        if plainWord, labelCount == 2, isCommonWord(text, domainLabels[0]), !isMailWord(text, domainLabels[0]) { return nil }
        let end = domainLabels[labelCount - 1].upperBound
        if end < text.count, text[end] == 64 { return nil }
        // The address it spells, lower case.
        var value: [UInt8] = []
        for (index, label) in localLabels.reversed().enumerated() {
            if index > 0 { value.append(46) }
            value += text[label].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        }
        value.append(64)
        for index in 0..<labelCount {
            if index > 0 { value.append(46) }
            value += text[domainLabels[index]].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        }
        return Refined(range: first.lowerBound..<end, value: value, confidence: plainWord ? .low : .medium)
    }

    /// Words that stand before or after a plain `at` in ordinary sentences (`look at`, `email us
    /// at`, `at the`), never taken for a local part or a first domain label of a spelled address.
    static let commonWords: Set<[UInt8]> = Set("""
        a an the my your our his her their its this that these those some any no every each one all \
        me us you him them it we they i he she who what there here home work works worked working \
        look looking looked see visit visiting online shop shopping buy bought order ordered found find \
        available live lives lived stay staying be is are was were been am arrive arrived arriving meet met \
        email e-mail mail write call message contact reach based held sold listed now today
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Array($0.utf8) })

    /// `mail`, `email` or `e-mail` in any case: common words, and the first label of many mail hosts.
    static func isMailWord(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count <= 6 else { return false }
        let word = text[range].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return word == Array("mail".utf8) || word == Array("email".utf8) || word == Array("e-mail".utf8)
    }

    static func isCommonWord(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count <= 9 else { return false }
        return commonWords.contains(text[range].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
    }
}
