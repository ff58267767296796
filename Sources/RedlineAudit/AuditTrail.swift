import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors of the audit trail: what failed and the path.
public struct AuditError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The chain head: the last record's sequence number and MAC. Kept beside the log in
/// `FILE.head` (and printable for an external system), so that a truncated tail is detected.
public struct AuditHead: Sendable, Equatable, CustomStringConvertible {
    public var seq: Int
    public var mac: String

    public init(seq: Int, mac: String) {
        self.seq = seq
        self.mac = mac
    }

    /// `seq:mac`, the form `redline audit head` prints and `audit verify --head` takes.
    public var description: String { "\(seq):\(mac)" }

    /// Parses `seq:mac` or the head file's JSON `{"seq":N,"mac":"…"}`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
                  let seq = object["seq"] as? Int, let mac = object["mac"] as? String else { return nil }
            self.init(seq: seq, mac: mac)
        } else {
            let parts = trimmed.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let seq = Int(parts[0]) else { return nil }
            self.init(seq: seq, mac: String(parts[1]))
        }
    }

    /// The path of the head file kept beside `log`.
    public static func path(for log: String) -> String { log + ".head" }

    /// Reads `FILE.head`; nil when there is none.
    public static func read(for log: String) -> AuditHead? {
        guard let data = FileManager.default.contents(atPath: path(for: log)) else { return nil }
        return AuditHead(parsing: String(decoding: data, as: UTF8.self))
    }
}

/// A tamper-evident, append-only audit log: hash-chained JSON Lines, each record MAC'd with the
/// HMAC key (so nobody without the key can recompute the chain).
///
/// Appends take an exclusive `flock` on the log, read the last record for the chain, write the
/// new records with one `write` on an `O_APPEND` descriptor and replace the head file (temporary
/// file + rename) before unlocking: concurrent processes never interleave or fork the chain.
public final class AuditTrail: @unchecked Sendable {
    public let path: String
    let key: SymmetricKey
    private let lock = NSLock()
    /// Test seam: the clock (UTC ISO 8601 strings).
    var clock: () -> String = AuditTrail.now

    static let genesis = String(repeating: "0", count: 64)
    static let domain = Array("redline.audit/1\n".utf8)

    public init(path: String, key: [UInt8]) throws {
        guard !key.isEmpty else {
            throw AuditError("--audit needs the HMAC key (--key-file or REDLINE_KEY): the chain is keyed so that nobody without it can rewrite it")
        }
        self.path = path
        self.key = SymmetricKey(data: key)
    }

    /// Appends `events` as consecutive records and returns the new head.
    @discardableResult
    public func append(_ events: [AuditEvent]) throws -> AuditHead? {
        guard !events.isEmpty else { return nil }
        lock.lock()
        defer { lock.unlock() }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        if fd < 0 { throw AuditError("cannot open audit log \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw AuditError("cannot lock audit log \(path): \(String(cString: strerror(errno)))") }
        }
        defer { flock(fd, LOCK_UN) }
        var (seq, prev, needsNewline) = try lastRecord(fd)
        var out = needsNewline ? "\n" : ""
        for event in events {
            seq += 1
            let body = event.body(seq: seq, time: clock(), prev: prev)
            let mac = AuditTrail.mac(key: key, body: body)
            out += body + ",\"mac\":\"\(mac)\"}\n"
            prev = mac
        }
        try writeAll(fd, Array(out.utf8))
        let head = AuditHead(seq: seq, mac: prev)
        try writeHead(head)
        return head
    }

    static func mac(key: SymmetricKey, body: String) -> String {
        var message = domain
        message.append(contentsOf: body.utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Sequence number and MAC of the last complete record, and whether the file ends without
    /// a newline (a torn write, which `verify` reports).
    private func lastRecord(_ fd: Int32) throws -> (Int, String, Bool) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AuditError("cannot stat audit log \(path)") }
        let size = Int(info.st_size)
        guard size > 0 else { return (0, AuditTrail.genesis, false) }
        var window = 4096
        while true {
            let start = max(0, size - window)
            var buffer = [UInt8](repeating: 0, count: size - start)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(start)) }
            guard count == buffer.count else { throw AuditError("cannot read audit log \(path)") }
            let endsWithNewline = buffer.last == 10
            var end = buffer.count
            if endsWithNewline { end -= 1 }
            if let newline = buffer[..<end].lastIndex(of: 10) ?? (start == 0 ? -1 : nil) {
                let line = Array(buffer[(newline + 1)..<end])
                if let record = AuditLine(line) { return (record.seq, record.mac, !endsWithNewline) }
                throw AuditError("the last line of audit log \(path) is not an audit record; run 'redline audit verify \(path)'")
            }
            window *= 4
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw AuditError("cannot write audit log \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func writeHead(_ head: AuditHead) throws {
        let target = AuditHead.path(for: path)
        let temporary = target + ".tmp-\(getpid())"
        let text = "{\"seq\":\(head.seq),\"mac\":\"\(head.mac)\"}\n"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)), rename(temporary, target) == 0 else {
            unlink(temporary)
            throw AuditError("cannot write audit head \(target)")
        }
    }

    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, spec.tv_nsec / 1_000_000)
    }
}

/// One line of the log split into its MAC'd body and the fields the chain needs.
struct AuditLine {
    var body: String
    var mac: String
    var seq: Int
    var prev: String

    static let marker = Array(",\"mac\":\"".utf8)

    init?(_ line: [UInt8]) {
        // `…,"mac":"<64 hex>"}`
        guard line.count > 80, line.last == UInt8(ascii: "}") else { return nil }
        let macStart = line.count - 66
        guard line[macStart - AuditLine.marker.count..<macStart].elementsEqual(AuditLine.marker),
              line[line.count - 2] == UInt8(ascii: "\"") else { return nil }
        let mac = String(decoding: line[macStart..<(line.count - 2)], as: UTF8.self)
        guard mac.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        let body = String(decoding: line[..<(macStart - AuditLine.marker.count)], as: UTF8.self)
        guard let object = try? JSONSerialization.jsonObject(with: Data((body + "}").utf8)) as? [String: Any],
              let seq = object["seq"] as? Int, let prev = object["prev"] as? String else { return nil }
        self.body = body
        self.mac = mac
        self.seq = seq
        self.prev = prev
    }
}
