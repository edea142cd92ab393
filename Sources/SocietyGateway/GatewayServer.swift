import HTTPTypes
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import ServiceLifecycle
import SocietyExchange
import SocietyJSON

/// The gateway behind HTTP: Hummingbird's router with the exchange, publication and operational
/// routes of the OpenAPI document (``GatewayOpenAPI``), every refusal as problem JSON.
///
/// ```swift
/// let gateway = ExchangeGateway(responder: responder, responses: cache, auditLog: log, crypto: crypto)
/// let app = GatewayServer.application(gateway: gateway, host: "127.0.0.1", port: 8443)
/// try await ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
///
/// The application is a swift-service-lifecycle `Service`: on graceful shutdown it stops accepting
/// connections and lets the requests in flight finish — each opened, answered, sealed and audited
/// before its connection closes — and readiness answers 503 while it drains.
public enum GatewayServer {
    /// The HTTP application serving `gateway` on `host`:`port` (`0`: any free port; the bound one is
    /// passed to `onServerRunning`).
    public static func application(
        gateway: ExchangeGateway,
        host: String = "127.0.0.1",
        port: Int = 8080,
        logger: Logger = Logger(label: "digitalsociety.gateway.http"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(gateway: gateway),
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    idleTimeout: TimeAmount.nanoseconds(Int64(gateway.limits.idleTimeout / .nanoseconds(1)))
                )
            ),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port),
                serverName: "DigitalSociety-Gateway",
                backlog: 2_048
            ),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? port)
            },
            logger: logger
        )
    }

    /// The router with every route of the OpenAPI document (its `routes` are what a test compares
    /// with the document) and the middleware that turns whatever it throws into problem JSON.
    public static func router(gateway: ExchangeGateway) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        // Spans for an application that bootstraps a tracer (swift-distributed-tracing); no header
        // and no query is recorded, so no personal value reaches a span. Without a tracer it is a no-op.
        router.add(middleware: TracingMiddleware())
        router.add(middleware: ProblemMiddleware(gateway: gateway))
        addRoutes(to: router, gateway: gateway)
        return router
    }

    /// The routes, in the order of the OpenAPI document.
    static func addRoutes(to router: Router<BasicRequestContext>, gateway: ExchangeGateway) {
        router.post("/v1/exchange") { request, _ -> Response in
            try await exchange(request, gateway: gateway)
        }
        router.get("/v1/trust-list") { request, _ -> Response in
            response(gateway.trustList(ifNoneMatch: request.headers[.ifNoneMatch]))
        }
        router.get("/v1/status-lists/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            return response(await gateway.statusList(id: id, ifNoneMatch: request.headers[.ifNoneMatch]))
        }
        router.get("/v1/audit/checkpoint") { _, _ -> Response in
            response(await gateway.checkpoint())
        }
        router.get("/healthz") { _, _ -> Response in
            response(GatewayReply(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8)))
        }
        router.get("/readyz") { _, _ -> Response in
            response(await gateway.readiness())
        }
        router.get("/metrics") { _, _ -> Response in
            response(
                GatewayReply(
                    status: 200,
                    contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: gateway.metrics.exposition()
                )
            )
        }
        router.get("/board") { _, _ -> Response in
            response(gateway.board())
        }
        router.get("/openapi.json") { _, _ -> Response in
            response(
                GatewayReply(status: 200, contentType: "application/json", body: Array(GatewayOpenAPI.document.utf8))
            )
        }
    }

    /// `POST /v1/exchange`: the media type checked, the size refused from `Content-Length` before
    /// anything is read, the body read within the size and time limits, then the gateway's answer.
    static func exchange(_ request: Request, gateway: ExchangeGateway) async throws -> Response {
        let limit = gateway.limits.maximumRequestBytes
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == joseMediaType else {
            return response(
                GatewayReply(
                    ExchangeProblem(
                        status: 415,
                        check: "media-type",
                        title: ExchangeProblem.title(check: "media-type"),
                        detail: "an exchange request is a compact JWS or JWE sent as \(joseMediaType)"
                    )
                )
            )
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            return response(GatewayReply(.tooLarge(limit: limit)), close: true)
        }
        let body: ByteBuffer
        do {
            body = try await withDeadline(gateway.limits.bodyTimeout) {
                try await request.body.collect(upTo: limit)
            }
        } catch is NIOTooManyBytesError {
            return response(GatewayReply(.tooLarge(limit: limit)), close: true)
        } catch is BodyTimeout {
            return response(
                GatewayReply(
                    ExchangeProblem(
                        status: 408,
                        check: "timeout",
                        title: ExchangeProblem.title(check: "timeout"),
                        detail: "the request body did not arrive within \(gateway.limits.bodyTimeout)"
                    )
                ),
                close: true
            )
        }
        let trace = request.headers[.traceparent].flatMap(TraceParent.init(header:))
        var reply = await gateway.exchange(Array(buffer: body), trace: trace)
        if let trace, let span = try? gateway.crypto.randomBytes(count: 8), let own = trace.child(span: span) {
            reply.headers.append(("traceparent", own.description))
        }
        return response(reply)
    }

    /// The methods a path of the OpenAPI document takes; `nil` for a path it does not have.
    static func methods(at path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return documentedPaths.first { template, _ in
            template.count == segments.count
                && zip(template, segments).allSatisfy { part, segment in
                    part.hasPrefix("{") ? !segment.isEmpty : part == segment
                }
        }?.methods
    }

    /// The OpenAPI document's paths (segments, `{name}` for a parameter) and their methods: read from
    /// the document itself, so the 405 answers cannot drift from it (a test holds the router to it too).
    static let documentedPaths: [(template: [String], methods: [String])] = {
        guard let document = try? JSONValue(parsing: GatewayOpenAPI.document),
            let paths = document["paths"]?.objectValue
        else { return [] }
        return paths.map { member in
            (
                member.key.split(separator: "/", omittingEmptySubsequences: false).map(String.init),
                (member.value.objectValue?.keys ?? []).map { $0.uppercased() }.sorted()
            )
        }
    }()

    static func response(_ reply: GatewayReply, close: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = reply.contentType
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        if close { headers[.connection] = "close" }
        return Response(
            status: HTTPResponse.Status(code: reply.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body))
        )
    }
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
}

