import RedlineCore
import RedlinePCRE2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a set of compiled detectors over texts. Holds per-thread PCRE2 scratch space, so create
/// one per task; the detectors themselves are shared.
public final class DetectorScanner {
    public let detectors: [CompiledDetector]
    private let scratch: [MatchScratch?]
    /// Candidates up to this many bytes that fail validation are searched again from their second
    /// character.
    static let retryWithin = 256

    public init(_ detectors: [CompiledDetector]) {
        self.detectors = detectors
        self.scratch = detectors.map { $0.pattern.map(MatchScratch.init) }
    }

    /// Scans `text` with every detector (one pass per detector, so each keeps PCRE2's start-character
    /// optimisation). Hits are returned sorted by start; a detector stopped by a limit is reported
    /// in `failures` and its partial hits are kept.
    public func scan(_ text: ScanText) -> (hits: [Hit], failures: [DetectorFailure]) {
        var hits: [Hit] = []
        var failures: [DetectorFailure] = []
        text.bytes.withUnsafeBufferPointer { buffer in
            var context = KeywordIndex(buffer)
            for (index, detector) in detectors.enumerated() {
                var candidates: [Refined] = []
                switch detector.kind.source {
                case .pattern:
                    if let failure = runPattern(index, buffer, into: &candidates) { failures.append(failure) }
                case let .anchor(byte, expand):
                    runAnchor(byte, expand, detector.kind.refine, buffer, into: &candidates)
                }
                for refined in candidates {
                    if refined.isTestValue && !detector.countTestValues { continue }
                    var confidence = refined.confidence
                    let hasContext = !detector.keywords.isEmpty
                        && context.hasKeyword(detector.keywords, around: refined.range, window: detector.window)
                    if hasContext { confidence = confidence.raised }
                    if detector.requiresContext && !hasContext { continue }
                    if confidence < detector.minConfidence { continue }
                    hits.append(Hit(detector: index, range: refined.range, value: refined.value,
                                    isTestValue: refined.isTestValue, confidence: confidence, hasContext: hasContext))
                }
            }
        }
        hits = dropContained(hits)
        hits.sort { ($0.range.lowerBound, $0.detector) < ($1.range.lowerBound, $1.detector) }
        return (hits, failures)
    }

    /// Drops a hit that lies strictly inside a hit of another built-in kind: the digits of a card
    /// inside a printed IBAN, a phone-shaped run inside a card or bank details. The containing hit
    /// covers the same bytes, so redaction loses nothing. Custom `regex` hits never swallow others
    /// (a broad user pattern must not hide a card), and equal ranges are both kept (a phone number
    /// that is also an NHS number).
    func dropContained(_ hits: [Hit]) -> [Hit] {
        guard hits.count > 1 else { return hits }
        let order = hits.indices.sorted { (hits[$0].range.lowerBound, -hits[$0].range.upperBound) < (hits[$1].range.lowerBound, -hits[$1].range.upperBound) }
        var keep = [Bool](repeating: true, count: hits.count)
        var container: Int?
        for index in order {
            let hit = hits[index]
            if let outer = container, hits[outer].range.upperBound >= hit.range.upperBound,
               hits[outer].range != hit.range, detectors[hits[outer].detector].kind.id != detectors[hit.detector].kind.id {
                keep[index] = false
                continue
            }
            if detectors[hit.detector].kind.id != "regex",
               container.map({ hits[$0].range.upperBound < hit.range.upperBound }) ?? true {
                container = index
            }
        }
        return hits.indices.filter { keep[$0] }.map { hits[$0] }
    }

    private func runPattern(_ index: Int, _ buffer: UnsafeBufferPointer<UInt8>, into out: inout [Refined]) -> DetectorFailure? {
        guard let scratch = scratch[index] else { return nil }
        let refine = detectors[index].kind.refine
        var from = 0
        while from <= buffer.count {
            switch scratch.nextRange(in: buffer, from: from) {
            case .success(nil):
                return nil
            case let .success(range?):
                let refined = range.isEmpty ? [] : refine(buffer, range)
                out.append(contentsOf: refined)
                // Resume after the last validated detection; when the candidate held none, resume
                // just after its start, so that a failed candidate (`AB12 IBAN DE89…`) cannot
                // swallow a real one that starts inside it.
                // Long candidates (a huge digit run, a greedy custom pattern) resume at their end, which
                // keeps the scan linear.
                if let end = refined.map(\.range.upperBound).max(), end > range.lowerBound {
                    from = end
                } else if range.count <= DetectorScanner.retryWithin {
                    from = nextScalar(buffer, after: range.lowerBound)
                } else {
                    from = range.upperBound
                }
            case let .failure(error):
                return DetectorFailure(detector: detectors[index].id, error: error)
            }
        }
        return nil
    }

