/// UK-specific format rules: postcodes (BS 7666 plus the real postcode areas), National Insurance
/// numbers (HMRC NIM39110) and the IBAN country lengths.
public enum UKFormats {
    /// The 126 postcode areas (121 UK, GY JE IM, BF BX).
    static let postcodeAreas: Set<String> = Set("""
        AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY \
        E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN \
        LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP \
        SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
        """.split(separator: " ").map(String.init))

    /// Validates an upper-cased outward code (e.g. `SW1A`) and inward code (e.g. `1AA`).
    public static func isPostcode(outward: [UInt8], inward: [UInt8]) -> Bool {
        if outward == Array("GIR".utf8) { return inward == Array("0AA".utf8) }
        guard inward.count == 3, isDigit(inward[0]) else { return false }
        let badInward = ByteSet("CIKMOV".utf8)
        guard isLetter(inward[1]), isLetter(inward[2]), !badInward.contains(inward[1]), !badInward.contains(inward[2])
        else { return false }
        // Area: leading letters.
        var letters = 0
        while letters < outward.count, isLetter(outward[letters]) { letters += 1 }
        guard letters == 1 || letters == 2, letters < outward.count else { return false }
        let area = String(decoding: outward[0..<letters], as: UTF8.self)
        guard postcodeAreas.contains(area) else { return false }
        let district = Array(outward[letters...])
        guard isDigit(district[0]) else { return false }
        switch district.count {
        case 1:
            return true
        case 2:
            if isDigit(district[1]) { return true }
            // ANA or AANA: the final letter is restricted.
            let allowed = letters == 1 ? ByteSet("ABCDEFGHJKPSTUW".utf8) : ByteSet("ABEHMNPRVWXY".utf8)
            return allowed.contains(district[1])
        default:
            return false
        }
    }

    static let ninoBadFirst = ByteSet("DFIQUV".utf8)
    static let ninoBadSecond = ByteSet("DFIOQUV".utf8)
    static let ninoBannedPrefixes: Set<String> = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]
    /// Administrative prefixes: references that look like NINOs but are not.
    static let ninoAdministrativePrefixes: Set<String> = ["OO", "CR", "FY", "MW", "NC", "PP", "PY", "PZ"]

    /// Whether two upper-case letters may start a real NINO.
    public static func isNINOPrefix(_ first: UInt8, _ second: UInt8) -> Bool {
        guard isLetter(first), isLetter(second) else { return false }
        return ninoPrefixTable[Int(first &- 65) &* 58 &+ Int(second &- 65)]
    }

    /// ``isNINOPrefix(_:_:)`` for every pair of ASCII letters, indexed `(first - 65) * 58 + second - 65`
    /// (a lookup per candidate instead of a string and two set probes).
    private static let ninoPrefixTable: [Bool] = (0..<(58 * 58)).map { (pair: Int) -> Bool in
        let first = UInt8(65 + pair / 58), second = UInt8(65 + pair % 58)
        guard isLetter(first), isLetter(second) else { return false }
        if ninoBadFirst.contains(first) || ninoBadSecond.contains(second) { return false }
        let prefix = String(decoding: [first, second], as: UTF8.self)
        return !ninoBannedPrefixes.contains(prefix) && !ninoAdministrativePrefixes.contains(prefix)
    }

    /// IBAN length per country (SWIFT IBAN registry).
    public static let ibanLengths: [String: Int] = [
        "AD": 24, "AL": 28, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
        "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
        "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
        "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "RS": 22, "SE": 24, "SI": 19, "SK": 24,
        "SM": 27, "VA": 22,
        "AE": 23, "AZ": 28, "BA": 20, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CR": 22, "DJ": 27, "DO": 28,
        "EG": 29, "FK": 18, "FO": 18, "GE": 22, "GL": 18, "GT": 28, "HN": 28, "IL": 23, "IQ": 23, "JO": 30,
        "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LY": 25, "MN": 20, "MR": 27, "MU": 30, "NI": 28, "OM": 23,
        "PK": 24, "PS": 29, "QA": 29, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SO": 23, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20, "YE": 30,
    ]

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) }
    @inline(__always) static func isAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    @inline(__always) static func upper(_ byte: UInt8) -> UInt8 { byte >= 97 && byte <= 122 ? byte - 32 : byte }
}
