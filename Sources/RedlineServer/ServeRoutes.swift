import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import RedlineCore
import RedlineService

/// The request context: Hummingbird's core storage, the connection (to stop reading a body that
/// is too large), and the caller once authenticated.
public struct ServeContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let connection: any Channel
    public var client: Client?
    public var requestID = ""
    /// What the handler decided, for the one log line of the request.
    public let outcome = RequestOutcome()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        connection = source.channel
    }
}

/// Closed-set facts about one request, logged once and never containing text. A reference, so
/// that the middleware sees what the handler (holding a copy of the context) noted; one request's
/// task uses it at a time.
public final class RequestOutcome: @unchecked Sendable {
    public var verdict: String?
    public var rules: [String] = []
    public var channel: String?
    public var records: Int?
    public var findings = 0
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-ID")!
}

/// The routes of `redline serve`, written by hand against openapi.yaml (a test checks every
/// path, method and status of the document against the live server).
enum ServeRoutes {
    static func build(_ state: ServeState) -> Router<ServeContext> {
        let router = Router(context: ServeContext.self)
        router.add(middleware: ServeMiddleware(state: state))
        router.get("/healthz") { _, _ in json(200, ["status": "ok"]) }
        router.get("/readyz") { _, _ in
            state.draining.withLockedValue { $0 }
                ? json(503, ErrorBody(code: "draining", message: "the server is shutting down"))
                : json(200, ReadyBody(status: "ready", policy: state.service.policy))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: state.metrics.render())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
        if state.configuration.playground { router.get("/") { _, _ in Playground.response() } }
        router.get("/v1/policy") { _, _ in json(200, PolicyBody(state.service.store.pipeline)) }
        router.post("/v1/check") { request, context in try await decide(request, context, state: state, redact: false) }
        router.post("/v1/redact") { request, context in try await decide(request, context, state: state, redact: true) }
        router.post("/v1/batch") { request, context in try await batch(request, context, state: state) }
        router.post("/v1/mail") { request, context in try await mail(request, context, state: state) }
        return router
    }

    struct ReadyBody: Encodable {
        var status: String
        var policy: PolicyRef
    }

    static func decide(_ request: Request, _ context: ServeContext, state: ServeState, redact: Bool) async throws -> Response {
        let bytes = try await readBody(request, context: context, state: state, json: true)
        let input: CheckRequest = try decodeJSON(bytes)
        let (body, summary) = try state.service.decide(input, redact: redact, client: context.client ?? .anonymous, requestID: context.requestID)
        note(summary, in: context, state: state)
        return json(200, body)
    }

    static func batch(_ request: Request, _ context: ServeContext, state: ServeState) async throws -> Response {
        let bytes = try await readBody(request, context: context, state: state, json: true)
        let input: BatchRequest = try decodeJSON(bytes)
        let redact: Bool
        switch input.mode {
        case nil, "check": redact = false
        case "redact": redact = true
        default: throw APIError(400, "invalid_value", "field 'mode' must be check or redact")
        }
        guard input.records.count <= state.configuration.maxBatch else {
            throw APIError(413, "too_many_records", "a batch holds at most \(state.configuration.maxBatch) records")
        }
        var results: [DecisionBody] = []
        results.reserveCapacity(input.records.count)
        var verdict = Action.allow
        var rules: [String] = []
        for (index, record) in input.records.enumerated() {
            do {
                let (body, summary) = try state.service.decide(record, redact: redact, client: context.client ?? .anonymous, requestID: context.requestID)
                results.append(body)
                verdict = max(verdict, summary.verdict)
                for rule in summary.rules where !rules.contains(rule) { rules.append(rule) }
                context.outcome.findings += summary.findings.count
                state.recordDecision(summary)
            } catch {
                throw APIError(error.status, error.code, "records[\(index)]: \(error.message)")
            }
        }
        context.outcome.verdict = verdict.name
        context.outcome.rules = rules
        context.outcome.records = input.records.count
        return json(200, BatchBody(results: results))
    }

    static func mail(_ request: Request, _ context: ServeContext, state: ServeState) async throws -> Response {
        let bytes = try await readBody(request, context: context, state: state, json: false)
        guard !bytes.isEmpty else { throw APIError(400, "empty_body", "the body is empty: send the message as message/rfc822") }
        let channel = request.uri.queryParameters["channel"].map(String.init)
        let (body, summary) = try state.service.mail(bytes, channel: channel, client: context.client ?? .anonymous, requestID: context.requestID)
        note(summary, in: context, state: state)
        return json(200, body)
    }

    static func note(_ summary: DecisionSummary, in context: ServeContext, state: ServeState) {
        context.outcome.verdict = summary.verdict.name
        context.outcome.rules = summary.rules
        context.outcome.channel = summary.channel
        context.outcome.findings = summary.findings.count
        state.recordDecision(summary)
    }

    /// The body, refused with 413 before it is read whole: at once when Content-Length says it is
    /// too large, else as soon as the bytes read pass the limit. The connection is then closed after
    /// the answer, so the rest is never read.
    static func readBody(_ request: Request, context: ServeContext, state: ServeState, json: Bool) async throws -> [UInt8] {
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let accepted = json ? ["application/json"] : ["message/rfc822", "application/octet-stream"]
        if let type, !accepted.contains(type) {
            throw APIError(415, "unsupported_media_type", "the body must be \(accepted.joined(separator: " or "))")
        }
        let limit = state.configuration.maxBody
        let tooLarge = APIError(413, "body_too_large", "the body is larger than \(limit) bytes")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            closeAfterAnswer(context)
            throw tooLarge
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else {
                closeAfterAnswer(context)
                throw tooLarge
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    /// Asks Hummingbird's connection handler to close the connection once this answer is written.
    static func closeAfterAnswer(_ context: ServeContext) {
        context.connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }

    static func decodeJSON<T: Decodable>(_ bytes: [UInt8]) throws(APIError) -> T {
        guard !bytes.isEmpty else { throw APIError(400, "malformed_json", "the body is empty") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw APIError.decoding(error)
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The answers of the decision endpoints and errors: written by hand (``JSONWritable``).
    static func json(_ status: Int, _ value: some JSONWritable, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        value.writeJSON(to: &bytes)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ status: Int, _ value: some Encodable, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"cannot encode the answer"}}"#.utf8)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
