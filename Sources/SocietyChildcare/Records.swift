public import SocietyCore
public import SocietyServices

/// What the childcare service refuses or fails with.
public enum ChildcareError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// No provider, class, application, practitioner or claim with this id.
    case notFound(String)
    /// Already there (its id).
    case duplicate(String)
    /// A move the record's state does not allow (what, and the state it is in).
    case illegal(move: String, state: String)
    /// The enrolment was refused: the rules, explained.
    case refused(ExplainedDecision)
    /// The child was away longer than the rules allow and needs a new health check (the days away).
    case recheckRequired(daysAway: Int)
    /// The working-day calendar does not cover the day.
    case calendar(String)
    /// The one-card refused or failed.
    case oneCard(String)
    /// The store refused or failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .duplicate(let what): "\(what) already exists"
        case .illegal(let move, let state): "cannot \(move): it is \(state)"
        case .refused(let decision): "refused — \(decision.explanation)"
        case .recheckRequired(let days): "away \(days) days: a new health check is needed before returning"
        case .calendar(let reason): "calendar: \(reason)"
        case .oneCard(let reason): "one-card: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as ChildcareError: self = error
        default: self = .store(String(describing: error))
        }
    }
}

/// A childcare institution (托育机构) or a family childcare point (家庭托育点), with its filing.
public struct ChildcareProvider: Hashable, Sendable, Codable {
    /// Which kind.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// 托育机构.
        case institution
        /// 家庭托育点.
        case familyPoint
    }

    /// How the premises are held.
    public enum Premises: Hashable, Sendable, Codable {
        /// Owned.
        case owned
        /// Leased until the day.
        case leased(until: CalendarDate)
    }

    /// The filing (备案): submitted with the receipt due, filed, or returned with the reasons.
    public enum Filing: Hashable, Sendable, Codable {
        /// Submitted on the day; the receipt is due by `receiptDue` (working days).
        case submitted(on: CalendarDate, receiptDue: CalendarDate)
        /// Filed: the receipt was issued on the day.
        case filed(on: CalendarDate, receiptDue: CalendarDate)
        /// Returned on the day, with the rules it did not meet.
        case returned(on: CalendarDate, reasons: [String])
    }

    /// The id: the unified social credit code of an institution, or the point's registration id.
    public let id: String
    /// The name.
    public let name: String
    /// The kind.
    public let kind: Kind
    /// The county it is in.
    public let district: DivisionCode
    /// The premises.
    public let premises: Premises
    /// Places (托位数).
    public let places: Int
    /// Full-time health workers (保健人员).
    public let healthWorkers: Int
    /// How long CCTV recordings are kept, in days.
    public let cctvDays: Int
    /// The filing.
    public internal(set) var filing: Filing

    /// A provider as it applies for filing: a name, a positive number of places.
    public init(
        id: String,
        name: String,
        kind: Kind,
        district: DivisionCode,
        premises: Premises,
        places: Int,
        healthWorkers: Int,
        cctvDays: Int
    ) throws(ChildcareError) {
        guard !id.isEmpty, !name.isEmpty, places > 0, healthWorkers >= 0, cctvDays >= 0 else {
            throw .invalid("a provider has an id, a name, places, and no negative counts")
        }
        self.id = id
        self.name = name
        self.kind = kind
        self.district = district
        self.premises = premises
        self.places = places
        self.healthWorkers = healthWorkers
        self.cctvDays = cctvDays
        self.filing = .returned(on: CalendarDate(daysSinceEpoch: 0), reasons: ["not submitted"])
    }

    /// Whether the filing is done.
    public var isFiled: Bool { if case .filed = filing { true } else { false } }

    /// The filing's state, in a word.
    public var filingState: String {
        switch filing {
        case .submitted: "submitted"
        case .filed: "filed"
        case .returned: "returned"
        }
    }
}

