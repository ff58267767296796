import Foundation
import Testing
import RedlineCore
import RedlineEngine
import RedlinePolicy

/// Each policy error code, at its exact `file:line:col`.
@Suite("Policy diagnostics")
struct PolicyDiagnosticsTests {
    static let base = """
        version: 1
        name: t
        detectors:
          card:
            kind: payment_card
        channels:
          chat: { encrypted: false, external: true }
        default_channel: chat
        rules:
          - id: r1
            detectors: [card]
            channels: [chat]
            action: block
        """

    @Test("the base policy used below is valid")
    func baseIsValid() {
        #expect(TestPolicy.diagnostics(Self.base).isEmpty)
    }

    @Test("P001: a YAML syntax error points at the offending line and column")
    func syntax() {
        let yaml = "version: 1\nname: t\ndetectors: [a, b\nchannels: {}\n"
        let rendered = TestPolicy.rendered(yaml)
        #expect(rendered.count == 1)
        #expect(rendered.first?.hasPrefix("t.yaml:4:9: error[P001]: YAML syntax:") == true, "\(rendered)")
    }

    @Test("P002: an unknown key, with a did-you-mean suggestion")
    func unknownKey() {
        let yaml = Self.base.replacingOccurrences(of: "    kind: payment_card", with: "    kind: payment_card\n    keywrods: [card]")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:6:5: error[P002]: unknown key 'keywrods' in detector 'card'; did you mean 'keywords'?"])
    }

    @Test("P003: a value of the wrong type")
    func wrongType() {
        let yaml = Self.base.replacingOccurrences(of: "    kind: payment_card", with: "    kind: payment_card\n    window: wide")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:6:13: error[P003]: window must be a whole number"])
    }

    @Test("P004: a missing required field")
    func missingField() {
        let yaml = Self.base.replacingOccurrences(of: "    action: block", with: "    message: hi")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:10:5: error[P004]: rule 'r1' needs an 'action' (allow, flag, redact, block)"])
    }

    @Test("P005: an unknown detector kind, with a suggestion")
    func unknownKind() {
        let yaml = Self.base.replacingOccurrences(of: "kind: payment_card", with: "kind: uk_nnio")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:5:11: error[P005]: unknown detector kind 'uk_nnio'; did you mean 'uk_nino'?"])
    }

    @Test("P006: a rule naming an unknown detector, with a suggestion")
    func unknownDetector() {
        let yaml = Self.base.replacingOccurrences(of: "detectors: [card]", with: "detectors: [crad]")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:11:17: error[P006]: unknown detector 'crad'; did you mean 'card'?"])
    }

    @Test("P007: a rule naming an unknown channel, with a suggestion")
    func unknownChannel() {
        let yaml = Self.base.replacingOccurrences(of: "channels: [chat]", with: "channels: [chta]")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:12:16: error[P007]: unknown channel 'chta'; did you mean 'chat'?"])
    }

    @Test("P008: a regex compile error points at the column inside the pattern")
    func badRegex() {
        let plain = Self.base.replacingOccurrences(of: "    kind: payment_card", with: "    kind: regex\n    pattern: ab(cd[0-9")
        let rendered = TestPolicy.rendered(plain)
        #expect(rendered.count == 1)
        // The scalar starts at column 14; PCRE2 stops at offset 9 (end of pattern): column 23.
        #expect(rendered.first?.hasPrefix("t.yaml:6:23: error[P008]: pattern does not compile: missing terminating ]") == true, "\(rendered)")
        let quoted = Self.base.replacingOccurrences(of: "    kind: payment_card", with: "    kind: regex\n    pattern: 'x{3,2}'")
        #expect(TestPolicy.rendered(quoted).first?.hasPrefix("t.yaml:6:20: error[P008]:") == true, "\(TestPolicy.rendered(quoted))")
        let folded = Self.base.replacingOccurrences(of: "    kind: payment_card", with: "    kind: regex\n    pattern: \"a\\\\d(\"")
        #expect(TestPolicy.rendered(folded).first?.contains("(at offset 4 in the pattern)") == true, "\(TestPolicy.rendered(folded))")
    }

    @Test("P009: a threshold out of range")
    func outOfRange() {
        let yaml = Self.base.replacingOccurrences(of: "    action: block", with: "    action: block\n    min_instances: 0")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:14:20: error[P009]: min_instances must be between 1 and 100000, got 0"])
    }

    @Test("P010: an invalid value, with a suggestion")
    func invalidValue() {
        let yaml = Self.base.replacingOccurrences(of: "action: block", with: "action: blok")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:13:13: error[P010]: action must be one of allow, flag, redact, block, got 'blok'; did you mean 'block'?"])
    }

    @Test("P011: a duplicate key in a mapping, with its position")
    func duplicateKey() {
        let yaml = Self.base.replacingOccurrences(of: "default_channel: chat", with: "default_channel: chat\ndefault_channel: chat")
        let rendered = TestPolicy.rendered(yaml)
        #expect(rendered.count == 1)
        #expect(rendered.first?.contains("error[P011]: duplicate key 'default_channel' (first at line 8)") == true, "\(rendered)")
        #expect(rendered.first?.hasPrefix("t.yaml:9:1:") == true, "\(rendered)")
    }

