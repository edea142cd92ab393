import Foundation
import Logging
public import SocietyCore
public import SocietyServices

/// The public rental housing rules (公共租赁住房), as values. The thresholds are local: every one
/// here is an **assumption** for Taizhou, to be configured.
public struct RentalPolicy: Hashable, Sendable, Codable {
    /// Names the policy in every decision.
    public var version: String
    /// Per-capita monthly income at most this: **assumption** 2,400 yuan (2.5 × the assumed dibao
    /// line of 960 yuan).
    public var incomeLimit: Money
    /// Household assets at most this: **assumption** 200,000 yuan.
    public var assetLimit: Money
    /// Housing area per person below this, in hundredths of a m²: **assumption** 15 m².
    public var areaLimit: Int
    /// The longest a household should wait, in years: 5 (DOMAINS.md); a household waiting longer
    /// is reported, not moved.
    public var maxWaitYears: Int

    /// The defaults above.
    public static let standard = RentalPolicy(
        version: "rental/assumed-2026",
        incomeLimit: Money(fen: 240_000),
        assetLimit: Money(fen: 20_000_000),
        areaLimit: 1_500,
        maxWaitYears: 5
    )

    /// A policy.
    public init(version: String, incomeLimit: Money, assetLimit: Money, areaLimit: Int, maxWaitYears: Int) {
        self.version = version
        self.incomeLimit = incomeLimit
        self.assetLimit = assetLimit
        self.areaLimit = areaLimit
        self.maxWaitYears = maxWaitYears
    }
}

/// Who is housed first. The waiting list orders households by their highest priority (in this
/// order), then by the day they joined, then by application id — a documented, deterministic
/// order anyone can recompute from the list.
public enum RentalPriority: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// 特困 / 低保: extreme poverty or dibao households.
    case assistance
    /// Households with a severely disabled member.
    case disability
    /// Households with a member aged 60 or more.
    case elderly
    /// Entitled veterans' households (优抚对象).
    case veteran
    /// Every other eligible household.
    case general

    public static func < (lhs: RentalPriority, rhs: RentalPriority) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// A household's means, as the household economic verification established them (by envelope
/// from the departments: income, assets, housing), with the envelopes' digests.
public struct HouseholdMeans: Hashable, Sendable, Codable {
    /// Members of the household.
    public var members: Int
    /// Per-capita monthly income.
    public var perCapitaIncome: Money
    /// Total assets (deposits, vehicles, businesses).
    public var assets: Money
    /// Housing area per person, in hundredths of a m².
    public var areaPerCapita: Int
    /// The priorities the household qualifies for (from the same verification).
    public var priorities: Set<RentalPriority>
    /// The verification's evidence: envelope digests.
    public var evidence: [String]

    /// Means.
    public init(
        members: Int,
        perCapitaIncome: Money,
        assets: Money,
        areaPerCapita: Int,
        priorities: Set<RentalPriority> = [],
        evidence: [String] = []
    ) {
        self.members = members
        self.perCapitaIncome = perCapitaIncome
        self.assets = assets
        self.areaPerCapita = areaPerCapita
        self.priorities = priorities
        self.evidence = evidence
    }

    /// The household's highest priority.
    public var priority: RentalPriority { priorities.min() ?? .general }
}

/// An application for public rental housing and where it stands.
public struct RentalApplication: Hashable, Sendable, Codable {
    /// Where the household stands.
    public enum Standing: Hashable, Sendable, Codable {
        /// Not eligible.
        case rejected
        /// On the waiting list since `since`.
        case waiting(since: CalendarDate)
        /// Housed in `unit` from `on`.
        case housed(unit: String, on: CalendarDate)
        /// Left (no longer eligible at the annual review, or moved out).
        case exited(reason: String, on: CalendarDate)

        /// The standing's name.
        public var name: String {
            switch self {
            case .rejected: "rejected"
            case .waiting: "waiting"
            case .housed: "housed"
            case .exited: "exited"
            }
        }
    }

    /// The application's id.
    public let id: String
    /// The applicant, the household's head (encrypted at rest).
    public let applicant: ResidentID
    /// The district applied in.
    public let district: DivisionCode
    /// The application on the shared life cycle.
    public internal(set) var lifecycle: ServiceApplication
    /// The eligibility decision, every rule explained (the latest annual review's, once reviewed).
    public internal(set) var decision: ExplainedDecision
    /// The means decided on.
    public internal(set) var means: HouseholdMeans
    /// Where it stands.
    public internal(set) var standing: Standing
}

