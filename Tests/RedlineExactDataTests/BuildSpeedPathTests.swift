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

@Suite("EDM digit candidates")
struct DigitCandidateTests {
    /// The candidates as the scanner generated them before the one-pass digit scan: for one type,
    /// byte by byte, every run of 1…12 groups, every prefix copied and normalised.
    static func plainCandidates(_ text: [UInt8], _ type: ColumnType, _ limits: TypeLimits) -> [String] {
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        func gapEnd(_ end: Int) -> Int? {
            var index = end, breaks = 0
            while index < text.count && index - end < 4 {
                let b = text[index]
                if isDigit(b) { return index > end ? index : nil }
                if b == 10 { breaks += 1; if breaks > 1 { return nil } } else if !" \t-.()/\r".utf8.contains(b) { return nil }
                index += 1
            }
            return nil
        }
        var out: [String] = []
        var index = 0
        while index < text.count {
            guard isDigit(text[index]) else { index += 1; continue }
            var groups: [Range<Int>] = []
            var start = index
            while true {
                var end = start
                while end < text.count && isDigit(text[end]) { end += 1 }
                groups.append(start..<end)
                guard groups.count < 12, let next = gapEnd(end) else { index = end; break }
                start = next
            }
            for first in groups.indices {
                let plus = groups[first].lowerBound > 0 && text[groups[first].lowerBound - 1] == 43
                for last in first..<groups.count {
                    let digits = groups[first...last].flatMap { Array(text[$0]) }
                    let span = (type == .phone && plus ? groups[first].lowerBound - 1 : groups[first].lowerBound)..<groups[last].upperBound
                    if type == .digits {
                        guard digits.count >= limits.minLength && digits.count <= limits.maxLength else { continue }
                        out.append("\(span) \(String(decoding: digits, as: UTF8.self))")
                    } else if digits.count >= 7 && digits.count <= 17, let normal = Normaliser.phone(digits: digits, plus: plus),
                              normal.count >= limits.minLength, normal.count <= limits.maxLength {
                        out.append("\(span) \(String(decoding: normal, as: UTF8.self))")
                    }
                }
            }
        }
        return out
    }

    static func randomText(_ state: inout UInt64, length: Int) -> [UInt8] {
        let pieces: [String] = ["0", "4", "7", "00", "44", "07700", "900", "123", "9", " ", " ", "-", ".", "(", ")", "/", "\n", "\r\n", "+", ":",
                                "abc", "£", "é", "\t", "   ", "12345678", "0044", "+44 ", "(0)", "x"]
        var text: [UInt8] = []
        while text.count < length {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            text += Array(pieces[Int((state >> 33) % UInt64(pieces.count))].utf8)
        }
        return text
    }

    @Test("one pass for phone and digits gives every candidate, in order, that a plain pass per type gives")
    func onePassMatchesPlainPasses() {
        var state: UInt64 = 2024
        let limitSets: [(TypeLimits, TypeLimits)] = [
            (TypeLimits(maxTokens: 1, minLength: 11, maxLength: 11), TypeLimits(maxTokens: 1, minLength: 8, maxLength: 8)),
            (TypeLimits(maxTokens: 1, minLength: 7, maxLength: 16), TypeLimits(maxTokens: 1, minLength: 1, maxLength: 20)),
            (TypeLimits(maxTokens: 1, minLength: 12, maxLength: 13), TypeLimits(maxTokens: 1, minLength: 5, maxLength: 6)),
        ]
        var total = 0
        for round in 0..<300 {
            let text = DigitCandidateTests.randomText(&state, length: 40 + round * 3)
            for (phone, digits) in limitSets {
                var got: [ColumnType: [String]] = [.phone: [], .digits: []]
                text.withUnsafeBufferPointer { buffer in
                    var candidates = Candidates(buffer)
                    candidates.digitCandidates(phone: phone, digits: digits, in: 0..<buffer.count) { type, span, normal in
                        got[type, default: []].append("\(span) \(String(decoding: normal, as: UTF8.self))")
                    }
                }
                let phones = DigitCandidateTests.plainCandidates(text, .phone, phone)
                let numbers = DigitCandidateTests.plainCandidates(text, .digits, digits)
                #expect(got[.phone] == phones, "phone, round \(round): \(String(decoding: text, as: UTF8.self))")
                #expect(got[.digits] == numbers, "digits, round \(round): \(String(decoding: text, as: UTF8.self))")
                total += phones.count + numbers.count
            }
        }
        #expect(total > 1_000)
    }

    @Test("a scan of part of the text starts at the digit group the part begins in")
    func partialRange() {
        let text = Array("call 07700 900123 or account 12345678 today".utf8)
        var got: [String] = []
        text.withUnsafeBufferPointer { buffer in
            var candidates = Candidates(buffer)
            candidates.digitCandidates(phone: TypeLimits(maxTokens: 1, minLength: 11, maxLength: 11),
                                       digits: TypeLimits(maxTokens: 1, minLength: 8, maxLength: 8), in: 8..<33) { type, span, normal in
                got.append("\(type) \(span) \(String(decoding: normal, as: UTF8.self))")
            }
        }
        #expect(got == ["phone 5..<17 07700900123", "digits 29..<37 12345678"])
    }

    @Test("the predicted length of a normalised phone number is that of the normalised number")
    func phoneLengthPrediction() {
        var state: UInt64 = 77
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let count = Int((state >> 59) % 19)
            var digits: [UInt8] = []
            for k in 0..<count {
                let choice = (state >> UInt64(k % 50)) % 4
                digits.append(choice == 0 ? 48 : choice == 1 ? 52 : UInt8(48 + (state >> UInt64(k + 7)) % 10))
            }
            for plus in [false, true] {
                var out: [UInt8] = []
                _ = Normaliser.phone(digits: digits, plus: plus, into: &out)
                #expect(Candidates.phoneLength(count: count, plus: plus) { digits[$0] } == out.count, "\(digits) plus \(plus)")
            }
        }
    }

    @Test("the eight-byte digit mask marks exactly the digit bytes")
    func digitMaskIsExact() {
        var state: UInt64 = 5
        for _ in 0..<100_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let word = state ^ (state >> 31)
            var expected: UInt64 = 0
            for position in 0..<8 where Normaliser.isDigit(UInt8(truncatingIfNeeded: word >> UInt64(8 * position))) {
                expected |= 0x80 << UInt64(8 * position)
            }
            #expect(Candidates.digitMask(word) == expected)
        }
        for value in 0...255 {
            let word = UInt64(value) &* 0x0101_0101_0101_0101
            #expect(Candidates.digitMask(word) == (Normaliser.isDigit(UInt8(value)) ? 0x8080_8080_8080_8080 : 0))
        }
    }
}
