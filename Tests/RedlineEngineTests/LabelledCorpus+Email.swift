/// E-mail addresses written to get past filters (issue 14: `jane dot doe at gmail dot com`,
/// `jane(at)gmail(dot)com`, `jane [at] gmail [dot] com`, `jane @ gmail . com`), local parts in
/// other scripts (RFC 6531), internationalised domains, and hard negatives: English sentences with
/// the words `at` and `dot` in them that are no address.
extension LabelledCorpus {
    static let unicodeLocals = ["zoë", "josé.garcía", "françois", "søren", "иван", "ольга.петрова", "γιώργος", "ελένη",
                                "王伟", "李娜", "さくら", "민준", "müller", "łukasz"]
    static let idnDomains = ["пример.рф", "bücher.de", "müller-shop.de", "例子.中国", "παράδειγμα.ελ", "café.fr", "xn--bcher-kva.de"]
    static let spelledDomains = [["gmail", "com"], ["outlook", "com"], ["example", "co", "uk"], ["btinternet", "com"],
                                 ["yahoo", "co", "uk"], ["mail", "example", "org"], ["hotmail", "fr"]]

    /// An address with its `at` and `dot`s written out in one of the forms people use.
    mutating func spelledEmail() -> String {
        let first = random.pick(Self.names), surname = random.pick(Self.surnames.filter { !$0.contains("'") })
        let localLabels = random.pick([[first], [first, surname], ["\(first)\(random.int(1...99))"], ["\(first)_\(surname)"], [random.pick(["zoë", "josé", "søren", "иван", "γιώργος", "王伟"])]])
        let domain = random.pick(Self.spelledDomains)
        let form = random.int(0...7)
        func joined(_ labels: [String], _ dot: String) -> String { labels.joined(separator: dot) }
        var text: String
        switch form {
        case 0: text = joined(localLabels, " dot ") + " at " + joined(domain, " dot ")
        case 1: text = joined(localLabels, ".") + "(at)" + joined(domain, "(dot)")
        case 2: text = joined(localLabels, ".") + " [at] " + joined(domain, " [dot] ")
        case 3: text = joined(localLabels, ".") + " (at) " + joined(domain, " (dot) ")
        case 4: text = joined(localLabels, ".") + " @ " + joined(domain, " . ")
        case 5: text = joined(localLabels, ".") + "@" + joined(domain, " dot ")
        case 6: text = (joined(localLabels, " dot ") + " at " + joined(domain, " dot ")).uppercased()
        default: text = joined(localLabels, ".") + " {at} " + joined(domain, " {dot} ")
        }
        return text
    }

    /// An address whose local part or domain is not ASCII.
    mutating func unicodeEmail() -> String {
        switch random.int(0...2) {
        case 0: return random.pick(Self.unicodeLocals) + "@" + random.pick(Self.domains)
        case 1: return random.pick(Self.names) + "@" + random.pick(Self.idnDomains)
        default: return random.pick(Self.unicodeLocals) + "@" + random.pick(Self.idnDomains)
        }
    }

    /// Two positive sentences (a written-out address, a Unicode one) and one hard negative.
    mutating func emailSamples() -> [Sample] {
        var samples: [Sample] = []
        let name = random.pick(Self.names).capitalized
        samples.append(Self.sample(random.pick([
            ["Please email me at ", ("email", spelledEmail()), " instead."],
            ["You can write to ", ("email", spelledEmail()), " - I check it daily."],
            ["My address is ", ("email", spelledEmail()), ", thanks \(name)"],
            ["Contact: ", ("email", spelledEmail()), "\nRegards"],
            ["Send the invoice to ", ("email", spelledEmail()), " and copy me in."],
        ])))
        samples.append(Self.sample(random.pick([
            ["Please email me at ", ("email", unicodeEmail()), " instead."],
            ["Contact: \(name) <", ("email", unicodeEmail()), ">"],
            ["I've changed my address to ", ("email", unicodeEmail()), "."],
        ])))
        samples.append(Self.sample(random.pick([
            ["Let's meet at the office, the dot matrix printer there still works."],
            ["Could you look at it at \(random.int(1...11)) pm today?"],
            ["Dot at home will sign for the parcel at \(random.int(1...11)) pm."],
            ["I'll be at work until \(random.int(3...7)) dot \(random.int(10...59)), then at the gym."],
            ["The polka dot dress at half price was sold out at \(random.pick(["Boots", "Next", "Asda"]))."],
            ["We arrived at \(random.int(10...12)) dot \(random.int(10...59)) and waited at the desk."],
            ["Please look at the dot on the map at the top of the page."],
            ["\(name) is at lunch; Dot at reception can help."],
            ["Tweet us @ExampleShop or visit us at example.com for opening times."],
            ["Staff at the store said the dot com sale ends at midnight."],
        ])))
        return samples
    }
}
