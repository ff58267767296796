import RedlineCore
@testable import RedlineDetectors

/// A detection mapped back to the original text, for assertions. Tests may look at values; the
/// library never puts them into findings.
struct Detected: Equatable, CustomStringConvertible {
    var range: Range<Int>
    var value: String
    var isTestValue: Bool
    var confidence: Confidence

    var description: String { "\(range) \(value)\(isTestValue ? " (test)" : "")" }
}

enum Detect {
    /// Runs one built-in kind over `text` (context not required unless `requireContext`), returning
    /// detections with original byte ranges.
    static func run(_ kindID: String, _ text: String, requireContext: Bool? = false) throws -> [Detected] {
        try run(kindID, bytes: Array(text.utf8), requireContext: requireContext)
    }

    static func run(_ kindID: String, bytes: [UInt8], requireContext: Bool? = false) throws -> [Detected] {
        guard let kind = DetectorKind.builtin(kindID) else { throw TestError.unknownKind(kindID) }
        let detector = try CompiledDetector(id: kindID, kind: kind, requiresContext: requireContext)
        let text = ScanText(bytes)
        return DetectorScanner([detector]).scan(text).hits.map { hit in
            Detected(range: text.originalRange(hit.range), value: String(decoding: hit.value, as: UTF8.self),
                     isTestValue: hit.isTestValue, confidence: hit.confidence)
        }
    }

    /// The original text covered by a detection.
    static func slice(_ text: String, _ range: Range<Int>) -> String {
        String(decoding: Array(text.utf8)[range], as: UTF8.self)
    }

    /// The byte range of the first occurrence of `needle` in `text`.
    static func range(of needle: String, in text: String) -> Range<Int>? {
        let haystack = Array(text.utf8)
        let target = Array(needle.utf8)
        guard !target.isEmpty, target.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - target.count) where Array(haystack[start..<(start + target.count)]) == target {
            return start..<(start + target.count)
        }
        return nil
    }
}

enum TestError: Error { case unknownKind(String) }
