import Foundation
import FuzzSupport
import RedlineTool

// The audit log reader of `redline audit report` (a log may be truncated, edited or not a log at
// all). Invariants: any bytes are either refused with a message or read; a log that is read
// renders in every format; the totals per verdict add up to the records; the CSV has one line
// per sender, group, rule and override plus its header.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuditReport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    guard let report = try? AuditReport(log: bytes, since: "2026-01-01") else { return 0 }
    Fuzz.check(report.verdicts.values.reduce(0, +) == report.records, "verdict totals \(report.verdicts) do not add up to \(report.records) records")
    for format in AuditReport.Format.allCases {
        let text = report.render(format, file: "fuzz.jsonl")
        Fuzz.check(!text.isEmpty, "an accepted log renders empty as \(format)")
        if format == .html { Fuzz.check(!text.contains("<script"), "the HTML report holds a script") }
        if format == .csv {
            let rows = text.components(separatedBy: "\r\n").count - 1
            let expected = 1 + report.bySender.count + report.byGroup.count + report.byRule.count + report.overrides.count
            Fuzz.check(rows >= expected, "CSV has \(rows) rows, want at least \(expected)")
        }
    }
    return 0
}
