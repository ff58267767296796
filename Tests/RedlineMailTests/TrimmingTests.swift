import Testing
@testable import RedlineMail

/// Header tokens, parameter names and addresses are trimmed with `trimmingWhitespace()`: only
/// spaces, tabs, CRs and LFs at either end go, scalar by scalar (a space carrying a combining
/// mark loses the space, not the mark), as the scalar-by-scalar rebuild it replaced did.
@Suite("Whitespace trimming")
struct TrimmingTests {
    /// The straightforward reading: drop the scalars one by one and rebuild the rest.
    static func reference(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, [" ", "\t", "\r", "\n"].contains(first) { scalars.removeFirst() }
        while let last = scalars.last, [" ", "\t", "\r", "\n"].contains(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    @Test("trimming keeps exactly the scalars the scalar-by-scalar reading keeps, combining marks and CRLF included")
    func matchesReference() {
        for text in ["", " ", " a ", " \u{301}x \u{301}", "\r\n x \r\n", "\t\u{301}", "  é  ", "\n\u{200B} z\t"] {
            #expect(Array(text.trimmingWhitespace().utf8) == Array(Self.reference(text).utf8), "\(text.debugDescription)")
        }
        #expect(" \u{301}x".trimmingWhitespace() == "\u{301}x")
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = [" ", "\t", "\r", "\n", "a", "\u{301}", "é", "\u{200B}"]
        for _ in 0..<5000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...8, using: &generator) { scalars.append(alphabet.randomElement(using: &generator)!) }
            let text = String(scalars)
            #expect(Array(text.trimmingWhitespace().utf8) == Array(Self.reference(text).utf8), "\(text.debugDescription)")
            let inside = ("x" + text + "y").dropFirst().dropLast()
            #expect(Array(inside.trimmingWhitespace().utf8) == Array(Self.reference(String(inside)).utf8))
        }
    }
}
