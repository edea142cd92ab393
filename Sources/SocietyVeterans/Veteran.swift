public import SocietyCore

/// The service branch a veteran served in.
public enum ServiceBranch: String, Codable, Hashable, Sendable, CaseIterable {
    /// 陆军.
    case army
    /// 海军.
    case navy
    /// 空军.
    case airForce
    /// 火箭军.
    case rocketForce
    /// 战略支援部队 and its successor forces.
    case supportForces
    /// 武警部队 — the People's Armed Police.
    case armedPolice
}

/// The rank at discharge, enlisted and officer grades.
public enum DischargeRank: String, Codable, Hashable, Sendable, CaseIterable {
    /// 列兵.
    case `private`
    /// 上等兵.
    case privateFirstClass
    /// 下士.
    case corporal
    /// 中士.
    case sergeant
    /// 上士.
    case staffSergeant
    /// 四级至一级军士长.
    case masterSergeant
    /// 尉官.
    case companyOfficer
    /// 校官.
    case fieldOfficer
}

/// How the state places a veteran (退役安置方式).
public enum PlacementType: String, Codable, Hashable, Sendable, CaseIterable {
    /// 安排工作 — a job assigned by the state.
    case assignedWork
    /// 自主就业 — finds work alone, with a one-off financial subsidy.
    case selfEmployment
    /// 退休 — retired, managed by a veterans' service institution.
    case retirement
    /// 供养 — supported by the state (e.g. severely disabled).
    case stateSupport
}

/// What placement arranged, which must fit the ``PlacementType``.
public enum PlacementOutcome: Hashable, Sendable, Codable {
    /// The employer that takes the veteran on (assigned work).
    case employer(CreditCode)
    /// The one-off subsidy paid (self-employment).
    case oneOffSubsidy(Money)
    /// The institution that manages the retired veteran.
    case retirementInstitution(CreditCode)
    /// The institution (or home) that supports the veteran.
    case supportInstitution(CreditCode)

    /// Whether this outcome belongs to `type`.
    public func fits(_ type: PlacementType) -> Bool {
        switch (self, type) {
        case (.employer, .assignedWork), (.oneOffSubsidy, .selfEmployment), (.retirementInstitution, .retirement),
            (.supportInstitution, .stateSupport):
            true
        default: false
        }
    }

    /// A short description for output (organizations are public actors).
    public var summary: String {
        switch self {
        case .employer(let code): "employer \(code)"
        case .oneOffSubsidy(let amount): "one-off subsidy \(amount)"
        case .retirementInstitution(let code): "retirement institution \(code)"
        case .supportInstitution(let code): "support institution \(code)"
        }
    }
}

/// Where a veteran is in the transfer-and-placement workflow (移交安置).
///
/// ```
/// transferred → reported → arranged(outcome) → completed
/// ```
/// The army transfers the records; the veteran reports to the veterans' affairs bureau; the bureau
/// arranges the placement (an outcome that must fit the placement type); the placement completes
/// when the veteran takes the job, receives the subsidy or enters the institution.
public enum PlacementState: Hashable, Sendable, Codable {
    /// 移交: the records arrived from the army.
    case transferred
    /// 报到: the veteran reported on a day.
    case reported(on: CalendarDate)
    /// 落实: the placement was arranged.
    case arranged(PlacementOutcome)
    /// 完成: the placement took effect on a day.
    case completed(PlacementOutcome, on: CalendarDate)

    /// A short name for output, errors and indexes.
    public var name: String {
        switch self {
        case .transferred: "transferred"
        case .reported: "reported"
        case .arranged: "arranged"
        case .completed: "completed"
        }
    }
}

/// A move in the placement workflow; ``Veteran/apply(_:)`` refuses the illegal ones.
public enum PlacementEvent: Hashable, Sendable {
    /// The veteran reports.
    case report(on: CalendarDate)
    /// The bureau arranges the placement.
    case arrange(PlacementOutcome)
    /// The placement takes effect.
    case complete(on: CalendarDate)

