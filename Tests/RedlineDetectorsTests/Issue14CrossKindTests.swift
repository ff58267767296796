import Testing
import RedlineCore
@testable import RedlineDetectors

/// Issue 14's false alarms, checked with every built-in kind at once (not one kind at a time).
@Suite("Issue 14 false alarms across all built-in kinds")
struct Issue14CrossKindTests {
    static func kinds(_ text: String) -> [String] {
        let detectors = DetectorKind.builtins.map { try! CompiledDetector(id: $0.id, kind: $0, requiresContext: nil) }
        return DetectorScanner(detectors).scan(ScanText(Array(text.utf8))).hits.map { detectors[$0.detector].id }
    }

    @Test("parcel numbers of the big carriers and IMEIs are no finding of any kind", arguments: [
        "Royal Mail tracking AB123456789GB", "DPD parcel 15501234567890 is delayed", "IMEI 490154203237518",
        "UPS 1Z 999 AA1 01 2345 6784", "device IMEI: 35-209900-176148-1",
    ])
    func noFinding(_ text: String) {
        #expect(Self.kinds(text).isEmpty, "\(text): \(Self.kinds(text))")
    }

    @Test("Evri and DHL parcel numbers are no finding of any kind", arguments: [
        "Evri parcel 4111111111111111", "Evri tracking number 15501234567890 is out for delivery", "your Evri parcel 5555555555554444 arrives today",
        "DHL JD01 4111 1111 1111 1111", "DHL eCommerce JD014111111111111111", "DHL parcel JD01 0770 0900 1230 0000 is delayed",
    ])
    func evriAndDHL(_ text: String) {
        #expect(Self.kinds(text).isEmpty, "\(text): \(Self.kinds(text))")
    }

    @Test("the NHS number's no-match examples are no finding of any kind", arguments: DetectorKind.nhsNumber.noMatchExamples)
    func nhsNoMatch(_ text: String) {
        #expect(Self.kinds(text).isEmpty, "\(text): \(Self.kinds(text))")
    }

    @Test("the carrier no-match examples of the card, phone and bank kinds are no finding of any kind", arguments:
          (DetectorKind.paymentCard.noMatchExamples + DetectorKind.ukPhone.noMatchExamples + DetectorKind.ukBankAccount.noMatchExamples)
            .filter { ["Evri", "DHL", "DPD", "UPS", "parcel"].contains(where: $0.contains) })
    func carrierNoMatch(_ text: String) {
        #expect(Self.kinds(text).isEmpty, "\(text): \(Self.kinds(text))")
    }

    @Test("a 14-digit card-like number after a sort-code word is one finding, bank details")
    func fourteenDigitsOnce() {
        #expect(Self.kinds("sort code 36227206271667") == ["uk_bank_account"])
    }
}
