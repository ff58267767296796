import RedlineCore

extension DetectorKind {
    /// UK postcodes: the six formats and GIR 0AA, BS 7666 letter rules, real areas only.
    public static let ukPostcode = DetectorKind(
        id: "uk_postcode",
        summary: "UK postcode: six formats plus GIR 0AA, BS 7666 letter rules, only the 126 real postcode areas; any case, the halves joined, spaced (up to three blanks) or on two lines.",
        // Not glued to a code by a hyphen or slash (`ABC-LS6 2AB`, `LS6 2AB-4`); a slash between
        // two postcodes joins two values (`LS6 2AB/M1 1AE`).
        source: .pattern(Pattern.notAfterWord + "(?<![A-Za-z0-9]-)(?:(?<![A-Za-z0-9]/)|(?<=[0-9][A-Za-z]{2}/))([A-Za-z]{1,2}[0-9][A-Za-z0-9]?|GIR)(?:[ \\t]{0,3}+(?:" + Pattern.lineBreak + "[ \\t]{0,2}+)?)([0-9][A-Za-z]{2})"
                         + Pattern.notBeforeWord + "(?!-[A-Za-z0-9])(?!/(?![A-Za-z]{1,2}[0-9])[A-Za-z0-9])", [.caseless]),
        refine: { text, match in
            // Split from the end: the inward code is always the last three characters.
            var chars: [UInt8] = []
            for index in match where UKFormats.isAlnum(text[index]) { chars.append(UKFormats.upper(text[index])) }
            guard chars.count >= 5 else { return [] }
            let inward = Array(chars.suffix(3))
            let outward = Array(chars.dropLast(3))
            guard UKFormats.isPostcode(outward: outward, inward: inward) else { return [] }
            return [Refined(range: match, value: chars, confidence: .low)]
        },
        defaultKeywords: ["postcode", "post code", "address", "delivery", "deliver", "shipping", "ship to", "street",
                          "road", "lane", "avenue", "flat", "house", "live at", "lives at", "moved to"],
        requiresContextByDefault: false,
        defaultLabel: "[POSTCODE]",
        maskKeepsLastDigits: 0,
        matchExamples: ["address: 10 Downing Street, London SW1A 2AA", "M1 1AE", "postcode b338th please",
                        "EC1A 1BB", "CR2 6XH", "DN55 1PT", "W1A 0AX", "GIR 0AA", "sw1a2aa",
                        "postcode SW1A  2AA", "London SW1A\n2AA", "ship to LS6\r\n2AB", "M1\t1AE", "branches LS6 2AB/M1 1AE"],
        noMatchExamples: ["product QX12 3AB", "code XY1 1AA", "SW1A alone", "part AB12 3CD-4", "MX5 1AB",
                          "SW1A 2AC", "ZZ1 1AA", "model B12X9 4QQ", "box LS6 2AB/4", "file uploads/LS6 2AB"]
    )

    /// UK National Insurance numbers (HMRC NIM39110).
    public static let ukNINO = DetectorKind(
        id: "uk_nino",
        summary: "UK National Insurance number: two prefix letters (HMRC rules, no BG GB KN NK NT TN ZZ, no administrative prefixes), six digits (as one group, pairs or threes, one separator throughout), suffix A-D; without the suffix only next to a keyword, right after the word NI, or joined by / , ; | + & to a full NINO.",
        source: .pattern(Pattern.notAfterWord(except: GluedKeywords.nino) + "[A-Za-z]{2}" + Pattern.sep + "[0-9](?:" + Pattern.sep + "[0-9]){5}(?:"
                         + Pattern.sep + "[A-Da-d])?" + Pattern.notBeforeWord, []),
        refine: refineNINO,
        defaultKeywords: ["national insurance", "ni number", "ni no", "nino", "ni:", "insurance number", "nat ins", "n.i."],
        requiresContextByDefault: false,
        defaultLabel: "[NI NUMBER]",
        maskKeepsLastDigits: 0,
        matchExamples: ["NI number AB 12 34 56 C", "nino: ab123456c", "JG-10-37-55-A", "my NI is CE 12 34 56 D",
                        "split AB 12 34\n56 C here", "JG\u{00A0}10\u{00A0}37\u{00A0}55\u{00A0}A",
                        "NI JG 103 755 A", "NI JG 10-37-55 A", "NI number JG103755", "national insurance JG 10 37 55", "NIJG103755A",
                        "nino:JG 10  37  55 A", "NI \u{0410}\u{0412}123456\u{0421}", "NI J\u{200F}G10\u{2062}3755A", "NI JG 10 37\r55 A",
                        "NI JG1O3755A", "NI JG IO 37 55 A", "NI JG103755 on file", "refs AB123456C/JG103755",
                        "refs AB123456C/JG103755/CE123456", "refs CE123456, JG103755, AB123456C"],
        noMatchExamples: ["number BG123456A", "GB 12 34 56 A", "TN 01 02 90 M", "DA123456A", "AO123456B",
                          "AB123456E", "CR123456A", "PP999999P", "11 a1 11 11", "XAB123456C", "AB 12-34 56 C",
                          "ref JG103755 today", "NI JG 10 37 55 E", "JG 1037 55 A", "unitJG103755A", "NI JG 10 -- 37 55 A",
                          "NI JGlO37S5A", "NI DAlO3755A", "refs JG103755/CE123456", "UNI JG103755", "see AB123456X/JG103755",
                          "refs AB 12-34 56 C/JG103755", "refs JG103755/AB 1234 56 C"]
    )

