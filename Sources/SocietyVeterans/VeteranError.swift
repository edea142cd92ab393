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
        }
    }
}
