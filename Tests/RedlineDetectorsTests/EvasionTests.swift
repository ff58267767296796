import Testing
import RedlineCore
@testable import RedlineDetectors

/// Evasion forms must not hide a card, NINO or IBAN, and offsets must point into the original bytes.
@Suite("Evasion and normalisation")
struct EvasionTests {
    /// (kind, original number as written, expected normalised value)
    static let cases: [(String, String, String)] = [
        ("payment_card", "4111\u{00A0}1111\u{00A0}1111\u{00A0}1111", "4111111111111111"),       // no-break space
        ("payment_card", "4111\u{202F}1111\u{202F}1111\u{202F}1111", "4111111111111111"),       // narrow no-break
        ("payment_card", "4111\u{2009}1111\u{2009}1111\u{2009}1111", "4111111111111111"),       // thin space
        ("payment_card", "4111\u{200B}1111\u{200B}1111\u{200B}1111", "4111111111111111"),       // zero-width space
        ("payment_card", "41\u{200C}11\u{200D}1111\u{2060}1111\u{FEFF}1111", "4111111111111111"),
        ("payment_card", "4111\u{2013}1111\u{2013}1111\u{2013}1111", "4111111111111111"),       // en dash
        ("payment_card", "４１１１ １１１１ １１１１ １１１１", "4111111111111111"),                  // full-width
        ("payment_card", "٤١١١ ١١١١ ١١١١ ١١١١", "4111111111111111"),                            // Arabic-Indic
        ("payment_card", "۴۱۱۱۱۱۱۱۱۱۱۱۱۱۱۱", "4111111111111111"),                                // Extended Arabic-Indic
        ("payment_card", "४१११ ११११११११११११", "4111111111111111"),                                // Devanagari (consistent: one space)
        ("payment_card", "4111 1111\n1111 1111", "4111111111111111"),                           // line break
        ("payment_card", "4111 1111\r\n1111 1111", "4111111111111111"),
        ("uk_nino", "AB\u{00A0}12\u{00A0}34\u{00A0}56\u{00A0}C", "AB123456C"),
        ("uk_nino", "AB\u{200B}123456C", "AB123456C"),
        ("uk_nino", "AB\u{2013}12\u{2013}34\u{2013}56\u{2013}C", "AB123456C"),
        ("uk_nino", "ＡＢ１２３４５６Ｃ", "AB123456C"),
        ("uk_nino", "AB ١٢ ٣٤ ٥٦ C", "AB123456C"),
        ("uk_nino", "AB 12 34\n56 C", "AB123456C"),
        ("iban", "GB82\u{00A0}WEST\u{00A0}1234\u{00A0}5698\u{00A0}7654\u{00A0}32", "GB82WEST12345698765432"),
        ("iban", "GB82\u{200B}WEST1234\u{200B}5698765432", "GB82WEST12345698765432"),
        ("iban", "GB82 WEST 1234\n5698 7654 32", "GB82WEST12345698765432"),
        ("iban", "ＧＢ８２ＷＥＳＴ１２３４５６９８７６５４３２", "GB82WEST12345698765432"),
        ("iban", "GB82\u{2009}WEST\u{2009}١٢٣٤\u{2009}5698\u{2009}7654\u{2009}32", "GB82WEST12345698765432"),
    ]

    @Test("each evasion form is found and its range is exactly the written number in the original bytes", arguments: cases)
    func evasion(_ example: (String, String, String)) throws {
        let (kind, written, value) = example
        let text = "Details: \(written) — thanks"
        let found = try Detect.run(kind, text)
        #expect(found.count == 1, "\(kind): \(written.debugDescription)")
        guard let hit = found.first else { return }
        #expect(hit.value == value)
        #expect(hit.range == Detect.range(of: written, in: text), "\(kind): \(written.debugDescription) got \(Detect.slice(text, hit.range).debugDescription)")
    }

    @Test("zero-width characters around a number are not part of its range")
    func zeroWidthOutside() throws {
        let text = "x \u{200B}4111111111111111\u{200B} y"
        let hit = try #require(try Detect.run("payment_card", text).first)
        #expect(hit.range == Detect.range(of: "4111111111111111", in: text))
    }

    @Test("invalid UTF-8 around and between numbers does not stop scanning, and offsets stay in original bytes")
    func invalidUTF8() throws {
        var bytes: [UInt8] = [0xFF, 0xFE, 0x20]
        bytes += Array("card ".utf8)
        let start = bytes.count
        bytes += Array("4111 1111 1111 1111".utf8)
        let end = bytes.count
        bytes += [0xC3, 0x20, 0xE2, 0x82] + Array(" NI AB123456C".utf8) + [0x80]
        let cards = try Detect.run("payment_card", bytes: bytes)
        #expect(cards.map(\.range) == [start..<end])
        let ninos = try Detect.run("uk_nino", bytes: bytes)
        #expect(ninos.map(\.range) == [(bytes.count - 10)..<(bytes.count - 1)])
    }

    @Test("normalisation maps every kind of character as documented")
    func normalisation() {
        let text = ScanText(Array("a\u{00A0}b\u{200B}c\u{2013}d１٣".utf8))
        #expect(String(decoding: text.bytes, as: UTF8.self) == "a bc-d13")
        #expect(!text.isIdentity)
        let ascii = ScanText(Array("plain ascii".utf8))
        #expect(ascii.isIdentity)
        #expect(ascii.originalRange(2..<5) == 2..<5)
        let invalid = ScanText([0x41, 0xFF, 0x42])
        #expect(invalid.bytes == [0x41, 0xEF, 0xBF, 0xBD, 0x42])
        #expect(invalid.originalOffset(4) == 2)
        #expect(invalid.originalRange(1..<4) == 1..<2)
    }
}
