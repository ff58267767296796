import Testing
import RedlineCore
@testable import RedlineEngine

@Suite("PipelineSession.scan")
struct PipelineScanTests {
    static let pipeline = try! TestPolicy.pipeline(TestPolicy.simple())

    func scan(_ text: String, channel: String = "chat") -> ScanResult {
        Self.pipeline.makeSession().scan(Array(text.utf8), channel: channel)
    }

    @Test("findings carry byte range, line and scalar column into the original text, and no raw value")
    func findingPositions() throws {
        let text = "Héllo\nZoë’s card: ４１１１ １１１１ １１１１ １１１１ ok"
        let finding = try #require(scan(text).findings.first { $0.detector == "card" })
        let bytes = Array(text.utf8)
        let startByte = Array("Héllo\nZoë’s card: ".utf8).count
        #expect(finding.start == startByte)
        #expect(finding.end == bytes.count - 3)
        #expect(finding.line == 2)
        #expect(finding.column == 13)
        #expect(finding.scalarStart == 18)
        #expect(finding.scalarEnd == finding.scalarStart + 19)
        #expect(finding.excerpt == "**** **** **** 1111")
        #expect(!finding.excerpt.contains("4111"))
        #expect(finding.valueHash.count == 32)
    }

    @Test("a finding's keyed fingerprint is HMAC-SHA256(key, detector, 0, value), the same from a reused keyed state")
    func fingerprintValue() throws {
        let text = "card 4111 1111 1111 1111, NI AB123456C, again 4111-1111-1111-1111 and NI AB 12 34 56 C"
        let findings = scan(text).findings
        try #require(findings.count == 4)
        for finding in findings {
            let value: String = finding.detector == "card" ? "4111111111111111" : "AB123456C"
            let expected = Masking.keyedHash(Array("test-key".utf8), detector: finding.detector, value: Array(value.utf8))
            #expect(finding.valueHash == expected, "\(finding.detector)")
            #expect(expected.count == 32)
        }
    }

