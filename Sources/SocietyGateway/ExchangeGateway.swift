public import Foundation
public import Logging
public import SocietyCore
public import SocietyExchange
import Synchronization

/// What a gateway refuses to wait for or to read.
public struct GatewayLimits: Sendable {
    /// The largest request body read (1 MiB): a larger one is refused with 413 before it is read,
    /// from its `Content-Length`, or as soon as a chunked body passes the limit.
    public var maximumRequestBytes: Int
    /// How long a request's body may take to arrive (a slow client is answered 408 and dropped).
    public var bodyTimeout: Duration
    /// How long a connection may stay idle before the gateway closes it.
    public var idleTimeout: Duration

    /// Limits; the defaults suit envelopes of data-service calls.
    public init(
        maximumRequestBytes: Int = 1 << 20,
        bodyTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(30)
    ) {
        self.maximumRequestBytes = maximumRequestBytes
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }
}

/// A signed document the gateway publishes as it is (trust list, status lists).
public struct PublishedDocument: Sendable, Hashable {
    /// The document.
    public var text: String
    /// Its version (publication number), sent as `X-Version` and in the entity tag.
    public var version: Int
    /// Its media type.
    public var mediaType: String

    /// A document from its parts.
    public init(text: String, version: Int, mediaType: String) {
        self.text = text
        self.version = version
        self.mediaType = mediaType
    }
}

/// What the gateway publishes besides exchanges.
public struct GatewayPublications: Sendable {
    /// The signed trust list (`GET /v1/trust-list`).
    public var trustList: PublishedDocument?
    /// A signed certificate status list by id (`GET /v1/status-lists/{id}`).
    public var statusList: @Sendable (String) async throws -> PublishedDocument?
    /// The key that signs the exchange-audit log's checkpoints (`GET /v1/audit/checkpoint`), and
    /// the key's name in the checkpoint's signature line.
    public var checkpointKey: (key: any SigningKey, name: String)?
    /// The progress board's page (`GET /board/`), as `taizhou board build` wrote it.
    public var board: PublishedPage?

    /// Publications; none by default.
    public init(
        trustList: PublishedDocument? = nil,
        checkpointKey: (key: any SigningKey, name: String)? = nil,
        board: PublishedPage? = nil,
        statusList: @escaping @Sendable (String) async throws -> PublishedDocument? = { _ in nil }
    ) {
        self.trustList = trustList
        self.checkpointKey = checkpointKey
        self.board = board
        self.statusList = statusList
    }
}

/// A static page the gateway publishes: one self-contained HTML document (styles and charts
/// inline, no script), read once when the gateway starts.
public struct PublishedPage: Sendable {
    /// The page.
    public let html: [UInt8]

    /// The page `html`.
    public init(html: [UInt8]) { self.html = html }

    /// The `index.html` of `folder` (at most 8 MiB); a folder without one throws.
    public init(folder: URL) throws {
        let file = folder.appendingPathComponent("index.html")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        guard let size = attributes[.size] as? Int, size <= 8 * 1024 * 1024 else {
            throw CocoaError(.fileReadTooLarge)
        }
        html = Array(try Data(contentsOf: file))
    }
}

/// A reply, before it becomes an HTTP response.
public struct GatewayReply: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The media type of ``body``.
    public var contentType: String
    /// The body.
    public var body: [UInt8]
    /// Further headers.
    public var headers: [(String, String)]

    /// A reply from its parts.
    public init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A problem document.
    public init(_ problem: ExchangeProblem) {
        self.init(status: problem.status, contentType: ExchangeProblem.mediaType, body: problem.json())
    }

    /// The problem this reply carries, if it is one.
    public var problem: ExchangeProblem? {
        contentType == ExchangeProblem.mediaType ? ExchangeProblem(json: body) : nil
    }
}

/// The media type of envelopes on the wire (RFC 7515 §9.2.1: compact JWS and JWE).
public let joseMediaType = "application/jose"

/// A party's security server: every exchange request it receives is opened with every check,
/// answered by the handler of its service and sealed back — or refused with a problem document —
/// and an exact re-send gets the answer already given.
///
/// This is the gateway without HTTP: ``GatewayServer`` puts it behind Hummingbird, and tests and
/// benchmarks call it directly to measure the work apart from the network.
public final class ExchangeGateway: Sendable {
    /// The party it answers as.
    public let party: Party
    /// Its limits.
    public let limits: GatewayLimits
    let responder: ExchangeResponder
    let responses: ResponseCache?
    let auditLog: any AuditLog
    let publications: GatewayPublications
    let crypto: any CryptoProvider
    let logger: Logger
    let metrics: GatewayMetrics
    private let draining = Atomic<Bool>(false)

