import ArgumentParser
import Foundation
import RedlineServer

/// `redline serve`: the HTTP API for chat platforms and helpdesks. Behaviour lives in
/// RedlineServer (``ServeLauncher``); this command only parses arguments.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API: chat platforms and helpdesks check or redact a reply before it is sent.",
        subcommands: [Run.self, Token.self],
        defaultSubcommand: Run.self
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Serve POST /v1/check, /v1/redact, /v1/batch, /v1/mail and GET /v1/policy, /healthz, /readyz, /metrics, /openapi.yaml.",
            discussion: """
            The API is described by openapi.yaml (also served at /openapi.yaml). Every /v1 call needs \
            'Authorization: Bearer TOKEN' with a token of --tokens FILE (401 without, 403 for a channel the token may \
            not use). Signals: SIGTERM/SIGINT stop accepting, finish the requests in flight and exit 0; SIGHUP reloads \
            the policy and the tokens (a file with errors is not loaded: the old one stays and every error is logged). \
            Logs: one logfmt or JSON line per request on stderr (request id, token name, verdict, rules, latency, sizes), \
            never text. Exit codes: 0 after a clean stop or a passing --check, 2 on a usage, policy, tokens or listen error.
            """
        )

        @Option(name: .long, help: "Address to listen on: HOST:PORT.") var listen = "127.0.0.1:8080"
        @Option(name: .long, help: "Policy file (else REDLINE_POLICY, .redline.yaml, or the embedded default).") var policy: String?
        @Option(name: .long, help: "File holding the HMAC key for fingerprints and hash redaction (else REDLINE_KEY).") var keyFile: String?
        @Option(name: .long, help: "Tokens file (YAML: name, sha256 of the token, channels).") var tokens: String?
        @Flag(name: .long, help: "Let calls without a token in (as 'anonymous'); only with a loopback --listen.") var allowAnonymous = false
        @Flag(name: .long, help: "Serve the policy playground at / (a page to try drafts against the policy; off by default).")
        var playground = false
        @Option(name: .long, help: "Append a hash-chained audit record of every decision to FILE (needs the key).") var audit: String?
        @Option(name: .long, help: "TLS certificate chain (PEM).") var tlsCert: String?
        @Option(name: .long, help: "TLS private key (PEM).") var tlsKey: String?
        @Option(name: .long, help: "Largest request body, e.g. 10M; larger ones get 413.") var maxBody = "10M"
        @Option(name: .long, help: "Requests decided at once; more get 503 with Retry-After.") var maxInflight = 64
        @Option(name: .long, help: "Seconds a client has to send a whole request (slowloris); then 408 and close.") var readTimeout = 10
        @Option(name: .long, help: "Seconds an idle keep-alive connection stays open.") var idleTimeout = 60
        @Option(name: .long, help: "Seconds /readyz answers 503 after SIGTERM before the listener closes (for a load balancer).")
        var shutdownDelay = 0
        @Option(name: .long, help: "Log format: logfmt or json.") var logFormat = "logfmt"
        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
        @Flag(name: .long, help: "Check the options, the policy and the tokens, then exit.") var check = false

        func run() throws {
            var options = ServeLaunchOptions()
            options.listen = listen
            options.policy = policy
            options.keyFile = keyFile
            options.tokens = tokens
            options.allowAnonymous = allowAnonymous
            options.playground = playground
            options.audit = audit
            options.tlsCert = tlsCert
            options.tlsKey = tlsKey
            options.maxBody = maxBody
            options.maxInflight = maxInflight
            options.readTimeout = readTimeout
            options.idleTimeout = idleTimeout
            options.shutdownDelay = shutdownDelay
            options.logFormat = logFormat
            options.logLevel = logLevel
            options.check = check
            do {
                try ServeLauncher.run(options, environment: ProcessInfo.processInfo.environment,
                                      directory: FileManager.default.currentDirectoryPath)
            } catch {
                FileHandle.standardError.write(Data("redline serve: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Manage the bearer tokens of redline serve.",
            subcommands: [Add.self]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Print a new random token once and append its SHA-256 to the tokens file.",
                discussion: "The token itself is not stored: keep it in the client's secret store. SIGHUP makes a running server read the file again."
            )
            @Argument(help: "The client's name (logged and audited with each request).") var name: String
            @Option(name: .long, help: "The tokens file (created, mode 0600, when missing).") var tokens: String
            @Option(name: .long, parsing: .upToNextOption, help: "Channels the token may use (default: every channel).") var channels: [String] = []

            func run() throws {
                do {
                    let token = try ServeLauncher.addToken(name: name, channels: channels.isEmpty ? nil : channels, tokensFile: tokens)
                    print(token)
                    FileHandle.standardError.write(Data("redline: added token '\(name)' to \(tokens); it is shown only this once\n".utf8))
                } catch {
                    FileHandle.standardError.write(Data("redline serve token add: \(error.description)\n".utf8))
                    throw ExitCode(2)
                }
            }
        }
    }
}
