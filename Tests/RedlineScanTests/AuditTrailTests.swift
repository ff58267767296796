import Foundation
import Testing
@testable import RedlineAudit

@Suite("Audit trail: keyed chain and its verification")
struct AuditTrailTests {
    static let key = Array("audit-test-key".utf8)

    static func event(_ index: Int) -> AuditEvent {
        AuditEvent(mode: "scan", source: "<m\(index)@example>", channel: "email-external", verdict: index % 2 == 0 ? "block" : "allow",
                   rules: index % 2 == 0 ? ["card-never-leaves"] : [], detectors: index % 2 == 0 ? ["card": 1] : [:],
                   fingerprints: index % 2 == 0 ? [String(repeating: "ab", count: 32)] : [], policySHA256: String(repeating: "0", count: 64))
    }

    /// A log of `count` records; returns its path.
    static func log(_ count: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("redline-audit-\(UUID().uuidString).jsonl").path
        let trail = try AuditTrail(path: path, key: key)
        for index in 1...count { try trail.append([event(index)]) }
        return path
    }

    static func lines(_ path: String) -> [String] {
        String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func rewrite(_ path: String, _ lines: [String]) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    func verify(_ path: String) throws -> AuditVerification {
        try AuditVerifier.verify(path: path, key: Self.key, head: AuditHead.read(for: path))
    }

    @Test("an untouched log verifies, with its head")
    func intact() throws {
        let path = try Self.log(5)
        let result = try verify(path)
        #expect(result.problem == nil)
        #expect(result.records == 5)
        #expect(result.head == AuditHead.read(for: path))
        // Records hold no content: only ids, counts and keyed fingerprints.
        #expect(Self.lines(path)[1].contains("\"seq\":2"))
    }

    @Test("an edited record is named")
    func edited() throws {
        let path = try Self.log(5)
        var lines = Self.lines(path)
        lines[2] = lines[2].replacingOccurrences(of: "\"verdict\":\"allow\"", with: "\"verdict\":\"block\"")
            .replacingOccurrences(of: "\"verdict\":\"block\",\"rules\":[\"card", with: "\"verdict\":\"allow\",\"rules\":[\"card")
        try Self.rewrite(path, lines)
        #expect(try verify(path).problem == .edited(line: 3, seq: 3))
    }

    @Test("a removed record is named with the missing sequence number")
    func removed() throws {
        let path = try Self.log(5)
        var lines = Self.lines(path)
        lines.remove(at: 1)
        try Self.rewrite(path, lines)
        #expect(try verify(path).problem == .removed(line: 2, missing: 2...2))
    }

    @Test("reordered records are named")
    func reordered() throws {
        let path = try Self.log(5)
        var lines = Self.lines(path)
        lines.swapAt(1, 2)
        try Self.rewrite(path, lines)
        #expect(try verify(path).problem == .reordered(line: 2, seq: 3))
    }

    @Test("an inserted record without the key is named")
    func inserted() throws {
        let path = try Self.log(4)
        var lines = Self.lines(path)
        let forged = lines[1].replacingOccurrences(of: "<m2@example>", with: "<forged@example>")
        lines.insert(forged, at: 2)
        try Self.rewrite(path, lines)
        #expect(try verify(path).problem == .inserted(line: 3))
    }

    @Test("a truncated tail is detected against the head")
    func truncated() throws {
        let path = try Self.log(5)
        try Self.rewrite(path, Array(Self.lines(path).prefix(3)))
        #expect(try verify(path).problem == .truncated(lastSeq: 3, headSeq: 5))
        // Without the head only the chain itself is checked.
        #expect(try AuditVerifier.verify(path: path, key: Self.key, head: nil).problem == nil)
    }

    @Test("another key does not verify")
    func wrongKey() throws {
        let path = try Self.log(2)
        let result = try AuditVerifier.verify(path: path, key: Array("other".utf8), head: nil)
        #expect(result.problem != nil)
    }

    @Test("concurrent appenders never interleave or fork the chain")
    func concurrentAppenders() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("redline-audit-\(UUID().uuidString).jsonl").path
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    // A separate trail (own descriptor) per writer, as separate processes would have.
                    let trail = try! AuditTrail(path: path, key: Self.key)
                    for index in 0..<50 { try! trail.append([Self.event(writer * 100 + index), Self.event(writer * 100 + index + 50)]) }
                }
            }
        }
        let result = try verify(path)
        #expect(result.problem == nil)
        #expect(result.records == 400)
        #expect(result.head?.seq == 400)
    }

    @Test("the head parses from both forms")
    func headForms() {
        #expect(AuditHead(parsing: "12:abcd") == AuditHead(seq: 12, mac: "abcd"))
        #expect(AuditHead(parsing: "{\"seq\":12,\"mac\":\"abcd\"}\n") == AuditHead(seq: 12, mac: "abcd"))
        #expect(AuditHead(parsing: "nonsense") == nil)
    }
}
