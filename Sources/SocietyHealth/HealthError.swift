public import SocietyCore

/// Why a family-doctor operation was refused or failed. Each refusal leaves teams, contracts and
/// plans as they were: every service operation is one store transaction.
///
/// The one error type of the module: what the ports throw arrives wrapped (``store(_:)``,
/// ``storage(_:)``, ``crypto(_:)``, ``keys(_:)``), so a caller switches over one closed set.
public enum HealthError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The contract's life cycle does not allow this move from its current state.
    case illegalTransition(from: String, event: String)
    /// A contract term shorter than one year, or longer than the configured maximum.
    case invalidTerm(years: Int)
    /// The resident already has a current (signed or active) contract.
    case residentAlreadyContracted
    /// The team already serves as many residents as its capacity allows.
    case teamAtCapacity(team: String, capacity: Int)
    /// No team with this id.
    case unknownTeam(String)
    /// No service package with this id.
    case unknownPackage(String)
    /// No contract with this id.
    case unknownContract(String)
    /// A team that cannot exist: the reason names what is wrong.
    case invalidTeam(String)
    /// A service package that cannot exist: the reason names what is wrong.
    case invalidPackage(String)
    /// A date that does not fit the move (activating before the start, expiring before the end).
    case invalidDate(String)
    /// The contract has no open follow-up for this group.
    case noOpenFollowUp(contract: String, group: PriorityGroup)
    /// An envelope's data does not have the expected shape.
    case malformedNotice(String)
    /// A birth certificate (or its envelope) does not hold together (the reason says why).
    case invalidCertificate(String)
    /// Already there: a certificate number used twice.
    case duplicate(String)
    /// An immunisation record that cannot be (the reason says why).
    case invalidImmunisation(String)

    // MARK: Ports
    /// The store refused the transaction (a missing purpose, a record that does not decrypt or
    /// decode, an undeclared index).
    case store(StoreError)
    /// The store failed in a way of its own (I/O, the database engine, a cancelled task): the
    /// adapter's description of the failure.
    case storage(String)
    /// The cryptography port failed (random bytes for a contract id, a digest, a keyed hash).
    case crypto(CryptoError)
    /// The key provider has no key for pseudonyms (``SocietyCore/KeyPurpose/searchableHash``).
    case keys(KeyProviderError)

    public var description: String {
        switch self {
        case .illegalTransition(let from, let event): "a contract that is \(from) cannot \(event)"
        case .invalidTerm(let years): "a contract term of \(years) year(s) is not allowed (at least one year)"
        case .residentAlreadyContracted: "the resident already has a current family-doctor contract"
        case .teamAtCapacity(let team, let capacity): "team \(team) is at its capacity of \(capacity) residents"
        case .unknownTeam(let id): "no doctor team \(id)"
        case .unknownPackage(let id): "no service package \(id)"
        case .unknownContract(let id): "no contract \(id)"
        case .invalidTeam(let reason): "invalid doctor team: \(reason)"
        case .invalidPackage(let reason): "invalid service package: \(reason)"
        case .invalidDate(let reason): "invalid date: \(reason)"
        case .noOpenFollowUp(let contract, let group): "contract \(contract) has no open \(group.rawValue) follow-up"
        case .malformedNotice(let reason): "malformed notice: \(reason)"
        case .invalidCertificate(let reason): "invalid birth certificate: \(reason)"
        case .duplicate(let what): "\(what) already exists"
        case .invalidImmunisation(let reason): "invalid immunisation record: \(reason)"
        case .store(let error): "store: \(error)"
        case .storage(let reason): "storage failed: \(reason)"
        case .crypto(let error): "cryptography failed: \(error)"
        case .keys(let error): "keys: \(error)"
        }
    }

    /// What a port threw, as this module's error: a ``HealthError`` thrown inside a transaction
    /// passes through unchanged.
    init(wrapping error: any Error) {
        switch error {
        case let error as HealthError: self = error
        case let error as StoreError: self = .store(error)
        case let error as CryptoError: self = .crypto(error)
        case let error as KeyProviderError: self = .keys(error)
        default: self = .storage(String(describing: error))
        }
    }

    /// The case's name without its values, for log lines: the values may name a person (a
    /// malformed notice quotes the field, a store error a masked key).
    var name: String {
        switch self {
        case .illegalTransition: "illegalTransition"
        case .invalidTerm: "invalidTerm"
        case .residentAlreadyContracted: "residentAlreadyContracted"
        case .teamAtCapacity: "teamAtCapacity"
        case .unknownTeam: "unknownTeam"
        case .unknownPackage: "unknownPackage"
        case .unknownContract: "unknownContract"
        case .invalidTeam: "invalidTeam"
        case .invalidPackage: "invalidPackage"
        case .invalidDate: "invalidDate"
        case .noOpenFollowUp: "noOpenFollowUp"
        case .malformedNotice: "malformedNotice"
        case .invalidCertificate: "invalidCertificate"
        case .duplicate: "duplicate"
        case .invalidImmunisation: "invalidImmunisation"
        case .store: "store"
        case .storage: "storage"
        case .crypto: "crypto"
        case .keys: "keys"
        }
    }
}