    private func runAnchor(_ byte: UInt8, _ expand: (UnsafeBufferPointer<UInt8>, Int) -> Range<Int>?, _ refine: Refiner,
                           _ buffer: UnsafeBufferPointer<UInt8>, into out: inout [Refined]) {
        guard let base = buffer.baseAddress else { return }
        var from = 0
        var lastEnd = 0
        while from < buffer.count {
            guard let found = memchr(base + from, Int32(byte), buffer.count - from) else { return }
            let at = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            if let range = expand(buffer, at), range.lowerBound >= lastEnd {
                var refined = refine(buffer, range)
                for index in refined.indices where refined[index].value.isEmpty {
                    refined[index].value = buffer[range].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
                }
                out.append(contentsOf: refined)
                lastEnd = range.upperBound
            }
            from = at + 1
        }
    }

    private func nextScalar(_ buffer: UnsafeBufferPointer<UInt8>, after offset: Int) -> Int {
        var next = offset + 1
        while next < buffer.count, buffer[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }
}

/// Case-insensitive keyword positions in one text, computed lazily per keyword.
struct KeywordIndex {
    let buffer: UnsafeBufferPointer<UInt8>
    private var lowered: [UInt8]?
    private var positions: [[UInt8]: [Int]] = [:]

    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    mutating func hasKeyword(_ keywords: [[UInt8]], around range: Range<Int>, window: Int) -> Bool {
        let low = stepBack(range.lowerBound, scalars: window)
        let high = stepForward(range.upperBound, scalars: window)
        for keyword in keywords {
            let found = occurrences(of: keyword)
            // First occurrence starting at or after `low - keyword.count + 1` (may overlap the window start).
            var lo = 0
            var hi = found.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if found[mid] < low { lo = mid + 1 } else { hi = mid }
            }
            if lo < found.count, found[lo] + keyword.count <= high { return true }
        }
        return false
    }

    private mutating func occurrences(of keyword: [UInt8]) -> [Int] {
        if let cached = positions[keyword] { return cached }
        if lowered == nil {
            lowered = buffer.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        }
        var result: [Int] = []
        lowered!.withUnsafeBufferPointer { text in
            keyword.withUnsafeBufferPointer { needle in
                guard let base = text.baseAddress, let needleBase = needle.baseAddress, needle.count > 0 else { return }
                var from = 0
                while from + needle.count <= text.count {
                    guard let hit = memchr(base + from, Int32(needle[0]), text.count - from - needle.count + 1) else { break }
                    let at = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
                    if memcmp(base + at, needleBase, needle.count) != 0 {
                        from = at + 1
                        continue
                    }
                    let before = at > 0 ? text[at - 1] : 32
                    let after = at + needle.count < text.count ? text[at + needle.count] : 32
                    let startsWord = !UKFormats.isAlnum(needle[0]) || !UKFormats.isLetter(before)
                    let endsWord = !UKFormats.isAlnum(needle[needle.count - 1]) || !UKFormats.isLetter(after)
                    if startsWord && endsWord { result.append(at) }
                    from = at + 1
                }
            }
        }
        positions[keyword] = result
        return result
    }

    private func stepBack(_ offset: Int, scalars: Int) -> Int {
        var position = offset
        var remaining = scalars
        while position > 0 && remaining > 0 {
            position -= 1
            if buffer[position] & 0xC0 != 0x80 { remaining -= 1 }
        }
        return position
    }

    private func stepForward(_ offset: Int, scalars: Int) -> Int {
        var position = offset
        var remaining = scalars
        while position < buffer.count && remaining > 0 {
            position += 1
            while position < buffer.count, buffer[position] & 0xC0 == 0x80 { position += 1 }
            remaining -= 1
        }
        return position
    }
}
