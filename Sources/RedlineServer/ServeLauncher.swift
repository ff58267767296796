import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RedlineAudit
import RedlineCore
import RedlineEngine
import RedlinePolicy
import RedlineService
import ServiceLifecycle

/// The options of `redline serve`, as text from the command line; ``ServeLauncher`` validates them.
public struct ServeLaunchOptions: Sendable {
    public var listen = "127.0.0.1:8080"
    public var policy: String?
    public var keyFile: String?
    public var tokens: String?
    public var allowAnonymous = false
    public var playground = false
    public var audit: String?
    public var tlsCert: String?
    public var tlsKey: String?
    public var maxBody = "10M"
    public var maxInflight = 64
    public var readTimeout = 10
    public var idleTimeout = 60
    public var shutdownDelay = 0
    public var logFormat = "logfmt"
    public var logLevel = "info"
    public var check = false
    public init() {}
}

/// A usage or configuration error of `redline serve` (exit 2).
public struct ServeLaunchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ServeLauncher {
    public static func configuration(_ options: ServeLaunchOptions) throws(ServeLaunchError) -> ServeConfiguration {
        var configuration = ServeConfiguration()
        guard let (host, port) = ServeConfiguration.parseListen(options.listen) else {
            throw ServeLaunchError("--listen must be HOST:PORT (e.g. 127.0.0.1:8080), not '\(options.listen)'")
        }
        configuration.host = host
        configuration.port = port
        configuration.maxBody = try size(options.maxBody)
        configuration.playground = options.playground
        guard options.maxInflight > 0 else { throw ServeLaunchError("--max-inflight must be at least 1") }
        configuration.maxInflight = options.maxInflight
        guard options.readTimeout > 0, options.idleTimeout > 0 else { throw ServeLaunchError("timeouts must be positive numbers of seconds") }
        configuration.readTimeout = .seconds(Int64(options.readTimeout))
        configuration.idleTimeout = .seconds(Int64(options.idleTimeout))
        guard options.shutdownDelay >= 0 else { throw ServeLaunchError("--shutdown-delay must be 0 or more seconds") }
        configuration.drainDelay = .seconds(options.shutdownDelay)
        if options.allowAnonymous {
            guard ServeConfiguration.isLoopback(host) else {
                throw ServeLaunchError("--allow-anonymous is only allowed with --listen on loopback (127.0.0.1, ::1); give --tokens FILE instead")
            }
            configuration.allowAnonymous = true
        } else if options.tokens == nil {
            throw ServeLaunchError("--tokens FILE is required (create one with 'redline serve token add NAME --tokens FILE'), "
                                   + "or --allow-anonymous on a loopback --listen")
        }
        switch (options.tlsCert, options.tlsKey) {
        case (nil, nil): break
        case let (cert?, key?):
            configuration.tlsCertificate = cert
            configuration.tlsKey = key
        default: throw ServeLaunchError("--tls-cert and --tls-key go together")
        }
        return configuration
    }

    /// `10M`, `512k`, `1G`, `1048576`.
    public static func size(_ text: String) throws(ServeLaunchError) -> Int {
        let units: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30]
        var digits = Substring(text)
        var factor = 1
        if let last = digits.last, let unit = units[last] {
            factor = unit
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0, value <= Int.max / factor else {
            throw ServeLaunchError("--max-body must be a size such as 10M, not '\(text)'")
        }
        return value * factor
    }

