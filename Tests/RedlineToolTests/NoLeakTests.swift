import Foundation
import Testing

/// Issue 8: the no-leak guarantee. Every command and output format runs over inputs holding known
/// PII values; none of those values, in any written form (as written, without separators), may
/// appear in reports, files, logs, stderr or error messages. The only place a value may appear is
/// the message output of `redact`, and only when the policy lets it pass (a flag decision). JSONL
/// and CSV fields other than the text field are not scanned by `check` and `redact` without
/// `--all-fields` and pass unchanged (README), so the inputs keep PII in text fields, plus a
/// flagged value in a channel field that must not be echoed. Record ids hold an NI number (masked
/// in every report and in block markers, issue 15 group 4), and `fields.jsonl`/`fields.csv` hold
/// values under member and column names that are themselves values (masked where a finding names
/// its field path); those two are not redacted (names pass unchanged in the output).
@Suite("No raw PII outside the output the policy lets pass", .serialized)
struct NoLeakTests {
    /// Values `redact` must remove on email-external under uk-default (block or redact rules).
    static let removed = ["4111 1111 1111 1111", "AB 12 34 56 C", "943 476 5919", "40-47-84", "70872490", "GB82 WEST 1234 5698 7654 32"]
    /// Values uk-default only flags on email-external: they pass in the message output, nowhere else.
    static let flagged = ["07700 900123", "jane.doe@example.com", "SW1A 1AA"]

    /// Every written form: as given, and with spaces and hyphens removed.
    static func forms(_ values: [String]) -> [String] {
        Array(Set(values.flatMap { [$0, $0.filter { $0 != " " && $0 != "-" }] }))
    }

    static let sentence = "Card 4111 1111 1111 1111, NI AB 12 34 56 C, NHS number 943 476 5919, bank sort code 40-47-84 account 70872490, "
        + "IBAN GB82 WEST 1234 5698 7654 32, phone 07700 900123, mail jane.doe@example.com, postcode SW1A 1AA."

    /// Asserts that no form of `values` appears in `text`.
    static func expectClean(_ text: String, _ values: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for form in forms(values) where text.contains(form) {
            Issue.record("\(what) contains '\(form)'", sourceLocation: sourceLocation)
        }
    }

    struct Inputs {
        var dir: String
        var keyFile: String
        var files: [String: String]   // mode → path
    }

    static func makeInputs() throws -> Inputs {
        let dir = try Redline.temporaryDirectory()
        let keyFile = try Redline.write("no-leak-test-key\n", to: dir, name: "key")
        let s = sentence
        var files: [String: String] = [:]
        files["text"] = try Redline.write("Hello,\n\(s)\nThanks\n", to: dir, name: "draft.txt")
        files["jsonl"] = try Redline.write("""
            {"id":"AB123456C","channel":"chat","text":"\(s)"}
            {"id":"T2","channel":"jane.doe@example.com","text":"\(s)"}
            {"id":"T3","text":"card 4111 1111 1111 1111 unterminated
            {"id":"T4","text":"fine"}

            """, to: dir, name: "tickets.jsonl")
        files["csv"] = try Redline.write("id,text\nAB 12 34 56 C,\"\(s)\"\n2,plain\n", to: dir, name: "replies.csv")
        files["fields.jsonl"] = try Redline.write(#"{"id":"AB123456C","meta":{"4111 1111 1111 1111":"NI AB 12 34 56 C"},"items":[{"jane.doe@example.com":"\#(s)"}],"text":"fine"}"# + "\n",
                                                  to: dir, name: "fields.jsonl")
        files["fields.csv"] = try Redline.write("id,text,4111 1111 1111 1111\nAB123456C,fine,\"\(s)\"\n", to: dir, name: "fields.csv")
        let mail = "From: agent@example.co.uk\nTo: customer@example.org\nSubject: your NI AB 12 34 56 C\n"
            + "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n\(s)\n"
            + "--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
            + Data(s.utf8).base64EncodedString() + "\n--b--\n"
        files["eml"] = try Redline.write(mail, to: dir, name: "mail.eml")
        files["mbox"] = try Redline.write("From a@b Mon Jan  1 00:00:00 2024\n" + mail + "\nFrom c@d Tue Jan  2 00:00:00 2024\n" + mail,
                                          to: dir, name: "box.mbox")
        return Inputs(dir: dir, keyFile: keyFile, files: files)
    }

