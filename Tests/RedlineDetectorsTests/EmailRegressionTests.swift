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

    @Test("fuzz_redactTwice_wordGluedAfterFullStop: an address followed by '.' and a word without a space is still found")
    func wordGluedAfterFullStop() throws {
        // Before the fix `jane@gmail.co.uk.LS6 2AB` was no address (top-level label `LS6`), but once
        // the postcode was redacted (`….uk.[PC]`) it was one: redacting twice changed the text again.
        #expect(try Self.found("reply to jane@gmail.co.uk.LS6 2AB") == ["jane@gmail.co.uk"])
        #expect(try Self.found("reply to jane@gmail.co.uk.[PC] now") == ["jane@gmail.co.uk"])
        #expect(try Self.found("write to jane@example.org.Thanks") == ["jane@example.org.Thanks"])
        #expect(try Self.found("foo@bar.baz.v2") == ["foo@bar.baz"])
        // Labels are dropped only while two remain: no address appears out of numbers or file names.
        #expect(try Self.found("host user@10.0.0.1 and v1.2@build.3 and logo@2x.png").isEmpty)
    }
}
