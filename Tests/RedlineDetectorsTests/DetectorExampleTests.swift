import Testing
import RedlineCore
@testable import RedlineDetectors

/// Every built-in kind carries match / no-match examples; this suite runs all of them.
@Suite("Built-in detector examples")
struct DetectorExampleTests {
    static let positive: [(String, String)] = DetectorKind.builtins.flatMap { kind in kind.matchExamples.map { (kind.id, $0) } }
    static let negative: [(String, String)] = DetectorKind.builtins.flatMap { kind in kind.noMatchExamples.map { (kind.id, $0) } }

    static func hits(_ kindID: String, _ text: String) throws -> [Hit] {
        let kind = try #require(DetectorKind.builtin(kindID))
        // Examples are judged with context satisfied for kinds that need it: the examples carry their keywords.
        let detector = try CompiledDetector(id: kindID, kind: kind)
        return DetectorScanner([detector]).scan(ScanText(Array(text.utf8))).hits
    }

    @Test("each match example is found", arguments: positive)
    func matchExample(_ example: (String, String)) throws {
        #expect(try !Self.hits(example.0, example.1).isEmpty, "\(example.0) should match: \(example.1.debugDescription)")
    }

    @Test("each no-match example is not found", arguments: negative)
    func noMatchExample(_ example: (String, String)) throws {
        #expect(try Self.hits(example.0, example.1).isEmpty, "\(example.0) should not match: \(example.1.debugDescription)")
    }
}
