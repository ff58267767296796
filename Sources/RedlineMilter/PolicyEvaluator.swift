import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RedlineAudit
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
    private let audit: MilterAudit?
    private let sessions = NIOLockedValueBox<[SessionBox]>([])

    final class SessionBox: @unchecked Sendable {
        // Only ever used by the one thread that checked it out.
        let session: PipelineSession
        init(_ session: PipelineSession) { self.session = session }
    }

    public init(store: PolicyStore, threadPool: NIOThreadPool, decider: MilterDecider, audit: MilterAudit? = nil) {
        self.store = store
        self.threadPool = threadPool
        self.decider = decider
        self.audit = audit
    }

    public func evaluate(_ message: MilterMessage, eventLoop: any EventLoop) -> EventLoopFuture<MilterOutcome> {
        threadPool.runIfActive(eventLoop: eventLoop) { [self] in
            let box = checkOut()
            defer { checkIn(box) }
            let outcome = decider.decide(message, session: box.session)
            return audit?.record(outcome, message: message, policySHA256: box.session.pipeline.policySHA256) ?? outcome
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

/// `redline milter --audit FILE`: one hash-chained record per decided message (mode `milter`,
/// the Message-ID or else the queue ID, channel, verdict, rule ids, detector counts, keyed
/// fingerprints; never content), appended before the MTA gets the answer. A message whose record
/// cannot be written is answered as an internal error (`onError`, by default 451 tempfail: the MTA
/// retries later), so no decision goes unrecorded unless the administrator chose `accept`.
public struct MilterAudit: Sendable {
    public let trail: AuditTrail
    public let onError: MilterFallback

    public init(trail: AuditTrail, onError: MilterFallback) {
        self.trail = trail
        self.onError = onError
    }

    func record(_ outcome: MilterOutcome, message: MilterMessage, policySHA256: String) -> MilterOutcome {
        guard let verdict = outcome.verdict else { return outcome }
        let messageID = message.headers.first { $0.name.lowercased() == "message-id" }
            .map { String(decoding: $0.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        let source = messageID.flatMap { $0.isEmpty ? nil : $0 } ?? message.queueID.map { "queue:\($0)" } ?? "-"
        let event = AuditEvent(mode: "milter", source: source, channel: verdict.channel, verdict: verdict.verdict,
                               findings: verdict.findings, policySHA256: policySHA256)
        do {
            try trail.append([event])
            return outcome
        } catch {
            return MilterOutcome(decision: .fallback(onError, reason: "the audit log could not be written"), verdict: verdict,
                                 error: "audit: \(error)")
        }
    }
}
