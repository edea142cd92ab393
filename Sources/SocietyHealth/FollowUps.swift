public import SocietyCore

/// How often each priority group is followed up: configuration with documented defaults.
///
/// Defaults follow the National Basic Public Health Service Standards (3rd edition, 2017) where
/// they give a number — hypertension, type 2 diabetes and severe mental illness at least four
/// face-to-face follow-ups a year (quarterly), the elderly one health check a year. The others
/// are labelled assumptions: pregnant women monthly, young children every six months, disabled and
/// assistance recipients yearly, extreme-poverty recipients and elderly living alone quarterly.
public struct FollowUpPolicy: Hashable, Sendable, Codable {
    /// Months between follow-ups, per group; a group missing here gets no plan.
    public var intervalMonths: [PriorityGroup: Int]

    /// The defaults described above.
    public init(
        intervalMonths: [PriorityGroup: Int] = [
            .hypertension: 3, .diabetes: 3, .severeMentalIllness: 3, .elderly: 12, .pregnant: 1, .youngChild: 6,
            .disabled: 12, .minimumLiving: 12, .extremePoverty: 3, .elderlyLivingAlone: 3,
        ]
    ) {
        self.intervalMonths = intervalMonths
    }

    /// The due dates for `groups` over `term`: every interval after the first day, within the term.
    public func plan(for groups: [PriorityGroup], over term: ValidityPeriod) -> [(PriorityGroup, CalendarDate)] {
        let last = term.until ?? term.from.adding(years: 1).adding(days: -1)
        var plan: [(PriorityGroup, CalendarDate)] = []
        for group in groups {
            guard let months = intervalMonths[group], months >= 1 else { continue }
            var step = 1
            while true {
                let due = term.from.adding(months: months * step)
                guard due <= last else { break }
                plan.append((group, due))
                step += 1
            }
        }
        return plan
    }
}

/// A visit that closed a follow-up.
public struct FollowUpVisit: Hashable, Sendable, Codable {
    /// The day of the visit.
    public let date: CalendarDate
    /// The team member (number) who made it.
    public let member: Int
    /// How it was made.
    public let mode: Mode
    /// A short clinical note; stored encrypted with the follow-up.
    public let note: String

    /// How a follow-up was made.
    public enum Mode: String, Codable, Hashable, Sendable, CaseIterable {
        /// At the clinic.
        case clinic
        /// At home.
        case home
        /// By phone or video.
        case remote
    }

    /// Creates a visit.
    public init(date: CalendarDate, member: Int, mode: Mode, note: String = "") {
        self.date = date
        self.member = member
        self.mode = mode
        self.note = note
    }
}

/// One planned follow-up of a contracted resident: due on a day, open until a visit closes it.
public struct FollowUp: Hashable, Sendable, Codable {
    /// `<contract>.<group>.<n>`.
    public let id: String
    /// The contract it belongs to.
    public let contract: Identifier<FamilyDoctorContract>
    /// The team responsible.
    public let team: Identifier<DoctorTeam>
    /// The resident.
    public let resident: ResidentID
    /// Why it is planned.
    public let group: PriorityGroup
    /// When it is due.
    public let due: CalendarDate
    /// The visit that closed it, or `nil` while open.
    public var visit: FollowUpVisit?

    /// Whether it is still open and its day has passed.
    public func isOverdue(on date: CalendarDate) -> Bool { visit == nil && due < date }
}

extension FollowUp: StorableRecord {
    /// The table name.
    public static let recordKind = "health_followup"
    /// The resident and the visit (with its note) are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["resident", "visit"]
    /// Follow-ups by contract, and the open ones by team with their due day.
    public static let indexes: [RecordIndex<FollowUp>] = [
        RecordIndex("contract") { .text($0.contract.rawValue) },
        RecordIndex("open_team") { $0.visit == nil ? .text($0.team.rawValue) : nil },
        RecordIndex("due") { .integer(Int64($0.due.daysSinceEpoch)) },
    ]
    /// The follow-up id.
    public var recordKey: RecordKey { RecordKey(id) }
}
