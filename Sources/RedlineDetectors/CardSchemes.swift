/// Payment card issuer ranges and lengths (ISO/IEC 7812; see the project's PII reference).
public enum CardSchemes {
    struct Scheme {
        let name: String
        let ranges: [ClosedRange<Int>]   // prefixes, compared on their own number of digits
        let prefixLength: Int
        let lengths: Set<Int>
        /// `lengths` as bits (bit n: n digits), tested per candidate without hashing.
        let lengthBits: UInt32

        init(name: String, ranges: [ClosedRange<Int>], prefixLength: Int, lengths: Set<Int>) {
            self.name = name
            self.ranges = ranges
            self.prefixLength = prefixLength
            self.lengths = lengths
            self.lengthBits = lengths.reduce(0) { $0 | (1 << UInt32($1)) }
        }
    }

    static let schemes: [Scheme] = [
        Scheme(name: "visa", ranges: [4...4], prefixLength: 1, lengths: [13, 16, 18, 19]),
        Scheme(name: "mastercard", ranges: [51...55], prefixLength: 2, lengths: [16]),
        Scheme(name: "mastercard", ranges: [2221...2720], prefixLength: 4, lengths: [16]),
        Scheme(name: "mir", ranges: [2200...2204], prefixLength: 4, lengths: [16, 17, 18, 19]),
        Scheme(name: "amex", ranges: [34...34, 37...37], prefixLength: 2, lengths: [15]),
        Scheme(name: "discover", ranges: [6011...6011], prefixLength: 4, lengths: [16, 19]),
        Scheme(name: "discover", ranges: [644...649], prefixLength: 3, lengths: [16, 19]),
        Scheme(name: "discover", ranges: [65...65], prefixLength: 2, lengths: [16, 19]),
        Scheme(name: "jcb", ranges: [3528...3589], prefixLength: 4, lengths: [16, 17, 18, 19]),
        Scheme(name: "diners", ranges: [300...305, 309...309], prefixLength: 3, lengths: [14, 16, 19]),
        Scheme(name: "diners", ranges: [36...36, 38...39], prefixLength: 2, lengths: [14, 16, 19]),
        Scheme(name: "unionpay", ranges: [62...62, 81...81], prefixLength: 2, lengths: [14, 15, 16, 17, 18, 19]),
        Scheme(name: "maestro", ranges: [50...50, 56...59, 60...69], prefixLength: 2, lengths: Set(12...19)),
        Scheme(name: "uatp", ranges: [1...1], prefixLength: 1, lengths: [15]),
    ]

    /// The scheme name when `digits` (ASCII) has a known issuer prefix and a length allowed for it.
    public static func scheme(of digits: [UInt8]) -> String? {
        guard digits.count >= 12, digits.count <= 19 else { return nil }
        for scheme in schemes where scheme.lengthBits & (1 << UInt32(digits.count)) != 0 {
            var prefix = 0
            for index in 0..<scheme.prefixLength { prefix = prefix * 10 + Int(digits[index] - 48) }
            if scheme.ranges.contains(where: { $0.contains(prefix) }) { return scheme.name }
        }
        return nil
    }

    /// Group sizes that only the 15- and 14-digit cards are printed in: American Express 4-6-5 and
    /// Diners Club 4-6-4.
    static func isShortLayout(_ sizes: [Int]) -> Bool { sizes == [4, 6, 5] || sizes == [4, 6, 4] }

    /// ``isShortLayout(_:)`` of the groups' sizes, without making the array.
    static func isShortLayout(_ groups: ArraySlice<Group>) -> Bool {
        guard groups.count == 3 else { return false }
        let start = groups.startIndex
        return groups[start].range.count == 4 && groups[start + 1].range.count == 6
            && (groups[start + 2].range.count == 5 || groups[start + 2].range.count == 4)
    }

    /// Whether `digits` is one of ``testNumbers`` (without making a `String` of every card).
    static func isTestNumber(_ digits: [UInt8]) -> Bool {
        testNumberBytes.contains { $0 == digits }
    }

    private static let testNumberBytes: [[UInt8]] = testNumbers.map { Array($0.utf8) }


    /// Published sandbox numbers (Stripe, Braintree and others). They pass Luhn.
    public static let testNumbers: Set<String> = [
        "4242424242424242", "4111111111111111", "4012888888881881", "4000056655665556",
        "4000000000000002", "4000000000000077", "4222222222222", "4012888888881",
        "5555555555554444", "5105105105105100", "2223003122003222", "5200828282828210",
        "378282246310005", "371449635398431", "378734493671000",
        "6011111111111117", "6011000990139424", "6011000000000004",
        "30569309025904", "38520000023237", "36227206271667", "3056930009020004",
        "3530111333300000", "3566002020360505", "3566111111111113",
        "6200000000000005", "6205500000000000004", "6200000000000047",
    ]
}
