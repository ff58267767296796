import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RedlineCore
import RedlineEngine

/// Decides messages for the NIO handler. The production one runs the policy on a thread pool;
/// tests substitute their own.
public protocol MilterEvaluating: Sendable {
    /// Decides `message`; the future may complete on any event loop or thread.
    func evaluate(_ message: MilterMessage, eventLoop: any EventLoop) -> EventLoopFuture<MilterOutcome>
}

/// The policy in force, swapped atomically on reload.
public final class PolicyStore: Sendable {
    private let current: NIOLockedValueBox<Pipeline>
    /// Compiles the policy again (from its file), e.g. `{ try PolicySource.file(path).compile(key: key) }`.
    public let load: @Sendable () throws(DiagnosticList) -> Pipeline

    public init(load: @escaping @Sendable () throws(DiagnosticList) -> Pipeline) throws(DiagnosticList) {
        self.load = load
        self.current = NIOLockedValueBox(try load())
    }

    public var pipeline: Pipeline { current.withLockedValue { $0 } }

    /// Compiles the policy again. On success the new one is in force for messages decided from
    /// now on; on failure the old one stays and every diagnostic is returned.
    @discardableResult
    public func reload() -> Result<Pipeline, DiagnosticList> {
        do {
            let pipeline = try load()
            current.withLockedValue { $0 = pipeline }
            return .success(pipeline)
        } catch {
            return .failure(error)
        }
    }
}

/// Runs ``MilterDecider`` on an `NIOThreadPool`, never on an event loop. `PipelineSession`s are
/// not thread-safe: each scan checks one out of a pool and returns it, and sessions of a
/// replaced policy are dropped.
public final class PolicyEvaluator: MilterEvaluating {
    private let store: PolicyStore
    private let threadPool: NIOThreadPool
    private let decider: MilterDecider
    private let sessions = NIOLockedValueBox<[SessionBox]>([])

    final class SessionBox: @unchecked Sendable {
        // Only ever used by the one thread that checked it out.
        let session: PipelineSession
        init(_ session: PipelineSession) { self.session = session }
    }

    public init(store: PolicyStore, threadPool: NIOThreadPool, decider: MilterDecider) {
        self.store = store
        self.threadPool = threadPool
        self.decider = decider
    }

    public func evaluate(_ message: MilterMessage, eventLoop: any EventLoop) -> EventLoopFuture<MilterOutcome> {
        threadPool.runIfActive(eventLoop: eventLoop) { [self] in
            let box = checkOut()
            defer { checkIn(box) }
            return decider.decide(message, session: box.session)
        }
    }

    private func checkOut() -> SessionBox {
        let pipeline = store.pipeline
        let reused: SessionBox? = sessions.withLockedValue { pool in
            pool.removeAll { $0.session.pipeline !== pipeline }
            return pool.popLast()
        }
        return reused ?? SessionBox(pipeline.makeSession())
    }

    private func checkIn(_ box: SessionBox) {
        let pipeline = store.pipeline
        guard box.session.pipeline === pipeline else { return }
        sessions.withLockedValue { pool in
            if pool.count < 64 { pool.append(box) }
        }
    }
}
