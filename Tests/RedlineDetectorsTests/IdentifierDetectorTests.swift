import Testing
import RedlineCore
@testable import RedlineDetectors

@Suite("uk_nino detector")
struct NINOTests {
    @Test("finds NI numbers compact, in pairs, hyphenated, dotted and in any case", arguments: [
        "AB123456C", "AB 12 34 56 C", "AB-12-34-56-C", "AB.12.34.56.C", "ab 12 34 56 c", "JG103755A", "ce123456d",
    ])
    func positives(_ written: String) throws {
        let text = "NI number: \(written)."
        let found = try Detect.run("uk_nino", text)
        #expect(found.count == 1, "\(written)")
        #expect(found.first.map { Detect.slice(text, $0.range) } == written)
        #expect(found.first?.value == written.uppercased().filter { $0.isLetter || $0.isNumber })
    }

    @Test("invalid first or second letters are not NINOs", arguments: [
        "DA123456A", "FA123456A", "IA123456A", "QA123456A", "UA123456A", "VA123456A",
        "AD123456A", "AF123456A", "AI123456A", "AO123456A", "AQ123456A", "AU123456A", "AV123456A", "QQ123456A",
    ])
    func badLetters(_ text: String) throws {
        #expect(try Detect.run("uk_nino", "NI \(text)").isEmpty)
    }

    @Test("banned and administrative prefixes are not NINOs, in any case and after a space", arguments: [
        "BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC", "PP", "PY", "PZ",
    ])
    func bannedPrefixes(_ prefix: String) throws {
        for text in ["number \(prefix)123456A", "number \(prefix) 12 34 56 B", "nino: \(prefix.lowercased())123456c",
                     "x  \(prefix)-12-34-56-D"] {
            #expect(try Detect.run("uk_nino", text).isEmpty, "\(text)")
        }
    }

    @Test("other hard negatives: wrong suffix, TN temporary numbers, TRNs, longer tokens, mixed separators", arguments: [
        "AB123456E", "AB 12 34 56 F", "AB1234567", "TN 01 02 90 M", "TN010290F", "11 a1 11 11", "TRN 12 A3 45 67",
        "XAB123456C", "AB123456CD", "AB123456C9", "AB 12-34 56 C", "AB 12.34 56 C", "AB12345C", "AB 1234 56 7 C",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Detect.run("uk_nino", text).isEmpty, "\(text)")
    }

    @Test("keywords raise confidence")
    func context() throws {
        #expect(try Detect.run("uk_nino", "ref AB123456C").first?.confidence == .medium)
        #expect(try Detect.run("uk_nino", "national insurance AB123456C").first?.confidence == .high)
    }
}

@Suite("uk_postcode detector")
struct PostcodeTests {
    @Test("finds the six formats and GIR 0AA, with and without the space, in any case", arguments: [
        "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "GIR 0AA", "sw1a 2aa", "LS62AB", "ec1a1bb",
    ])
    func positives(_ written: String) throws {
        let text = "Deliver to \(written), thanks"
        let found = try Detect.run("uk_postcode", text)
        #expect(found.count == 1, "\(written)")
        #expect(found.first.map { Detect.slice(text, $0.range) } == written)
    }

    @Test("postcode-shaped product codes and other hard negatives are not postcodes", arguments: [
        "product QX12 3AB", "code XY1 1AA", "SW1A alone", "MX5 1AB", "SW1A 2AC", "LS6 2AI", "LS6 2KA", "ZZ1 1AA",
        "model B12X9 4QQ", "SKU ABC-LS6 2AB", "part LS6 2AB-4", "item LS6 2AB/7", "PN LS62ABX", "1LS6 2AB",
        "W1I 0AX", "EC1C 1BB", "flight BA123 today", "BT 1AA",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Detect.run("uk_postcode", text).isEmpty, "\(text)")
    }

    @Test("the value is the upper-cased postcode without the space")
    func value() throws {
        #expect(try Detect.run("uk_postcode", "at sw1a 2aa").first?.value == "SW1A2AA")
    }
}

@Suite("iban detector")
struct IBANTests {
    @Test("finds IBANs in print and electronic form, any case, across countries", arguments: [
        "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "gb82 west 1234 5698 7654 32", "GB82-WEST-1234-5698-7654-32",
        "DE89 3704 0044 0532 0130 00", "NL91ABNA0417164300", "FR14 2004 1010 0505 0001 3M02 606", "NO93 8601 1117 947",
    ])
    func positives(_ written: String) throws {
        let text = "Pay to \(written) please"
        let found = try Detect.run("iban", text)
        #expect(found.count == 1, "\(written)")
        #expect(found.first.map { Detect.slice(text, $0.range) } == written)
    }

    @Test("hard negatives: bad checksum, truncated, wrong country length, unknown country, longer token", arguments: [
        "GB82 WEST 1234 5698 7654 33", "GB82 WEST 1234 5698 7654", "XX82WEST12345698765432", "GB82WEST12345698765432X",
        "DE89 3704 0044 0532 0130 0", "BIC NWBKGB2L", "NWBKGB2LXXX",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Detect.run("iban", text).isEmpty, "\(text)")
    }

    @Test("a BIC beside an IBAN is not part of it, before or after")
    func bicBesideIBAN() throws {
        for text in ["IBAN GB82 WEST 1234 5698 7654 32 BIC NWBKGB2L", "BIC NWBKGB2L IBAN GB82WEST12345698765432",
                     "GB82WEST12345698765432 NWBKGB2LXXX"] {
            let found = try Detect.run("iban", text)
            #expect(found.count == 1, "\(text)")
            #expect(found.first?.value == "GB82WEST12345698765432", "\(text)")
            #expect(found.first.map { Detect.slice(text, $0.range).hasSuffix("32") } == true, "\(text)")
        }
    }

    @Test("a failed candidate does not hide an IBAN that starts inside it")
    func failedCandidateDoesNotSwallow() throws {
        for text in ["ref AB12 IBAN DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432 DE89370400440532013000"] {
            let found = try Detect.run("iban", text)
            #expect(found.map(\.value).contains("DE89370400440532013000"), "\(text)")
        }
    }
}

@Suite("email detector")
struct EmailTests {
    @Test("finds addresses and covers exactly the address", arguments: [
        ("mail jane.doe+orders@example.co.uk today", "jane.doe+orders@example.co.uk"),
        ("<sam_o'neil@mail.example.com>", "sam_o'neil@mail.example.com"),
        ("Write to Zoë@example.org.", "Zoë@example.org"),
        ("(a.b-c@sub-domain.example.io)", "a.b-c@sub-domain.example.io"),
        ("mailto:x@example.com,", "x@example.com"),
        ("idn user@example.xn--p1ai", "user@example.xn--p1ai"),
        ("end sam@example.com", "sam@example.com"),
    ])
    func positives(_ example: (String, String)) throws {
        let found = try Detect.run("email", example.0)
        #expect(found.count == 1, "\(example.0)")
        #expect(found.first.map { Detect.slice(example.0, $0.range) } == example.1)
    }

    @Test("hard negatives", arguments: [
        "@handle", "user@localhost", "a@b.c", "email at example dot com", "user@@example.com", "user@example.c0m",
        "icon@2x.png", "logo@3x.jpg", "user@.example.com", "user.@example.com", "@example.com",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Detect.run("email", text).isEmpty, "\(text)")
    }

    @Test("two addresses side by side are both found")
    func twoAddresses() throws {
        #expect(try Detect.run("email", "a1@x.com,a2@x.com; a3@x.com").count == 3)
    }
}
