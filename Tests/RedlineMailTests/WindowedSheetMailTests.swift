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

    /// 600 rows of filler with NI numbers (redacted, not blocked) in rows 120 and 537, column C.
    static func ninoSheet() throws -> [UInt8] {
        try AttachmentTests.xlsx((1...600).map { row -> (String, String) in
            switch row {
            case 120: ("C120", "NI JG 10 37 55 A on file")
            case 537: ("C537", "NI AB 12 34 56 C on file")
            default: ("A\(row)", "ticket \(row) closed, nothing to see")
            }
        })
    }

    /// `message` redacted with its sheet `workbook` read in several small windows (checked).
    static func redactInWindows(_ message: [UInt8], workbook: [UInt8]) -> ([UInt8], MailVerdict) {
        SheetWindows.$threshold.withValue(1024) {
            SheetWindows.$windowText.withValue(2048) {
                var pieces = 0
                _ = Extractor().extract(Data(workbook), name: "export.xlsx") { _ in pieces += 1 }
                #expect(pieces > 3)
                return Fixture.redact(message)
            }
        }
    }

    @Test("NI numbers in a windowed sheet are redacted inside the file, and the file is the one a whole read gives")
    func ninoRedactedInWindowedSheet() throws {
        let workbook = try Self.ninoSheet()
        let message = AttachmentTests.message(body: "The export you asked for.", attachment: workbook, name: "export.xlsx")
        let (output, verdict) = Self.redactInWindows(message, workbook: workbook)
        #expect(verdict.verdict == .redact, "\(verdict.diagnostics.map { ($0.code, $0.message) })")
        #expect(verdict.findings.filter { $0.detector == "nino" }.map(\.part)
            == ["part 2 › export.xlsx › Customers!C120", "part 2 › export.xlsx › Customers!C537"])
        #expect(verdict.redactedAttachments == ["part 2 \"export.xlsx\": nino in Customers!C120; nino in Customers!C537"])
        #expect(verdict.strippedAttachments.isEmpty && verdict.diagnostics.isEmpty)
        let (file, _) = try AttachmentRedactionTests.lastAttachment(output)
        let text = AttachmentRedactionTests.documentText(file)
        #expect(text.contains("NI [NI NUMBER] on file"))
        #expect(!text.contains("JG 10 37 55 A") && !text.contains("AB 12 34 56 C"))
        #expect(text.contains("ticket 599 closed, nothing to see"))
        // Read whole (the default threshold), the same message is redacted to the same bytes.
        let (whole, wholeVerdict) = Fixture.redact(message)
        #expect(wholeVerdict.redactedAttachments == verdict.redactedAttachments)
        #expect(whole == output)
        #expect(Fixture.check(output).findings.filter { $0.action >= .redact }.isEmpty)
    }

    @Test("one NI number in one window of a windowed sheet is redacted inside the file, as a whole read would")
    func ninoInOneWindowRedacted() throws {
        let workbook = try AttachmentTests.xlsx((1...600).map { row -> (String, String) in
            row == 300 ? ("C300", "NI JG 10 37 55 A on file") : ("A\(row)", "ticket \(row) closed, nothing to see")
        })
        let message = AttachmentTests.message(body: "The export you asked for.", attachment: workbook, name: "export.xlsx")
        let (output, verdict) = Self.redactInWindows(message, workbook: workbook)
        #expect(verdict.verdict == .redact, "\(verdict.diagnostics.map { ($0.code, $0.message) })")
        #expect(verdict.redactedAttachments == ["part 2 \"export.xlsx\": nino in Customers!C300"])
        #expect(verdict.strippedAttachments.isEmpty && verdict.diagnostics.isEmpty)
        let (file, _) = try AttachmentRedactionTests.lastAttachment(output)
        let text = AttachmentRedactionTests.documentText(file)
        #expect(text.contains("NI [NI NUMBER] on file") && !text.contains("JG 10 37 55 A"))
        #expect(text.contains("ticket 1 closed, nothing to see") && text.contains("ticket 600 closed, nothing to see"))
        let (whole, _) = Fixture.redact(message)
        #expect(whole == output)
    }

    @Test("five NI numbers over many windows block as a bulk export, the first window's too, as a whole read decides")
    func bulkThresholdAcrossWindows() throws {
        let rows: [Int: String] = [30: "11", 560: "22", 570: "33", 580: "44", 590: "55"]
        let workbook = try AttachmentTests.xlsx((1...600).map { row -> (String, String) in
            rows[row].map { ("C\(row)", "NI JG 10 37 \($0) A on file") } ?? ("A\(row)", "ticket \(row) closed, nothing to see")
        })
        let message = AttachmentTests.message(body: "The export you asked for.", attachment: workbook, name: "export.xlsx")
        let windowed = SheetWindows.$threshold.withValue(1024) {
            SheetWindows.$windowText.withValue(2048) { Fixture.check(message) }
        }
        let ninos = windowed.findings.filter { $0.detector == "nino" }
        #expect(ninos.map(\.part) == rows.keys.sorted().map { "part 2 › export.xlsx › Customers!C\($0)" })
        #expect(ninos.allSatisfy { $0.rule == "nino-bulk-export" && $0.action == .block })
        #expect(windowed.verdict == .block)
        let whole = Fixture.check(message)
        #expect(whole.findings.map { [$0.detector, $0.part ?? "", $0.rule ?? "", $0.action.name] }
            == windowed.findings.map { [$0.detector, $0.part ?? "", $0.rule ?? "", $0.action.name] })
    }
}
