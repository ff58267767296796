import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs a server's services in one swift-service-lifecycle group until SIGTERM or SIGINT, from a
/// command's synchronous `run()`: the group then shuts the services down gracefully, in reverse
/// order (list a ``SignalReloader`` after the server so reloads stop first). Both servers (the
/// milter and `redline serve`) start this way.
public enum ServiceRunner {
    /// SIGHUP's default action ends the process: a server calls this first thing, so that a reload
    /// asked for while it is still loading its policy or binding is not fatal (the
    /// ``SignalReloader`` takes SIGHUP over once the services run; swift-service-lifecycle ignores
    /// the signal the same way before it watches it).
    public static func ignoreHangupUntilServing() {
        signal(SIGHUP, SIG_IGN)
    }

    /// Blocks until every service has returned. Returns the error of a service that failed
    /// (e.g. a listener that could not bind), or nil after a clean shutdown.
    public static func run(_ services: [any Service], logger: Logger) -> (any Error)? {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let failure = NIOLockedValueBox<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await group.run() } catch { failure.withLockedValue { $0 = error } }
            done.signal()
        }
        done.wait()
        return failure.withLockedValue { $0 }
    }
}
