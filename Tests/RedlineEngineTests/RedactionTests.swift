import Testing
import RedlineCore
import RedlineEngine

@Suite("Pipeline.redact")
struct RedactionTests {
    static func pipeline(card: String = "mask", nhs: String = "label") throws -> Pipeline {
        try TestPolicy.pipeline(TestPolicy.simple().replacingOccurrences(of: "  card: { kind: payment_card }",
            with: "  card: { kind: payment_card, redaction: \(card) }")
            .replacingOccurrences(of: "  nhs: { kind: nhs_number }", with: "  nhs: { kind: nhs_number, redaction: \(nhs), label: '[NHS]' }"))
    }

    static func redact(_ text: String, _ pipeline: Pipeline) -> String {
        let bytes = Array(text.utf8)
        let result = pipeline.makeSession().scan(bytes, channel: "chat")
        return String(decoding: pipeline.redact(bytes, findings: result.findings), as: UTF8.self)
    }

    @Test("redacting a slice in pieces gives the same bytes as redacting a copy of it, wherever the slice starts")
    func piecesMatchWhole() throws {
        let pipeline = try Self.pipeline()
        let text = Array("head 4111 1111 1111 1111 mid NHS 943 476 5919 and 5555 5555 5555 4444 tail".utf8)
        for start in [0, 3, 5, 20] {
            let window = Array(text[start...])
            let findings = pipeline.makeSession().scan(window, channel: "chat").findings.map { finding -> Finding in
                var shifted = finding
                shifted.start += 1000
                shifted.end += 1000
                return shifted
            }
            #expect(!findings.isEmpty)
            var pieces: [UInt8] = []
            pipeline.redact(text[start...], findings: findings, base: 1000) { pieces.append(contentsOf: $0) }
            #expect(pieces == pipeline.redact(window, findings: findings, base: 1000), "slice from \(start)")
        }
        var untouched: [UInt8] = []
        pipeline.redact(text[7...], findings: []) { untouched.append(contentsOf: $0) }
        #expect(untouched == Array(text[7...]))
    }

    @Test("mask keeps the card's last four digits and its separators", arguments: [
        ("card 4111 1111 1111 1111.", "card **** **** **** 1111."),
        ("card 4111-1111-1111-1111", "card ****-****-****-1111"),
        ("card 4111111111111111", "card ************1111"),
        ("card 4111\u{00A0}1111\u{00A0}1111\u{00A0}1111", "card ****\u{00A0}****\u{00A0}****\u{00A0}1111"),
        ("card 4111 1111\n1111 1111 end", "card **** ****\n**** 1111 end"),
        ("card ４１１１ １１１１ １１１１ １１１１", "card **** **** **** １１１１"),
    ])
    func mask(_ example: (String, String)) throws {
        #expect(Self.redact(example.0, try Self.pipeline()) == example.1)
    }

    @Test("label replaces the finding with the configured text, keeping line breaks")
    func label() throws {
        let pipeline = try Self.pipeline(card: "label")
        #expect(Self.redact("pay 4111 1111 1111 1111 now", pipeline) == "pay [CARD NUMBER] now")
        #expect(Self.redact("pay 4111 1111\n1111 1111 now", pipeline) == "pay [CARD NUMBER]\n now")
    }

    @Test("hash is keyed and stable: the same value hashes alike in any written form, another key differs")
    func hash() throws {
        let pipeline = try Self.pipeline(card: "hash")
        let a = Self.redact("4111 1111 1111 1111", pipeline)
        let b = Self.redact("4111-1111-1111-1111", pipeline)
        #expect(a == b)
        #expect(a.hasPrefix("[CARD:") && a.hasSuffix("]") && a.count == "[CARD:]".count + 12)
        #expect(!a.contains("4111"))
        let other = try TestPolicy.pipeline(TestPolicy.simple().replacingOccurrences(of: "  card: { kind: payment_card }",
            with: "  card: { kind: payment_card, redaction: hash }"), key: Array("other-key".utf8))
        #expect(Self.redact("4111 1111 1111 1111", other) != a)
    }

    @Test("remove deletes the finding")
    func remove() throws {
        #expect(Self.redact("pay 4111 1111 1111 1111 now", try Self.pipeline(card: "remove")) == "pay  now")
    }

    @Test("overlapping phone and NHS findings on the same digits are merged into one replacement")
    func overlapping() throws {
        let pipeline = try Self.pipeline()
        let text = "NHS number 016 329 6006, thanks"
        let result = pipeline.makeSession().scan(Array(text.utf8), channel: "chat")
        #expect(Set(result.findings.map(\.detector)) == ["nhs", "phone"], "both detectors see the same digits")
        #expect(Self.redact(text, pipeline) == "NHS number [NHS], thanks")
    }

    @Test("overlapping findings of unequal length are merged without leaking or duplicating bytes")
    func partialOverlap() throws {
        let pipeline = try Self.pipeline()
        let findings = [
            Finding(detector: "phone", kind: "uk_phone", start: 2, end: 8, confidence: .low, excerpt: "", action: .flag),
            Finding(detector: "nhs", kind: "nhs_number", start: 5, end: 12, confidence: .low, excerpt: "", action: .redact),
            Finding(detector: "nhs", kind: "nhs_number", start: 12, end: 14, confidence: .low, excerpt: "", action: .redact),
        ]
        let out = String(decoding: pipeline.redact(Array("ab0123456789xyz!".utf8), findings: findings), as: UTF8.self)
        #expect(out == "ab[NHS]z!")
    }

    @Test("a text with nothing to redact comes back byte-identical")
    func passThrough() throws {
        let pipeline = try Self.pipeline()
        let bytes: [UInt8] = Array("Plain reply, no PII.\r\n\u{00A0}\u{200B}ok ".utf8) + [0xFF, 0x00, 0x80]
        let result = pipeline.makeSession().scan(bytes, channel: "chat")
        #expect(result.findings.isEmpty)
        #expect(pipeline.redact(bytes, findings: result.findings) == bytes)
    }
}
