import Foundation
import Testing
@testable import RedlineExactData

/// The builder's fast paths (bucketed sort, byte-level CSV reading) give the same index as the
/// plain ones.
@Suite("EDM build fast paths")
struct BuildSpeedPathTests {
    @Test("the bucketed sort orders 50,000 entries with repeated fingerprints exactly as a plain sort does")
    func bucketedSortMatchesPlainSort() {
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state ^ (state >> 29)
        }
        var entries: [IndexEntry] = []
        for row in 0..<10_000 {
            for column in 0..<5 {
                // Every seventh value repeats an earlier fingerprint (values shared by rows).
                let fingerprint = column == 3 && row % 7 == 0 && !entries.isEmpty ? entries[Int(next() % UInt64(entries.count))].fingerprint : next()
                entries.append(IndexEntry(fingerprint: fingerprint, meta: UInt64(row) << 32 | UInt64(column)))
            }
        }
        var expected = entries
        expected.sort { ($0.fingerprint, $0.meta) < ($1.fingerprint, $1.meta) }
        var sorted = entries
        IndexBuilder.sortEntries(&sorted)
        #expect(sorted.map(\.fingerprint) == expected.map(\.fingerprint))
        #expect(sorted.map(\.meta) == expected.map(\.meta))
    }

    @Test("every customer of a 3,000-row table is found by its values after a build")
    func largerTableRoundTrip() throws {
        let fixture = Fixture()
        var csv = "customer_id,full_name,email,phone,postcode,date_of_birth\n"
        for row in 0..<3_000 {
            csv += "\(500_000 + row),\"Ms Zed Person\(row) O'Test\",zed.\(row)@example.com,07700 9\(String(format: "%05d", row)),"
            csv += "LS\(row % 9 + 1) \(row % 10)AB,\(row % 28 + 1)/0\(row % 9 + 1)/19\(50 + row % 50)\n"
        }
        let report = try fixture.build(csv)
        #expect(report.rows == 3_000)
        #expect(report.cells == 18_000)
        let matcher = try fixture.matcher()
        for row in stride(from: 0, to: 3_000, by: 97) {
            let found = matcher.find("Dear ZED PERSON\(row) O'TEST, about account \(500_000 + row): we wrote to LS\(row % 9 + 1) \(row % 10)AB.")
            #expect(found.count == 1, "row \(row)")
            #expect(found.first?.row == UInt32(row))
            #expect(found.first?.values.keys.sorted() == ["customer_id", "full_name", "postcode"])
        }
    }
}

@Suite("EDM scan fast paths")
struct ScanSpeedPathTests {
    @Test("the eight-byte digit test finds a digit at every position and never reports one that is not there")
    func hasDigitIsExact() {
        for filler in [UInt8(0), 0x20, 0x2F, 0x3A, 0x41, 0x7F, 0x80, 0xB0, 0xFF] {
            let plain = UInt64(filler) &* 0x0101_0101_0101_0101
            #expect(!Candidates.hasDigit(plain) == !Normaliser.isDigit(filler))
            for position in 0..<8 {
                for value in 0...255 {
                    let shift = UInt64(8 * position)
                    let word = plain & ~(0xFF << shift) | UInt64(value) << shift
                    let expected = Normaliser.isDigit(UInt8(value)) || Normaliser.isDigit(filler)
                    #expect(Candidates.hasDigit(word) == expected, "byte \(value) at \(position) among \(filler)")
                }
            }
        }
    }
}
