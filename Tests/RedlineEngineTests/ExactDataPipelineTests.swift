import Foundation
import RedlineCore
import RedlineEngine
import RedlineExactData
import Testing

/// A policy file and an EDM index side by side in a temporary directory.
final class ExactDataFixture {
    let directory: String
    let key = Array("edm-engine-test-key".utf8)
    var policyPath: String { directory + "/policy.yaml" }

    static let csv = """
    customer_id,full_name,email,phone,postcode,date_of_birth
    100234,Jane O'Neil,jane.oneil@example.com,07700 900123,LS1 1AA,12/03/1985
    100235,Rupert Quill,r.quill@example.org,07700 900456,SW1A 2AA,1990-07-01
    """

    init(csv: String = ExactDataFixture.csv) throws {
        directory = NSTemporaryDirectory() + "redline-edm-engine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try build(csv)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func build(_ csv: String, key: [UInt8]? = nil) throws {
        let columns = try ColumnSpec.parseList("customer_id:digits,full_name:name,email:email,phone:phone,postcode:postcode,date_of_birth:date")
        let bytes = Array(csv.utf8)
        _ = try bytes.withUnsafeBufferPointer { buffer in
            try IndexBuilder.build(csv: buffer, file: "customers.csv", columns: columns, strict: false,
                                   keys: EDMKeys(key: key ?? self.key), output: directory + "/customers.edm")
        }
    }

    static func policy(detector: String = """
          customer:
            kind: exact_data
            index: customers.edm
            primary: [customer_id, email, phone]
            corroborate: [full_name, postcode, date_of_birth]
            min_corroborating: 1
            window: 200
        """) -> String {
        """
        version: 1
        name: edm-test
        detectors:
          card: { kind: payment_card }
        \(detector)
        channels:
          chat: { encrypted: false, external: true }
        default_channel: chat
        rules:
          - id: customer-data
            detectors: [customer]
            channels: "*"
            action: redact
          - id: cards
            detectors: [card]
            channels: "*"
            action: block
        """
    }

    func compile(_ yaml: String = ExactDataFixture.policy(), key: [UInt8]?? = .none, placeholder: Bool = false) throws(DiagnosticList) -> Pipeline {
        try? yaml.write(toFile: policyPath, atomically: true, encoding: .utf8)
        return try PolicySource.file(policyPath).compile(key: key ?? self.key, keyIsPlaceholder: placeholder)
    }

    func diagnostics(_ yaml: String = ExactDataFixture.policy(), key: [UInt8]?? = .none, placeholder: Bool = false) -> [Diagnostic] {
        do { _ = try compile(yaml, key: key, placeholder: placeholder); return [] } catch { return error.diagnostics }
    }
}

@Suite("exact_data detector in the pipeline")
struct ExactDataPipelineTests {
    @Test("each matched value is its own finding, with its column and the row's fingerprint, never the value")
    func findings() throws {
        let fixture = try ExactDataFixture()
        let pipeline = try fixture.compile()
        let text = "Re your account 100234:\nDear Mrs Jane  O'Neil, we have your postcode as LS1 1AA."
        let result = pipeline.makeSession().scan(Array(text.utf8), channel: "chat")
        let customer = result.findings.filter { $0.detector == "customer" }
        #expect(customer.map(\.dataColumn) == ["customer_id", "full_name", "postcode"])
        #expect(customer.allSatisfy { $0.kind == "exact_data" && $0.action == .redact && $0.rule == "customer-data" })
        #expect(Set(customer.map(\.valueHash)).count == 1)
        #expect(customer[0].valueHash.count == 16)
        let bytes = Array(text.utf8)
        #expect(customer.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } == ["100234", "Jane  O'Neil", "LS1 1AA"])
        for finding in customer {
            #expect(!finding.excerpt.contains("Jane") && !finding.excerpt.contains("100234") && !finding.excerpt.contains("LS1"))
        }
        #expect(result.verdict == .redact)
        let redacted = String(decoding: pipeline.redact(bytes, findings: result.findings), as: UTF8.self)
        #expect(!redacted.contains("100234") && !redacted.contains("O'Neil") && !redacted.contains("LS1 1AA"))
        #expect(redacted.contains("[CUSTOMER DATA]"))
        #expect(redacted.hasPrefix("Re your account"))
    }

