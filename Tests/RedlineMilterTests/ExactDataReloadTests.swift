import Foundation
import RedlineCore
import RedlineService
import RedlineEngine
import RedlineExactData
import RedlineMilter
import Testing

@Suite("milter policy reload with an exact_data index")
struct ExactDataReloadTests {
    static let key = Array("milter-edm-key".utf8)
    static let policy = """
    version: 1
    name: edm-reload
    detectors:
      customer:
        kind: exact_data
        index: customers.edm
        primary: [customer_id]
        corroborate: [full_name]
    channels:
      email-external: { encrypted: false, external: true }
    default_channel: email-external
    rules:
      - { id: customer-record, detectors: [customer], channels: "*", action: block }
    """

    func build(_ csv: String, in directory: String) throws {
        let columns = try ColumnSpec.parseList("customer_id:digits,full_name:name")
        let bytes = Array(csv.utf8)
        _ = try bytes.withUnsafeBufferPointer { buffer in
            try IndexBuilder.build(csv: buffer, file: "c.csv", columns: columns, strict: true, keys: EDMKeys(key: Self.key),
                                   output: directory + "/customers.edm")
        }
    }

    @Test("SIGHUP's reload loads the rebuilt index; an index that no longer loads keeps the old one in force")
    func reload() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redline-milter-edm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.policy.write(toFile: directory + "/policy.yaml", atomically: true, encoding: .utf8)
        try build("customer_id,full_name\n5001,Ann Example\n", in: directory)
        let source = PolicySource.file(directory + "/policy.yaml")
        let store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try source.compile(key: Self.key) }
        let newCustomer = Array("ref 5002 for Bo Example".utf8)
        func verdict(_ text: [UInt8]) -> String { store.pipeline.makeSession().scan(text, channel: "email-external").verdict.name }
        #expect(verdict(newCustomer) == "allow")

        try build("customer_id,full_name\n5001,Ann Example\n5002,Bo Example\n", in: directory)
        guard case .success = store.reload() else { Issue.record("reload failed"); return }
        #expect(verdict(newCustomer) == "block")

        // Replaced by rename, as edm build does (an index is memory-mapped: never overwrite one in place).
        try Data("not an index".utf8).write(to: URL(fileURLWithPath: directory + "/customers.edm"), options: .atomic)
        guard case let .failure(list) = store.reload() else { Issue.record("a broken index was loaded"); return }
        #expect(list.diagnostics.map(\.code) == ["P040"])
        #expect(verdict(newCustomer) == "block", "the previous index stays in force")
    }
}
