import Foundation
import RedlineServer
import Testing

@Suite("redline serve contract and no-leak", .serialized)
struct ServeContractTests {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// path → method → statuses, read from openapi.yaml's `paths:` (two-space indented paths,
    /// four-space methods, eight-space quoted status codes).
    static func documentedOperations() throws -> [String: [String: Set<Int>]] {
        let text = try String(contentsOfFile: root + "/openapi.yaml", encoding: .utf8)
        var result: [String: [String: Set<Int>]] = [:]
        var inPaths = false
        var path = ""
        var method = ""
        for line in text.components(separatedBy: "\n") {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, !line.isEmpty, !line.hasPrefix(" ") { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                method = String(line.dropFirst(4).dropLast()).uppercased()
            } else if line.hasPrefix("        \""), let code = Int(line.dropFirst(9).prefix(3)) {
                result[path, default: [:]][method, default: []].insert(code)
            }
        }
        return result
    }

    @Test("the served /openapi.yaml is openapi.yaml (regenerate with scripts/embed-openapi.sh)")
    func embeddedDocument() async throws {
        try await ServeHarness.with { server in
            let served = try await server.send("GET", "/openapi.yaml", token: nil).body
            #expect(served + "\n" == (try String(contentsOfFile: Self.root + "/openapi.yaml", encoding: .utf8)))
        }
    }