    /// A short name for errors and audit.
    public var name: String {
        switch self {
        case .report: "report"
        case .arrange: "arrange"
        case .complete: "complete"
        }
    }
}

/// The preferential-care category that entitles a veteran to regular payments (优抚对象类别).
public enum PreferentialCareCategory: String, Codable, Hashable, Sendable, CaseIterable {
    /// 残疾军人 — disabled veteran.
    case disabledVeteran
    /// 在乡复员军人 — demobilised veteran living in the countryside.
    case demobilisedVeteran
    /// 带病回乡退伍军人 — veteran who returned home with an illness.
    case returnedWithIllness
    /// 参战参试退役军人 — veteran who took part in war or nuclear tests.
    case warParticipant
    /// 农村籍退役士兵(60 周岁以上) — rural ex-soldier aged 60 or more, old-age living allowance.
    case elderlyRuralVeteran
}

/// Whether a veteran's entitlement is being paid.
public enum CareStatus: Hashable, Sendable, Codable {
    /// Paid every month.
    case active
    /// Held back for a reason (a review, a missing card); payable again later.
    case suspended(reason: String)
    /// Ended on a day (death, a change of category).
    case ended(on: CalendarDate)

    /// A short name for output and indexes.
    public var name: String {
        switch self {
        case .active: "active"
        case .suspended: "suspended"
        case .ended: "ended"
        }
    }
}

/// A veteran's preferential-care entitlement.
public struct PreferentialCare: Hashable, Sendable, Codable {
    /// The category.
    public let category: PreferentialCareCategory
    /// Since when.
    public let since: CalendarDate
    /// Paid, held back or ended.
    public var status: CareStatus

    /// Creates an entitlement.
    public init(category: PreferentialCareCategory, since: CalendarDate, status: CareStatus = .active) {
        self.category = category
        self.since = since
        self.status = status
    }
}

/// An honour (褒扬).
public struct Honour: Hashable, Sendable, Codable {
    /// The kinds the plan names, plus merit citations.
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        /// 最美退役军人.
        case mostBeautifulVeteran
        /// 省级模范退役军人.
        case provincialModelVeteran
        /// 立功 — a merit citation during service.
        case meritCitation
    }

    /// Which honour.
    public let kind: Kind
    /// The year it was awarded.
    public let year: Int
    /// Who awarded it (a department's credit code).
    public let awardedBy: CreditCode

    /// Creates an honour, refusing an impossible year.
    public init(kind: Kind, year: Int, awardedBy: CreditCode) throws(VeteranError) {
        guard (1949...9999).contains(year) else { throw .invalidRecord("honour year \(year)") }
        self.kind = kind
        self.year = year
        self.awardedBy = awardedBy
    }
}

/// One employment or entrepreneurship support given to a veteran (就业创业扶持).
public struct SupportRecord: Hashable, Sendable, Codable {
    /// The kinds of support.
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        /// 适应性培训 / 职业技能培训 — training.
        case skillTraining
        /// 岗位推荐 — a job referral.
        case jobReferral
        /// 创业担保贷款 — a guaranteed start-up loan.
        case startUpLoan
        /// 创业补贴 — an entrepreneurship subsidy.
        case entrepreneurshipSubsidy
        /// 税收优惠 — a tax relief certificate.
        case taxRelief
    }

    /// What was given.
    public let kind: Kind
    /// The day.
    public let date: CalendarDate
    /// Who provided it.
    public let provider: CreditCode
    /// The amount, when money changed hands.
    public let amount: Money?

    /// Creates a record.
    public init(kind: Kind, date: CalendarDate, provider: CreditCode, amount: Money? = nil) {
        self.kind = kind
        self.date = date
        self.provider = provider
        self.amount = amount
    }
}

