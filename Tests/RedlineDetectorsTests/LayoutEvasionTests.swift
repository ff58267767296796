import Testing
import RedlineCore
@testable import RedlineDetectors

/// Issue 15, group 1 (normalisation and layout) and issue 14 (obfuscation): the ways of writing a
/// card, NI number, bank details, postcode or phone number that used to pass unseen. Each case
/// checks the value and that the range covers exactly the number as written in the original bytes.
@Suite("Layout and invisible-character evasion")
struct LayoutEvasionTests {
    static let card = "4539148803436467"

    /// (kind, text before, the value as written, expected normalised value)
    static let found: [(String, String, String, String)] = [
        // Separators between digit groups.
        ("payment_card", "card ", "4539\t1488\t0343\t6467", card),
        ("payment_card", "card ", "4539  1488  0343  6467", card),
        ("payment_card", "card ", "4539 - 1488 - 0343 - 6467", card),
        ("payment_card", "card ", "4539/1488/0343/6467", card),
        ("payment_card", "card ", "4539_1488_0343_6467", card),
        ("payment_card", "card ", "4539-1488 0343.6467", card),
        ("payment_card", "card ", "4111 1111-1111 1111", "4111111111111111"),
        ("payment_card", "card ", "4539 / 1488 / 0343 / 6467", card),
        ("payment_card", "card ", "4539\t 1488 \t0343  6467", card),
        // Invisible format characters and combining marks.
        ("payment_card", "card ", "4539\u{200E}1488\u{200F}0343\u{202B}6467", card),
        ("payment_card", "card ", "45\u{2066}39\u{2069}1488\u{2061}0343\u{2064}6467", card),
        ("payment_card", "card ", "4539\u{034F}1488\u{FE0F}0343\u{FE00}6467", card),
        ("payment_card", "card ", "4\u{0332}5\u{0332}3\u{0332}9\u{0332}1488 0343 6467", card),
        ("payment_card", "card ", "4\u{FE0F}\u{20E3}539 1488 0343 6467", card),
        ("payment_card", "card ", "4539\u{E0020}1488\u{180E}0343\u{FEFF}6467", card),
        // Line breaks of every kind inside a wrapped number.
        ("payment_card", "card ", "4539 1488\r0343 6467", card),
        ("payment_card", "card ", "4539 1488\u{2028}0343 6467", card),
        ("payment_card", "card ", "4539 1488\u{2029}0343 6467", card),
        ("payment_card", "card ", "4539 1488\u{0085}0343 6467", card),
        // Glued to a keyword.
        ("payment_card", "pay by card", "4539148803436467", card),
        ("payment_card", "VISA", "4539 1488 0343 6467", card),
        // NI numbers.
        ("uk_nino", "NI ", "JG 103 755 A", "JG103755A"),
        ("uk_nino", "NI ", "JG 10-37-55 A", "JG103755A"),
        ("uk_nino", "ni number ", "JG103755", "JG103755"),
        ("uk_nino", "national insurance: ", "JG 10 37 55", "JG103755"),
        ("uk_nino", "my NI", "JG103755A", "JG103755A"),
        ("uk_nino", "nino", "JG 10 37 55 A", "JG103755A"),
        ("uk_nino", "NI ", "JG\t10\t37\t55\tA", "JG103755A"),
        ("uk_nino", "NI ", "JG 10 37\r55 A", "JG103755A"),
        ("uk_nino", "NI ", "J\u{200D}G\u{2063}103755\u{200E}A", "JG103755A"),
        // Cyrillic and Greek look-alike letters.
        ("uk_nino", "NI ", "\u{0410}\u{0412}123456\u{0421}", "AB123456C"),
        ("uk_nino", "NI ", "\u{0408}G 10 37 55 \u{0391}", "JG103755A"),
        ("uk_nino", "NI ", "\u{0391}\u{0392}103755\u{0391}", "AB103755A"),
        ("uk_nino", "NI ", "AB 12.34.56 C", "AB123456C"),
        // Letters typed for digits inside a number shaped like a card or NINO.
        ("payment_card", "card ", "4539 l488 O343 6467", card),
        ("payment_card", "card ", "4539-I488-0343-6467", card),
        ("uk_nino", "NI ", "JG1O3755A", "JG103755A"),
        ("uk_nino", "NI ", "JG lO 37 55 A", "JG103755A"),
        // Bank details.
        ("uk_bank_account", "sort-code ", "20-00-00 acct no 12345678", "20000012345678"),
        ("uk_bank_account", "s/c ", "40.47.84 a/c 70872490", "40478470872490"),
        ("uk_bank_account", "sort code ", "40  47  84 account 7087 2490", "40478470872490"),
        ("uk_bank_account", "bank account ", "12345678 (sort code 09-45-71", "12345678094571"),
        ("uk_bank_account", "bank details ", "09-45-71 / 12345678", "09457112345678"),
        ("uk_bank_account", "sort code ", "09.45.71, account number 1234-5678", "09457112345678"),
        // Postcodes and phone numbers across a gap or a line break.
        ("uk_postcode", "address ", "SW1A  2AA", "SW1A2AA"),
        ("uk_postcode", "address London ", "SW1A\n2AA", "SW1A2AA"),
        ("uk_postcode", "address ", "LS6\r\n2AB", "LS62AB"),
        ("uk_postcode", "address ", "GIR\n0AA", "GIR0AA"),
        ("uk_phone", "call me on ", "07700\n900123", "07700900123"),
        ("uk_phone", "tel ", "0161 496\r\n0000", "01614960000"),
        ("uk_phone", "tel ", "+44 20 7946\u{2028}0123", "02079460123"),
    ]

