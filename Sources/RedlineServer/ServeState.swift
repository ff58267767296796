import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOConcurrencyHelpers
import RedlineCore
import RedlineService

/// What every request shares: the engine, the tokens, the limits, metrics and the log.
public final class ServeState: Sendable {
    public let configuration: ServeConfiguration
    public let service: DecisionService
    public let tokens: TokenStore
    public let metrics: ServiceMetrics
    public let logger: Logger
    let inflight = NIOLockedValueBox(0)
    let draining = NIOLockedValueBox(false)
    let inflightGauge: Gauge

    public init(configuration: ServeConfiguration, service: DecisionService, tokens: TokenStore, metrics: ServiceMetrics = ServiceMetrics(),
                logger: Logger) {
        self.configuration = configuration
        self.service = service
        self.tokens = tokens
        self.metrics = metrics
        self.logger = logger
        self.inflightGauge = metrics.gauge("http_requests_in_flight")
        inflightGauge.record(0)
        let policy = service.policy
        let info = metrics.gauge("policy_info", [("name", policy.name), ("sha256", policy.sha256)])
        info.record(1)
        policyInfo = NIOLockedValueBox(info)
    }

    /// `redline_policy_info{name,sha256} 1` follows the policy in force (the replaced one's series goes).
    let policyInfo: NIOLockedValueBox<Gauge>

    func notePolicy(name: String, sha256: String) {
        let info = metrics.gauge("policy_info", [("name", name), ("sha256", sha256)])
        info.record(1)
        let previous = policyInfo.withLockedValue { current in
            defer { current = info }
            return current
        }
        if previous !== info { previous.destroy() }
    }

    /// Takes a place among the requests being decided; false when `maxInflight` are.
    func enter() -> Bool {
        let count: Int? = inflight.withLockedValue { count in
            guard count < configuration.maxInflight else { return nil }
            count += 1
            return count
        }
        guard let count else { return false }
        inflightGauge.record(count)
        return true
    }

    func leave() {
        inflightGauge.record(inflight.withLockedValue { count in
            count -= 1
            return count
        })
    }

    func recordDecision(_ summary: DecisionSummary) {
        metrics.counter("decisions_total", [("verdict", summary.verdict.name), ("channel", summary.channel)]).increment()
        var perDetector: [String: Int] = [:]
        for finding in summary.findings { perDetector[finding.detector, default: 0] += 1 }
        for (detector, count) in perDetector { metrics.counter("findings_total", [("detector", detector)]).increment(by: count) }
    }

    /// SIGHUP: the policy, then the tokens. A file with errors keeps the one in force and every
    /// diagnostic is logged (positions and codes; policy and tokens files hold no message text).
    public func reload() {
        switch service.store.reload() {
        case let .success(pipeline):
            metrics.counter("reloads_total", [("file", "policy"), ("result", "ok")]).increment()
            notePolicy(name: pipeline.policy.name, sha256: pipeline.policySHA256)
            logger.info("policy reloaded", metadata: ["policy": "\(pipeline.policy.name)", "policy_sha256": "\(pipeline.policySHA256)"])
        case let .failure(list):
            metrics.counter("reloads_total", [("file", "policy"), ("result", "error")]).increment()
            for diagnostic in list.diagnostics { logger.error("\(diagnostic.description)", metadata: ["code": "\(diagnostic.code)"]) }
            logger.error("policy not reloaded: \(list.diagnostics.count) error(s); the policy in force stays")
        }
        switch tokens.reload() {
        case let .success(count):
            metrics.counter("reloads_total", [("file", "tokens"), ("result", "ok")]).increment()
            logger.info("tokens reloaded", metadata: ["tokens": "\(count)"])
        case let .failure(list):
            metrics.counter("reloads_total", [("file", "tokens"), ("result", "error")]).increment()
            for diagnostic in list.diagnostics { logger.error("\(diagnostic.description)", metadata: ["code": "\(diagnostic.code)"]) }
            logger.error("tokens not reloaded: \(list.diagnostics.count) error(s); the tokens in force stay")
        }
    }
}

/// Request id, authentication, the in-flight limit, errors as `{"error":{code,message}}`, one
/// log line and the metrics of every request.
struct ServeMiddleware: RouterMiddleware {
    typealias Context = ServeContext
    let state: ServeState

