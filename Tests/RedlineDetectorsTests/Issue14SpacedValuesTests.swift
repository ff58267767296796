import Testing
import RedlineCore
@testable import RedlineDetectors

/// Issue 14's last misses: a security code or passport number typed with spaces next to its
/// keyword, and an expiry whose card word comes after the date.
@Suite("Issue 14: spaced codes and passports, card word after an expiry")
struct Issue14SpacedValuesTests {
    @Test("a security code typed digit by digit next to its keyword is found, whole, with its digits as the value", arguments: [
        ("cvv: 1 2 3", "1 2 3", "123"), ("CVV 1 2 3 4", "1 2 3 4", "1234"), ("the security code is 5 1 7 thanks", "5 1 7", "517"),
    ])
    func spacedCode(_ text: String, _ covered: String, _ digits: String) throws {
        let found = try Detect.run("card_security_code", text)
        #expect(found.count == 1, "\(text): \(found)")
        #expect(found.map { Detect.slice(text, $0.range) } == [covered])
        #expect(found.map(\.value) == [digits])
    }

    @Test("digit lists without a code keyword, or too long or short after one, are no security code", arguments: [
        "pick 1 2 3 from the list", "card 4111 1111 1111 1111 then 1 2 3", "cvv 1 2", "cvv 1 2 3 4 5", "steps 1 2 3 4",
        "cvv policy: see 1 2 3", "cvv2 1 2",
    ])
    func spacedNoCode(_ text: String) throws {
        #expect(try Detect.run("card_security_code", text).isEmpty, "\(text)")
    }

    @Test("a passport number written in spaced or hyphenated threes next to its keyword is found, whole", arguments: [
        ("passport: 123 456 789", "123 456 789"), ("Passport no 123-456-789.", "123-456-789"),
    ])
    func spacedPassport(_ text: String, _ covered: String) throws {
        let found = try Detect.run("uk_passport", text, requireContext: nil)
        #expect(found.map { Detect.slice(text, $0.range) } == [covered], "\(text): \(found)")
        #expect(found.map(\.value) == ["123456789"])
    }

    @Test("threes that mix separators, run on, or have no passport keyword are no passport number", arguments: [
        "passport 123 456-789", "passport ref 123 456 789 0", "passport 1 123 456 789", "call 123 456 789 today",
        "passport 12 345 678", "passport 111 111 111",
    ])
    func spacedNoPassport(_ text: String) throws {
        #expect(try Detect.run("uk_passport", text, requireContext: nil).isEmpty, "\(text)")
    }

    @Test("an expiry with the card word after the date is found", arguments: [
        ("expires 04/29 on my visa", "04/29"), ("exp 04/29 (mastercard)", "04/29"), ("it expires 11/2027, the debit card", "11/2027"),
    ])
    func cardWordAfter(_ text: String, _ covered: String) throws {
        let found = try Detect.run("card_expiry", text)
        #expect(found.map { Detect.slice(text, $0.range) } == [covered], "\(text): \(found)")
    }

    @Test("offers and deliveries that expire are still no card expiry", arguments: [
        "offer expiring 04/29", "delivery expires 04/29", "your voucher expires 04/29, then order a new card",
        "the offer expires 04/29. Thanks for paying by card",
    ])
    func noCardWordAfter(_ text: String) throws {
        #expect(try Detect.run("card_expiry", text).isEmpty, "\(text)")
    }
}
