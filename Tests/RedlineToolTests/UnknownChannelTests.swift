import Foundation
import Testing

/// Issue 17.6: a record naming a channel the policy does not have is decided on the strictest
/// channel and counted as an input problem, unless `settings.unknown_channel: default`.
@Suite("A record naming an unknown channel")
struct UnknownChannelTests {
    static func policy(_ setting: String?) -> String {
        """
        version: 1
        name: two-channels
        \(setting.map { "settings:\n  unknown_channel: \($0)\n" } ?? "")detectors:
          nino: { kind: uk_nino }
        channels:
          internal: { encrypted: true, external: false }
          public: { encrypted: false, external: true }
        default_channel: internal
        rules:
          - { id: nino-internal, detectors: [nino], channels: [internal], action: flag }
          - { id: nino-public, detectors: [nino], channels: [public], action: redact, message: "No NI numbers outside." }
        """
    }

    static let records = """
        {"id":"a","channel":"internal","text":"NI JG 10 37 55 A"}
        {"id":"b","channel":"jane.doe@example.com","text":"NI JG 10 37 55 A"}

        """

    @Test("by default it is decided on the strictest channel and check exits 2 (partial), naming no value")
    func strictestAndAnError() throws {
        let dir = try Redline.temporaryDirectory()
        let policy = try Redline.write(Self.policy(nil), to: dir, name: "p.yaml")
        let input = try Redline.write(Self.records, to: dir, name: "r.jsonl")
        let result = try Redline.run(["check", "--policy", policy, "--channel-field", "channel", "--format", "jsonl", input])
        #expect(result.status == 2)
        let lines = result.out.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"id\":\"b\"") && $0.contains("\"channel\":\"public\"") && $0.contains("\"action\":\"redact\"") })
        #expect(lines.contains { $0.contains("\"id\":\"a\"") && $0.contains("\"channel\":\"internal\"") && $0.contains("\"action\":\"flag\"") })
        #expect(result.stderr.contains("record 1: unknown channel in field 'channel'; decided on the policy's strictest channel public"))
        #expect(!result.stderr.contains("jane.doe") && !result.out.contains("jane.doe"))
        // redact: the record is redacted as on the strictest channel; a filter still exits 0.
        let redacted = try Redline.run(["redact", "--policy", policy, "--channel-field", "channel", input])
        #expect(redacted.status == 0)
        #expect(redacted.out == Self.records.replacingOccurrences(of: "\"b\",\"channel\":\"jane.doe@example.com\",\"text\":\"NI JG 10 37 55 A\"",
                                                                  with: "\"b\",\"channel\":\"jane.doe@example.com\",\"text\":\"NI [NI NUMBER]\""))
        #expect(redacted.stderr.contains("unknown channel in field 'channel'"))
    }

    @Test("settings.unknown_channel: default decides on the default channel with a warning only")
    func defaultChannelWhenAsked() throws {
        let dir = try Redline.temporaryDirectory()
        let policy = try Redline.write(Self.policy("default"), to: dir, name: "p.yaml")
        let input = try Redline.write(Self.records, to: dir, name: "r.jsonl")
        let result = try Redline.run(["check", "--policy", policy, "--channel-field", "channel", "--format", "jsonl", input])
        #expect(result.status == 1)
        #expect(result.out.split(separator: "\n").contains { $0.contains("\"id\":\"b\"") && $0.contains("\"channel\":\"internal\"") })
        #expect(result.stderr.contains("decided on the default channel internal"))
    }

    @Test("a bad unknown_channel value is a policy error with its position")
    func badSetting() throws {
        let dir = try Redline.temporaryDirectory()
        let policy = try Redline.write(Self.policy("strictst"), to: dir, name: "p.yaml")
        let result = try Redline.run(["policy", "check", policy])
        #expect(result.status == 2)
        #expect(result.stderr.contains("p.yaml:4:20: error[P010]: unknown_channel must be one of strictest, default, got 'strictst'; did you mean 'strictest'?"), "\(result.stderr)")
    }
}
