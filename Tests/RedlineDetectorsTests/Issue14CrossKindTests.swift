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

    @Test("a 14-digit card-like number after a sort-code word is one finding, bank details")
    func fourteenDigitsOnce() {
        #expect(Self.kinds("sort code 36227206271667") == ["uk_bank_account"])
    }
}