    static let routes: Set<String> = ["/", "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/policy", "/v1/check", "/v1/redact", "/v1/batch", "/v1/mail"]
    /// The one method of each endpoint: another method on it is 405 with `Allow` (not 404).
    static let methods: [String: String] = ["/healthz": "GET", "/readyz": "GET", "/metrics": "GET", "/openapi.yaml": "GET", "/v1/policy": "GET",
                                            "/v1/check": "POST", "/v1/redact": "POST", "/v1/batch": "POST", "/v1/mail": "POST"]

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.requestID = Self.requestID(request.headers[.requestID])
        let path = request.uri.path
        var admitted = false
        var response: Response
        do {
            if path.hasPrefix("/v1/") {
                switch state.tokens.authenticate(request.headers[.authorization]) {
                case .unauthorized:
                    throw APIError(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer TOKEN)")
                case let .client(client):
                    context.client = client
                }
                if request.method == .post {
                    guard state.enter() else {
                        state.metrics.counter("rejected_total", [("reason", "busy")]).increment()
                        throw APIError(503, "busy", "too many requests in flight; retry shortly", retryAfter: 1)
                    }
                    admitted = true
                }
            }
            response = try await next(request, context)
        } catch let error as APIError {
            response = Self.errorResponse(error)
        } catch let error as HTTPError where error.status == .notFound && Self.methods[path].map({ $0 != request.method.rawValue }) == true {
            var wrongMethod = Self.errorResponse(APIError(405, "method_not_allowed", "\(path) takes \(Self.methods[path]!) only"))
            wrongMethod.headers[.allow] = Self.methods[path]!
            response = wrongMethod
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let code = status == 404 ? "not_found" : status == 405 ? "method_not_allowed" : status == 413 ? "body_too_large" : "bad_request"
            response = Self.errorResponse(APIError(status, code, status == 404 ? "no such endpoint" : "the request cannot be handled"))
        } catch {
            // A connection error while reading the body, or an internal error: never its text.
            response = Self.errorResponse(APIError(500, "internal", "internal error"))
        }
        if admitted { state.leave() }
        response.headers[.requestID] = context.requestID
        let elapsed = ContinuousClock.now - start
        let route = Self.routes.contains(path) ? path : "other"
        let status = Int(response.status.code)
        state.metrics.counter("http_requests_total", [("route", route), ("status", String(status))]).increment()
        state.metrics.timer("http_request_duration_seconds", [("route", route)]).recordNanoseconds(Self.nanoseconds(elapsed))
        log(request, context: context, route: route, status: status, elapsed: elapsed, response: response)
        return response
    }

    func log(_ request: Request, context: ServeContext, route: String, status: Int, elapsed: Duration, response: Response) {
        guard route != "/healthz", route != "/readyz", route != "/metrics" || status != 200 else { return }
        var metadata: Logger.Metadata = [
            "request_id": "\(context.requestID)",
            "method": "\(request.method.rawValue)",
            "route": "\(route)",
            "status": "\(status)",
            "token": "\(context.client?.name ?? "-")",
            "latency_ms": "\(Self.milliseconds(elapsed))",
            "bytes_in": "\(request.headers[.contentLength] ?? "-")",
        ]
        if let length = response.body.contentLength { metadata["bytes_out"] = "\(length)" }
        let outcome = context.outcome
        if let verdict = outcome.verdict {
            metadata["verdict"] = "\(verdict)"
            metadata["rules"] = "\(outcome.rules.isEmpty ? "-" : outcome.rules.joined(separator: ","))"
            metadata["findings"] = "\(outcome.findings)"
        }
        if let channel = outcome.channel { metadata["channel"] = "\(channel)" }
        if let records = outcome.records { metadata["records"] = "\(records)" }
        state.logger.info("request", metadata: metadata)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func errorResponse(_ error: APIError) -> Response {
        var headers: HTTPFields = [:]
        if let retry = error.retryAfter { headers[.retryAfter] = String(retry) }
        if error.status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"redline\"" }
        if error.status == 413 { headers[.connection] = "close" }
        return ServeRoutes.json(error.status, ErrorBody(code: error.code, message: error.message), headers: headers)
    }

    /// The caller's `X-Request-ID` when it is a plain token (1–64 of `A-Za-z0-9._-`), else a new one.
    static func requestID(_ given: String?) -> String {
        if let given, !given.isEmpty, given.utf8.count <= 64,
           given.unicodeScalars.allSatisfy({ ($0.properties.isASCIIHexDigit || ("g"..."z").contains($0) || ("G"..."Z").contains($0)
               || $0 == "." || $0 == "_" || $0 == "-") }) {
            return given
        }
        var generator = SystemRandomNumberGenerator()
        return hex16(generator.next())
    }

    /// `value` as 16 lower-case hex digits (what `%016llx` gives, without Foundation's formatter).
    static func hex16(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { out[i] = digits[Int(truncatingIfNeeded: value >> UInt64(60 - 4 * i)) & 15] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Milliseconds with 3 decimals (what `%.3f` gives for the latencies a server sees).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        // Rounded to the nearest microsecond, as %.3f rounds.
        let microseconds = max(0, seconds) * 1_000_000 + (max(0, attoseconds) + 500_000_000_000) / 1_000_000_000_000
        let whole = microseconds / 1000, fraction = Int(microseconds % 1000)
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(whole).\(padded)"
    }
}
