import RedlineCore
import RedlineEngine
import RedlinePolicy

/// Compiles inline YAML policies for tests.
enum TestPolicy {
    static let file = "t.yaml"

    /// All diagnostics for `yaml`: the loader's, then (if it parsed) the compiler's.
    static func diagnostics(_ yaml: String, key: [UInt8]? = Array("k".utf8)) -> [Diagnostic] {
        do {
            _ = try Pipeline.compile(yaml: yaml, file: file, key: key)
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// The diagnostics rendered as `file:line:col: error[CODE]: message` lines.
    static func rendered(_ yaml: String, key: [UInt8]? = Array("k".utf8)) -> [String] {
        diagnostics(yaml, key: key).map(\.description)
    }

    /// A pipeline for a policy that must compile.
    static func pipeline(_ yaml: String, key: [UInt8]? = Array("test-key".utf8)) throws -> Pipeline {
        let (policy, diagnostics) = PolicyLoader.parse(yaml, file: file)
        guard let policy else { throw DiagnosticList(diagnostics) }
        return try Pipeline(policy: policy, key: key)
    }

    /// A small valid policy: one detector per built-in kind, two channels, flag everything on `chat`.
    static func simple(detectors: String = "", rules: String = "", allowlist: String = "", settings: String = "") -> String {
        """
        version: 1
        name: test
        \(settings)
        detectors:
          card: { kind: payment_card }
          nino: { kind: uk_nino }
          nhs: { kind: nhs_number }
          phone: { kind: uk_phone }
          postcode: { kind: uk_postcode }
          iban: { kind: iban }
          bank: { kind: uk_bank_account }
          email: { kind: email }
        \(detectors)
        channels:
          chat: { encrypted: false, external: true }
          internal: { encrypted: true, external: false }
        default_channel: chat
        rules:
          - id: flag-all
            detectors: "*"
            channels: "*"
            action: flag
        \(rules)
        \(allowlist)
        """
    }
}
