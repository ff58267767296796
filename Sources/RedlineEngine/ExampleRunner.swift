import RedlineCore
import RedlineDetectors
import RedlinePolicy

/// Runs a policy's own examples: each detector's match / no-match texts, and each
/// message + channel → expected verdict.
public struct ExampleOutcome: Sendable {
    public var location: SourceLocation
    public var description: String
    public var passed: Bool
    public var detail: String
    /// The example's text as the policy author wrote it.
    public var text: String
}

extension Pipeline {
    /// Every example of the policy with its outcome, in file order.
    public func runExamples() -> [ExampleOutcome] {
        var outcomes: [ExampleOutcome] = []
        let session = makeSession()
        for (index, spec) in detectorSpecs.enumerated() {
            let detectorID = spec.id.value
            for example in spec.matchExamples {
                let found = detects(index, example.value, session: session)
                outcomes.append(ExampleOutcome(location: example.location, description: "\(detectorID) matches example",
                                               passed: found, detail: found ? "found" : "expected a match, found none", text: example.value))
            }
            for example in spec.noMatchExamples {
                let found = detects(index, example.value, session: session)
                outcomes.append(ExampleOutcome(location: example.location, description: "\(detectorID) does not match example",
                                               passed: !found, detail: found ? "expected no match, found one" : "no match", text: example.value))
            }
        }
        for example in policy.examples {
            let channel = example.channel?.value ?? rules.defaultChannel
            let result = session.scan(Array(example.text.utf8), channel: channel)
            let passed = result.verdict == example.verdict
            let rule = result.decidingRule.map { " (rule \($0))" } ?? ""
            outcomes.append(ExampleOutcome(location: example.location, description: "message on \(channel) → \(example.verdict.name)",
                                           passed: passed, detail: "verdict \(result.verdict.name)\(rule)", text: example.text))
        }
        return outcomes
    }

    /// Whether detector `index` finds something in `text` (allowlist applied, rules ignored).
    func detects(_ index: Int, _ text: String, session: PipelineSession) -> Bool {
        let result = session.scan(Array(text.utf8), channel: rules.defaultChannel)
        return result.findings.contains { $0.detector == detectors[index].id }
    }
}
