import Foundation
import Testing

/// The command line as a user meets it (issue 17.4, 17.8, 17.9): one policy discovery for every
/// command, key files, "did you mean", usage lines and examples in the help.
@Suite("redline command line: discovery, keys, suggestions, help")
struct CommandLinePolishTests {
    static let warned = """
        name: warned
        detectors:
          card: { kind: payment_card }
          nino: { kind: uk_nino }
        channels:
          chat: { encrypted: false, external: true }
        default_channel: chat
        rules:
          - { id: cards, detectors: [card], channels: "*", action: block }
        examples:
          - { text: "card 4111 1111 1111 1111", channel: chat, verdict: block }
          - { text: "NI QQ 12 34 56 C", channel: chat, verdict: redact }
        """

    @Test("policy check prints warnings but passes; --strict makes them fatal")
    func strictWarnings() throws {
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write(Self.warned, to: dir, name: "warned.yaml")
        let lenient = try Redline.run(["policy", "check", path])
        #expect(lenient.status == 0)
        #expect(lenient.out.contains("ok: policy 'warned'"))
        #expect(lenient.out.contains("1 warning(s)"))
        #expect(lenient.stderr.contains("\(path):4:3: warning[P102]: detector 'nino' is used by no rule"))
        #expect(lenient.stderr.contains("  hint: "))
        let strict = try Redline.run(["policy", "check", "--strict", "--policy", path])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("fatal with --strict"))
    }

    @Test("policy check, test, explain and detectors find .redline.yaml walking up, as check does")
    func sameDiscoveryEverywhere() throws {
        let dir = try Redline.temporaryDirectory()
        let nested = (dir as NSString).appendingPathComponent("a/b")
        try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        _ = try Redline.write(Self.warned, to: dir, name: ".redline.yaml")
        let check = try Redline.run(["policy", "check"], directory: nested)
        #expect(check.status == 0)
        #expect(check.out.contains("ok: policy 'warned' (.redline.yaml found walking up from the working directory)"))
        let test = try Redline.run(["policy", "test"], directory: nested)
        #expect(test.status == 1)
        #expect(test.out.contains("1 passed, 1 failed"))
        let explain = try Redline.run(["policy", "explain"], directory: nested)
        #expect(explain.out.contains("Policy 'warned'"))
        #expect(explain.out.contains(".redline.yaml found walking up"))
        let detectors = try Redline.run(["detectors"], directory: nested)
        #expect(detectors.out.contains("Detectors of policy 'warned'"))
        #expect(detectors.out.contains("  nino (uk_nino)"))
        // REDLINE_POLICY comes before .redline.yaml; --policy before both.
        let viaEnv = try Redline.run(["policy", "explain"], environment: ["REDLINE_POLICY": Redline.path("Policies/pci-strict.yaml")], directory: nested)
        #expect(viaEnv.out.contains("Policy 'pci-strict'"))
        #expect(viaEnv.out.contains("from REDLINE_POLICY"))
        let explicit = try Redline.run(["detectors", "--policy", Redline.path("Policies/gdpr-strict.yaml")], directory: nested)
        #expect(explicit.out.contains("Detectors of policy 'gdpr-strict'"))
        // Nothing found: the embedded default, said so.
        let embedded = try Redline.run(["policy", "check"], directory: "/")
        #expect(embedded.out.contains("ok: policy 'uk-default' (embedded default"))
    }

    @Test("check and scan text output name the policy and where it came from")
    func reportsNameThePolicy() throws {
        let dir = try Redline.temporaryDirectory()
        _ = try Redline.write(Self.warned, to: dir, name: ".redline.yaml")
        let file = try Redline.write("card 4111 1111 1111 1111\n", to: dir, name: "draft.txt")
        let check = try Redline.run(["check", "draft.txt"], directory: dir)
        #expect(check.status == 1)
        #expect(check.out.hasSuffix("-- 1 finding; policy 'warned' (\(dir)/.redline.yaml, .redline.yaml found walking up from the working directory)\n"))
        let scan = try Redline.run(["scan", "--quiet", file], directory: dir)
        #expect(scan.out.contains("policy warned (sha256 "))
        #expect(scan.out.contains("from \(dir)/.redline.yaml (.redline.yaml found walking up"))
    }

    @Test("policy test --failures-only prints only failures, each with the example's text")
    func failuresOnly() throws {
        let dir = try Redline.temporaryDirectory()
        let path = try Redline.write(Self.warned, to: dir, name: "warned.yaml")
        let result = try Redline.run(["policy", "test", "--failures-only", path])
        #expect(result.status == 1)
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(!lines.contains { $0.hasPrefix("PASS") })
        #expect(lines.count == 3, "\(lines)")
        #expect(lines[0].hasPrefix("FAIL \(path):12:5: message on chat → redact: verdict allow"))
        #expect(lines[1] == "    text: \"NI QQ 12 34 56 C\"")
        #expect(lines[2] == "1 passed, 1 failed")
    }

    @Test("a misspelt subcommand or value gets a suggestion and exit 2; the usage line names the subcommand")
    func didYouMean() throws {
        let command = try Redline.run(["chek", "x.txt"])
        #expect(command.status == 2)
        #expect(command.stderr.contains("'chek' is not a redline command; did you mean 'check'?"))
        let nested = try Redline.run(["policy", "tset"])
        #expect(nested.status == 2)
        #expect(nested.stderr.contains("'tset' is not a redline policy command; did you mean 'test'?"))
        let value = try Redline.run(["check", "--format", "jsn"])
        #expect(value.status == 2)
        #expect(value.stderr.contains("--format must be one of text, json, jsonl, sarif, got 'jsn'; did you mean 'json'?"))
        #expect(value.stderr.contains("Usage: redline check "))
        let scanFormat = try Redline.run(["scan", "--format", "htm", "."])
        #expect(scanFormat.stderr.contains("did you mean 'html'?"))
        #expect(scanFormat.stderr.contains("Usage: redline scan "))
        let input = try Redline.run(["redact", "--input", "jsnl"])
        #expect(input.status == 2)
        #expect(input.stderr.contains("did you mean 'jsonl'?"))
        #expect(input.stderr.contains("Usage: redline redact "))
        let onBlock = try Redline.run(["redact", "--on-block", "markr"])
        #expect(onBlock.stderr.contains("did you mean 'marker'?"))
        let badMap = try Redline.run(["scan", "--channel-map", "chat/**", "."])
        #expect(badMap.status == 2)
        #expect(badMap.stderr.contains("--channel-map must be GLOB=CHANNEL"))
        #expect(badMap.stderr.contains("Usage: redline scan "))
        let unknownChannel = try Redline.run(["scan", "--quiet", "--channel-map", "chat/**=chatt", "."], directory: try Redline.temporaryDirectory())
        #expect(unknownChannel.status == 2)
        #expect(unknownChannel.stderr.contains("has no channel 'chatt'; did you mean 'chat'?"))
        let milter = try Redline.run(["milter", "--check", "--on-limit", "tmpfail"])
        #expect(milter.status == 2)
        #expect(milter.stderr.contains("did you mean 'tempfail'?"))
        #expect(milter.stderr.contains("Usage: redline milter "))
        let explainChannel = try Redline.run(["policy", "explain", "--channel", "chatt"])
        #expect(explainChannel.status == 2)
        #expect(explainChannel.stderr.contains("no channel named 'chatt'"))
        #expect(explainChannel.stderr.contains("did you mean 'chat'?"))
    }

    @Test("each subcommand's help ends with examples, and no option says its default twice",
          arguments: [["check"], ["redact"], ["scan"], ["policy", "check"], ["policy", "test"], ["policy", "explain"], ["detectors"], ["key", "generate"],
                      ["sendmail"], ["milter"], ["audit", "verify"], ["audit", "head"], ["edm", "build"],
                      ["report", "merge"]])
    func helpEndsWithExamples(_ command: [String]) throws {
        let help = try Redline.run(command + ["--help"])
        #expect(help.status == 0)
        let examples = try #require(help.out.range(of: "\nEXAMPLES:\n"))
        let lines = help.out[examples.upperBound...].split(separator: "\n")
        let commandLines = lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("      ") }
        #expect(commandLines.count >= 2 && commandLines.count <= 3)
        #expect(commandLines.allSatisfy { $0.contains("redline ") })
        #expect(!help.out[examples.upperBound...].contains("OPTIONS:"))
        // One "(default: …)" per option at most.
        let options = help.out.components(separatedBy: "\n  -")
        for option in options { #expect(option.components(separatedBy: "(default").count <= 2, "\(option)") }
        let viaHelp = try Redline.run(["help"] + command)
        #expect(viaHelp.out.contains("EXAMPLES:"))
    }

    @Test("key generate writes 32 random bytes as hex, mode 0600, and refuses to overwrite without --force")
    func keyGenerate() throws {
        let dir = try Redline.temporaryDirectory()
        let path = (dir as NSString).appendingPathComponent("key")
        let first = try Redline.run(["key", "generate", "--output", path])
        #expect(first.status == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.count == 65 && text.hasSuffix("\n"))
        #expect(text.dropLast().allSatisfy { $0.isHexDigit })
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let again = try Redline.run(["key", "generate", "--output", path])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        let forced = try Redline.run(["key", "generate", "--output", path, "--force"])
        #expect(forced.status == 0)
        let replaced = try String(contentsOfFile: path, encoding: .utf8)
        #expect(replaced != text && replaced.count == 65)
        // The key works where keys are used.
        let scan = try Redline.run(["scan", "--quiet", "--key-file", path, "--write-baseline", dir + "/baseline.json", dir])
        #expect(scan.status == 0, "\(scan.stderr)")
        let missingFolder = try Redline.run(["key", "generate", "--output", dir + "/no/such/folder/key"])
        #expect(missingFolder.status == 2)
        #expect(missingFolder.stderr.contains("No such file or directory"))
    }

    @Test("a short, empty or unreadable key says which and why, and exits 2")
    func badKeys() throws {
        let dir = try Redline.temporaryDirectory()
        let short = try Redline.write("short-key\n", to: dir, name: "short")
        let empty = try Redline.write("\n", to: dir, name: "empty")
        let input = Array("card 4111 1111 1111 1111\n".utf8)
        let shortRun = try Redline.run(["check", "--key-file", short], input: input)
        #expect(shortRun.status == 2)
        #expect(shortRun.stderr.contains("key file \(short) holds 9 bytes; a key needs at least 16"))
        let emptyRun = try Redline.run(["check", "--key-file", empty], input: input)
        #expect(emptyRun.status == 2)
        #expect(emptyRun.stderr.contains("key file \(empty) is empty"))
        let missing = try Redline.run(["scan", "--quiet", "--key-file", dir + "/nope", dir])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read key file \(dir)/nope: No such file or directory"))
        let folder = try Redline.run(["check", "--key-file", dir], input: input)
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("cannot read key file \(dir): Is a directory"))
        let environment = try Redline.run(["check"], input: input, environment: ["REDLINE_KEY": "tiny"])
        #expect(environment.status == 2)
        #expect(environment.stderr.contains("REDLINE_KEY holds 4 bytes; a key needs at least 16"))
    }
}
