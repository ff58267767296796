import ArgumentParser
import Foundation
import RedlineMilter
import RedlineService

/// `redline milter`: the milter server for Postfix and Sendmail. Behaviour lives in
/// RedlineMilter (``MilterLauncher``); this command only parses arguments.
struct MilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "milter",
        abstract: "Run as a milter server: Postfix or Sendmail ask redline about every outgoing message.",
        discussion: """
        allow → accepted unchanged; flag → X-Redline-Verdict/X-Redline-Findings headers added; redact → the body \
        and changed headers replaced by the redacted message; block → 550 5.7.1 with the rule's message (or held \
        with --on-block quarantine). The channel comes from the envelope recipients (the policy's email.domains).
        Postfix: smtpd_milters = inet:127.0.0.1:8890, non_smtpd_milters = inet:127.0.0.1:8890, \
        milter_default_action = tempfail (see Examples/postfix/).
        Signals: SIGTERM/SIGINT finish the messages in progress and stop; SIGHUP reloads the policy (a policy \
        with errors is not loaded: the old one stays and every error is logged).
        Logs: one logfmt or JSON line per message on stderr (queue id, verdict, rule ids, detector counts, \
        latency), never message content. Exit codes: 0 after a clean stop or a passing --check, 2 on a usage, \
        policy or listen error.
        """
    )

    @Option(name: .long, help: "Socket: inet:HOST:PORT, inet:PORT@HOST, inet6:PORT@HOST or unix:/PATH.")
    var listen: String = "inet:127.0.0.1:8890"

    @Option(name: .long, help: "Policy file (else REDLINE_POLICY, .redline.yaml, or the embedded default).")
    var policy: String?

    @Option(name: .long, help: "File holding the HMAC key for hash redaction (else REDLINE_KEY).")
    var keyFile: String?

    @Option(name: .long, help: "Serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9890).")
    var metricsListen: String?

    @Option(name: .long, help: "Mode of a unix socket, octal.")
    var socketMode: String = "0660"

    @Option(name: .long, help: "Owner of a unix socket: USER, USER:GROUP or :GROUP (e.g. :postfix).")
    var socketOwner: String?

    @Option(name: .long, help: "Log format: logfmt or json.")
    var logFormat: String = "logfmt"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Largest message scanned (headers and body), e.g. 50M; larger ones get --on-limit.")
    var maxMessageSize: String = "50M"

    @Option(name: .long, help: "Concurrent MTA connections; more get --on-limit.")
    var maxSessions: Int = 256

    @Option(name: .long, help: "Seconds to wait for the MTA's next command before closing the connection.")
    var commandTimeout: Int = 600

    @Option(name: .long, help: "Seconds one message may take to scan; then --on-error (keep under milter_content_timeout).")
    var scanTimeout: Int = 25

    @Option(name: .long, help: "Answer when a limit is hit: tempfail, reject, accept or quarantine.")
    var onLimit: String = "tempfail"

    @Option(name: .long, help: "Answer on a scan timeout or internal error: tempfail, reject, accept or quarantine.")
    var onError: String = "tempfail"

    @Option(name: .long, help: "What block does: reject (550 5.7.1) or quarantine (hold in the MTA).")
    var onBlock: String = "reject"

    @Flag(name: .long, help: "Do not add X-Redline-Findings (only X-Redline-Verdict).")
    var noFindingsHeader = false

    @Option(name: .long, help: "Scan threads (default: one per core).")
    var threads: Int?

    @Option(name: .long, help: "Seconds a shutdown waits for messages in progress.")
    var shutdownGrace: Int = 30

    @Option(name: .long, help: "Append a hash-chained audit record of every decision to FILE (needs --key-file or REDLINE_KEY).")
    var audit: String?

    @Flag(name: .long, help: "Check the options and the policy, then exit.")
    var check = false

    /// The enumerated values, checked here so that a misspelling gets "did you mean" and the
    /// usage line of `redline milter` (the launcher checks everything again).
    func validate() throws {
        try Choice.check(onLimit, "--on-limit", MilterFallback.allCases.map(\.rawValue))
        try Choice.check(onError, "--on-error", MilterFallback.allCases.map(\.rawValue))
        try Choice.check(onBlock, "--on-block", BlockMode.allCases.map(\.rawValue))
        try Choice.check(logFormat, "--log-format", LogFormat.allCases.map(\.rawValue))
        try Choice.check(logLevel, "--log-level", ["trace", "debug", "info", "notice", "warning", "error", "critical"])
    }

    func run() throws {
        var options = MilterLaunchOptions()
        options.listen = listen
        options.policy = policy
        options.keyFile = keyFile
        options.audit = audit
        options.metricsListen = metricsListen
        options.socketMode = socketMode
        options.socketOwner = socketOwner
        options.logFormat = logFormat
        options.logLevel = logLevel
        options.maxMessageSize = maxMessageSize
        options.maxSessions = maxSessions
        options.commandTimeout = commandTimeout
        options.scanTimeout = scanTimeout
        options.onLimit = onLimit
        options.onError = onError
        options.onBlock = onBlock
        options.findingsHeader = !noFindingsHeader
        options.threads = threads
        options.shutdownGrace = shutdownGrace
        options.check = check
        do {
            try MilterLauncher.run(options, environment: ProcessInfo.processInfo.environment,
                                   directory: FileManager.default.currentDirectoryPath)
        } catch {
            FileHandle.standardError.write(Data("redline milter: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}
