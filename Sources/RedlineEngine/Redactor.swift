import RedlineCore
import RedlineDetectors
import RedlinePolicy

extension Pipeline {
    /// Rewrites `original` with the given findings redacted (offsets relative to `original`,
    /// shifted by `base`). Overlapping or adjacent findings are merged into one replacement, so the
    /// output is never corrupted; line breaks inside a redacted span are kept, so a text keeps its
    /// line count. Bytes outside the findings are copied unchanged: with no findings the result is
    /// byte-identical.
    public func redact(_ original: [UInt8], findings: [Finding], base: Int = 0) -> [UInt8] {
        if findings.isEmpty { return original }
        var out: [UInt8] = []
        out.reserveCapacity(original.count)
        redact(original[...], findings: findings, base: base) { out.append(contentsOf: $0) }
        return out
    }

    /// ``redact(_:findings:base:)`` as a sequence of pieces handed to `emit` in order (unchanged
    /// runs of `original` and replacements), so a streaming caller writes them out without
    /// building the redacted text. Offsets are relative to `original.startIndex`, shifted by `base`.
    public func redact(_ original: ArraySlice<UInt8>, findings: [Finding], base: Int = 0,
                       emit: (ArraySlice<UInt8>) throws -> Void) rethrows {
        let start = original.startIndex
        guard !findings.isEmpty else {
            try emit(original)
            return
        }
        let sorted = findings.sorted { ($0.start, $1.end) < ($1.start, $0.end) }
        var groups: [(range: Range<Int>, members: [Finding])] = []
        for finding in sorted {
            let range = (finding.start - base)..<(finding.end - base)
            if var last = groups.last, range.lowerBound <= last.range.upperBound {
                last.range = last.range.lowerBound..<max(last.range.upperBound, range.upperBound)
                last.members.append(finding)
                groups[groups.count - 1] = last
            } else {
                groups.append((range, [finding]))
            }
        }
        var cursor = 0
        for group in groups {
            let range = max(group.range.lowerBound, cursor)..<min(group.range.upperBound, original.count)
            guard !range.isEmpty else { continue }
            if range.lowerBound > cursor { try emit(original[(start + cursor)..<(start + range.lowerBound)]) }
            try emit(replacement(for: group.members, original: original, range: (start + range.lowerBound)..<(start + range.upperBound))[...])
            cursor = range.upperBound
        }
        if cursor < original.count { try emit(original[(start + cursor)...]) }
    }

    /// The replacement for one merged group: the style of its strictest (then longest) member.
    func replacement(for members: [Finding], original: ArraySlice<UInt8>, range: Range<Int>) -> [UInt8] {
        let lead = members.max { a, b in (a.action, a.end - a.start) < (b.action, b.end - b.start) }!
        guard let index = detectorIndex(lead.detector) else { return Array(repeating: 42, count: range.count) }
        let plan = redaction[index]
        let newlines = original[range].filter { $0 == 10 }
        switch plan.style {
        case .mask:
            let keep = members.count == 1 ? plan.keepLastDigits : 0
            return Pipeline.mask(original[range], keepLastDigits: keep)
        case .label:
            return Array(plan.label.utf8) + newlines
        case .hash:
            let hash = lead.valueHash.isEmpty ? "" : ":" + lead.valueHash.prefix(12)
            return Array("[\(lead.detector.uppercased())\(hash)]".utf8) + newlines
        case .remove:
            return newlines
        }
    }

    /// Masks letters and digits (any script, full-width included) with `*`, keeping separators,
    /// line breaks and the last `keepLastDigits` digits; drops zero-width characters.
    static func mask(_ bytes: ArraySlice<UInt8>, keepLastDigits: Int) -> [UInt8] {
        // ASCII (nearly every match): digits and letters by byte, nothing to decode.
        if bytes.allSatisfy({ $0 < 0x80 }) {
            let digitCount = bytes.reduce(0) { $0 + ($1 &- 48 < 10 ? 1 : 0) }
            var digitsSeen = 0
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            for byte in bytes {
                if byte &- 48 < 10 {
                    digitsSeen += 1
                    out.append(digitCount - digitsSeen < keepLastDigits ? byte : 42)
                } else if (byte | 0x20) &- 97 < 26 {
                    out.append(42)
                } else {
                    out.append(byte)
                }
            }
            return out
        }
        let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars
        let digitCount = scalars.filter { $0.properties.numericType == .decimal }.count
        var digitsSeen = 0
        var out: [UInt8] = []
        for scalar in scalars {
            if scalar.properties.numericType == .decimal {
                digitsSeen += 1
                if digitCount - digitsSeen < keepLastDigits {
                    out.append(contentsOf: Array(String(scalar).utf8))
                } else {
                    out.append(42)
                }
            } else if scalar.properties.isAlphabetic {
                out.append(42)
            } else if Pipeline.invisible.contains(scalar) {
                continue
            } else {
                out.append(contentsOf: Array(String(scalar).utf8))
            }
        }
        return out
    }

    /// Zero-width characters and the soft hyphen: dropped from masks.
    static let invisible: Set<Unicode.Scalar> = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}"]
}

extension Pipeline {
    /// The redaction style of a detector in words.
    public func redactionDescription(_ index: Int) -> String {
        let plan = redaction[index]
        switch plan.style {
        case .mask: return plan.keepLastDigits > 0 ? "a mask keeping the last \(plan.keepLastDigits) digits" : "a mask"
        case .label: return "the label \(plan.label)"
        case .hash: return "a keyed hash"
        case .remove: return "nothing (removed)"
        }
    }
}
