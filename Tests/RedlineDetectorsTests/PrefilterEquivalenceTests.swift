import Testing
import RedlineCore
@testable import RedlineDetectors

/// The prefiltered scan (digit clusters, then PCRE2 only where a start rule allows a productive
/// match) must find exactly what the straightforward scan (every pattern over the whole text)
/// finds, with the same context keywords. Texts come from a seeded generator that crowds PII,
/// look-alikes, separators, line breaks and Unicode evasion together.
@Suite("Prefilter equivalence")
struct PrefilterEquivalenceTests {
    static let detectors: [CompiledDetector] = DetectorKind.builtins.map { kind in
        try! CompiledDetector(id: kind.id, kind: kind, requiresContext: false)
    }

    @Test("every built-in pattern kind has a start rule derived from its current pattern")
    func rulesMatchPatterns() {
        for kind in DetectorKind.builtins {
            guard case let .pattern(source, options) = kind.source else { continue }
            let rule = StartRule.all.first { $0.kindID == kind.id }
            let actual = StartRule.fingerprint(source, options)
            #expect(rule != nil, "no start rule for \(kind.id)")
            #expect(rule?.fingerprint == actual,
                    "the pattern of \(kind.id) changed: re-derive its rule in StartFilter.swift, then set its fingerprint to 0x\(String(actual, radix: 16, uppercase: true))")
        }
    }

    @Test("prefiltered and straightforward scans find the same hits on a generated corpus", arguments: 0..<24)
    func sameHits(seed: Int) {
        var generator = CorpusGenerator(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let bytes = generator.text(length: 24_000)
        assertSame(bytes)
    }

    @Test("detector examples scan the same both ways")
    func examplesSame() {
        for kind in DetectorKind.builtins {
            for example in kind.matchExamples + kind.noMatchExamples { assertSame(Array(example.utf8)) }
        }
    }

    @Test("the shared keyword reading of the keyword-led kinds agrees with each kind's own", arguments: 0..<8)
    func sharedKeywordReading(seed: Int) {
        var generator = CorpusGenerator(seed: UInt64(seed) &* 0xD1B5_4A32_D192_ED03 &+ 7)
        let text = ScanText(generator.text(length: 24_000))
        var positives = 0
        text.bytes.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where StartRule.isDigit(buffer[index]) {
                var each: UInt8 = 0
                for family in KeywordLed.all where family.valueStarts(buffer, index) && family.keywordBefore(buffer, index) { each |= family.bit }
                if each != 0 { positives += 1 }
                #expect(KeywordLed.keywordForms(buffer, index, families: 7) == each, "at \(index)")
                for family in KeywordLed.all {
                    #expect(KeywordLed.keywordForms(buffer, index, families: family.bit) == each & family.bit, "\(family) at \(index)")
                }
            }
        }
        #expect(positives > 0)
    }

    @Test("the per-text cluster lists give every cluster the keyword forms its own reading gives", arguments: 0..<8)
    func clusterListsAgree(seed: Int) {
        var generator = CorpusGenerator(seed: UInt64(seed) &* 0xA076_1D64_78BD_642F &+ 3)
        var bytes = generator.text(length: 24_000)
        // The longest readings the kinds allow: every item a filler word of the longest kind.
        for line in ["card verification number is the number on the back reverse digits its code of 123\n",
                     "expiration date: date on the card of the card at 12/27\n",
                     "date of birth recorded on file confirmed as given for his records: September. 12th, 1985\n",
                     "Security code: it's 4321, exp. 01/29 and D. O. B. 01.02.1990\n"] {
            bytes += Array(line.utf8)
        }
        let text = ScanText(bytes)
        var positives = 0
        text.bytes.withUnsafeBufferPointer { buffer in
            var clusters: [DigitCluster] = []
            DigitClusters.find(buffer, into: &clusters)
            var subsets = StartRule.Subsets()
            subsets.build(clusters, buffer, keywordFamilies: 7)
            #expect(subsets.keywordForms.count == clusters.count)
            for (index, cluster) in clusters.enumerated() {
                let direct = KeywordLed.keywordForms(buffer, cluster.first, families: 7)
                if direct != 0 { positives += 1 }
                #expect(subsets.keywordForms[index] == direct, "cluster at \(cluster.first)")
            }
        }
        #expect(positives > 0)
    }

    @Test("one pass over the clusters gives every start rule the ranges its own walk gives", arguments: 0..<8)
    func onePassAgreesWithWalks(seed: Int) {
        var generator = CorpusGenerator(seed: UInt64(seed) &* 0x2545_F491_4F6C_DD1D &+ 11)
        // The generator writes no look-alike letters in numbers and no long separator runs: a
        // fixed head has both (`JG1O3755A`, `4111 l111 1111 1lll`, a NINO with a tab and double
        // spaces between its pairs), so the fold and the separator lengths are compared too.
        let head = "NI JG1O3755A. Card 4111 l111 1111 1lll exp O4/29. NI JG 10  37\t55 A, nino AB 12 34 56 C. Acct 2O-OO-OO 1234567O. "
        let text = ScanText(Array(head.utf8) + generator.text(length: 24_000))
        let every = StartRule.all.map { StartRule.Entry(minDigits: $0.minDigits, shape: $0.shape) }
        // All rules, as the default policy has them; and a few, with one keyword-led kind only.
        let few = every.filter {
            switch $0.shape {
            case .ibanLead, .passportRun, .keywordLed(.expiry): true
            default: false
            }
        }
        text.bytes.withUnsafeBufferPointer { buffer in
            var clusters: [DigitCluster] = []
            DigitClusters.find(buffer, into: &clusters)
            for rules in [every, few] {
                var families: UInt8 = 0
                for rule in rules { if case let .keywordLed(family) = rule.shape { families |= family.bit } }
                var subsets = StartRule.Subsets()
                subsets.build(clusters, buffer, keywordFamilies: families)
                var outs: [[ClosedRange<Int>]] = []
                var lookalikes: [Int] = []
                StartRule.regions(of: rules, clusters, keywordFamilies: families, buffer, into: &outs, lookalikes: &lookalikes, findsLookalikes: true)
                #expect(outs.count == rules.count)
                #expect(lookalikes == clusters.indices.filter { LookalikeDigits.hasLookalikeBeside(buffer, clusters[$0]) })
                // Folding only the listed clusters folds what folding all of them folds.
                let listed = LookalikeDigits.fold(buffer, clusters, at: lookalikes)
                let all = LookalikeDigits.fold(buffer, clusters)
                #expect(all != nil, "the head's look-alikes are folded")
                #expect(listed?.bytes == all?.bytes && listed?.folded == all?.folded)
                var nonEmpty = 0
                for (slot, rule) in rules.enumerated() {
                    var own: [ClosedRange<Int>] = []
                    StartRule.regions(minDigits: rule.minDigits, shape: rule.shape, clusters, subsets: subsets, buffer, into: &own)
                    #expect(outs[slot] == own, "rule \(slot): \(rule.shape)")
                    if !own.isEmpty { nonEmpty += 1 }
                }
                #expect(nonEmpty > 0)
            }
        }
    }

    @Test("the word before a keyword's end is its letters, or the letters before a '.' or '2' suffix")
    func wordBeforeReadsLettersAndSuffix() {
        func read(_ text: String) -> String? {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { buffer in
                KeywordLed.wordBefore(buffer, buffer.count).map { word in
                    String(decoding: buffer[word.start..<word.end], as: UTF8.self) + (word.suffix == 0 ? "" : "+\(UnicodeScalar(word.suffix))")
                }
            }
        }
        #expect(read("card DOB") == "DOB")
        #expect(read("use exp.") == "exp+.")
        #expect(read("the cvv2") == "cvv+2")
        #expect(read("d.o.b.") == "b+.")
        #expect(read("no 12") == nil)
        #expect(read("x .") == nil)
    }

    func assertSame(_ bytes: [UInt8]) {
        let text = ScanText(bytes)
        let fast = DetectorScanner(Self.detectors).scan(text)
        let plain = DetectorScanner(Self.detectors, prefilter: false).scan(text)
        let describe: (Hit) -> String = { hit in
            "\(Self.detectors[hit.detector].id) \(hit.range) \(String(decoding: hit.value, as: UTF8.self)) \(hit.confidence) \(hit.isTestValue) \(hit.hasContext)"
        }
        #expect(fast.hits.map(describe) == plain.hits.map(describe))
        #expect(fast.failures == plain.failures)
        // Context keywords, against a direct search of each keyword around each hit.
        text.bytes.withUnsafeBufferPointer { buffer in
            for hit in fast.hits {
                let detector = Self.detectors[hit.detector]
                let expected = Self.naiveContext(buffer, keywords: detector.keywords, around: hit.range, window: detector.window)
                #expect(hit.hasContext == expected, "context of \(describe(hit))")
            }
        }
        #expect(fast.hits.count == plain.hits.count)
        // Without confidence wanted, context is looked up per window only where it decides
        // (requires_context / min_confidence): the same hits, and the same context for those.
        let lazy = DetectorScanner(Self.detectors)
        lazy.computesConfidence = false
        let windowed = lazy.scan(text)
        #expect(windowed.hits.map { "\($0.detector) \($0.range)" } == fast.hits.map { "\($0.detector) \($0.range)" })
        for (a, b) in zip(windowed.hits, fast.hits) where Self.detectors[a.detector].requiresContext {
            #expect(a.hasContext == b.hasContext)
        }
    }

    /// The keyword rule spelled out: an ASCII-case-insensitive occurrence inside the window of
    /// `window` characters on each side, not glued to a letter where the keyword starts or ends
    /// with a letter or digit.
    static func naiveContext(_ text: UnsafeBufferPointer<UInt8>, keywords: [[UInt8]], around range: Range<Int>, window: Int) -> Bool {
        var low = range.lowerBound
        var steps = 0
        while low > 0 && steps < window {
            low -= 1
            if text[low] & 0xC0 != 0x80 { steps += 1 }
        }
        var high = range.upperBound
        steps = 0
        while high < text.count && steps < window {
            high += 1
            while high < text.count, text[high] & 0xC0 == 0x80 { high += 1 }
            steps += 1
        }
        func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
        for keyword in keywords where !keyword.isEmpty {
            var start = low
            while start + keyword.count <= high {
                if (0..<keyword.count).allSatisfy({ lower(text[start + $0]) == keyword[$0] }) {
                    let before: UInt8 = start > 0 ? text[start - 1] : 32
                    let after: UInt8 = start + keyword.count < text.count ? text[start + keyword.count] : 32
                    let startsWord = !UKFormats.isAlnum(keyword[0]) || !UKFormats.isLetter(before)
                    let endsWord = !UKFormats.isAlnum(keyword[keyword.count - 1]) || !UKFormats.isLetter(after)
                    if startsWord && endsWord { return true }
                }
                start += 1
            }
        }
        return false
    }
}

