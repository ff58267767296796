import RedlineCore
import RedlineDetectors
import RedlineEngine
import RedlinePolicy
import RedlineFormats

/// `redline policy check|test|explain` and `redline detectors`. Each returns an exit code and
/// writes to the given stream.
public enum PolicyTools {
    /// Which policy a policy command works on: `--policy` (or the command's FILE argument), else
    /// the discovery every command uses (REDLINE_POLICY, `.redline.yaml` walking up, embedded);
    /// and the key (`--key-file`, else REDLINE_KEY) that exact_data indexes are checked against.
    public struct Choice: Sendable {
        public var explicit: String?
        public var environment: [String: String]
        public var directory: String?
        public var keyFile: String?
        public init(explicit: String?, environment: [String: String], directory: String?, keyFile: String? = nil) {
            self.explicit = explicit
            self.environment = environment
            self.directory = directory
            self.keyFile = keyFile
        }
        var discovered: (source: PolicySource, origin: PolicySource.Origin) {
            PolicySource.discover(explicit: explicit, environment: environment, directory: directory)
        }
    }

    static func compile(_ choice: Choice) -> (Pipeline?, [Diagnostic], PolicySource, PolicySource.Origin) {
        let (source, origin) = choice.discovered
        let key: [UInt8]?
        do {
            key = try KeySource.load(keyFile: choice.keyFile, environment: choice.environment)
        } catch {
            return (nil, [error], source, origin)
        }
        // The real key when there is one (exact_data indexes are checked against it); otherwise a
        // placeholder lets `hash` styles compile, and exact_data detectors report the missing key.
        let (pipeline, diagnostics) = source.check(key: key ?? Array("policy-check".utf8), keyIsPlaceholder: key == nil)
        return (pipeline, diagnostics, source, origin)
    }

    /// Prints every error and warning as `file:line:col: error[CODE]: message` (with the source
    /// line and a hint where there is one). 0 when valid, 2 on an error, or on a warning with `strict`.
    public static func check(_ choice: Choice, strict: Bool = false, out: OutputStream) throws -> Int32 {
        let (pipeline, diagnostics, source, origin) = compile(choice)
        for diagnostic in diagnostics { printError(diagnostic.detailed) }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        guard let pipeline else {
            printError("\(source.displayName): \(errors) error(s)" + (warnings > 0 ? ", \(warnings) warning(s)" : ""))
            return ExitStatus.error
        }
        if strict && warnings > 0 {
            printError("\(source.displayName): \(warnings) warning(s), fatal with --strict")
            return ExitStatus.error
        }
        let warned = warnings > 0 ? ", \(warnings) warning(s)" : ""
        try out.write("\(source.displayName): ok: policy '\(pipeline.policy.name)' (\(origin.description)), \(pipeline.detectors.count) detectors, "
                      + "\(pipeline.rules.channelOrder.count) channels, \(pipeline.rules.rules.count) rules\(warned)\n")
        return ExitStatus.clean
    }

    /// Runs the policy's examples: pass/fail per example (a failure shows the example's text);
    /// 1 if any fails, 2 if the policy is invalid. `failuresOnly` leaves out the PASS lines.
    public static func test(_ choice: Choice, failuresOnly: Bool = false, out: OutputStream) throws -> Int32 {
        let (pipeline, diagnostics, _, _) = compile(choice)
        for diagnostic in diagnostics where diagnostic.severity == .error { printError(diagnostic.detailed) }
        guard let pipeline else { return ExitStatus.error }
        let outcomes = pipeline.runExamples()
        for outcome in outcomes where !(failuresOnly && outcome.passed) {
            try out.write("\(outcome.passed ? "PASS" : "FAIL") \(outcome.location): \(outcome.description): \(outcome.detail)\n")
            // Examples are the policy author's own text, not message content: shown as written.
            if !outcome.passed { try out.write("    text: \(JSONText.quoted(outcome.text))\n") }
        }
        let failed = outcomes.filter { !$0.passed }.count
        try out.write("\(outcomes.count - failed) passed, \(failed) failed\n")
        return failed == 0 ? ExitStatus.clean : ExitStatus.findings
    }

    /// Describes in words what the compiled pipeline does, per channel.
    public static func explain(_ choice: Choice, channel: String?, out: OutputStream) throws -> Int32 {
        let (compiled, diagnostics, _, origin) = compile(choice)
        for diagnostic in diagnostics where diagnostic.severity == .error { printError(diagnostic.detailed) }
        guard let pipeline = compiled else { return ExitStatus.error }
        if let channel, pipeline.rules.channels[channel] == nil {
            let hint = Suggest.closest(channel, in: pipeline.rules.channelOrder).map { "; did you mean '\($0)'?" } ?? ""
            printError("redline: no channel named '\(channel)' in policy '\(pipeline.policy.name)'\(hint) "
                       + "(channels: \(pipeline.rules.channelOrder.joined(separator: ", ")))")
            return ExitStatus.error
        }
        try out.write("Policy source: \(pipeline.policy.file) (\(origin.description))\n")
        try out.write(describe(pipeline, channel: channel))
        return ExitStatus.clean
    }