    static let all = removed + flagged

    @Test("check: every input mode and report format, stdout, stderr and --output files, with and without a key")
    func check() throws {
        let inputs = try Self.makeInputs()
        for (mode, path) in inputs.files.sorted(by: { $0.key < $1.key }) {
            let records = path.hasSuffix(".jsonl") || path.hasSuffix(".csv")
            // fields.*: their values are outside the text field; only --all-fields finds them.
            let combinations = mode.hasPrefix("fields.") ? [(false, true), (true, true)]
                : [(false, false), (true, false)] + (records ? [(false, true), (true, true)] : [])
            for format in ["text", "json", "jsonl", "sarif"] {
                for (keyed, allFields) in combinations {
                    let output = inputs.dir + "/report-\(mode)-\(format)-\(keyed)-\(allFields)"
                    var arguments = ["check", "--format", format, "--channel-field", "channel", "--color", "always", path]
                    if keyed { arguments += ["--key-file", inputs.keyFile, "--output", output, "--audit", inputs.dir + "/audit-check.log"] }
                    if allFields { arguments.append("--all-fields") }
                    let result = try Hostile.run(arguments, deadline: 120, directory: inputs.dir)
                    let what = "check \(mode) --format \(format)\(keyed ? " keyed" : "")\(allFields ? " --all-fields" : "")"
                    #expect(result.status == 1 || result.status == 2, "\(what): \(result.stderr)")
                    #expect(keyed || !result.stdout.isEmpty, "\(what): a report was written")
                    Self.expectClean(result.out, Self.all, "\(what) stdout")
                    Self.expectClean(result.stderr, Self.all, "\(what) stderr")
                    if keyed { Self.expectClean((try? String(contentsOfFile: output, encoding: .utf8)) ?? "", Self.all, "\(what) --output") }
                }
            }
        }
        Self.expectClean(try String(contentsOfFile: inputs.dir + "/audit-check.log", encoding: .utf8), Self.all, "check audit log")
    }

    @Test("redact: the output holds only values the policy lets pass (flagged); stderr and markers hold none")
    func redact() throws {
        let inputs = try Self.makeInputs()
        for (mode, path) in inputs.files.sorted(by: { $0.key < $1.key }) where mode != "mbox" {
            for onBlock in ["redact", "marker", "fail"] {
                // fields.*: names that hold values pass unchanged in the output (README); stderr must stay clean.
                let names = mode.hasPrefix("fields.")
                let result = try Hostile.run(["redact", "--on-block", onBlock, "--channel-field", "channel"] + (names ? ["--all-fields"] : []) + [path],
                                             deadline: 120, directory: inputs.dir)
                let what = "redact \(mode) --on-block \(onBlock)"
                if names {
                    Self.expectClean(result.stderr, Self.all, "\(what) stderr")
                    continue
                }
                #expect([0, 3].contains(result.status), "\(what): \(result.stderr)")
                // Without --all-fields the id field is not scanned and passes as it was (README):
                // everything else must be clean, block markers included (they carry the id masked).
                let passedIDs = result.out.replacingOccurrences(of: "\"id\":\"AB123456C\",\"channel\":\"chat\",\"text\"", with: "")
                    .replacingOccurrences(of: "\nAB 12 34 56 C,", with: "\n")
                Self.expectClean(passedIDs, Self.removed, "\(what) stdout")
                Self.expectClean(result.stderr, Self.all, "\(what) stderr")
                if mode == "jsonl" || mode == "csv" {
                    let all = try Hostile.run(["redact", "--on-block", onBlock, "--channel-field", "channel", "--all-fields", path],
                                              deadline: 120, directory: inputs.dir)
                    #expect([0, 3].contains(all.status), "\(what) --all-fields: \(all.stderr)")
                    Self.expectClean(all.out, Self.removed, "\(what) --all-fields stdout")
                    Self.expectClean(all.stderr, Self.all, "\(what) --all-fields stderr")
                }
            }
        }
        // --in-place and --output files, and a keyed audit log.
        let copy = inputs.dir + "/inplace.txt"
        try FileManager.default.copyItem(atPath: inputs.files["text"]!, toPath: copy)
        let inPlace = try Hostile.run(["redact", "--in-place", "--key-file", inputs.keyFile, "--audit", inputs.dir + "/audit-redact.log", copy],
                                      deadline: 120, directory: inputs.dir)
        #expect(inPlace.status == 0, "\(inPlace.stderr)")
        Self.expectClean(try String(contentsOfFile: copy, encoding: .utf8), Self.removed, "redact --in-place file")
        Self.expectClean(inPlace.stderr, Self.all, "redact --in-place stderr")
        if let audit = try? String(contentsOfFile: inputs.dir + "/audit-redact.log", encoding: .utf8) {
            Self.expectClean(audit, Self.all, "redact audit log")
        }
        // The mbox cannot be redacted: the error message names no content.
        let mbox = try Hostile.run(["redact", inputs.files["mbox"]!], deadline: 60, directory: inputs.dir)
        #expect(mbox.status == 2)
        Self.expectClean(mbox.out + mbox.stderr, Self.all, "redact mbox error")
    }

