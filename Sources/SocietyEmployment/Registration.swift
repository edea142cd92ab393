public import SocietyCore
import SocietyOneCard

/// Why a person lost their last job. Only an involuntary loss entitles them to unemployment
/// benefit (失业保险条例 art. 14: "非因本人意愿中断就业").
public enum JobLossReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// 劳动合同期满终止: the contract ran out and was not renewed.
    case contractExpired
    /// 用人单位解除劳动合同: dismissed by the employer.
    case dismissed
    /// 用人单位破产、关闭、撤销: the employer closed.
    case employerClosed
    /// 协商一致解除 at the employer's proposal.
    case mutualAgreementAtEmployerRequest
    /// 本人辞职: the person resigned (voluntary).
    case resigned

    /// Whether the loss was against the person's will.
    public var isInvoluntary: Bool { self != .resigned }
}

/// Why an unemployment registration ended (DOMAINS.md, Employment).
public enum RegistrationEnding: String, Hashable, Sendable, Codable, CaseIterable {
    /// 领取养老金: the person draws a pension.
    case pension
    /// 重新就业: a new job (arriving by envelope from the employment registry).
    case newJob
    /// 自主创业 / 灵活就业: self-employment.
    case selfEmployment
    /// A stable income at or above the local dibao line.
    case stableIncome
    /// 升学: full-time study.
    case education
    /// 应征服兵役: military service.
    case military
    /// 移居境外 / moved away.
    case movedAway
    /// 丧失劳动能力: lost the capacity to work.
    case lostWorkingCapacity
    /// 被判刑收监执行: imprisonment.
    case imprisonment
}

/// 失业登记: a person registered as unemployed at the public employment service of their district.
///
/// The coarse attributes the early warning counts by — age band, sex, industry of the last job,
/// dibao and disability — are kept as values beside the encrypted identity number, so that the
/// statistics never decrypt anyone.
public struct UnemploymentRegistration: Hashable, Sendable, Codable {
    /// How a registration ended.
    public struct Ending: Hashable, Sendable, Codable {
        /// Why.
        public let reason: RegistrationEnding
        /// The first day the person was no longer unemployed.
        public let on: CalendarDate
        /// The envelope that brought the news (`ALG:BASE64URL`), when it came by exchange.
        public let evidence: String?
    }

    /// The registration's id.
    public let id: String
    /// The person (encrypted at rest).
    public let resident: ResidentID
    /// The district where they registered.
    public let district: DivisionCode
    /// The day of registration.
    public let registeredOn: CalendarDate
    /// The last day of their last job.
    public let lostJobOn: CalendarDate
    /// Why they lost it.
    public let jobLoss: JobLossReason
    /// The industry of their last job: the GB/T 4754-2017 section letter (`C` manufacturing, …).
    public let industry: String
    /// Whether they are looking for work (求职登记), a condition of the benefit.
    public let seekingWork: Bool
    /// A member of a dibao household, as the civil-affairs data said at registration.
    public let dibao: Bool
    /// Holds a disability certificate, as the federation's data said at registration.
    public let disabled: Bool
    /// Age band at registration (``AgeBand``).
    public let ageBand: AgeBand
    /// Sex, from the identity number.
    public let sex: Sex
    /// How it ended, once it has.
    public private(set) var ended: Ending?

    /// A new, active registration. Refused when the job was lost after registration, or the
    /// industry is not a GB/T 4754 section letter.
    public init(
        id: String,
        resident: ResidentID,
        district: DivisionCode,
        registeredOn: CalendarDate,
        lostJobOn: CalendarDate,
        jobLoss: JobLossReason,
        industry: String,
        seekingWork: Bool,
        dibao: Bool = false,
        disabled: Bool = false
    ) throws(EmploymentError) {
        guard lostJobOn <= registeredOn else { throw .invalid("the job was lost after the registration") }
        guard Industry.isSection(industry) else {
            throw .invalid("industry \(industry) is not a GB/T 4754-2017 section letter (A–T)")
        }
        let age = resident.age(on: registeredOn)
        guard age >= 16 else { throw .invalid("a registration needs the person to be 16 or older") }
        self.id = id
        self.resident = resident
        self.district = district
        self.registeredOn = registeredOn
        self.lostJobOn = lostJobOn
        self.jobLoss = jobLoss
        self.industry = industry
        self.seekingWork = seekingWork
        self.dibao = dibao
        self.disabled = disabled
        self.ageBand = AgeBand(age: age)
        self.sex = resident.sex
        self.ended = nil
    }

    /// Whether the person was registered unemployed on `date`.
    public func isActive(on date: CalendarDate) -> Bool {
        registeredOn <= date && (ended.map { date < $0.on } ?? true)
    }

    /// Ends the registration on `date`. Refused when it already ended, or before it began.
    public mutating func end(
        _ reason: RegistrationEnding,
        on date: CalendarDate,
        evidence: String? = nil
    )
        throws(EmploymentError)
    {
        if let ended { throw .registrationEnded(id, on: ended.on) }
        guard date > registeredOn else {
            throw .invalid("a registration cannot end on or before the day it began (\(registeredOn.iso8601))")
        }
        ended = Ending(reason: reason, on: date, evidence: evidence)
    }
}

