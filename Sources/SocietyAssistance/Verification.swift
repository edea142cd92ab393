import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// A department's answer to the household economic verification (家庭经济核查), as an
/// ``SocietyExchange/ExchangeHandler``: the request's `residents` list looked up in the department's
/// own records, each resident's facts (empty for residents it does not know) in the answer.
///
/// The same handler serves in process (``VerificationResponder``) and behind the HTTP gateway
/// (`SocietyGateway`), where the gateway opens the request and seals the answer around it.
///
/// ```swift
/// let handler = VerificationHandler(service: "labour.facts") { residents in
///     try await store.read(purpose: VerificationService.purpose) { db in
///         var found: [ResidentID: JSONObject] = [:]
///         for resident in residents { … }   // try await db.get(…)
///         return found
///     }
/// }
/// ```
public struct VerificationHandler: ExchangeHandler {
    public let service: String
    private let lookup: @Sendable ([ResidentID]) async throws -> [ResidentID: JSONObject]

    /// A handler for `service`, looking facts up with `lookup` (its own store; the facts of each
    /// resident it holds, residents it does not know left out).
    public init(
        service: String,
        lookup: @escaping @Sendable ([ResidentID]) async throws -> [ResidentID: JSONObject]
    ) {
        self.service = service
        self.lookup = lookup
    }

    /// `{"facts": {RESIDENT: {…}, …}}` for the request's `{"residents": [RESIDENT, …]}`; a request
    /// without a list of valid identity numbers is refused with 422 `request-data`.
    public func handle(_ request: OpenedEnvelope) async throws -> JSONValue {
        guard let list = request.claims.data["residents"]?.arrayValue else {
            throw ExchangeProblem.requestData("the request has no \"residents\" list")
        }
        var residents: [ResidentID] = []
        for (index, value) in list.enumerated() {
            guard let text = value.stringValue, let resident = try? ResidentID(text) else {
                // The position, never the value: it may be an identity number with a typo.
                throw ExchangeProblem.requestData("residents[\(index)] is not a valid identity number")
            }
            residents.append(resident)
        }
        let found = try await lookup(residents)
        var facts = JSONObject()
        for resident in residents { facts[resident.unmasked] = .object(found[resident] ?? JSONObject()) }
        return .object(JSONObject(["facts": .object(facts)]))
    }
}

/// A department's side of the economic verification in process: it opens a request envelope,
/// reads its own records (a ``VerificationHandler``), and answers with a signed (and, for
/// important data, encrypted) envelope — an ``SocietyExchange/ExchangeResponder`` for one service.
///
/// ```swift
/// let responder = VerificationResponder(
///     service: VerificationService.labour, opener: opener, sealer: sealer,
///     trustList: trustList, crypto: crypto, clock: clock
/// ) { residents in
///     try await store.read(purpose: VerificationService.purpose) { db in … }
/// }
/// let answer = try await responder.answer(request)
/// ```
public struct VerificationResponder: Sendable {
    /// The service this department answers.
    public let service: String
    private let responder: ExchangeResponder

    /// A responder for `service`, looking facts up with `lookup` (its own store; the facts of each
    /// resident it holds, residents it does not know left out).
    public init(
        service: String,
        opener: EnvelopeOpener,
        sealer: EnvelopeSealer,
        trustList: TrustList,
        crypto: any CryptoProvider,
        clock: any WallClock,
        lookup: @escaping @Sendable ([ResidentID]) async throws -> [ResidentID: JSONObject]
    ) {
        self.service = service
        responder = ExchangeResponder(
            exchange: ExchangePorts(sealer: sealer, opener: opener),
            trustList: trustList,
            crypto: crypto,
            clock: clock,
            handlers: [VerificationHandler(service: service, lookup: lookup)]
        )
    }

    /// Answers one request envelope: opens it (every check of the exchange, including the grant for
    /// the verification purpose), looks the residents up, and seals the answer to the requester.
    ///
    /// - Throws: ``SocietyExchange/EnvelopeError`` for a request that fails a check;
    ///   ``SocietyExchange/ExchangeProblem`` for one whose data is not a residents list, or for
    ///   another service.
    public func answer(_ request: String) async throws -> String {
        try await responder.answer(request).response
    }
}

/// Why a verification failed.
public enum VerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A request or response did not have the expected shape.
    case malformed(String)
    /// No responder for a service.
    case noResponder(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "verification message malformed: \(reason)"
        case .noResponder(let service): "no department answers \(service)"
        }
    }
}

