import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// `--read-timeout` (slowloris): once a client starts sending a request it has this long to
/// deliver it whole, headers and body. A client that is still sending then gets
/// `408 Request Timeout` (if nothing was answered on the connection yet) and is disconnected.
/// The clock stops when the request has been received (``RequestReceivedHandler`` sees its end)
/// or answered early (e.g. 413): the server's own time deciding is never blamed on the client,
/// however busy the machine. Idle keep-alive connections, which send nothing, are closed by
/// `--idle-timeout` instead.
///
/// Sits first in the pipeline (after TLS, when configured) and sees raw bytes only.
final class ReadDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    let timeout: TimeAmount
    let onTimeout: @Sendable () -> Void
    private var timer: Scheduled<Void>?
    private var answered = false

    init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if timer == nil {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
                expire(loopBound.value)
            }
        }
        context.fireChannelRead(data)
    }

    /// The request being read has arrived whole: its sender is no longer timed.
    func requestReceived() {
        timer?.cancel()
        timer = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        answered = true
        timer?.cancel()
        timer = nil
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func expire(_ context: ChannelHandlerContext) {
        timer = nil
        onTimeout()
        if !answered {
            answered = true
            let body = #"{"error":{"code":"read_timeout","message":"the request was not sent in time"}}"#
            let text = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
            let buffer = context.channel.allocator.buffer(string: text)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}

/// Right after the HTTP/1 request decoder: tells the ``ReadDeadlineHandler`` when a request's
/// last part has been decoded.
final class RequestReceivedHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    let deadline: ReadDeadlineHandler

    init(deadline: ReadDeadlineHandler) { self.deadline = deadline }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { deadline.requestReceived() }
        context.fireChannelRead(data)
    }
}

/// An HTTP child channel with a ``ReadDeadlineHandler`` in front of the base channel's handlers
/// and a ``RequestReceivedHandler`` behind its request decoder.
struct DeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let readTimeout: TimeAmount
    let onTimeout: @Sendable () -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ReadDeadlineHandler(timeout: readTimeout, onTimeout: onTimeout))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let deadline = try pipeline.handler(type: ReadDeadlineHandler.self)
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestReceivedHandler(deadline: deadline), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
