import Logging
import NIOCore
import RedlineCore

/// Timeouts and fallbacks of the NIO handler.
public struct MilterHandlerOptions: Sendable {
    /// Longest wait for the next packet from the MTA (between SMTP commands too); then the
    /// connection is closed and the MTA applies its `milter_default_action`.
    public var commandTimeout: TimeAmount = .seconds(600)
    /// Longest scan of one message; then `onError` is answered and the late result dropped.
    /// Keep it well under Postfix's `milter_content_timeout` (300 s by default).
    public var scanTimeout: TimeAmount = .seconds(25)
    /// While scanning, a progress packet (`p`) is sent this often so the MTA keeps waiting.
    public var progressInterval: TimeAmount = .seconds(10)
    /// The answer when a scan fails or times out.
    public var onError: MilterFallback = .tempfail

    public init() {}
}

/// Asks a connection to finish: close when idle, or right after the message in progress.
public struct MilterDrainEvent: Sendable {
    public init() {}
}

/// The thin NIO side of one milter connection: frames in, ``MilterSession`` decides what to
/// send, message evaluation handed to a ``MilterEvaluating`` (off the event loop) and its
/// answer written back on the event loop. Logs one line per decided message.
public final class MilterChannelHandler: ChannelInboundHandler {
    public typealias InboundIn = MilterFrame
    public typealias OutboundOut = MilterFrame

    private var session: MilterSession
    private let evaluator: any MilterEvaluating
    private let options: MilterHandlerOptions
    private let logger: Logger
    private let metrics: MilterMetrics
    private var draining = false
    private var commandTimer: Scheduled<Void>?
    private var scanTimer: Scheduled<Void>?
    private var progressTimer: Scheduled<Void>?
    /// The ticket being scanned, if any (for the in-progress gauge and the timers).
    private var scanning: Int?
    /// Set once the connection is being closed for a broken packet stream: later packets and
    /// errors of the same connection are ignored (counted once).
    private var failed = false

    public init(session: MilterSession, evaluator: any MilterEvaluating, options: MilterHandlerOptions, logger: Logger, metrics: MilterMetrics) {
        self.session = session
        self.evaluator = evaluator
        self.options = options
        self.logger = logger
        self.metrics = metrics
    }

