import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import RedlineEngine
import RedlineService
import Testing
@testable import RedlineMilter

/// Decides synchronously with a given closure.
struct InlineEvaluator: MilterEvaluating {
    let decide: @Sendable (MilterMessage) -> MilterOutcome
    func evaluate(_ message: MilterMessage, eventLoop: any EventLoop) -> EventLoopFuture<MilterOutcome> {
        eventLoop.makeSucceededFuture(decide(message))
    }
}

/// Holds evaluations until the test completes them.
final class HeldEvaluator: MilterEvaluating, @unchecked Sendable {
    var promises: [EventLoopPromise<MilterOutcome>] = []
    func evaluate(_ message: MilterMessage, eventLoop: any EventLoop) -> EventLoopFuture<MilterOutcome> {
        let promise = eventLoop.makePromise(of: MilterOutcome.self)
        promises.append(promise)
        return promise.futureResult
    }
}

/// Collects log lines.
final class LogLines: @unchecked Sendable {
    private let lock = NIOLock()
    private var storage: [String] = []
    var lines: [String] { lock.withLock { storage } }
    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var logger: Logger {
        Logger(label: "test") { label in StructuredLogHandler(label: label, format: .logfmt, sink: { self.append($0) }) }
    }
}

@Suite("MilterChannelHandler on EmbeddedChannel")
struct MilterChannelHandlerTests {
    static func channel(evaluator: any MilterEvaluating, logs: LogLines = LogLines(), metrics: MilterMetrics = MilterMetrics()) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(MilterFrameByteDecoder()),
            MessageToByteHandler(MilterFrameEncoder()),
            MilterChannelHandler(session: MilterSession(), evaluator: evaluator, options: MilterHandlerOptions(), logger: logs.logger, metrics: metrics),
        ])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    /// Writes `frames` as one byte stream cut into 3-byte pieces; returns every frame written back.
    static func exchange(_ channel: EmbeddedChannel, _ frames: [MilterFrame]) throws -> [MilterFrame] {
        let bytes = frames.flatMap(\.bytes)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 3, bytes.count)
            try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        var decoder = MilterFrameDecoder()
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { decoder.append(buffer.readableBytesView) }
        var out: [MilterFrame] = []
        while let frame = try decoder.next() { out.append(frame) }
        return out
    }

    @Test("a whole Postfix conversation with the real policy: reject, then redact on the same connection")
    func conversation() throws {
        let pipeline = try Fixtures.pipeline()
        let logs = LogLines()
        let metrics = MilterMetrics()
        let channel = try Self.channel(evaluator: InlineEvaluator { MilterDecider().decide($0, session: pipeline.makeSession()) }, logs: logs, metrics: metrics)
        let opening = try Self.exchange(channel, [Postfix.optneg(), Postfix.connect(), Postfix.strings("H", ["localhost"])])
        #expect(opening.map(\.commandName) == ["O", "c", "c"])

        let rejected = try Self.exchange(channel, Postfix.cardMessage)
        #expect(rejected.last?.text == "550 5.7.1 redline: payment card number in outbound message; take payments through the payment page only\0")
        #expect(try Self.exchange(channel, [MilterFrame("A"), MilterFrame("A")]).isEmpty)

        let redacted = try Self.exchange(channel, Postfix.ninoMessage)
        #expect(redacted.suffix(5).map(\.commandName) == ["m", "h", "h", "b", "c"])
        #expect(try Self.exchange(channel, [MilterFrame("A"), MilterFrame("Q")]).isEmpty)
        #expect(!channel.isActive)

        #expect(metrics.value("messages", "block") == 1)
        #expect(metrics.value("messages", "redact") == 1)
        #expect(metrics.value("findings", "nino") == 2)
        let decisions = logs.lines.filter { $0.contains("msg=decision") }
        #expect(decisions.count == 2)
        #expect(decisions[0].contains("queue_id=4ABCDE1234"))
        #expect(decisions[0].contains("verdict=block"))
        #expect(decisions[0].contains("rules=card-never-leaves"))
        #expect(decisions[0].contains("detectors=\"card=1\""))
        #expect(decisions[1].contains("decision=modify"))
        // Never content or values in the logs.
        for line in logs.lines {
            #expect(!line.contains("4111"))
            #expect(!line.contains("AB 12"))
            #expect(!line.contains("customer@"))
        }
    }

    @Test("ABORT while the message is scanned: the late decision is dropped, nothing is sent")
    func abortDuringScan() throws {
        let held = HeldEvaluator()
        let metrics = MilterMetrics()
        let channel = try Self.channel(evaluator: held, metrics: metrics)
        _ = try Self.exchange(channel, [Postfix.optneg(), Postfix.connect()])
        _ = try Self.exchange(channel, Postfix.cleanMessage)
        #expect(held.promises.count == 1)
        #expect(try Self.exchange(channel, [MilterFrame("A")]).isEmpty)
        held.promises[0].succeed(MilterOutcome(decision: .accept))
        #expect(try Self.exchange(channel, []).isEmpty)
        #expect(metrics.render().contains("redline_scans_in_progress 0"))
        _ = try channel.finish()
    }

    @Test("an evaluation failure answers tempfail (fail closed) and is counted")
    func evaluationFailure() throws {
        struct Boom: Error {}
        let held = HeldEvaluator()
        let metrics = MilterMetrics()
        let channel = try Self.channel(evaluator: held, metrics: metrics)
        _ = try Self.exchange(channel, [Postfix.optneg(), Postfix.connect()])
        _ = try Self.exchange(channel, Postfix.cleanMessage)
        held.promises[0].fail(Boom())
        let out = try Self.exchange(channel, [])
        #expect(out.count == 1)
        #expect(out[0].text.hasPrefix("451 4.7.1 redline: internal error"))
        #expect(metrics.value("errors", "internal") == 1)
        #expect(metrics.value("messages", "error") == 1)
        _ = try channel.finish()
    }

    @Test("a protocol error (bogus length) closes the connection")
    func bogusLength() throws {
        let metrics = MilterMetrics()
        let channel = try Self.channel(evaluator: InlineEvaluator { _ in MilterOutcome(decision: .accept) }, metrics: metrics)
        _ = try? channel.writeInbound(ByteBuffer(bytes: [0xFF, 0, 0, 0, 0x4F]))
        #expect(!channel.isActive)
        #expect(metrics.value("errors", "protocol") == 1)
    }

    @Test("drain: an idle connection closes at once; one inside a message closes after its answer")
    func drain() throws {
        let idle = try Self.channel(evaluator: InlineEvaluator { _ in MilterOutcome(decision: .accept) })
        _ = try Self.exchange(idle, [Postfix.optneg(), Postfix.connect()])
        idle.pipeline.fireUserInboundEventTriggered(MilterDrainEvent())
        #expect(!idle.isActive)

        let held = HeldEvaluator()
        let busy = try Self.channel(evaluator: held)
        _ = try Self.exchange(busy, [Postfix.optneg(), Postfix.connect()])
        _ = try Self.exchange(busy, Postfix.cleanMessage)
        busy.pipeline.fireUserInboundEventTriggered(MilterDrainEvent())
        #expect(busy.isActive)
        held.promises[0].succeed(MilterOutcome(decision: .accept))
        #expect(try Self.exchange(busy, []) == [MilterFrame("c")])
        #expect(!busy.isActive)
    }

    @Test("logfmt values are bare when plain, else quoted with every special and control character escaped")
    func logfmtValues() {
        #expect(StructuredLogHandler.logfmtValue("card-never-leaves") == "card-never-leaves")
        #expect(StructuredLogHandler.logfmtValue("") == "\"\"")
        #expect(StructuredLogHandler.logfmtValue("a b=c") == "\"a b=c\"")
        #expect(StructuredLogHandler.logfmtValue("q\"x\\y\nz\u{1B}[31m") == "\"q\\\"x\\\\y\\nz\\u001b[31m\"")
    }
}

