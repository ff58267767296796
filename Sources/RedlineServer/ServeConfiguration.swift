import Foundation
import NIOCore

/// Everything `redline serve` needs, validated (``ServeLauncher`` builds it from the options).
public struct ServeConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0: an ephemeral port (tests); the bound one is reported through `onListening`.
    public var port = 8080
    /// Largest request body, in bytes (413 before it is read whole).
    public var maxBody = 10 << 20
    /// Requests being decided at once; more get 503 with Retry-After.
    public var maxInflight = 64
    /// Records in one `/v1/batch` call.
    public var maxBatch = 1_000
    /// From a request's first byte until it has been received whole (slowloris).
    public var readTimeout: TimeAmount = .seconds(10)
    /// Keep-alive connections with no request are closed after this long.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// On SIGTERM, how long `/readyz` answers 503 while requests are still taken (for a load
    /// balancer to notice) before the listener closes and in-flight requests drain.
    public var drainDelay: Duration = .zero
    /// Calls without a token are let in (as `anonymous`): loopback only.
    public var allowAnonymous = false
    /// `GET /` serves the policy playground (off by default).
    public var playground = false
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init() {}

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// `HOST:PORT`, `[V6]:PORT` or `:PORT` (all interfaces is spelt `0.0.0.0:PORT`).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        return (host, port)
    }
}
