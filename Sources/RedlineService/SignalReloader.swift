import ServiceLifecycle
import UnixSignals

/// A service that calls `reload` on every SIGHUP until graceful shutdown (swift-service-lifecycle
/// handles SIGTERM/SIGINT for the group). The servers reload their policy (and `redline serve`
/// its tokens) this way; what to do with a bad file is the closure's business (keep the old one).
public struct SignalReloader: Service {
    let signals: [UnixSignal]
    let reload: @Sendable () async -> Void

    public init(signals: [UnixSignal] = [.sighup], reload: @escaping @Sendable () async -> Void) {
        self.signals = signals
        self.reload = reload
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: signals).cancelOnGracefulShutdown() {
            await reload()
        }
    }
}

/// A service that runs `body` once graceful shutdown starts (e.g. to make `/readyz` answer 503),
/// then waits `delay` before the services listed before it are stopped, so that a load balancer
/// sees the server go unready while it still answers. List it last: services stop in reverse order.
public struct ShutdownNotice: Service {
    let delay: Duration
    let body: @Sendable () -> Void
    public init(delay: Duration = .zero, _ body: @escaping @Sendable () -> Void) {
        self.delay = delay
        self.body = body
    }

    public func run() async throws {
        try? await gracefulShutdown()
        body()
        if delay > .zero { try? await Task.sleep(for: delay) }
    }
}