    /// Drives the live server into every documented status of every documented operation, and
    /// checks that each answer is the documented status with a JSON body where the document says so.
    @Test("every path, method and status in openapi.yaml is what the live server answers")
    func documentMatchesServer() async throws {
        let operations = try Self.documentedOperations()
        #expect(Set(operations.keys) == ["/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/policy", "/v1/check", "/v1/redact", "/v1/batch", "/v1/mail"])
        var exercised: [String: [String: Set<Int>]] = [:]
        try await ServeHarness.with(configure: { $0.maxBody = 4_096; $0.maxInflight = 1 }) { server in
            func note(_ path: String, _ method: String, _ answer: HTTPAnswer) {
                exercised[path, default: [:]][method, default: []].insert(answer.status)
                if answer.status != 200 || path.hasPrefix("/v1/") || path.hasSuffix("z") {
                    #expect(answer.headers["content-type"] == "application/json", "\(method) \(path) \(answer.status)")
                }
            }
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] { note(path, "GET", try await server.send("GET", path, token: nil)) }
            note("/v1/policy", "GET", try await server.send("GET", "/v1/policy"))
            note("/v1/policy", "GET", try await server.send("GET", "/v1/policy", token: nil))
            let big = String(repeating: "x", count: 5_000)
            for path in ["/v1/check", "/v1/redact", "/v1/batch", "/v1/mail"] {
                let isMail = path == "/v1/mail"
                let good = isMail ? "To: a@example.com\r\n\r\nhello\r\n" : path == "/v1/batch" ? "{\"records\":[{\"text\":\"hi\"}]}" : "{\"text\":\"hi\"}"
                let type = isMail ? "message/rfc822" : "application/json"
                note(path, "POST", try await server.send("POST", path, body: good, contentType: type))
                note(path, "POST", try await server.send("POST", isMail ? "/v1/mail?channel=nope" : path, body: isMail ? good : "{", contentType: type))
                note(path, "POST", try await server.send("POST", path, token: nil, body: good, contentType: type))
                note(path, "POST", try await server.send("POST", isMail ? "/v1/mail?channel=email-internal" : path, token: ServeHarness.helpdeskToken,
                                                   body: isMail ? good : good.replacingOccurrences(of: "\"hi\"", with: "\"hi\",\"channel\":\"email-internal\""),
                                                   contentType: type))
                note(path, "POST", try await server.send("POST", path, body: big, contentType: type))
                note(path, "POST", try await server.send("POST", path, body: good, contentType: "text/csv"))
                let holder = try RawConnection(port: server.port)
                try holder.write("POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(ServeHarness.internalToken)\r\n"
                                 + "Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{")
                #expect(try await server.waitUntilInFlight(1), "the held request takes the one place")
                note(path, "POST", try await server.send("POST", path, body: good, contentType: type))
                holder.close()
                // The held request leaves once its connection is gone.
                #expect(try await server.waitUntilInFlight(0))
            }
        }
        // /readyz 503 while draining: a server being shut down.
        // While the drain delay runs /readyz answers 503; the window only has to outlast one
        // /readyz round trip, the polling below is bounded by time.
        let draining = try await ServeHarness(configure: { $0.drainDelay = .seconds(3) })
        let connection = try RawConnection(port: draining.port)
        try connection.write("POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(ServeHarness.internalToken)\r\n"
                             + "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"text\":")
        #expect(try await draining.waitUntilInFlight(1))
        let stopping = Task { await draining.stop() }
        var readyAnswer: HTTPAnswer?
        let deadline = Date().addingTimeInterval(60)
        while readyAnswer == nil, Date() < deadline {
            guard let answer = try? await draining.send("GET", "/readyz", token: nil) else { break }
            if answer.status == 503 { readyAnswer = answer } else { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(readyAnswer != nil, "/readyz answers 503 while draining")
        try connection.write("\"hi\"}")
        let drained = try await connection.answer(timeout: 10)
        connection.close()
        await stopping.value
        #expect(drained.status == 200, "the request in flight at shutdown is answered")
        if let readyAnswer { exercised["/readyz", default: [:]]["GET", default: []].insert(readyAnswer.status) }
        #expect(exercised == operations)
    }

    @Test("no raw value in any answer or log line, over every endpoint")
    func noLeak() async throws {
        try await ServeHarness.with(audit: true) { server in
            var answers: [HTTPAnswer] = []
            for channel in ["chat", "email-external", "email-internal", "secure-portal"] {
                answers.append(try await server.postJSON("/v1/check", ["text": Secrets.chatReply, "channel": channel, "id": "a"]))
                answers.append(try await server.postJSON("/v1/redact", ["text": Secrets.chatReply, "channel": channel]))
                answers.append(try await server.postJSON("/v1/redact", ["text": Secrets.ninoOnly + " 4539 1488 0343 6467", "channel": channel]))
                answers.append(try await server.postJSON("/v1/batch", ["records": [["text": Secrets.chatReply, "channel": channel]], "mode": "redact"]))
            }
            let mail = "To: x@gmail.com\r\nSubject: card 4539 1488 0343 6467\r\n\r\nNI JG 10 37 55 A and card 4539 1488 0343 6467\r\n"
            answers.append(try await server.send("POST", "/v1/mail", body: mail, contentType: "message/rfc822"))
            answers.append(try await server.send("POST", "/v1/check", body: "{\"text\": \"\(Secrets.card)\", \"channel\": 5}"))
            answers.append(try await server.send("POST", "/v1/check", token: ServeHarness.helpdeskToken, body: "{\"text\": \"\(Secrets.card)\", \"channel\": \"secure-portal\"}"))
            answers.append(try await server.send("POST", "/v1/check", token: "rl_nobody", body: "{\"text\": \"\(Secrets.card)\"}"))
            for path in ["/v1/policy", "/metrics", "/readyz", "/healthz"] { answers.append(try await server.send("GET", path)) }
            #expect(answers.count == 24)
            for answer in answers {
                for secret in Secrets.all { #expect(!answer.raw.contains(secret), "\(answer.status) \(answer.body.prefix(80))") }
            }
            let log = server.logLines.withLockedValue { $0 }
            #expect(log.count >= 20)
            for line in log {
                for secret in Secrets.all { #expect(!line.contains(secret)) }
                #expect(!line.contains("Thanks!"))
            }
            let audit = try String(contentsOfFile: server.auditPath, encoding: .utf8)
            for secret in Secrets.all { #expect(!audit.contains(secret)) }
        }
    }
}
