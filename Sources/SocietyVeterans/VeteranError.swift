import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyOneCard

/// Why a veterans' operation was refused. Each refusal leaves the records as they were: every
/// service operation is one store transaction.
public enum VeteranError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The placement workflow does not allow this move from its current step.
    case illegalTransition(from: String, event: String)
    /// The resident is already registered as a veteran.
    case alreadyRegistered
    /// No veteran record with this id.
    case unknownVeteran(String)
    /// Service dates that cannot be: discharge before enlistment, enlistment before the age of 16.
    case invalidService(String)
    /// The outcome does not fit the placement type (assigned work without an employer, …).
    case placementMismatch(String)
    /// An honour, support record, martyr or facility that cannot exist; the reason says why.
    case invalidRecord(String)
    /// No preferential-care entitlement to pay (no category, or its status is not active).
    case notEntitled(String)
    /// The veteran base database refuses a field a data source may not supply.
    case fieldNotAllowed(service: String, field: String)
    /// An envelope's data does not have the expected shape.
    case malformedNotice(String)
    /// The one-card service failed or refused outside a payment run's per-instruction refusals
    /// (a store failure while paying, an instruction it would not accept).
    case oneCard(OneCardError)
    /// The certificate issuer refused or failed to issue the preferential-treatment certificate.
    case certificate(CertificateError)
    /// The store refused or failed the transaction; nothing it did remains.
    case store(StoreError)
    /// The cryptography port failed (record ids, envelope digests).
    case crypto(CryptoError)
    /// Another failure of a port or an adapter (an adapter's own error), described.
    case storage(String)

    public var description: String {
        switch self {
        case .illegalTransition(let from, let event): "a placement that is \(from) cannot \(event)"
        case .alreadyRegistered: "the resident is already registered as a veteran"
        case .unknownVeteran(let id): "no veteran \(id)"
        case .invalidService(let reason): "invalid service record: \(reason)"
        case .placementMismatch(let reason): "placement does not fit: \(reason)"
        case .invalidRecord(let reason): "invalid record: \(reason)"
        case .notEntitled(let reason): "no preferential-care entitlement: \(reason)"
        case .fieldNotAllowed(let service, let field): "service \(service) may not supply field \(field)"
        case .malformedNotice(let reason): "malformed notice: \(reason)"
        case .oneCard(let error): "one-card: \(error)"
        case .certificate(let error): "certificate: \(error)"
        case .store(let error): "store: \(error)"
        case .crypto(let error): "cryptography: \(error)"
        case .storage(let reason): "storage: \(reason)"
        }
    }

    /// The case's name (`"unknownVeteran"`), for log lines and metrics: an associated value may be
    /// personal, the name never is.
    public var caseName: String {
        switch self {
        case .illegalTransition: "illegalTransition"
        case .alreadyRegistered: "alreadyRegistered"
        case .unknownVeteran: "unknownVeteran"
        case .invalidService: "invalidService"
        case .placementMismatch: "placementMismatch"
        case .invalidRecord: "invalidRecord"
        case .notEntitled: "notEntitled"
        case .fieldNotAllowed: "fieldNotAllowed"
        case .malformedNotice: "malformedNotice"
        case .oneCard: "oneCard"
        case .certificate: "certificate"
        case .store: "store"
        case .crypto: "crypto"
        case .storage: "storage"
        }
    }
}

extension VeteranError {
    /// What a port, the one-card service, the certificate issuer or a closure threw, as this
    /// module's error.
    init(wrapping error: any Error) {
        switch error {
        case let error as VeteranError: self = error
        case let error as OneCardError: self = .oneCard(error)
        case let error as CertificateError: self = .certificate(error)
        case let error as StoreError: self = .store(error)
        case let error as CryptoError: self = .crypto(error)
        default: self = .storage(String(describing: error))
        }
    }
}

extension Logger {
    /// Runs one public operation of the module: whatever `body` throws leaves as a
    /// ``VeteranError``, logged at `.warning` with the operation and the error's case name only.
    func veteransOperation<T>(
        _ operation: String,
        _ body: () async throws -> T
    ) async throws(VeteranError) -> T {
        do {
            return try await body()
        } catch {
            let failure = VeteranError(wrapping: error)
            warning("operation failed", metadata: ["operation": "\(operation)", "error": "\(failure.caseName)"])
            throw failure
        }
    }
}
