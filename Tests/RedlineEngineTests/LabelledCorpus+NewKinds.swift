/// Values and sentences for the kinds added in issue 14 (dates of birth, driving licence,
/// passport, UTR, VAT, card security code and expiry, NHS numbers without a keyword), with hard
/// negatives that look like them: order and delivery dates, 9- and 10-digit order numbers,
/// invalid check digits, voucher expiry dates.
extension LabelledCorpus {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    mutating func birthDate() -> String {
        let year = random.int(1935...2008), month = random.int(1...12), day = random.int(1...28)
        let dd = day < 10 ? "0\(day)" : "\(day)", mm = month < 10 ? "0\(month)" : "\(month)"
        let name = Self.months[month - 1]
        let suffix = [1, 21].contains(day) ? "st" : [2, 22].contains(day) ? "nd" : [3, 23].contains(day) ? "rd" : "th"
        return random.pick([
            "\(dd)/\(mm)/\(year)", "\(dd).\(mm).\(String(year).suffix(2))", "\(year)-\(mm)-\(dd)", "\(day) \(name) \(year)",
            "\(day)\(suffix) \(name.prefix(3)) \(year)", "\(name) \(day)\(suffix), \(year)", "\(day)-\(mm)-\(year)",
        ])
    }

    mutating func numericBirthDate() -> String {
        let year = random.int(1935...2008), month = random.int(1...12), day = random.int(1...28)
        return "\(day < 10 ? "0" : "")\(day)/\(month < 10 ? "0" : "")\(month)/\(year)"
    }

    mutating func recentDate() -> String {
        let day = random.int(1...28), month = random.int(1...12), year = random.int(2023...2026)
        return random.pick(["\(day < 10 ? "0" : "")\(day)/\(month < 10 ? "0" : "")\(month)/\(year)", "\(day) \(Self.months[month - 1]) \(year)"])
    }

    static let surnames5 = ["MORGAN", "SMITH", "LEE", "JONES", "OKAFOR", "NG", "PATEL", "EVANS", "KHAN", "WRIGHT"]

    mutating func licence(valid: Bool = true) -> String {
        let surname = random.pick(Self.surnames5)
        let head = String((surname + "99999").prefix(5))
        let year = random.int(1940...2006), month = random.int(1...12), day = random.int(1...28)
        let encodedMonth = month + (random.chance(50) ? 50 : 0)
        let badMonth = valid ? encodedMonth : random.pick([13, 49, 63, 0])
        let date = "\((year / 10) % 10)\(badMonth < 10 ? "0" : "")\(badMonth)\(day < 10 ? "0" : "")\(day)\(year % 10)"
        let letters = Array("ABCDEFGHJKLMNPRSTWXY")
        let initials = "\(random.pick(letters))\(random.chance(30) ? "9" : String(random.pick(letters)))"
        let tail = "\(random.int(0...9))\(random.pick(letters))\(random.pick(letters))"
        let text = random.chance(60) ? head + date + initials + tail : "\(head) \(date) \(initials)\(tail)"
        return random.chance(10) ? text.lowercased() : text
    }

    mutating func passport() -> String { String(random.int(1...9)) + random.digits(8) }

    mutating func utr(valid: Bool = true) -> String {
        let body = random.digits(9)
        let weights = [6, 7, 8, 9, 10, 5, 4, 3, 2]
        let sum = zip(body, weights).reduce(0) { $0 + $1.0.wholeNumberValue! * $1.1 }
        let check = [2, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1][sum % 11]
        let first = valid ? check : (check + random.int(1...8)) % 10
        let number = "\(first)\(body)"
        let text = random.chance(50) ? number : "\(number.prefix(5)) \(number.suffix(5))"
        return random.chance(20) ? text + "K" : text
    }

    mutating func vat(valid: Bool = true, prefix: Bool = false) -> String {
        var digits = ""
        while true {
            let body = random.digits(7)
            let sum = body.enumerated().reduce(0) { $0 + $1.element.wholeNumberValue! * (8 - $1.offset) }
            // The mod-97 series, or the mod-9755 series (55 added).
            let base = random.chance(50) ? sum : sum + 55
            let check = (97 - base % 97) % 97
            let last = valid ? check : (check + random.int(1...90)) % 97
            digits = body + (last < 10 ? "0\(last)" : "\(last)")
            if !Self.isVAT(digits) == !valid { break }
        }
        let grouped = random.chance(50) ? digits : "\(digits.prefix(3)) \(digits.dropFirst(3).prefix(4)) \(digits.suffix(2))"
        return prefix ? "GB" + (random.chance(50) ? " " : "") + grouped : grouped
    }

    static func isVAT(_ digits: String) -> Bool {
        let values = digits.map { $0.wholeNumberValue! }
        let total = (0..<7).reduce(0) { $0 + values[$1] * (8 - $1) } + values[7] * 10 + values[8]
        return total % 97 == 0 || (total + 55) % 97 == 0
    }

