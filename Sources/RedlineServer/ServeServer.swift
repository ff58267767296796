import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import RedlineService
import ServiceLifecycle

/// `redline serve` as services for a swift-service-lifecycle group: the Hummingbird application,
/// the SIGHUP reloader and the notice that makes `/readyz` answer 503 while requests drain.
public enum ServeServer {
    /// The Hummingbird application. `onListening` gets the bound port (useful with port 0).
    public static func application(_ state: ServeState, onListening: @escaping @Sendable (Int) async -> Void = { _ in })
        throws -> some Service {
        let configuration = state.configuration
        let http1 = HTTP1Channel.Configuration(idleTimeout: configuration.idleTimeout)
        let metrics = state.metrics
        var server = HTTPServerBuilder { responder in
            DeadlineChannel(base: HTTP1Channel(responder: responder, configuration: http1), readTimeout: configuration.readTimeout) {
                metrics.counter("rejected_total", [("reason", "read_timeout")]).increment()
            }
        }
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(server, tlsConfiguration: tls)
        }
        // Hummingbird's own messages (start, stop, connection errors) go to the same log, at warning and above.
        var frameworkLogger = state.logger
        frameworkLogger.logLevel = max(state.logger.logLevel, .warning)
        return Application(
            router: ServeRoutes.build(state),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "redline"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: frameworkLogger
        )
    }

    /// The services in group order: the application first, so that it stops last (after the
    /// drain notice has marked the server not ready and while in-flight requests finish).
    public static func services(_ state: ServeState, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> [any Service] {
        [try application(state, onListening: onListening),
         SignalReloader { state.reload() },
         ShutdownNotice(delay: state.configuration.drainDelay) { state.draining.withLockedValue { $0 = true } }]
    }
}
