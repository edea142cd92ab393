/// Why a family-doctor operation was refused. Each refusal leaves teams, contracts and plans as they
/// were: every service operation is one store transaction.
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
        }
    }
}
