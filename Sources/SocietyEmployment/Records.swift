public import SocietyCore
public import SocietyServices

extension UnemploymentBenefit {
    /// A claim for unemployment-insurance benefit (失业保险金申领), on the shared application life cycle:
    /// received and accepted, decided by the rules at once (the facts are the agency's own), 办结 as
    /// approved or rejected.
    public struct Claim: Hashable, Sendable, Codable {
        /// The claim's id (the application's).
        public let id: String
        /// The claimant (encrypted at rest).
        public let resident: ResidentID
        /// The registration it is paid under.
        public let registration: String
        /// Where it was made.
        public let district: DivisionCode
        /// The application on the shared life cycle.
        public internal(set) var lifecycle: ServiceApplication
        /// The decision, every rule explained.
        public let decision: ExplainedDecision
        /// Months of benefit granted (0 when rejected).
        public let months: Int
        /// The monthly amount.
        public let monthlyAmount: Money
        /// The contribution months this claim used up (they restart from zero afterwards).
        public let contributionMonths: Int

        /// Whether the claim was approved.
        public var isApproved: Bool { decision.isEligible && months > 0 }
    }
}

extension UnemploymentBenefit.Claim: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_benefit_claim"
    /// The claimant is personal data.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// By claimant (keyed hash) and by registration.
    public static let indexes: [RecordIndex<UnemploymentBenefit.Claim>] = [
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
        RecordIndex("registration") { .text($0.registration) },
        RecordIndex("approved") { .integer($0.isApproved ? 1 : 0) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

extension UnemploymentBenefit {
    /// One month of benefit paid under a claim: the one-card instruction that paid it. Its key is the
    /// claim and month, so a month is recorded once.
    public struct Payment: Hashable, Sendable, Codable {
        /// The claim.
        public let claim: String
        /// The month, `YYYY-MM`.
        public let period: String
        /// The one-card instruction's id.
        public let instruction: String
        /// The amount.
        public let amount: Money
    }
}

extension UnemploymentBenefit.Payment: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_benefit_payment"
    /// Payments by claim.
    public static let indexes: [RecordIndex<UnemploymentBenefit.Payment>] = [RecordIndex("claim") { .text($0.claim) }]
    /// Claim and month.
    public var recordKey: RecordKey { RecordKey("\(claim)@\(period)") }
}

/// An application for one of the employment services decided by rules: the employment-difficulty
/// certification, the skill-upgrade subsidy, the one-time entrepreneurship subsidy.
public struct EmploymentApplication: Hashable, Sendable, Codable {
    /// Which service.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// 就业困难人员认定.
        case difficulty = "employment-difficulty"
        /// 技能提升补贴.
        case skillSubsidy = "skill-subsidy"
        /// 一次性创业补贴.
        case startupSubsidy = "startup-subsidy"
    }

    /// The application's id.
    public let id: String
    /// Which service.
    public let kind: Kind
    /// The applicant (encrypted at rest).
    public let resident: ResidentID
    /// Where they applied.
    public let district: DivisionCode
    /// The application on the shared life cycle.
    public internal(set) var lifecycle: ServiceApplication
    /// The decision, every rule explained.
    public let decision: ExplainedDecision
    /// The categories certified (difficulty only).
    public let categories: [DifficultyCategory]
    /// The subsidy granted (subsidies only; zero when rejected).
    public let amount: Money
    /// What the subsidy was for, as the applicant stated it (the certificate's number, the
    /// business's credit code).
    public let subject: String
    /// The one-card instruction that paid it, once paid.
    public internal(set) var paidBy: String?
}

extension EmploymentApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_application"
    /// The applicant is personal data.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// By applicant (keyed hash), service and the subsidy's subject.
    public static let indexes: [RecordIndex<EmploymentApplication>] = [
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
        RecordIndex("kind") { .text($0.kind.rawValue) },
        RecordIndex("subject") { .text("\($0.kind.rawValue)|\($0.subject)") },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A job fair (招聘会) with a fixed number of places for job seekers.
public struct JobFair: Hashable, Sendable, Codable {
    /// The fair's id.
    public let id: String
    /// Its name.
    public let name: String
    /// The district it is held in.
    public let district: DivisionCode
    /// The day.
    public let date: CalendarDate
    /// Places for job seekers.
    public let capacity: Int
    /// Places taken.
    public internal(set) var booked: Int

    /// A fair with `capacity` places, none taken.
    public init(
        id: String,
        name: String,
        district: DivisionCode,
        date: CalendarDate,
        capacity: Int
    )
        throws(EmploymentError)
    {
        guard ServiceEntry.isValidCode(id) else { throw .invalid("a fair's id is 3–64 letters, digits or '-'") }
        guard capacity >= 1 else { throw .invalid("a fair needs at least one place") }
        guard !name.isEmpty else { throw .invalid("a fair needs a name") }
        self.id = id
        self.name = name
        self.district = district
        self.date = date
        self.capacity = capacity
        self.booked = 0
    }
}

extension JobFair: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_job_fair"
    /// By district.
    public static let indexes: [RecordIndex<JobFair>] = [RecordIndex("district") { .text($0.district.code) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A job seeker's place at a fair.
public struct FairBooking: Hashable, Sendable, Codable {
    /// The fair.
    public let fair: String
    /// The job seeker (encrypted at rest).
    public let resident: ResidentID
    /// The place's number, 1 … capacity, in booking order.
    public let place: Int
}

extension FairBooking: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_fair_booking"
    /// The job seeker is personal data.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// Bookings by fair.
    public static let indexes: [RecordIndex<FairBooking>] = [RecordIndex("fair") { .text($0.fair) }]
    /// One booking per fair and person: the key is the keyed hash of both.
    public var recordKey: RecordKey { RecordKey(sensitive: "\(fair)|\(resident.unmasked)") }
}