    public func channelActive(context: ChannelHandlerContext) {
        metrics.connectionOpened()
        armCommandTimer(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        metrics.connectionClosed()
        endScan()
        commandTimer?.cancel()
        context.fireChannelInactive()
    }

    /// Backpressure: while the MTA does not read its replies, its packets are not read either,
    /// so unread replies cannot pile up in memory; the command timeout ends a connection that
    /// never reads again.
    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is MilterDrainEvent {
            draining = true
            if !session.isInMessage { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !failed else { return }
        if let frameError = error as? MilterFrameError {
            // A length of 0 or above the limit: the stream cannot be resynchronised.
            let oversize = frameError.code == .oversizeFrame
            metrics.recordError("protocol")
            logger.warning("milter protocol error", metadata: ["error": "\(frameError)", "kind": "protocol"])
            failConnection(context: context, fallback: oversize ? session.configuration.onLimit : session.configuration.onError,
                           reason: oversize ? "milter packet exceeds the size limit" : "milter protocol error")
            return
        }
        failed = true
        metrics.recordError("io")
        logger.warning("connection error", metadata: ["error": "\(error)", "kind": "io"])
        context.close(promise: nil)
    }

    /// Ends a connection whose packet stream is broken. When the MTA may be waiting for a reply
    /// and the fallback is tempfail or reject, that answer is sent first, so the message in
    /// progress fails closed whatever `milter_default_action` says; then the connection closes.
    private func failConnection(context: ChannelHandlerContext, fallback: MilterFallback, reason: String) {
        failed = true
        commandTimer?.cancel()
        commandTimer = nil
        endScan()
        guard session.hasNegotiated, fallback == .tempfail || fallback == .reject, context.channel.isActive else {
            context.close(promise: nil)
            return
        }
        metrics.recordFallback(fallback)
        context.writeAndFlush(wrapOutboundOut(MilterSession.frame(for: fallback, reason: reason))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let frame = unwrapInboundIn(data)
        armCommandTimer(context: context)
        let action: MilterSessionAction
        do {
            action = try session.receive(frame)
        } catch {
            metrics.recordError("protocol")
            logger.warning("milter protocol error", metadata: ["error": "\(error)", "kind": "protocol"])
            failConnection(context: context, fallback: session.configuration.onError, reason: "milter protocol error")
            return
        }
        switch action {
        case .none:
            break
        case let .reply(frames):
            if frame.command == MilterProtocol.Command.endOfMessage { recordUnscanned(frames) }
            write(frames, context: context)
        case .close:
            context.close(promise: nil)
        case let .evaluate(message, ticket):
            startEvaluation(message, ticket: ticket, context: context)
        }
        if let ticket = scanning, !session.isAwaiting(ticket: ticket) {
            // Aborted while being scanned: the late result will be dropped.
            endScan()
            armCommandTimer(context: context)
        }
        if draining && !session.isInMessage { context.close(promise: nil) }
    }

    private func startEvaluation(_ message: MilterMessage, ticket: Int, context: ChannelHandlerContext) {
        endScan()
        commandTimer?.cancel()
        commandTimer = nil
        let started = NIODeadline.now()
        let loop = context.eventLoop.assumeIsolated()
        metrics.scanStarted()
        scanning = ticket
        scanTimer = loop.scheduleTask(in: options.scanTimeout) { [self] in
            finish(ticket: ticket, message: message, started: started, context: context,
                   outcome: MilterOutcome(decision: .fallback(options.onError, reason: "scan timed out"), error: "timeout"))
        }
        scheduleProgress(ticket: ticket, context: context)
        evaluator.evaluate(message, eventLoop: context.eventLoop).hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            let outcome: MilterOutcome
            switch result {
            case let .success(value): outcome = value
            case let .failure(error):
                outcome = MilterOutcome(decision: .fallback(options.onError, reason: "internal error"), error: "internal: \(type(of: error))")
            }
            finish(ticket: ticket, message: message, started: started, context: context, outcome: outcome)
        }
    }

    /// A progress packet every `progressInterval` while `ticket` is scanned, so the MTA's
    /// content timeout does not expire.
    private func scheduleProgress(ticket: Int, context: ChannelHandlerContext) {
        progressTimer = context.eventLoop.assumeIsolated().scheduleTask(in: options.progressInterval) { [self] in
            guard scanning == ticket, session.isAwaiting(ticket: ticket), context.channel.isActive else { return }
            context.writeAndFlush(wrapOutboundOut(MilterFrame(MilterProtocol.Response.progress)), promise: nil)
            scheduleProgress(ticket: ticket, context: context)
        }
    }

    private func finish(ticket: Int, message: MilterMessage, started: NIODeadline, context: ChannelHandlerContext, outcome: MilterOutcome) {
        guard !failed, session.isAwaiting(ticket: ticket) else { return }
        endScan()
        let frames = session.complete(ticket: ticket, with: outcome.decision)
        let seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        record(message: message, outcome: outcome, frames: frames, seconds: seconds)
        if context.channel.isActive {
            write(frames, context: context)
            armCommandTimer(context: context)
        }
        if draining && !session.isInMessage { context.close(promise: nil) }
    }

    private func record(message: MilterMessage, outcome: MilterOutcome, frames: [MilterFrame], seconds: Double) {
        var findings: [String: Int] = [:]
        var rules: [String] = []
        if let verdict = outcome.verdict {
            for finding in verdict.findings where finding.action > .allow {
                findings[finding.detector, default: 0] += 1
                if let rule = finding.rule, !rules.contains(rule) { rules.append(rule) }
            }
        }
        let verdictName = outcome.error == nil ? (outcome.verdict?.verdict.name ?? "allow") : "error"
        // What the MTA was told, from the final packet actually sent (a decision the MTA did not
        // permit is replaced by the fallback).
        let decision = Self.decisionName(frames) ?? outcome.decision.name
        metrics.recordMessage(verdict: verdictName, decision: decision, findings: findings, seconds: seconds, size: message.size)
        if let error = outcome.error {
            // A bounded label: the kind, not the message (an audit error names a path and errno).
            metrics.recordError(error.hasPrefix("internal") ? "internal" : error.hasPrefix("audit:") ? "audit" : error)
            metrics.recordFallback(options.onError)
        }
        var metadata: Logger.Metadata = [
            "queue_id": "\(message.queueID ?? "-")",
            "verdict": "\(verdictName)",
            "decision": "\(decision)",
            "rules": "\(rules.joined(separator: ","))",
            "detectors": "\(findings.keys.sorted().map { "\($0)=\(findings[$0]!)" }.joined(separator: ","))",
            "size": "\(message.size)",
            "recipients": "\(message.recipients.count)",
            "latency_ms": "\(Int((seconds * 1000).rounded()))",
        ]
        if let user = message.authUser, !user.isEmpty { metadata["auth_user"] = "\(user)" }
        if let verdict = outcome.verdict {
            metadata["channel"] = "\(verdict.channel)"
            if !verdict.diagnostics.isEmpty {
                metadata["diagnostics"] = "\(Set(verdict.diagnostics.map(\.code)).sorted().joined(separator: ","))"
            }
            if !verdict.unscannedAttachments.isEmpty { metadata["unscanned"] = "\(verdict.unscannedAttachments.count)" }
        }
        if let error = outcome.error { metadata["error"] = "\(error)" }
        logger.info("decision", metadata: metadata)
    }

    /// End-of-message answered without a scan (the size limit): counted and logged like a
    /// decision, so every tempfail the MTA reports has a line here. Sessions over the session
    /// limit were counted when they were accepted.
    private func recordUnscanned(_ frames: [MilterFrame]) {
        guard !session.overloaded else { return }
        let decision = Self.decisionName(frames) ?? "accept"
        metrics.recordUnscannedMessage(decision: decision)
        metrics.recordError("limit")
        metrics.recordFallback(session.configuration.onLimit)
        logger.info("decision", metadata: [
            "queue_id": "\(session.macro("i") ?? "-")", "verdict": "error", "decision": "\(decision)", "error": "limit",
        ])
    }

    static func decisionName(_ frames: [MilterFrame]) -> String? {
        typealias R = MilterProtocol.Response
        guard let last = frames.last else { return nil }
        if frames.contains(where: { $0.command == R.quarantine }) { return "quarantine" }
        switch last.command {
        case R.continue, R.accept:
            return frames.count > 1 ? "modify" : "accept"
        case R.replyCode:
            return last.data.first == UInt8(ascii: "4") ? "tempfail" : "reject"
        case R.tempfail: return "tempfail"
        case R.reject: return "reject"
        default: return nil
        }
    }

    private func write(_ frames: [MilterFrame], context: ChannelHandlerContext) {
        guard !frames.isEmpty else { return }
        for frame in frames { context.write(wrapOutboundOut(frame), promise: nil) }
        context.flush()
    }

    private func armCommandTimer(context: ChannelHandlerContext) {
        commandTimer?.cancel()
        commandTimer = context.eventLoop.assumeIsolated().scheduleTask(in: options.commandTimeout) { [self] in
            metrics.recordError("timeout")
            logger.notice("milter connection idle too long; closing", metadata: ["timeout_s": "\(options.commandTimeout.nanoseconds / 1_000_000_000)"])
            context.close(promise: nil)
        }
    }

    private func endScan() {
        if scanning != nil { metrics.scanFinished() }
        scanning = nil
        scanTimer?.cancel()
        scanTimer = nil
        progressTimer?.cancel()
        progressTimer = nil
    }
}
