import Testing
import RedlineCore
@testable import RedlineDetectors

@Suite("payment_card detector")
struct PaymentCardTests {
    @Test("an Amex or Diners number printed in its own layout is found even when another group follows (an expiry, a CVV)", arguments: [
        ("card 3782 822463 10005 0427 thanks", "378282246310005"), ("Diners 3056 930902 5904 1234", "30569309025904"),
    ])
    func shortLayoutFollowedByGroup(_ example: (String, String)) throws {
        #expect(try Detect.run("payment_card", example.0).map(\.value) == [example.1])
    }

    @Test("a 15-digit window inside a longer uniform run is still a fragment, not a card")
    func uniformRunStaysAFragment() throws {
        // 4-4-4-3 followed by another 4-group: no card layout, so the continuation rule holds.
        #expect(try Detect.run("payment_card", "ids 3782 8224 6310 005 0427").isEmpty)
    }

    static func cards(_ text: String) throws -> [Detected] { try Detect.run("payment_card", text) }

    @Test("finds a card written compact, spaced, hyphenated or dotted, covering exactly the number",
          arguments: ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111"])
    func separatorStyles(_ written: String) throws {
        let text = "Card: \(written), expiry 09/27"
        let found = try Self.cards(text)
        #expect(found.count == 1)
        #expect(found.first.map { Detect.slice(text, $0.range) } == written)
        #expect(found.first?.value == "4111111111111111")
    }

    @Test("finds each scheme's lengths and prefixes", arguments: [
        "3782 822463 10005",          // Amex 4-6-5
        "2223 0031 2200 3222",        // Mastercard 2-series
        "5105 1051 0510 5100",        // Mastercard 51-55
        "6011 1111 1111 1117",        // Discover
        "3530 1113 3330 0000",        // JCB
        "3056 930902 5904",           // Diners 14
        "6205500000000000004",        // UnionPay 19
        "4000 1234 1234 1230 006",    // Visa 19 (Luhn-valid, its first 16 digits are not)
        "4532 0151 1283 0366",        // Visa 16, not a test number
    ])
    func schemes(_ number: String) throws {
        let found = try Self.cards("pay with \(number) today")
        #expect(found.count == 1, "\(number)")
        #expect(found.first?.value == number.filter(\.isNumber))
    }

    @Test("published test numbers are recognised and marked; other valid numbers are not")
    func testNumbersMarked() throws {
        #expect(try Self.cards("4242 4242 4242 4242").first?.isTestValue == true)
        #expect(try Self.cards("4532 0151 1283 0366").first?.isTestValue == false)
    }

    @Test("a detector told to ignore test numbers skips them but keeps real ones")
    func ignoreTestNumbers() throws {
        let detector = try CompiledDetector(id: "card", kind: .paymentCard, countTestValues: false)
        let hits = DetectorScanner([detector]).scan(ScanText(Array("4242424242424242 and 4532015112830366".utf8))).hits
        #expect(hits.count == 1)
        #expect(hits.first.map { String(decoding: $0.value, as: UTF8.self) } == "4532015112830366")
    }

    @Test("hard negatives are not cards", arguments: [
        "Order 4111 1111 1111 1112 has shipped",          // Luhn-failing 16-digit order number
        "Order no. 4929123456789115",                     // Luhn-failing compact
        "IMEI 490154203237518",                           // Luhn-valid 15-digit IMEI
        "IMEI 35-209900-176148-1",                        // IMEI written in its own groups
        "IMEISV 3520990017614823",
        "tracking 1234567812345678",
        "USPS 9400 1000 0000 0000 0000 00",               // 22-digit tracking number
        "Royal Mail AB123456789GB",
        "ref 41111111111111111111",                       // longer digit run
        "ABC4111111111111111",                            // inside an alphanumeric token
        "4111111111111111X",
        "mixed 4111 1111-111 11111",                      // inconsistent separators, not groups of four
        "mixed 4111.11111 111.1111",
        "ref 4111-1111-1111-1111-1111",                   // hyphen-bound longer token
        "v1.4111.1111.1111.1111",
        "amount 4,111,111,111,111,111",
        "123456789012", "time 12:30 on 2024-01-15",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Self.cards(text).isEmpty, "\(text)")
    }

    @Test("an 11-digit phone number beside a card is not part of the card")
    func phoneBesideCard() throws {
        for text in ["4111 1111 1111 1111 07700 900123", "07700900123 4111111111111111", "card 4111111111111111, mob 07700900123"] {
            let found = try Self.cards(text)
            #expect(found.count == 1, "\(text)")
            #expect(found.first.map { Detect.slice(text, $0.range).filter(\.isNumber) } == "4111111111111111", "\(text)")
        }
    }

    @Test("two cards in a row are found separately")
    func twoCards() throws {
        let text = "4111 1111 1111 1111 5555 5555 5555 4444"
        let found = try Self.cards(text)
        #expect(found.map(\.value) == ["4111111111111111", "5555555555554444"])
    }

    @Test("a card wrapped across a line break is found and its range spans both lines")
    func wrappedLine() throws {
        for text in ["card 4111 1111\n1111 1111 ok", "card 4111 1111 \r\n1111 1111 ok", "card 41111111\n11111111 ok"] {
            let found = try Self.cards(text)
            #expect(found.count == 1, "\(text.debugDescription)")
            #expect(found.first?.range == Detect.range(of: "4111", in: text)!.lowerBound..<(Array(text.utf8).count - 3))
        }
    }

    @Test("keywords near the number raise confidence from medium to high")
    func contextRaisesConfidence() throws {
        #expect(try Self.cards("4532 0151 1283 0366").first?.confidence == .medium)
        #expect(try Self.cards("my visa card is 4532 0151 1283 0366").first?.confidence == .high)
    }
}

@Suite("Checksums")
struct ChecksumsTests {
    @Test("Luhn accepts valid numbers and rejects one-digit changes")
    func luhn() {
        #expect(Checksums.luhn(Array("4111111111111111".utf8)))
        #expect(!Checksums.luhn(Array("4111111111111112".utf8)))
        #expect(!Checksums.luhn(Array("4".utf8)))
        #expect(!Checksums.luhn(Array("41x1".utf8)))
    }

