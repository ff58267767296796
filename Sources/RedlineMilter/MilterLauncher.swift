import Foundation
import Logging
import NIOCore
import RedlineAudit
import RedlineService
import RedlineCore
import RedlineEngine

/// The options of `redline milter`, as text from the command line. ``MilterLauncher`` validates
/// them and runs the server; the executable only parses arguments.
public struct MilterLaunchOptions: Sendable {
    public var listen = "inet:127.0.0.1:8890"
    public var policy: String?
    public var keyFile: String?
    public var metricsListen: String?
    public var socketMode = "0660"
    public var socketOwner: String?
    public var logFormat = "logfmt"
    public var logLevel = "info"
    public var maxMessageSize = "50M"
    public var maxSessions = 256
    public var commandTimeout = 600
    public var scanTimeout = 25
    public var onLimit = "tempfail"
    public var onError = "tempfail"
    public var onBlock = "reject"
    public var findingsHeader = true
    public var threads: Int?
    public var shutdownGrace = 30
    /// Hash-chained audit log of every decision (needs the HMAC key).
    public var audit: String?
    /// Validate the options and the policy, then exit (like `postfix check`).
    public var check = false

    public init() {}
}

/// A usage or configuration error of `redline milter` (exit 2).
public struct MilterLaunchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum MilterLauncher {
    /// Builds the server configuration from the options.
    public static func configuration(_ options: MilterLaunchOptions) throws(MilterLaunchError) -> MilterServerConfiguration {
        var configuration: MilterServerConfiguration
        do {
            configuration = MilterServerConfiguration(listen: try MilterAddress.parse(options.listen))
            if let metrics = options.metricsListen { configuration.metricsListen = try MilterAddress.parse(metrics) }
        } catch {
            throw MilterLaunchError(error.description)
        }
        if case .unix = configuration.metricsListen { throw MilterLaunchError("--metrics-listen needs HOST:PORT") }
        guard let mode = UInt32(options.socketMode, radix: 8), mode <= 0o777 else {
            throw MilterLaunchError("--socket-mode must be an octal mode such as 0660, not '\(options.socketMode)'")
        }
        configuration.socketMode = mode
        configuration.socketOwner = options.socketOwner
        guard options.maxSessions > 0 else { throw MilterLaunchError("--max-sessions must be at least 1") }
        configuration.maximumSessions = options.maxSessions
        configuration.session.maximumMessageSize = try size(options.maxMessageSize)
        configuration.session.onLimit = try fallback(options.onLimit, "--on-limit")
        configuration.session.onError = try fallback(options.onError, "--on-error")
        configuration.handler.onError = configuration.session.onError
        guard options.commandTimeout > 0, options.scanTimeout > 0, options.shutdownGrace >= 0 else {
            throw MilterLaunchError("timeouts must be positive numbers of seconds")
        }
        configuration.handler.commandTimeout = .seconds(Int64(options.commandTimeout))
        configuration.handler.scanTimeout = .seconds(Int64(options.scanTimeout))
        configuration.handler.progressInterval = .seconds(Int64(max(1, min(10, options.scanTimeout / 2))))
        configuration.shutdownGrace = .seconds(Int64(options.shutdownGrace))
        if let threads = options.threads {
            guard threads > 0 else { throw MilterLaunchError("--threads must be at least 1") }
            configuration.scanThreads = threads
        }
        return configuration
    }

    public static func decider(_ options: MilterLaunchOptions) throws(MilterLaunchError) -> MilterDecider {
        guard let mode = BlockMode(rawValue: options.onBlock) else {
            throw MilterLaunchError("--on-block must be one of \(BlockMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return MilterDecider(onBlock: mode, findingsHeader: options.findingsHeader)
    }

    public static func logger(_ options: MilterLaunchOptions) throws(MilterLaunchError) -> Logger {
        guard let format = LogFormat(rawValue: options.logFormat) else { throw MilterLaunchError("--log-format must be logfmt or json") }
        guard let level = Logger.Level(rawValue: options.logLevel) else {
            throw MilterLaunchError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var logger = Logger(label: "redline.milter") { label in StructuredLogHandler(label: label, format: format) }
        logger.logLevel = level
        return logger
    }

    /// `50M`, `512k`, `1G`, `1048576`.
    public static func size(_ text: String) throws(MilterLaunchError) -> Int {
        let units: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30]
        var digits = Substring(text)
        var factor = 1
        if let last = digits.last, let unit = units[last] {
            factor = unit
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0, value <= Int.max / factor else {
            throw MilterLaunchError("--max-message-size must be a size such as 50M, not '\(text)'")
        }
        return value * factor
    }

    static func fallback(_ text: String, _ option: String) throws(MilterLaunchError) -> MilterFallback {
        guard let value = MilterFallback(rawValue: text) else {
            throw MilterLaunchError("\(option) must be one of \(MilterFallback.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Loads the policy, starts the server and runs until SIGTERM/SIGINT (SIGHUP reloads).
    /// With `check`, validates and returns. Throws on a bad option, a policy error (every
    /// diagnostic logged first) or a listener that cannot be bound.
    public static func run(_ options: MilterLaunchOptions, environment: [String: String], directory: String) throws(MilterLaunchError) {
        ServiceRunner.ignoreHangupUntilServing()
        var configuration = try configuration(options)
        let decider = try decider(options)
        let logger = try logger(options)
        let source = PolicySource.resolve(explicit: options.policy, environment: environment, directory: directory)
        let key: [UInt8]?
        do { key = try KeySource.load(keyFile: options.keyFile, environment: environment) } catch {
            throw MilterLaunchError(error.description)
        }
        if let path = options.audit {
            guard let key else {
                throw MilterLaunchError("--audit needs the HMAC key: --key-file FILE or REDLINE_KEY (the chain is keyed so that nobody without it can rewrite it)")
            }
            // Fail at start, not at the first message, when the log cannot be written.
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else { throw MilterLaunchError("cannot write the audit log \(path): \(String(cString: strerror(errno)))") }
            close(descriptor)
            do {
                configuration.audit = MilterAudit(trail: try AuditTrail(path: path, key: key), onError: configuration.session.onError)
            } catch {
                throw MilterLaunchError("\(error)")
            }
        }
        let store: PolicyStore
        do {
            store = try PolicyStore { () throws(DiagnosticList) -> Pipeline in try source.compile(key: key) }
        } catch {
            for diagnostic in error.diagnostics { logger.error("\(diagnostic.description)", metadata: ["code": "\(diagnostic.code)"]) }
            throw MilterLaunchError("policy \(source.displayName) has \(error.diagnostics.count) error(s); not starting")
        }
        if options.check {
            logger.info("configuration ok", metadata: ["listen": "\(configuration.listen)", "policy": "\(store.pipeline.policy.name)",
                                                       "policy_sha256": "\(store.pipeline.policySHA256)"])
            return
        }
        let server = MilterServer(configuration: configuration, store: store, decider: decider, logger: logger)
        do {
            try server.start()
        } catch {
            server.shutdown()
            throw MilterLaunchError("cannot listen on \(configuration.listen): \(error)")
        }
        server.runUntilSignalled()
    }
}
