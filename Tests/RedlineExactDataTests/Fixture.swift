import Foundation
@testable import RedlineExactData

/// A temporary directory with a CSV, an index built from it, and the keys.
final class Fixture {
    let directory: String
    let keys: EDMKeys
    let key: [UInt8]

    init(key: String = "test-key-0123456789") {
        directory = NSTemporaryDirectory() + "redline-edm-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.key = Array(key.utf8)
        keys = EDMKeys(key: self.key)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    static let csv = """
    customer_id,full_name,email,phone,postcode,date_of_birth,notes
    100234,Jane O'Neil,jane.oneil@example.com,07700 900123,LS1 1AA,12/03/1985,likes tea
    100235,Mr Rupert Quill-Smith,r.quill@example.org,+44 7700 900456,SW1A 2AA,1990-07-01,
    100236,Amara Okafor,amara.o@example.net,0044 7700 900789,M1 1AE,3 January 1979,"multi
    line note"
    """

    static let columns = try! ColumnSpec.parseList(
        "customer_id:digits,full_name:name,email:email,phone:phone,postcode:postcode,date_of_birth:date")

    var indexPath: String { directory + "/customers.edm" }

    @discardableResult
    func build(_ csv: String = Fixture.csv, columns: [ColumnSpec] = Fixture.columns, strict: Bool = false,
               output: String? = nil) throws -> BuildReport {
        let bytes = Array(csv.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            try IndexBuilder.build(csv: buffer, file: "customers.csv", columns: columns, strict: strict, keys: keys, output: output ?? indexPath)
        }
    }

    func buildBytes(_ bytes: [UInt8], strict: Bool = false) throws(EDMError) -> BuildReport {
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: bytes)
        return try IndexBuilder.build(csv: UnsafeBufferPointer(buffer), file: "customers.csv", columns: Fixture.columns, strict: strict, keys: keys, output: indexPath)
    }

    func matcher(primary: [String] = ["customer_id", "email", "phone"], corroborate: [String] = ["full_name", "postcode", "date_of_birth"],
                 min: Int = 1, window: Int = 300) throws -> ExactDataMatcher {
        let index = try ExactDataIndex(path: indexPath, keys: keys)
        return try ExactDataMatcher(index: index, keys: keys, settings: MatchSettings(primary: primary, corroborate: corroborate, minCorroborating: min, window: window))
    }
}

extension ExactDataMatcher {
    /// Matches in `text`, each as (row, [column name: matched text]).
    func find(_ text: String) -> [(row: UInt32, values: [String: String])] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            matches(in: buffer).map { match in
                var values: [String: String] = [:]
                for span in match.spans { values[index.columns[span.column].name] = String(decoding: bytes[span.range], as: UTF8.self) }
                return (match.row, values)
            }
        }
    }
}