extension UnemploymentRegistration: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_registration"
    /// The person is personal data.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// By person (keyed hash), district, and whether still active.
    public static let indexes: [RecordIndex<UnemploymentRegistration>] = [
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
        RecordIndex("district") { .text($0.district.code) },
        RecordIndex("active") { .integer($0.ended == nil ? 1 : 0) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The age bands of the labour-force statistics (16–24, 25–34, 35–44, 45–54, 55 and over), as
/// the National Bureau of Statistics publishes surveyed unemployment by age.
public enum AgeBand: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// 16–24.
    case from16to24 = "16-24"
    /// 25–34.
    case from25to34 = "25-34"
    /// 35–44.
    case from35to44 = "35-44"
    /// 45–54.
    case from45to54 = "45-54"
    /// 55 and over.
    case from55 = "55+"

    /// The band of `age` (under 16 counts as 16–24; the registries do not hold younger workers).
    public init(age: Int) {
        switch age {
        case ..<25: self = .from16to24
        case 25..<35: self = .from25to34
        case 35..<45: self = .from35to44
        case 45..<55: self = .from45to54
        default: self = .from55
        }
    }

    public static func < (lhs: AgeBand, rhs: AgeBand) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// GB/T 4754-2017 industry sections.
public enum Industry {
    /// The sections' names, by letter (A agriculture … T international organisations).
    public static let sections: [String: String] = [
        "A": "农、林、牧、渔业", "B": "采矿业", "C": "制造业", "D": "电力、热力、燃气及水生产和供应业", "E": "建筑业",
        "F": "批发和零售业", "G": "交通运输、仓储和邮政业", "H": "住宿和餐饮业", "I": "信息传输、软件和信息技术服务业",
        "J": "金融业", "K": "房地产业", "L": "租赁和商务服务业", "M": "科学研究和技术服务业", "N": "水利、环境和公共设施管理业",
        "O": "居民服务、修理和其他服务业", "P": "教育", "Q": "卫生和社会工作", "R": "文化、体育和娱乐业",
        "S": "公共管理、社会保障和社会组织", "T": "国际组织",
    ]

    /// Whether `letter` is a section letter.
    public static func isSection(_ letter: String) -> Bool { sections[letter] != nil }
}

/// What the social-insurance agency knows of a person's unemployment-insurance contributions: the
/// months counted since their last benefit (the count restarts after a claim, 失业保险条例 art. 17),
/// the last month paid, and the industry and district of the employer paying. One record per
/// person, keyed by the keyed hash of their number; the coarse attributes stay readable for the
/// statistics.
public struct ContributionHistory: Hashable, Sendable, Codable {
    /// The person (encrypted at rest).
    public let resident: ResidentID
    /// Months contributed, counted since the last benefit claim.
    public internal(set) var months: Int
    /// The last month contributed, `YYYY-MM` (empty when never).
    public let lastMonth: String
    /// The employer's industry (GB/T 4754 section letter).
    public let industry: String
    /// The employer's district.
    public let district: DivisionCode
    /// Age band on the day the history was written.
    public let ageBand: AgeBand
    /// Sex, from the identity number.
    public let sex: Sex

    /// A history; `months` must not be negative and `industry` must be a section letter.
    public init(
        resident: ResidentID,
        months: Int,
        lastMonth: String,
        industry: String,
        district: DivisionCode,
        on date: CalendarDate
    ) throws(EmploymentError) {
        guard months >= 0 else { throw .invalid("contribution months cannot be negative") }
        guard Industry.isSection(industry) else {
            throw .invalid("industry \(industry) is not a GB/T 4754-2017 section letter (A–T)")
        }
        guard lastMonth.isEmpty || Self.isMonth(lastMonth) else { throw .invalid("\(lastMonth) is not YYYY-MM") }
        self.resident = resident
        self.months = months
        self.lastMonth = lastMonth
        self.industry = industry
        self.district = district
        self.ageBand = AgeBand(age: resident.age(on: date))
        self.sex = resident.sex
    }

    /// Whether the person was contributing (employed) in `month` (`YYYY-MM`).
    public func contributes(in month: String) -> Bool { lastMonth == month }

    /// Whether `text` is a month, `YYYY-MM` (the one-card's pay period form).
    static func isMonth(_ text: String) -> Bool { (try? PayPeriod(text)) != nil }
}

extension ContributionHistory: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_contributions"
    /// The person is personal data.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// By the last month paid, alone and with each attribute the early warning counts by
    /// (`2026-11|321202`): the warning counts index entries and never decodes a history.
    public static let indexes: [RecordIndex<ContributionHistory>] = [
        RecordIndex("last_month") { .text($0.lastMonth) },
        RecordIndex("month_district") { .text("\($0.lastMonth)|\($0.district.code)") },
        RecordIndex("month_industry") { .text("\($0.lastMonth)|\($0.industry)") },
        RecordIndex("month_age") { .text("\($0.lastMonth)|\($0.ageBand.rawValue)") },
        RecordIndex("month_sex") { .text("\($0.lastMonth)|\($0.sex.rawValue)") },
    ]
    /// The keyed hash of the person's number.
    public var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

/// The districts contribution histories were recorded for: the groups the early warning counts
/// the employed in (one record, grown as histories arrive).
public struct LabourDistricts: Hashable, Sendable, Codable {
    /// Division codes, sorted.
    public var districts: [String]
}

extension LabourDistricts: StorableRecord {
    /// The table name.
    public static let recordKind = "employment_labour_districts"
    /// The one record.
    public var recordKey: RecordKey { RecordKey("all") }
}