    /// IBANs: country code, check digits, country-specific length, mod-97.
    public static let iban = DetectorKind(
        id: "iban",
        summary: "IBAN: country code, per-country length, ISO 7064 mod-97 check; print (grouped) or electronic form, any case.",
        source: .pattern(Pattern.notAfterWord + "[A-Za-z]{2}[0-9]{2}(?:(?:[ \\-]|" + Pattern.lineBreak + ")?[A-Za-z0-9]){11,32}", []),
        refine: { text, match in
            var chars: [UInt8] = []
            var ends: [Int] = []   // end offset after each alphanumeric
            for index in match where UKFormats.isAlnum(text[index]) {
                chars.append(UKFormats.upper(text[index]))
                ends.append(index + 1)
            }
            guard chars.count >= 15 else { return [] }
            let country = String(decoding: chars[0..<2], as: UTF8.self)
            guard let length = UKFormats.ibanLengths[country], chars.count >= length else { return [] }
            let end = ends[length - 1]
            // The IBAN must end at a token boundary.
            if end < text.count, UKFormats.isAlnum(text[end]) { return [] }
            let value = Array(chars[0..<length])
            guard Checksums.mod97(value) else { return [] }
            return [Refined(range: match.lowerBound..<end, value: value, confidence: .high)]
        },
        defaultKeywords: ["iban", "bank", "account", "transfer", "payment"],
        requiresContextByDefault: false,
        defaultLabel: "[IBAN]",
        maskKeepsLastDigits: 0,
        matchExamples: ["IBAN GB82 WEST 1234 5698 7654 32", "gb82west12345698765432", "DE89 3704 0044 0532 0130 00",
                        "IBAN GB82 WEST 1234 5698 7654 32 BIC NWBKGB2L", "NL91ABNA0417164300"],
        noMatchExamples: ["GB82 WEST 1234 5698 7654 33", "GB82 WEST 1234 5698 7654", "BIC NWBKGB2L",
                          "XX82WEST12345698765432", "GB82WEST12345698765432X"]
    )

    /// E-mail addresses, found from the `@` outwards.
    public static let email = DetectorKind(
        id: "email",
        summary: "E-mail address (RFC 5322/6531 dot-atom local part, letters of any script; domain with an alphabetic top-level label), found from each @ outwards; also written out to dodge filters (jane dot doe at gmail dot com, jane(at)gmail(dot)com, jane @ gmail . com) when it ends in a known top-level domain.",
        source: .anchor(UInt8(ascii: "@"), EmailFinder.candidate),
        refine: { _, match in [Refined(range: match, value: [], confidence: .medium)] },
        defaultKeywords: ["email", "e-mail", "mail", "contact", "address"],
        requiresContextByDefault: false,
        defaultLabel: "[EMAIL]",
        maskKeepsLastDigits: 0,
        matchExamples: ["mail jane.doe+orders@example.co.uk today", "<sam_o'neil@mail.example.com>", "Zoë@example.org",
                        "josé.garcía@example.com", "иван@пример.рф", "γιώργος@example.gr", "王伟@example.cn",
                        "write to jane dot doe at gmail dot com", "jane(at)gmail(dot)com", "jane [at] gmail [dot] com",
                        "jane (at) gmail (dot) co (dot) uk", "jane @ gmail . com", "JANE AT GMAIL DOT COM",
                        "write to tom2 at mail dot example dot org", "tom at mail dot com", "zoë dot martin at gmail dot com"],
        noMatchExamples: ["@handle", "user@localhost", "a@b.c", "email at example dot com", "user@@example.com",
                          "meet me at the office dot com", "look at gmail", "I'll be at home. Com...", "arrive at 10 dot 30",
                          "visit us at example.com", "I worked at the dot com boom", "polka dot dresses at asos dot bargains",
                          "Tweet us @ExampleShop", "meet at the office dot matrix", "look at it at 3 pm", "Dot at home will sign for it",
                          "worked at mail dot order firms", "I'll be at work until 5 dot 30"],
        extraCandidates: SpelledEmailFinder.find
    )

