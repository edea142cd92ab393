public import Foundation
public import SocietyCore
public import SocietyServices

/// A kind of home-care service (居家养老服务).
public enum HomeCareKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// 助餐: meals.
    case meals
    /// 助洁: cleaning.
    case cleaning
    /// 助浴: bathing.
    case bathing
    /// 生活照料: help with daily living.
    case dailyLiving
    /// 健康监测: health monitoring.
    case healthMonitoring
    /// 康复护理: rehabilitation and nursing.
    case nursing
    /// 精神慰藉: visits and company.
    case companionship
}

/// One service of a care plan: what, how often a week, how long a visit.
public struct PlannedService: Hashable, Sendable, Codable {
    /// The kind.
    public let kind: HomeCareKind
    /// Visits a week.
    public let visitsPerWeek: Int
    /// Minutes a visit.
    public let minutes: Int

    /// A planned service.
    public init(kind: HomeCareKind, visitsPerWeek: Int, minutes: Int) {
        self.kind = kind
        self.visitsPerWeek = visitsPerWeek
        self.minutes = minutes
    }
}

/// The services a care plan starts from, by level. **Assumption**, configuration: no national table
/// was found; more help, more often, as the level falls — intact: a monthly health check-in and
/// company; mild: help with cleaning and meals twice a week; moderate: daily living help five
/// times a week and a weekly bath; severe: daily living help daily, nursing twice a week;
/// complete loss: daily living help twice a day and nursing daily.
public struct CarePlanPolicy: Hashable, Sendable, Codable {
    /// The services of each level.
    public var services: [CapabilityLevel: [PlannedService]]

    /// The policy; the defaults are the assumption above.
    public init(services: [CapabilityLevel: [PlannedService]] = CarePlanPolicy.standardServices) {
        self.services = services
    }

    /// The assumed defaults.
    public static let standardServices: [CapabilityLevel: [PlannedService]] = [
        .intact: [
            .init(kind: .healthMonitoring, visitsPerWeek: 0, minutes: 30),
            .init(kind: .companionship, visitsPerWeek: 1, minutes: 60),
        ],
        .mild: [
            .init(kind: .cleaning, visitsPerWeek: 2, minutes: 60), .init(kind: .meals, visitsPerWeek: 2, minutes: 30),
        ],
        .moderate: [
            .init(kind: .dailyLiving, visitsPerWeek: 5, minutes: 60),
            .init(kind: .bathing, visitsPerWeek: 1, minutes: 60),
            .init(kind: .healthMonitoring, visitsPerWeek: 1, minutes: 30),
        ],
        .severe: [
            .init(kind: .dailyLiving, visitsPerWeek: 7, minutes: 90),
            .init(kind: .nursing, visitsPerWeek: 2, minutes: 60),
            .init(kind: .bathing, visitsPerWeek: 1, minutes: 60),
        ],
        .complete: [
            .init(kind: .dailyLiving, visitsPerWeek: 14, minutes: 90),
            .init(kind: .nursing, visitsPerWeek: 7, minutes: 60),
            .init(kind: .bathing, visitsPerWeek: 2, minutes: 60),
        ],
    ]
}

/// A care plan (照护计划) made from an assessment.
public struct CarePlan: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The person (encrypted at rest).
    public let elder: ResidentID
    /// The assessment it follows.
    public let assessment: String
    /// The level it was made for.
    public let level: CapabilityLevel
    /// The services.
    public let services: [PlannedService]
    /// The day it starts.
    public let from: CalendarDate
}

