import NIOCore
import NIOHTTP1

/// Serves `GET /metrics` (Prometheus text format) and nothing else; every response closes the
/// connection.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: MilterMetrics
    private var path = ""
    private var method: HTTPMethod = .GET

    init(metrics: MilterMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            path = String(head.uri.prefix { $0 != "?" })
            method = head.method
        case .body:
            break
        case .end:
            let (status, body): (HTTPResponseStatus, String) = switch (method, path) {
            case (.GET, "/metrics"), (.HEAD, "/metrics"): (.ok, metrics.render())
            case (_, "/metrics"): (.methodNotAllowed, "only GET\n")
            default: (.notFound, "not found; try /metrics\n")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: "\(body.utf8.count)")
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            if method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