    @Test("NHS mod-11 accepts valid numbers, rejects wrong check digits and the never-issued check digit 10")
    func nhs() {
        #expect(Checksums.nhsMod11(Array("9434765919".utf8)))
        #expect(!Checksums.nhsMod11(Array("9434765918".utf8)))
        for last in 0...9 { #expect(!Checksums.nhsMod11(Array("943476002\(last)".utf8)), "check digit 10 is never issued") }
        #expect(!Checksums.nhsMod11(Array("943476591".utf8)))
    }

    @Test("IBAN mod-97 accepts valid IBANs and rejects changed ones")
    func mod97() {
        #expect(Checksums.mod97(Array("GB82WEST12345698765432".utf8)))
        #expect(Checksums.mod97(Array("DE89370400440532013000".utf8)))
        #expect(!Checksums.mod97(Array("GB82WEST12345698765433".utf8)))
        #expect(!Checksums.mod97(Array("GB82".utf8)))
    }

    @Test("card schemes check prefix and length together")
    func schemes() {
        #expect(CardSchemes.scheme(of: Array("378282246310005".utf8)) == "amex")
        #expect(CardSchemes.scheme(of: Array("3782822463100051".utf8)) == nil)
        #expect(CardSchemes.scheme(of: Array("2720990000000007".utf8)) == "mastercard")
        #expect(CardSchemes.scheme(of: Array("2721000000000000".utf8)) == nil)
        #expect(CardSchemes.scheme(of: Array("490154203237518".utf8)) == nil, "a 15-digit number starting with 4 is no card")
    }
}
