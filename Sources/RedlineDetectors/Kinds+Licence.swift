import RedlineCore

extension DetectorKind {
    /// DVLA driving licence numbers (Great Britain), 16 characters:
    /// 1–5 the first five letters of the surname, padded with `9` when shorter; 6 the decade digit
    /// of the year of birth; 7–8 the month of birth, with 5 added to its first digit for women
    /// (51–62); 9–10 the day of birth; 11 the year digit; 12–13 the first two initials, `9` when
    /// there is no second; 14 an arbitrary digit (usually 9); 15–16 two check characters, letters
    /// in every issued number. Written compact or spaced 5-6-5; a two-digit issue number may
    /// follow and is not part of the number. Facts: DVLA guidance as summarised in pii-formats
    /// research (ukdriving.org.uk, AA/RAC guides).
    public static let ukDrivingLicence = DetectorKind(
        id: "uk_driving_licence",
        summary: "DVLA driving licence number: 16 characters (compact or 5 6 5): surname letters padded with 9, encoded date of birth (month +50 for women, real day), initials (9 for none), a digit, two check letters.",
        source: .pattern(Pattern.notAfterWord + "[A-Za-z][A-Za-z9]{4} ?[0-9]{6} ?[A-Za-z][A-Za-z9][0-9][A-Za-z]{2}" + Pattern.notBeforeWord, []),
        refine: { text, match in
            var chars: [UInt8] = []
            for index in match where text[index] != 32 { chars.append(UKFormats.upper(text[index])) }
            guard chars.count == 16, DrivingLicence.isValid(chars) else { return [] }
            return [Refined(range: match, value: chars, confidence: .medium)]
        },
        defaultKeywords: ["driving licence", "driving license", "driver number", "licence number", "license number", "dvla", "licence no", "photocard"],
        requiresContextByDefault: false,
        defaultLabel: "[DRIVING LICENCE]",
        maskKeepsLastDigits: 0,
        matchExamples: ["Driving licence: MORGA753116SM9IJ", "licence number MORGA 753116 SM9IJ 35", "JONES710238HA3DX", "LEE99 661231 J99AB",
                        "dvla no smith 852155 jd9xy"],
        noMatchExamples: ["MORGA713116SM9IJ", "MORGA754316SM9IJ", "MORGA750016SM9IJ", "9ORGA753116SM9IJ", "LE9E9661231J99AB",
                          "MORGA7531169M9IJ", "MORGA753116SM9I1", "SKU ABCDE123456AB1CDX"]
    )
}

enum DrivingLicence {
    /// The structure of 16 upper-case characters.
    static func isValid(_ chars: [UInt8]) -> Bool {
        // Surname: letters, then only padding 9s (a short surname), the first always a letter.
        var letters = 0
        while letters < 5, UKFormats.isLetter(chars[letters]) { letters += 1 }
        guard letters >= 1, chars[letters..<5].allSatisfy({ $0 == 57 }) else { return false }
        func digit(_ index: Int) -> Int? { UKFormats.isDigit(chars[index]) ? Int(chars[index]) - 48 : nil }
        guard let decade = digit(5), let m1 = digit(6), let m2 = digit(7), let d1 = digit(8), let d2 = digit(9), let year = digit(10) else { return false }
        // Month, with 5 added to its first digit for women.
        let month = (m1 >= 5 ? m1 - 5 : m1) * 10 + m2
        guard (1...12).contains(month) else { return false }
        let day = d1 * 10 + d2
        // February 29 only in a leap year of the century that fits; the century is not encoded,
        // so any year ending in the decade and year digits that is a leap year allows it.
        let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= lengths[month - 1] else { return false }
        if month == 2, day == 29, (decade * 10 + year) % 4 != 0 { return false }
        // Initials: a letter, then a letter or 9; then a digit and two check letters.
        guard UKFormats.isLetter(chars[11]), UKFormats.isLetter(chars[12]) || chars[12] == 57,
              UKFormats.isDigit(chars[13]), UKFormats.isLetter(chars[14]), UKFormats.isLetter(chars[15]) else { return false }
        return true
    }
}
