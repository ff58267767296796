extension Normaliser {
    static let months: [[UInt8]: Int] = {
        let names = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        var table: [[UInt8]: Int] = [:]
        for (index, name) in names.enumerated() {
            table[Array(name.utf8)] = index + 1
            table[Array(name.prefix(3).utf8)] = index + 1
        }
        table[Array("sept".utf8)] = 9
        return table
    }()

    /// Whether a text-normalised token can begin a date (a digit or the start of a month name).
    static func mayStartDate(_ token: [UInt8]) -> Bool {
        guard let first = token.first else { return false }
        if isDigit(first) { return true }
        return token.count >= 3 && months[Array(token.prefix(3))] != nil
    }

    /// `YYYYMMDD` from text-normalised tokens that together are exactly one date; nil otherwise.
    public static func date(_ tokens: [[UInt8]]) -> [UInt8]? {
        // Split every token on the separators a date may use inside a token.
        var parts: [ArraySlice<UInt8>] = []
        var separated = false
        for token in tokens {
            var start = token.startIndex
            for index in token.indices where token[index] == 47 || token[index] == 45 || token[index] == 46 || token[index] == 44 {
                if index > start { parts.append(token[start..<index]) }
                start = index + 1
                separated = true
            }
            if start < token.endIndex { parts.append(token[start..<token.endIndex]) }
        }
        guard parts.count == 3 else { return nil }
        func number(_ part: ArraySlice<UInt8>, maxDigits: Int) -> Int? {
            guard !part.isEmpty, part.count <= maxDigits, part.allSatisfy(isDigit) else { return nil }
            return part.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        func day(_ part: ArraySlice<UInt8>) -> Int? {
            var digits = part
            for suffix in ["st", "nd", "rd", "th"] where part.count > 2 && part.suffix(2).elementsEqual(suffix.utf8) {
                digits = part.dropLast(2)
            }
            return number(digits, maxDigits: 2)
        }
        func month(_ part: ArraySlice<UInt8>) -> Int? { months[Array(part)] }
        func year(_ part: ArraySlice<UInt8>) -> Int? { part.count == 4 ? number(part, maxDigits: 4) : nil }
        var ymd: (Int, Int, Int)?
        if let y = year(parts[0]), let m = number(parts[1], maxDigits: 2), let d = number(parts[2], maxDigits: 2), separated, tokens.count == 1 {
            ymd = (y, m, d)
        } else if let d = number(parts[0], maxDigits: 2), let m = number(parts[1], maxDigits: 2), let y = year(parts[2]), tokens.count == 1 {
            ymd = (y, m, d)
        } else if let d = day(parts[0]), let m = month(parts[1]), let y = year(parts[2]) {
            ymd = (y, m, d)
        } else if let m = month(parts[0]), let d = day(parts[1]), let y = year(parts[2]) {
            ymd = (y, m, d)
        }
        guard let (y, m, d) = ymd, y >= 1800, y <= 2199, m >= 1, m <= 12, d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        // y is 1800...2199: four digits, then two each for month and day.
        return [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10, d / 10, d % 10].map { UInt8(48 + $0) }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
