#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unix socket housekeeping: safe removal of a stale socket, mode and owner.
enum UnixSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Makes `path` free for a new listener. Nothing there: fine. A socket nobody accepts on
    /// (connection refused): a leftover of a crashed milter, removed. A socket something accepts
    /// on: another instance runs, refused. Anything that is not a socket: refused, never removed.
    static func removeStale(at path: String) throws(Failure) {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw Failure(description: "cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Failure(description: "\(path) exists and is not a socket; not removing it")
        }
        if isAccepting(path) {
            throw Failure(description: "another process is listening on \(path)")
        }
        if unlink(path) != 0 && errno != ENOENT {
            throw Failure(description: "cannot remove stale socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether a connect to the socket succeeds.
    static func isAccepting(_ path: String) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }

    /// Sets the socket's mode and, when given, its owner (`user`, `user:group` or `:group`).
    static func apply(path: String, mode: UInt32?, owner: String?) throws(Failure) {
        if let mode, chmod(path, mode_t(mode)) != 0 {
            throw Failure(description: "chmod \(String(mode, radix: 8)) \(path): \(String(cString: strerror(errno)))")
        }
        guard let owner, !owner.isEmpty else { return }
        let parts = owner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var uid = uid_t.max   // -1: unchanged
        var gid = gid_t.max
        if let user = parts.first, !user.isEmpty {
            if let number = UInt32(user) { uid = number } else {
                guard let entry = getpwnam(user) else { throw Failure(description: "unknown user '\(user)' for \(path)") }
                uid = entry.pointee.pw_uid
            }
        }
        if parts.count > 1, !parts[1].isEmpty {
            if let number = UInt32(parts[1]) { gid = number } else {
                guard let entry = getgrnam(parts[1]) else { throw Failure(description: "unknown group '\(parts[1])' for \(path)") }
                gid = entry.pointee.gr_gid
            }
        }
        if chown(path, uid, gid) != 0 {
            throw Failure(description: "chown \(owner) \(path): \(String(cString: strerror(errno)))")
        }
    }
}
