import Foundation
import RedlineCore
import RedlineEngine
@testable import RedlineExtract
import Testing
@testable import RedlineMail

/// Issue 13.5: a large worksheet attached to a mail is read in windows, not whole, and a value
/// deep in it is still found by `check` with its cell. The window threshold is lowered for the
/// test (``SheetWindows/threshold`` is task-local), so a small sheet is windowed.
@Suite("Windowed spreadsheets in mail")
struct WindowedSheetMailTests {
    /// 600 rows of filler with a card number in row 537, column C.
    static func sheet() throws -> [UInt8] {
        let cells = (1...600).map { row -> (String, String) in
            row == 537 ? ("C537", "4111 1111 1111 1111") : ("A\(row)", "ticket \(row) closed, nothing to see")
        }
        return try AttachmentTests.xlsx(cells)
    }

    @Test("a card deep in a windowed sheet attached to an .eml is found by check, at its cell")
    func cardDeepInWindowedSheet() throws {
        let workbook = try Self.sheet()
        let message = AttachmentTests.message(body: "The export you asked for.", attachment: workbook, name: "export.xlsx")
        let verdict = SheetWindows.$threshold.withValue(1024) {
            SheetWindows.$windowText.withValue(2048) {
                // The extractor the mail layer builds reads the sheet in several windows.
                var pieces = 0
                _ = Extractor().extract(Data(workbook), name: "export.xlsx") { _ in pieces += 1 }
                #expect(pieces > 3)
                return Fixture.check(message)
            }
        }
        let cards = verdict.findings.filter { $0.detector == "card" }
        #expect(cards.map(\.part) == ["part 2 › export.xlsx › Customers!C537"], "\(verdict.findings.map { ($0.detector, $0.part) })")
        #expect(verdict.verdict == .block)
        #expect(verdict.unscannedAttachments.isEmpty)
        // Read whole (the default threshold), the same card is found at the same cell.
        let whole = Fixture.check(message)
        #expect(whole.findings.filter { $0.detector == cards.first?.detector }.map(\.part) == cards.map(\.part))
    }
}
