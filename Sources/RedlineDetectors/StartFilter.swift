import RedlinePCRE2

/// A cheap byte-level prefilter for the built-in pattern detectors: one pass over the text finds
/// its *digit clusters* (digits joined by gaps of at most eight bytes of ` \t./_-()\r\n`), and each
/// kind turns them into the few byte ranges where a match that matters can start. The scanner
/// then runs its PCRE2 pattern only there, with `pcre2_set_offset_limit` bounding the start.
///
/// Why the findings cannot change: the scanner's loop (`DetectorScanner.runPattern`) resumes
/// after an unproductive candidate (one the validator rejects, at most 256 bytes long) at the
/// next character, so a run of unproductive candidates ends at the first match starting at or
/// after any position the loop passes. Skipping the text where only unproductive candidates can
/// start therefore leads to the same next match. Each rule below is a *necessary* condition for a
/// productive match (one that validates, or is longer than 256 bytes), derived from its pattern:
///
/// - every digit the patterns allow between separators is an ASCII `[0-9]`, and the separators
///   they allow between two digits (`Pattern.sep`: `[ \t./_\-]{0,4}` then a line break and up to
///   two blanks; the phone's `[ \-]?[()]?[ \-]?` then the same line break) are at most eight
///   bytes of ` \t./_-()\r\n`, so all the digits of one match lie in one cluster;
/// - the validators need at least 12 digits (cards), 10 (NHS, exactly), 9 (phone, `{8,13}` + 1),
///   6 (bank: `NN?NN?NN` or `N{8}` first), 6 (NINO), 2 (IBAN, right after two ASCII letters),
///   9 (passport, contiguous), 10 (UTR, `N{5} ?N{5}`), 9 (VAT, within three bytes of `GB `) or 3
///   right after `GD`/`HA`; 6 (driving licence: the date digits, at most six bytes after the
///   start, the surname's padding 9s joining their cluster); passport, UTR, VAT and driving
///   licence also pin the start to the digit runs their patterns need (see ``Shape``);
/// - the keyword-led kinds (date of birth, security code, expiry): see ``KeywordLed``;
/// - postcodes have a digit right after a letter (`[A-Za-z]{1,2}[0-9]`; caseless UTF mode also
///   lets the two-byte `ſ` and three-byte Kelvin sign stand for `s` and `k`) or after `GIR` and an
///   optional blanks and line break.
///
/// A rule holds only for the pattern it was derived from: it records a fingerprint of the
/// pattern source and options, and a kind whose pattern changed is scanned in full (correct,
/// only slower) until its rule is re-derived. `StartFilterTests` fails while that is the case.
struct StartRule: Sendable {
    enum Shape: Sendable {
        /// Starts anywhere from `lead` bytes before the cluster's first digit to its last digit.
        case inCluster(lead: Int)
        /// UK phone: the validator needs a national `0…` or an international `+44`/`(+44`, so a
        /// productive match starts at a `0`, `+` or `(` (from two bytes before the cluster), and
        /// the pattern's look-behind allows no `[A-Za-z0-9_]` before it, nor a `+` that does not
        /// follow a digit (a `+` after a digit joins two numbers: `07700900123+07700900456`); or
        /// at a `4` right after such a `+` (`…123+44 7700 900456`, read as international by the validator).
        case phoneStart
        /// Bank details: 6 digits (`NN?NN?NN`) and 8 digits (or 8 then 6) with only whitespace,
        /// `,;:/#.` and the letters of `account no` / `sort code` between them. So the cluster
        /// holds 14 digits, or it has 6 and the next cluster has 6 with only such bytes between.
        case bankPair
        /// Two ASCII letters (not after `[A-Za-z0-9_]` unless a glued keyword, ``GluedKeywords/nino``,
        /// stands there) and a separator (``Pattern/sep``) right before the cluster: the start of a NINO.
        case ninoLead
        /// Two ASCII letters naming an IBAN country (not after `[A-Za-z0-9_]`) right before a
        /// cluster that starts with two digits.
        case ibanLead
        /// A keyword, then the value (see ``KeywordLed``); or, for the kinds that have one, a card
        /// number's cluster.
        case keywordLed(KeywordLed)
        /// GB VAT: in a cluster of 9 or more digits, a run of 3, 7, 9 or 12 digits (the first run of
        /// `NNN NNNN NN NNN` with optional single spaces: the pattern allows no digit right before
        /// or after it), starting from three bytes before the run (`GB `); or a cluster right after
        /// `GD`/`HA` (either case) and an optional space.
        case vatLead
        /// UK passport: a run of exactly 9 contiguous digits (`[0-9]{9}`, no digit on either side),
        /// or a run of exactly 3 that opens `NNN NNN NNN` / `NNN-NNN-NNN` (``opensThrees(_:_:)``);
        /// the match starts at the run.
        case passportRun
        /// UTR: a run of exactly 10 digits, or of 5 then one space and a run of exactly 5
        /// (`[0-9]{5} ?[0-9]{5}`, no digit on either side); the match starts at the first run.
        case utrRuns
        /// Driving licence: the six date digits end a run (a space or a letter follows), which may
        /// hold up to four padding `9`s of the surname before them; the match starts five bytes
        /// before the date digits, or six with a space between.
        case licenceDate
        /// One or two letters (up to six bytes in caseless UTF mode) right before the cluster,
        /// with the inward code's digit and a letter within the next twelve bytes; or `GIR`, up to
        /// seven blanks and line-break bytes, then the cluster.
        case postcodeLead
    }