/// Turns what the router throws (no route, wrong method, a body that failed to arrive) into
/// problem JSON, so that no response of the gateway is anything but its documented forms.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let gateway: ExchangeGateway

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            if error.status == .notFound, let allowed = GatewayServer.methods(at: request.uri.path),
                !allowed.contains(request.method.rawValue)
            {
                // A documented path asked with a method it does not take: 405 with Allow (RFC 9110 §15.5.6).
                var response = GatewayServer.response(
                    GatewayReply(
                        ExchangeProblem(
                            status: 405,
                            check: "route",
                            title: ExchangeProblem.title(check: "route"),
                            detail: "\(request.uri.path) takes \(allowed.joined(separator: ", ")) only"
                        )
                    )
                )
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            let status = Int(error.status.code)
            let check = status == 404 || status == 405 ? "route" : status == 413 ? "size" : "structure"
            let detail =
                switch status {
                case 404: "no such resource"
                case 405: "the resource does not take this method"
                case 413: "the request body is larger than \(gateway.limits.maximumRequestBytes) bytes"
                default: "the request could not be read"
                }
            return GatewayServer.response(
                GatewayReply(
                    ExchangeProblem(
                        status: status,
                        check: check,
                        title: ExchangeProblem.title(check: check),
                        detail: detail
                    )
                )
            )
        } catch {
            context.logger.error("request failed", metadata: ["error": .string("\(type(of: error))")])
            return GatewayServer.response(
                GatewayReply(
                    ExchangeProblem(
                        status: 500,
                        check: "internal",
                        title: ExchangeProblem.title(check: "internal"),
                        detail: "the gateway could not answer"
                    )
                )
            )
        }
    }
}

/// The request body did not arrive in time.
struct BodyTimeout: Error {}

/// `body`'s result, or ``BodyTimeout`` after `limit` (the body's task is then cancelled).
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw BodyTimeout() }
        return value
    }
}

/// The gateway as a swift-service-lifecycle service: it runs until graceful shutdown begins, then
/// marks the gateway as draining, so `GET /readyz` answers 503 while the HTTP application lets
/// the requests in flight finish. List it after the application in a `ServiceGroup` (the group
/// shuts down in reverse order, so the gateway drains first).
extension ExchangeGateway: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        beginDraining()
    }
}