/// A veteran (退役军人) as the veterans' affairs bureau records them.
public struct Veteran: Hashable, Sendable, Codable {
    /// The record id.
    public let id: Identifier<Veteran>
    /// The citizen identity number.
    public let resident: ResidentID
    /// The registered name.
    public let name: PersonName
    /// The branch served in.
    public let branch: ServiceBranch
    /// The day of enlistment.
    public let enlisted: CalendarDate
    /// The day of discharge.
    public let discharged: CalendarDate
    /// The rank at discharge.
    public let rank: DischargeRank
    /// How the veteran is placed.
    public let placementType: PlacementType
    /// Where the placement workflow is.
    public private(set) var placement: PlacementState
    /// The preferential-care entitlement, if any.
    public var care: PreferentialCare?
    /// Honours, in the order awarded.
    public var honours: [Honour]
    /// Employment and entrepreneurship support, in the order given.
    public var support: [SupportRecord]

    /// Creates a record whose placement starts at ``PlacementState/transferred``; refuses a
    /// discharge before enlistment and an enlistment before the age of 16.
    public init(
        id: Identifier<Veteran>,
        resident: ResidentID,
        name: PersonName,
        branch: ServiceBranch,
        enlisted: CalendarDate,
        discharged: CalendarDate,
        rank: DischargeRank,
        placementType: PlacementType,
        care: PreferentialCare? = nil
    ) throws(VeteranError) {
        guard enlisted < discharged else { throw .invalidService("discharged on \(discharged), not after \(enlisted)") }
        guard resident.age(on: enlisted) >= 16 else {
            throw .invalidService("enlisted at age \(resident.age(on: enlisted)), under 16")
        }
        self.id = id
        self.resident = resident
        self.name = name
        self.branch = branch
        self.enlisted = enlisted
        self.discharged = discharged
        self.rank = rank
        self.placementType = placementType
        self.placement = .transferred
        self.care = care
        self.honours = []
        self.support = []
    }

    /// Applies a placement event, or throws and leaves the record unchanged.
    public mutating func apply(_ event: PlacementEvent) throws(VeteranError) {
        switch (placement, event) {
        case (.transferred, .report(let date)):
            guard date >= discharged else { throw .invalidService("reported on \(date), before discharge") }
            placement = .reported(on: date)
        case (.reported, .arrange(let outcome)):
            guard outcome.fits(placementType) else {
                throw .placementMismatch("\(outcome.summary) does not fit \(placementType.rawValue)")
            }
            placement = .arranged(outcome)
        case (.arranged(let outcome), .complete(let date)):
            placement = .completed(outcome, on: date)
        default:
            throw .illegalTransition(from: placement.name, event: event.name)
        }
    }

    /// Years of service, completed.
    public var yearsOfService: Int { enlisted.age(on: discharged) }
}

extension Veteran: DataClassified, CustomStringConvertible, CustomDebugStringConvertible {
    /// Identity, name and service record: sensitive personal information.
    public static var sensitivity: Sensitivity { .sensitivePersonal }
    /// One record is general data.
    public static var dataLevel: DataLevel { .general }

    /// A masked summary safe for logs and terminals.
    public var description: String {
        "\(id): \(name.masked) \(resident.masked), \(branch.rawValue) \(enlisted)–\(discharged), \(rank.rawValue), "
            + "\(placementType.rawValue) \(placement.name)"
            + (care.map { ", care \($0.category.rawValue) \($0.status.name)" } ?? "")
    }

    /// The same masked summary.
    public var debugDescription: String { description }
}

extension Veteran: StorableRecord {
    /// The table name.
    public static let recordKind = "veteran"
    /// Identity and name are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["resident", "name"]
    /// Veterans by resident (keyed hash), by placement step, and those whose care is being paid.
    public static let indexes: [RecordIndex<Veteran>] = [
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
        RecordIndex("placement") { .text($0.placement.name) },
        RecordIndex("care_active") { veteran in
            guard let care = veteran.care, care.status == .active else { return nil }
            return .text(care.category.rawValue)
        },
    ]
    /// The record id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}
