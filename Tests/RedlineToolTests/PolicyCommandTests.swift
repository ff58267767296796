import Foundation
import Testing

@Suite("redline policy and detectors commands")
struct PolicyCommandTests {
    @Test("policy check accepts every shipped policy", arguments: ["uk-default", "pci-strict", "gdpr-strict"])
    func policyCheckShipped(_ name: String) throws {
        let result = try Redline.run(["policy", "check", Redline.path("Policies/\(name).yaml")])
        #expect(result.status == 0)
        #expect(result.out.contains("ok: policy '\(name)'"))
    }

    @Test("policy check prints every error as file:line:col and exits 2")
    func policyCheckErrors() throws {
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write("""
            name: bad
            detectors:
              custom: { kind: regex, pattern: 'ab(cd' }
              pc: { kind: uk_postcode, colour: red }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chat
            rules:
              - { id: r1, detectors: [pcc], channels: [chta], action: flag }
            """, to: dir, name: "bad.yaml")
        let result = try Redline.run(["policy", "check", path])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(path):3:") && $0.contains("error[P008]") })
        #expect(lines.contains { $0.hasPrefix("\(path):4:") && $0.contains("error[P002]") && $0.contains("colour") })
        #expect(lines.contains { $0.contains("error[P006]: unknown detector 'pcc'; did you mean 'pc'?") })
        #expect(lines.contains { $0.contains("error[P007]: unknown channel 'chta'; did you mean 'chat'?") })
    }

    @Test("policy test runs the examples: pass/fail each, non-zero on a failure")
    func policyTest() throws {
        let ok = try Redline.run(["policy", "test", Redline.path("Policies/uk-default.yaml")])
        #expect(ok.status == 0)
        #expect(ok.out.contains("PASS"))
        #expect(ok.out.contains(" 0 failed"))
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write("""
            name: failing
            detectors:
              card:
                kind: payment_card
                examples: { match: ["nothing here"], no_match: ["4111 1111 1111 1111"] }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chat
            rules:
              - { id: r1, detectors: [card], channels: "*", action: block }
            examples:
              - { text: "card 4111 1111 1111 1111", channel: chat, verdict: allow }
            """, to: dir, name: "failing.yaml")
        let failing = try Redline.run(["policy", "test", path])
        #expect(failing.status == 1)
        #expect(failing.out.contains("0 passed, 3 failed"))
    }

    @Test("policy explain describes each channel in words")
    func policyExplain() throws {
        let result = try Redline.run(["policy", "explain", Redline.path("Policies/uk-default.yaml"), "--channel", "email-internal"])
        #expect(result.status == 0)
        #expect(result.out.contains("On channel email-internal"))
        #expect(result.out.contains("BLOCK card"))
        #expect(result.out.contains("FLAG nino, nhs, bank, iban"))
        #expect(!result.out.contains("On channel chat"))
    }

    @Test("detectors lists every built-in kind with a description and an example")
    func detectorsList() throws {
        let result = try Redline.run(["detectors"])
        #expect(result.status == 0)
        for kind in ["payment_card", "uk_postcode", "uk_nino", "email", "uk_phone", "iban", "uk_bank_account", "nhs_number", "date_of_birth",
                     "uk_driving_licence", "uk_passport", "uk_utr", "uk_vat", "card_security_code", "card_expiry", "regex", "exact_data"] {
            #expect(result.out.contains("\(kind)\n"), "missing \(kind)")
        }
        #expect(result.out.components(separatedBy: "example:").count == 18)
    }

    @Test("shell completions are generated for bash, zsh and fish", arguments: ["bash", "zsh", "fish"])
    func completions(_ shell: String) throws {
        let result = try Redline.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        #expect(result.out.contains("redline"))
        #expect(result.out.contains("redact"))
    }
}
