import RedlineCore
import RedlineDetectors
import RedlineEngine
import RedlinePolicy

/// `redline policy check|test|explain` and `redline detectors`. Each returns an exit code and
/// writes to the given stream.
public enum PolicyTools {
    static func compile(_ path: String, _ environment: [String: String], keyFile: String? = nil) -> (Pipeline?, [Diagnostic]) {
        let source = PolicySource.file(path)
        do {
            // The real key when there is one (exact_data indexes are checked against it); otherwise a
            // placeholder lets `hash` styles compile, and exact_data detectors report the missing key.
            let key = try KeySource.load(keyFile: keyFile, environment: environment)
            return (try source.compile(key: key ?? Array("policy-check".utf8), keyIsPlaceholder: key == nil), [])
        } catch let error as DiagnosticList {
            return (nil, error.diagnostics)
        } catch let diagnostic as Diagnostic {
            return (nil, [diagnostic])
        } catch {
            return (nil, [])
        }
    }

    /// Prints every diagnostic as `file:line:col: error[CODE]: message`. 0 when valid, 2 otherwise.
    public static func check(_ path: String, environment: [String: String], keyFile: String? = nil, out: OutputStream) throws -> Int32 {
        let (pipeline, diagnostics) = compile(path, environment, keyFile: keyFile)
        for diagnostic in diagnostics { printError(diagnostic.description) }
        guard let pipeline else {
            printError("\(path): \(diagnostics.filter { $0.severity == .error }.count) error(s)")
            return ExitStatus.error
        }
        try out.write("\(path): ok: policy '\(pipeline.policy.name)', \(pipeline.detectors.count) detectors, "
                      + "\(pipeline.rules.channelOrder.count) channels, \(pipeline.rules.rules.count) rules\n")
        return ExitStatus.clean
    }

    /// Runs the policy's examples: pass/fail per example; 1 if any fails, 2 if the policy is invalid.
    public static func test(_ path: String, environment: [String: String], keyFile: String? = nil, out: OutputStream) throws -> Int32 {
        let (pipeline, diagnostics) = compile(path, environment, keyFile: keyFile)
        for diagnostic in diagnostics { printError(diagnostic.description) }
        guard let pipeline else { return ExitStatus.error }
        let outcomes = pipeline.runExamples()
        for outcome in outcomes {
            try out.write("\(outcome.passed ? "PASS" : "FAIL") \(outcome.location): \(outcome.description): \(outcome.detail)\n")
        }
        let failed = outcomes.filter { !$0.passed }.count
        try out.write("\(outcomes.count - failed) passed, \(failed) failed\n")
        return failed == 0 ? ExitStatus.clean : ExitStatus.findings
    }

    /// Describes in words what the compiled pipeline does, per channel.
    public static func explain(_ path: String?, channel: String?, environment: [String: String], keyFile: String? = nil,
                               out: OutputStream) throws -> Int32 {
        let pipeline: Pipeline
        if let path {
            let (compiled, diagnostics) = compile(path, environment, keyFile: keyFile)
            for diagnostic in diagnostics { printError(diagnostic.description) }
            guard let compiled else { return ExitStatus.error }
            pipeline = compiled
        } else {
            do { pipeline = try PolicySource.embeddedDefault.compile(key: Array("explain".utf8)) } catch { return ExitStatus.error }
        }
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
                text += "  \(rule.action.name.uppercased()) \(names)\(threshold) — rule \(rule.id)\n"
                if rule.minInstances <= 1 { covered.formUnion(rule.detectors) }
            }
            let uncovered = pipeline.detectors.indices.filter { !covered.contains($0) }.map { pipeline.detectors[$0].id }
            if !uncovered.isEmpty { text += "  otherwise ALLOW (reported only): \(uncovered.joined(separator: ", "))\n" }
        }
        if let only, pipeline.rules.channels[only] == nil { text += "\nNo channel named '\(only)'.\n" }
        text += "\nA message takes the strictest action of its findings. A detector that cannot finish decides the message "
        text += pipeline.policy.settings.onDetectorError == .block ? "as block.\n" : "with the strictest action of the rules that use it.\n"
        return text
    }

    /// `redline detectors`: every built-in kind with a description and an example.
    public static func detectors(out: OutputStream) throws -> Int32 {
        for kind in DetectorKind.builtins {
            try out.write("\(kind.id)\n  \(kind.summary)\n  example: \(kind.matchExamples.first ?? "")\n  default label: \(kind.defaultLabel)\n\n")
        }
        let regex = DetectorKind.regexDocumentation
        try out.write("\(regex.id)\n  \(regex.summary)\n  example: \(regex.example)\n\n")
        let exact = DetectorKind.exactDataDocumentation
        try out.write("\(exact.id)\n  \(exact.summary)\n  example: \(exact.example)\n")
        return ExitStatus.clean
    }
}

