import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

/// Runs the wrapper against a stand-in sendmail that records its arguments and input.
@Suite("Sendmail wrapper")
struct SendmailWrapperTests {
    struct StandIn {
        let directory: String
        var script: String { directory + "/sendmail" }
        var recordedArguments: [String] { ((try? String(contentsOfFile: directory + "/args", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        var recordedInput: [UInt8]? { FileManager.default.contents(atPath: directory + "/stdin").map { Array($0) } }

        init(exitCode: Int32 = 0, stderr: String = "") throws {
            directory = try Fixture.tempDirectory()
            let body = """
                #!/bin/sh
                for a in "$@"; do printf '%s\\n' "$a"; done > "\(directory)/args"
                cat > "\(directory)/stdin"
                \(stderr.isEmpty ? "" : "echo '\(stderr)' >&2")
                exit \(exitCode)

                """
            FileManager.default.createFile(atPath: directory + "/sendmail", contents: Data(body.utf8), attributes: [.posixPermissions: 0o755])
        }

        func run(_ arguments: [String], _ message: [UInt8]) -> (code: Int32, stderr: String) {
            var errors: [String] = []
            let code = SendmailWrapper.run(arguments: arguments, input: message, sendmailPath: script, session: Fixture.session()) { errors.append($0) }
            return (code, errors.joined(separator: "\n"))
        }
    }

    @Test("--audit: every decision is recorded before anything is sent, named by its Message-ID")
    func recordsBeforeSending() throws {
        var recorded: [(verdict: Action, channel: String, source: String, sentYet: Bool)] = []
        for text in ["To: jane@gmail.com\nMessage-ID: <m1@example.co.uk>\n\nYour NI number is JG 10 37 55 A.\n",
                     "To: jane@gmail.com\n\nCard 4111 1111 1111 1111\n"] {
            let standIn = try StandIn()
            var errors: [String] = []
            _ = SendmailWrapper.run(arguments: ["jane@gmail.com"], input: Fixture.lf(text), sendmailPath: standIn.script, session: Fixture.session(),
                                    record: { verdict, source in
                                        recorded.append((verdict.verdict, verdict.channel, source, standIn.recordedInput != nil))
                                    }) { errors.append($0) }
        }
        #expect(recorded.map(\.verdict) == [.redact, .block])
        #expect(recorded.map(\.source) == ["<m1@example.co.uk>", "-"])
        #expect(recorded.allSatisfy { $0.channel == "email-external" && !$0.sentYet })
    }

    @Test("--audit: when the record cannot be written, nothing is sent and the exit code is 75")
    func unrecordedIsNotSent() throws {
        struct Unwritable: Error {}
        let standIn = try StandIn()
        var errors: [String] = []
        let code = SendmailWrapper.run(arguments: ["jane@gmail.com"], input: Fixture.lf("To: jane@gmail.com\n\nhello\n"), sendmailPath: standIn.script,
                                       session: Fixture.session(), record: { _, _ in throw Unwritable() }) { errors.append($0) }
        #expect(code == 75)
        #expect(standIn.recordedInput == nil)
        #expect(errors.joined().contains("nothing was sent"))
    }

    @Test("block: exit 77 with the rule's message, masked, and nothing sent")
    func block() throws {
        let standIn = try StandIn()
        let (code, stderr) = standIn.run(["-oi", "jane@gmail.com"], Fixture.lf("To: jane@gmail.com\n\nCard 4111 1111 1111 1111\n"))
        #expect(code == 77)
        #expect(stderr.contains("Card numbers must never be sent"))
        #expect(stderr.contains("**** **** **** 1111"))
        #expect(!stderr.contains("4111 1111"))
        #expect(standIn.recordedInput == nil)
    }

    @Test("redact: the redacted message goes to the real sendmail with the same arguments")
    func redact() throws {
        let standIn = try StandIn()
        let message = Fixture.lf("To: jane@gmail.com\n\nYour NI number is JG 10 37 55 A.\n")
        let (code, _) = standIn.run(["-oi", "-f", "agent@example.co.uk", "--", "jane@gmail.com"], message)
        #expect(code == 0)
        #expect(standIn.recordedArguments == ["-oi", "-f", "agent@example.co.uk", "--", "jane@gmail.com"])
        #expect(standIn.recordedInput == Fixture.lf("To: jane@gmail.com\nX-Redline-Verdict: redact\nX-Redline-Findings: nino=1\n\nYour NI number is [NI NUMBER].\n"))
    }

    @Test("envelope recipients decide the channel: an internal recipient only gets a flag")
    func envelopeChannel() throws {
        let standIn = try StandIn()
        let message = Fixture.lf("To: jane@gmail.com\n\nYour NI number is JG 10 37 55 A.\n")
        _ = standIn.run(["colleague@example.co.uk"], message)
        #expect(Fixture.text(standIn.recordedInput ?? []).contains("X-Redline-Verdict: flag"))
        _ = standIn.run(["-t"], message)
        #expect(Fixture.text(standIn.recordedInput ?? []).contains("X-Redline-Verdict: redact"))
    }

    @Test("pass: a clean message reaches the real sendmail byte-identical")
    func pass() throws {
        let standIn = try StandIn()
        let message = Fixture.crlf("To: jane@gmail.com\nSubject: Order 12345678\n\nThanks, it shipped.\n")
        let (code, stderr) = standIn.run(["-t", "-oi"], message)
        #expect(code == 0)
        #expect(stderr.isEmpty)
        #expect(standIn.recordedInput == message)
    }

    @Test("failure: the real sendmail's exit code and stderr come back")
    func failure() throws {
        let standIn = try StandIn(exitCode: 75, stderr: "sendmail: fatal: queue file write error")
        let (code, stderr) = standIn.run(["jane@gmail.com"], Fixture.lf("To: jane@gmail.com\n\nhello\n"))
        #expect(code == 75)
        #expect(stderr == "sendmail: fatal: queue file write error")
    }

    @Test("a sendmail that cannot be started gives EX_TEMPFAIL")
    func missingSendmail() {
        var errors: [String] = []
        let code = SendmailWrapper.run(arguments: ["a@b.c"], input: Fixture.lf("To: a@b.c\n\nhi\n"), sendmailPath: "/nonexistent/sendmail",
                                       session: Fixture.session()) { errors.append($0) }
        #expect(code == 75)
        #expect(errors.first?.contains("nothing was sent") == true)
    }

    @Test("sendmail arguments: options with values are not recipients")
    func argumentParsing() {
        let parsed = SendmailWrapper.parse(["-oi", "-f", "me@x", "-Fme", "-t", "a@b", "-N", "never", "--", "-odd@c"])
        #expect(parsed.recipients == ["a@b", "-odd@c"])
        #expect(parsed.readRecipientsFromHeaders)
    }
}
