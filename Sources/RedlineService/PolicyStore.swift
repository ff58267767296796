import NIOConcurrencyHelpers
import RedlineCore
import RedlineEngine

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

/// `PipelineSession`s are not thread-safe: a scan checks one out, uses it on one thread and
/// returns it. Sessions of a replaced policy are dropped, so a reload takes effect at the next
/// check-out; at most `capacity` idle sessions are kept.
public final class SessionPool: Sendable {
    private let store: PolicyStore
    private let capacity: Int
    private let idle = NIOLockedValueBox<[Box]>([])

    public final class Box: @unchecked Sendable {
        // Only ever used by the one thread that checked it out.
        public let session: PipelineSession
        init(_ session: PipelineSession) { self.session = session }
    }

    public init(store: PolicyStore, capacity: Int = 64) {
        self.store = store
        self.capacity = capacity
    }

    /// Runs `body` with a session of the policy in force.
    public func withSession<T>(_ body: (PipelineSession) throws -> T) rethrows -> T {
        let box = checkOut()
        defer { checkIn(box) }
        return try body(box.session)
    }

    public func checkOut() -> Box {
        let pipeline = store.pipeline
        let reused: Box? = idle.withLockedValue { pool in
            pool.removeAll { $0.session.pipeline !== pipeline }
            return pool.popLast()
        }
        return reused ?? Box(pipeline.makeSession())
    }

    public func checkIn(_ box: Box) {
        guard box.session.pipeline === store.pipeline else { return }
        idle.withLockedValue { pool in
            if pool.count < capacity { pool.append(box) }
        }
    }
}
