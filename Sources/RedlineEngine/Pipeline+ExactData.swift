import Foundation
import RedlineCore
import RedlineDetectors
import RedlineExactData
import RedlinePolicy

/// An `exact_data` detector of a compiled pipeline: its detector index and its matcher (which
/// holds the memory-mapped index).
struct ExactDataDetector: Sendable {
    let detector: Int
    let matcher: ExactDataMatcher
}

extension Pipeline {
    /// The fields only `exact_data` takes, and the ones it does not.
    static let exactDataOnly = ["index", "primary", "corroborate", "min_corroborating"]

    /// Kind-level validation of an `exact_data` spec (fields that do not apply), before anything is loaded.
    static func exactDataKind(for spec: DetectorSpec, diagnostics: inout [Diagnostic]) -> DetectorKind {
        let unsupported: [(String, Bool)] = [
            ("pattern", spec.pattern != nil), ("validator", spec.validator != nil), ("flags", !spec.flags.isEmpty),
            ("keywords", spec.keywords != nil), ("require_context", spec.requireContext != nil),
            ("allow_values", !spec.allowValues.isEmpty), ("allow_patterns", !spec.allowPatterns.isEmpty),
        ]
        for (field, present) in unsupported where present {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.notForKind, "'\(field)' does not apply to kind 'exact_data'", at: spec.id.location))
        }
        return .exactData(label: spec.label ?? "[CUSTOMER DATA]")
    }

    /// Fields of `exact_data` used on another kind.
    static func exactDataFields(in spec: DetectorSpec) -> [String] {
        [("index", spec.index != nil), ("primary", !spec.primary.isEmpty), ("corroborate", !spec.corroborate.isEmpty),
         ("min_corroborating", spec.minCorroborating != nil)].filter(\.1).map(\.0)
    }

    /// Loads the index of an `exact_data` detector and checks its columns. Every problem is a
    /// diagnostic at the line and column of the field it concerns (the index path, a column name).
    static func exactDataMatcher(_ spec: DetectorSpec, policyFile: String, key: [UInt8]?, keyIsPlaceholder: Bool, window: Int,
                                 diagnostics: inout [Diagnostic]) -> ExactDataMatcher? {
        let id = spec.id.value
        guard let indexPath = spec.index else {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.missingField,
                "exact_data detector '\(id)' needs an 'index' (a file built with 'redline edm build')", at: spec.id.location))
            return nil
        }
        guard !spec.primary.isEmpty else {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.missingField,
                "exact_data detector '\(id)' needs 'primary' (the columns whose values start a finding)", at: spec.id.location))
            return nil
        }
        guard let key, !keyIsPlaceholder else {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.missingKey,
                "detector '\(id)' reads an exact-data index, which needs the key it was built with: set REDLINE_KEY or pass --key-file", at: indexPath.location))
            return nil
        }
        let path = resolve(indexPath.value, relativeTo: policyFile)
        let keys = EDMKeys(key: key)
        let index: ExactDataIndex
        do {
            index = try ExactDataIndex(path: path, keys: keys)
        } catch {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.exactDataIndex, "index '\(indexPath.value)': \(error.message)", at: indexPath.location))
            return nil
        }
        let names = index.columns.map(\.name)
        var bad = false
        var seen = Set<String>()
        for name in spec.primary + spec.corroborate {
            if !names.contains(name.value) {
                let hint = Suggest.closest(name.value, in: names).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(Diagnostic(.error, code: PolicyCode.unknownColumn,
                    "the index has no column '\(name.value)'\(hint) (it has \(names.joined(separator: ", ")))", at: name.location))
                bad = true
            } else if !seen.insert(name.value).inserted {
                diagnostics.append(Diagnostic(.error, code: PolicyCode.duplicate, "column '\(name.value)' is listed twice", at: name.location))
                bad = true
            }
        }
        let minimum = spec.minCorroborating?.value ?? 1
        if let located = spec.minCorroborating, located.value > spec.corroborate.count + spec.primary.count - 1 {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.outOfRange,
                "min_corroborating is \(located.value) but only \(spec.corroborate.count + spec.primary.count - 1) other columns can corroborate", at: located.location))
            bad = true
        }
        if bad { return nil }
        let settings = MatchSettings(primary: spec.primary.map(\.value), corroborate: spec.corroborate.map(\.value), minCorroborating: minimum, window: window)
        do {
            return try ExactDataMatcher(index: index, keys: keys, settings: settings)
        } catch {
            diagnostics.append(Diagnostic(.error, code: PolicyCode.invalidValue, error.message, at: spec.id.location))
            return nil
        }
    }

    /// `path` relative to the directory of the policy file (as given); absolute paths unchanged.
    static func resolve(_ path: String, relativeTo policyFile: String) -> String {
        if path.hasPrefix("/") || policyFile.hasPrefix("<") { return path }
        let directory = (policyFile as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }

    /// The exact-data findings of `text` as hits: one per matched value, all of a row sharing the
    /// row's keyed fingerprint (hex) as their value, tagged with the column name.
    func exactDataHits(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [Hit]) {
        for detector in exactData {
            for match in detector.matcher.matches(in: text) {
                let fingerprint = Array(Hex.encode(withUnsafeBytes(of: match.rowFingerprint.littleEndian) { Array($0) }).utf8)
                for span in match.spans {
                    hits.append(Hit(detector: detector.detector, range: span.range, value: fingerprint, confidence: .high,
                                    tag: detector.matcher.index.columns[span.column].name))
                }
            }
        }
    }
}

extension Pipeline {
    /// For `policy explain`: what an `exact_data` detector looks for, in words (nil for other kinds).
    public func exactDataDescription(_ detectorIndex: Int) -> String? {
        guard let entry = exactData.first(where: { $0.detector == detectorIndex }) else { return nil }
        let settings = entry.matcher.settings
        let index = entry.matcher.index
        var text = "a value of \(settings.primary.joined(separator: ", ")) from index \(index.path) (\(index.rowCount) rows)"
        if settings.minCorroborating == 0 {
            text += ", on its own"
        } else {
            let others = settings.corroborate.isEmpty ? "another primary column" : settings.corroborate.joined(separator: ", ")
            text += " with at least \(settings.minCorroborating) other column(s) of the same row (\(others)) within \(settings.window) bytes"
        }
        return text + "; every matched value is redacted"
    }
}
