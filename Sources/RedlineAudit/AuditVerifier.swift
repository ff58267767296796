import Crypto
import Foundation

/// What `redline audit verify` found.
public struct AuditVerification: Sendable {
    /// The first problem, in the log's order, or nil when the chain is intact.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// A line that is not an audit record (torn write, hand edit).
        case malformed(line: Int)
        /// The record's MAC does not match its content, and the next record links to it: it was changed.
        case edited(line: Int, seq: Int)
        /// A record nobody links to whose MAC does not verify (or that does not chain): it was added.
        case inserted(line: Int)
        /// Records are missing before `line` (sequence numbers `missing`).
        case removed(line: Int, missing: ClosedRange<Int>)
        /// A genuine record out of its place.
        case reordered(line: Int, seq: Int)
        /// The log ends at `lastSeq` but the head says `headSeq`: records were cut off the end.
        case truncated(lastSeq: Int, headSeq: Int)
        /// The last record is not the one the head names.
        case headMismatch(lastSeq: Int, headSeq: Int)

        public var description: String {
            switch self {
            case let .malformed(line): "line \(line): not an audit record (torn or hand-edited line)"
            case let .edited(line, seq): "line \(line): record \(seq) was modified (its MAC does not match its content)"
            case let .inserted(line): "line \(line): record was inserted (it is not part of the keyed chain)"
            case let .removed(line, missing):
                "line \(line): record\(missing.count == 1 ? " \(missing.lowerBound) was" : "s \(missing.lowerBound)–\(missing.upperBound) were") removed before this line"
            case let .reordered(line, seq): "line \(line): record \(seq) is out of order (records were reordered)"
            case let .truncated(lastSeq, headSeq): "the log ends at record \(lastSeq) but the head names record \(headSeq): the tail was truncated"
            case let .headMismatch(lastSeq, headSeq): "the last record (\(lastSeq)) does not match the head (record \(headSeq))"
            }
        }
    }

    public var records: Int
    public var problem: Problem?
    /// The last record's head (what an external system should keep).
    public var head: AuditHead?
    /// Whether a head was available to check truncation against.
    public var checkedHead: Bool
}

/// Checks an audit log's keyed chain. Reads the whole log once; keeps per record only its
/// sequence number, MACs and whether it verifies.
public enum AuditVerifier {
    public static func verify(path: String, key: [UInt8], head: AuditHead?) throws -> AuditVerification {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError("cannot read audit log \(path)")
        }
        let symmetric = SymmetricKey(data: key)
        struct Entry { var line: Int; var record: AuditLine; var valid: Bool }
        var entries: [Entry] = []
        var lineNumber = 0
        var result = AuditVerification(records: 0, problem: nil, head: nil, checkedHead: head != nil)
        for raw in Array(data).split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            if raw.isEmpty { continue }
            guard let record = AuditLine(Array(raw)) else {
                result.problem = .malformed(line: lineNumber)
                return result
            }
            let valid = AuditTrail.mac(key: symmetric, body: record.body) == record.mac
            entries.append(Entry(line: lineNumber, record: record, valid: valid))
        }
        result.records = entries.count
        let seqs = Set(entries.map(\.record.seq))
        var expectedSeq = 1
        var expectedPrev = AuditTrail.genesis
        for (index, entry) in entries.enumerated() {
            let record = entry.record
            if !entry.valid {
                // Changed or forged: changed if the next record (or the head) still names its MAC.
                // A record out of sequence (a copy of another with new content) was added.
                let linked = index + 1 < entries.count ? entries[index + 1].record.prev == record.mac : head?.mac == record.mac
                result.problem = linked && record.seq == expectedSeq ? .edited(line: entry.line, seq: record.seq) : .inserted(line: entry.line)
                return result
            }
            if record.prev != expectedPrev || record.seq != expectedSeq {
                if record.seq > expectedSeq && !seqs.contains(expectedSeq) {
                    result.problem = .removed(line: entry.line, missing: expectedSeq...(record.seq - 1))
                } else if record.seq != expectedSeq {
                    result.problem = .reordered(line: entry.line, seq: record.seq)
                } else {
                    result.problem = .inserted(line: entry.line)
                }
                return result
            }
            expectedSeq += 1
            expectedPrev = record.mac
        }
        let last = entries.last.map { AuditHead(seq: $0.record.seq, mac: $0.record.mac) }
        result.head = last
        if let head {
            let lastSeq = last?.seq ?? 0
            if head.seq > lastSeq {
                result.problem = .truncated(lastSeq: lastSeq, headSeq: head.seq)
            } else if head.seq != lastSeq || head.mac != last?.mac {
                result.problem = .headMismatch(lastSeq: lastSeq, headSeq: head.seq)
            }
        }
        return result
    }
}
