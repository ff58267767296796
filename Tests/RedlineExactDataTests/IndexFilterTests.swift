import Foundation
import Testing
@testable import RedlineExactData

/// The per-type filters of a version 2 index: no indexed value is ever filtered out, most absent
/// values are, and a version 1 index (no filters) still loads and matches.
@Suite("EDM index filters")
struct IndexFilterTests {
    func bigTable(rows: Int) -> String {
        var csv = "customer_id,full_name,email,phone,postcode,date_of_birth\n"
        for row in 0..<rows {
            csv += "\(700_000 + row),\"Ms Zed Person\(row)\",zed.\(row)@example.com,07700 9\(String(format: "%05d", row)),"
            csv += "LS\(row % 9 + 1) \(row % 10)AB,\(row % 28 + 1)/0\(row % 9 + 1)/19\(50 + row % 50)\n"
        }
        return csv
    }

    @Test("every indexed fingerprint passes its type's filter, and most absent values do not")
    func filterHasEveryEntry() throws {
        let fixture = Fixture()
        try fixture.build(bigTable(rows: 5_000))
        let index = try ExactDataIndex(path: fixture.indexPath, keys: fixture.keys)
        #expect(index.entryCount == 30_000)
        for entry in 0..<index.entryCount {
            let type = index.columns[index.column(entry)].type
            #expect(index.mayContain(index.fingerprint(entry), type: type), "entry \(entry)")
        }
        var passed = 0
        let tries = 100_000
        for value in 0..<tries {
            let fingerprint = fixture.keys.fingerprint(.digits, Array("\(10_000_000 + value)".utf8))
            if index.mayContain(fingerprint, type: .digits) { passed += 1 }
            // A value absent from the filter is absent from the index.
            if !index.mayContain(fingerprint, type: .digits) { #expect(index.entries(for: fingerprint).isEmpty) }
        }
        #expect(passed < tries / 20, "\(passed) of \(tries) absent values passed the filter")
        #expect(try fixture.matcher().find("account 700123 for ZED PERSON123").first?.row == 123)
    }

    @Test("a version 1 index, without filters, loads and finds the same rows")
    func versionOneStillReads() throws {
        let fixture = Fixture()
        try fixture.build()
        let v2 = Array(try Data(contentsOf: URL(fileURLWithPath: fixture.indexPath)))
        let v1 = IndexFilterTests.versionOne(v2)
        #expect(v1.count < v2.count)
        let index = try ExactDataIndex(bytes: v1, keys: fixture.keys)
        let matcher = try ExactDataMatcher(index: index, keys: fixture.keys, settings: MatchSettings(
            primary: ["customer_id", "email", "phone"], corroborate: ["full_name", "postcode", "date_of_birth"], minCorroborating: 1, window: 300))
        let text = "Jane O'Neil, account 100234. Mr Rupert Quill-Smith on +44 7700 900456 at SW1A 2AA."
        let new = try fixture.matcher().find(text)
        let old = matcher.find(text)
        #expect(new.count == 2)
        #expect(old.map(\.row) == new.map(\.row))
        #expect(old.map(\.values) == new.map(\.values))
    }

    /// `bytes` (a version 2 index) rewritten as version 1: no filter table, no filters.
    static func versionOne(_ bytes: [UInt8]) -> [UInt8] {
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        let headerSize = u32(12), columns = u32(52)
        var offset = IndexFormat.fixedHeader
        for _ in 0..<columns { offset += 8 + (Int(bytes[offset + 6]) | Int(bytes[offset + 7]) << 8) }
        let filterWords = bytes[offset..<(offset + IndexFormat.filterTypes)].reduce(0) { $0 + (1 << Int($1)) }
        var header = Array(bytes[0..<offset])
        while header.count % 8 != 0 { header.append(0) }
        header[8] = 1
        withUnsafeBytes(of: UInt32(header.count).littleEndian) { for (i, b) in $0.enumerated() { header[12 + i] = b } }
        var out = header + bytes[headerSize..<(bytes.count - filterWords * 8)]
        var checksum = IndexChecksum()
        out.withUnsafeBytes { raw in
            checksum.update(UnsafeRawBufferPointer(rebasing: raw[0..<IndexFormat.checksumOffset]))
            checksum.update(UnsafeRawBufferPointer(rebasing: raw[IndexFormat.fixedHeader...]))
        }
        withUnsafeBytes(of: checksum.value.littleEndian) { for (i, b) in $0.enumerated() { out[IndexFormat.checksumOffset + i] = b } }
        return out
    }
}
