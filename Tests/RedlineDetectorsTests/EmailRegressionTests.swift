import Testing
import RedlineCore
@testable import RedlineDetectors

/// Regressions found by fuzzing (Fuzz/Sources/FuzzDetectors).
@Suite("E-mail detector regressions")
struct EmailRegressionTests {
    static func found(_ text: String) throws -> [String] {
        try Detect.run("email", text).map { Detect.slice(text, $0.range) }
    }

    @Test("fuzz_redactTwice_emailAfterDoubleDot: the local part starts after '..', whatever stands before it")
    func localPartStartsAfterDoubleDot() throws {
        // Before the fix the first address swallowed the second's local part, so the second was
        // only found after the first had been redacted (redacting twice changed the text again).
        #expect(try Self.found("mail a@b.com..u@example.org now") == ["a@b.com", "u@example.org"])
        #expect(try Self.found("[EMAIL:f5e5b746cfa3]..u@example.org") == ["u@example.org"])
        #expect(try Self.found("first.last@example.org") == ["first.last@example.org"])
    }
}
