import Foundation
import FuzzSupport
import RedlineTool

// The JSON scan report reader of `redline report merge` (untrusted files from other machines).
// Invariants: any bytes are either refused with a message or read; a report that is read renders
// in every format, its findings count adds up when merged with a copy of itself, and its JSON
// rendering reads back with the same totals.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScanReport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    guard case .success(let once) = ReportMerger.render(reportData: bytes, name: "fuzz.json", format: .json) else { return 0 }
    for format in ScanFormat.allCases {
        guard case .success = ReportMerger.render(reportData: bytes, name: "fuzz.json", format: format) else {
            Fuzz.check(false, "an accepted report does not render as \(format)")
            return 0
        }
    }
    if case .success(let twice) = ReportMerger.render(reportData: bytes, name: "fuzz.json", copies: 2, format: .text) {
        Fuzz.check(twice.totals.findings == 2 * once.totals.findings, "two copies do not hold twice the findings")
    } else {
        Fuzz.check(false, "a report merged with itself is refused")
    }
    switch ReportMerger.render(reportData: Data(once.output), name: "again.json", format: .json) {
    case .success(let again):
        Fuzz.check(again.totals.findings == once.totals.findings && again.totals.files == once.totals.files
                   && again.totals.errors == once.totals.errors, "the JSON rendering reads back with other totals")
    case .failure(let problem):
        Fuzz.check(false, "the JSON rendering of an accepted report is refused: \(problem)")
    }
    return 0
}
