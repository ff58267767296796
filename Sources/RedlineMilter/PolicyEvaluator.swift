import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RedlineAudit
import RedlineCore
import RedlineEngine
import RedlineService

/// Decides messages for the NIO handler. The production one runs the policy on a thread pool;
/// tests substitute their own.
public protocol MilterEvaluating: Sendable {
    /// Decides `message`; the future may complete on any event loop or thread.
    func evaluate(_ message: MilterMessage, eventLoop: any EventLoop) -> EventLoopFuture<MilterOutcome>
}

/// Runs ``MilterDecider`` on an `NIOThreadPool`, never on an event loop. `PipelineSession`s are
/// not thread-safe: each scan checks one out of a pool and returns it, and sessions of a
/// replaced policy are dropped.
public final class PolicyEvaluator: MilterEvaluating {
    private let threadPool: NIOThreadPool
    private let decider: MilterDecider
    private let audit: MilterAudit?
    private let sessions: SessionPool

    public init(store: PolicyStore, threadPool: NIOThreadPool, decider: MilterDecider, audit: MilterAudit? = nil) {
        self.sessions = SessionPool(store: store)
        self.threadPool = threadPool
        self.decider = decider
        self.audit = audit
    }

    public func evaluate(_ message: MilterMessage, eventLoop: any EventLoop) -> EventLoopFuture<MilterOutcome> {
        threadPool.runIfActive(eventLoop: eventLoop) { [self] in
            sessions.withSession { session in
                let outcome = decider.decide(message, session: session)
                return audit?.record(outcome, message: message, session: session) ?? outcome
            }
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

    /// Records `outcome`; the sender, groups and overrides too (each justification scanned and
    /// redacted with `session` first).
    func record(_ outcome: MilterOutcome, message: MilterMessage, session: PipelineSession) -> MilterOutcome {
        guard let verdict = outcome.verdict else { return outcome }
        let messageID = message.headers.first { $0.name.lowercased() == "message-id" }
            .map { String(decoding: $0.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        // The Message-ID with anything the policy finds in it redacted (no raw value in the log).
        let source = messageID.flatMap { $0.isEmpty ? nil : session.maskedMessageID($0, channel: verdict.channel) }
            ?? message.queueID.map { "queue:\($0)" } ?? "-"
        var event = AuditEvent(mode: "milter", source: source, channel: verdict.channel, verdict: verdict.verdict,
                               findings: verdict.findings, policySHA256: session.pipeline.policySHA256)
        event.addSender(verdict.sender, findings: verdict.findings, session: session, channel: verdict.channel)
        do {
            try trail.append([event])
            return outcome
        } catch {
            return MilterOutcome(decision: .fallback(onError, reason: "the audit log could not be written"), verdict: verdict,
                                 error: "audit: \(error)")
        }
    }
}
