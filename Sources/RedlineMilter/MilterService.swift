import Dispatch
import ServiceLifecycle

/// A started ``MilterServer`` as a swift-service-lifecycle service: it serves until graceful
/// shutdown (SIGTERM/SIGINT through ``ServiceRunner``), then shuts the server down: the listener
/// closes, messages in progress finish (up to `shutdownGrace`), the threads stop.
public struct MilterService: Service {
    let server: MilterServer

    public init(_ server: MilterServer) { self.server = server }

    public func run() async throws {
        try? await gracefulShutdown()
        // shutdown() blocks while messages finish: not on the cooperative pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                server.shutdown()
                done.resume()
            }
        }
    }
}