    /// A gateway answering with `responder`, keeping answers in `responses` (`nil`: no idempotent
    /// retries — an exact re-send is then refused as a replay), publishing `publications`.
    public init(
        responder: ExchangeResponder,
        responses: ResponseCache?,
        auditLog: any AuditLog,
        crypto: any CryptoProvider,
        publications: GatewayPublications = GatewayPublications(),
        limits: GatewayLimits = GatewayLimits(),
        metrics: GatewayMetrics = GatewayMetrics(),
        logger: Logger = Logger(label: "digitalsociety.gateway")
    ) {
        self.party = responder.party
        self.responder = responder
        self.responses = responses
        self.auditLog = auditLog
        self.crypto = crypto
        self.publications = publications
        self.limits = limits
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "party"] = .string(responder.party.text)
        self.logger = logger
    }

    /// The services it answers.
    public var services: [String] { responder.services }

    // MARK: Exchange

    /// Answers one request body (`POST /v1/exchange`).
    public func exchange(_ body: [UInt8], trace: TraceParent? = nil) async -> GatewayReply {
        let started = ContinuousClock.now
        var logger = self.logger
        if let trace { logger[metadataKey: "trace"] = .string(trace.traceIDText) }
        let (reply, service, outcome) = await answer(body, logger: logger)
        let elapsed = ContinuousClock.now - started
        metrics.record(service: service, outcome: outcome, status: reply.status, elapsed: elapsed)
        logger.info(
            "exchange",
            metadata: [
                "svc": .string(service), "outcome": .string(outcome), "status": .stringConvertible(reply.status),
                "ms": .stringConvertible(Int(elapsed / .milliseconds(1))),
            ]
        )
        return reply
    }

    private func answer(_ body: [UInt8], logger: Logger) async -> (GatewayReply, String, String) {
        guard body.count <= limits.maximumRequestBytes else {
            return (GatewayReply(.tooLarge(limit: limits.maximumRequestBytes)), "-", "size")
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            let problem = ExchangeProblem(refusal: .malformed("the body is not UTF-8 text"))
            return (GatewayReply(problem), "-", problem.check)
        }
        // An exact re-send of a request already answered: the same answer, before the replay guard
        // would refuse it.
        let key = responses.flatMap { try? $0.key(of: body) }
        if let responses, let key {
            do {
                if let kept = try await responses.answer(for: key) {
                    return (GatewayReply(status: 200, contentType: joseMediaType, body: Array(kept.utf8)), "-", "retry")
                }
            } catch {
                logger.warning("response cache unreadable", metadata: ["error": .string("\(type(of: error))")])
            }
        }
        let answer: ExchangeAnswer
        do {
            answer = try await responder.answer(text)
        } catch let error as EnvelopeError {
            let problem = ExchangeProblem(refusal: error)
            return (GatewayReply(problem), "-", problem.check)
        } catch let problem as ExchangeProblem {
            return (GatewayReply(problem), "-", problem.check)
        } catch let failure as HandlerFailure {
            logger.error(
                "handler failed",
                metadata: ["svc": .string(failure.service), "error": .string("\(type(of: failure.underlying))")]
            )
            return (GatewayReply(failure.problem), failure.service, "handler")
        } catch {
            logger.error("exchange failed", metadata: ["error": .string("\(type(of: error))")])
            let problem = ExchangeProblem(
                status: 500,
                check: "internal",
                title: ExchangeProblem.title(check: "internal"),
                detail: "the gateway could not answer"
            )
            return (GatewayReply(problem), "-", "internal")
        }
        let service = answer.request.claims.service
        if let responses, let key {
            do {
                try await responses.keep(answer.response, for: key, until: answer.request.claims.expiresAt)
            } catch {
                // The answer is sealed and audited; only an exact re-send will now be refused as a replay.
                logger.warning("answer not kept for retries", metadata: ["error": .string("\(type(of: error))")])
            }
        }
        return (
            GatewayReply(status: 200, contentType: joseMediaType, body: Array(answer.response.utf8)), service,
            "answered"
        )
    }

    // MARK: Publications

    /// The signed trust list, or 304 when `ifNoneMatch` names its entity tag.
    public func trustList(ifNoneMatch: String? = nil) -> GatewayReply {
        guard let document = publications.trustList else {
            return GatewayReply(.notPublished("this gateway publishes no trust list"))
        }
        return published(document, ifNoneMatch: ifNoneMatch)
    }

    /// A signed status list by id, or 304 when `ifNoneMatch` names its entity tag.
    public func statusList(id: String, ifNoneMatch: String? = nil) async -> GatewayReply {
        do {
            guard let document = try await publications.statusList(id) else {
                return GatewayReply(.notPublished("no status list \"\(id)\" here"))
            }
            return published(document, ifNoneMatch: ifNoneMatch)
        } catch {
            logger.error("status list unreadable", metadata: ["error": .string("\(type(of: error))")])
            return GatewayReply(.unavailable("the status list cannot be read now"))
        }
    }

    private func published(_ document: PublishedDocument, ifNoneMatch: String?) -> GatewayReply {
        let digest = (try? crypto.digest(.sha256, of: Array(document.text.utf8))) ?? []
        let tag = "\"v\(document.version)-\(Hex.encode(Array(digest.prefix(8))))\""
        let headers = [("ETag", tag), ("X-Version", "\(document.version)"), ("Cache-Control", "no-cache")]
        if let ifNoneMatch,
            ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag })
        {
            return GatewayReply(status: 304, contentType: document.mediaType, body: [], headers: headers)
        }
        return GatewayReply(
            status: 200,
            contentType: document.mediaType,
            body: Array(document.text.utf8),
            headers: headers
        )
    }

    /// The progress board's page, or 404 when the gateway publishes none.
    public func board() -> GatewayReply {
        guard let page = publications.board else {
            return GatewayReply(.notPublished("this gateway publishes no progress board"))
        }
        return GatewayReply(
            status: 200,
            contentType: "text/html; charset=utf-8",
            body: page.html,
            headers: [
                ("Cache-Control", "no-cache"),
                // The page has no script and fetches nothing: say so to the browser too.
                ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
                ("X-Content-Type-Options", "nosniff"),
            ]
        )
    }

    /// A signed checkpoint of the gateway's audit log (C2SP signed-note text): the newest one when
    /// it covers the whole log, else a new one signed now.
    public func checkpoint() async -> GatewayReply {
        guard let signer = publications.checkpointKey else {
            return GatewayReply(.notPublished("this gateway signs no audit checkpoints"))
        }
        do {
            let size = try await auditLog.size()
            if let newest = try await auditLog.checkpoints().last, newest.checkpoint.size == size {
                return GatewayReply(
                    status: 200,
                    contentType: "text/plain; charset=utf-8",
                    body: Array(newest.text.utf8)
                )
            }
            let signed = try await auditLog.checkpoint(signingWith: signer.key, keyName: signer.name)
            return GatewayReply(status: 200, contentType: "text/plain; charset=utf-8", body: Array(signed.text.utf8))
        } catch {
            logger.error("checkpoint failed", metadata: ["error": .string("\(type(of: error))")])
            return GatewayReply(.unavailable("the audit log cannot be read now"))
        }
    }

    // MARK: Health

    /// Whether the gateway takes requests: not draining for shutdown, and its audit log answers.
    public func readiness() async -> GatewayReply {
        if draining.load(ordering: .relaxed) {
            return GatewayReply(.notReady("the gateway is shutting down"))
        }
        do {
            _ = try await auditLog.size()
        } catch {
            return GatewayReply(.notReady("the audit log does not answer"))
        }
        return GatewayReply(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ready\n".utf8))
    }

    /// Marks the gateway as shutting down: readiness answers 503 from now on, so a load balancer
    /// sends no new requests while those in flight finish.
    public func beginDraining() { draining.store(true, ordering: .relaxed) }
}

extension ExchangeProblem {
    static func tooLarge(limit: Int) -> ExchangeProblem {
        ExchangeProblem(
            status: 413,
            check: "size",
            title: title(check: "size"),
            detail: "the request body is larger than \(limit) bytes"
        )
    }

    static func notPublished(_ detail: String) -> ExchangeProblem {
        ExchangeProblem(status: 404, check: "route", title: title(check: "route"), detail: detail)
    }

    static func unavailable(_ detail: String) -> ExchangeProblem {
        ExchangeProblem(status: 503, check: "readiness", title: title(check: "readiness"), detail: detail)
    }

    static func notReady(_ detail: String) -> ExchangeProblem {
        ExchangeProblem(status: 503, check: "readiness", title: title(check: "readiness"), detail: detail)
    }
}
