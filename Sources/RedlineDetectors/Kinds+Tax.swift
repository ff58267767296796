import RedlineCore

extension DetectorKind {
    /// UK passport numbers: 9 digits, compact or in threes with one kind of separator
    /// (`123 456 789`, `123-456-789`), only with a passport keyword close by (a bare 9-digit run
    /// is an order number as often as anything else).
    public static let ukPassport = DetectorKind(
        id: "uk_passport",
        summary: "UK passport number: 9 digits (compact, or 3-3-3 with spaces or hyphens), never part of a longer digit run; needs a passport keyword within 60 characters.",
        source: .pattern(Pattern.notAfterWord + "(?<![0-9][ .\\-])(?:[0-9]{9}|[0-9]{3} [0-9]{3} [0-9]{3}|[0-9]{3}-[0-9]{3}-[0-9]{3})" + Pattern.notBeforeWord + "(?![ .\\-][0-9])", []),
        refine: { text, match in
            let digits = text[match].filter(UKFormats.isDigit)
            // A run of one repeated digit is a placeholder, not an issued number.
            guard digits.contains(where: { $0 != digits[0] }) else { return [] }
            return [Refined(range: match, value: digits, confidence: .medium)]
        },
        defaultKeywords: ["passport", "passports", "passport number", "passport no", "hm passport"],
        requiresContextByDefault: true,
        defaultLabel: "[PASSPORT NUMBER]",
        maskKeepsLastDigits: 0,
        matchExamples: ["Passport number: 123456789", "my passport no is 987654321, expires 2031", "passport 501234567.", "passport: 123 456 789", "Passport no 123-456-789."],
        noMatchExamples: ["Order 123456789 has shipped", "passport 1234567890", "passport 12345678", "passport 111111111",
                          "passport ref 123 456 789 0", "passport 123 456-789", "passport 1 123 456 789", "passport 111 111 111"],
        contextWindow: 60
    )

    /// HMRC Unique Taxpayer References: 10 digits with the HMRC check digit first, an optional
    /// `K`, written `12345 67890` or compact; only with a tax keyword close by.
    public static let ukUTR = DetectorKind(
        id: "uk_utr",
        summary: "HMRC Unique Taxpayer Reference: 10 digits (5 5 or compact), HMRC check digit, optional K suffix; needs a tax keyword (UTR, self assessment, HMRC, tax reference) within 80 characters.",
        source: .pattern(Pattern.notAfterWord + "(?<![0-9][ .\\-])[0-9]{5} ?[0-9]{5}(?: ?[Kk])?" + Pattern.notBeforeWord + "(?![ .\\-][0-9])", []),
        refine: { text, match in
            var digits: [UInt8] = []
            for index in match where UKFormats.isDigit(text[index]) { digits.append(text[index]) }
            guard Checksums.utr(digits) else { return [] }
            return [Refined(range: match, value: digits, confidence: .medium)]
        },
        defaultKeywords: ["utr", "unique taxpayer reference", "taxpayer reference", "self assessment", "self-assessment",
                          "hmrc", "tax reference", "tax ref", "corporation tax", "tax return"],
        requiresContextByDefault: true,
        defaultLabel: "[UTR]",
        maskKeepsLastDigits: 0,
        matchExamples: ["My UTR is 2234567890", "Self Assessment UTR: 22345 67890", "HMRC reference 2234567890K", "utr 22345 67890 k"],
        noMatchExamples: ["My UTR is 1234567890", "Order 2234567890 shipped", "UTR 22345678901", "UTR 2234-567890"],
        contextWindow: 80
    )

    /// GB VAT registration numbers: 9 digits with the HMRC check (12 with a branch suffix), `GB`
    /// prefix optional; `GD` (government departments, 000–499) and `HA` (health authorities,
    /// 500–999) forms. A bare number needs a VAT keyword; a GB-prefixed valid one stands alone.
    public static let ukVAT = DetectorKind(
        id: "uk_vat",
        summary: "GB VAT registration number: 9 digits (3 4 2 or compact) passing HMRC's mod-97 or mod-9755 check, optional 3-digit branch, GB prefix; GD000–499 and HA500–999. Needs a VAT keyword within 80 characters unless written with GB.",
        source: .pattern("(?:" + Pattern.notAfterWord + "(?<![0-9][ .\\-])(?:(?:GB|gb) ?)?[0-9]{3} ?[0-9]{4} ?[0-9]{2}(?: ?[0-9]{3})?" + Pattern.notBeforeWord + "(?![ .\\-][0-9])"
                         + "|" + Pattern.notAfterWord + "(?:GD|HA|gd|ha) ?[0-9]{3}" + Pattern.notBeforeWord + "(?![ .\\-][0-9]))", []),
        refine: { text, match in
            var chars: [UInt8] = []
            for index in match where UKFormats.isAlnum(text[index]) { chars.append(UKFormats.upper(text[index])) }
            guard chars.count >= 5 else { return [] }
            if UKFormats.isLetter(chars[0]) {
                let prefix = String(decoding: chars[0..<2], as: UTF8.self)
                let digits = Array(chars[2...])
                if prefix == "GB" {
                    guard Checksums.ukVAT(digits.prefix(9)) else { return [] }
                    return [Refined(range: match, value: chars, confidence: .high, standsAlone: true)]
                }
                let number = digits.reduce(0) { $0 * 10 + Int($1) - 48 }
                guard digits.count == 3, prefix == "GD" ? number < 500 : number >= 500 else { return [] }
                return [Refined(range: match, value: chars, confidence: .medium)]
            }
            guard Checksums.ukVAT(chars.prefix(9)) else { return [] }
            return [Refined(range: match, value: chars, confidence: .medium)]
        },
        defaultKeywords: ["vat", "vat no", "vat number", "vat reg", "vat registration", "vrn", "value added tax"],
        requiresContextByDefault: true,
        defaultLabel: "[VAT NUMBER]",
        maskKeepsLastDigits: 0,
        matchExamples: ["VAT number 333 2894 54", "Our VAT reg no: 123456727", "GB101747696", "VAT: GB 434 0314 94 001",
                        "VAT registration GD123", "VAT HA567"],
        noMatchExamples: ["VAT number 123456789", "Order 333289454", "VAT GD567", "VAT HA123", "GB1017476961",
                          "VAT 333 2894 54 1"],
        contextWindow: 80
    )
}

extension StartRule {
    /// Whether `NNN NNN` or `NNN-NNN` follows the first three digits ending at `end` (one space
    /// or hyphen, three digits, the same separator, three digits): the rest of a passport in threes.
    static func opensThrees(_ text: UnsafeBufferPointer<UInt8>, _ end: Int) -> Bool {
        guard end + 7 < text.count, text[end] == 32 || text[end] == 45, text[end + 4] == text[end] else { return false }
        return isDigit(text[end + 1]) && isDigit(text[end + 2]) && isDigit(text[end + 3])
            && isDigit(text[end + 5]) && isDigit(text[end + 6]) && isDigit(text[end + 7])
    }
}
