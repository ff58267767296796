import Foundation
import RedlineCore
import RedlineEngine
@testable import RedlineServer
import RedlineService
import Testing

/// The request path's hand-written pieces (answers, log timestamps, request ids, latencies) say
/// exactly what the Foundation formatters they replaced said.
@Suite("redline serve: hand-written answers and log fields")
struct ServeFastPathTests {
    static func service() throws -> DecisionService {
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        let store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try PolicySource.embeddedDefault.compile(key: key) }
        return DecisionService(store: store)
    }

    static func encoded(_ value: some Encodable) throws -> NSObject {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed]) as! NSObject
    }

    static func written(_ value: some JSONWritable) throws -> NSObject {
        var bytes: [UInt8] = []
        value.writeJSON(to: &bytes)
        return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as! NSObject
    }

    static func expectSame(_ value: some JSONWritable, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let expected = try encoded(value), actual = try written(value)
        #expect(actual.isEqual(expected), "written \(actual) but JSONEncoder says \(expected)", sourceLocation: sourceLocation)
    }

    @Test("decision answers written by hand equal JSONEncoder's for check, redact, clean, odd characters and every optional member")
    func decisionBodies() throws {
        let service = try Self.service()
        let texts = [
            Secrets.chatReply,
            "Nothing to see here.",
            "Quote \" backslash \\ slash / tab \t newline \n bell \u{07} del \u{7F} café 😀 \u{2028} — card 4539 1488 0343 6467",
            "Ring 0113 496 0123 or write to LS6 2AB.",
        ]
        var bodies: [DecisionBody] = []
        for text in texts {
            for redact in [false, true] {
                for channel in ["chat", "email-internal"] {
                    let request = CheckRequest(text: text, channel: channel, id: redact ? "id \"q\" / \u{01}" : nil)
                    let (body, _) = try service.decide(request, redact: redact, client: .anonymous, requestID: "t")
                    try Self.expectSame(body)
                    bodies.append(body)
                }
            }
        }
        #expect(bodies.contains { !$0.findings.isEmpty })
        #expect(bodies.contains { $0.text != nil })
        // Every optional member set, and a finding without a rule, fingerprint or part.
        var full = try #require(bodies.first { !$0.findings.isEmpty })
        full.message = "From: a@example.com\r\n\r\nbody"
        full.incomplete = ["card"]
        full.unscanned = ["report.pdf: encrypted"]
        full.tips = ["Tip: \"quote\"."]
        full.overrides = [OverrideResultBody(rule: "r", granted: true, becomes: "flag", refusal: nil),
                          OverrideResultBody(rule: "(unknown rule)", granted: false, becomes: nil, refusal: "no such rule")]
        full.findings[0].part = "attachment 1"
        full.findings[0].overridden = OverriddenBody(rule: "card-chat", action: "block")
        full.findings[0].fingerprint = nil
        full.findings[0].rule = nil
        try Self.expectSame(full)
        try Self.expectSame(BatchBody(results: bodies))
        try Self.expectSame(BatchBody(results: []))
        try Self.expectSame(ErrorBody(code: "invalid_value", message: "field 'mode' must be check or redact"))
    }

    @Test("log timestamps are what ISO8601DateFormatter with fractional seconds wrote, in UTC")
    func timestamps() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // 1970, the leap days of 2000 and 2024, the days around them, 2100 (no leap day), the far future.
        let seconds: [Int64] = [0, 59, 951_782_400, 951_868_799, 951_868_800, 1_709_164_800, 1_709_251_199, 1_709_251_200,
                                1_796_460_494, 4_107_542_400, 4_107_628_800, 253_402_300_799]
        for second in seconds {
            for millisecond in [0, 7, 369, 999] {
                let expected = formatter.string(from: Date(timeIntervalSince1970: Double(second) + Double(millisecond) / 1000 + 0.0001))
                #expect(LogTimestamp.format(secondsSinceEpoch: second, milliseconds: millisecond) == expected)
            }
        }
        #expect(LogTimestamp.now().utf8.count == 24)
        #expect(LogTimestamp.now().hasSuffix("Z"))
    }

    @Test("request ids and latencies print as %016llx and %.3f did")
    func requestIDsAndLatencies() {
        for value: UInt64 in [0, 1, 0xdead_beef, 0x0123_4567_89ab_cdef, .max] {
            #expect(ServeMiddleware.hex16(value) == String(format: "%016llx", value))
        }
        let durations: [Duration] = [.zero, .nanoseconds(1), .nanoseconds(499), .nanoseconds(500), .microseconds(999),
                                     .nanoseconds(1_234_567), .milliseconds(12), .nanoseconds(20_000_499), .seconds(3) + .nanoseconds(999_999_600)]
        for duration in durations {
            let (seconds, attoseconds) = duration.components
            let value = (Double(seconds) + Double(attoseconds) / 1e18) * 1000
            #expect(ServeMiddleware.milliseconds(duration) == String(format: "%.3f", value), "\(duration)")
        }
        #expect(ServeMiddleware.requestID("abc-DEF_1.2") == "abc-DEF_1.2")
        let generated = ServeMiddleware.requestID("not valid!")
        #expect(generated.utf8.count == 16 && generated.allSatisfy(\.isHexDigit))
    }
}