    public static func logger(format: String, level: String, sink: @escaping @Sendable (String) -> Void = StructuredLogHandler.standardError)
        throws(ServeLaunchError) -> Logger {
        guard let format = LogFormat(rawValue: format) else { throw ServeLaunchError("--log-format must be logfmt or json") }
        guard let level = Logger.Level(rawValue: level) else {
            throw ServeLaunchError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var logger = Logger(label: "redline.serve") { label in StructuredLogHandler(label: label, format: format, sink: sink) }
        logger.logLevel = level
        return logger
    }

    /// Loads the policy and tokens (every diagnostic logged; either with an error → not starting),
    /// opens the audit log, then serves until SIGTERM/SIGINT (drain, exit 0); SIGHUP reloads.
    public static func run(_ options: ServeLaunchOptions, environment: [String: String], directory: String) throws(ServeLaunchError) {
        ServiceRunner.ignoreHangupUntilServing()
        let configuration = try configuration(options)
        let logger = try logger(format: options.logFormat, level: options.logLevel)
        let source = PolicySource.resolve(explicit: options.policy, environment: environment, directory: directory)
        let key: [UInt8]?
        do { key = try KeySource.load(keyFile: options.keyFile, environment: environment) } catch {
            throw ServeLaunchError(error.description)
        }
        var audit: AuditTrail?
        if let path = options.audit {
            guard let key else { throw ServeLaunchError("--audit needs the HMAC key: --key-file FILE or REDLINE_KEY") }
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else { throw ServeLaunchError("cannot write the audit log \(path): \(String(cString: strerror(errno)))") }
            close(descriptor)
            do { audit = try AuditTrail(path: path, key: key) } catch { throw ServeLaunchError("\(error)") }
        }
        let store: PolicyStore
        do {
            store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try source.compile(key: key) }
        } catch {
            for diagnostic in error.diagnostics { logger.error("\(diagnostic.description)", metadata: ["code": "\(diagnostic.code)"]) }
            throw ServeLaunchError("policy \(source.displayName) has \(error.diagnostics.count) error(s); not starting")
        }
        let tokens: TokenStore
        do {
            tokens = try TokenStore(path: options.tokens, anonymous: configuration.allowAnonymous)
        } catch {
            for diagnostic in error.diagnostics { logger.error("\(diagnostic.description)", metadata: ["code": "\(diagnostic.code)"]) }
            throw ServeLaunchError("tokens file \(options.tokens ?? "-") has \(error.diagnostics.count) error(s); not starting")
        }
        if options.check {
            logger.info("configuration ok", metadata: ["listen": "\(options.listen)", "policy": "\(store.pipeline.policy.name)",
                                                       "tokens": "\(tokens.count)"])
            return
        }
        let state = ServeState(configuration: configuration, service: DecisionService(store: store, audit: audit), tokens: tokens, logger: logger)
        let services: [any Service]
        do {
            services = try ServeServer.services(state) { port in
                logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)", "tls": "\(configuration.tlsCertificate != nil)",
                                                    "policy": "\(store.pipeline.policy.name)", "tokens": "\(tokens.count)"])
            }
        } catch {
            throw ServeLaunchError("cannot set up TLS: \(error)")
        }
        if let error = ServiceRunner.run(services, logger: logger) { throw ServeLaunchError("cannot serve on \(options.listen): \(error)") }
        logger.info("stopped")
    }

    /// `redline serve token add NAME`: a new random token, printed once; its SHA-256 is appended
    /// to the tokens file (created with `tokens:` when missing, mode 0600).
    public static func addToken(name: String, channels: [String]?, tokensFile: String) throws(ServeLaunchError) -> String {
        guard TokensFile.isName(name) else { throw ServeLaunchError("a token name is 1 to 64 of letters, digits, '.', '_' and '-'") }
        guard name.lowercased() != TokensFile.reservedName else {
            throw ServeLaunchError("the token name '\(name)' is reserved for calls without a token (--allow-anonymous); choose another name")
        }
        if let channels, channels.contains(where: { !TokensFile.isName($0) }) {
            throw ServeLaunchError("channel names are letters, digits, '.', '_' and '-'")
        }
        var text = ""
        if FileManager.default.fileExists(atPath: tokensFile) {
            do { _ = try TokenStore.load(tokensFile) } catch {
                throw ServeLaunchError("fix the tokens file first:\n" + error.diagnostics.map(\.description).joined(separator: "\n"))
            }
            guard let data = FileManager.default.contents(atPath: tokensFile) else { throw ServeLaunchError("cannot read \(tokensFile)") }
            text = String(decoding: data, as: UTF8.self)
            if (try? TokenStore.load(tokensFile))?.contains(where: { $0.name == name }) == true {
                throw ServeLaunchError("a token named '\(name)' is already in \(tokensFile)")
            }
            // `tokens: []` (or an empty `tokens:`) cannot take a block entry: start the list over.
            if let range = text.range(of: "tokens: []") { text.replaceSubrange(range, with: "tokens:") }
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        } else {
            text = "# redline serve tokens: SHA-256 of each bearer token, never the token itself.\ntokens:\n"
        }
        let (token, digest) = TokenStore.generate()
        text += TokensFile.entryLine(name: name, sha256: digest, channels: channels)
        let (parsed, diagnostics) = TokensFile.parse(text, file: tokensFile)
        guard parsed != nil else {
            throw ServeLaunchError("the tokens file would not parse after adding the token:\n" + diagnostics.map(\.description).joined(separator: "\n"))
        }
        let temporary = tokensFile + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]),
              rename(temporary, tokensFile) == 0 else {
            unlink(temporary)
            throw ServeLaunchError("cannot write \(tokensFile)")
        }
        return token
    }
}