    /// The digit layouts of a NI number: six together, pairs, or threes.
    static func isNINOLayout(_ sizes: [Int]) -> Bool {
        switch sizes.count {
        case 1: return sizes[0] == 6
        case 2: return sizes[0] == 3 && sizes[1] == 3
        case 3: return sizes[0] == 2 && sizes[1] == 2 && sizes[2] == 2
        default: return false
        }
    }

    /// Validates a NINO candidate: the prefix rules, six digits written as one group, pairs or
    /// threes with one separator throughout, and the suffix letter (without it, the finding counts
    /// only next to a keyword, and never when another lone letter follows: `JG 10 37 55 E`).
    static let refineNINO: Refiner = { text, match in ninoCandidate(text, match, askNeighbours: true) }

    /// ``refineNINO``'s work; without `askNeighbours` a suffixless NINO is returned as needing
    /// context whatever stands around it (how ``NINONeighbours`` tests a link of a chain).
    static func ninoCandidate(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>, askNeighbours: Bool) -> [Refined] {
        // The letters and digits, before anything is allocated: most candidates fail here.
        var alnumCount = 0
        var prefix: (UInt8, UInt8) = (0, 0)
        for index in match where UKFormats.isAlnum(text[index]) {
            if alnumCount == 0 { prefix.0 = UKFormats.upper(text[index]) } else if alnumCount == 1 { prefix.1 = UKFormats.upper(text[index]) }
            alnumCount += 1
        }
        guard alnumCount == 8 || alnumCount == 9, UKFormats.isNINOPrefix(prefix.0, prefix.1) else { return [] }
        let groups = Grouping.groups(text, match, member: UKFormats.isAlnum)
        var chars: [UInt8] = []
        chars.reserveCapacity(alnumCount)
        for group in groups { for index in group.range { chars.append(UKFormats.upper(text[index])) } }
        var wrappedCount = 0
        for group in groups where group.wrapped { wrappedCount += 1 }
        guard chars.count == alnumCount, !groups.contains(where: { $0.broken }), wrappedCount <= 1 else { return [] }
        // The digit groups' sizes and the separators between them. A bare line break is a
        // separator (`12 34\n56`) or splits a group (`1234\n56`): either reading may fit.
        var split: [Int] = []
        var joined: [Int] = []
        split.reserveCapacity(groups.count)
        joined.reserveCapacity(groups.count)
        // The separator between digit groups (one kind throughout), and whether a second kind appeared.
        var inner: UInt8?
        var mixed = false
        for group in groups {
            var digits = 0
            for index in group.range where UKFormats.isDigit(text[index]) { digits += 1 }
            guard digits > 0 else { continue }
            if UKFormats.isDigit(text[group.range.lowerBound]), !split.isEmpty {
                if let separator = group.separator {
                    if let seen = inner, seen != separator { mixed = true } else { inner = separator }
                } else if group.wrapped {
                    split.append(digits)
                    joined[joined.count - 1] += digits
                    continue
                }
            }
            split.append(digits)
            joined.append(digits)
        }
        guard Self.isNINOLayout(split) || Self.isNINOLayout(joined), !mixed else { return [] }
        // Around the digits: nothing, blanks or the inner separator.
        for group in groups where group.range.lowerBound != match.lowerBound {
            if let separator = group.separator, separator != 32, let inner, inner != separator { return [] }
        }
        if chars.count == 8 {
            // A lone letter after the digits would be a wrong suffix, not a missing one.
            var index = match.upperBound
            while index < text.count, index - match.upperBound < 4, text[index] == 32 || text[index] == 9 || text[index] == 45 { index += 1 }
            if index < text.count, UKFormats.isLetter(text[index]), index + 1 == text.count || !UKFormats.isAlnum(text[index + 1]) { return [] }
            // Without its suffix a NINO needs a keyword, the word NI right before it, or a full NINO
            // joined to it (`AB123456C/JG103755`).
            return [Refined(range: match, value: chars, confidence: .medium,
                            needsContext: !askNeighbours || !NINONeighbours.vouchFor(text, match))]
        }
        return [Refined(range: match, value: chars, confidence: .medium)]
    }
}
