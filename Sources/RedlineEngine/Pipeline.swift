import Crypto
import RedlineCore
import RedlineDetectors
import RedlineExactData
import RedlinePCRE2
import RedlinePolicy

/// A policy compiled for matching: detectors with their patterns, the rule set, the allowlist and
/// the redaction styles. Immutable and `Sendable`: build it once, share it between threads; each
/// task scans through its own ``PipelineSession``.
public final class Pipeline: Sendable {
    public let policy: Policy
    /// SHA-256 of the policy text, hex.
    public let policySHA256: String
    public let detectors: [CompiledDetector]
    public let detectorSpecs: [DetectorSpec]
    public let rules: RuleSet
    /// The policy's sender groups.
    public let senders: SenderDirectory
    let allowlist: Allowlist
    let redaction: [RedactionPlan]
    let hashKey: [UInt8]?
    /// The `exact_data` detectors, each with its memory-mapped index.
    let exactData: [ExactDataDetector]

    /// Compiles `policy`. Throws every error found (unknown detectors and channels with
    /// suggestions, regexes that do not compile, options that do not fit a kind), never a
    /// partial pipeline. `key` is the HMAC key for `hash` redaction and fingerprints, and the key
    /// `exact_data` indexes were built with; `keyIsPlaceholder` says it is a stand-in (policy
    /// tools without a real key), so an `exact_data` detector reports the missing key.
    public init(policy: Policy, key: [UInt8]? = nil, keyIsPlaceholder: Bool = false) throws(DiagnosticList) {
        var diagnostics: [Diagnostic] = []
        let limits = MatchLimits(matchLimit: UInt32(clamping: policy.settings.matchLimit))
        var compiled: [CompiledDetector] = []
        var specs: [DetectorSpec] = []
        var plans: [RedactionPlan] = []
        var exactData: [ExactDataDetector] = []
        var seen = Set<String>()
        for spec in policy.detectors {
            guard seen.insert(spec.id.value).inserted else { continue }   // reported by PolicyValidator
            guard let kind = Pipeline.kind(for: spec, diagnostics: &diagnostics) else { continue }
            do {
                let detector = try CompiledDetector(
                    id: spec.id.value, kind: kind, keywords: spec.keywords, window: spec.window ?? kind.contextWindow.map { min($0, policy.settings.contextWindow) } ?? policy.settings.contextWindow,
                    minConfidence: spec.minConfidence, requiresContext: spec.requireContext,
                    countTestValues: spec.countTestNumbers, limits: limits)
                if kind.id == "exact_data" {
                    guard let matcher = Pipeline.exactDataMatcher(spec, policyFile: policy.file, key: key, keyIsPlaceholder: keyIsPlaceholder,
                                                                  window: detector.window, diagnostics: &diagnostics) else { continue }
                    exactData.append(ExactDataDetector(detector: compiled.count, matcher: matcher))
                }
                compiled.append(detector)
                specs.append(spec)
                plans.append(RedactionPlan(spec: spec, kind: kind))
                if spec.redaction == .hash && key == nil {
                    diagnostics.append(Diagnostic(.error, code: PolicyCode.missingKey,
                        "detector '\(spec.id.value)' uses hash redaction, which needs a key: set REDLINE_KEY or pass --key-file", at: spec.id.location))
                }
            } catch {
                diagnostics.append(Pipeline.regexDiagnostic(error, spec.pattern ?? spec.kind))
            }
        }
        // References, duplicates and selectors are the policy's own consistency: RedlinePolicy judges them.
        diagnostics += PolicyValidator.errors(policy)
        var allowlist = Allowlist()
        do {
            allowlist = try Allowlist(policy: policy, detectors: compiled, limits: limits)
        } catch let error as DiagnosticList {
            diagnostics.append(contentsOf: error.diagnostics)
        } catch {}
        if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
        self.policy = policy
        self.policySHA256 = Hex.encode(Array(SHA256.hash(data: Array(policy.text.utf8))))
        self.detectors = compiled
        self.detectorSpecs = specs
        self.rules = RuleSet(policy: policy, detectorIDs: compiled.map(\.id))
        self.senders = SenderDirectory(policy: policy)
        self.allowlist = allowlist
        self.redaction = plans
        self.hashKey = key
        self.exactData = exactData
    }

    /// Parses and compiles policy text in one step. Errors from reading the YAML and from compiling
    /// (unknown detectors and channels, bad regexes, …) are reported together, sorted by position,
    /// so a user sees every problem of a policy at once.
    /// Where a stream window's overlap must start so that it holds `overlap` bytes of normalised
    /// text (invisible characters do not count), at most `maxBytes` before the end.
    public static func overlapStart(_ bytes: [UInt8], overlap: Int, maxBytes: Int) -> Int {
        bytes.withUnsafeBufferPointer { ScanText.tailStart($0, visible: overlap, maxBytes: maxBytes) }
    }

