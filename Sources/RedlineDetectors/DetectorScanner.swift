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
    /// Scratch for partial matching (``openValueStart(_:)``), made on first use.
    var partialScratch: [MatchScratch?]?
    /// Candidates up to this many bytes that fail validation are searched again from their second
    /// character.
    static let retryWithin = 256

    /// Whether built-in kinds run PCRE2 only where their start rule allows (see ``StartRule``).
    public let usesPrefilter: Bool
    private let keywordTable: KeywordTable
    /// Storage reused from one text to the next (a record stream scans many short texts; one
    /// property, so that a scan moves it in and out with two exclusivity checks, not eight).
    private var buffers = Buffers()
    /// The start rules of the detectors that have one, in detector order (``Plan/startSlot``).
    private let startRules: [StartRule.Entry]
    /// ``StartRule/Masks`` of ``startRules``, built once.
    private let startMasks: StartRule.Masks
    /// What the scan loop needs of each detector, as plain values.
    private let plans: [Plan]
    /// Whether a card or NINO detector is present (they get the look-alike digit pass).
    private let hasLookalikeKinds: Bool
    /// The keyword-led kinds with a start rule (``KeywordLed/bit``s): their keywords are read once per cluster for all of them.
    private let keywordFamilies: UInt8

    private struct Buffers {
        var clusters: [DigitCluster] = []
        var candidates: [Refined] = []
        /// The start ranges of each start rule (``Plan/startSlot``), found in one pass over the clusters.
        var regionSets: [[ClosedRange<Int>]] = []
        /// The clusters with a look-alike digit beside them, listed by the one pass (``LookalikeDigits``).
        var lookalikeClusters: [Int] = []
    }

    private struct Plan {
        var isPattern: Bool
        /// The byte an anchored kind grows its candidates from (`@`); 0 for patterns.
        var anchor: UInt8
        /// Set when the prefilter is on and the kind has a start rule (see ``StartRule``): its
        /// index in ``startRules`` and ``regionSets``.
        var startSlot: Int?
        var hasKeywords: Bool
        var requiresContext: Bool
        var minConfidence: Confidence
        var countTestValues: Bool
        var window: Int
    }

    /// `prefilter: false` runs every pattern over the whole text: the straightforward path the
    /// tests compare the prefiltered one with.
    public init(_ detectors: [CompiledDetector], prefilter: Bool = true) {
        self.detectors = detectors
        self.scratch = detectors.map { $0.pattern.map(MatchScratch.init) }
        self.usesPrefilter = prefilter
        self.keywordTable = KeywordTable(detectors.map(\.keywords))
        self.hasLookalikeKinds = detectors.contains { LookalikeDigits.kinds.contains($0.kind.id) && $0.pattern != nil }
        var startRules: [StartRule.Entry] = []
        self.plans = detectors.map { detector in
            var isPattern = false
            var anchor: UInt8 = 0
            switch detector.kind.source {
            case .pattern: isPattern = true
            case let .anchor(byte, _): anchor = byte
            case .external: break
            }
            var startSlot: Int?
            if prefilter, let rule = detector.startRule {
                startSlot = startRules.count
                startRules.append(StartRule.Entry(minDigits: rule.minDigits, shape: rule.shape))
            }
            return Plan(isPattern: isPattern, anchor: anchor, startSlot: startSlot, hasKeywords: !detector.keywords.isEmpty,
                        requiresContext: detector.requiresContext, minConfidence: detector.minConfidence,
                        countTestValues: detector.countTestValues, window: detector.window)
        }
        self.startRules = startRules
        let keywordFamilies: UInt8 = detectors.reduce(0) { mask, detector in
            if prefilter, case let .keywordLed(family)? = detector.startRule?.shape { return mask | family.bit }
            return mask
        }
        self.keywordFamilies = keywordFamilies
        self.startMasks = StartRule.Masks(startRules, keywordFamilies: keywordFamilies)
    }

    /// When false, keyword context is looked up only where it changes the outcome (detectors that
    /// require context or a minimum confidence); other hits keep their base confidence. Reports that
    /// do not show confidence (text, redaction) turn it off: the keyword pass is a fifth of the scan.
    public var computesConfidence = true

    /// Scans `text` with every detector (one pass per detector, so each keeps PCRE2's start-character
    /// optimisation). Hits are returned sorted by start; a detector stopped by a limit is reported
    /// in `failures` and its partial hits are kept.
    public func scan(_ text: ScanText) -> (hits: [Hit], failures: [DetectorFailure]) {
        var hits: [Hit] = []
        var failures: [DetectorFailure] = []
        // The reusable buffers are swapped out of the object for the scan (no reference counting,
        // and the loop below makes no exclusivity checks on them): one checked access to the
        // property each way, then the fields are moved into locals (a captured struct would be
        // checked as a whole, and two of its fields are passed inout together).
        var buffers = Buffers()
        swap(&buffers, &self.buffers)
        var clusters: [DigitCluster] = []
        var candidates: [Refined] = []
        var regionSets: [[ClosedRange<Int>]] = []
        var lookalikeClusters: [Int] = []
        swap(&clusters, &buffers.clusters)
        swap(&candidates, &buffers.candidates)
        swap(&regionSets, &buffers.regionSets)
        swap(&lookalikeClusters, &buffers.lookalikeClusters)
        defer {
            swap(&clusters, &buffers.clusters)
            swap(&candidates, &buffers.candidates)
            swap(&regionSets, &buffers.regionSets)
            swap(&lookalikeClusters, &buffers.lookalikeClusters)
            swap(&buffers, &self.buffers)
        }
        let computesConfidence = self.computesConfidence
        text.bytes.withUnsafeBufferPointer { buffer in
            // Built on the first lookup: most texts of a record stream need none.
            var context: KeywordIndex?
            var clustersFound = false
            /// Turns the candidates of detector `index` into hits: test values, context, confidence.
            func accept(_ index: Int, _ plan: Plan) {
                if candidates.isEmpty { return }
                // Context decides only for detectors that require it or set a minimum confidence;
                // otherwise it only raises the reported confidence, which callers may not need.
                let looksUpContext = plan.hasKeywords && (computesConfidence || plan.requiresContext || plan.minConfidence > .low)
                for refined in candidates {
                    if refined.isTestValue && !plan.countTestValues { continue }
                    var confidence = refined.confidence
                    var hasContext = false
                    if looksUpContext || refined.needsContext {
                        if context == nil {
                            context = KeywordIndex(buffer, table: keywordTable)
                            context!.buildsEagerly = computesConfidence
                        }
                        hasContext = context!.hasKeyword(detector: index, around: refined.range, window: plan.window)
                    }
                    if hasContext {
                        confidence = confidence.raised
                    } else if refined.needsContext {
                        continue
                    } else if plan.requiresContext {
                        // Without its keyword only a candidate strong on its own counts, one level lower.
                        guard refined.standsAlone else { continue }
                        confidence = Confidence(rawValue: max(0, confidence.rawValue - 1)) ?? .low
                    }
                    if confidence < plan.minConfidence { continue }
                    hits.append(Hit(detector: index, range: refined.range, value: refined.value,
                                    isTestValue: refined.isTestValue, confidence: confidence, hasContext: hasContext))
                }
            }
            for index in plans.indices {
                let plan = plans[index]
                // Neither a pattern nor an anchor: found by the caller (exact_data).
                if !plan.isPattern && plan.anchor == 0 { continue }
                if !candidates.isEmpty { candidates.removeAll(keepingCapacity: true) }
                if plan.isPattern {
                    var regions: [ClosedRange<Int>] = []
                    var bounded = false
                    if let slot = plan.startSlot {
                        if !clustersFound {
                            DigitClusters.find(buffer, into: &clusters)
                            // Every rule's ranges at once: each cluster is read once, not once per rule.
                            StartRule.regions(of: startRules, clusters, keywordFamilies: keywordFamilies, buffer, into: &regionSets,
                                              lookalikes: &lookalikeClusters, findsLookalikes: hasLookalikeKinds, masks: startMasks)
                            clustersFound = true
                        }
                        // Nothing productive can start anywhere: no PCRE2 call at all.
                        if regionSets[slot].isEmpty { continue }
                        regions = regionSets[slot]
                        bounded = true
                    }
                    if let failure = runPattern(index, buffer, bounded: bounded, regions: regions, into: &candidates) {
                        failures.append(failure)
                    }
                } else {
                    let detector = detectors[index]
                    guard case let .anchor(byte, expand) = detector.kind.source, let base = buffer.baseAddress else { continue }
                    // No anchor byte (no `@`): nothing to expand.
                    if memchr(base, Int32(plan.anchor), buffer.count) != nil {
                        runAnchor(byte, expand, detector.kind.refine, buffer, into: &candidates)
                    }
                    // Addresses written out (`jane at example dot com`): a pass of their own.
                    if let extra = detector.kind.extraCandidates { extra(buffer, &candidates) }
                }
                accept(index, plan)
            }
            // Letters typed for digits (see ``LookalikeDigits``): cards and NINOs again, on a folded
            // copy, only around the folded letters and only when one touches a digit cluster.
            if hasLookalikeKinds {
                // The one pass listed the clusters that can fold; without it, all are looked at.
                let found: (bytes: [UInt8], folded: [Int])?
                if clustersFound {
                    found = LookalikeDigits.fold(buffer, clusters, at: lookalikeClusters)
                } else {
                    DigitClusters.find(buffer, into: &clusters)
                    found = LookalikeDigits.fold(buffer, clusters)
                }
                guard let (folded, positions) = found else { return }
                folded.withUnsafeBufferPointer { foldedBuffer in
                    // A card or NINO holding a folded letter starts at most 200 bytes before it.
                    var around: [ClosedRange<Int>] = []
                    for position in positions {
                        var low = max(0, position - 200)
                        while low > 0, foldedBuffer[low] & 0xC0 == 0x80 { low -= 1 }
                        if let last = around.last, low <= last.upperBound + 1 {
                            around[around.count - 1] = last.lowerBound...position
                        } else {
                            around.append(low...position)
                        }
                    }
                    for index in plans.indices where plans[index].isPattern && LookalikeDigits.kinds.contains(detectors[index].kind.id) {
                        candidates.removeAll(keepingCapacity: true)
                        if let failure = runPattern(index, foldedBuffer, bounded: true, regions: around, into: &candidates) {
                            failures.append(failure)
                        }
                        // Only detections that hold a folded letter: the others were found above.
                        candidates.removeAll { refined in
                            var low = 0, high = positions.count
                            while low < high {
                                let mid = (low + high) / 2
                                if positions[mid] < refined.range.lowerBound { low = mid + 1 } else { high = mid }
                            }
                            return !(low < positions.count && positions[low] < refined.range.upperBound)
                        }
                        accept(index, plans[index])
                    }
                }
            }
        }
        if hits.count > 1 {
            dropContained(&hits)
            hits.sort { ($0.range.lowerBound, $0.detector) < ($1.range.lowerBound, $1.detector) }
        }
        return (hits, failures)
    }

    /// Drops a hit that lies strictly inside a hit of another built-in kind: the digits of a card
    /// inside a printed IBAN, a phone-shaped run inside a card or bank details. The containing hit
    /// covers the same bytes, so redaction loses nothing. Custom `regex` hits never swallow others
    /// (a broad user pattern must not hide a card), and equal ranges are both kept (a phone number
    /// that is also an NHS number).
    /// The hits are compacted in place (moved, not copied: no reference counting per hit).
    func dropContained(_ hits: inout [Hit]) {
        guard hits.count > 1 else { return }
        let order = hits.indices.sorted { (hits[$0].range.lowerBound, -hits[$0].range.upperBound) < (hits[$1].range.lowerBound, -hits[$1].range.upperBound) }
        var keep = [Bool](repeating: true, count: hits.count)
        var dropped = false
        var container: Int?
        for index in order {
            let range = hits[index].range
            let kind = detectors[hits[index].detector].kind.id
            if let outer = container, hits[outer].range.upperBound >= range.upperBound,
               hits[outer].range != range, detectors[hits[outer].detector].kind.id != kind {
                keep[index] = false
                dropped = true
                continue
            }
            if kind != "regex",
               container.map({ hits[$0].range.upperBound < range.upperBound }) ?? true {
                container = index
            }
        }
        guard dropped else { return }
        var kept = 0
        for index in hits.indices where keep[index] {
            if index != kept { hits.swapAt(index, kept) }
            kept += 1
        }
        hits.removeLast(hits.count - kept)
    }

    /// One PCRE2 pass for detector `index`. When `bounded`, only matches starting inside
    /// `regions` are looked for (the start rule guarantees nothing productive starts elsewhere).
    private func runPattern(_ index: Int, _ buffer: UnsafeBufferPointer<UInt8>, bounded: Bool, regions: [ClosedRange<Int>],
                            into out: inout [Refined]) -> DetectorFailure? {
        guard let scratch = scratch[index] else { return nil }
        let detector = detectors[index]
        let refine = detector.kind.refine
        let limited = detector.startRule != nil
        var from = 0
        var region = 0
        while from <= buffer.count {
            var startLimit: Int?
            var searchFrom = from
            if bounded {
                while region < regions.count, regions[region].upperBound < from { region += 1 }
                guard region < regions.count else { return nil }
                searchFrom = max(from, regions[region].lowerBound)
                startLimit = regions[region].upperBound
            }
            let outcome = limited ? scratch.nextRange(in: buffer, from: searchFrom, startLimit: startLimit)
                                  : scratch.nextRange(in: buffer, from: searchFrom)
            switch outcome {
            case .success(nil):
                guard let startLimit else { return nil }
                // Nothing starts in this region: go on after it (on a character boundary).
                from = startLimit + 1
                while from < buffer.count, buffer[from] & 0xC0 == 0x80 { from += 1 }
            case let .success(range?):
                let refined = range.isEmpty ? [] : refine(buffer, range)
                // The furthest end among the detections, read in place (no array of ends per candidate).
                var end = Int.min
                for detection in refined where detection.range.upperBound > end { end = detection.range.upperBound }
                out.append(contentsOf: refined)
                // Resume after the last validated detection; when the candidate held none, resume
                // just after its start, so that a failed candidate (`AB12 IBAN DE89…`) cannot
                // swallow a real one that starts inside it.
                // Long candidates (a huge digit run, a greedy custom pattern) resume at their end, which
                // keeps the scan linear.
                if end > range.lowerBound {
                    from = end
                } else if range.count <= DetectorScanner.retryWithin {
                    from = nextScalar(buffer, after: range.lowerBound)
                } else if limited, let wrap = lastLineBreak(buffer, in: range) {
                    // A built-in run wraps at most once: its second line may begin a number that
                    // wraps onto the line after, so go on from there (each line is read at most twice).
                    from = wrap
                } else {
                    from = range.upperBound
                }
            case let .failure(error):
                return DetectorFailure(detector: detector.id, error: error)
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

    /// The offset after the last line break inside `range` (not at its very start), if any.
    private func lastLineBreak(_ buffer: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
        var index = range.upperBound
        while index > range.lowerBound + 1 {
            index -= 1
            if buffer[index] == 10 || buffer[index] == 13 { return index + 1 }
        }
        return nil
    }

        private func nextScalar(_ buffer: UnsafeBufferPointer<UInt8>, after offset: Int) -> Int {
        var next = offset + 1
        while next < buffer.count, buffer[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }
}