/// Seeded text generator: words, PII in every written form the detectors accept, look-alikes, and
/// the separators and Unicode characters that sit at the prefilter's edges.
struct CorpusGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(int(10))) }) }

    static let words = ["the", "card", "number", "is", "call", "me", "on", "postcode", "NI", "nino", "IBAN", "sort code",
                        "account", "NHS", "patient", "order", "ref", "tracking", "Zoë", "Siân", "£25.00", "€10",
                        "address", "tel", "mobile", "bank", "visa", "expiry", "GIR", "road", "flat", "phone",
                        "national insurance", "transfer", "e-mail", "at", "x", "AB", "ſW", "\u{212A}A", "😀", "café",
                        "DOB", "d.o.b.", "D O B", "date of birth", "born on", "birthday", "CVV", "cvv2", "security code", "ſecurity code",
                        "exp", "Exp.", "expires", "valid thru", "VAT", "GB", "GD", "HA", "UTR", "HMRC", "passport", "licence",
                        "March", "12th", "of", "on the back"]
    static let separators = [" ", " ", " ", "-", ".", "", "\n", "\r\n", " \n", "(", ")", "  ", "\u{00A0}", "\u{200B}",
                             "\u{2013}", "/", ":", ",", "+", "x"]
    static let fixed = ["4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "3782 822463 10005",
                        "4111.1111.1111.1111", "4111 1111\n1111 1111", "４１１１ １１１１ １１１１ １１１１",
                        "943 476 5919", "9434765919", "401-023-2137", "07700 900123", "+44 20 7946 0123",
                        "+44 (0)20 7946 0123", "0044 7700 900123", "(020) 7946 0123", "0161-496-0000",
                        "AB 12 34 56 C", "ab123456c", "JG-10-37-55-A", "AB 12 34\n56 C", "GB82 WEST 1234 5698 7654 32",
                        "gb82west12345698765432", "DE89 3704 0044 0532 0130 00", "NL91ABNA0417164300",
                        "SW1A 2AA", "M1 1AE", "b338th", "EC1A 1BB", "GIR 0AA", "gir0aa", "W1A 0AX", "DN55 1PT",
                        "sort code 20-00-00 account 12345678", "12345678 sort code 30-90-89",
                        "Sort code: 40 47 84, acc no 70872490", "[14:02]", "12:30", "2024-01-15", "07/04/2025",
                        "H555640", "ſW1A 2AA", "\u{212A}\u{212A}1 2AB", "ᠠ", "ſort code 20-00-00 acc no 12345678",
                        "20 00 00 12345678", "12345678, 30-90-89", "a/c 12345678 s/c 20-00-00", "20-00-00\n\t12345678",
                        "(+44 20 7946 0123", "+447700900123", "(0161) 496 0000", "0044 (0)7700 900123",
                        "W1\u{212A} 0AX", "SW1A\u{00A0}2AA", "AB-12-34-56-C", "AB.12.34.56.C", "AB\r\n12 34 56 C",
                        "12/03/1985", "12.03.85", "1985-03-12", "12 March 1985", "12th Mar 1985", "March 12th, 1985", "04/29", "0429",
                        "04/2029", "4 / 29", "MORGA753116SM9IJ", "MORGA 753116 SM9IJ", "LEE99 661231 J99AB", "GB 333 2894 54", "333289454",
                        "GB434031494001", "GD123", "HA567", "22345 67890", "2234567890K", "501234567", "4111 1111 1111 1111 123",
                        "4111111111111111 04/29", "5555 5555 5555 4444, 09/28, 731",
                        "1 2 3", "1 2 3 4", "cvv2 1 2 3", "123 456 789", "123-456-789", "04/29 on my visa"]

    mutating func token() -> String {
        switch int(10) {
        case 0, 1, 2: return pick(Self.words)
        case 3, 4: return pick(Self.fixed)
        case 5:
            // A digit run broken by random separators.
            var out = ""
            for _ in 0..<(1 + int(8)) {
                out += digits(1 + int(5))
                out += pick(Self.separators)
            }
            return out
        case 6:
            // Letters glued to digits (postcode, NINO, IBAN shapes).
            let letters = ["A", "GB", "SW", "gb", "Q", "ab", "DE", "XY", "N", "EC"]
            return pick(letters) + digits(1 + int(3)) + pick(["", " ", "A", "AB"]) + pick(["", digits(1) + "AA", digits(2) + "BB"])
        case 7:
            return "+" + digits(2) + pick(Self.separators) + digits(3 + int(8))
        case 8:
            return pick(["jane.doe@example.co.uk", "x@y.org", "@handle", "user@localhost", "a.b+c@mail.example.com"])
        default:
            return pick(Self.separators)
        }
    }

    mutating func text(length: Int) -> [UInt8] {
        var out: [UInt8] = []
        while out.count < length {
            out += Array(token().utf8)
            out += Array(pick([" ", " ", "", "\n", ", ", ". "]).utf8)
        }
        return out
    }
}
