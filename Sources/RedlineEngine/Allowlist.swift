import RedlineCore
import RedlineDetectors
import RedlinePCRE2
import RedlinePolicy

/// Values and patterns that never count: the policy's `allowlist` plus each detector's
/// `allow_values` / `allow_patterns`. Values are compared in each detector's normalised form
/// (so `+44 20 7946 0000` allows `020 7946 0000`); patterns are searched in the matched text, and
/// for an e-mail address written out (`support at example dot co dot uk`) also in the address it
/// spells (`support@example.co.uk`), so `@example\.co\.uk$` keeps allowing the company's own mailboxes.
struct Allowlist: Sendable {
    /// Per detector index: normalised values.
    var values: [Int: Set<[UInt8]>] = [:]
    /// Per detector index: patterns.
    var patterns: [Int: [CompiledPattern]] = [:]
    /// Detector indices whose hit value is the address the matched text spells (`email`).
    var spellsAddress: Set<Int> = []
    /// Per detector index, whether ``values`` or ``patterns`` hold anything for it, and the
    /// lengths of its values (bit `n` for `n` bytes, bit 63 for 63 or more): most hits are of a
    /// detector with neither, or of a length no allowed value has, and need no hashing at all.
    private var checks: [(lengths: UInt64, hasPatterns: Bool)] = []

    init() {}

    init(policy: Policy, detectors: [CompiledDetector], limits: MatchLimits) throws {
        var diagnostics: [Diagnostic] = []
        func indices(_ names: [Located<String>]?) -> [Int] {
            guard let names else { return Array(detectors.indices) }
            return names.compactMap { name in detectors.firstIndex { $0.id == name.value } }
        }
        func compile(_ pattern: Located<String>) -> CompiledPattern? {
            do {
                return try CompiledPattern(pattern.value, limits: limits)
            } catch {
                diagnostics.append(Pipeline.regexDiagnostic(error, pattern))
            }
            return nil
        }
        func addValue(_ text: String, to index: Int) {
            values[index, default: []].insert(Allowlist.normalise(text, with: detectors[index]))
        }
        for entry in policy.allowlist {
            for index in indices(entry.detectors) {
                if let value = entry.value { addValue(value.value, to: index) }
            }
            if let pattern = entry.pattern, let compiled = compile(pattern) {
                for index in indices(entry.detectors) { patterns[index, default: []].append(compiled) }
            }
        }
        for spec in policy.detectors {
            guard let index = detectors.firstIndex(where: { $0.id == spec.id.value }) else { continue }
            for value in spec.allowValues { addValue(value.value, to: index) }
            for pattern in spec.allowPatterns { if let compiled = compile(pattern) { patterns[index, default: []].append(compiled) } }
        }
        if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
        spellsAddress = Set(detectors.indices.filter { detectors[$0].kind.id == DetectorKind.email.id })
        checks = detectors.indices.map { index in
            let lengths = values[index]?.reduce(UInt64(0)) { $0 | Allowlist.lengthBit($1.count) } ?? 0
            return (lengths, patterns[index] != nil)
        }
    }

    @inline(__always)
    static func lengthBit(_ count: Int) -> UInt64 { 1 << UInt64(min(count, 63)) }

    /// The detector's own normalised value for `text` when it detects it; else upper-case alphanumerics.
    static func normalise(_ text: String, with detector: CompiledDetector) -> [UInt8] {
        let scan = ScanText(Array(text.utf8))
        let relaxed = try? CompiledDetector(id: detector.id, kind: detector.kind, keywords: [], requiresContext: false)
        if let relaxed, let hit = DetectorScanner([relaxed]).scan(scan).hits.first {
            return hit.value
        }
        return scan.bytes.filter { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }
            .map { $0 >= 97 ? $0 - 32 : $0 }
    }

    func allows(detector: Int, value: [UInt8], matched: UnsafeBufferPointer<UInt8>, scratch: inout [ObjectIdentifier: MatchScratch]) -> Bool {
        guard detector >= 0, detector < checks.count else { return false }
        let check = checks[detector]
        // An upper-case form has the value's length: no allowed value of that length, no match.
        if check.lengths & Allowlist.lengthBit(value.count) != 0, let set = values[detector] {
            if set.contains(value) { return true }
            // Only a value with lower-case letters has a distinct upper-case form to try.
            if value.contains(where: { $0 >= 97 && $0 <= 122 }) {
                let upper = value.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
                if set.contains(upper) { return true }
            }
        }
        guard check.hasPatterns, let list = patterns[detector] else { return false }
        for pattern in list {
            let key = ObjectIdentifier(pattern)
            let matcher: MatchScratch
            if let known = scratch[key] {
                matcher = known
            } else {
                matcher = MatchScratch(pattern)
                scratch[key] = matcher
            }
            if case .match = matcher.firstMatch(in: matched, from: 0) { return true }
        }
        // A written-out address: the patterns again on the address it spells.
        guard spellsAddress.contains(detector), !value.isEmpty, !value.elementsEqual(matched.lazy.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
        else { return false }
        return value.withUnsafeBufferPointer { spelled in
            list.contains { pattern in
                guard let matcher = scratch[ObjectIdentifier(pattern)] else { return false }
                if case .match = matcher.firstMatch(in: spelled, from: 0) { return true }
                return false
            }
        }
    }
}
