import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import RedlineCore
import RedlineService
import RedlineEngine
import ServiceLifecycle

/// Everything `redline milter` is configured with.
public struct MilterServerConfiguration: Sendable {
    public var listen: MilterAddress
    /// `host:port` for the Prometheus endpoint, or nil for none.
    public var metricsListen: MilterAddress?
    /// Mode of a unix socket (default 0660: the MTA's group may connect).
    public var socketMode: UInt32? = 0o660
    /// Owner of a unix socket: `user`, `user:group` or `:group` (e.g. `:postfix`).
    public var socketOwner: String?
    /// Connections beyond this many get `session.onLimit` for each message.
    public var maximumSessions = 256
    public var session = MilterSessionConfiguration()
    public var handler = MilterHandlerOptions()
    /// Threads scanning messages (default: one per core).
    public var scanThreads = System.coreCount
    /// How long a graceful shutdown waits for messages in progress.
    public var shutdownGrace: TimeAmount = .seconds(30)
    /// Where decisions are recorded (`--audit FILE`), or nil.
    public var audit: MilterAudit?

    public init(listen: MilterAddress) {
        self.listen = listen
    }
}

public struct MilterServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The milter server: accepts MTA connections on TCP or a unix socket, one
/// ``MilterChannelHandler`` per connection, scans on an `NIOThreadPool`; optionally serves
/// `/metrics`. ``shutdown()`` is graceful: the listener closes, idle connections close, messages
/// in progress finish (up to `shutdownGrace`). ``reload()`` swaps in a new policy only if it
/// compiles.
public final class MilterServer: Sendable {
    public let configuration: MilterServerConfiguration
    public let store: PolicyStore
    public let metrics: MilterMetrics
    let logger: Logger
    let decider: MilterDecider
    let group: MultiThreadedEventLoopGroup
    let threadPool: NIOThreadPool
    private let state = NIOLockedValueBox(State())

    struct State {
        var listener: (any Channel)?
        var metricsChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        /// The unix socket this server created (removed at shutdown; never one it did not bind).
        var socketPath: String?
        var shuttingDown = false
        var stopped = false
    }

    /// Left when shutdown has finished (a second shutdown waits on it).
    private let stopped = DispatchGroup()

