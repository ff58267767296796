import Testing
import RedlineCore
@testable import RedlineDetectors

/// Values written back to back, joined by `/`, `,`, `;`, `|`, `+` or `&` (`5555555555554444/4111111111111111`):
/// each is found on its own, with exactly its own span, when it validates on its own; digit runs
/// that belong to a longer token stay refused. Every built-in kind runs at once, as in a policy.
@Suite("Values joined by a slash or list punctuation")
struct JoinedValuesTests {
    static let detectors = DetectorKind.builtins.map { try! CompiledDetector(id: $0.id, kind: $0, requiresContext: nil) }

    /// The kind and the original text of every hit, in order.
    static func found(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        let scanText = ScanText(bytes)
        return DetectorScanner(detectors).scan(scanText).hits.map { hit in
            "\(detectors[hit.detector].id)=" + String(decoding: bytes[scanText.originalRange(hit.range)], as: UTF8.self)
        }
    }

    static let joiners = ["/", ",", ";", "|", "+", "&"]

    /// Pairs of values of one kind (with the words before them that give context).
    static let pairs: [(String, String, String, String)] = [
        ("payment_card", "card ", "5555555555554444", "4111111111111111"),
        ("payment_card", "cards ", "4111 1111 1111 1111", "5555 5555 5555 4444"),
        ("payment_card", "cards ", "4111-1111-1111-1111", "3782 822463 10005"),
        ("uk_nino", "NI number ", "JG103755A", "AB123456C"),
        ("uk_nino", "NI number ", "JG 10 37 55 A", "AB 12 34 56 C"),
        ("uk_phone", "call ", "07700900123", "07700900456"),
        ("uk_phone", "call ", "07700 900123", "0161 496 0000"),
        ("uk_phone", "call ", "+44 7700 900123", "+44 7700 900456"),
        ("uk_phone", "call ", "+447700900123", "+44 20 7946 0123"),
        ("uk_phone", "call ", "07700 900123", "+44 7700 900456"),
        ("uk_bank_account", "bank details ", "20-00-00 12345678", "40-47-84 70872490"),
        ("nhs_number", "NHS numbers ", "943 476 5919", "401 023 2137"),
        ("uk_postcode", "addresses ", "LS6 2AB", "M1 1AE"),
    ]

    @Test("two values of one kind joined by each joiner are two findings, each exactly its value", arguments: pairs)
    func twoOfAKind(_ pair: (String, String, String, String)) {
        let (kind, before, first, second) = pair
        for joiner in Self.joiners {
            let text = before + first + joiner + second + " thanks"
            #expect(Self.found(text) == ["\(kind)=\(first)", "\(kind)=\(second)"], "\(text.debugDescription): \(Self.found(text))")
        }
    }

    @Test("three cards joined by slashes are three cards")
    func threeCards() {
        #expect(Self.found("cards 5555555555554444/4111111111111111/378282246310005 thanks")
                == ["payment_card=5555555555554444", "payment_card=4111111111111111", "payment_card=378282246310005"])
    }

    @Test("values of different kinds joined by a slash or a comma are each found", arguments: [
        // Four digits shaped MMYY right after a Visa are its expiry, slash or space alike (only an
        // Amex CID has four digits; see CardDataAfterCardTests).
        ("card 4111111111111111/0429", ["payment_card=4111111111111111", "card_expiry=0429"]),
        ("card 4111111111111111 0429", ["payment_card=4111111111111111", "card_expiry=0429"]),
        ("card 4111 1111 1111 1111/04/29", ["payment_card=4111 1111 1111 1111", "card_expiry=04/29"]),
        ("card 4111111111111111/04/2029", ["payment_card=4111111111111111", "card_expiry=04/2029"]),
        ("card 4111111111111111/04/29/123", ["payment_card=4111111111111111", "card_expiry=04/29", "card_security_code=123"]),
        ("card 4111111111111111/737", ["payment_card=4111111111111111", "card_security_code=737"]),
        ("card 4111111111111111,JG103755A", ["payment_card=4111111111111111", "uk_nino=JG103755A"]),
        ("NI JG103755A/4111111111111111", ["uk_nino=JG103755A", "payment_card=4111111111111111"]),
        ("4111111111111111/07700900123", ["payment_card=4111111111111111", "uk_phone=07700900123"]),
        ("sort code 20-00-00 account 12345678/4111111111111111",
         ["uk_bank_account=20-00-00 account 12345678", "payment_card=4111111111111111"]),
        ("sort code 20-00-00/12345678", ["uk_bank_account=20-00-00/12345678"]),
        ("bank account 12345678/20-00-00", ["uk_bank_account=12345678/20-00-00"]),
    ])
    func mixedKinds(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }

    @Test("a NINO without its suffix joined to a full NINO is found with no keyword nearby", arguments: [
        ("Refs AB123456C/JG103755 thanks", ["uk_nino=AB123456C", "uk_nino=JG103755"]),
        ("Refs JG103755/AB123456C thanks", ["uk_nino=JG103755", "uk_nino=AB123456C"]),
        ("Refs JG 10 37 55, AB 12 34 56 C", ["uk_nino=JG 10 37 55", "uk_nino=AB 12 34 56 C"]),
        ("NI JG103755 on file", ["uk_nino=JG103755"]),
        ("NI: JG 10 37 55 on file", ["uk_nino=JG 10 37 55"]),
        // A list: each suffixless NINO is vouched for through the others as far as a full one.
        ("Refs AB123456C/JG103755/CE123456 thanks", ["uk_nino=AB123456C", "uk_nino=JG103755", "uk_nino=CE123456"]),
        ("Refs CE123456, JG103755, AB123456C", ["uk_nino=CE123456", "uk_nino=JG103755", "uk_nino=AB123456C"]),
    ])
    func suffixlessBesideFull(_ example: (String, [String])) {
        #expect(Self.found(example.0) == example.1, "\(example.0.debugDescription): \(Self.found(example.0))")
    }

    @Test("suffixless NINO shapes with no full NINO or keyword beside them are not NINOs", arguments: [
        "Refs JG103755/CE123456 thanks", "ref JG103755 today", "order AB123456/4111", "UNI JG103755 module", "AB123456C and later JG103755",
        "see AB123456X/JG103755",
        // A chain with no full NINO in it, or broken by another item, vouches for nothing.
        "Refs JG103755/CE123456/AB123456 thanks", "Refs JG103755/order 4111/AB123456C", "Refs CE123456/JG103755/AB 12-34 56 C",
    ])
    func suffixlessAlone(_ text: String) {
        #expect(!Self.found(text).contains { $0.hasPrefix("uk_nino=") && !$0.hasSuffix("C") }, "\(text.debugDescription): \(Self.found(text))")
    }

    @Test("digit runs that belong to a longer token are still refused", arguments: [
        "id 12/4539/1488/0343/6467", "ref 4539148803436467-2", "ref 4539-1488-0343-6467-2",
        "order 4111-1111-1111-1111-5555-5555-5555-4444", "ref 4111.1111.1111.1111.0429", "box LS6 2AB/4", "file uploads/LS6 2AB",
        "part AB12 3CD-4", "sort code 20-00-00-12345678",
    ])
    func longerTokens(_ text: String) {
        #expect(!Self.found(text).contains { $0.hasPrefix("payment_card") || $0.hasPrefix("uk_postcode") || $0.hasPrefix("uk_bank_account") },
                "\(text.debugDescription): \(Self.found(text))")
    }
}
