import Foundation
import Testing
import RedlineTool
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8: hostile input. Every case has a defined outcome, returns (hangs are caught by a
/// generous deadline, never by a timing assertion) and loses nothing: what passes is
/// byte-identical except where redacted or withheld.
@Suite("Hostile input", .serialized)
struct HostileInputTests {
    let card = "4111 1111 1111 1111"

    @Test("(a+)+$ on 200,000 a's: bounded by the match limit, reported per detector, decided fail-closed in every mode")
    func catastrophicRegex() throws {
        let dir = try Redline.temporaryDirectory()
        let policy = try Redline.write(Hostile.catastrophicPolicy(onError: "strictest"), to: dir, name: "p.yaml")
        let blockPolicy = try Redline.write(Hostile.catastrophicPolicy(onError: "block"), to: dir, name: "b.yaml")
        let run = "secret " + String(repeating: "a", count: 200_000) + "!"
        let text = try Redline.write("first line\n" + run + "\nlast line\n", to: dir, name: "t.txt")

        let check = try Hostile.run(["check", "--policy", policy, "--format", "json", text], deadline: 120)
        #expect(!check.hung)
        #expect(check.status == 1, "decided fail-closed as the strictest rule using the detector (redact)")
        #expect(check.stderr.contains("E100") && check.stderr.contains("detector 'evil'") && check.stderr.contains("rule 'evil-rule'"))
        #expect(!check.stderr.contains("aaaa") && !check.out.contains("aaaa"), "no input text in reports or diagnostics")

        // redact: the lines the detector could not finish are withheld; the others pass unchanged.
        let redact = try Hostile.run(["redact", "--policy", policy, text], deadline: 120)
        #expect(!redact.hung && redact.status == 0)
        #expect(!redact.out.contains("secret") && !redact.out.contains("aaaa"))
        #expect(redact.out.contains("[redline: withheld: detector 'evil' could not finish]"))
        #expect(redact.out.filter { $0 == "\n" }.count == 3, "one line out per line in")
        #expect(redact.stderr.contains("withheld"))

        // on_detector_error: block with --on-block fail: nothing written, exit 3.
        let blocked = try Hostile.run(["redact", "--policy", blockPolicy, "--on-block", "fail", text], deadline: 120)
        #expect(!blocked.hung && blocked.status == 3 && blocked.stdout.isEmpty)

        // JSONL, CSV and e-mail: the text is withheld, the rest of the record kept.
        let jsonl = try Redline.write("{\"id\":7,\"text\":\"\(run)\"}\n{\"id\":8,\"text\":\"fine\"}\n", to: dir, name: "r.jsonl")
        let records = try Hostile.run(["redact", "--policy", policy, jsonl], deadline: 120)
        #expect(records.status == 0)
        #expect(records.out == "{\"id\":7,\"text\":\"[redline: withheld: detector 'evil' could not finish]\"}\n{\"id\":8,\"text\":\"fine\"}\n")
        let csv = try Redline.write("id,text\n7,\(run)\n8,fine\n", to: dir, name: "r.csv")
        let rows = try Hostile.run(["redact", "--policy", policy, csv], deadline: 120)
        #expect(rows.status == 0 && rows.out == "id,text\n7,[redline: withheld: detector 'evil' could not finish]\n8,fine\n")
        let eml = try Redline.write("Subject: hello\nTo: a@example.com\n\n\(run)\n", to: dir, name: "m.eml")
        let mail = try Hostile.run(["redact", "--policy", policy, eml], deadline: 120)
        #expect(mail.status == 0 && !mail.out.contains("aaaa") && !mail.out.contains("secret"))
        #expect(mail.out.contains("X-Redline-Verdict: redact"))
    }

    @Test("issue 15: a withheld window gets one marker, not one per line, and keeps its line count")
    func withheldWindowOnce() throws {
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let policy = try Redline.write(Hostile.catastrophicPolicy(onError: "strictest"), to: dir, name: "p.yaml")
        let lines = String(repeating: "12\n", count: 20_000)
        let input = "secret " + String(repeating: "a", count: 200_000) + "!\n" + lines
        let text = try Redline.write(input, to: dir, name: "t.txt")
        let redact = try Hostile.run(["redact", "--policy", policy, text], deadline: 120)
        #expect(!redact.hung && redact.status == 0)
        #expect(redact.out.filter { $0 == "\n" }.count == 20_001, "one line out per line in")
        #expect(redact.out.utf8.count < input.utf8.count, "the output does not grow: \(redact.out.utf8.count) bytes for \(input.utf8.count)")
        #expect(redact.out.components(separatedBy: "[redline: withheld").count - 1 == 1)
        #expect(!redact.out.contains("aaaa") && !redact.out.contains("12"))
    }

    @Test("issue 15: a file of benign digit lines passes redaction unchanged (no detector gives up on it)")
    func benignDigitLines() throws {
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var input = ""
        for index in 0..<60_000 { input += "\(index % 97) \(index % 13)\n" }
        let text = try Redline.write(input, to: dir, name: "digits.txt")
        let redact = try Hostile.run(["redact", text], deadline: 120)
        #expect(!redact.hung && redact.status == 0)
        #expect(!redact.stderr.contains("withheld") && !redact.stderr.contains("E100"), "\(redact.stderr.prefix(300))")
        #expect(redact.out == input)
    }

    @Test("a 100 MB single line: streamed, cards at the start, the middle and the end masked, every other byte kept")
    func hundredMegabyteLine() throws {
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/line.txt", output = dir + "/out.txt"
        let filler = "order ORD-1234 shipped 12 34 56 ok "
        let half = 50 << 20
        try Hostile.writeRepeated(filler, bytes: half, head: "card \(card) ", tail: " card \(card) ", to: input + ".a")
        try Hostile.writeRepeated(filler, bytes: half, tail: " card \(card)", to: input + ".b")
        // Join the halves without loading them.
        FileManager.default.createFile(atPath: input, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: input))
        for part in [input + ".a", input + ".b"] {
            let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: part))
            while let data = try reader.read(upToCount: 1 << 20), !data.isEmpty { handle.write(data) }
            try reader.close()
            try FileManager.default.removeItem(atPath: part)
        }
        try handle.close()
        #expect(Hostile.size(input) > 100_000_000)

        let result = try Hostile.run(["redact", "--channel", "chat", "--output", output, input], readStdout: false, deadline: 900)
        #expect(!result.hung && result.status == 0)
        #expect(Hostile.size(output) == Hostile.size(input), "masks keep the length: nothing lost or added")
        // Compare block by block: the only differences are the three masked cards.
        let a = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
        let b = try FileHandle(forReadingFrom: URL(fileURLWithPath: output))
        var differing = 0
        var masked = 0
        while let x = try a.read(upToCount: 1 << 20), !x.isEmpty {
            let y = try b.read(upToCount: x.count) ?? Data()
            if x != y {
                for (p, q) in zip(x, y) where p != q {
                    differing += 1
                    if q == UInt8(ascii: "*") { masked += 1 }
                }
            }
        }
        #expect(differing == 3 * 12 && masked == differing, "exactly 12 digits masked per card")
        #expect(!result.stderr.contains(card))
    }

    @Test("a header flood (100,000 fields) is read; the body is still checked and every field kept on redaction")
    func headerFlood() throws {
        let dir = try Redline.temporaryDirectory()
        var message = "From: a@example.com\nTo: b@example.com\n"
        for index in 0..<100_000 { message += "X-Flood-\(index): value \(index)\n" }
        message += "Subject: refund\n\nNI AB123456C please\n"
        let path = try Redline.write(message, to: dir, name: "flood.eml")
        let check = try Hostile.run(["check", path], deadline: 300)
        #expect(!check.hung && check.status == 1 && check.out.contains("nino"))
        let redact = try Hostile.run(["redact", path], deadline: 300)
        #expect(redact.status == 0 && !redact.out.contains("AB123456C"))
        #expect(redact.out.components(separatedBy: "\nX-Flood-").count == 100_001, "every header field kept")
    }

    @Test("10,000 MIME parts: every part read, the NI number in the last one found and redacted, the others kept")
    func tenThousandParts() throws {
        let dir = try Redline.temporaryDirectory()
        var message = "To: b@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\npreamble\n"
        for index in 0..<10_000 {
            message += "--b\nContent-Type: text/plain\n\npart \(index)\(index == 9_999 ? " NI AB123456C" : "")\n"
        }
        message += "--b--\n"
        let path = try Redline.write(message, to: dir, name: "parts.eml")
        let check = try Hostile.run(["check", "--format", "json", path], deadline: 300)
        #expect(!check.hung && check.status == 1 && check.out.contains("10000"), "the finding names part 10000")
        let redact = try Hostile.run(["redact", path], deadline: 300)
        #expect(redact.status == 0 && !redact.out.contains("AB123456C"))
        #expect(redact.out.components(separatedBy: "\n--b\n").count == 10_001)
        #expect(redact.out.contains("part 9998\n"))
    }

    @Test("deep nesting: 5,000 nested multiparts and 100,000 nested JSON arrays end with a defined outcome")
    func deepNesting() throws {
        let dir = try Redline.temporaryDirectory()
        var message = "To: b@example.com\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n"
        for depth in 1..<5_000 { message += "--b\(depth - 1)\nContent-Type: multipart/mixed; boundary=\"b\(depth)\"\n\n" }
        message += "--b4999\nContent-Type: text/plain\n\ncard \(card)\n"
        let path = try Redline.write(message, to: dir, name: "deep.eml")
        let check = try Hostile.run(["check", path], deadline: 300)
        #expect(!check.hung && !check.signalled)
        #expect(check.status == 1 && check.out.contains("card"), "below the depth limit the rest is scanned as text")
        #expect(check.stderr.contains("more diagnostics not listed"), "5,000 M001 warnings are rate-limited on stderr")

        let json = "{\"deep\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + ",\"text\":\"card \(card)\"}\n"
        let jsonl = try Redline.write(json + "{\"text\":\"ok\"}\n", to: dir, name: "deep.jsonl")
        let redact = try Hostile.run(["redact", jsonl], deadline: 120)
        #expect(!redact.signalled && redact.status == 0)
        #expect(redact.out == "{\"redline_error\":\"malformed JSON record\",\"record\":0}\n{\"text\":\"ok\"}\n")
        #expect(redact.stderr.contains("nesting too deep") && !redact.stderr.contains(card))
    }

    @Test("invalid UTF-8 and NUL bytes around a card: the card is masked, every other byte passes unchanged")
    func invalidUTF8AndNULs() throws {
        let hostile: [UInt8] = [0xFF, 0x00, 0xC3] + Array(" card \(card) ".utf8) + [0xED, 0xA0, 0x80, 0x00, 0x0A]
        let result = try Hostile.run(["redact", "--channel", "chat"], input: hostile, deadline: 60)
        #expect(result.status == 0)
        let expected: [UInt8] = [0xFF, 0x00, 0xC3] + Array(" card **** **** **** 1111 ".utf8) + [0xED, 0xA0, 0x80, 0x00, 0x0A]
        #expect(result.stdout == expected)
        let jsonl = Array("{\"text\":\"nul \\u0000 card \(card)\",\"raw\":\"\u{FFFD}\"}\n".utf8)
        let records = try Hostile.run(["redact", "--input", "jsonl", "--channel", "chat"], input: jsonl, deadline: 60)
        #expect(records.status == 0 && records.out == "{\"text\":\"nul \\u0000 card **** **** **** 1111\",\"raw\":\"\u{FFFD}\"}\n")
    }

    @Test("truncated base64 and quoted-printable: reported, what decodes is checked")
    func truncatedEncodings() throws {
        let dir = try Redline.temporaryDirectory()
        let encoded = Data("Card number \(card) thanks".utf8).base64EncodedString()
        let truncated = String(encoded.dropLast(5))
        let b64 = try Redline.write("To: b@example.com\nContent-Transfer-Encoding: base64\n\n\(truncated)\n", to: dir, name: "b64.eml")
        let check = try Hostile.run(["check", b64], deadline: 60)
        #expect(check.status == 1 && check.out.contains("card") && check.stderr.contains("M002"))
        let qp = try Redline.write("To: b@example.com\nContent-Transfer-Encoding: quoted-printable\n\nNI AB12=\n3456C =4", to: dir, name: "qp.eml")
        let qpCheck = try Hostile.run(["check", qp], deadline: 60)
        #expect(qpCheck.status == 1 && qpCheck.out.contains("nino") && qpCheck.stderr.contains("M003"))
    }

    @Test("a 10 MB policy file and a billion-laughs policy fail closed with P013, promptly")
    func hostilePolicies() throws {
        let dir = try Redline.temporaryDirectory()
        let big = dir + "/big.yaml"
        try Hostile.writeRepeated("# padding padding padding padding padding padding padding\n", bytes: 10 << 20,
                                  head: "version: 1\nname: big\n", to: big)
        let bigRun = try Hostile.run(["check", "--policy", big], input: Array("card \(card)\n".utf8), deadline: 120)
        #expect(!bigRun.hung && bigRun.status == 2 && bigRun.stderr.contains("P013") && bigRun.stdout.isEmpty)

        var laughs = "version: 1\nname: laughs\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...12 {
            laughs += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let laughsPath = try Redline.write(laughs, to: dir, name: "laughs.yaml")
        let laughsRun = try Hostile.run(["redact", "--policy", laughsPath], input: Array("card \(card)\n".utf8), deadline: 120)
        #expect(!laughsRun.hung && laughsRun.status == 2 && laughsRun.stderr.contains("P013"))
        #expect(laughsRun.stdout.isEmpty, "never falls back to the default policy and passes the text")
    }
}
