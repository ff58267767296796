import Testing
import RedlineCore
import RedlineEngine

/// Line, column (Unicode scalars) and scalar offsets of findings, against a naive count, on texts
/// mixing line breaks and multi-byte characters at every alignment (the counter works on 8-byte words).
@Suite("Finding positions")
struct PositionTests {
    static func naive(_ bytes: [UInt8], upTo offset: Int) -> (line: Int, column: Int, scalar: Int) {
        var line = 1, column = 1, scalar = 0
        for byte in bytes[..<offset] {
            if byte == 10 { line += 1; column = 1; scalar += 1 } else if byte & 0xC0 != 0x80 { column += 1; scalar += 1 }
        }
        return (line, column, scalar)
    }

    @Test("positions match a byte-by-byte count", arguments: 0..<16)
    func positionsMatch(seed: Int) throws {
        let pipeline = try PolicySource.embeddedDefault.compile()
        let session = pipeline.makeSession()
        let pieces = ["a", "é", "😀", "\n", " ", "Zoë ", "\n\n", "ok ", "€", "\r\n"]
        var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
        var text = ""
        for round in 0..<60 {
            for _ in 0..<(round % 13) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text += pieces[Int(state >> 33) % pieces.count]
            }
            text += ["card 4111 1111 1111 1111 ", "NI JG 10 37 55 A ", "LS6 2AB ", "x@example.org "][round % 4]
        }
        let bytes = Array(text.utf8)
        let result = session.scan(bytes, channel: "chat")
        #expect(result.findings.count >= 45)   // a few items are glued to a preceding letter and rightly not found
        for finding in result.findings {
            let expected = Self.naive(bytes, upTo: finding.start)
            #expect(finding.line == expected.line && finding.column == expected.column && finding.scalarStart == expected.scalar,
                    "at byte \(finding.start)")
            #expect(finding.scalarEnd == Self.naive(bytes, upTo: finding.end).scalar)
        }
    }

    @Test("positions match across long stretches without findings (the counter sums its lanes every 2,040 bytes)")
    func longGaps() throws {
        let pipeline = try PolicySource.embeddedDefault.compile()
        let session = pipeline.makeSession()
        var text = ""
        for gap in [0, 7, 2_039, 2_040, 2_041, 5_000, 70_000] {
            var filler = ""
            var index = 0
            while filler.utf8.count < gap {
                filler += ["word ", "é", "€ ", "\n", "line\n", "😀"][index % 6]
                index += 1
            }
            text += filler + (gap % 2 == 0 ? "card 4111 1111 1111 1111 " : "NI JG 10 37 55 A ")
        }
        let bytes = Array(text.utf8)
        let result = session.scan(bytes, channel: "chat")
        #expect(result.findings.count == 7)
        for finding in result.findings {
            let expected = Self.naive(bytes, upTo: finding.start)
            #expect(finding.line == expected.line && finding.column == expected.column && finding.scalarStart == expected.scalar,
                    "at byte \(finding.start)")
            #expect(finding.scalarEnd == Self.naive(bytes, upTo: finding.end).scalar)
        }
    }
    @Test("columns on long lines and gaps around the vector counter's 4,080-byte sums match a byte-by-byte count")
    func longLines() throws {
        let pipeline = try PolicySource.embeddedDefault.compile()
        let session = pipeline.makeSession()
        var text = ""
        // Line lengths before each finding: the last line break is found eight bytes at a time from
        // the end of the stretch, and the column counts the characters after it.
        for (round, gap) in [1, 8, 9, 15, 16, 17, 4_079, 4_080, 4_081, 8_200, 20_000].enumerated() {
            text += "\n"
            var filler = ""
            var index = round
            while filler.utf8.count < gap {
                filler += ["word ", "é", "€ ", "😀", "a"][index % 5]
                index += 1
            }
            text += filler + (round % 2 == 0 ? " card 4111 1111 1111 1111 " : " NI JG 10 37 55 A ")
        }
        let bytes = Array(text.utf8)
        let result = session.scan(bytes, channel: "chat")
        #expect(result.findings.count == 11)
        for finding in result.findings {
            let expected = Self.naive(bytes, upTo: finding.start)
            #expect(finding.line == expected.line && finding.column == expected.column && finding.scalarStart == expected.scalar,
                    "at byte \(finding.start)")
            #expect(finding.scalarEnd == Self.naive(bytes, upTo: finding.end).scalar)
        }
    }
}
