public import SocietyCore

/// Why a consent could not be made, read, registered or revoked; a refusal changes nothing.
public enum ConsentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A consent that could not be honoured (no scope, a view consent that keeps data, expiring
    /// before it starts, …).
    case invalid(String)
    /// A signed consent or status list that is not well formed.
    case malformed(String)
    /// The consent's signature does not verify against the consent manager's keys on the trust
    /// list: forged, or altered after signing.
    case forged(String)
    /// A status list not signed by the consent manager, not its revocation list, or older than the
    /// one already held.
    case statusListRejected(String)
    /// No consent with this id.
    case unknownConsent(String)
    /// The consent does not commit to the resident it was registered for.
    case notTheResident(String)
    /// Signing failed (the key or the cryptography port).
    case signing(String)
    /// The status list is full or the index is unknown.
    case statusList(String)
    /// The store refused or failed.
    case store(StoreError)
    /// Something else failed.
    case failed(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid consent: \(reason)"
        case .malformed(let reason): "malformed consent: \(reason)"
        case .forged(let id): "consent \(id) does not verify: forged or altered"
        case .statusListRejected(let reason): "status list refused: \(reason)"
        case .unknownConsent(let id): "no consent \(id)"
        case .notTheResident(let id): "consent \(id) is not this resident's"
        case .signing(let reason): "signing failed: \(reason)"
        case .statusList(let reason): "status list: \(reason)"
        case .store(let error): "store: \(error)"
        case .failed(let reason): reason
        }
    }

    /// The case's name, for logs.
    public var name: String {
        switch self {
        case .invalid: "invalid"
        case .malformed: "malformed"
        case .forged: "forged"
        case .statusListRejected: "statusListRejected"
        case .unknownConsent: "unknownConsent"
        case .notTheResident: "notTheResident"
        case .signing: "signing"
        case .statusList: "statusList"
        case .store: "store"
        case .failed: "failed"
        }
    }

    init(_ error: any Error) {
        switch error {
        case let error as ConsentError: self = error
        case let error as StoreError: self = .store(error)
        default: self = .failed("\(error)")
        }
    }
}