    @Test("each way of writing the value is found, with its range on the original bytes", arguments: found)
    func evasionFound(_ example: (String, String, String, String)) throws {
        let (kind, before, written, value) = example
        let text = before + written + " thanks"
        let hits = try Detect.run(kind, text)
        #expect(hits.map(\.value) == [value], "\(kind): \(text.debugDescription)")
        guard let hit = hits.first else { return }
        #expect(hit.range == Detect.range(of: written, in: text), "\(kind): got \(Detect.slice(text, hit.range).debugDescription)")
    }

    /// Look-alikes of the above that must stay refused.
    static let refused: [(String, String)] = [
        ("payment_card", "ref 4539148803436467-22"),
        ("payment_card", "id 12/4539/1488/0343/6467"),
        ("payment_card", "double 4539 -- 1488 -- 0343 -- 6467"),
        ("payment_card", "token abc4539148803436467"),
        ("payment_card", "mixed 453 914-880 343.6467"),
        ("payment_card", "x_4539148803436467"),
        ("payment_card", "card 4539 l488 O343 6468"),
        ("payment_card", "Iceland lOl 4539 1488 0343"),
        ("uk_nino", "NI JGlO37S5A"),
        ("uk_nino", "order JG103755 shipped"),
        ("uk_nino", "NI JG 10 37 55 E"),
        ("uk_nino", "NI JG 1037 55 A"),
        ("uk_nino", "NI AB 12-34 56 C"),
        ("uk_nino", "minijg103755a"),
        ("uk_bank_account", "on 12-03-24 order 12345678"),
        ("uk_postcode", "product QX12  3AB"),
        ("uk_phone", "order 12345\n678901"),
    ]

    @Test("look-alikes stay refused", arguments: refused)
    func lookAlikeRefused(_ example: (String, String)) throws {
        #expect(try Detect.run(example.0, example.1).isEmpty, "\(example.0): \(example.1.debugDescription)")
    }

    @Test("a NI number without its suffix needs a keyword even when the policy does not require context")
    func ninoWithoutSuffix() throws {
        #expect(try Detect.run("uk_nino", "the code is JG 10 37 55 today").isEmpty)
        let hit = try #require(try Detect.run("uk_nino", "NI no: JG 10 37 55 today").first)
        #expect(hit.value == "JG103755")
    }

    @Test("words of real Cyrillic or Greek keep their letters; mixed words are folded")
    func confusableFolding() {
        let native = ScanText(Array("Москва Αθήνα сок".utf8))
        #expect(String(decoding: native.bytes, as: UTF8.self) == "Москва Αθήνα сок")
        let mixed = ScanText(Array("NІ АВ12 Ѕ\u{0301}W1А".utf8))
        #expect(String(decoding: mixed.bytes, as: UTF8.self) == "NI AB12 SW1A")
    }

    @Test("every format character is removed and line separators become line feeds")
    func formatCharacters() {
        let text = ScanText(Array("1\u{200E}2\u{202E}3\u{2066}4\u{2062}5\u{034F}6\u{FE0F}7\u{E0041}8\u{2028}9\u{0085}0\u{2029}1".utf8))
        #expect(String(decoding: text.bytes, as: UTF8.self) == "12345678\n9\n0\n1")
        // A combining mark on a letter that is not ASCII stays (é written decomposed after a
        // non-ASCII letter, emoji with a variation selector keep their look for the output).
        let kept = ScanText(Array("ß\u{0301} ❤".utf8))
        #expect(kept.isIdentity)
    }
}
