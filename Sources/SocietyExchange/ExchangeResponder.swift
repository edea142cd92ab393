import Foundation
public import SocietyCore
public import SocietyJSON

/// What a department implements to serve one data service: given a request that passed every
/// check of the exchange, the data of the answer.
///
/// The handler never sees an unchecked envelope and never seals: ``ExchangeResponder`` opens the
/// request (signature, trust list, grant, replay guard, audit) before calling it and seals its
/// answer after, so every service — in process or behind the HTTP gateway — answers the same way.
///
/// ```swift
/// struct HouseholdFacts: ExchangeHandler {
///     let service = "civil-affairs.household"
///     let store: any RecordStore
///     func handle(_ request: OpenedEnvelope) async throws -> JSONValue {
///         let id = try ResidentID(request.claims.data["resident"]?.stringValue ?? "")
///         let household = try await store.read(purpose: request.claims.purpose) { db in
///             try await db.get(Household.self, key: RecordKey(sensitive: id.unmasked))
///         }
///         guard let household else { throw ExchangeProblem.notFound("no household for this resident") }
///         return .object(["members": .number(Double(household.members.count))])
///     }
/// }
/// ```
///
/// A handler that throws an ``ExchangeProblem`` refuses with that status and check; any other
/// error becomes a 500 `handler` problem whose detail names only the service (the error itself is
/// logged by type, not by description, since a description may carry a personal value).
public protocol ExchangeHandler: Sendable {
    /// The data service (`svc`) it answers.
    var service: String { get }
    /// The data of the answer to `request`.
    func handle(_ request: OpenedEnvelope) async throws -> JSONValue
}

/// A handler from a closure, for small services and tests.
public struct ClosureHandler: ExchangeHandler {
    public let service: String
    private let body: @Sendable (OpenedEnvelope) async throws -> JSONValue

    /// A handler answering `service` with `body`.
    public init(service: String, _ body: @escaping @Sendable (OpenedEnvelope) async throws -> JSONValue) {
        self.service = service
        self.body = body
    }

    public func handle(_ request: OpenedEnvelope) async throws -> JSONValue { try await body(request) }
}

extension ExchangeProblem {
    /// 404 `not-found`: the service has nothing for the subject of the request.
    public static func notFound(_ detail: String) -> ExchangeProblem {
        ExchangeProblem(status: 404, check: "not-found", title: "Nothing found for the request", detail: detail)
    }

    /// 422 `request-data`: the envelope opened, but its data is not what the service expects.
    public static func requestData(_ detail: String) -> ExchangeProblem {
        ExchangeProblem(
            status: 422,
            check: "request-data",
            title: "The request's data does not fit the service",
            detail: detail
        )
    }

    /// 404 `service`: no handler for the service at this party.
    public static func noService(_ service: String) -> ExchangeProblem {
        ExchangeProblem(
            status: 404,
            check: "service",
            title: title(check: "service"),
            detail: "no handler for service \"\(service)\" here"
        )
    }

    /// 500 `handler`: the service failed; the detail names only the service.
    public static func handlerFailed(_ service: String) -> ExchangeProblem {
        ExchangeProblem(
            status: 500,
            check: "handler",
            title: title(check: "handler"),
            detail: "the service \"\(service)\" failed to answer"
        )
    }
}

/// One answered request: the request as opened and the sealed answer.
public struct ExchangeAnswer: Sendable {
    /// The request, after every check.
    public let request: OpenedEnvelope
    /// The sealed response envelope (its `ref` is the request's digest).
    public let response: String
}

/// A party's side of synchronous exchanges: opens a request, hands it to the handler of its
/// service, and seals the answer back to the requester — encrypted when the catalogue grades the
/// service important or above, or when the request itself came encrypted.
///
/// The in-process form of what the HTTP gateway (`SocietyGateway`) does over the network.
public struct ExchangeResponder: Sendable {
    private let exchange: ExchangePorts
    private let trustList: TrustList
    private let crypto: any CryptoProvider
    private let clock: any WallClock
    private let handlers: [String: any ExchangeHandler]

    /// A responder sealing and opening with `exchange`, answering each service with its handler
    /// (the last handler given for a service wins).
    public init(
        exchange: ExchangePorts,
        trustList: TrustList,
        crypto: any CryptoProvider,
        clock: any WallClock,
        handlers: [any ExchangeHandler]
    ) {
        self.exchange = exchange
        self.trustList = trustList
        self.crypto = crypto
        self.clock = clock
        var table: [String: any ExchangeHandler] = [:]
        for handler in handlers { table[handler.service] = handler }
        self.handlers = table
    }

    /// The services it answers, sorted.
    public var services: [String] { handlers.keys.sorted() }

    /// The party it answers as.
    public var party: Party { exchange.opener.me }

    /// Answers one request envelope.
    ///
    /// - Throws: ``EnvelopeError`` when the request fails a check (nothing was handled);
    ///   ``ExchangeProblem`` when there is no handler for its service or the handler refused or
    ///   failed (the request was opened, so its id is spent).
    public func answer(_ request: String) async throws -> ExchangeAnswer {
        let opened = try await exchange.opener.open(request)
        guard let handler = handlers[opened.claims.service] else {
            throw ExchangeProblem.noService(opened.claims.service)
        }
        let data: JSONValue
        do {
            data = try await handler.handle(opened)
        } catch let problem as ExchangeProblem {
            throw problem
        } catch {
            throw HandlerFailure(service: opened.claims.service, underlying: error)
        }
        let draft = EnvelopeDraft.response(to: opened, data: data)
        let grade = trustList.service(withID: opened.claims.service)?.level ?? opened.claims.level
        if opened.isEncrypted || grade >= .important {
            let recipient = try EnvelopeRecipient(
                party: opened.claims.issuer,
                trustList: trustList,
                crypto: crypto,
                at: clock.now()
            )
            return ExchangeAnswer(
                request: opened,
                response: try await exchange.sealer.seal(draft, encryptingTo: recipient)
            )
        }
        return ExchangeAnswer(request: opened, response: try await exchange.sealer.seal(draft))
    }
}

/// A handler failed with an error that is not an ``ExchangeProblem``: kept for the operator's log
/// (by type), answered to the caller as ``ExchangeProblem/handlerFailed(_:)``.
public struct HandlerFailure: Error, Sendable, CustomStringConvertible {
    /// The service whose handler failed.
    public let service: String
    /// What the handler threw.
    public let underlying: any Error

    /// The problem the caller sees.
    public var problem: ExchangeProblem { .handlerFailed(service) }

    public var description: String { "the handler of \(service) failed with \(type(of: underlying))" }
}