/// Civil affairs' side of the household economic verification (家庭经济核查): one request envelope to
/// each data-source department, with purpose and the applicant's authorisation; the answers are
/// opened against the requests and kept with their envelope digests.
///
/// ```swift
/// let verification = EconomicVerification(
///     sealer: sealer, opener: opener, trustList: trustList, crypto: crypto, clock: clock)
/// let facts = try await verification.verify(
///     household: household, members: members, application: applicationID
/// ) { service, request in
///     // In process here; over HTTP in a deployment.
///     guard let responder = responders[service] else { throw VerificationError.noResponder(service) }
///     return try await responder.answer(request)
/// }
/// let decision = try EligibilityEvaluator(today: today).decide(facts)
/// ```
public struct EconomicVerification: Sendable {
    private let sealer: EnvelopeSealer
    private let opener: EnvelopeOpener
    private let trustList: TrustList
    private let crypto: any CryptoProvider
    private let clock: any WallClock

    private let digest: DigestAlgorithm

    /// A verifier sealing as civil affairs and opening the answers addressed to it.
    ///
    /// Facts cite their envelope by `digest` (``SocietyExchange/OpenedEnvelope/evidence(digest:crypto:)``);
    /// by default the digest that goes with the sealer's key: SM3 for SM2, SHA-256 otherwise.
    public init(
        sealer: EnvelopeSealer,
        opener: EnvelopeOpener,
        trustList: TrustList,
        crypto: any CryptoProvider,
        clock: any WallClock,
        digest: DigestAlgorithm? = nil
    ) {
        self.sealer = sealer
        self.opener = opener
        self.trustList = trustList
        self.crypto = crypto
        self.clock = clock
        self.digest = digest ?? sealer.digestAlgorithm
    }

    /// A verifier on a department's exchange ports, under the trust list its opener holds, citing
    /// envelopes by the deployment's digest.
    public init(exchange: ExchangePorts, ports: ServicePorts) {
        self.init(
            sealer: exchange.sealer,
            opener: exchange.opener,
            trustList: exchange.opener.trustList,
            crypto: ports.crypto,
            clock: ports.clock,
            digest: ports.profile.digest
        )
    }

    /// The request envelope for one service.
    public func request(
        _ service: String,
        residents: [ResidentID],
        application: Identifier<AssistanceApplication>
    ) async throws -> String {
        guard let entry = trustList.service(withID: service) else { throw VerificationError.noResponder(service) }
        let draft = EnvelopeDraft(
            audience: entry.provider,
            service: service,
            purpose: VerificationService.purpose,
            level: entry.level,
            data: .object(
                JSONObject([
                    "residents": .array(residents.map { .string($0.unmasked) }),
                    "authorisation": .string("applicant consent for application \(application.rawValue)"),
                ])
            )
        )
        if entry.level >= .important {
            let recipient = try EnvelopeRecipient(
                party: entry.provider,
                trustList: trustList,
                crypto: crypto,
                at: clock.now()
            )
            return try await sealer.seal(draft, encryptingTo: recipient)
        }
        return try await sealer.seal(draft)
    }

    /// Verifies a household: asks every service through `send` (which delivers a request and returns
    /// the answer — in-process here, over HTTP in a deployment) and gathers the facts.
    public func verify(
        household: Identifier<Household>,
        members: [ResidentID],
        application: Identifier<AssistanceApplication>,
        services: [String] = VerificationService.all,
        send: (String, String) async throws -> String
    ) async throws -> HouseholdFacts {
        var facts = HouseholdFacts(household: household, members: members.map { HouseholdFacts.Member(resident: $0) })
        for service in services {
            let request = try await request(service, residents: members, application: application)
            let answer = try await send(service, request)
            let opened = try await opener.open(answer, answering: request)
            guard let object = opened.claims.data["facts"]?.objectValue else {
                throw VerificationError.malformed("answer from \(service) has no \"facts\"")
            }
            let source = FactSource(
                service: service,
                envelopeDigest: try opened.evidence(digest: digest, crypto: crypto)
            )
            for index in facts.members.indices {
                if let memberFacts = object[facts.members[index].resident.unmasked]?.objectValue {
                    facts.members[index].facts[service] = (memberFacts, source)
                }
            }
        }
        return facts
    }
}