    @Test("scan: every report format, baselines, audit log, stdout and stderr")
    func scan() throws {
        let inputs = try Self.makeInputs()
        for format in ["text", "json", "jsonl", "sarif", "csv", "html"] {
            let report = inputs.dir + "/scan.\(format)"
            let baseline = inputs.dir + "/baseline-\(format)"
            let result = try Hostile.run(["scan", "--quiet", "--list", "--format", format, "--key-file", inputs.keyFile, "--output", report,
                                          "--write-baseline", baseline, "--audit", inputs.dir + "/audit-scan.log",
                                          "--exclude", "report*", "--exclude", "scan.*", "--exclude", "baseline*", "--exclude", "audit*",
                                          "--exclude", "key", inputs.dir], deadline: 300, directory: inputs.dir)
            let what = "scan --format \(format)"
            #expect([1, 2].contains(result.status), "\(what): \(result.stderr)")
            Self.expectClean(result.out + result.stderr, Self.all, "\(what) stdout/stderr")
            Self.expectClean((try? String(contentsOfFile: report, encoding: .utf8)) ?? "", Self.all, "\(what) report")
            Self.expectClean((try? String(contentsOfFile: baseline, encoding: .utf8)) ?? "", Self.all, "\(what) baseline")
            #expect(FileManager.default.fileExists(atPath: report), "\(what): report written")
            // Unkeyed text report on stdout too.
            let plain = try Hostile.run(["scan", "--quiet", "--list", "--format", format, inputs.files["text"]!], deadline: 120, directory: inputs.dir)
            Self.expectClean(plain.out + plain.stderr, Self.all, "\(what) unkeyed stdout/stderr")
        }
        if let audit = try? String(contentsOfFile: inputs.dir + "/audit-scan.log", encoding: .utf8) {
            Self.expectClean(audit, Self.all, "scan audit log")
            let verify = try Hostile.run(["audit", "verify", "--key-file", inputs.keyFile, inputs.dir + "/audit-scan.log"], deadline: 60)
            Self.expectClean(verify.out + verify.stderr, Self.all, "audit verify")
        }
    }

    @Test("policy tools and usage errors: no value from a bad input or argument is echoed")
    func errors() throws {
        let inputs = try Self.makeInputs()
        let badChannel = try Hostile.run(["check", "--channel", "4111111111111111", inputs.files["text"]!], deadline: 60)
        #expect(badChannel.status == 2)
        // An unknown channel named on the command line is the caller's own text; the input's values stay out.
        Self.expectClean(badChannel.out + badChannel.stderr, Self.removed.filter { !$0.hasPrefix("4111") } + Self.flagged, "unknown channel")
        let missing = try Hostile.run(["check", inputs.dir + "/no-such-file"], deadline: 60)
        Self.expectClean(missing.out + missing.stderr, Self.all, "missing file")
        let explain = try Hostile.run(["policy", "explain"], deadline: 60)
        Self.expectClean(explain.out + explain.stderr, Self.all, "policy explain")
    }
}
