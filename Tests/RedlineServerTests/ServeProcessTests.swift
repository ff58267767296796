import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import RedlineServer
import Testing

/// The real `redline serve` binary as a child process: exit codes, signals (SIGHUP reload, SIGTERM
/// drain) and TLS, which the in-process tests cannot show. Every server listens on 127.0.0.1 with
/// port 0 (the bound port is read from its "listening" log line) and is killed if a test fails.
@Suite("redline serve as a process", .serialized)
struct ServeProcessTests {
    static let key = "0123456789abcdef0123456789abcdef"

    @Test("a tokens file with errors: exit 2, every error at file:line:col, nothing listens")
    func badTokensFile() throws {
        let directory = try ServeProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokens = directory + "/tokens.yaml"
        try "tokens:\n  - name: broken\n    sha256: \"not-hex\"\n    channels: 7\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        let server = try ServeProcess(["--listen", "127.0.0.1:0", "--tokens", tokens], directory: directory)
        defer { server.kill() }
        let status = server.waitForExit(seconds: 120)
        #expect(status == 2)
        let log = server.log
        #expect(log.contains("\(tokens):3:13: error[P010]"))
        #expect(log.contains("\(tokens):4:15: error[P003]"))
        #expect(log.contains("has 2 error(s); not starting"))
        #expect(!log.contains("msg=listening"))
    }

    @Test("a policy with errors: exit 2 with its diagnostics; a missing tokens file: exit 2")
    func badPolicyFile() throws {
        let directory = try ServeProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = directory + "/policy.yaml"
        try "version: 1\nname: [unclosed\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let broken = try ServeProcess(["--listen", "127.0.0.1:0", "--allow-anonymous", "--policy", policy], directory: directory)
        defer { broken.kill() }
        #expect(broken.waitForExit(seconds: 120) == 2)
        #expect(broken.log.contains("\(policy):"))
        #expect(broken.log.contains("not starting"))
        let missing = try ServeProcess(["--listen", "127.0.0.1:0", "--tokens", directory + "/absent.yaml"], directory: directory)
        defer { missing.kill() }
        #expect(missing.waitForExit(seconds: 120) == 2)
        #expect(missing.log.contains("absent.yaml:1:1: error[P016]"))
    }

    @Test("SIGHUP reloads a good tokens file; a bad one keeps the tokens in force and logs every diagnostic")
    func sighupReload() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokens = directory + "/tokens.yaml"
        let first = "rl_process_first_token_0123456789", second = "rl_process_second_token_abcdefghij"
        try ServeProcess.tokensFile(name: "first", token: first).write(toFile: tokens, atomically: true, encoding: .utf8)
        let server = try ServeProcess(["--listen", "127.0.0.1:0", "--tokens", tokens], directory: directory)
        defer { server.kill() }
        let port = try #require(server.waitForPort(seconds: 120))
        #expect(try await ServeProcess.check(port: port, token: first).status == 200)

        try ServeProcess.tokensFile(name: "second", token: second).write(toFile: tokens, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        #expect(server.waitForLog("tokens reloaded", seconds: 60))
        #expect(try await ServeProcess.check(port: port, token: second).status == 200)
        #expect(try await ServeProcess.check(port: port, token: first).status == 401)

        try "tokens:\n  - name: broken\n    sha256: \"not-hex\"\n    channels: 7\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        #expect(server.waitForLog("tokens not reloaded", seconds: 60))
        #expect(server.log.contains("\(tokens):3:13: error[P010]"))
        #expect(server.log.contains("\(tokens):4:15: error[P003]"))
        let kept = try await ServeProcess.check(port: port, token: second)
        #expect(kept.status == 200)
        #expect(kept.json["verdict"] as? String == "block")
        server.signal(SIGTERM)
        #expect(server.waitForExit(seconds: 60) == 0)
    }

