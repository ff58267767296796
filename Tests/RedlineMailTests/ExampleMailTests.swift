import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

/// Runs every `Examples/mail/*.eml` with the embedded default policy and compares the verdict and
/// findings with `*.expected.json` and the output with `*.redacted.eml`. Set
/// `REDLINE_UPDATE_EXAMPLES=1` to rewrite the expected files (then review the diff).
@Suite("Example messages")
struct ExampleMailTests {
    struct Expected: Codable, Equatable {
        struct Item: Codable, Equatable {
            var detector: String
            var part: String
            var rule: String?
            var action: String
        }
        var verdict: String
        var channel: String
        var findings: [Item]
        var unscannedAttachments: [String]
        var diagnostics: [String]
    }

    static var names: [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: Fixture.examplesDirectory)) ?? []
        return all.filter { $0.hasSuffix(".eml") && !$0.hasSuffix(".redacted.eml") }.sorted()
    }

    @Test("there are at least eight example messages")
    func count() { #expect(Self.names.count >= 8) }

    @Test("each example gives its expected report and redacted output", arguments: names)
    func example(_ name: String) throws {
        let base = Fixture.examplesDirectory + "/" + String(name.dropLast(4))
        let message = try #require(FileManager.default.contents(atPath: Fixture.examplesDirectory + "/" + name)).map { $0 }
        let (output, verdict) = Fixture.redact(message)
        let report = Expected(verdict: verdict.verdict.name, channel: verdict.channel,
                              findings: verdict.findings.map { .init(detector: $0.detector, part: $0.part ?? "", rule: $0.rule, action: $0.action.name) },
                              unscannedAttachments: verdict.unscannedAttachments, diagnostics: verdict.diagnostics.map(\.description))
        if ProcessInfo.processInfo.environment["REDLINE_UPDATE_EXAMPLES"] == "1" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(report) + Data("\n".utf8)).write(to: URL(fileURLWithPath: base + ".expected.json"))
            try Data(output).write(to: URL(fileURLWithPath: base + ".redacted.eml"))
        }
        let expectedData = try #require(FileManager.default.contents(atPath: base + ".expected.json"))
        #expect(try JSONDecoder().decode(Expected.self, from: expectedData) == report)
        let expectedOutput = try #require(FileManager.default.contents(atPath: base + ".redacted.eml"))
        #expect(Array(expectedOutput) == output)
        if verdict.verdict == .allow { #expect(output == message) }
        // Re-parse: same MIME structure, nothing left to redact.
        #expect(Fixture.outline(output) == Fixture.outline(message))
        let again = Fixture.check(output)
        #expect(again.findings.filter { $0.action >= .redact }.isEmpty)
        #expect(again.diagnostics.count == verdict.diagnostics.count)
    }
}
