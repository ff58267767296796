/// HMRC check digits: Unique Taxpayer References and VAT registration numbers. Inputs are ASCII
/// digits, separators and prefixes removed.
extension Checksums {
    /// UTR (Self Assessment and Corporation Tax, 10 digits): the *first* digit is the check digit.
    /// Weights 6, 7, 8, 9, 10, 5, 4, 3, 2 over digits 2–10; the remainder of the sum mod 11 picks
    /// the check digit from the table 2, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1 (remainder 0 → 2, 1 → 1,
    /// r → 11 − r otherwise). Facts: HMRC's published reference checker (hmrc/reference-checker).
    public static func utr<C: Collection>(_ digits: C) -> Bool where C.Element == UInt8 {
        let values = digits.map { Int($0) - 48 }
        guard values.count == 10, values.allSatisfy({ (0...9).contains($0) }) else { return false }
        let weights = [6, 7, 8, 9, 10, 5, 4, 3, 2]
        var sum = 0
        for index in 0..<9 { sum += values[index + 1] * weights[index] }
        let table = [2, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1]
        return table[sum % 11] == values[0]
    }

    /// GB VAT registration number (9 digits; a 12-digit branch form adds 3 digits that carry no
    /// check). Weights 8, 7, 6, 5, 4, 3, 2 over the first seven digits, plus the last two digits
    /// read as a number: the total is a multiple of 97 (the original "mod 97" series) or becomes
    /// one after adding 55 (the "mod 9755" series issued since 2010). Numbers of all zeros are not
    /// issued. Facts: HMRC's reference checker; python-stdnum `gb.vat` documents the same rule.
    public static func ukVAT<C: Collection>(_ digits: C) -> Bool where C.Element == UInt8 {
        let values = digits.map { Int($0) - 48 }
        guard values.count == 9, values.allSatisfy({ (0...9).contains($0) }), values.contains(where: { $0 != 0 }) else { return false }
        var sum = 0
        for index in 0..<7 { sum += values[index] * (8 - index) }
        let total = sum + values[7] * 10 + values[8]
        return total % 97 == 0 || (total + 55) % 97 == 0
    }
}
