import ArgumentParser
import Foundation
import RedlineAudit
import RedlineCore
import RedlineEngine
import RedlineMail

/// `redline sendmail`: a drop-in `$sendmail` for mutt, neomutt and helpdesks with a sendmail path.
/// The behaviour lives in ``SendmailWrapper`` (RedlineMail); this command only wires it up.
struct SendmailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sendmail",
        abstract: "Check a message on stdin, then hand it to the real sendmail (unchanged, flagged or redacted) or refuse it.",
        discussion: """
        Recipients come from the arguments, or from To/Cc/Bcc with -t. All arguments are passed to the real \
        sendmail unchanged. Example for mutt: set sendmail="redline sendmail -- -oem -oi".
        Exit codes: the real sendmail's own code when the message was handed over (its stderr is passed on); \
        77 (EX_NOPERM) the policy blocks the message: nothing was sent, the rule's message is on stderr; \
        75 (EX_TEMPFAIL) the policy could not be loaded or the real sendmail could not be run: nothing was sent.
        """
    )

    @Option(name: .long, help: "The real sendmail.")
    var sendmail: String = "/usr/sbin/sendmail"

    @Option(name: .long, help: "Policy file (default: REDLINE_POLICY, .redline.yaml, then the embedded default).")
    var policy: String?

    @Option(name: .long, help: "HMAC key file for hash redaction and --audit (default: REDLINE_KEY).")
    var keyFile: String?

    @Option(name: .long, help: "Append a hash-chained audit record of the decision to FILE before anything is sent (needs the key).")
    var audit: String?

    @Argument(parsing: .captureForPassthrough, help: "sendmail arguments and recipients, passed through.")
    var arguments: [String] = []

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let source = PolicySource.resolve(explicit: policy, environment: environment, directory: FileManager.default.currentDirectoryPath)
        let pipeline: Pipeline
        var trail: AuditTrail?
        do {
            let key = try KeySource.load(keyFile: keyFile, environment: environment)
            pipeline = try source.compile(key: key)
            if let audit {
                guard let key else {
                    Self.printError("redline: --audit needs the HMAC key: --key-file FILE or REDLINE_KEY; nothing was sent")
                    throw ExitCode(75)
                }
                trail = try AuditTrail(path: audit, key: key)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch let list as DiagnosticList {
            for diagnostic in list.diagnostics { Self.printError(diagnostic.description) }
            Self.printError("redline: policy error; nothing was sent")
            throw ExitCode(75)
        } catch {
            Self.printError("redline: \(error); nothing was sent")
            throw ExitCode(75)
        }
        var passthrough = arguments
        if passthrough.first == "--" { passthrough.removeFirst() }
        let input = Array(FileHandle.standardInput.readDataToEndOfFile())
        let session = pipeline.makeSession()
        let record: ((MailVerdict, String) throws -> Void)? = trail.map { trail in
            { verdict, source in
                var event = AuditEvent(mode: "sendmail", source: source, channel: verdict.channel, verdict: verdict.verdict,
                                       findings: verdict.findings, policySHA256: pipeline.policySHA256)
                event.addSender(verdict.sender, findings: verdict.findings, session: session, channel: verdict.channel)
                try trail.append([event])
            }
        }
        let code = SendmailWrapper.run(arguments: passthrough, input: input, sendmailPath: sendmail,
                                       session: session, record: record, standardError: Self.printError)
        if code != 0 { throw ExitCode(code) }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
