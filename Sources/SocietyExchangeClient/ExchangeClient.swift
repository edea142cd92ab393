public import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
public import SocietyCore
public import SocietyExchange

/// Why a call through ``ExchangeClient`` failed.
public enum ExchangeClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The gateway refused the request: its problem document, naming the failed check.
    case refused(ExchangeProblem)
    /// No answer: the gateway could not be reached or did not answer in time, after every retry.
    case unreachable(url: String, reason: String)
    /// An answer that is neither an envelope nor a problem document.
    case unexpectedAnswer(status: Int, contentType: String)
    /// The URL is not an `http` or `https` URL.
    case badURL(String)

    public var description: String {
        switch self {
        case .refused(let problem): "refused: \(problem)"
        case .unreachable(let url, let reason): "no answer from \(url): \(reason)"
        case .unexpectedAnswer(let status, let contentType):
            "unexpected answer: HTTP \(status) with \(contentType.isEmpty ? "no media type" : contentType)"
        case .badURL(let url): "not an http(s) URL: \(url)"
        }
    }
}

/// A party's side of calling another party's gateway: seal → `POST /v1/exchange` → open the
/// answer, checking that its `ref` is the request's digest.
///
/// Retries are safe because they send the *same* envelope: the gateway recognises an exact re-send
/// and answers it from its response cache instead of executing it again, so a lost answer costs
/// one more round trip, never a second payment or a replay refusal. It retries when the connection
/// fails, the answer times out, or the gateway answers 503; every other refusal is final.
/// Connections are reused (AsyncHTTPClient's pool).
///
/// ```swift
/// let client = ExchangeClient(exchange: ports, trustList: trustList, crypto: crypto, clock: clock)
/// let answer = try await client.call(
///     "http://labour.example:8080",
///     EnvelopeDraft(audience: labour, service: "labour.employment", purpose: purpose, data: data)
/// )
/// ```
public final class ExchangeClient: Sendable {
    private let exchange: ExchangePorts
    private let trustList: TrustList
    private let crypto: any CryptoProvider
    private let clock: any WallClock
    private let http: HTTPClient
    private let ownsClient: Bool
    /// How long one attempt may take (connect, send, answer).
    public let timeout: Duration
    /// How many times a failed attempt is repeated (with the same envelope).
    public let retries: Int
    /// The largest answer read.
    public let maximumAnswerBytes: Int

    /// A client sealing and opening with `exchange`. Without `http`, the client makes (and
    /// ``shutdown()`` closes) its own connection pool.
    public init(
        exchange: ExchangePorts,
        trustList: TrustList,
        crypto: any CryptoProvider,
        clock: any WallClock,
        http: HTTPClient? = nil,
        timeout: Duration = .seconds(30),
        retries: Int = 2,
        maximumAnswerBytes: Int = 4 << 20
    ) {
        self.exchange = exchange
        self.trustList = trustList
        self.crypto = crypto
        self.clock = clock
        if let http {
            self.http = http
            ownsClient = false
        } else {
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
            self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsClient = true
        }
        self.timeout = timeout
        self.retries = max(0, retries)
        self.maximumAnswerBytes = maximumAnswerBytes
    }

    /// Closes the connection pool the client made (not one it was given).
    public func shutdown() async throws {
        if ownsClient { try await http.shutdown() }
    }

    deinit {
        // A pool the caller did not close is closed anyway (AsyncHTTPClient traps on a pool dropped
        // open); after ``shutdown()`` this only reports, unheard, that it is closed already.
        if ownsClient { http.shutdown { _ in } }
    }

    /// Seals `draft` (encrypted to its audience when `encrypt`, or when the catalogue grades the
    /// service important or above; its declared level raised to the catalogue's grade if lower),
    /// sends it to the gateway at `url`, and opens the answer.
    public func call(
        _ url: String,
        _ draft: EnvelopeDraft,
        encrypt: Bool = false,
        trace: TraceParent? = nil
    )
        async throws -> OpenedEnvelope
    {
        let request = try await exchange.sealRequest(
            draft,
            trustList: trustList,
            crypto: crypto,
            at: clock.now(),
            encrypt: encrypt
        )
        let answer = try await send(request, to: url, trace: trace)
        return try await exchange.opener.open(answer, answering: request)
    }

    /// Sends a sealed request to the gateway at `url` and returns the answer envelope unopened
    /// (the transport ``SocietyAssistance``'s verification and other in-process flows plug in).
    public func send(_ envelope: String, to url: String, trace: TraceParent? = nil) async throws -> String {
        guard let base = URL(string: url), let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { throw ExchangeClientError.badURL(url) }
        let endpoint = url.hasSuffix("/") ? "\(url)v1/exchange" : "\(url)/v1/exchange"
        let trace = trace ?? (try? TraceParent.start(random: { try crypto.randomBytes(count: $0) }))
        var lastFailure = "no attempt"
        for attempt in 0...retries {
            if attempt > 0 {
                // 100 ms, 200 ms, 400 ms …: a gateway that is restarting gets time to come back.
                try await Task.sleep(for: .milliseconds(100 << min(attempt - 1, 6)))
            }
            var request = HTTPClientRequest(url: endpoint)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/jose")
            request.headers.add(name: "Accept", value: "application/jose, application/problem+json")
            if let trace { request.headers.add(name: "traceparent", value: trace.description) }
            request.body = .bytes(ByteBuffer(string: envelope))
            let response: HTTPClientResponse
            let body: ByteBuffer
            do {
                response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
                body = try await response.body.collect(upTo: maximumAnswerBytes)
            } catch {
                lastFailure = "\(error)"
                continue
            }
            let status = Int(response.status.code)
            let contentType = response.headers.first(name: "Content-Type") ?? ""
            let bytes = Array(buffer: body)
            if status == 200, contentType.lowercased().hasPrefix("application/jose") {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw ExchangeClientError.unexpectedAnswer(status: status, contentType: contentType)
                }
                return text
            }
            guard let problem = ExchangeProblem(json: bytes) else {
                if status >= 500 {
                    lastFailure = "HTTP \(status)"
                    continue
                }
                throw ExchangeClientError.unexpectedAnswer(status: status, contentType: contentType)
            }
            if problem.status == 503 {
                lastFailure = "\(problem)"
                continue
            }
            throw ExchangeClientError.refused(problem)
        }
        throw ExchangeClientError.unreachable(url: url, reason: lastFailure)
    }
}
