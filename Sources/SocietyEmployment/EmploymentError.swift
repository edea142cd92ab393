import Logging
public import SocietyCore
public import SocietyOneCard
public import SocietyServices

/// What the employment service refuses or fails with.
public enum EmploymentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// The resident already has an active registration (its id).
    case alreadyRegistered(String)
    /// No registration, claim, application or fair with this id.
    case notFound(String)
    /// The registration ended on this day; it cannot change again.
    case registrationEnded(String, on: CalendarDate)
    /// The fair is full.
    case fairFull(String, capacity: Int)
    /// The resident already booked this fair.
    case alreadyBooked(String)
    /// A notice by envelope was not in the agreed shape.
    case malformedNotice(String)
    /// A move on the shared application life cycle was illegal.
    case move(ServiceApplication.MoveError)
    /// The one-card refused or failed.
    case oneCard(OneCardError)
    /// The store refused or failed.
    case store(StoreError)
    /// Something else failed (cryptography, a port).
    case failed(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .alreadyRegistered(let id): "the resident is already registered as unemployed (\(id))"
        case .notFound(let id): "no \(id)"
        case .registrationEnded(let id, let on): "registration \(id) ended on \(on.iso8601)"
        case .fairFull(let id, let capacity): "job fair \(id) is full (\(capacity) places)"
        case .alreadyBooked(let id): "the resident already booked job fair \(id)"
        case .malformedNotice(let reason): "malformed notice: \(reason)"
        case .move(let error): "\(error)"
        case .oneCard(let error): "one-card: \(error)"
        case .store(let error): "store: \(error)"
        case .failed(let reason): reason
        }
    }

    /// The case's name, for logs.
    public var caseName: String {
        switch self {
        case .invalid: "invalid"
        case .alreadyRegistered: "alreadyRegistered"
        case .notFound: "notFound"
        case .registrationEnded: "registrationEnded"
        case .fairFull: "fairFull"
        case .alreadyBooked: "alreadyBooked"
        case .malformedNotice: "malformedNotice"
        case .move: "move"
        case .oneCard: "oneCard"
        case .store: "store"
        case .failed: "failed"
        }
    }

    /// What a port, the one-card or a closure threw, as this module's error.
    init(wrapping error: any Error) {
        switch error {
        case let error as EmploymentError: self = error
        case let error as ServiceApplication.MoveError: self = .move(error)
        case let error as OneCardError: self = .oneCard(error)
        case let error as StoreError: self = .store(error)
        default: self = .failed(String(describing: error))
        }
    }
}

extension Logger {
    /// Runs one public operation: whatever `body` throws leaves as an ``EmploymentError``, logged
    /// with the operation and the case's name only (a refusal at `info`, a port's failure at
    /// `warning`).
    func employmentOperation<T>(_ operation: String, _ body: () async throws -> T) async throws(EmploymentError) -> T {
        do {
            return try await body()
        } catch {
            let failure = EmploymentError(wrapping: error)
            let metadata: Metadata = ["operation": "\(operation)", "error": "\(failure.caseName)"]
            switch failure {
            case .store, .failed, .oneCard: warning("operation failed", metadata: metadata)
            default: info("operation refused", metadata: metadata)
            }
            throw failure
        }
    }
}