extension CarePlan: StorableRecord {
    /// The table name.
    public static let recordKind = "elderly_care_plan"
    /// The person.
    public static let sensitiveFields: Set<String> = ["elder"]
    /// By person (keyed hash).
    public static let indexes: [RecordIndex<CarePlan>] = [RecordIndex(searchable: "elder") { .text($0.elder.unmasked) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A home-care provider (居家养老服务组织) and its care workers.
public struct HomeCareProvider: Hashable, Sendable, Codable {
    /// The unified social credit code.
    public let id: String
    /// The name.
    public let name: String
    /// The county it serves.
    public let district: DivisionCode
    /// The kinds it offers.
    public let kinds: Set<HomeCareKind>

    /// A provider offering at least one kind.
    public init(id: String, name: String, district: DivisionCode, kinds: Set<HomeCareKind>) throws(ElderlyCareError) {
        guard !id.isEmpty, !name.isEmpty, !kinds.isEmpty else {
            throw .invalid("a provider has an id, a name and services")
        }
        self.id = id
        self.name = name
        self.district = district
        self.kinds = kinds
    }
}

extension HomeCareProvider: StorableRecord {
    /// The table name.
    public static let recordKind = "elderly_provider"
    /// By district.
    public static let indexes: [RecordIndex<HomeCareProvider>] = [RecordIndex("district") { .text($0.district.code) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A care worker (护理员) of a provider.
public struct CareWorker: Hashable, Sendable, Codable {
    /// The worker's staff id.
    public let id: String
    /// The provider.
    public let provider: String
    /// The person (encrypted at rest).
    public let person: ResidentID

    /// A worker.
    public init(id: String, provider: String, person: ResidentID) throws(ElderlyCareError) {
        guard !id.isEmpty, !provider.isEmpty else { throw .invalid("a worker has an id and a provider") }
        self.id = id
        self.provider = provider
        self.person = person
    }
}

extension CareWorker: StorableRecord {
    /// The table name.
    public static let recordKind = "elderly_worker"
    /// The person.
    public static let sensitiveFields: Set<String> = ["person"]
    /// By provider.
    public static let indexes: [RecordIndex<CareWorker>] = [RecordIndex("provider") { .text($0.provider) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A home-care service order (居家养老服务工单): placed, assigned to a worker, checked in at the
/// door, checked out, rated — or cancelled before the visit. An illegal move throws and changes
/// nothing.
public struct HomeCareOrder: Hashable, Sendable, Codable {
    /// The states.
    public enum State: String, Hashable, Sendable, Codable {
        /// Placed with a provider.
        case placed
        /// A worker is assigned.
        case assigned
        /// The worker checked in at the person's home.
        case inService
        /// The worker checked out.
        case completed
        /// The person rated the visit.
        case rated
        /// Cancelled before the visit.
        case cancelled
    }

    /// The moves.
    public enum Event: Hashable, Sendable, Codable {
        /// A worker is assigned.
        case assign(worker: String)
        /// Check-in at the time.
        case checkIn(at: Date)
        /// Check-out at the time, with what was done.
        case checkOut(at: Date, note: String)
        /// A rating, 1–5 stars, with a comment.
        case rate(stars: Int, comment: String)
        /// Cancelled, with the reason.
        case cancel(reason: String)
    }

    /// The id.
    public let id: String
    /// The person served (encrypted at rest).
    public let elder: ResidentID
    /// The provider.
    public let provider: String
    /// The service.
    public let kind: HomeCareKind
    /// The day of the visit.
    public let date: CalendarDate
    /// The care plan it carries out, if any.
    public let plan: String?
    /// The state.
    public private(set) var state: State
    /// The worker.
    public private(set) var worker: String?
    /// Check-in and check-out times.
    public private(set) var checkedIn: Date?
    /// Check-out.
    public private(set) var checkedOut: Date?
    /// What was done (encrypted at rest).
    public private(set) var note: String?
    /// The rating, 1–5.
    public private(set) var stars: Int?
    /// The rating's comment.
    public private(set) var comment: String?

    /// A placed order.
    public init(
        id: String,
        elder: ResidentID,
        provider: String,
        kind: HomeCareKind,
        date: CalendarDate,
        plan: String? = nil
    ) throws(ElderlyCareError) {
        guard !id.isEmpty, !provider.isEmpty else { throw .invalid("an order has an id and a provider") }
        self.id = id
        self.elder = elder
        self.provider = provider
        self.kind = kind
        self.date = date
        self.plan = plan
        self.state = .placed
    }

    /// The minutes between check-in and check-out, when both are known.
    public var minutes: Int? {
        guard let checkedIn, let checkedOut else { return nil }
        return Int(checkedOut.timeIntervalSince(checkedIn) / 60)
    }

    /// The order after `event`; an illegal move throws.
    public func applying(_ event: Event) throws(ElderlyCareError) -> HomeCareOrder {
        var next = self
        switch (state, event) {
        case (.placed, .assign(let worker)):
            guard !worker.isEmpty else { throw .invalid("assign a worker by id") }
            next.worker = worker
            next.state = .assigned
        case (.assigned, .checkIn(let at)):
            next.checkedIn = at
            next.state = .inService
        case (.inService, .checkOut(let at, let note)):
            guard let checkedIn, at > checkedIn else { throw .invalid("check-out comes after check-in") }
            next.checkedOut = at
            next.note = note
            next.state = .completed
        case (.completed, .rate(let stars, let comment)):
            guard (1...5).contains(stars) else { throw .invalid("a rating is 1 to 5 stars, not \(stars)") }
            next.stars = stars
            next.comment = comment
            next.state = .rated
        case (.placed, .cancel(let reason)), (.assigned, .cancel(let reason)):
            next.note = reason
            next.state = .cancelled
        default:
            throw .illegal(move: Self.name(of: event), state: state.rawValue)
        }
        return next
    }

    static func name(of event: Event) -> String {
        switch event {
        case .assign: "assign"
        case .checkIn: "check in"
        case .checkOut: "check out"
        case .rate: "rate"
        case .cancel: "cancel"
        }
    }
}

extension HomeCareOrder: StorableRecord {
    /// The table name.
    public static let recordKind = "elderly_order"
    /// The person, what was done and what they said.
    public static let sensitiveFields: Set<String> = ["elder", "note", "comment"]
    /// By provider (quality figures), by person (keyed hash).
    public static let indexes: [RecordIndex<HomeCareOrder>] = [
        RecordIndex("provider") { .text($0.provider) },
        RecordIndex(searchable: "elder") { .text($0.elder.unmasked) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A provider's service quality from its orders: completed and rated visits, the mean stars, the
/// share of visits shorter than planned.
public struct ProviderQuality: Hashable, Sendable, Codable {
    /// The provider.
    public let provider: String
    /// Orders completed or rated.
    public let completed: Int
    /// Orders rated.
    public let rated: Int
    /// The mean stars of rated orders, 0 when none.
    public let meanStars: Double
    /// Orders cancelled.
    public let cancelled: Int
}

/// The grading of a care institution by GB/T 37276-2018 (养老机构等级划分与评定): five levels (一级
/// to 五级), from points in its parts. **Assumption**, configuration: the standard's own tables were
/// not found — the parts and their points (环境 120, 设施设备 130, 运营管理 150, 服务 600; 1,000 in
/// all) and the lowest totals of levels five to one (900, 800, 700, 600, 500) are ours to replace; a
/// serious safety incident in the past year means no level.
public struct InstitutionGrading: Hashable, Sendable, Codable {
    /// The parts and their most points.
    public var parts: [String: Int]
    /// The lowest totals of levels 5, 4, 3, 2 and 1.
    public var lowest: [Int]

    /// A grading; the defaults are the assumption above.
    public init(
        parts: [String: Int] = ["环境": 120, "设施设备": 130, "运营管理": 150, "服务": 600],
        lowest: [Int] = [900, 800, 700, 600, 500]
    ) {
        self.parts = parts
        self.lowest = lowest
    }

    /// The level (1–5, or 0 for none) of `scores` and whether there was a serious incident, explained.
    public func grade(scores: [String: Int], seriousIncident: Bool) throws(ElderlyCareError) -> (Int, ExplainedDecision)
    {
        var total = 0
        for (part, maximum) in parts.sorted(by: { $0.key < $1.key }) {
            guard let score = scores[part] else { throw .invalid("no score for \(part)") }
            guard (0...maximum).contains(score) else { throw .invalid("\(part): \(score) is outside 0–\(maximum)") }
            total += score
        }
        if let unknown = Set(scores.keys).subtracting(parts.keys).sorted().first {
            throw .invalid("no part \(unknown)")
        }
        let level = seriousIncident ? 0 : lowest.firstIndex { total >= $0 }.map { 5 - $0 } ?? 0
        var checks = [
            RuleCheck(
                rule: "points",
                statement: "\(total) of \(parts.values.reduce(0, +)) points: "
                    + (lowest.firstIndex { total >= $0 }.map { "level \(5 - $0)" } ?? "below level 1"),
                passed: lowest.contains { total >= $0 }
            )
        ]
        if seriousIncident {
            checks.append(
                RuleCheck(
                    rule: "incident",
                    statement: "a serious safety incident in the past year: no level",
                    passed: false
                )
            )
        }
        return (level, ExplainedDecision(checks: checks, policyVersion: "GB/T 37276-2018"))
    }
}

/// The care subsidy for older people in economic difficulty (经济困难老年人护理补贴), paid monthly
/// through the one-card. **Assumption**, configuration (the local amounts were not found): aged
/// 60 or more, in a dibao or extreme-poverty household, assessed within the last 12 months at
/// moderate or worse — 200 yuan a month moderate, 300 severe, 400 complete loss.
public struct ElderlySubsidyPolicy: Hashable, Sendable, Codable {
    /// The youngest age.
    public var minimumAge: Int
    /// The monthly amount by level (levels not listed get none).
    public var monthly: [CapabilityLevel: Money]
    /// An assessment counts this many months.
    public var assessmentValidMonths: Int
    /// The version recorded with every decision.
    public var version: String

    /// The policy; the defaults are the assumption above.
    public init(
        minimumAge: Int = 60,
        monthly: [CapabilityLevel: Money] = [
            .moderate: Money(fen: 20_000), .severe: Money(fen: 30_000), .complete: Money(fen: 40_000),
        ],
        assessmentValidMonths: Int = 12,
        version: String = "assumption 2026"
    ) {
        self.minimumAge = minimumAge
        self.monthly = monthly
        self.assessmentValidMonths = assessmentValidMonths
        self.version = version
    }
}

/// A month's care subsidy paid to an older person.
public struct ElderlySubsidyPayment: Hashable, Sendable, Codable {
    /// `PSEUDONYM-YYYY-MM` (no identity number in a key).
    public let id: String
    /// The person (encrypted at rest).
    public let elder: ResidentID
    /// The month.
    public let month: String
    /// The amount.
    public let amount: Money
    /// The rules, explained.
    public let decision: ExplainedDecision
    /// The one-card instruction.
    public let instruction: String
}

extension ElderlySubsidyPayment: StorableRecord {
    /// The table name.
    public static let recordKind = "elderly_subsidy_payment"
    /// The person.
    public static let sensitiveFields: Set<String> = ["elder"]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}
