/// All start rules in one pass over the digit clusters. One walk per rule read the long clusters,
/// and the text around each, once per rule (eight rules need six digits or more): on a 1 MiB
/// window that is some 50,000 scattered reads per rule, most of them cache misses. Here each
/// cluster is read once, its keyword forms are read once for the three keyword-led kinds, and
/// every rule that can use it adds its ranges there.
extension StartRule {
    /// What the one pass needs of a rule.
    struct Entry: Sendable {
        var minDigits: Int
        var shape: Shape
    }

    /// Which rules a cluster can concern, as bits of the rules (at most 64): by its digit count (up
    /// to ``digitsCap``, where every minimum is met), then those asking for a letter before it
    /// (IBAN, postcode) or for the keyword-led list (``Subsets/keywordLed``), and the rest. They
    /// depend only on the rules, so a scanner builds them once.
    struct Masks: Sendable {
        static var digitsCap: Int { 20 }
        var byDigits = [UInt64](repeating: 0, count: digitsCap + 1)
        var lettered: UInt64 = 0
        var keywordLed: UInt64 = 0
        var plain: UInt64 = 0

        init(_ rules: [Entry], keywordFamilies: UInt8) {
            for (slot, rule) in rules.prefix(64).enumerated() {
                let bit = UInt64(1) << UInt64(slot)
                // A minimum over the cap still has the capped class (more starts cost time, none is lost).
                for digits in min(rule.minDigits, Masks.digitsCap)...Masks.digitsCap { byDigits[digits] |= bit }
                switch rule.shape {
                case .ibanLead, .postcodeLead: lettered |= bit
                case let .keywordLed(family) where keywordFamilies & family.bit != 0: keywordLed |= bit
                default: plain |= bit
                }
            }
        }
    }

    /// The start ranges of each rule of `rules`, into `outs[i]` for `rules[i]`: for every rule the
    /// same ranges as ``regions(minDigits:shape:_:subsets:_:into:)`` with ``Subsets`` built for
    /// `keywordFamilies` (the ``KeywordLed/bit``s of the keyword-led kinds among `rules`). A rule
    /// visits the clusters its list there would hold, in the same order: those with enough digits,
    /// and only letter-led ones (IBAN, postcode) or keyword-led ones (``Subsets/keywordLed``).
    /// With `lookalikes`, also lists there, in order, the clusters with a look-alike digit beside
    /// them (``LookalikeDigits/hasLookalikeBeside(_:_:)``), while their bytes are at hand.
    /// `masks`, when given, must be ``Masks/init(_:keywordFamilies:)`` of the same `rules` and
    /// `keywordFamilies`: a scanner builds them once instead of once per text.
    static func regions(of rules: [Entry], _ clusters: [DigitCluster], keywordFamilies: UInt8, _ text: UnsafeBufferPointer<UInt8>,
                        into outs: inout [[ClosedRange<Int>]], lookalikes: inout [Int], findsLookalikes: Bool = false,
                        masks given: Masks? = nil) {
        if !lookalikes.isEmpty { lookalikes.removeAll(keepingCapacity: true) }
        if outs.count != rules.count { outs = [[ClosedRange<Int>]](repeating: [], count: rules.count) }
        for slot in outs.indices where !outs[slot].isEmpty { outs[slot].removeAll(keepingCapacity: true) }
        guard rules.count <= 64 else {
            if findsLookalikes {
                for index in clusters.indices where LookalikeDigits.hasLookalikeBeside(text, clusters[index]) { lookalikes.append(index) }
            }
            // More rules than a mask holds (a policy naming many detectors of the same kinds): one walk each.
            var subsets = Subsets()
            subsets.build(clusters, text, keywordFamilies: keywordFamilies)
            for slot in rules.indices {
                regions(minDigits: rules[slot].minDigits, shape: rules[slot].shape, clusters, subsets: subsets, text, into: &outs[slot])
            }
            return
        }
        let masks = given ?? Masks(rules, keywordFamilies: keywordFamilies)
        let digitsCap = Masks.digitsCap
        let byDigits = masks.byDigits
        let lettered = masks.lettered
        let keywordLed = masks.keywordLed
        let plain = masks.plain
        let birth = keywordFamilies & KeywordLed.birth.bit != 0
        clusters.withUnsafeBufferPointer { clusters in
            outs.withUnsafeMutableBufferPointer { outs in
                for index in clusters.indices {
                    let cluster = clusters[index]
                    if findsLookalikes, LookalikeDigits.hasLookalikeBeside(text, cluster) { lookalikes.append(index) }
                    var wanted = byDigits[min(cluster.digits, digitsCap)]
                    if wanted == 0 { continue }
                    // ``Subsets/build(_:_:keywordFamilies:)``, for this cluster.
                    var forms: UInt8 = 0
                    var allowed = plain
                    if wanted & keywordLed != 0 {
                        forms = KeywordLed.keywordForms(text, cluster.first, families: keywordFamilies)
                        if forms != 0 || cluster.digits >= 12 || (birth && KeywordLed.birth.keywordFollows(text, cluster.last)) { allowed |= keywordLed }
                    }
                    if wanted & lettered != 0, hasLetterLead(cluster.first, text) { allowed |= lettered }
                    wanted &= allowed
                    while wanted != 0 {
                        let slot = wanted.trailingZeroBitCount
                        wanted &= wanted - 1
                        let shape = rules[slot].shape
                        addStarts(shape, cluster: index, clusters, forms: keywordLed >> UInt64(slot) & 1 != 0 ? forms : nil, text, into: &outs[slot])
                    }
                }
            }
        }
    }
}
