import Testing
import RedlineCore
@testable import RedlineDetectors

/// What follows a card number with no keyword between: a Visa, Mastercard, Discover… security
/// code has three digits and an American Express CID four, so four digits after a card that is not
/// an Amex are its expiry (`MMYY`) when they read as a month and year, and an expiry followed by
/// a code (`04/2029/123`, `0429 123`) is two findings. Every built-in kind runs at once.
@Suite("Card security code and expiry right after a card")
struct CardDataAfterCardTests {
    static func found(_ text: String) -> [String] { JoinedValuesTests.found(text) }

    @Test("four digits shaped MMYY after a card that is not an Amex are its expiry", arguments: [
        ("card 4111111111111111/0429", ["payment_card=4111111111111111", "card_expiry=0429"]),
        ("card 4111111111111111 0429", ["payment_card=4111111111111111", "card_expiry=0429"]),
        ("card 4111 1111 1111 1111, 0429", ["payment_card=4111 1111 1111 1111", "card_expiry=0429"]),
        ("Mastercard 5555555555554444 1128 thanks", ["payment_card=5555555555554444", "card_expiry=1128"]),
        ("Discover 6011111111111117/0131", ["payment_card=6011111111111117", "card_expiry=0131"]),
        ("card 4087 2014 1933 1089 0629 - retry", ["payment_card=4087 2014 1933 1089", "card_expiry=0629"]),
        ("card 4111111111111111/042029", ["payment_card=4111111111111111", "card_expiry=042029"]),
    ])
    func compactExpiry(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }

    @Test("an expiry followed by a code after a card is an expiry and a security code", arguments: [
        ("card 4111111111111111/04/2029/123", ["payment_card=4111111111111111", "card_expiry=04/2029", "card_security_code=123"]),
        ("card 4111111111111111/04/29/123", ["payment_card=4111111111111111", "card_expiry=04/29", "card_security_code=123"]),
        ("card 4111 1111 1111 1111 04/2029 123", ["payment_card=4111 1111 1111 1111", "card_expiry=04/2029", "card_security_code=123"]),
        ("card 4111111111111111/0429/123", ["payment_card=4111111111111111", "card_expiry=0429", "card_security_code=123"]),
        ("card 4111111111111111 0429 123 thanks", ["payment_card=4111111111111111", "card_expiry=0429", "card_security_code=123"]),
        ("exp 04/2029/123", ["card_expiry=04/2029"]),
    ])
    func expiryThenCode(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }

    @Test("four digits after an American Express card are its CID, unless a code follows them", arguments: [
        ("amex 378282246310005/0429", ["payment_card=378282246310005", "card_security_code=0429"]),
        ("amex 378282246310005 1234", ["payment_card=378282246310005", "card_security_code=1234"]),
        ("amex 3782 822463 10005 1399", ["payment_card=3782 822463 10005", "card_security_code=1399"]),
        ("amex 378282246310005/0429/1234", ["payment_card=378282246310005", "card_expiry=0429", "card_security_code=1234"]),
        ("amex 3782 822463 10005 04/29 1234", ["payment_card=3782 822463 10005", "card_expiry=04/29", "card_security_code=1234"]),
        ("amex 378282246310005 0429 1234", ["payment_card=378282246310005", "card_expiry=0429", "card_security_code=1234"]),
        ("Amex 3714 496353 98431 0428 1234", ["payment_card=3714 496353 98431", "card_expiry=0428", "card_security_code=1234"]),
        ("amex 378282246310005 737", ["payment_card=378282246310005", "card_security_code=737"]),
    ])
    func amex(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }

    @Test("a security code keyword still names four digits after any card", arguments: [
        ("card 4111111111111111 cvv 1234", ["payment_card=4111111111111111", "card_security_code=1234"]),
        ("card 4111111111111111 exp 04/29 security code 4821", ["payment_card=4111111111111111", "card_expiry=04/29", "card_security_code=4821"]),
    ])
    func keywordStillNames(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }

    @Test("an expiry after `expiring` counts when a card word comes before it", arguments: [
        ("visa ending 1111 expiring 04/29", ["card_expiry=04/29"]),
        ("my debit card expiring 11/2027 was replaced", ["card_expiry=11/2027"]),
        ("your offer expiring 04/29 is ready", []),
    ])
    func expiring(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }

    @Test("four digits after a card that are neither a month and year nor an Amex CID are not card data", arguments: [
        ("card 4111111111111111 1399", ["payment_card=4111111111111111"]),
        ("card 4111111111111111 2024 statement", ["payment_card=4111111111111111"]),
        ("card 4111111111111111 04/29/2025", ["payment_card=4111111111111111"]),
        ("order 4111 1111 1111 1112 0429", []),
        // A 12-digit card inside a longer number printed in fours is no card for its data either.
        ("Order 6364 9620 2707 9093/04/2029/341 refunded", []),
        ("Your order 6706 7944 8910 1229 has shipped", []),
        // Digits after a slash are not the end of the card (these 18 digits pass Luhn).
        ("Order 4563068743842523/11/31/547 refunded", []),
        ("Order 4125 4256 1481 4833/06/30/885 refunded", []),
        ("expiry 04/29/2025", []),
    ])
    func notCardData(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }
}