    mutating func nhsValid() -> String {
        while true {
            let number = nhs().filter(\.isNumber)
            if number.first != "0" { return number }
        }
    }

    mutating func expiry() -> String {
        let month = random.int(1...12)
        let mm = month < 10 ? "0\(month)" : "\(month)"
        return random.pick(["\(mm)/\(random.int(26...33))", "\(mm)/20\(random.int(26...33))"])
    }

    /// One positive sentence per new kind and two hard negatives.
    mutating func newKindSamples() -> [Sample] {
        var samples: [Sample] = []
        let name = random.pick(Self.names).capitalized
        samples.append(Self.sample(random.pick([
            ["Thanks \(name), I've confirmed your DOB: ", ("date_of_birth", birthDate()), "."],
            ["For security, your date of birth is ", ("date_of_birth", birthDate()), " - is that right?"],
            ["Customer: \(name), D.O.B. ", ("date_of_birth", birthDate()), ", postcode on file."],
            ["She was born on ", ("date_of_birth", birthDate()), " and the policy is in her name."],
            ["Verified: ", ("date_of_birth", numericBirthDate()), " (DOB) matches our records."],
            ["My birthday is ", ("date_of_birth", birthDate()), " if you need it."],
        ])))
        samples.append(Self.sample(random.pick([
            ["My driving licence number is ", ("uk_driving_licence", licence()), "."],
            ["Licence: ", ("uk_driving_licence", licence()), " (issue 12)"],
            ["DVLA number ", ("uk_driving_licence", licence()), " attached for the hire."],
        ])))
        samples.append(Self.sample(random.pick([
            ["My passport number is ", ("uk_passport", passport()), ", expires 2031."],
            ["Passport no. ", ("uk_passport", passport()), " - scan attached."],
            ["I've checked the passport, number ", ("uk_passport", passport()), "."],
        ])))
        samples.append(Self.sample(random.pick([
            ["My UTR is ", ("uk_utr", utr()), " for the self assessment."],
            ["HMRC reference ", ("uk_utr", utr()), " on the letter."],
            ["Self assessment UTR: ", ("uk_utr", utr()), ", tax year 2024-25."],
        ])))
        samples.append(Self.sample(random.pick([
            ["Our VAT number is ", ("uk_vat", vat(prefix: random.chance(50))), "."],
            ["Please add VAT reg ", ("uk_vat", vat()), " to the invoice."],
            ["Supplier ", ("uk_vat", vat(prefix: true)), " invoiced us on Monday."],
        ])))
        samples.append(Self.sample(random.pick([
            ["The CVV is ", ("card_security_code", random.digits(3)), ", can you take the payment?"],
            ["security code on the back: ", ("card_security_code", random.digits(3)), "."],
            ["Card ", ("card", card()), " exp ", ("card_expiry", expiry()), " cvv ", ("card_security_code", random.digits(3)), " thanks"],
            ["Use ", ("card", card()), " ", ("card_security_code", random.digits(3)), " for the order."],
        ])))
        samples.append(Self.sample(random.pick([
            ["My card expiry is ", ("card_expiry", expiry()), "."],
            ["Card ", ("card", card()), ", expiry ", ("card_expiry", expiry()), "."],
            ["Pay with ", ("card", card()), " ", ("card_expiry", expiry()), " please."],
            ["Valid thru ", ("card_expiry", expiry()), " on the new card."],
        ])))
        samples.append(Self.sample(random.pick([
            ["Your number ", ("nhs", Self.group(nhsValid(), [3, 3, 4], " ")), " is now linked to the pharmacy."],
            ["Repeat prescription ready at the surgery for number ", ("nhs", nhsValid()), "."],
        ])))
        // Hard negatives.
        samples.append(Self.sample(random.pick([
            ["Your delivery is booked for ", ("-", recentDate()), ", order ", ("-", passport()), "."],
            ["Appointment confirmed: ", ("-", recentDate()), " at 10:30."],
            ["Order ", ("-", passport()), " was placed on ", ("-", recentDate()), "."],
            ["Order ", ("-", utr()), " has shipped."],
            ["My UTR is ", ("-", utr(valid: false)), ", I think."],
            ["VAT number ", ("-", vat(valid: false)), " on the old invoice."],
            ["Voucher code ", ("-", licence(valid: false)), " applied."],
        ])))
        samples.append(Self.sample(random.pick([
            ["Your voucher expires ", ("-", expiry()), "."],
            ["Delivered ", ("-", expiry()), " to the locker."],
            ["Order ", ("-", luhnFailing16()), " code ", ("-", random.digits(3)), " shipped."],
            ["Your order ", ("-", nhsValid()), " has shipped."],
            ["Order ", ("-", Self.group(nhsValid(), [3, 3, 4], " ")), " has shipped."],
            ["The device IMEI is ", ("-", imei()), "."],
        ])))
        return samples
    }
}