    public init(configuration: MilterServerConfiguration, store: PolicyStore, decider: MilterDecider = MilterDecider(),
                logger: Logger, metrics: MilterMetrics = MilterMetrics()) {
        self.configuration = configuration
        self.store = store
        self.decider = decider
        self.logger = logger
        self.metrics = metrics
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, min(4, System.coreCount)))
        self.threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.scanThreads))
        stopped.enter()
        let pipeline = store.pipeline
        metrics.setPolicy(name: pipeline.policy.name, sha256: pipeline.policySHA256)
    }

    /// The address the milter listens on (with the real port when 0 was asked for).
    public var localAddress: SocketAddress? { state.withLockedValue { $0.listener?.localAddress } }
    /// The address of the metrics endpoint.
    public var metricsAddress: SocketAddress? { state.withLockedValue { $0.metricsChannel?.localAddress } }

    /// Binds the listeners. Throws on an address in use, a foreign file at a socket path, etc.
    public func start() throws {
        threadPool.start()
        let evaluator = PolicyEvaluator(store: store, threadPool: threadPool, decider: decider, audit: configuration.audit)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                let overloaded = self.register(channel)
                let session = MilterSession(configuration: self.configuration.session, overloaded: overloaded)
                if overloaded {
                    self.metrics.recordError("limit")
                    self.metrics.recordFallback(self.configuration.session.onLimit)
                    self.logger.warning("too many concurrent milter sessions", metadata: ["limit": "\(self.configuration.maximumSessions)",
                                                                                          "action": "\(self.configuration.session.onLimit.rawValue)"])
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(MilterFrameByteDecoder()),
                        MessageToByteHandler(MilterFrameEncoder()),
                        MilterChannelHandler(session: session, evaluator: evaluator, options: self.configuration.handler,
                                             logger: self.logger, metrics: self.metrics),
                    ])
                }
            }
            .childChannelOption(.socketOption(.so_keepalive), value: 1)

        let listener: any Channel
        switch configuration.listen {
        case let .inet(host, port):
            listener = try bootstrap.bind(host: host, port: port).wait()
        case let .unix(path):
            do { try UnixSocket.removeStale(at: path) } catch { throw MilterServerError(description: error.description) }
            listener = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false).wait()
            state.withLockedValue { $0.socketPath = path }
            do {
                try UnixSocket.apply(path: path, mode: configuration.socketMode, owner: configuration.socketOwner)
            } catch {
                try? listener.close().wait()
                throw MilterServerError(description: error.description)
            }
        }
        state.withLockedValue { $0.listener = listener }

        if let metricsAddress = configuration.metricsListen {
            guard case let .inet(host, port) = metricsAddress else {
                throw MilterServerError(description: "--metrics-listen needs HOST:PORT")
            }
            let metrics = self.metrics
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(metrics: metrics))
                    }
                }
                .bind(host: host, port: port).wait()
            state.withLockedValue { $0.metricsChannel = channel }
        }
        let pipeline = store.pipeline
        logger.info("milter listening", metadata: [
            "listen": "\(configuration.listen)", "address": "\(localAddress.map { "\($0)" } ?? "-")",
            "metrics": "\(metricsAddress.map { "\($0)" } ?? "-")", "policy": "\(pipeline.policy.name)",
            "policy_sha256": "\(pipeline.policySHA256)", "max_sessions": "\(configuration.maximumSessions)",
        ])
    }

    /// Tracks a new connection; true when it is over the session limit.
    private func register(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (count, shuttingDown) = state.withLockedValue { state -> (Int, Bool) in
            state.connections[id] = channel
            return (state.connections.count, state.shuttingDown)
        }
        channel.closeFuture.whenComplete { [self] _ in
            _ = state.withLockedValue { $0.connections.removeValue(forKey: id) }
        }
        if shuttingDown { channel.close(promise: nil) }
        return count > configuration.maximumSessions
    }

    /// Compiles the policy again; on failure keeps the old one and logs every diagnostic.
    @discardableResult
    public func reload() -> Bool {
        switch store.reload() {
        case let .success(pipeline):
            metrics.recordReload(success: true)
            metrics.setPolicy(name: pipeline.policy.name, sha256: pipeline.policySHA256)
            logger.notice("policy reloaded", metadata: ["policy": "\(pipeline.policy.name)", "policy_sha256": "\(pipeline.policySHA256)"])
            return true
        case let .failure(list):
            metrics.recordReload(success: false)
            metrics.recordError("reload")
            for diagnostic in list.diagnostics {
                logger.error("policy reload: \(diagnostic.description)", metadata: ["code": "\(diagnostic.code)"])
            }
            let old = store.pipeline
            logger.error("policy reload failed; the previous policy stays in force",
                         metadata: ["errors": "\(list.diagnostics.count)", "policy_sha256": "\(old.policySHA256)"])
            return false
        }
    }

    /// Graceful shutdown; returns when every connection is closed (or the grace period ran out)
    /// and the threads are stopped. Safe to call more than once.
    public func shutdown() {
        let (listener, metricsChannel, connections, socketPath, already) = state.withLockedValue { state in
            let already = state.shuttingDown
            state.shuttingDown = true
            return (state.listener, state.metricsChannel, Array(state.connections.values), state.socketPath, already)
        }
        if already {
            stopped.wait()
            return
        }
        logger.notice("shutting down: finishing messages in progress", metadata: ["connections": "\(connections.count)"])
        try? listener?.close().wait()
        for channel in connections { channel.pipeline.fireUserInboundEventTriggered(MilterDrainEvent()) }
        let deadline = NIODeadline.now() + configuration.shutdownGrace
        while NIODeadline.now() < deadline, !state.withLockedValue({ $0.connections.isEmpty }) {
            usleep(20_000)
        }
        let remaining = state.withLockedValue { Array($0.connections.values) }
        if !remaining.isEmpty { logger.warning("grace period over; closing connections", metadata: ["connections": "\(remaining.count)"]) }
        for channel in remaining { try? channel.close().wait() }
        try? metricsChannel?.close().wait()
        if let socketPath { unlink(socketPath) }
        try? threadPool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
        stopped.leave()
        logger.notice("stopped")
    }

    /// Runs until SIGTERM or SIGINT (graceful shutdown); SIGHUP reloads the policy. Signals are
    /// handled by swift-service-lifecycle through ``ServiceRunner``, as for `redline serve`.
    public func runUntilSignalled() {
        let services: [any Service] = [
            MilterService(self),
            SignalReloader { [self] in
                logger.notice("signal received", metadata: ["signal": "HUP"])
                reload()
            },
            ShutdownNotice { [self] in logger.notice("signal received: shutting down") },
        ]
        if let error = ServiceRunner.run(services, logger: logger) {
            logger.error("milter stopped on an error", metadata: ["error": "\(error)"])
        }
    }
}
