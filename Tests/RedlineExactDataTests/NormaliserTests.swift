import Testing
@testable import RedlineExactData

@Suite("Normaliser")
struct NormaliserTests {
    /// The String path's result; the byte path (the builder's) must agree with it on every table row.
    static func normal(_ cell: String, _ type: ColumnType) -> String? {
        let result = Normaliser.normalise(cell, as: type).map { String(decoding: $0, as: UTF8.self) }
        #expect(bytePath(cell, type) == result, "byte path differs for a \(type) cell")
        return result
    }

    static func bytePath(_ cell: String, _ type: ColumnType) -> String? {
        var out: [UInt8] = [], scratch: [UInt8] = []
        let found = Array(cell.utf8).withUnsafeBufferPointer { Normaliser.normalise($0, as: type, into: &out, scratch: &scratch) }
        return found ? String(decoding: out, as: UTF8.self) : nil
    }

    @Test("the builder's byte path gives the String path's result for 20,000 generated cells of every type")
    func bytePathAgrees() {
        // Pieces a cell of any type may be made of: letters, digits, separators, titles, months,
        // punctuation, control bytes, non-ASCII letters and spaces (these take the String path).
        let pieces = ["Jane", "O'Neil", "MR", "dr.", "Mrs", "07700", "900123", "+44", "0044", "(0)", "12", "03", "1985",
                      "12/03/1985", "1985-03-12", "March", "12th", "Mar,", "sept", "LS1", "1AA", "ls11aa", "SW1A", "2aa",
                      "@", "j.doe@Example.COM", "x@y", "-", ".", ",", "/", "  ", " ", "\t", "\n", "\r\n", "\u{0B}", "\u{1F}",
                      "Zoë", "\u{00A0}", "０７", "ß", "", "0", "9", "44", "A", "z", "#", "'", "\""]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var differing: [String] = []
        for _ in 0..<20_000 {
            var cell = ""
            for _ in 0..<(1 + next(6)) { cell += pieces[next(pieces.count)] + (next(3) == 0 ? "" : " ") }
            for type in ColumnType.allCases {
                let expected = Normaliser.normalise(cell, as: type).map { String(decoding: $0, as: UTF8.self) }
                if NormaliserTests.bytePath(cell, type) != expected { differing.append("\(type): \(cell.debugDescription)") }
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
    }

    @Test("names: case, diacritics, punctuation, titles and spaces do not count", arguments: [
        ("Jane O'Neil", "jane oneil"),
        ("JANE ONEIL", "jane oneil"),
        ("Mrs Jane  O'Neil", "jane oneil"),
        ("Dr. Jane\nO’Neil", "jane oneil"),
        ("  José  Álvarez-Núñez ", "jose alvareznunez"),
        ("Mr Mrs Sir John Smith", "john smith"),
        ("Jane\u{00A0}O\u{200B}'Neil", "jane oneil"),
        ("Ms", nil),
        ("", nil),
    ] as [(String, String?)])
    func names(_ cell: String, _ expected: String?) {
        #expect(NormaliserTests.normal(cell, .name) == expected)
    }

    @Test("e-mail addresses are case-folded", arguments: [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  j@x.co.uk ", "j@x.co.uk"),
        ("not an address", nil),
    ] as [(String, String?)])
    func emails(_ cell: String, _ expected: String?) {
        #expect(NormaliserTests.normal(cell, .email) == expected)
    }

    @Test("UK phone numbers have one canonical form", arguments: [
        ("07700 900123", "07700900123"),
        ("07700900123", "07700900123"),
        ("０７７００ ９００１２３", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900 123", "07700900123"),
        ("447700900123", "07700900123"),
        ("020-7946-0018", "02079460018"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("12345", nil),
    ] as [(String, String?)])
    func phones(_ cell: String, _ expected: String?) {
        #expect(NormaliserTests.normal(cell, .phone) == expected)
    }

    @Test("postcodes are upper case with one space", arguments: [
        ("ls1 1aa", "LS1 1AA"),
        ("LS11AA", "LS1 1AA"),
        ("  sw1a   2aa ", "SW1A 2AA"),
        ("M1 1AE", "M1 1AE"),
        ("12345", nil),
        ("LS1", nil),
    ] as [(String, String?)])
    func postcodes(_ cell: String, _ expected: String?) {
        #expect(NormaliserTests.normal(cell, .postcode) == expected)
    }

    @Test("dates in every documented shape become YYYYMMDD", arguments: [
        ("12/03/1985", "19850312"),
        ("12-03-1985", "19850312"),
        ("12.03.1985", "19850312"),
        ("1985-03-12", "19850312"),
        ("12 March 1985", "19850312"),
        ("12th Mar 1985", "19850312"),
        ("March 12, 1985", "19850312"),
        ("12-Mar-1985", "19850312"),
        ("1st September 2001", "20010901"),
        ("29/02/2000", "20000229"),
        ("29/02/1999", nil),
        ("31/04/1985", nil),
        ("12/03/85", nil),
        ("yesterday", nil),
    ] as [(String, String?)])
    func dates(_ cell: String, _ expected: String?) {
        #expect(NormaliserTests.normal(cell, .date) == expected)
    }

    @Test("digits keep only the digits", arguments: [
        ("12-34 56", "123456"),
        ("CUST-0012345", "0012345"),
        ("ACC 1234 5678", "12345678"),
        ("none", nil),
    ] as [(String, String?)])
    func digits(_ cell: String, _ expected: String?) {
        #expect(NormaliserTests.normal(cell, .digits) == expected)
    }

    @Test("free text is case-folded with whitespace collapsed and token edges trimmed", arguments: [
        ("12  High Street,\nLeeds", "12 high street leeds"),
        ("Flat 3b", "flat 3b"),
        ("O'Neil & Sons Ltd.", "o'neil sons ltd"),
    ] as [(String, String?)])
    func texts(_ cell: String, _ expected: String?) {
        #expect(NormaliserTests.normal(cell, .text) == expected)
    }

    @Test("SipHash-2-4 gives the published reference values")
    func sipHashVectors() {
        var k0: UInt64 = 0, k1: UInt64 = 0
        for i in 0..<8 { k0 |= UInt64(i) << UInt64(8 * i); k1 |= UInt64(i + 8) << UInt64(8 * i) }
        let sip = SipHash24(k0: k0, k1: k1)
        #expect(sip.hashPlain([]) == 0x726f_db47_dd0e_0e31)
        #expect(sip.hashPlain(Array(0..<15)) == 0xa129_ca61_49be_45e5)
        // The tagged form is the plain hash of tag ‖ bytes.
        #expect(sip.hash(tag: 0, Array(1..<15)) == sip.hashPlain(Array(0..<15)))
    }
}

@Suite("Index checksum")
struct IndexChecksumTests {
    @Test("the checksum does not depend on how 8-byte-aligned pieces split the input, and sees every byte")
    func splitInvariant() {
        let bytes = (0..<1003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        func sum(_ cuts: [Int]) -> UInt64 {
            var checksum = IndexChecksum()
            bytes.withUnsafeBytes { raw in
                var start = 0
                for cut in cuts + [bytes.count] {
                    checksum.update(UnsafeRawBufferPointer(rebasing: raw[start..<cut]))
                    start = cut
                }
            }
            return checksum.value
        }
        let whole = sum([])
        #expect(sum([8]) == whole)
        #expect(sum([56, 64, 800]) == whole)
        #expect(sum([24, 32, 40, 1000]) == whole)
        for position in stride(from: 0, to: bytes.count, by: 37) {
            var changed = bytes
            changed[position] ^= 1
            var checksum = IndexChecksum()
            changed.withUnsafeBytes { checksum.update($0) }
            #expect(checksum.value != whole, "flip at \(position)")
        }
    }
}
