import RedlineCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DetectorKind {
    /// Dates of birth: a date in one of the ways people write them, right after a birth keyword
    /// (DOB, date of birth, born, birthday…; a few filler words may stand between), or a numeric
    /// date right before `(DOB)`. The date must exist and give an age of 0 to 120 years. Other dates (delivery,
    /// order, appointment) have no birth keyword and are not found.
    public static let dateOfBirth = DetectorKind(
        id: "date_of_birth",
        summary: "Date of birth: 12/03/1985, 12.03.85, 1985-03-12, 12 March 1985, 12th Mar 1985, March 12th, 1985 after a birth keyword (DOB, date of birth, born, birthday), or a numeric date before (DOB); a real date, age 0–120.",
        source: .pattern("(?:" + Pattern.notAfterWord + BirthDate.keyword + "(?![A-Za-z])" + BirthDate.gap + "(?:" + BirthDate.numeric + "|" + BirthDate.textual + ")"
                         + "|" + Pattern.notAfterWord + "(?<![0-9][./\\-])" + BirthDate.numeric + " ?[(\\[]? ?" + BirthDate.trailingKeyword + "(?![A-Za-z]))", []),
        refine: { text, match in
            guard let date = BirthDate.locate(text, match) else { return [] }
            return [Refined(range: date.range, value: date.value, confidence: .high)]
        },
        defaultKeywords: ["dob", "d.o.b", "date of birth", "born", "birthday", "birth date"],
        requiresContextByDefault: false,
        defaultLabel: "[DATE OF BIRTH]",
        maskKeepsLastDigits: 0,
        matchExamples: ["DOB: 12/03/1985", "D.O.B. 12.03.85", "date of birth 1985-03-12", "born on 12 March 1985", "Date of birth: 12th Mar 1985",
                        "my birthday is March 12th, 1985", "12/03/1985 (DOB)", "1985-03-12 dob", "Patient: Jane, DOB 01-05-1984."],
        noMatchExamples: ["Delivered on 12/03/1985", "DOB: 31/02/1985", "DOB 12/03/1850", "DOB 12/03/2199", "order date 12 March 2024",
                          "appointment on 12/03/2025, DOB to follow", "DOB 12/03/19855", "born in 1985"]
    )
}

