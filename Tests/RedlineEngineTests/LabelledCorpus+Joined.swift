/// Values written back to back the way senders paste them (issue 14's last misses): a card with
/// its expiry and code joined by slashes or spaces (`4111…/0429`, `…/04/2029/123`, an Amex and its
/// four-digit CID), two international numbers glued by `+`, a NINO without its suffix beside a
/// full one or right after `NI`; and references in the same layouts that must not match (order
/// numbers with a month, invoice dates, NINO-shaped references, Luhn-failing numbers with four digits).
extension LabelledCorpus {
    mutating func nonAmexCard() -> String {
        while true {
            let value = card()
            if !value.hasPrefix("34"), !value.hasPrefix("37") { return value }
        }
    }

    mutating func amexCard() -> String {
        let body = "3\(random.pick([4, 7]))" + random.digits(12)
        let number = body + String(Self.luhnCheck(body))
        return random.chance(50) ? number : Self.group(number, [4, 6, 5], " ")
    }

    mutating func compactExpiry() -> String {
        let month = random.int(1...12)
        return (month < 10 ? "0\(month)" : "\(month)") + "\(random.int(26...33))"
    }

    mutating func internationalMobile() -> String {
        let digits = "7\(random.pick(["4", "5", "7", "8", "9"]))\(random.digits(8))"
        return random.chance(50) ? "+44" + digits : "+44 " + Self.group(digits, [4, 6], " ")
    }

    mutating func suffixlessNINO() -> String {
        var prefix = ""
        repeat { prefix = String([random.pick(Self.ninoFirst), random.pick(Self.ninoSecond)]) } while Self.ninoBanned.contains(prefix)
        let digits = random.digits(6)
        return random.chance(50) ? prefix + digits : "\(prefix) \(Self.group(digits, [2, 2, 2], " "))"
    }

    /// One positive sentence and one hard negative.
    mutating func joinedSamples() -> [Sample] {
        var samples: [Sample] = []
        let joiner = random.pick(["/", ", ", "; ", " / ", "|"])
        samples.append(Self.sample(random.pick([
            ["Card ", ("card", nonAmexCard()), random.pick(["/", " "]), ("card_expiry", compactExpiry()), " - can you retry the payment?"],
            ["Pay with ", ("card", nonAmexCard()), "/", ("card_expiry", expiry()), "/", ("card_security_code", random.digits(3)), " please."],
            ["Card ", ("card", nonAmexCard()), " ", ("card_expiry", compactExpiry()), " ", ("card_security_code", random.digits(3)), " thanks"],
            ["Amex ", ("card", amexCard()), random.pick(["/", " "]), ("card_security_code", random.digits(4)), ", charge it today."],
            ["Amex ", ("card", amexCard()), " ", ("card_expiry", compactExpiry()), " ", ("card_security_code", random.digits(4)), "."],
            ["Call ", ("phone", internationalMobile()), ("phone", internationalMobile()), " after 6pm."],
            ["Refs ", ("nino", nino()), joiner, ("nino", suffixlessNINO()), " for both of us."],
            ["Refs ", ("nino", suffixlessNINO()), joiner, ("nino", nino()), " for both of us."],
            ["NI ", ("nino", suffixlessNINO()), " is on the form."],
        ])))
        samples.append(Self.sample(random.pick([
            ["Order ", ("-", random.digits(8)), "/", ("-", compactExpiry()), " has shipped."],
            ["Invoice INV-", ("-", random.digits(5)), " dated ", ("-", expiry()), ", total £\(random.int(10...99)).00"],
            ["Ref ", ("-", suffixlessNINO()), "/", ("-", suffixlessNINO()), " is closed."],
            ["Parcel ", ("-", luhnFailing16()), " ", ("-", compactExpiry()), " delivered."],
            ["Order ", ("-", luhnFailing16()), "/", ("-", expiry()), "/", ("-", random.digits(3)), " refunded."],
            ["Ticket ", ("-", random.digits(6)), "+", ("-", random.digits(6)), " merged."],
        ])))
        return samples
    }
}