    @Test("fingerprints are skipped when the session's outputs show none, unless a detector redacts with its hash")
    func fingerprintsOnlyWhenUsed() throws {
        let text = Array("card 4111 1111 1111 1111".utf8)
        let session = Self.pipeline.makeSession()
        session.computesFingerprints = false
        let plain = session.scan(text, channel: "chat").findings
        #expect(plain.count == 1)
        #expect(plain.allSatisfy { $0.valueHash.isEmpty })
        // Everything else about the finding is unchanged.
        let full = Self.pipeline.makeSession().scan(text, channel: "chat").findings
        #expect(plain.map { "\($0.detector) \($0.start) \($0.end) \($0.excerpt) \($0.action)" }
                == full.map { "\($0.detector) \($0.start) \($0.end) \($0.excerpt) \($0.action)" })
        let hashing = try TestPolicy.pipeline(TestPolicy.simple().replacingOccurrences(of: "  card: { kind: payment_card }",
            with: "  card: { kind: payment_card, redaction: hash }"))
        let hashSession = hashing.makeSession()
        hashSession.computesFingerprints = false
        let hashed = hashSession.scan(text, channel: "chat").findings
        #expect(hashed.first?.valueHash == full.first?.valueHash)
        #expect(hashing.redact(text, findings: hashed) == hashing.redact(text, findings: hashing.makeSession().scan(text, channel: "chat").findings))
    }

    @Test("invalid UTF-8 input is still scanned and passes through unchanged except where redacted")
    func invalidUTF8() {
        var bytes: [UInt8] = [0xFF] + Array(" NI ".utf8)
        let start = bytes.count
        bytes += Array("AB123456C".utf8) + [0xC3, 0x28, 0x0A, 0xED, 0xA0, 0x80]
        let result = Self.pipeline.makeSession().scan(bytes, channel: "chat")
        #expect(result.findings.map(\.start) == [start])
        #expect(result.findings.first?.end == start + 9)
        let redacted = Self.pipeline.redact(bytes, findings: result.findings)
        #expect(redacted == [0xFF] + Array(" NI [NI NUMBER]".utf8) + [0xC3, 0x28, 0x0A, 0xED, 0xA0, 0x80])
        #expect(Self.pipeline.redact(bytes, findings: []) == bytes)
    }

    @Test("every finding gets the strictest applying rule; the verdict is the most restrictive")
    func decisions() throws {
        let yaml = TestPolicy.simple(rules: """
              - id: block-cards
                detectors: [card]
                channels: [chat]
                action: block
              - id: redact-nino-unencrypted
                detectors: [nino]
                channels: { encrypted: false }
                action: redact
            """)
        let session = try TestPolicy.pipeline(yaml).makeSession()
        let result = session.scan(Array("card 4111111111111111 NI AB123456C mail a@example.com".utf8), channel: "chat")
        #expect(result.findings.map(\.action) == [.block, .redact, .flag])
        #expect(result.findings.map(\.rule) == ["block-cards", "redact-nino-unencrypted", "flag-all"])
        #expect(result.verdict == .block)
        #expect(result.decidingRule == "block-cards")
        let internalResult = session.scan(Array("NI AB123456C".utf8), channel: "internal")
        #expect(internalResult.verdict == .flag)
    }

    @Test("min_instances: a rule applies only once enough distinct values appear")
    func thresholds() throws {
        let yaml = TestPolicy.simple(rules: """
              - id: bulk
                detectors: [nino]
                channels: "*"
                min_instances: 3
                action: block
            """)
        let session = try TestPolicy.pipeline(yaml).makeSession()
        #expect(session.scan(Array("AB123456C CE123456D".utf8), channel: "chat").verdict == .flag)
        #expect(session.scan(Array("AB123456C ab 12 34 56 c AB-12-34-56-C".utf8), channel: "chat").verdict == .flag,
                "the same number written three ways is one distinct value")
        let three = session.scan(Array("AB123456C CE123456D JG103755A".utf8), channel: "chat")
        #expect(three.verdict == .block)
        #expect(three.findings.allSatisfy { $0.rule == "bulk" })
    }

    @Test("allowlist by value matches the detector's normalised form; by pattern matches the text")
    func allowlist() throws {
        let yaml = TestPolicy.simple(allowlist: """
            allowlist:
              - value: "+44 20 7946 0000"
                detectors: [phone]
                reason: switchboard
              - pattern: '(?i)@example\\.co\\.uk$'
                detectors: [email]
                reason: own mailboxes
              - value: "ab 12 34 56 c"
                reason: a test NINO used in training material
            """)
        let session = try TestPolicy.pipeline(yaml).makeSession()
        let text = "Call 020 7946 0000 or 020-7946-0000 or 020 7946 0001; mail help@example.co.uk or jo@example.com; AB123456C"
        let result = session.scan(Array(text.utf8), channel: "chat")
        #expect(result.findings.map(\.detector) == ["phone", "email"])
        #expect(result.findings.first.map { String(decoding: Array(text.utf8)[$0.start..<$0.end], as: UTF8.self) } == "020 7946 0001")
    }

    @Test("a detector's allow_values and allow_patterns apply to that detector only")
    func detectorAllowValues() throws {
        let yaml = TestPolicy.simple().replacingOccurrences(of: "  postcode: { kind: uk_postcode }",
            with: "  postcode: { kind: uk_postcode, allow_values: ['LS1 4AP'], allow_patterns: ['^M1 '] }")
        let session = try TestPolicy.pipeline(yaml).makeSession()
        let result = session.scan(Array("ls14ap, M1 1AE, LS6 2AB".utf8), channel: "chat")
        #expect(result.findings.map(\.excerpt) == ["*** ***"])
    }

    @Test("context: a detector that requires context finds nothing without a keyword within its window")
    func contextWindow() throws {
        let yaml = TestPolicy.simple(detectors: "  passport: { kind: uk_passport, window: 20 }")
        let session = try TestPolicy.pipeline(yaml).makeSession()
        #expect(session.scan(Array("Passport number 501234567".utf8), channel: "chat").findings.count == 1)
        let far = "Passport" + String(repeating: " filler", count: 10) + " 501234567"
        #expect(session.scan(Array(far.utf8), channel: "chat").findings.isEmpty)
    }

    @Test("issue 14: an NHS number written 3-3-4 counts without its keyword, one confidence level lower")
    func nhsWithoutKeyword() throws {
        let yaml = TestPolicy.simple().replacingOccurrences(of: "  nhs: { kind: nhs_number }", with: "  nhs: { kind: nhs_number, window: 20 }")
        let session = try TestPolicy.pipeline(yaml).makeSession()
        let near = session.scan(Array("NHS number 943 476 5919".utf8), channel: "chat").findings
        #expect(near.map(\.confidence) == [.high])
        let far = session.scan(Array(("NHS" + String(repeating: " filler", count: 10) + " 943 476 5919").utf8), channel: "chat").findings
        #expect(far.map(\.confidence) == [.low])
        // Another label right before it, or no separators in a message not about health: not an NHS number.
        #expect(session.scan(Array("Order 943 476 5919 has shipped".utf8), channel: "chat").findings.isEmpty)
        #expect(session.scan(Array("Your reference is 9434765919".utf8), channel: "chat").findings.isEmpty)
        #expect(session.scan(Array("Your pharmacy has it. Number 9434765919".utf8), channel: "chat").findings.map(\.confidence) == [.low])
    }

    @Test("a number broken across a line break is found on both lines; findings never span separate scans")
    func lineBreak() {
        let text = "NI AB 12 34\n56 C"
        let finding = scan(text).findings.first
        #expect(finding?.start == 3)
        #expect(finding?.end == Array(text.utf8).count)
        #expect(finding?.line == 1)
        let records = ["NI AB 12 34", "56 C"].map { scan($0).findings }
        #expect(records.allSatisfy { $0.isEmpty })
    }

    @Test("digits inside a printed IBAN or bank details are not also reported as a card or phone number")
    func containedHitsDropped() {
        let iban = scan("Refund to IBAN DE45 1281 3018 4062 9478 05 please").findings
        #expect(iban.map(\.detector) == ["iban"])
        let bank = scan("My bank details: sort code 40-85-01 account 89735545.").findings
        #expect(bank.map(\.detector) == ["bank"])
    }

    @Test("a Luhn-valid 12-digit fragment of a grouped 16-digit order number is not a card")
    func fragmentOfGroupedNumber() {
        #expect(scan("Your order 6706 7944 8910 9047 has shipped.").findings.isEmpty)
        #expect(scan("Your order 6249 6618 2160 4617 has shipped.").findings.isEmpty)
    }

    @Test("08 and 05 numbers outside the allocated 080/084/087 and 055/056 ranges are not phone numbers")
    func unallocatedRanges() {
        #expect(scan("Parcel 083 615 8632 is on its way.").findings.isEmpty)
        #expect(scan("Call 0800 123 4567 or 0560 123 4567").findings.count == 2)
    }
}
