/// Check-digit algorithms. Inputs are ASCII digit (or alphanumeric) bytes, separators removed.
public enum Checksums {
    /// Luhn (mod 10) over ASCII digits.
    public static func luhn<C: Collection>(_ digits: C) -> Bool where C.Element == UInt8 {
        guard digits.count >= 2 else { return false }
        var sum = 0
        var double = false
        for byte in digits.reversed() {
            guard byte >= 48, byte <= 57 else { return false }
            var value = Int(byte - 48)
            if double {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
            double.toggle()
        }
        return sum % 10 == 0
    }

    /// NHS number mod-11: weights 10…2 over the first nine digits; 11 − (sum mod 11) is the check
    /// digit, 11 means 0, and 10 is never issued.
    public static func nhsMod11<C: Collection>(_ digits: C) -> Bool where C.Element == UInt8 {
        let values = digits.map { Int($0) - 48 }
        guard values.count == 10, values.allSatisfy({ (0...9).contains($0) }) else { return false }
        var sum = 0
        for index in 0..<9 { sum += values[index] * (10 - index) }
        var check = 11 - (sum % 11)
        if check == 11 { check = 0 }
        if check == 10 { return false }
        return check == values[9]
    }

    /// ISO 7064 MOD 97-10 as used by IBAN: first four characters moved to the end, letters as
    /// 10…35, the number must be ≡ 1 (mod 97). Input: upper-case alphanumerics.
    public static func mod97<C: Collection>(_ characters: C) -> Bool where C.Element == UInt8 {
        let chars = Array(characters)
        guard chars.count >= 5 else { return false }
        let rotated = chars[4...] + chars[0..<4]
        var remainder = 0
        for byte in rotated {
            switch byte {
            case 48...57:
                remainder = (remainder * 10 + Int(byte - 48)) % 97
            case 65...90:
                remainder = (remainder * 100 + Int(byte - 55)) % 97
            default:
                return false
            }
        }
        return remainder == 1
    }
}
