/// A deterministic labelled corpus of customer-service sentences: planted true positives for every
/// built-in detector, and hard negatives that look like them. Same seed, same corpus.
struct LabelledCorpus {
    struct Planted { var kind: String; var range: Range<Int> }
    struct Sample { var text: [UInt8]; var planted: [Planted] }

    /// SplitMix64: small, fast and stable across platforms.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
        mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(int(0...9))) }) }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    }

    var random: Random
    init(seed: UInt64) { random = Random(state: seed) }

    // MARK: values

    static func luhnCheck(_ body: String) -> Int {
        var sum = 0
        for (index, char) in body.reversed().enumerated() {
            var value = char.wholeNumberValue!
            if index % 2 == 0 { value *= 2; if value > 9 { value -= 9 } }
            sum += value
        }
        return (10 - sum % 10) % 10
    }

    static func group(_ digits: String, _ sizes: [Int], _ separator: String) -> String {
        var parts: [String] = []
        var rest = Substring(digits)
        for size in sizes where !rest.isEmpty { parts.append(String(rest.prefix(size))); rest = rest.dropFirst(size) }
        if !rest.isEmpty { parts.append(String(rest)) }
        return parts.joined(separator: separator)
    }

    mutating func card() -> String {
        let (prefix, length, amex) = random.pick([("4", 16, false), ("5\(random.int(1...5))", 16, false), ("\(random.int(2221...2720))", 16, false),
                                                  ("3\(random.pick([4, 7]))", 15, true), ("6011", 16, false), ("\(random.int(3528...3589))", 16, false)])
        let body = prefix + random.digits(length - 1 - prefix.count)
        let number = body + String(Self.luhnCheck(body))
        let separator = random.pick(["", " ", "-", " "])
        return separator.isEmpty ? number : Self.group(number, amex ? [4, 6, 5] : [4, 4, 4, 4], separator)
    }

    mutating func luhnFailing16() -> String {
        let body = random.pick(["4", "5", "6"]) + random.digits(14)
        let number = body + String((Self.luhnCheck(body) + random.int(1...9)) % 10)
        return random.chance(50) ? number : Self.group(number, [4, 4, 4, 4], " ")
    }

    mutating func imei() -> String {
        let body = random.pick(["35", "01", "86"]) + random.digits(12)
        return body + String(Self.luhnCheck(body))
    }

    static let ninoFirst = Array("ABCEGHJKLMNOPRSTWXYZ")
    static let ninoSecond = Array("ABCEGHJKLMNPRSTWXYZ")
    static let ninoBanned: Set<String> = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC", "PP", "PY", "PZ"]

    mutating func nino() -> String {
        var prefix = ""
        repeat { prefix = String([random.pick(Self.ninoFirst), random.pick(Self.ninoSecond)]) } while Self.ninoBanned.contains(prefix)
        let digits = random.digits(6)
        let suffix = random.pick(["A", "B", "C", "D"])
        let text = random.chance(50) ? prefix + digits + suffix : "\(prefix) \(Self.group(digits, [2, 2, 2], " ")) \(suffix)"
        return random.chance(20) ? text.lowercased() : text
    }

    mutating func badNINO() -> String {
        let prefix = random.pick(["BG", "GB", "NK", "KN", "TN", "ZZ", "CR", "FY", "PP", "PZ", "DA", "QQ", "AO"])
        return prefix + random.digits(6) + random.pick(["A", "B", "C", "D"])
    }

    mutating func nhs() -> String {
        while true {
            let body = random.pick(["4", "6", "7", "9"]) + random.digits(8)
            var sum = 0
            for (index, char) in body.enumerated() { sum += char.wholeNumberValue! * (10 - index) }
            var check = 11 - sum % 11
            if check == 11 { check = 0 }
            if check == 10 { continue }
            let number = body + String(check)
            return Self.group(number, [3, 3, 4], random.pick([" ", "-", ""]))
        }
    }

    static let areas = "AB AL B BA BB BD BH BN BS CB CF CM CV DE DN E EC EH G GL GU HP KT L LE LS M ME MK N NE NG NW OX PE PO RG S SE SK SO SW TN TS W WC YO".split(separator: " ").map(String.init)
    static let inwardLetters = Array("ABDEFGHJLNPQRSTUWXYZ")

    mutating func postcode() -> String {
        let area = random.pick(Self.areas)
        let district = String(random.int(1...(area.count == 1 ? 9 : 20)))
        let inward = "\(random.int(0...9))\(random.pick(Self.inwardLetters))\(random.pick(Self.inwardLetters))"
        let text = area + district + (random.chance(80) ? " " : "") + inward
        return random.chance(15) ? text.lowercased() : text
    }

    mutating func productCode() -> String {
        "\(random.pick(["QX", "VZ", "XJ", "IQ"]))\(random.int(1...99)) \(random.int(0...9))\(random.pick(["AB", "CD", "KM", "XY"]))"
    }

    mutating func phone() -> String {
        let national = random.pick(["07\(random.pick(["4", "5", "7", "8", "9"]))\(random.digits(8))", "020\(random.pick(["7", "3", "8"]))\(random.digits(7))",
                                    "0161\(random.digits(7))", "0113\(random.digits(7))", "0800\(random.digits(7))", "0300\(random.digits(7))"])
        let grouped = national.hasPrefix("07") || national.hasPrefix("08") || national.hasPrefix("03")
            ? Self.group(national, [5, 6], " ") : national.hasPrefix("02") ? Self.group(national, [3, 4, 4], " ") : Self.group(national, [4, 3, 4], " ")
        let rest = String(grouped.dropFirst())
        switch random.int(0...5) {
        case 0: return national
        case 1: return "+44 " + rest
        case 2: return "+44 (0)" + rest
        case 3: return "0044 " + rest
        default: return grouped
        }
    }

    mutating func foreignPhone() -> String {
        random.pick(["+1 \(random.int(201...989)) 555 \(random.digits(4))", "+33 1 \(random.digits(2)) \(random.digits(2)) \(random.digits(2)) \(random.digits(2))",
                     "+49 30 \(random.digits(7))", "+353 1 \(random.digits(3)) \(random.digits(4))"])
    }

    static func ibanCheck(_ country: String, _ bban: String) -> String {
        let rearranged = bban + country + "00"
        var remainder = 0
        for char in rearranged {
            if let digit = char.wholeNumberValue, char.isASCII, char.isNumber {
                remainder = (remainder * 10 + digit) % 97
            } else {
                remainder = (remainder * 100 + Int(char.asciiValue! - 55)) % 97
            }
        }
        let check = 98 - remainder
        return check < 10 ? "0\(check)" : "\(check)"
    }

    mutating func iban() -> String {
        let (country, bban) = random.pick([
            ("GB", random.pick(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + random.digits(14)),
            ("DE", random.digits(18)), ("NL", random.pick(["ABNA", "INGB", "RABO"]) + random.digits(10)), ("FR", random.digits(23)),
        ])
        let iban = country + Self.ibanCheck(country, bban) + bban
        let printed = random.chance(50) ? Self.group(iban, Array(repeating: 4, count: 9), " ") : iban
        return random.chance(10) ? printed.lowercased() : printed
    }

    mutating func bic() -> String { random.pick(["NWBKGB2L", "BARCGB22", "DEUTDEFF", "ABNANL2A", "HBUKGB4B"]) }

    mutating func bank() -> (String, String) {
        let sort = Self.group(random.digits(6), [2, 2, 2], random.pick(["-", " ", "-"]))
        return (sort, random.digits(8))
    }

    static let names = ["jane", "sam", "priya", "tom", "oluwaseun", "zoe", "li", "mohammed", "ana", "grace"]
    static let surnames = ["doe", "smith", "patel", "o'neil", "nguyen", "evans", "khan", "jones"]
    static let domains = ["gmail.com", "outlook.com", "example.co.uk", "btinternet.com", "yahoo.co.uk", "mail.example.org"]

    mutating func email() -> String {
        let local = random.pick([
            "\(random.pick(Self.names)).\(random.pick(Self.surnames))", "\(random.pick(Self.names))\(random.int(1...99))",
            "\(random.pick(Self.names))+orders", "\(random.pick(Self.names))_\(random.pick(Self.surnames))",
        ])
        return "\(local)@\(random.pick(Self.domains))"
    }
}
