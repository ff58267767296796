import Foundation
import Testing

/// The drafts, transcripts and exports in Examples/ with their expected reports and redacted
/// outputs (regenerate with scripts/update-examples.sh and review the diff).
@Suite("Examples and their expected outputs")
struct ExamplesTests {
    static func expected(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Redline.path("Examples/expected/\(name)"))))
    }

    static let texts = ["chat/transcript-2026-11-03", "chat/clean-lookalikes", "drafts/refund-reply", "drafts/payroll-query", "drafts/clean-order-update"]

    @Test("each text example gives its expected report and redacted output", arguments: texts)
    func textExample(_ example: String) throws {
        let name = (example as NSString).lastPathComponent
        let report = try Redline.run(["check", "--color", "never", "Examples/\(example).txt"], directory: Redline.repository.path)
        #expect(report.stdout == (try Self.expected("\(name).check.txt")))
        #expect(report.status == (report.stdout.isEmpty ? 0 : 1))
        let redacted = try Redline.run(["redact", "--channel", "chat", "Examples/\(example).txt"], directory: Redline.repository.path)
        #expect(redacted.status == 0)
        #expect(redacted.stdout == (try Self.expected("\(name).chat.redacted.txt")))
    }

    @Test("the look-alike examples produce no finding at all")
    func lookalikesAreClean() throws {
        for example in ["chat/clean-lookalikes", "drafts/clean-order-update"] {
            let report = try Redline.run(["check", "Examples/\(example).txt"], directory: Redline.repository.path)
            #expect(report.status == 0)
            #expect(report.stdout.isEmpty, "\(example): \(report.out)")
        }
    }

    @Test("the JSONL ticket export gives its expected findings and redacted records")
    func ticketExport() throws {
        let report = try Redline.run(["check", "--format", "jsonl", "--channel-field", "channel", "Examples/exports/tickets.jsonl"], directory: Redline.repository.path)
        #expect(report.status == 1)
        #expect(report.stdout == (try Self.expected("tickets.check.jsonl")))
        let redacted = try Redline.run(["redact", "--channel-field", "channel", "--on-block", "marker", "Examples/exports/tickets.jsonl"], directory: Redline.repository.path)
        #expect(redacted.stdout == (try Self.expected("tickets.redacted.jsonl")))
    }

    @Test("the CSV reply export gives its expected findings and redacted rows")
    func replyExport() throws {
        let report = try Redline.run(["check", "--channel-field", "channel", "Examples/exports/replies.csv"], directory: Redline.repository.path)
        #expect(report.stdout == (try Self.expected("replies.check.txt")))
        let redacted = try Redline.run(["redact", "--channel-field", "channel", "Examples/exports/replies.csv"], directory: Redline.repository.path)
        #expect(redacted.stdout == (try Self.expected("replies.redacted.csv")))
    }
}