    let kindID: String
    /// FNV-1a 64 of the pattern source and option bits this rule was derived from.
    let fingerprint: UInt64
    let minDigits: Int
    let shape: Shape

    static let all: [StartRule] = [
        StartRule(kindID: "payment_card", fingerprint: 0xD3B6_3A36_313B_9232, minDigits: 12, shape: .inCluster(lead: 0)),
        StartRule(kindID: "nhs_number", fingerprint: 0x2BED_AED2_D0AA_DC25, minDigits: 10, shape: .inCluster(lead: 0)),
        StartRule(kindID: "uk_phone", fingerprint: 0xA0E9_6035_D99C_7BE4, minDigits: 9, shape: .phoneStart),
        StartRule(kindID: "uk_bank_account", fingerprint: 0x6779_EAD2_6409_FEA9, minDigits: 6, shape: .bankPair),
        StartRule(kindID: "uk_nino", fingerprint: 0x7D4C_5636_2EE0_C892, minDigits: 6, shape: .ninoLead),
        StartRule(kindID: "iban", fingerprint: 0x64B1_A239_C97D_F719, minDigits: 2, shape: .ibanLead),
        StartRule(kindID: "uk_postcode", fingerprint: 0x2656_011E_CEAE_1F49, minDigits: 1, shape: .postcodeLead),
        StartRule(kindID: "uk_passport", fingerprint: 0x50DB_3837_38C5_D7AC, minDigits: 9, shape: .passportRun),
        StartRule(kindID: "uk_utr", fingerprint: 0xF05D_A73A_DEF7_571A, minDigits: 10, shape: .utrRuns),
        StartRule(kindID: "uk_vat", fingerprint: 0x7D03_1A0E_39D5_CA0B, minDigits: 3, shape: .vatLead),
        StartRule(kindID: "uk_driving_licence", fingerprint: 0x02AE_70B7_EA10_C233, minDigits: 6, shape: .licenceDate),
        StartRule(kindID: "date_of_birth", fingerprint: 0xCA67_0E71_9989_648C, minDigits: 1, shape: .keywordLed(.birth)),
        StartRule(kindID: "card_security_code", fingerprint: 0xB542_12AC_0732_CF90, minDigits: 1, shape: .keywordLed(.securityCode)),
        StartRule(kindID: "card_expiry", fingerprint: 0x751A_6B6E_36AE_51B4, minDigits: 1, shape: .keywordLed(.expiry)),
    ]

    /// The rule for a kind, if one was derived from its current pattern.
    static func rule(for kind: DetectorKind) -> StartRule? {
        guard case let .pattern(source, options) = kind.source,
              let rule = all.first(where: { $0.kindID == kind.id }),
              rule.fingerprint == fingerprint(source, options) else { return nil }
        return rule
    }