    @Test("P011: a duplicate key in a flow mapping points at the second occurrence")
    func duplicateFlowKey() {
        let yaml = Self.base.replacingOccurrences(of: "chat: { encrypted: false, external: true }", with: "chat: { encrypted: false, external: true, external: false }")
        #expect(TestPolicy.rendered(yaml).first?.hasPrefix("t.yaml:7:45: error[P011]: duplicate key 'external'") == true, "\(TestPolicy.rendered(yaml))")
    }

    @Test("P011: a rule id used twice")
    func duplicateRule() {
        let yaml = Self.base + "\n  - id: r1\n    detectors: [card]\n    action: flag"
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:14:9: error[P011]: rule 'r1' is declared twice"])
    }

    @Test("P012: no default channel")
    func noDefaultChannel() {
        let yaml = Self.base.replacingOccurrences(of: "default_channel: chat\n", with: "")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:1:1: error[P012]: the policy needs a 'default_channel' (used when the caller names none)"])
    }

    @Test("P013: exponentially expanding aliases fail fast instead of hanging")
    func billionLaughs() {
        var yaml = "version: 1\nname: t\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*x\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "x\(level): &x\(level) [\(refs)]\n"
        }
        yaml += Self.base.replacingOccurrences(of: "version: 1\nname: t\n", with: "")
            .replacingOccurrences(of: "    kind: payment_card", with: "    kind: payment_card\n    keywords: *x9")
        let diagnostics = TestPolicy.diagnostics(yaml)
        #expect(diagnostics.contains { $0.code == "P013" }, "\(diagnostics)")
        // x5 (line 8) is the first entry to expand past the limit: 10^6 scalars.
        #expect(diagnostics.first { $0.code == "P013" }?.location.map { "\($0)" } == "t.yaml:8:1")
    }

    @Test("P013: a policy file over the size limit")
    func tooLarge() {
        let yaml = Self.base + "\n#" + String(repeating: "x", count: PolicyLoader.maxBytes)
        #expect(TestPolicy.diagnostics(yaml).map(\.code) == ["P013"])
    }

    @Test("issue15_policySizeLimit: a policy file of exactly 4 MiB loads; one byte more is P013, refused without reading it all")
    func policyFileSizeLimit() throws {
        #expect(PolicyLoader.maxBytes == 4 * 1024 * 1024, "the README documents 4 MiB")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redline-policy-size-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = Self.base + "\n#"
        let atLimit = head + String(repeating: "x", count: PolicyLoader.maxBytes - head.utf8.count - 1) + "\n"
        #expect(atLimit.utf8.count == PolicyLoader.maxBytes)
        try atLimit.write(toFile: dir + "/at-limit.yaml", atomically: false, encoding: .utf8)
        _ = try PolicySource.file(dir + "/at-limit.yaml").compile()
        try (atLimit + "#").write(toFile: dir + "/over.yaml", atomically: false, encoding: .utf8)
        do {
            _ = try PolicySource.file(dir + "/over.yaml").compile()
            Issue.record("a policy over 4 MiB was accepted")
        } catch {
            #expect(error.diagnostics.map(\.code) == ["P013"])
            #expect(error.diagnostics.first?.message.contains("4 MiB") == true)
        }
    }

    @Test("P014: hash redaction without a key")
    func missingKey() {
        let yaml = Self.base.replacingOccurrences(of: "    kind: payment_card", with: "    kind: payment_card\n    redaction: hash")
        #expect(TestPolicy.rendered(yaml, key: nil) == [
            "t.yaml:4:3: error[P014]: detector 'card' uses hash redaction, which needs a key: set REDLINE_KEY or pass --key-file",
        ])
    }

    @Test("P015: a regex-only option on a built-in kind")
    func notForKind() {
        let yaml = Self.base.replacingOccurrences(of: "    kind: payment_card", with: "    kind: payment_card\n    pattern: '[0-9]+'")
        #expect(TestPolicy.rendered(yaml) == ["t.yaml:4:3: error[P015]: 'pattern' applies only to kind 'regex', not 'payment_card'"])
    }

    @Test("P016: a policy file that does not exist")
    func unreadable() {
        #expect(throws: DiagnosticList.self) { try PolicySource.file("/nonexistent/policy.yaml").load() }
        do {
            _ = try PolicySource.file("/nonexistent/policy.yaml").load()
        } catch {
            #expect(error.diagnostics.map(\.description) == ["/nonexistent/policy.yaml:1:1: error[P016]: policy file not found: /nonexistent/policy.yaml"])
        }
    }

    @Test("all errors are reported at once, loader and compiler errors together, in file order")
    func allAtOnce() {
        let yaml = """
            version: 1
            name: t
            detectors:
              card: { kind: payment_card, windw: 3 }
              nino: { kind: uk_nnio }
              ref: { kind: regex, pattern: 'a(' }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chta
            rules:
              - id: r1
                detectors: [card, nino, crad]
                action: blok
            """
        let codes = TestPolicy.diagnostics(yaml).map(\.code)
        #expect(codes == ["P002", "P005", "P008", "P007", "P006", "P010"], "\(TestPolicy.rendered(yaml))")
    }
}
