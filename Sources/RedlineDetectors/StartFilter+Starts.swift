/// The start ranges of one cluster under one rule, apart from the walks over the clusters
/// (``StartRule/regions(minDigits:shape:_:subsets:_:into:)`` for one rule,
/// ``StartRule/regions(of:_:keywordFamilies:_:into:)`` for all rules in one pass).
extension StartRule {
    /// Adds to `out` the start ranges that cluster `index` allows under `shape` (the caller has
    /// checked the rule's minimum digits). `forms`: the cluster's keyword forms
    /// (``KeywordLed/keywordForms(_:_:families:)``) when listed for the kind, else nil (read here).
    @inline(__always)
    static func addStarts(_ shape: Shape, cluster index: Int, _ clusters: UnsafeBufferPointer<DigitCluster>, forms: UInt8?,
                          _ text: UnsafeBufferPointer<UInt8>, into out: inout [ClosedRange<Int>]) {
        @inline(__always) func append(_ low: Int, _ high: Int) { StartRule.append(low, high, text, into: &out) }
        let count = text.count
        let cluster = clusters[index]
        let first = cluster.first
        switch shape {
        case let .inCluster(lead):
            append(first - lead, cluster.last)
        case .phoneStart:
            // A `4` right after a `+` glued to a digit (`…900123+44 7700 900456`; `+` is no gap
            // byte, so that `4` opens its cluster): the `+` is not part of the match there, but
            // makes the number international.
            if first >= 2, text[first] == 52, text[first - 1] == 43, StartRule.isDigit(text[first - 2]) { append(first, first) }
            for position in max(0, first - 2)...cluster.last {
                let byte = text[position]
                guard byte == 48 || byte == 43 || byte == 40 else { continue }
                if position > 0, StartRule.isWord(text[position - 1])
                    || (text[position - 1] == 43 && !(position > 1 && StartRule.isDigit(text[position - 2]))) { continue }
                append(position, position)
            }
        case .bankPair:
            if cluster.digits >= 14 {
                append(first, cluster.last)
            } else if index + 1 < clusters.count, clusters[index + 1].digits >= 6 {
                var position = cluster.last + 1
                let next = clusters[index + 1].first
                // The words between are at most `and account number` (16 letters; caseless `ſ`
                // takes two bytes): more letters than that and no match spans the two clusters.
                var letters = 0
                while position < next, StartRule.bankBetween[Int(text[position])] {
                    if text[position] >= 0x41 && text[position] != 0x5F {
                        letters += 1
                        if letters > StartRule.bankWordBytes { break }
                    }
                    position += 1
                }
                if position == next { append(first, cluster.last) }
            }
        case .ninoLead:
            // Separators: up to four of [ \t./_-], then a line break and up to two blanks.
            // The byte before the cluster is a letter (no separator) or a separator byte.
            guard first >= 2 else { return }
            let before = text[first - 1]
            guard StartRule.isLetter(before) || StartRule.isSameLineSeparator(before) || before == 10 || before == 13 else { return }
            // The separator holds only `[ \t./_\-\r\n]` bytes, so only one length can fit: the run of
            // such bytes that ends at the cluster (shorter puts one where a letter must be; longer
            // takes in the byte that ended the run).
            var separator = 0
            while separator <= 8, first - 1 - separator >= 0, StartRule.isSeparatorByte(text[first - 1 - separator]) { separator += 1 }
            guard separator <= 8 else { return }
            let start = first - 2 - separator
            guard start >= 0, StartRule.isLetter(text[start]), StartRule.isLetter(text[start + 1]),
                  StartRule.isSeparator(text, start + 2, first) else { return }
            if start > 0, StartRule.isWord(text[start - 1]), !GluedKeywords.ends(text, at: start, with: GluedKeywords.ninoBytes) { return }
            append(start, start)
        case .ibanLead:
            guard first >= 2, first + 1 < count, StartRule.isDigit(text[first + 1]),
                  StartRule.isLetter(text[first - 1]), StartRule.isLetter(text[first - 2]),
                  StartRule.ibanCountries[StartRule.letterPair(text[first - 2], text[first - 1])] else { return }
            if first > 2, StartRule.isWord(text[first - 3]) { return }
            append(first - 2, first - 2)
        case let .keywordLed(family):
            let lead = family.lead
            if family.keywordFollows(text, cluster.last) {
                append(first - lead, cluster.last)
                return
            }
            // The keyword form: the value opens the cluster, its keyword stands before it.
            let keywordForm: Bool
            if let forms {
                keywordForm = forms & family.bit != 0
            } else {
                keywordForm = family.valueStarts(text, first) && family.keywordBefore(text, first)
            }
            if family.hasCardForm && cluster.digits >= 12 {
                // A card number opens the candidate at one of the cluster's digits.
                append(keywordForm ? first - lead : first, cluster.last)
            } else if keywordForm {
                append(first - lead, first)
            }
        case .vatLead:
            if cluster.digits >= 9 {
                StartRule.forEachRun(text, cluster) { run in
                    switch run.count {
                    case 3, 7, 9, 12: append(run.lowerBound - 3, run.lowerBound)
                    default: break
                    }
                }
            } else {
                let lead = first >= 1 && text[first - 1] == 32 ? first - 1 : first
                guard lead >= 2 else { return }
                let pair = (text[lead - 2] | 0x20, text[lead - 1] | 0x20)
                if pair == (103, 100) || pair == (104, 97) { append(lead - 2, lead - 2) }
            }
        case .passportRun:
            StartRule.forEachRun(text, cluster) { run in
                if run.count == 9 { append(run.lowerBound, run.lowerBound) }
                if run.count == 3, StartRule.opensThrees(text, run.upperBound) { append(run.lowerBound, run.lowerBound) }
            }
        case .utrRuns:
            var previous: Range<Int>?
            StartRule.forEachRun(text, cluster) { run in
                if run.count == 10 { append(run.lowerBound, run.lowerBound) }
                if run.count == 5, let before = previous, before.count == 5, run.lowerBound - before.upperBound == 1, text[before.upperBound] == 32 {
                    append(before.lowerBound, before.lowerBound)
                }
                previous = run
            }
        case .licenceDate:
            StartRule.forEachRun(text, cluster) { run in
                guard (6...10).contains(run.count), run.upperBound < count, text[run.upperBound] == 32 || StartRule.isLetter(text[run.upperBound]) else { return }
                let date = run.upperBound - 6
                for index in run.lowerBound..<date where text[index] != 57 { return }
                append(date - 6, date - 5)
            }
        case .postcodeLead:
            guard first >= 1 else { return }
            let before = text[first - 1]
            if StartRule.isLetter(before) || before >= 0x80 {
                // The inward code `[0-9][A-Za-z]{2}` starts within eleven bytes of the first digit
                // (`[A-Za-z0-9]?` and up to seven bytes of blanks and line break between;
                // caseless UTF mode lets a three-byte Kelvin sign stand for `k`).
                var inward = false
                for offset in 0...11 where first + offset + 1 < count {
                    if StartRule.isDigit(text[first + offset]), StartRule.isLetterLike(text[first + offset + 1]) {
                        inward = true
                        break
                    }
                }
                if inward { append(first - 6, first - 1) }
            } else if let gir = StartRule.girStart(before: first, text) {
                append(gir, gir)
            }
        }
    }

    /// Adds `lowBound...highBound` to `out`, widened to a character's first byte and merged with
    /// the ranges it touches (it may start before the last one: a keyword-led range reaches back
    /// before a card's range that ended earlier).
    @inline(__always)
    static func append(_ lowBound: Int, _ highBound: Int, _ text: UnsafeBufferPointer<UInt8>, into out: inout [ClosedRange<Int>]) {
        if highBound < 0 { return }
        var low = max(lowBound, 0)
        var high = highBound
        // Never start inside a UTF-8 sequence: widen to the character's first byte.
        while low > 0, text[low] & 0xC0 == 0x80 { low -= 1 }
        while let last = out.last, low <= last.upperBound + 1 {
            low = min(low, last.lowerBound)
            high = max(high, last.upperBound)
            out.removeLast()
        }
        out.append(low...high)
    }
}