    static func fingerprint(_ source: String, _ options: PatternOptions) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in source.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return (hash ^ UInt64(options.rawValue)) &* 0x0000_0100_0000_01B3
    }

    /// Appends the start ranges (inclusive, sorted, merged) this rule allows in `text`.
    func regions(_ clusters: [DigitCluster], _ text: UnsafeBufferPointer<UInt8>, into out: inout [ClosedRange<Int>]) {
        StartRule.regions(minDigits: minDigits, shape: shape, clusters, subsets: nil, text, into: &out)
    }

    /// Clusters with at least this many digits are also listed apart, so that rules needing as
    /// many skip the short ones (times, dates, amounts) without visiting them.
    static let longClusterDigits = 6

    /// Indices of two kinds of clusters, listed once per text (see ``regions(minDigits:shape:_:subsets:_:into:)``).
    struct Subsets {
        /// Clusters with at least ``longClusterDigits`` digits.
        var long: [Int] = []
        /// Clusters right after an ASCII letter or a non-ASCII byte, or after `GIR ` (see ``hasLetterLead(_:_:)``).
        var lettered: [Int] = []
        /// Per cluster, the keyword-led kinds whose keyword form can start at its first digit
        /// (``KeywordLed/keywordForms(_:_:families:)``); empty when none is scanned for.
        var keywordForms: [UInt8] = []
        /// The keyword-led kinds (``KeywordLed/bit``s) ``keywordForms`` and ``keywordLed`` were listed for.
        var keywordFamilies: UInt8 = 0
        /// Clusters where a keyword-led kind of ``keywordFamilies`` can start: a keyword form, 12 or
        /// more digits (the card forms), or a birth keyword right after. At every other cluster the
        /// `.keywordLed` walk adds nothing, so it visits only these.
        var keywordLed: [Int] = []

        /// `keywordFamilies`: the ``KeywordLed/bit``s of the keyword-led kinds scanned for.
        mutating func build(_ clusters: [DigitCluster], _ text: UnsafeBufferPointer<UInt8>, keywordFamilies: UInt8 = 0) {
            long.removeAll(keepingCapacity: true)
            lettered.removeAll(keepingCapacity: true)
            keywordForms.removeAll(keepingCapacity: true)
            keywordLed.removeAll(keepingCapacity: true)
            self.keywordFamilies = keywordFamilies
            for (index, cluster) in clusters.enumerated() {
                if cluster.digits >= StartRule.longClusterDigits { long.append(index) }
                if StartRule.hasLetterLead(cluster.first, text) { lettered.append(index) }
            }
            guard keywordFamilies != 0 else { return }
            let birth = keywordFamilies & KeywordLed.birth.bit != 0
            for (index, cluster) in clusters.enumerated() {
                let forms = KeywordLed.keywordForms(text, cluster.first, families: keywordFamilies)
                keywordForms.append(forms)
                if forms != 0 || cluster.digits >= 12 || (birth && KeywordLed.birth.keywordFollows(text, cluster.last)) { keywordLed.append(index) }
            }
        }
    }

    /// What an IBAN or a postcode needs right before its first digit: an ASCII letter or a byte of
    /// a non-ASCII character, or `GIR` and a space (every text start the two rules accept).
    @inline(__always)
    static func hasLetterLead(_ first: Int, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard first >= 1 else { return false }
        let before = text[first - 1]
        if isLetter(before) || before >= 0x80 { return true }
        // `GIR` needs a blank or line break between it and the digits (a letter is taken above).
        return isBlankOrBreak(before) && girStart(before: first, text) != nil
    }

    /// ``regions(_:_:into:)`` for a rule given by its parts (plain values, nothing to retain).
    /// With `subsets`, a rule visits only the clusters it can use: those with enough digits, or
    /// those led by a letter (IBAN, postcode); the rest cannot yield a start.
    static func regions(minDigits: Int, shape: Shape, _ clusters: [DigitCluster], subsets: Subsets?, _ text: UnsafeBufferPointer<UInt8>,
                        into out: inout [ClosedRange<Int>]) {
        if !out.isEmpty { out.removeAll(keepingCapacity: true) }
        switch (subsets, shape) {
        case let (subsets?, .ibanLead), let (subsets?, .postcodeLead):
            walk(subsets.lettered, minDigits: minDigits, shape: shape, clusters, subsets: subsets, text, into: &out)
        case let (subsets?, .keywordLed(family)) where subsets.keywordFamilies & family.bit != 0:
            walk(subsets.keywordLed, minDigits: minDigits, shape: shape, clusters, subsets: subsets, text, into: &out)
        case let (subsets?, _) where minDigits >= longClusterDigits:
            walk(subsets.long, minDigits: minDigits, shape: shape, clusters, subsets: subsets, text, into: &out)
        default:
            walk(clusters.indices, minDigits: minDigits, shape: shape, clusters, subsets: subsets, text, into: &out)
        }
    }

    /// Adds the start ranges the clusters at `indices` allow.
    @inline(__always)
    private static func walk<Indices: Sequence<Int>>(_ indices: Indices, minDigits: Int, shape: Shape, _ clusters: [DigitCluster],
                                                     subsets: Subsets?, _ text: UnsafeBufferPointer<UInt8>, into out: inout [ClosedRange<Int>]) {
        let forms = subsets?.keywordForms ?? []
        clusters.withUnsafeBufferPointer { clusters in
            for index in indices where clusters[index].digits >= minDigits {
                addStarts(shape, cluster: index, clusters, forms: forms.isEmpty ? nil : forms[index], text, into: &out)
            }
        }
    }

    /// Calls `body` with each run of contiguous digits of `cluster`, in order.
    @inline(__always)
    static func forEachRun(_ text: UnsafeBufferPointer<UInt8>, _ cluster: DigitCluster, _ body: (Range<Int>) -> Void) {
        var index = cluster.first
        while index <= cluster.last {
            guard isDigit(text[index]) else {
                index += 1
                continue
            }
            let start = index
            while index <= cluster.last, isDigit(text[index]) { index += 1 }
            body(start..<index)
        }
    }

    /// Whether `text[from..<to]` is a separator of ``Pattern/sep``: up to four of `[ \t./_\-]`,
    /// then optionally a line break (`\r\n`, `\r` or `\n`) and up to two blanks.
    static func isSeparator(_ text: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var index = from
        while index < to, index - from < 4, isSameLineSeparator(text[index]) { index += 1 }
        if index < to, text[index] == 13 || text[index] == 10 {
            index += text[index] == 13 && index + 1 < to && text[index + 1] == 10 ? 2 : 1
            let blanks = index
            while index < to, index - blanks < 2, text[index] == 32 || text[index] == 9 { index += 1 }
        }
        return index == to
    }

    /// The start of `GIR` when it stands before `first` with up to seven blanks and line-break
    /// bytes between (at least one, or none at all).
    static func girStart(before first: Int, _ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = first
        while index > 0, first - index < 7, isBlankOrBreak(text[index - 1]) { index -= 1 }
        guard index >= 3, text[index - 3] | 0x20 == 103, text[index - 2] | 0x20 == 105, text[index - 1] | 0x20 == 114 else { return nil }
        return index - 3
    }

    /// One of `[ \t./_\-]`, the same-line separator bytes of ``Pattern/sep``.
    @inline(__always) static func isSameLineSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case 32, 9, 46, 47, 95, 45: return true
        default: return false
        }
    }
    /// A byte ``isSeparator(_:_:_:)`` accepts anywhere in a separator: `[ \t./_\-\r\n]`.
    @inline(__always) static func isSeparatorByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 32, 9, 46, 47, 95, 45, 13, 10: return true
        default: return false
        }
    }
    /// A blank or a line-break byte: `[ \t\r\n]`.
    @inline(__always) static func isBlankOrBreak(_ byte: UInt8) -> Bool {
        switch byte {
        case 32, 9, 13, 10: return true
        default: return false
        }
    }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 97 < 26 }
    /// An ASCII letter, or a byte of a non-ASCII character (caseless UTF mode: `ſ`, Kelvin sign).
    @inline(__always) static func isLetterLike(_ byte: UInt8) -> Bool { isLetter(byte) || byte >= 0x80 }
    @inline(__always) static func isWord(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) || byte == 95 }

    /// Bytes that may stand between the two digit groups of bank details: `\s`, `,;:/#.()-`, letters
    /// (the `account no` / `sort-code` words) and non-ASCII bytes (caseless `ſ`).
    static let bankBetween: [Bool] = (0..<256).map { (value: Int) -> Bool in
        let byte = UInt8(value)
        return [9, 10, 11, 12, 13, 32, 44, 59, 58, 47, 35, 46, 40, 41, 45].contains(byte) || isLetter(byte) || byte >= 0x80
    }

    /// Most letter (or non-ASCII) bytes between the two digit groups of bank details: the
    /// longest words the pattern allows there are `and account number` (16 letters); slack for
    /// a caseless `ſ` (two bytes for `s`).
    static let bankWordBytes = 24

    static func letterPair(_ a: UInt8, _ b: UInt8) -> Int { Int((a | 0x20) - 97) * 26 + Int((b | 0x20) - 97) }

    /// IBAN country codes (either case), as `letterPair` indices.
    static let ibanCountries: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        for code in UKFormats.ibanLengths.keys {
            let bytes = Array(code.utf8)
            guard bytes.count == 2, isLetter(bytes[0]), isLetter(bytes[1]) else { continue }
            table[letterPair(bytes[0], bytes[1])] = true
        }
        return table
    }()
}

