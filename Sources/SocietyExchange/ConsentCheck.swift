public import Foundation
public import SocietyCore

/// The port through which an ``EnvelopeOpener`` checks that a request is covered by a resident's
/// consent: the marketplace's consent registry implements it (`SocietyMarketplace`).
///
/// The opener asks it about every request that passed the access check (step 9); the port decides
/// which requests need a consent — a third-party provider's do, a department's own usually do not —
/// and throws a ``ConsentRefusal`` when the request is not covered. A refusal counts nothing: only a
/// request the port lets through is counted against the consent's frequency.
public protocol ConsentCheck: Sendable {
    /// Checks the request `claims` sent by `consumer`, at `now` (the opener's clock).
    func check(_ claims: EnvelopeClaims, consumer: Party, now: Date) async throws(ConsentRefusal)
}

/// Why a provider's request was refused at the consent check: first the provider's standing (an
/// agreement in force, the service within it, the monthly quota), then the consent (each case with
/// its id).
public enum ConsentRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The provider has no agreement registered with the receiver.
    case noAgreement(Party)
    /// The provider is suspended.
    case providerSuspended(Party)
    /// The provider left the marketplace.
    case providerExited(Party)
    /// The provider's agreement is not in force (expired, or not yet valid).
    case agreementExpired(Party, at: Date)
    /// The provider's agreement does not include this service for this purpose.
    case serviceNotAgreed(Party, service: String)
    /// The provider used its monthly quota of calls to this service.
    case quotaExceeded(Party, service: String, limit: Int)
    /// The provider is calling faster than the receiver's rate limit (`limit` calls a second).
    case rateLimited(Party, limit: Int)
    /// The consumer needs a consent for this service and sent none (`cns` missing).
    case missing(consumer: Party, service: String)
    /// No consent with this id is registered with the receiver.
    case unknown(String)
    /// The consent's signature does not verify, or its text was altered.
    case forged(String)
    /// The consent was granted to another provider.
    case otherProvider(String, grantedTo: Party)
    /// The request is about another resident than the one who consented.
    case otherResident(String)
    /// The consent is not valid yet.
    case notYetValid(String, from: Date)
    /// The consent has expired.
    case expired(String, at: Date)
    /// The resident revoked the consent.
    case revoked(String)
    /// The consent does not cover this data service.
    case serviceNotCovered(String, service: String)
    /// The consent does not cover this purpose.
    case purposeNotCovered(String, purpose: Purpose)
    /// The request asks for a field the consent does not cover.
    case fieldNotCovered(String, field: String)
    /// The consent's frequency is used up for the current period.
    case overFrequency(String, limit: Int, period: String)
    /// The request does not say whom or what it asks for in the shape consented requests must.
    case malformedRequest(String, reason: String)
    /// The consent registry could not answer (its store failed); the request is refused.
    case unavailable(String)

    public var description: String {
        switch self {
        case .noAgreement(let party): "\(party) has no agreement with the marketplace"
        case .providerSuspended(let party): "\(party) is suspended"
        case .providerExited(let party): "\(party) has left the marketplace"
        case .agreementExpired(let party, let at): "the agreement of \(party) is not in force (\(at))"
        case .serviceNotAgreed(let party, let service):
            "the agreement of \(party) does not include \(service) for this purpose"
        case .quotaExceeded(let party, let service, let limit):
            "\(party) used its \(limit) calls to \(service) this month"
        case .rateLimited(let party, let limit): "\(party) is calling faster than \(limit) call(s) a second"
        case .missing(let consumer, let service): "\(consumer) needs a resident's consent to call \(service)"
        case .unknown(let id): "no consent \(id) is registered"
        case .forged(let id): "consent \(id) does not verify: forged or altered"
        case .otherProvider(let id, let party): "consent \(id) was granted to \(party)"
        case .otherResident(let id): "consent \(id) is another resident's"
        case .notYetValid(let id, let from): "consent \(id) is valid from \(from)"
        case .expired(let id, let at): "consent \(id) expired at \(at)"
        case .revoked(let id): "consent \(id) was revoked"
        case .serviceNotCovered(let id, let service): "consent \(id) does not cover the service \(service)"
        case .purposeNotCovered(let id, let purpose): "consent \(id) does not cover the purpose \(purpose.code)"
        case .fieldNotCovered(let id, let field): "consent \(id) does not cover the field \(field)"
        case .overFrequency(let id, let limit, let period):
            "consent \(id) allows \(limit) fetch(es) \(period), already used"
        case .malformedRequest(let id, let reason): "request under consent \(id) is malformed: \(reason)"
        case .unavailable(let reason): "the consent registry is unavailable: \(reason)"
        }
    }

    /// The case's name, for logs, metrics and audit entries.
    public var name: String {
        switch self {
        case .noAgreement: "no-agreement"
        case .providerSuspended: "provider-suspended"
        case .providerExited: "provider-exited"
        case .agreementExpired: "agreement-expired"
        case .serviceNotAgreed: "service-not-agreed"
        case .quotaExceeded: "quota-exceeded"
        case .rateLimited: "rate-limited"
        case .missing: "missing"
        case .unknown: "unknown"
        case .forged: "forged"
        case .otherProvider: "other-provider"
        case .otherResident: "other-resident"
        case .notYetValid: "not-yet-valid"
        case .expired: "expired"
        case .revoked: "revoked"
        case .serviceNotCovered: "service-not-covered"
        case .purposeNotCovered: "purpose-not-covered"
        case .fieldNotCovered: "field-not-covered"
        case .overFrequency: "over-frequency"
        case .malformedRequest: "malformed-request"
        case .unavailable: "unavailable"
        }
    }
}