extension ChildcareProvider: StorableRecord {
    /// The table name.
    public static let recordKind = "childcare_provider"
    /// By district, for the parents' search.
    public static let indexes: [RecordIndex<ChildcareProvider>] = [RecordIndex("district") { .text($0.district.code) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A class (班级) of a provider, with its carers.
public struct CareClass: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The provider.
    public let provider: String
    /// The kind.
    public let kind: CareClassKind
    /// The carers (保育人员) assigned.
    public let carers: Int

    /// A class with at least one carer.
    public init(id: String, provider: String, kind: CareClassKind, carers: Int) throws(ChildcareError) {
        guard !id.isEmpty, carers > 0 else { throw .invalid("a class has an id and at least one carer") }
        self.id = id
        self.provider = provider
        self.kind = kind
        self.carers = carers
    }
}

extension CareClass: StorableRecord {
    /// The table name.
    public static let recordKind = "childcare_class"
    /// By provider.
    public static let indexes: [RecordIndex<CareClass>] = [RecordIndex("provider") { .text($0.provider) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The admission health check (入托健康检查) a parent presents: the day it was done and whether the
/// child was found fit.
public struct AdmissionHealthCheck: Hashable, Sendable, Codable {
    /// The day.
    public let date: CalendarDate
    /// Fit for childcare.
    public let fit: Bool
    /// Where it was done.
    public let institution: String

    /// A check.
    public init(date: CalendarDate, fit: Bool, institution: String) {
        self.date = date
        self.fit = fit
        self.institution = institution
    }
}

/// A child's place: applied for, enrolled, refused (with the decision) or left.
public struct ChildcareEnrolment: Hashable, Sendable, Codable {
    /// The state.
    public enum State: String, Hashable, Sendable, Codable {
        /// A parent applied.
        case applied
        /// Enrolled: the child has the place.
        case enrolled
        /// Refused, with the decision.
        case refused
        /// The child left.
        case left
    }

    /// The id.
    public let id: String
    /// The child (encrypted at rest).
    public let child: ResidentID
    /// The parent who applied (encrypted at rest).
    public let parent: ResidentID
    /// The provider.
    public let provider: String
    /// The class.
    public let careClass: String
    /// The state.
    public internal(set) var state: State
    /// The day applied.
    public let applied: CalendarDate
    /// The day enrolled.
    public internal(set) var enrolled: CalendarDate?
    /// The rules checked at enrolment.
    public internal(set) var decision: ExplainedDecision?
    /// The last health check the provider holds.
    public internal(set) var healthCheck: CalendarDate?
    /// The last day the child attended.
    public internal(set) var lastAttended: CalendarDate?
}

extension ChildcareEnrolment: StorableRecord {
    /// The table name.
    public static let recordKind = "childcare_enrolment"
    /// The child and parent are personal data.
    public static let sensitiveFields: Set<String> = ["child", "parent"]
    /// By class (the ratio check), by child (keyed hash).
    public static let indexes: [RecordIndex<ChildcareEnrolment>] = [
        RecordIndex("class") { .text($0.careClass) },
        RecordIndex(searchable: "child") { .text($0.child.unmasked) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A day's attendance or health note of an enrolled child (出勤、晨检与健康记录).
public struct CareDayRecord: Hashable, Sendable, Codable {
    /// What kind.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Attended.
        case present
        /// Absent.
        case absent
        /// A health note (morning check, illness, injury).
        case health
    }

    /// The id (`ENROLMENT@DAY#KIND`).
    public let id: String
    /// The enrolment.
    public let enrolment: String
    /// The day.
    public let date: CalendarDate
    /// The kind.
    public let kind: Kind
    /// The note (encrypted at rest: health information).
    public let note: String
}

extension CareDayRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "childcare_day"
    /// Notes may hold health information.
    public static let sensitiveFields: Set<String> = ["note"]
    /// By enrolment.
    public static let indexes: [RecordIndex<CareDayRecord>] = [RecordIndex("enrolment") { .text($0.enrolment) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}
