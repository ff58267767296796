import Foundation
import Testing

@Suite("redline check, end to end")
struct CheckCommandTests {
    @Test("a clean text exits 0 and prints nothing")
    func cleanTextExitsZero() throws {
        let result = try Redline.run(["check"], input: Array("Your order 58213 ships on Tuesday.\n".utf8))
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    @Test("a card number on stdin is reported as -:line:col with a masked excerpt and exits 1")
    func cardOnStdin() throws {
        let result = try Redline.run(["check", "--color", "never"], input: Array("hello\nmy card is 4111 1111 1111 1111 ok\n".utf8))
        #expect(result.status == 1)
        // Issue 17.3: the rule's message for the sender follows the finding.
        #expect(result.out == "-:2:12: card-never-leaves [block] card: **** **** **** 1111 — Card numbers must never be sent. Take payments through the payment page only.\n"
                + "-- 1 finding; policy 'uk-default' (<embedded uk-default>, embedded default: no --policy, REDLINE_POLICY or .redline.yaml)\n")
        #expect(!result.out.contains("4111 1111"))
    }

    @Test("--fail-on block lets a flag-only text exit 0, and still reports it")
    func failOnBlock() throws {
        let input = Array("Deliver to LS6 2AB please\n".utf8)
        let flagged = try Redline.run(["check", "--channel", "chat"], input: input)
        #expect(flagged.status == 1)
        let relaxed = try Redline.run(["check", "--channel", "chat", "--fail-on", "block"], input: input)
        #expect(relaxed.status == 0)
        #expect(relaxed.out.contains("[flag] postcode"))
    }

    @Test("allow decisions are reported too")
    func allowIsReported() throws {
        let result = try Redline.run(["check", "--channel", "email-internal"], input: Array("call 07700 900123\n".utf8))
        #expect(result.status == 0)
        #expect(result.out.contains("[allow] phone"))
    }

    @Test("usage errors exit 2, never argument-parser's 64")
    func usageErrorsExitTwo() throws {
        #expect(try Redline.run(["check", "--no-such-flag"]).status == 2)
        #expect(try Redline.run(["check", "--format", "xml"]).status == 2)
        #expect(try Redline.run(["check", "--fail-on", "allow"]).status == 2)
        #expect(try Redline.run(["frobnicate"]).status == 2)
    }

    @Test("--help and --version exit 0 and document the exit codes")
    func helpExitsZero() throws {
        let help = try Redline.run(["--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("Exit codes"))
        #expect(try Redline.run(["--version"]).status == 0)
        let checkHelp = try Redline.run(["check", "--help"])
        #expect(checkHelp.out.contains("Exit codes"))
    }

    @Test("a missing policy file exits 2 with a file:line:col diagnostic")
    func missingPolicy() throws {
        let result = try Redline.run(["check", "--policy", "/nonexistent/policy.yaml"], input: Array("x\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/policy.yaml:1:1: error[P016]: policy file not found"))
        #expect(result.stdout.isEmpty)
    }

    @Test("a bad policy exits 2 with every error, and is never replaced by the default")
    func badPolicyFailsClosed() throws {
        let dir = try Redline.temporaryDirectory()
        let policy = try Redline.write("""
            name: broken
            detectors:
              card: { kind: payment_crad }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chta
            rules:
              - { id: r1, detectors: [card], channels: "*", action: blok }
            """, to: dir, name: "bad.yaml")
        let result = try Redline.run(["check", "--policy", policy], input: Array("4111 1111 1111 1111\n".utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml:3:17: error[P005]: unknown detector kind 'payment_crad'; did you mean 'payment_card'?"))
        #expect(result.stderr.contains("error[P010]"))
        #expect(result.stdout.isEmpty)
    }

    @Test("REDLINE_POLICY and a .redline.yaml found walking up are used")
    func policyDiscovery() throws {
        let dir = try Redline.temporaryDirectory()
        let nested = (dir as NSString).appendingPathComponent("a/b")
        try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        _ = try Redline.write("""
            name: only-postcodes
            detectors:
              pc: { kind: uk_postcode }
            channels:
              chat: { encrypted: false, external: true }
            default_channel: chat
            rules:
              - { id: pc-block, detectors: [pc], channels: "*", action: block }
            """, to: dir, name: ".redline.yaml")
        let found = try Redline.run(["check"], input: Array("LS6 2AB\n".utf8), directory: nested)
        #expect(found.out.contains("pc-block [block] pc"))
        let viaEnv = try Redline.run(["check"], input: Array("LS6 2AB\n".utf8), environment: ["REDLINE_POLICY": (dir as NSString).appendingPathComponent(".redline.yaml")])
        #expect(viaEnv.out.contains("pc-block [block] pc"))
    }

    @Test("an unreadable file makes the check partial: exit 2 even with findings elsewhere")
    func unreadableFileIsPartial() throws {
        let dir = try Redline.temporaryDirectory()
        let good = try Redline.write("card 4111 1111 1111 1111\n", to: dir, name: "good.txt")
        let result = try Redline.run(["check", good, (dir as NSString).appendingPathComponent("missing.txt")])
        #expect(result.status == 2)
        #expect(result.out.contains("card-never-leaves"))
        #expect(result.stderr.contains("missing.txt"))
    }

    @Test("invalid UTF-8 and NUL bytes are scanned, not rejected")
    func invalidUTF8IsScanned() throws {
        var input: [UInt8] = Array("bad \u{FF}".utf8)
        input += [0xFF, 0xFE, 0x00, 0x20]
        input += Array("card 4111 1111 1111 1111\n".utf8)
        let result = try Redline.run(["check"], input: input)
        #expect(result.status == 1)
        #expect(result.out.contains("card: **** **** **** 1111"))
    }

    @Test("many files after an option and its value are all checked, in the order given, whether options come first or last")
    func manyFilesInOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("redline-many-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String] = []
        for index in 0..<6 {
            let file = folder.appendingPathComponent("note-\(index).txt").path
            try Data("line one\ncall 07700 900\(100 + index)\n".utf8).write(to: URL(fileURLWithPath: file))
            files.append(file)
        }
        func shownFiles(_ arguments: [String]) throws -> [String] {
            let result = try Redline.run(arguments)
            #expect(result.status == 1, "\(result.stderr)")
            return result.out.split(separator: "\n").filter { $0.contains("[") }.map { String($0.prefix { $0 != ":" }) }
        }
        let optionsFirst = try shownFiles(["check", "--color", "never", "--channel", "chat"] + files)
        #expect(optionsFirst == files)
        let optionsLast = try shownFiles(["check"] + files + ["--channel", "chat", "--color", "never"])
        #expect(optionsLast == files)
        // A single file after an option and its value.
        #expect(try shownFiles(["check", "--color", "never", files[2]]) == [files[2]])
        // --recipient takes every plain argument after it: the files there are recipients, as before.
        let recipients = try Redline.run(["check", "--color", "never", files[0], "--recipient", "a@example.com"] + files.dropFirst())
        let shown = recipients.out.split(separator: "\n").filter { $0.contains("[") }
        #expect(!shown.isEmpty, "\(recipients.stderr)")
        #expect(shown.allSatisfy { $0.hasPrefix(files[0] + ":") })
    }
}
