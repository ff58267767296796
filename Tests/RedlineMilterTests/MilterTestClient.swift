import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import RedlineMilter

/// A small blocking milter client (the MTA side) for driving a real server on loopback or a
/// unix socket. Every read has a timeout, so a broken server fails the test instead of hanging.
final class MilterTestClient {
    struct Failure: Error, CustomStringConvertible { var description: String }
    private let fd: Int32
    private var decoder = MilterFrameDecoder()

    /// `receiveBuffer`: SO_RCVBUF set before connecting (a small one makes a client that does
    /// not read push back on the server quickly).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw Failure(description: "connect: \(errno)") }
        setTimeout()
    }

    init(unixPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path(unixPath).enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { close(fd); throw Failure(description: "connect: \(errno)") }
        setTimeout()
    }

    private func path(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }

    private func setTimeout() {
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ frames: [MilterFrame]) throws {
        let bytes = frames.flatMap(\.bytes)
        let written = sendRaw(bytes)
        guard written == bytes.count else { throw Failure(description: "write failed: \(errno)") }
    }

    /// Writes raw bytes (bogus frames included); returns how many were written before an error.
    /// MSG_NOSIGNAL: a server that closed the connection gives EPIPE, not a SIGPIPE that kills
    /// the test process.
    @discardableResult
    func sendRaw(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { break }
            offset += written
        }
        return offset
    }

    /// Sets how long each read waits before failing.
    func setReadTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sets how long a write may block without progress before it fails.
    func setSendTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads frames until the server closes the connection (EOF or reset). `closed` is false when
    /// a read timed out instead (the server did not close), or after `limit` frames.
    func receiveUntilClosed(limit: Int = 100) -> (frames: [MilterFrame], closed: Bool) {
        var frames: [MilterFrame] = []
        while frames.count < limit {
            if let frame = try? decoder.next() {
                frames.append(frame)
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return (frames, true) }
            if count < 0 { return (frames, errno == ECONNRESET || errno == EPIPE) }
            decoder.append(buffer[0..<count])
        }
        return (frames, false)
    }

    /// Reads one frame (skipping progress packets).
    func receive() throws -> MilterFrame {
        while true {
            if let frame = try decoder.next() {
                if frame.command == MilterProtocol.Response.progress { continue }
                return frame
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(description: count == 0 ? "connection closed" : "read failed: \(errno)") }
            decoder.append(buffer[0..<count])
        }
    }

    /// Sends `frames` and collects replies until a final one (`c a r t y` after `E`, or as many as
    /// the commands that expect one).
    func conversation(_ frames: [MilterFrame]) throws -> [MilterFrame] {
        try send(frames)
        return try replies(to: frames)
    }

    /// Reads the replies to `frames` (already sent), as ``conversation(_:)`` does.
    func replies(to frames: [MilterFrame]) throws -> [MilterFrame] {
        let expected = frames.filter { !"DAQK".utf8.contains($0.command) && $0.command != UInt8(ascii: "E") }.count
        var replies: [MilterFrame] = []
        for _ in 0..<expected { replies.append(try receive()) }
        if frames.contains(where: { $0.command == UInt8(ascii: "E") }) {
            var guardCount = 0
            while guardCount < 10_000 {
                guardCount += 1
                let frame = try receive()
                replies.append(frame)
                if "cartyd".utf8.contains(frame.command) { break }
            }
        }
        return replies
    }

    /// Whether the server closed the connection (reads EOF within the timeout).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 0
    }
}

/// `GET path` over HTTP/1.1 on loopback; returns the whole response.
func httpGet(port: Int, path: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else { throw MilterTestClient.Failure(description: "connect: \(errno)") }
    var timeout = timeval(tv_sec: 20, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    for _ in 0..<1_000 {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    return String(decoding: response, as: UTF8.self)
}
