public import SocietyCore

/// Why a contract ended before its term.
public enum TerminationReason: String, Codable, Hashable, Sendable, CaseIterable {
    /// 居民解约 — the resident withdrew.
    case residentWithdrew
    /// 迁出 — the resident moved out of the team's area.
    case movedAway
    /// 死亡 — the resident died.
    case deceased
    /// 团队调整 — the team was dissolved or reorganised.
    case teamDissolved
}

/// Where a contract is in its life.
///
/// ```
/// signed → active → renewed (a successor contract is signed) | terminated | expired   (terminal)
/// signed → terminated                                  (withdrawn before the term began)
/// ```
/// A contract is *current* while signed or active: a resident has at most one current contract,
/// and a team's current contracts never exceed its capacity.
public enum ContractState: Hashable, Sendable, Codable {
    /// Signed, the term not yet begun.
    case signed
    /// In force.
    case active
    /// Renewed: the successor contract continues the care.
    case renewed(by: Identifier<FamilyDoctorContract>)
    /// Ended early on a day, for a reason.
    case terminated(TerminationReason, on: CalendarDate)
    /// The term ran out without renewal.
    case expired(on: CalendarDate)

    /// A short name for output, errors and indexes.
    public var name: String {
        switch self {
        case .signed: "signed"
        case .active: "active"
        case .renewed: "renewed"
        case .terminated: "terminated"
        case .expired: "expired"
        }
    }

    /// Whether the contract counts against the resident's one contract and the team's capacity.
    public var isCurrent: Bool {
        switch self {
        case .signed, .active: true
        case .renewed, .terminated, .expired: false
        }
    }
}

/// A move in a contract's life; ``FamilyDoctorContract/apply(_:)`` refuses the illegal ones.
public enum ContractEvent: Hashable, Sendable {
    /// The term begins (on or after its first day).
    case activate(on: CalendarDate)
    /// A successor contract takes over.
    case renew(successor: Identifier<FamilyDoctorContract>)
    /// The contract ends early.
    case terminate(TerminationReason, on: CalendarDate)
    /// The term ran out (on a day after its last day).
    case expire(on: CalendarDate)

    /// A short name for errors and audit.
    public var name: String {
        switch self {
        case .activate: "activate"
        case .renew: "renew"
        case .terminate: "terminate"
        case .expire: "expire"
        }
    }
}

/// A family-doctor contract (家庭医生签约): a resident, a team, a package and a term of whole years.
public struct FamilyDoctorContract: Hashable, Sendable, Codable {
    /// The contract id.
    public let id: Identifier<FamilyDoctorContract>
    /// The contracted resident.
    public let resident: ResidentID
    /// The team that serves the resident.
    public let team: Identifier<DoctorTeam>
    /// The service package.
    public let package: Identifier<ServicePackage>
    /// The first and last day of the term.
    public let term: ValidityPeriod
    /// The day it was signed.
    public let signedOn: CalendarDate
    /// The contract it renews, if any.
    public let renews: Identifier<FamilyDoctorContract>?
    /// Where it is in its life.
    public private(set) var state: ContractState

    /// The longest term the SDK accepts, in years (configuration would normally say 1–3).
    public static let maximumYears = 5

    /// Creates a signed contract for `years` whole years from `start`.
    public init(
        id: Identifier<FamilyDoctorContract>,
        resident: ResidentID,
        team: Identifier<DoctorTeam>,
        package: Identifier<ServicePackage>,
        start: CalendarDate,
        years: Int,
        signedOn: CalendarDate,
        renews: Identifier<FamilyDoctorContract>? = nil
    ) throws(HealthError) {
        guard (1...Self.maximumYears).contains(years) else { throw .invalidTerm(years: years) }
        guard signedOn <= start else { throw .invalidDate("signed on \(signedOn), after the term starts on \(start)") }
        self.id = id
        self.resident = resident
        self.team = team
        self.package = package
        do {
            self.term = try ValidityPeriod(from: start, until: start.adding(years: years).adding(days: -1))
        } catch {
            throw .invalidTerm(years: years)
        }
        self.signedOn = signedOn
        self.renews = renews
        self.state = .signed
    }

    /// The last day of the term.
    public var lastDay: CalendarDate { term.until ?? term.from }

    /// Applies a life-cycle event, or throws and leaves the contract unchanged.
    public mutating func apply(_ event: ContractEvent) throws(HealthError) {
        switch (state, event) {
        case (.signed, .activate(let date)):
            guard term.contains(date) else {
                throw .invalidDate("\(date) is outside the term \(term.from)–\(lastDay)")
            }
            state = .active
        case (.active, .renew(let successor)):
            state = .renewed(by: successor)
        case (.signed, .terminate(let reason, let date)), (.active, .terminate(let reason, let date)):
            guard date >= signedOn else { throw .invalidDate("\(date) is before the contract was signed") }
            state = .terminated(reason, on: date)
        case (.active, .expire(let date)):
            guard date > lastDay else { throw .invalidDate("the term runs until \(lastDay)") }
            state = .expired(on: date)
        default:
            throw .illegalTransition(from: state.name, event: event.name)
        }
    }
}

extension FamilyDoctorContract: DataClassified, CustomStringConvertible, CustomDebugStringConvertible {
    /// Holds an identity number, and that a person has a doctor (health data).
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One contract is general data.
    public static var dataLevel: DataLevel { .general }

    /// A masked summary safe for logs and terminals.
    public var description: String {
        "\(id): \(state.name), resident \(resident.masked), team \(team), package \(package), "
            + "term \(term.from)–\(lastDay)"
    }

    /// The same masked summary.
    public var debugDescription: String { description }
}

extension FamilyDoctorContract: StorableRecord {
    /// The table name.
    public static let recordKind = "health_contract"
    /// The resident is encrypted at rest.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// Contracts by resident (keyed hash), by team, by state; and the two indexes that enforce one
    /// current contract per resident and a team's capacity.
    public static let indexes: [RecordIndex<FamilyDoctorContract>] = [
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
        RecordIndex("team") { .text($0.team.rawValue) },
        RecordIndex("state") { .text($0.state.name) },
        RecordIndex(searchable: "current_resident") { $0.state.isCurrent ? .text($0.resident.unmasked) : nil },
        RecordIndex("current_team") { $0.state.isCurrent ? .text($0.team.rawValue) : nil },
    ]
    /// The contract id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}
