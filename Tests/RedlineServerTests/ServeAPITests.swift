import Crypto
import Foundation
import RedlineServer
import Testing

@Suite("redline serve endpoints", .serialized)
struct ServeAPITests {
    @Test("healthz, readyz, metrics and openapi.yaml answer without a token")
    func operationalEndpoints() async throws {
        try await ServeHarness.with { server in
            let health = try await server.send("GET", "/healthz", token: nil)
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await server.send("GET", "/readyz", token: nil)
            #expect(ready.status == 200)
            #expect((ready.json["policy"] as? [String: Any])?["name"] as? String == "uk-default")
            _ = try await server.postJSON("/v1/check", ["text": "hello", "channel": "chat"])
            let metrics = try await server.send("GET", "/metrics", token: nil)
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(metrics.body.contains("redline_http_requests_total{route=\"/v1/check\",status=\"200\"} 1"))
            #expect(metrics.body.contains("redline_decisions_total{verdict=\"allow\",channel=\"chat\"} 1"))
            let document = try await server.send("GET", "/openapi.yaml", token: nil)
            #expect(document.status == 200)
            #expect(document.body.hasPrefix("openapi: 3.1.0"))
            #expect(try await server.send("GET", "/nowhere", token: nil).status == 404)
        }
    }

    @Test("check blocks a card on chat and reports masked findings with offsets, rule messages and the policy")
    func checkBlocksCard() async throws {
        try await ServeHarness.with { server in
            let answer = try await server.postJSON("/v1/check", ["text": Secrets.chatReply, "channel": "chat", "id": "msg-1"])
            #expect(answer.status == 200)
            let json = answer.json
            #expect(json["verdict"] as? String == "block")
            #expect(json["id"] as? String == "msg-1")
            #expect(json["channel"] as? String == "chat")
            let findings = json["findings"] as? [[String: Any]] ?? []
            guard let card = findings.first(where: { $0["detector"] as? String == "card" }) else {
                Issue.record("no card finding: \(answer.body)")
                return
            }
            #expect(card["rule"] as? String == "card-never-leaves")
            #expect(card["action"] as? String == "block")
            let start = card["start"] as? Int ?? -1
            let end = card["end"] as? Int ?? -1
            #expect(start == Secrets.chatReply.utf8.count - Secrets.chatReply.drop(while: { $0 != "4" }).utf8.count)
            #expect(end - start == Secrets.card.utf8.count)
            #expect(card["scalar_start"] as? Int == start)   // ASCII text: scalars = bytes
            #expect((card["excerpt"] as? String)?.hasSuffix("6467") == true)
            #expect((card["fingerprint"] as? String)?.allSatisfy(\.isHexDigit) == true)
            #expect((card["fingerprint"] as? String)?.isEmpty == false)
            #expect((json["messages"] as? [String])?.contains { $0.hasPrefix("Card numbers must never be sent") } == true)
            #expect((json["policy"] as? [String: Any])?["sha256"] as? String == server.state.service.policy.sha256)
        }
    }

    @Test("redact returns the redacted text, and no text when the verdict is block")
    func redact() async throws {
        try await ServeHarness.with { server in
            let redacted = try await server.postJSON("/v1/redact", ["text": Secrets.ninoOnly, "channel": "chat"])
            #expect(redacted.status == 200)
            #expect(redacted.json["verdict"] as? String == "redact")
            let text = redacted.json["text"] as? String ?? ""
            #expect(text.hasPrefix("Your NI number "))
            #expect(text.hasSuffix(" is on file."))
            #expect(!text.contains("JG 10 37 55 A"))
            let blocked = try await server.postJSON("/v1/redact", ["text": Secrets.chatReply, "channel": "chat"])
            #expect(blocked.json["verdict"] as? String == "block")
            #expect(blocked.json["text"] == nil)
            let clean = try await server.postJSON("/v1/redact", ["text": "Your order 58213 ships today.", "channel": "chat"])
            #expect(clean.json["verdict"] as? String == "allow")
            #expect(clean.json["text"] as? String == "Your order 58213 ships today.")
        }
    }

    @Test("the channel comes from recipients when none is given, else the policy's default")
    func channelFromRecipients() async throws {
        try await ServeHarness.with { server in
            let internalMail = try await server.postJSON("/v1/check", ["text": Secrets.ninoOnly, "recipients": ["ops@example.co.uk"]])
            #expect(internalMail.json["channel"] as? String == "email-internal")
            #expect(internalMail.json["verdict"] as? String == "flag")
            let byDefault = try await server.postJSON("/v1/check", ["text": Secrets.ninoOnly])
            #expect(byDefault.json["channel"] as? String == "email-external")
        }
    }

