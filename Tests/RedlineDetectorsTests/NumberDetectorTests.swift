import Testing
import RedlineCore
@testable import RedlineDetectors

@Suite("uk_phone detector")
struct PhoneTests {
    @Test("finds UK numbers in every written form, normalised to the national form", arguments: [
        ("07700 900123", "07700900123"), ("07700900123", "07700900123"), ("+44 7700 900123", "07700900123"),
        ("+447700900123", "07700900123"), ("+44 (0)7700 900123", "07700900123"), ("0044 7700 900123", "07700900123"),
        ("(020) 7946 0123", "02079460123"), ("020-7946-0123", "02079460123"), ("0161 496 0000", "01614960000"),
        ("01632 960123", "01632960123"), ("0800 123 4567", "08001234567"), ("0113 496 0999", "01134960999"),
    ])
    func positives(_ example: (String, String)) throws {
        let text = "Call me on \(example.0) after 6"
        let found = try Detect.run("uk_phone", text)
        #expect(found.count == 1, "\(example.0)")
        #expect(found.first?.value == example.1)
        #expect(found.first.map { Detect.slice(text, $0.range) } == example.0)
    }

    @Test("non-UK numbers and other digit strings are not UK phone numbers", arguments: [
        "+1 212 555 0123", "+33 1 42 68 53 00", "+353 1 234 5678", "+49 30 123456", "order 12345678901",
        "07700 90012", "0044 1 2", "ref 077009001234567", "4111 1111 1111 1111", "on 12/03/2024 at 10:30",
        "0123", "06 12 34 56 78", "+44 20 7946", "version 0.7700.900123",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Detect.run("uk_phone", text).isEmpty, "\(text)")
    }

    @Test("a phone number beside a card covers only the phone digits")
    func phoneBesideCard() throws {
        for text in ["4111 1111 1111 1111 07700 900123", "07700 900123 4111 1111 1111 1111", "card 4111111111111111 mob 07700900123"] {
            let found = try Detect.run("uk_phone", text)
            #expect(found.count == 1, "\(text)")
            #expect(found.first?.value == "07700900123", "\(text)")
            #expect(found.first.map { Detect.slice(text, $0.range).filter(\.isNumber) } == "07700900123", "\(text)")
        }
    }

    @Test("the tail of a UPS tracking number is not a phone number; a real number next to one still is", arguments: [
        ("parcel 1Z 999 AA1 01 2345 6784 is on its way", [String]()),
        ("parcel 1z 999 aa1 01 2345 6784.", []),
        ("parcel 1Z999AA10123456784", []),
        ("1Z 999 AA1 01 2345 6784, or call 01632 960123", ["01632960123"]),
        // A wrong check digit is not a UPS number: the phone-shaped tail counts again.
        ("ref 1Z 999 AA1 01 2345 6785 today", ["0123456785"]),
        // Glued to a word, `1Z…` is not a tracking number either.
        ("X1Z 999 AA1 01 2345 6784 today", ["0123456784"]),
    ])
    func upsTrackingNumbers(_ example: (String, [String])) throws {
        #expect(try Detect.run("uk_phone", example.0).map(\.value) == example.1, "\(example.0)")
    }

    @Test("the UPS check digit follows the published rule (letters as (code − 63) mod 10, even positions doubled)")
    func upsCheckDigit() {
        func inside(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { TrackingNumbers.containsUPS($0, around: (bytes.count - 4)..<bytes.count) }
        }
        #expect(inside("1Z 999 AA1 01 2345 6784"))
        #expect(inside("1Z999AA10123456784"))
        for wrong in 0...9 where wrong != 4 { #expect(!inside("1Z 999 AA1 01 2345 678\(wrong)")) }
        #expect(!inside("1Z 999 AA1 01 2345 67841"))   // 17 characters: not a UPS number
        #expect(!inside("1Z 999  AA1 01 2345 6784"))   // two spaces break the number
    }

    @Test("two numbers in a row are found separately")
    func twoNumbers() throws {
        let found = try Detect.run("uk_phone", "0161 496 0000 or 0161 496 0001")
        #expect(found.map(\.value) == ["01614960000", "01614960001"])
    }
}

@Suite("nhs_number detector")
struct NHSNumberTests {
    @Test("finds NHS numbers written 3-3-4 with spaces, hyphens or none, when context is near", arguments: [
        "943 476 5919", "943-476-5919", "9434765919", "401 023 2137",
    ])
    func positives(_ written: String) throws {
        let text = "Patient NHS number \(written)."
        let found = try Detect.run("nhs_number", text, requireContext: true)
        #expect(found.count == 1)
        #expect(found.first.map { Detect.slice(text, $0.range) } == written)
    }

    @Test("needs context by default: the same digits without a keyword are not found")
    func needsContext() throws {
        #expect(try Detect.run("nhs_number", "Parcel 943 476 5919 is on its way", requireContext: nil).isEmpty)
        #expect(try Detect.run("nhs_number", "NHS no 943 476 5919", requireContext: nil).count == 1)
    }

    @Test("hard negatives: wrong check digit, check digit 10, longer runs, mixed separators", arguments: [
        "NHS 943 476 5918", "NHS 943 476 0025", "NHS 943 476 59190", "NHS 1943 476 5919", "NHS 943 476-5919",
        "NHS 943 4765 919", "NHS 12 943 476 5919",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Detect.run("nhs_number", text).isEmpty, "\(text)")
    }
}

@Suite("uk_bank_account detector")
struct BankAccountTests {
    @Test("finds a sort code and account number given together, in either order", arguments: [
        "sort code 20-00-00 account 12345678", "Sort code: 40 47 84, acc no 70872490", "a/c 12345678 s/c 30-90-89",
        "bank details 200000 12345678", "sort code 20-00-00, account number: 12345678",
    ])
    func positives(_ text: String) throws {
        let found = try Detect.run("uk_bank_account", text, requireContext: true)
        #expect(found.count == 1, "\(text)")
        #expect(found.first?.value.count == 14)
    }

    @Test("dates beside account-like numbers, lone sort codes and lone account numbers are not bank details", arguments: [
        "bank transfer on 12-03-2024 ref 12345678", "bank: paid 12/03/24 12345678", "sort code 20-00-00",
        "account 12345678 only", "sort code 20-00-00 account 123456789", "bank 2024-03-12 12345678",
        "bank holiday 12-03-24. Order 12345678",
    ])
    func hardNegatives(_ text: String) throws {
        #expect(try Detect.run("uk_bank_account", text, requireContext: true).isEmpty, "\(text)")
    }

    @Test("needs context by default")
    func needsContext() throws {
        #expect(try Detect.run("uk_bank_account", "Booked for 12-03-24, ticket 12345678", requireContext: nil).isEmpty)
    }
}