    static func describe(_ pipeline: Pipeline, channel only: String?) -> String {
        var text = "Policy '\(pipeline.policy.name)' (sha256 \(pipeline.policySHA256.prefix(12))…)\n"
        if !pipeline.policy.description.isEmpty { text += "  \(pipeline.policy.description)\n" }
        text += "\nDetectors:\n"
        for (index, detector) in pipeline.detectors.enumerated() {
            let spec = pipeline.detectorSpecs[index]
            let plan = pipeline.redactionDescription(index)
            var notes: [String] = []
            if detector.requiresContext { notes.append("needs a keyword within \(detector.window) characters") }
            if detector.minConfidence > .low { notes.append("minimum confidence \(detector.minConfidence.name)") }
            if spec.kind.value == "payment_card" { notes.append(detector.countTestValues ? "test card numbers count" : "test card numbers ignored") }
            if let exact = pipeline.exactDataDescription(index) { notes.append(exact) }
            let extra = notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")
            text += "  \(detector.id) (\(detector.kind.id)): redacted as \(plan)\(extra)\n"
        }
        text += "\nDefault channel: \(pipeline.rules.defaultChannel)\n"
        if !pipeline.policy.email.domains.isEmpty {
            text += "E-mail recipients: " + pipeline.policy.email.domains.map { "\($0.pattern) → \($0.channel.value)" }.joined(separator: ", ")
            text += pipeline.policy.email.otherwise.map { "; other domains → \($0.value)" } ?? ""
            text += "\n"
        }
        for channel in pipeline.rules.channelOrder where only == nil || only == channel {
            let spec = pipeline.rules.channels[channel]!
            let attributes = spec.attributes.keys.sorted().map { "\($0)=\(spec.attributes[$0]!)" }.joined(separator: ", ")
            text += "\nOn channel \(channel) (\(attributes)):\n"
            let applying = pipeline.rules.rules(on: channel)
            var covered = Set<Int>()
            for rule in applying {
                let names = rule.detectors.sorted().map { pipeline.detectors[$0].id }.joined(separator: ", ")
                let threshold = rule.minInstances > 1 ? " when \(rule.minInstances) or more distinct values appear" : ""
                var who = rule.senders.map { " for senders in \($0.sorted().joined(separator: ", "))" } ?? ""
                if !rule.sendersExcept.isEmpty { who += " for senders outside \(rule.sendersExcept.sorted().joined(separator: ", "))" }
                var override = ""
                if let spec = rule.override {
                    let by = spec.by.map { $0.map(\.value).joined(separator: ", ") } ?? "anyone"
                    let reason = spec.justificationRequired ? ", with a justification of at least \(spec.minLength) characters" : ""
                    override = "; \(by) may override it to \(spec.becomes.name)\(reason)"
                }
                text += "  \(rule.action.name.uppercased()) \(names)\(threshold)\(who) — rule \(rule.id)\(override)\n"
                if rule.minInstances <= 1 && who.isEmpty { covered.formUnion(rule.detectors) }
            }
            let uncovered = pipeline.detectors.indices.filter { !covered.contains($0) }.map { pipeline.detectors[$0].id }
            if !uncovered.isEmpty { text += "  otherwise ALLOW (reported only): \(uncovered.joined(separator: ", "))\n" }
        }
        if let only, pipeline.rules.channels[only] == nil { text += "\nNo channel named '\(only)'.\n" }
        text += "\nA message takes the strictest action of its findings. A detector that cannot finish decides the message "
        text += pipeline.policy.settings.onDetectorError == .block ? "as block.\n" : "with the strictest action of the rules that use it.\n"
        return text
    }

    /// `redline detectors`: every built-in kind with a description and an example, then the
    /// detectors of the policy in use (found as every command finds it).
    public static func detectors(_ choice: Choice, out: OutputStream) throws -> Int32 {
        for kind in DetectorKind.builtins {
            try out.write("\(kind.id)\n  \(kind.summary)\n  example: \(kind.matchExamples.first ?? "")\n  default label: \(kind.defaultLabel)\n\n")
        }
        let regex = DetectorKind.regexDocumentation
        try out.write("\(regex.id)\n  \(regex.summary)\n  example: \(regex.example)\n\n")
        let exact = DetectorKind.exactDataDocumentation
        try out.write("\(exact.id)\n  \(exact.summary)\n  example: \(exact.example)\n")
        let (compiled, diagnostics, source, origin) = compile(choice)
        guard let pipeline = compiled else {
            for diagnostic in diagnostics where diagnostic.severity == .error { printError(diagnostic.detailed) }
            return ExitStatus.error
        }
        try out.write("\nDetectors of policy '\(pipeline.policy.name)' (\(source.displayName), \(origin.description)):\n")
        for (index, detector) in pipeline.detectors.enumerated() {
            try out.write("  \(detector.id) (\(detector.kind.id)): redacted as \(pipeline.redactionDescription(index))\n")
        }
        return ExitStatus.clean
    }
}
