import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

/// Issue 15 group 5 (mail): parsing is linear in the message and its memory is bounded per part,
/// whatever the sender builds. The tests count work (bytes examined, parts made, map entries), not
/// time.
@Suite("MIME parser work and memory bounds")
struct ParserBoundsTests {
    @Test("a message of nothing but boundary lines: a bounded number of parts, each byte examined a bounded number of times")
    func boundaryBomb() {
        let lines = String(repeating: "--b\r\n", count: 200_000)
        let message = Fixture.crlf("To: x@gmail.com\nContent-Type: multipart/mixed; boundary=b\n\n") + Array(lines.utf8)
            + Fixture.crlf("\ncard 4111 1111 1111 1111\n")
        var parser = MIMEParser(message)
        let root = parser.parse()
        var count = 0
        root.walk { _ in count += 1 }
        #expect(count <= MIMEParser.maxEntities + 2)
        #expect(parser.work <= 2 * message.count)
        #expect(parser.diagnostics.contains { $0.code == MailCode.tooManyParts })
        // What lies beyond the part limit is still scanned.
        let verdict = Fixture.check(message)
        #expect(verdict.findings.map(\.detector) == ["card"])
    }

    @Test("nesting past the depth limit costs at most one pass per level")
    func deepNesting() {
        var message = "To: x@gmail.com\n"
        for level in 0..<200 { message += "Content-Type: multipart/mixed; boundary=\"l\(level)\"\n\n--l\(level)\n" }
        message += "Content-Type: text/plain\n\nNI JG 10 37 55 A\n"
        let bytes = Fixture.lf(message)
        var parser = MIMEParser(bytes)
        _ = parser.parse()
        #expect(parser.work <= (MIMEParser.maxDepth + 2) * bytes.count)
        #expect(Fixture.check(bytes).findings.map(\.detector) == ["nino"])
    }

    @Test("thousands of header fields: a bounded number read one by one, the rest scanned as one text")
    func manyHeaderFields() {
        var message = "To: x@gmail.com\n"
        for index in 0..<5_000 { message += "X-Filler-\(index): value\n" }
        message += "X-Late: NI JG 10 37 55 A\n\nbody\n"
        let bytes = Fixture.lf(message)
        var parser = MIMEParser(bytes)
        let root = parser.parse()
        #expect(root.headers.fields.count == HeaderParser.maxFields)
        #expect(root.headers.overflow != nil)
        let (output, verdict) = Fixture.redact(bytes)
        #expect(verdict.findings.map(\.detector) == ["nino"])
        #expect(Fixture.text(output).contains("X-Late: NI [NI NUMBER]\nX-Redline-Verdict: redact\nX-Redline-Findings: nino=1\n\nbody\n"))
    }

    @Test("a large HTML attribute or paragraph is one map entry, not one per byte")
    func htmlMapIsCompact() {
        let big = String(repeating: "abcdefghij", count: 100_000)
        let html = Array("<p>\(big)</p><a title=\"\(big)\">x</a>".utf8)
        let text = HTMLText(html: html)
        #expect(text.text.count >= 2 * big.utf8.count)
        #expect(text.map.runCount < 16)
        // Entities cost one entry each, however many there are.
        let entities = HTMLText(html: Array(String(repeating: "&amp;", count: 10_000).utf8))
        #expect(entities.map.runCount == 10_000)
    }
}
