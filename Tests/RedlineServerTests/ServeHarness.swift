import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import RedlineAudit
import RedlineCore
import RedlineEngine
import RedlinePolicy
import RedlineServer
import RedlineService
import ServiceLifecycle

/// Values that must never come back from the server except redacted (the no-leak tests look
/// for each in every answer and log line). Luhn-valid card, NI number, phone.
enum Secrets {
    static let card = "4539 1488 0343 6467"
    static let nino = "JG 10 37 55 A"
    static let all = [card, nino, "4539148803436467", "JG103755A"]
    static let chatReply = "Thanks! The card 4539 1488 0343 6467 is noted. Your NI number JG 10 37 55 A is on file."
    static let ninoOnly = "Your NI number JG 10 37 55 A is on file."
}

/// A `redline serve` on 127.0.0.1, port 0, inside the test process; stopped by graceful shutdown.
final class ServeHarness: @unchecked Sendable {
    static let helpdeskToken = "rl_test_helpdesk_token_0123456789"
    static let internalToken = "rl_test_internal_token_abcdefghij"

    let state: ServeState
    let group: ServiceGroup
    let port: Int
    let logLines = NIOLockedValueBox<[String]>([])
    let runTask: Task<Void, any Error>
    let directory: String

    init(configure: (inout ServeConfiguration) -> Void = { _ in }, audit: Bool = false, policyYAML: String? = nil) async throws {
        var configuration = ServeConfiguration()
        configuration.port = 0
        // Generous by default: in a whole `swift test` run, other suites' blocking tests can hold
        // the two cooperative threads the server answers on for many seconds. The limit tests set
        // short ones.
        configuration.readTimeout = .seconds(120)
        configuration.idleTimeout = .seconds(120)
        configure(&configuration)
        directory = NSTemporaryDirectory() + "redline-serve-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tokensPath = directory + "/tokens.yaml"
        try """
        tokens:
          - name: helpdesk
            sha256: "\(TokenStore.sha256Hex(Self.helpdeskToken))"
            channels: [chat]
          - name: internal
            sha256: "\(TokenStore.sha256Hex(Self.internalToken))"
            channels: "*"

        """.write(toFile: tokensPath, atomically: true, encoding: .utf8)
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        let policyPath = directory + "/policy.yaml"
        try (policyYAML ?? PolicySource.embeddedDefaultText).write(toFile: policyPath, atomically: true, encoding: .utf8)
        let store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try PolicySource.file(policyPath).compile(key: key) }
        let trail = audit ? try AuditTrail(path: directory + "/audit.jsonl", key: key) : nil
        let tokens = try TokenStore(path: tokensPath, anonymous: configuration.allowAnonymous)
        let lines = logLines
        let logger = try ServeLauncher.logger(format: "logfmt", level: "info") { line in lines.withLockedValue { $0.append(line) } }
        state = ServeState(configuration: configuration, service: DecisionService(store: store, audit: trail), tokens: tokens, logger: logger)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let services = try ServeServer.services(state) { port in continuation.yield(port) }
        group = ServiceGroup(configuration: .init(services: services, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
        let group = group
        runTask = Task { try await group.run() }
        var bound = 0
        for await port in stream {
            bound = port
            break
        }
        port = bound
    }

    /// Runs `body` against a fresh server and always stops it.
    static func with(configure: (inout ServeConfiguration) -> Void = { _ in }, audit: Bool = false,
                     _ body: (ServeHarness) async throws -> Void) async throws {
        let server = try await ServeHarness(configure: configure, audit: audit)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    var tokensPath: String { directory + "/tokens.yaml" }
    var policyPath: String { directory + "/policy.yaml" }
    var auditPath: String { directory + "/audit.jsonl" }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runTask.value
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// One request on a new connection (`Connection: close`); the whole answer.
    func send(_ method: String, _ path: String, token: String? = ServeHarness.internalToken, body: String? = nil,
              contentType: String? = "application/json", headers: [String] = []) async throws -> HTTPAnswer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body {
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\n"
        }
        for header in headers { head += header + "\r\n" }
        let port = port
        let request = head + "\r\n" + (body ?? "")
        return try await blocking {
            let connection = try RawConnection(port: port)
            defer { connection.close() }
            try connection.write(request)
            return try HTTPAnswer(connection.readAll(timeout: 150))
        }
    }

    /// Waits (bounded by `seconds`, not by a count of tries) until the server counts `count`
    /// requests in flight, as its /metrics say: a request is in flight from the moment it is
    /// admitted, while its handler waits for the body. Tests synchronise on this instead of on time.
    func waitUntilInFlight(_ count: Int, seconds: Double = 60) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let metrics = try await send("GET", "/metrics", token: nil).body
            if metrics.split(separator: "\n").contains(where: { $0 == "redline_http_requests_in_flight \(count).0" }) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func postJSON(_ path: String, _ object: Any, token: String? = ServeHarness.internalToken) async throws -> HTTPAnswer {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await send("POST", path, token: token, body: String(decoding: data, as: UTF8.self))
    }
}

/// Runs blocking socket calls on a Dispatch thread: the server under test answers on Swift's
/// cooperative pool (two threads on a 2-core machine), which a blocked test would starve.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

extension RawConnection {
    func answer(timeout: Double) async throws -> HTTPAnswer {
        try await blocking { try HTTPAnswer(self.readAll(timeout: timeout)) }
    }

    func closed(within timeout: Double) async throws -> Bool {
        try await blocking { self.closedByPeer(within: timeout) }
    }
}

/// A parsed HTTP/1.1 answer.
struct HTTPAnswer: @unchecked Sendable {
    var status: Int
    var headers: [String: String]
    var body: String
    var raw: String

    init(_ bytes: [UInt8]) throws {
        raw = String(decoding: bytes, as: UTF8.self)
        guard let split = raw.range(of: "\r\n\r\n") else { throw RawConnection.Failure("no complete answer: \(raw.prefix(200))") }
        let lines = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines.first ?? ""
        status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        var body = String(raw[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = Self.dechunk(body) }
        self.body = body
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }

    static func dechunk(_ text: String) -> String {
        var bytes = Array(text.utf8)[...]
        var out: [UInt8] = []
        while let lineEnd = bytes.firstRange(of: [13, 10]) {
            let size = Int(String(decoding: bytes[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.endIndex else { break }
            out += bytes[start..<start + size]
            bytes = bytes[(start + size + 2)...]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A blocking TCP client on loopback with a receive timeout (bounded: a test never hangs).
final class RawConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw Failure("connect to port \(port)")
        }
    }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure("send") }
            offset += sent
        }
    }

    /// Reads until the peer closes or `timeout` seconds pass (then what arrived so far).
    func readAll(timeout: Double) throws -> [UInt8] {
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready <= 0 { break }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return out }
            out += buffer[..<count]
        }
        return out
    }

    /// Whether the peer closed the connection within `timeout` seconds (bytes before that are skipped).
    func closedByPeer(within timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready <= 0 { return false }
            if recv(fd, &buffer, buffer.count, 0) <= 0 { return true }
        }
        return false
    }

    func close() { Glibc.close(fd) }
}