    public static func compile(yaml: String, file: String, key: [UInt8]? = nil, keyIsPlaceholder: Bool = false) throws(DiagnosticList) -> Pipeline {
        let (policy, readErrors) = PolicyLoader.parsePartially(yaml, file: file)
        guard let policy else { throw DiagnosticList(readErrors) }
        var all = readErrors
        var pipeline: Pipeline?
        do {
            pipeline = try Pipeline(policy: policy, key: key, keyIsPlaceholder: keyIsPlaceholder)
        } catch {
            all += error.diagnostics
        }
        if let pipeline, !all.contains(where: { $0.severity == .error }) { return pipeline }
        throw DiagnosticList(PolicyValidator.ordered(all.filter { $0.severity == .error }))
    }

    /// What `redline policy check` reports: the pipeline when the policy has no error, and every
    /// error and warning (``PolicyValidator/warnings(_:)``) in file order.
    public static func check(yaml: String, file: String, key: [UInt8]? = nil, keyIsPlaceholder: Bool = false) -> (pipeline: Pipeline?, diagnostics: [Diagnostic]) {
        do {
            let pipeline = try compile(yaml: yaml, file: file, key: key, keyIsPlaceholder: keyIsPlaceholder)
            return (pipeline, PolicyValidator.ordered(PolicyValidator.warnings(pipeline.policy)))
        } catch {
            return (nil, error.diagnostics)
        }
    }

    static func kind(for spec: DetectorSpec, diagnostics: inout [Diagnostic]) -> DetectorKind? {
        let label = spec.label
        if spec.kind.value == "exact_data" { return exactDataKind(for: spec, diagnostics: &diagnostics) }
        for field in exactDataFields(in: spec) {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.notForKind, "'\(field)' applies only to kind 'exact_data', not '\(spec.kind.value)'", at: spec.id.location))
        }
        if spec.kind.value == "regex" {
            guard let pattern = spec.pattern else {
                // After the misspelt key's "did you mean" when there is one: the cause reads first.
                let typo = spec.misspelt["pattern"]
                let message = "regex detector '\(spec.id.value)' needs a 'pattern'" + (typo.map { " ('\($0.value)' is not 'pattern')" } ?? "")
                diagnostics.append(Diagnostic(.error, code: PolicyCode.missingField, message, at: typo?.location ?? spec.id.location))
                return nil
            }
            var options: PatternOptions = []
            for flag in spec.flags {
                switch flag.value {
                case "case_insensitive", "i": options.insert(.caseless)
                case "multiline", "m": options.insert(.multiline)
                case "dotall", "s": options.insert(.dotAll)
                case "extended", "x": options.insert(.extended)
                case "unicode", "ucp": options.insert(.unicodeProperties)
                default:
                    diagnostics.append(Diagnostic(.error, code: PolicyCode.invalidValue,
                        "unknown flag '\(flag.value)'; flags are case_insensitive, multiline, dotall, extended, unicode", at: flag.location))
                }
            }
            var validator: ValidatorName?
            if let name = spec.validator {
                validator = ValidatorName(rawValue: name.value)
                if validator == nil {
                    let names = ValidatorName.allCases.map(\.rawValue)
                    let hint = Suggest.closest(name.value, in: names).map { "; did you mean '\($0)'?" } ?? ""
                    diagnostics.append(Diagnostic(.error, code: PolicyCode.invalidValue, "unknown validator '\(name.value)'\(hint)", at: name.location))
                }
            }
            return .custom(pattern: pattern.value, options: options, validator: validator, confidence: spec.confidence,
                           label: label ?? "[\(spec.id.value.uppercased())]")
        }
        guard let kind = DetectorKind.builtin(spec.kind.value) else {
            let hint = Suggest.closest(spec.kind.value, in: DetectorKind.allIDs).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(Diagnostic(.error, code: PolicyCode.unknownKind, "unknown detector kind '\(spec.kind.value)'\(hint)", at: spec.kind.location))
            return nil
        }
        for (field, present) in [("pattern", spec.pattern != nil), ("validator", spec.validator != nil), ("flags", !spec.flags.isEmpty)] where present {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.notForKind, "'\(field)' applies only to kind 'regex', not '\(kind.id)'", at: spec.id.location))
        }
        return kind
    }

    /// A PCRE2 compile error, pointing at the pattern's column when the scalar maps one to one.
    static func regexDiagnostic(_ error: PCRE2Error, _ pattern: Located<String>) -> Diagnostic {
        var location = pattern.location
        var where_ = ""
        if let offset = error.offset {
            if let column = pattern.exactColumn {
                let prefix = pattern.value.utf8.prefix(offset)
                location.column = column + String(decoding: prefix, as: UTF8.self).unicodeScalars.count
            } else {
                where_ = " (at offset \(offset) in the pattern)"
            }
        }
        return Diagnostic(.error, code: PolicyCode.badRegex, "pattern does not compile: \(error.message)\(where_)", at: location)
    }

    /// Index of a detector id.
    public func detectorIndex(_ id: String) -> Int? { detectors.firstIndex { $0.id == id } }

    /// Starts a session for one task (one thread at a time).
    public func makeSession() -> PipelineSession { PipelineSession(self) }
}
