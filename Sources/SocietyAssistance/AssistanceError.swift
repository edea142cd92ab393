public import SocietyCore
public import SocietyExchange
public import SocietyOneCard

/// Why an operation of ``AssistanceService`` was refused or failed: the module's one error type.
///
/// A refused step changes nothing: each step is one store transaction, and the exchange and the
/// one-card, whose errors it wraps, refuse without side effects too. Cases name applications by
/// their id and never carry a personal value.
public enum AssistanceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No application with this id.
    case unknownApplication(String)
    /// An application with this id exists with other contents (household, applicant, members or
    /// category): the caller reused an id.
    case conflictingApplication(String)
    /// The household already has an open application for the category: this one.
    case openApplicationExists(String)
    /// The step cannot run on an application in this state (deciding before verifying, paying
    /// before deciding, verifying a withdrawn application).
    case illegalStep(AssistanceStep, application: String, state: AssistanceState)
    /// The application's life cycle refused the move.
    case transition(AssistanceApplication.TransitionError)
    /// The application was approved without a monthly allowance (a near-minimum-living
    /// household): there is nothing to pay.
    case nothingToPay(String)
    /// A verification request or answer had the wrong shape, or no department answers a service.
    case verification(VerificationError)
    /// Delivering a request to the department answering `service`, or getting its answer, failed.
    case delivery(service: String, reason: String)
    /// An envelope was refused (see Envelope.md for each check).
    case envelope(EnvelopeError)
    /// The store refused or failed.
    case store(StoreError)
    /// The one-card refused the payment (no current card, a conflicting instruction, …).
    case oneCard(OneCardError)
    /// The cryptography port failed (sealing, digests).
    case crypto(CryptoError)
    /// Something else failed: a rule's arithmetic, an id that cannot be made.
    case failed(String)

    public var description: String {
        switch self {
        case .unknownApplication(let id): "no assistance application \(id)"
        case .conflictingApplication(let id): "application \(id) already exists with other contents"
        case .openApplicationExists(let id): "the household already has an open application: \(id)"
        case .illegalStep(let step, let id, let state):
            "application \(id) is \(state.rawValue): it cannot \(step.rawValue)"
        case .transition(let error): "\(error)"
        case .nothingToPay(let id): "application \(id) was approved without a monthly allowance: nothing to pay"
        case .verification(let error): "\(error)"
        case .delivery(let service, let reason): "delivering the request for \(service) failed: \(reason)"
        case .envelope(let error): "envelope refused: \(error)"
        case .store(let error): "store: \(error)"
        case .oneCard(let error): "one-card: \(error)"
        case .crypto(let error): "cryptography: \(error)"
        case .failed(let reason): reason
        }
    }

    /// The case's name, for logs: never a value.
    var kind: String {
        switch self {
        case .unknownApplication: "unknownApplication"
        case .conflictingApplication: "conflictingApplication"
        case .openApplicationExists: "openApplicationExists"
        case .illegalStep: "illegalStep"
        case .transition: "transition"
        case .nothingToPay: "nothingToPay"
        case .verification: "verification"
        case .delivery: "delivery"
        case .envelope(let error): "envelope.\(error.check)"
        case .store: "store"
        case .oneCard: "oneCard"
        case .crypto(let error): "crypto.\(error.code)"
        case .failed: "failed"
        }
    }

    /// The error a port or a rule threw, as one of the cases.
    init(_ error: any Error) {
        switch error {
        case let error as AssistanceError: self = error
        case let error as StoreError: self = .store(error)
        case let error as EnvelopeError: self = .envelope(error)
        case let error as OneCardError: self = .oneCard(error)
        case let error as VerificationError: self = .verification(error)
        case let error as AssistanceApplication.TransitionError: self = .transition(error)
        case let error as CryptoError: self = .crypto(error)
        case let error as DeliveryFailure: self = .delivery(service: error.service, reason: error.reason)
        default: self = .failed("\(error)")
        }
    }
}

/// A `send` closure failed for a service: kept apart from the exchange's own refusals.
struct DeliveryFailure: Error {
    let service: String
    let reason: String
}