/// A maximal run of ASCII digits in which consecutive digits are at most eight bytes apart and
/// only ` \t./_-()\r\n` stand between them.
struct DigitCluster: Sendable {
    var first: Int
    var last: Int
    var digits: Int
}

enum DigitClusters {
    /// Gap bytes allowed between two digits of one cluster.
    private static let gapTable: [Bool] = (0..<256).map { (value: Int) -> Bool in
        [32, 9, 46, 47, 95, 45, 40, 41, 13, 10].contains(value)
    }

    /// The digit clusters of `text`, in order.
    static func find(_ text: UnsafeBufferPointer<UInt8>, into out: inout [DigitCluster]) {
        if !out.isEmpty { out.removeAll(keepingCapacity: true) }
        guard let base = text.baseAddress else { return }
        let count = text.count
        var index = 0
        gapTable.withUnsafeBufferPointer { gap in
            while index < count {
                // Skip to the next digit, eight bytes at a time where possible.
                while index + 8 <= count {
                    let digits = DigitClusters.digitBytes(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                    if digits != 0 {
                        // Straight to the first digit of the word (little-endian: lowest byte first).
                        index += digits.trailingZeroBitCount / 8
                        break
                    }
                    index += 8
                }
                while index < count, !StartRule.isDigit(base[index]) { index += 1 }
                guard index < count else { break }
                var cluster = DigitCluster(first: index, last: index, digits: 1)
                index += 1
                scan: while index < count {
                    let byte = base[index]
                    if StartRule.isDigit(byte) {
                        cluster.last = index
                        cluster.digits += 1
                        index += 1
                        continue
                    }
                    // Up to eight gap bytes, then a digit continues the cluster.
                    var probe = index
                    while probe < count, probe - index < 8, gap[Int(base[probe])] { probe += 1 }
                    if probe < count, probe > index, StartRule.isDigit(base[probe]) {
                        index = probe
                        continue scan
                    }
                    break
                }
                out.append(cluster)
            }
        }
    }

    /// The high bit of each byte of the word that is an ASCII digit, and no other bit (exact).
    @inline(__always) static func digitBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        // Bytes 0x30...0x39 become 0...9 after XOR 0x30 and have no high bit.
        let x = word ^ (ones &* 0x30)
        // Per byte, exactly: high bit set where (x & 0x7F) + 0x76 overflows (x >= 10) or x has its high bit.
        let ge10 = ((x & ~high) &+ (ones &* 0x76)) | x
        return ~ge10 & high
    }
}