    @Test("SIGTERM: the request in flight is answered, then the process exits 0")
    func sigtermDrains() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServeProcess(["--listen", "127.0.0.1:0", "--allow-anonymous"], directory: directory)
        defer { server.kill() }
        let port = try #require(server.waitForPort(seconds: 120))
        let body = "{\"text\":\"\(Secrets.chatReply)\",\"channel\":\"chat\"}"
        let split = body.index(body.startIndex, offsetBy: 10)
        let connection = try RawConnection(port: port)
        defer { connection.close() }
        try connection.write("POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             + "Content-Length: \(body.utf8.count)\r\n\r\n" + body[..<split])
        // The request is in flight once the server counts it (its handler is waiting for the body).
        var inFlight = false
        for _ in 0..<600 where !inFlight {
            let metrics = try await blocking { try HTTPAnswer(ServeProcess.request(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) }
            inFlight = metrics.body.contains("redline_http_requests_in_flight 1")
            if !inFlight { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(inFlight)
        server.signal(SIGTERM)
        // Graceful shutdown has begun once a new connection is refused; the open one stays.
        var refused = false
        for _ in 0..<600 where !refused {
            refused = (try? RawConnection(port: port)).map { $0.close(); return false } ?? true
            if !refused { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(refused, "the listener closes on SIGTERM")
        #expect(server.isRunning, "the process waits for the request in flight")
        try connection.write(String(body[split...]))
        let answer = try await connection.answer(timeout: 60)
        #expect(answer.status == 200)
        #expect(answer.json["verdict"] as? String == "block")
        #expect(server.waitForExit(seconds: 60) == 0)
        #expect(server.log.contains("msg=stopped"))
        for secret in Secrets.all { #expect(!server.log.contains(secret)) }
    }

    @Test("TLS with a self-signed certificate made by openssl: an HTTPS client that trusts it gets answers")
    func tls() async throws {
        let openssl = try #require(ServeProcess.which("openssl"), "openssl is needed (apt-get install openssl)")
        let python = try #require(ServeProcess.which("python3"), "python3 is needed (apt-get install python3)")
        let directory = try ServeProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try ServeProcess.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                                  "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                                                  "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem"])
        #expect(made.status == 0, "\(made.output)")
        let server = try ServeProcess(["--listen", "127.0.0.1:0", "--allow-anonymous",
                                       "--tls-cert", directory + "/cert.pem", "--tls-key", directory + "/key.pem"], directory: directory)
        defer { server.kill() }
        let port = try #require(server.waitForPort(seconds: 120))
        #expect(server.log.contains("tls=true"))
        // Python's ssl module verifies the chain and the host name against the certificate we made.
        let client = """
        import json, ssl, sys, urllib.error, urllib.request
        context = ssl.create_default_context(cafile=sys.argv[2])
        request = urllib.request.Request("https://127.0.0.1:%s/v1/check" % sys.argv[1], method="POST",
            data=json.dumps({"text": sys.argv[3], "channel": "chat"}).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=context, timeout=60) as answer:
            print(answer.status, json.load(answer)["verdict"])
        try:
            urllib.request.urlopen("https://127.0.0.1:%s/healthz" % sys.argv[1], context=ssl.create_default_context(), timeout=60)
            print("untrusted accepted")
        except urllib.error.URLError as error:
            print("untrusted refused", "CERTIFICATE_VERIFY_FAILED" in str(error))
        """
        let result = try await blocking { try ServeProcess.run(python, ["-c", client, String(port), directory + "/cert.pem", Secrets.chatReply]) }
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("200 block"))
        #expect(result.output.contains("untrusted refused True"))
        // Plain HTTP on the TLS port gets no HTTP answer.
        let plain = try await blocking { ServeProcess.request(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }
        #expect(!String(decoding: plain, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        server.signal(SIGTERM)
        #expect(server.waitForExit(seconds: 60) == 0)
    }
}

/// One `redline serve` child process with its log (stderr) collected line by line.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private let lines = NIOLockedValueBox<[String]>([])
    private let reader: Thread

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary beside the test bundle (same build folder), else `.build/debug/redline`.
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["REDLINE_BINARY"] { return explicit }
        var candidates: [URL] = []
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("redline")) }
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("redline"))
        }
        candidates.append(repository.appendingPathComponent(".build/debug/redline"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
    }()

    /// `redline serve ARGUMENTS` in `directory`, with only REDLINE_KEY in its environment.
    init(_ arguments: [String], directory: String) throws {
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve"] + arguments
        process.environment = ["REDLINE_KEY": ServeProcessTests.key, "PATH": "/usr/bin:/bin"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let lines = lines
        reader = Thread {
            var pending = Data()
            while true {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    lines.withLockedValue { $0.append(line) }
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { lines.withLockedValue { $0.append(String(decoding: pending, as: UTF8.self)) } }
        }
        try process.run()
        reader.start()
    }

    var log: String { lines.withLockedValue { $0 }.joined(separator: "\n") }
    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) { Glibc.kill(process.processIdentifier, number) }

    /// Ends the process if it still runs (a failed test), and waits for it.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Polls (bounded) until a log line contains `text`.
    func waitForLog(_ text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lines.withLockedValue({ $0.contains { $0.contains(text) } }) { return true }
            if !process.isRunning { return lines.withLockedValue { $0.contains { $0.contains(text) } } }
            usleep(20_000)
        }
        return false
    }

    /// The port of the "listening" line, or nil when the process stops or `seconds` pass first.
    func waitForPort(seconds: Double) -> Int? {
        guard waitForLog("msg=listening", seconds: seconds) else { return nil }
        let line = lines.withLockedValue { $0.first { $0.contains("msg=listening") } } ?? ""
        let field = line.split(separator: " ").first { $0.hasPrefix("port=") }
        return field.flatMap { Int($0.dropFirst(5)) }
    }

    /// The exit status, or nil if the process is still running after `seconds`.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        // The log is complete once the pipe is closed.
        while !reader.isFinished, Date() < deadline.addingTimeInterval(5) { usleep(5_000) }
        return process.terminationStatus
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "redline-serve-process-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func tokensFile(name: String, token: String) -> String {
        "tokens:\n  - name: \(name)\n    sha256: \"\(TokenStore.sha256Hex(token))\"\n    channels: \"*\"\n"
    }

    /// POST /v1/check with the chat reply on channel chat.
    static func check(port: Int, token: String) async throws -> HTTPAnswer {
        let body = "{\"text\":\"\(Secrets.chatReply)\",\"channel\":\"chat\"}"
        let request = "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return try await blocking { try HTTPAnswer(ServeProcess.request(port: port, request)) }
    }

    /// One request on a new connection; what came back within 60 s (empty when refused).
    static func request(port: Int, _ text: String) -> [UInt8] {
        guard let connection = try? RawConnection(port: port) else { return [] }
        defer { connection.close() }
        guard (try? connection.write(text)) != nil else { return [] }
        return (try? connection.readAll(timeout: 60)) ?? []
    }

    static func which(_ name: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/local/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a helper program to completion (stdout and stderr together).
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