extension RentalApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "housing_rental_application"
    /// The applicant is personal data.
    public static let sensitiveFields: Set<String> = ["applicant"]
    /// By standing and district.
    public static let indexes: [RecordIndex<RentalApplication>] = [
        RecordIndex("standing") { .text("\($0.district.code)|\($0.standing.name)") }
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// One allocation round: the list as it stood, in order, and who was housed where. Kept so anyone
/// can check that units went down the list in the documented order.
public struct AllocationRound: Hashable, Sendable, Codable {
    /// The round's id.
    public let id: String
    /// The district.
    public let district: DivisionCode
    /// The day.
    public let on: CalendarDate
    /// The waiting list at the start, application ids in order.
    public let list: [String]
    /// Each unit given, in order: application id → unit.
    public let allocations: [[String]]
}

extension AllocationRound: StorableRecord {
    /// The table name.
    public static let recordKind = "housing_allocation_round"
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// Public rental housing (公共租赁住房): applications decided on verified means, a waiting list in a
/// documented order, allocation rounds that keep their list, annual review and exit.
public struct PublicRental: Sendable {
    /// The store purpose this service declares.
    public static let purpose = Purpose(constant: "housing.public-rental")
    /// The catalogue code.
    public static let serviceCode = "public-rental-housing"

    let ports: ServicePorts
    /// The rules.
    public let policy: RentalPolicy
    /// The department name on the life cycle.
    public let department: String

    /// The service on the housing department's ports.
    public init(ports: ServicePorts, policy: RentalPolicy = .standard, department: String = "housing") {
        self.ports = ports.logging(as: "housing")
        self.policy = policy
        self.department = department
    }

    /// Decides eligibility on `means`: income, assets and housing area within the limits, each
    /// explained.
    public func decide(_ means: HouseholdMeans) -> ExplainedDecision {
        let area = means.areaPerCapita
        return ExplainedDecision(
            checks: [
                RuleCheck(
                    rule: "income",
                    statement:
                        "per-capita income \(means.perCapitaIncome.yuanText) \(means.perCapitaIncome <= policy.incomeLimit ? "≤" : ">") \(policy.incomeLimit.yuanText)",
                    passed: means.perCapitaIncome <= policy.incomeLimit
                ),
                RuleCheck(
                    rule: "assets",
                    statement:
                        "assets \(means.assets.yuanText) \(means.assets <= policy.assetLimit ? "≤" : ">") \(policy.assetLimit.yuanText)",
                    passed: means.assets <= policy.assetLimit
                ),
                RuleCheck(
                    rule: "housing-area",
                    statement:
                        "\(area / 100).\(DecimalText.padded(area % 100, width: 2)) m² a person \(area < policy.areaLimit ? "<" : "≥") \(policy.areaLimit / 100) m²",
                    passed: area < policy.areaLimit
                ),
                RuleCheck(
                    rule: "verified",
                    statement: means.evidence.isEmpty
                        ? "the means were not verified by envelope"
                        : "means verified by \(means.evidence.count) envelope(s)",
                    passed: !means.evidence.isEmpty
                ),
            ],
            policyVersion: policy.version
        )
    }

    /// Receives, decides and — when eligible — puts the household on the district's waiting list.
    /// Applying again with the same id returns the application kept.
    @discardableResult
    public func apply(
        id: String,
        applicant: ResidentID,
        district: DivisionCode,
        means: HouseholdMeans
    )
        async throws(HousingError) -> RentalApplication
    {
        guard ServiceEntry.isValidCode(id) else { throw .invalid("an id is 3–64 letters, digits or '-'") }
        let today = CalendarDate(ports.clock.now())
        let decision = decide(means)
        let department = department
        do {
            return try await ports.store.write(purpose: Self.purpose) { db in
                if let kept = try await db.get(RentalApplication.self, key: RecordKey(id)) {
                    guard kept.applicant == applicant else { throw HousingError.exists("application \(id)") }
                    return kept
                }
                var lifecycle = ServiceApplication(
                    id: id,
                    serviceCode: Self.serviceCode,
                    timeLimit: try TimeLimit(statutory: 20, promised: 15),
                    submitted: today,
                    by: "applicant"
                )
                try lifecycle.accept(on: today, by: department)
                try lifecycle.review(step: "means \(decision.policyVersion)", on: today, by: department)
                try lifecycle.complete(
                    result: decision.isEligible ? "waiting list" : "rejected",
                    on: today,
                    by: department
                )
                let application = RentalApplication(
                    id: id,
                    applicant: applicant,
                    district: district,
                    lifecycle: lifecycle,
                    decision: decision,
                    means: means,
                    standing: decision.isEligible ? .waiting(since: today) : .rejected
                )
                try await db.put(application)
                try await db.put(
                    ApplicationRecord(
                        application: lifecycle,
                        applicant: .household(head: applicant),
                        department: department,
                        district: district
                    )
                )
                return application
            }
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// The district's waiting list, in order: highest priority first, then the day joined, then id.
    public func waitingList(_ district: DivisionCode) async throws(HousingError) -> [RentalApplication] {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                Self.ordered(try await Self.waiting(district, in: db))
            }
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    static func waiting(_ district: DivisionCode, in db: any RecordReading) async throws -> [RentalApplication] {
        try await db.fetch(RecordQuery<RentalApplication>.filter("standing", equals: .text("\(district.code)|waiting")))
    }

    static func ordered(_ applications: [RentalApplication]) -> [RentalApplication] {
        applications.sorted { left, right in
            guard case .waiting(let leftSince) = left.standing, case .waiting(let rightSince) = right.standing else {
                return left.id < right.id
            }
            return (left.means.priority, leftSince, left.id) < (right.means.priority, rightSince, right.id)
        }
    }

    /// An allocation round: `units` go down the district's waiting list in order, one unit a
    /// household; the round keeps the list as it stood. Returns the round.
    public func allocate(
        round id: String,
        district: DivisionCode,
        units: [String]
    ) async throws(HousingError)
        -> AllocationRound
    {
        guard ServiceEntry.isValidCode(id) else { throw .invalid("a round's id is 3–64 letters, digits or '-'") }
        guard !units.isEmpty, Set(units).count == units.count else { throw .invalid("a round gives distinct units") }
        let today = CalendarDate(ports.clock.now())
        do {
            let round = try await ports.store.write(purpose: Self.purpose) { db in
                if try await db.get(AllocationRound.self, key: RecordKey(id)) != nil {
                    throw HousingError.exists("allocation round \(id)")
                }
                let list = Self.ordered(try await Self.waiting(district, in: db))
                var allocations: [[String]] = []
                for (var application, unit) in zip(list, units) {
                    application.standing = .housed(unit: unit, on: today)
                    try await db.put(application)
                    allocations.append([application.id, unit])
                }
                let round = AllocationRound(
                    id: id,
                    district: district,
                    on: today,
                    list: list.map(\.id),
                    allocations: allocations
                )
                try await db.put(round)
                return round
            }
            ports.logger.info(
                "allocation round",
                metadata: [
                    "operation": "allocate", "round": "\(id)", "district": "\(district.code)",
                    "waiting": "\(round.list.count)", "housed": "\(round.allocations.count)",
                ]
            )
            return round
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// 年度复核: the household's means again. Still eligible, it stays; no longer, it exits with the
    /// failed rules as the reason.
    public func annualReview(_ id: String, means: HouseholdMeans) async throws(HousingError) -> RentalApplication {
        let today = CalendarDate(ports.clock.now())
        let decision = decide(means)
        do {
            return try await ports.store.write(purpose: Self.purpose) { db in
                guard var application = try await db.get(RentalApplication.self, key: RecordKey(id)) else {
                    throw HousingError.notFound("application \(id)")
                }
                switch application.standing {
                case .waiting, .housed: break
                case .rejected, .exited:
                    throw HousingError.refused(
                        "annual review",
                        state: application.standing.name,
                        reason: "the household is not housed or waiting"
                    )
                }
                application.means = means
                application.decision = decision
                if !decision.isEligible {
                    application.standing = .exited(reason: decision.explanation, on: today)
                }
                try await db.put(application)
                return application
            }
        } catch {
            throw HousingError(wrapping: error)
        }
    }

    /// The household moves out (or gives up its place on the list).
    public func exit(_ id: String, reason: String) async throws(HousingError) -> RentalApplication {
        let today = CalendarDate(ports.clock.now())
        do {
            return try await ports.store.write(purpose: Self.purpose) { db in
                guard var application = try await db.get(RentalApplication.self, key: RecordKey(id)) else {
                    throw HousingError.notFound("application \(id)")
                }
                switch application.standing {
                case .waiting, .housed: application.standing = .exited(reason: reason, on: today)
                case .rejected, .exited:
                    throw HousingError.refused(
                        "exit",
                        state: application.standing.name,
                        reason: "the household is not housed or waiting"
                    )
                }
                try await db.put(application)
                return application
            }
        } catch {
            throw HousingError(wrapping: error)
        }
    }
}