/// Date-of-birth pieces: keywords, the filler words allowed before the date, the date forms and
/// the parser that checks a date is real and plausible.
enum BirthDate {
    /// After the date: `12/03/1985 (DOB)`.
    static let trailingKeyword = "(?:[Dd]\\.?[Oo]\\.?[Bb]\\.?|" + Pattern.ci("date of birth") + ")"
    static let keyword = "(?:[Dd]\\.? ?[Oo]\\.? ?[Bb]\\.?|" + Pattern.ci(["date of birth", "birthday", "birth date", "birthdate", "born on", "born"]) + ")"
    /// Up to six separators or filler words (`is`, `on file`, `recorded as`…): 54 bytes at most.
    static let gap = "(?:[\\s:=#(),\\-]|(?<![A-Za-z])" + Pattern.ci(["is", "was", "on", "of", "the", "as", "my", "his", "her", "their", "your", "our", "listed",
                                                                       "recorded", "shows", "show", "given", "stated", "file", "records", "record", "system", "confirmed", "be"])
        + "(?![A-Za-z])){0,6}"
    static let month = Pattern.ci(["january", "february", "march", "april", "may", "june", "july", "august", "september", "sept", "october", "november", "december",
                                   "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]) + "\\.?(?![A-Za-z])"
    /// The separator used twice (relative back-references: the pattern holds this piece twice).
    static let numeric = "(?<![0-9])(?:[0-9]{1,2}([/.\\-])[0-9]{1,2}\\g{-1}(?:[0-9]{4}|[0-9]{2})|[0-9]{4}([/.\\-])[0-9]{1,2}\\g{-1}[0-9]{1,2})(?![0-9])(?![./\\-][0-9])"
    static let textual = "(?<![0-9])(?:[0-9]{1,2}" + Pattern.ci(["st", "nd", "rd", "th"]) + "?(?: " + Pattern.ci("of") + ")?[ \\-]" + month + "[ \\-,]{1,2}[0-9]{4}|"
        + month + " [0-9]{1,2}" + Pattern.ci(["st", "nd", "rd", "th"]) + "?,? [0-9]{4})(?![0-9A-Za-z])"

    static let monthNames: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { Array($0.utf8) }

    /// Today (UTC), for the age check.
    static let today: (year: Int, month: Int, day: Int) = {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
    }()

    /// The date inside a candidate (keyword first: the first place after the keyword where a date
    /// parses up to the candidate's end; date first: at its start), if real and plausible.
    static func locate(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>) -> (range: Range<Int>, value: [UInt8])? {
        if UKFormats.isDigit(text[match.lowerBound]) {
            // `12/03/1985 (DOB)`: the date opens the candidate.
            guard let date = parse(text, at: match.lowerBound, limit: match.upperBound) else { return nil }
            return (match.lowerBound..<date.end, date.value)
        }
        var position = match.lowerBound + 1
        while position < match.upperBound {
            let wordStart = !UKFormats.isAlnum(text[position - 1])
            if wordStart, let date = parse(text, at: position, limit: match.upperBound), date.end == match.upperBound {
                return (position..<date.end, date.value)
            }
            position += 1
        }
        return nil
    }

    /// Parses one date starting at `start`; the value is `YYYYMMDD`.
    static func parse(_ text: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> (end: Int, value: [UInt8])? {
        var index = start
        func number(maxDigits: Int) -> (Int, Int)? {
            var value = 0
            let from = index
            while index < limit, index - from < maxDigits, UKFormats.isDigit(text[index]) { value = value * 10 + Int(text[index]) - 48; index += 1 }
            return index > from ? (value, index - from) : nil
        }
        func skip(_ bytes: Set<UInt8>) { while index < limit, bytes.contains(text[index]) { index += 1 } }
        func monthName() -> Int? {
            guard index + 3 <= limit else { return nil }
            let lowered = (0..<3).map { text[index + $0] | 0x20 }
            guard let found = monthNames.firstIndex(of: lowered) else { return nil }
            while index < limit, UKFormats.isLetter(text[index]) { index += 1 }
            if index < limit, text[index] == 46 { index += 1 }
            return found + 1
        }
        func ordinal() { if index + 2 <= limit, UKFormats.isLetter(text[index]), UKFormats.isLetter(text[index + 1]) { index += 2 } }
        var year = 0, month = 0, day = 0, yearDigits = 4
        if let name = monthName() {
            // March 12th, 1985
            month = name
            skip([32])
            guard let (d, _) = number(maxDigits: 2) else { return nil }
            day = d
            ordinal()
            skip([44, 32])
            guard let (y, count) = number(maxDigits: 4), count == 4 else { return nil }
            year = y
        } else {
            guard let (first, firstCount) = number(maxDigits: 4) else { return nil }
            if firstCount == 4 {
                // 1985-03-12
                year = first
                index += 1
                guard let (m, _) = number(maxDigits: 2) else { return nil }
                index += 1
                guard let (d, _) = number(maxDigits: 2) else { return nil }
                month = m
                day = d
            } else {
                day = first
                ordinal()
                if index < limit, [47, 46, 45].contains(text[index]), index + 1 < limit, UKFormats.isDigit(text[index + 1]) {
                    // 12/03/1985, 12.03.85 (day first; a first number over 12 with a second of 12 or
                    // less is read day first, a second over 12 month first).
                    index += 1
                    guard let (m, _) = number(maxDigits: 2) else { return nil }
                    index += 1
                    guard let (y, count) = number(maxDigits: 4), count == 2 || count == 4 else { return nil }
                    month = m
                    year = y
                    yearDigits = count
                    if month > 12, day <= 12 { swap(&month, &day) }
                } else {
                    // 12 March 1985, 12th of Mar 1985, 12-Mar-1985
                    skip([32, 45])
                    if index + 3 <= limit, text[index] | 0x20 == 111, text[index + 1] | 0x20 == 102, text[index + 2] == 32 { index += 3 }
                    guard let name = monthName() else { return nil }
                    month = name
                    skip([32, 45, 44])
                    guard let (y, count) = number(maxDigits: 4), count == 4 else { return nil }
                    year = y
                }
            }
        }
        if yearDigits == 2 { year += year <= today.year % 100 ? 2000 : 1900 }
        guard isPlausible(year: year, month: month, day: day) else { return nil }
        let value = Array(String(format4(year) + format2(month) + format2(day)).utf8)
        return (index, value)
    }

    /// A real calendar date, not in the future, at most 120 years ago.
    static func isPlausible(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return false }
        guard year >= today.year - 120 else { return false }
        return (year, month, day) <= (today.year, today.month, today.day)
    }

    static func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    static func format4(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value) }
}