    @Test("values of two different customers side by side are not a finding")
    func differentCustomers() throws {
        let pipeline = try ExactDataFixture().compile()
        let result = pipeline.makeSession().scan(Array("Account 100234 is Rupert Quill at SW1A 2AA.".utf8), channel: "chat")
        #expect(result.findings.isEmpty)
        #expect(result.verdict == .allow)
    }

    @Test("a missing, corrupt or wrong-key index is an error at the index's line and column")
    func indexErrors() throws {
        let fixture = try ExactDataFixture()
        let missing = ExactDataFixture.policy().replacingOccurrences(of: "index: customers.edm", with: "index: nowhere.edm")
        let first = fixture.diagnostics(missing)
        #expect(first.map(\.code) == ["P040"])
        #expect(first.first?.location?.line == 7)
        #expect(first.first?.location?.column == 12)
        #expect(first.first?.message.contains("not found") == true)

        #expect(fixture.diagnostics(key: .some(Array("another key".utf8))).first?.message.contains("different key") == true)

        var bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/customers.edm"))
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: fixture.directory + "/customers.edm"))
        let corrupt = fixture.diagnostics()
        #expect(corrupt.map(\.code) == ["P040"])
        #expect(corrupt.first?.message.contains("corrupt") == true)
        #expect(corrupt.first?.description.hasPrefix(fixture.policyPath + ":7:12: error[P040]: index 'customers.edm': ") == true)
    }

    @Test("no key, or a placeholder key, is reported; a column the index lacks is reported at its position")
    func keyAndColumns() throws {
        let fixture = try ExactDataFixture()
        #expect(fixture.diagnostics(key: .some(nil)).map(\.code) == ["P014"])
        #expect(fixture.diagnostics(placeholder: true).map(\.code) == ["P014"])
        let typo = ExactDataFixture.policy().replacingOccurrences(of: "[full_name, postcode", with: "[fullname, postcode")
        let diagnostics = fixture.diagnostics(typo)
        #expect(diagnostics.map(\.code) == ["P041"])
        #expect(diagnostics.first?.location?.line == 9)
        #expect(diagnostics.first?.location?.column == 19)
        #expect(diagnostics.first?.message.contains("did you mean 'full_name'") == true)
    }

    @Test("exact_data fields on another kind, and other kinds' fields on exact_data, are errors")
    func fieldsForKind() throws {
        let fixture = try ExactDataFixture()
        let onCard = ExactDataFixture.policy().replacingOccurrences(of: "card: { kind: payment_card }", with: "card: { kind: payment_card, primary: [email] }")
        #expect(fixture.diagnostics(onCard).map(\.code) == ["P015"])
        let withKeywords = ExactDataFixture.policy().replacingOccurrences(of: "window: 200", with: "window: 200\n    keywords: [account]")
        #expect(fixture.diagnostics(withKeywords).map(\.code) == ["P015"])
        let noIndex = ExactDataFixture.policy().replacingOccurrences(of: "    index: customers.edm\n", with: "")
        #expect(fixture.diagnostics(noIndex).map(\.code) == ["P004"])
    }

    @Test("compiling the policy again loads the index again (what a reload does)")
    func reloadPicksUpTheIndex() throws {
        let fixture = try ExactDataFixture()
        let text = Array("ref 100299, Ada Lovelace".utf8)
        #expect(try fixture.compile().makeSession().scan(text, channel: "chat").findings.isEmpty)
        try fixture.build(ExactDataFixture.csv + "\n100299,Ada Lovelace,ada@example.com,,,\n")
        #expect(try fixture.compile().makeSession().scan(text, channel: "chat").findings.count == 2)
    }
}