    @Test("batch answers up to 1,000 records in order, in check or redact mode")
    func batch() async throws {
        try await ServeHarness.with { server in
            let records: [[String: Any]] = (0..<1_000).map { index in
                ["id": "r\(index)", "channel": "chat", "text": index % 3 == 0 ? Secrets.ninoOnly : "order \(index) shipped"]
            }
            let answer = try await server.postJSON("/v1/batch", ["records": records, "mode": "redact"])
            #expect(answer.status == 200)
            let results = answer.json["results"] as? [[String: Any]] ?? []
            #expect(results.count == 1_000)
            #expect(results.map { $0["id"] as? String ?? "" } == (0..<1_000).map { "r\($0)" })
            #expect(results[3]["verdict"] as? String == "redact")
            #expect(results[4]["text"] as? String == "order 4 shipped")
            let tooMany = try await server.postJSON("/v1/batch", ["records": records + [["text": "x"]]])
            #expect(tooMany.status == 413)
            #expect(tooMany.errorCode == "too_many_records")
            let badMode = try await server.postJSON("/v1/batch", ["records": [], "mode": "shred"])
            #expect(badMode.status == 400)
        }
    }

    @Test("mail takes message/rfc822 and returns the redacted message as redact --input eml does")
    func mail() async throws {
        try await ServeHarness.with { server in
            let message = "From: agent@example.co.uk\r\nTo: customer@gmail.com\r\nSubject: Your refund\r\nMessage-ID: <a1@example.co.uk>\r\n\r\n"
                + "Hello, your NI number JG 10 37 55 A is on file.\r\n"
            let answer = try await server.send("POST", "/v1/mail", body: message, contentType: "message/rfc822")
            #expect(answer.status == 200)
            #expect(answer.json["channel"] as? String == "email-external")
            #expect(answer.json["verdict"] as? String == "redact")
            let redacted = answer.json["message"] as? String ?? ""
            #expect(redacted.contains("X-Redline-Verdict: redact"))
            #expect(redacted.contains("Subject: Your refund"))
            #expect(!redacted.contains("JG 10 37 55 A"))
            let forced = try await server.send("POST", "/v1/mail?channel=email-internal", body: message, contentType: "message/rfc822")
            #expect(forced.json["verdict"] as? String == "flag")
            let wrongType = try await server.send("POST", "/v1/mail", body: message, contentType: "application/json")
            #expect(wrongType.status == 415)
            let empty = try await server.send("POST", "/v1/mail", body: "", contentType: "message/rfc822")
            #expect(empty.status == 400)
            #expect(empty.errorCode == "empty_body")
        }
    }

    @Test("the playground is off by default; with --playground / is one page under a hash-pinned CSP")
    func playground() async throws {
        try await ServeHarness.with { server in
            let off = try await server.send("GET", "/", token: nil)
            #expect(off.status == 404)
        }
        try await ServeHarness.with(configure: { $0.playground = true }) { server in
            let page = try await server.send("GET", "/", token: nil)
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            let csp = page.headers["content-security-policy"] ?? ""
            #expect(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'") && !csp.contains("unsafe"))
            #expect(csp.contains("require-trusted-types-for 'script'"))
            // Exactly one inline script and one inline style, each allowed by its SHA-256 and nothing else.
            #expect(page.body.components(separatedBy: "<script>").count == 2 && page.body.components(separatedBy: "<style>").count == 2)
            for (open, close, directive) in [("<script>", "</script>", "script-src"), ("<style>", "</style>", "style-src")] {
                let inline = page.body.components(separatedBy: open)[1].components(separatedBy: close)[0]
                let digest = Data(SHA256.hash(data: Data(inline.utf8))).base64EncodedString()
                #expect(csp.contains("\(directive) 'sha256-\(digest)'"))
            }
            #expect(!page.body.contains("src=") && !page.body.contains("href=") && !page.body.contains("http://"))
        }
    }

    @Test("another method on an endpoint is 405 with Allow; null optional fields are the same as absent")
    func methodsAndNulls() async throws {
        try await ServeHarness.with { server in
            for (method, path, allowed) in [("TRACE", "/healthz", "GET"), ("POST", "/metrics", "GET"), ("DELETE", "/v1/policy", "GET"),
                                            ("GET", "/v1/check", "POST"), ("PUT", "/v1/mail", "POST")] {
                let answer = try await server.send(method, path)
                #expect(answer.status == 405, "\(method) \(path)")
                #expect(answer.headers["allow"] == allowed)
                #expect(answer.errorCode == "method_not_allowed")
            }
            #expect(try await server.send("GET", "/nowhere").status == 404)
            let nulls = try await server.send("POST", "/v1/check", body: "{\"text\":\"\(Secrets.ninoOnly)\",\"channel\":null,\"recipients\":null,\"id\":null}")
            #expect(nulls.status == 200)
            #expect(nulls.json["channel"] as? String == "email-external")
            let batch = try await server.send("POST", "/v1/batch", body: "{\"records\":[{\"text\":\"hi\"}],\"mode\":null}")
            #expect(batch.status == 200)
        }
    }

    @Test("policy says what policy explain says, as JSON")
    func policy() async throws {
        try await ServeHarness.with { server in
            let answer = try await server.send("GET", "/v1/policy")
            #expect(answer.status == 200)
            #expect(answer.json["default_channel"] as? String == "email-external")
            let channels = answer.json["channels"] as? [[String: Any]] ?? []
            let chat = channels.first { $0["name"] as? String == "chat" }
            let rules = chat?["rules"] as? [[String: Any]] ?? []
            #expect(rules.contains { $0["id"] as? String == "card-never-leaves" && $0["action"] as? String == "block" })
            #expect((answer.json["detectors"] as? [[String: Any]])?.contains { $0["id"] as? String == "card" } == true)
        }
    }
}
