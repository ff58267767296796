import RedlineEngine

/// `GET /v1/policy`: what `redline policy explain` says, as JSON — the detectors and how each is
/// redacted, and per channel which rules decide which detectors. No values, only the policy's names.
struct PolicyBody: Encodable {
    struct Detector: Encodable {
        var id: String
        var kind: String
        var redaction: String
        var needsKeyword: Bool
        var window: Int?

        enum CodingKeys: String, CodingKey { case id, kind, redaction, needsKeyword = "needs_keyword", window }
    }

    struct Rule: Encodable {
        var id: String
        var action: String
        var detectors: [String]
        var minInstances: Int
        var message: String?

        enum CodingKeys: String, CodingKey { case id, action, detectors, message, minInstances = "min_instances" }
    }

    struct Channel: Encodable {
        var name: String
        var attributes: [String: Bool]
        var rules: [Rule]
        /// Detectors no rule decides on this channel: reported only (allow).
        var otherwiseAllow: [String]

        enum CodingKeys: String, CodingKey { case name, attributes, rules, otherwiseAllow = "otherwise_allow" }
    }

    var name: String
    var sha256: String
    var description: String
    var defaultChannel: String
    var detectors: [Detector]
    var channels: [Channel]
    /// `block`, or `strictest` (the strictest action of the rules that use a detector that could not finish).
    var onDetectorError: String

    enum CodingKeys: String, CodingKey {
        case name, sha256, description, detectors, channels
        case defaultChannel = "default_channel", onDetectorError = "on_detector_error"
    }

    init(_ pipeline: Pipeline) {
        name = pipeline.policy.name
        sha256 = pipeline.policySHA256
        description = pipeline.policy.description
        defaultChannel = pipeline.rules.defaultChannel
        detectors = pipeline.detectors.enumerated().map { index, detector in
            Detector(id: detector.id, kind: detector.kind.id, redaction: pipeline.redactionDescription(index),
                     needsKeyword: detector.requiresContext, window: detector.requiresContext ? detector.window : nil)
        }
        channels = pipeline.rules.channelOrder.map { name in
            let applying = pipeline.rules.rules(on: name)
            var covered = Set<Int>()
            let rules = applying.map { rule in
                if rule.minInstances <= 1 { covered.formUnion(rule.detectors) }
                return Rule(id: rule.id, action: rule.action.name, detectors: rule.detectors.sorted().map { pipeline.detectors[$0].id },
                            minInstances: rule.minInstances, message: rule.message)
            }
            let uncovered = pipeline.detectors.indices.filter { !covered.contains($0) }.map { pipeline.detectors[$0].id }
            return Channel(name: name, attributes: pipeline.rules.channels[name]?.attributes ?? [:], rules: rules, otherwiseAllow: uncovered)
        }
        onDetectorError = pipeline.policy.settings.onDetectorError == .block ? "block" : "strictest"
    }
}
