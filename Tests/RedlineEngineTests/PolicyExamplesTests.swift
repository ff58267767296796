import Foundation
import Testing
import RedlineCore
import RedlineEngine

/// Loads every file in Policies/ and runs its examples; checks the embedded copy of the default.
@Suite("Shipped policies")
struct PolicyExamplesTests {
    static let policiesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Policies")

    static var policyFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: policiesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { policiesDirectory.appendingPathComponent($0).path }
    }

    @Test("there are at least three shipped policies")
    func shippedPolicies() {
        #expect(Self.policyFiles.count >= 3)
    }

    @Test("every shipped policy compiles and passes its own examples", arguments: policyFiles)
    func shippedPolicyExamples(_ path: String) throws {
        let pipeline = try PolicySource.file(path).compile(key: Array("test-key".utf8))
        let outcomes = pipeline.runExamples()
        #expect(outcomes.count >= 6)
        for outcome in outcomes where !outcome.passed {
            Issue.record("\(outcome.location): \(outcome.description): \(outcome.detail)")
        }
    }

    @Test("the embedded default policy is byte-identical to Policies/uk-default.yaml")
    func embeddedDefaultMatchesFile() throws {
        let file = try String(contentsOf: Self.policiesDirectory.appendingPathComponent("uk-default.yaml"), encoding: .utf8)
        #expect(PolicySource.embeddedDefaultText + "\n" == file, "run scripts/embed-default-policy.sh")
        let policy = try PolicySource.embeddedDefault.load()
        #expect(policy.name == "uk-default")
        #expect(policy.defaultChannel?.value == "email-external")
    }
}
