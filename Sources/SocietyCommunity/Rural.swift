public import SocietyCore
public import SocietyServices

/// A village's 12-digit statistical division code (统计用区划代码): the county's GB/T 2260 code,
/// three digits of township, three of village.
public struct VillageCode: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The twelve digits.
    public let code: String

    /// Parses twelve digits whose first six are a valid division code.
    public init(_ text: String) throws(CommunityError) {
        guard text.utf8.count == 12, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            (try? DivisionCode(String(text.prefix(6)))) != nil
        else { throw .invalid("village code \(text) is not 12 digits beginning with a division code") }
        code = text
    }

    /// The county-level division.
    public var county: DivisionCode? { try? DivisionCode(String(code.prefix(6))) }

    public var description: String { code }

    public static func < (lhs: VillageCode, rhs: VillageCode) -> Bool { lhs.code < rhs.code }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

/// What the monitoring looks at for one rural household, as the departments report it: income
/// (agriculture, labour), medical spending (medical insurance), disaster losses (emergency
/// management).
public struct RuralHouseholdFacts: Hashable, Sendable, Codable {
    /// The household (its id as civil affairs keeps it).
    public let household: String
    /// Its village.
    public let village: VillageCode
    /// How many live in it.
    public let members: Int
    /// Net income over the past 12 months.
    public let income: Money
    /// Net income over the 12 months before, when known.
    public let previousIncome: Money?
    /// Out-of-pocket medical spending over the past 12 months.
    public let medicalSpending: Money
    /// Losses from natural disasters or accidents over the past 12 months.
    public let disasterLoss: Money

    /// Facts, checking the counts and amounts.
    public init(
        household: String,
        village: VillageCode,
        members: Int,
        income: Money,
        previousIncome: Money? = nil,
        medicalSpending: Money = .zero,
        disasterLoss: Money = .zero
    ) throws(CommunityError) {
        guard !household.isEmpty else { throw .invalid("a household has an id") }
        guard (1...30).contains(members) else { throw .invalid("a household has 1–30 members") }
        guard income.fen >= 0, (previousIncome?.fen ?? 0) >= 0, medicalSpending.fen >= 0, disasterLoss.fen >= 0 else {
            throw .invalid("incomes, spending and losses are not negative")
        }
        self.household = household
        self.village = village
        self.members = members
        self.income = income
        self.previousIncome = previousIncome
        self.medicalSpending = medicalSpending
        self.disasterLoss = disasterLoss
    }

    /// Income per member per year.
    public var perCapitaIncome: Money { Money(fen: income.fen / Int64(members)) }
}

/// A signal that a household risks falling (back) into poverty (防止返贫监测).
public enum MonitoringSignal: String, Hashable, Sendable, Codable, CaseIterable {
    /// Per-capita income under the monitoring line.
    case lowIncome
    /// Income near the line and fallen sharply.
    case incomeDrop
    /// Heavy out-of-pocket medical spending.
    case medicalSpending
    /// A heavy loss from a disaster or accident.
    case disaster
}

/// The monitoring thresholds: configuration. The national monitoring line is set each year and
/// was not checked here; every default is an **assumption**, labelled in ``version``:
/// - line 7,000 yuan per person a year;
/// - income drop: under 1.5× the line and more than 30 % below the year before;
/// - medical spending: more than 50 % of the household's income, or more than 20,000 yuan;
/// - disaster: a loss of more than 30 % of the household's income, or more than 10,000 yuan.
public struct RuralMonitoringPolicy: Hashable, Sendable, Codable {
    /// Per-capita net income a year under which a household is monitored.
    public var incomeLine: Money
    /// "Near the line", in percent of the line.
    public var nearLinePercent: Int
    /// A drop, in percent of the year before.
    public var incomeDropPercent: Int
    /// Medical spending as a share of income, in percent.
    public var medicalSharePercent: Int
    /// Medical spending in absolute terms.
    public var medicalAmount: Money
    /// Disaster loss as a share of income, in percent.
    public var disasterSharePercent: Int
    /// Disaster loss in absolute terms.
    public var disasterAmount: Money
    /// Months under monitoring before the risk may be declared eliminated (**assumption**: 6).
    public var minimumMonths: Int
    /// Recorded with every assessment.
    public var version: String

    /// The policy; the defaults are the assumptions above.
    public init(
        incomeLine: Money = Money(fen: 700_000),
        nearLinePercent: Int = 150,
        incomeDropPercent: Int = 30,
        medicalSharePercent: Int = 50,
        medicalAmount: Money = Money(fen: 2_000_000),
        disasterSharePercent: Int = 30,
        disasterAmount: Money = Money(fen: 1_000_000),
        minimumMonths: Int = 6,
        version: String = "防返贫监测 (assumed thresholds)"
    ) {
        self.incomeLine = incomeLine
        self.nearLinePercent = nearLinePercent
        self.incomeDropPercent = incomeDropPercent
        self.medicalSharePercent = medicalSharePercent
        self.medicalAmount = medicalAmount
        self.disasterSharePercent = disasterSharePercent
        self.disasterAmount = disasterAmount
        self.minimumMonths = minimumMonths
        self.version = version
    }

    /// The household's signals, each check explained (a check passes when it raises no signal).
    public func assess(_ facts: RuralHouseholdFacts) -> RuralAssessment {
        let perCapita = facts.perCapitaIncome
        let income = facts.income.fen
        var checks: [RuleCheck] = []
        var signals: [MonitoringSignal] = []
        func check(_ signal: MonitoringSignal, raised: Bool, _ statement: String) {
            checks.append(RuleCheck(rule: signal.rawValue, statement: statement, passed: !raised))
            if raised { signals.append(signal) }
        }
        let low = perCapita.fen < incomeLine.fen
        check(
            .lowIncome,
            raised: low,
            "income \(perCapita.yuanText) a person \(low ? "<" : "≥") the line \(incomeLine.yuanText)"
        )
        let near = perCapita.fen * 100 < incomeLine.fen * Int64(nearLinePercent)
        if let previous = facts.previousIncome, previous.fen > 0 {
            let dropped = (previous.fen - income) * 100 > previous.fen * Int64(incomeDropPercent)
            let drop = (previous.fen - income) * 100 / previous.fen
            check(
                .incomeDrop,
                raised: near && dropped && !low,
                "income changed by \(-drop) % (a signal when > \(incomeDropPercent) % down and under \(nearLinePercent) % of the line)"
            )
        }
        let medical =
            facts.medicalSpending.fen > medicalAmount.fen
            || facts.medicalSpending.fen * 100 > income * Int64(medicalSharePercent)
        check(
            .medicalSpending,
            raised: medical,
            "medical spending \(facts.medicalSpending.yuanText) \(medical ? ">" : "within") \(medicalSharePercent) % of income or \(medicalAmount.yuanText)"
        )
        let disaster =
            facts.disasterLoss.fen > disasterAmount.fen
            || (facts.disasterLoss.fen > 0 && facts.disasterLoss.fen * 100 > income * Int64(disasterSharePercent))
        check(
            .disaster,
            raised: disaster,
            "disaster loss \(facts.disasterLoss.yuanText) \(disaster ? ">" : "within") \(disasterSharePercent) % of income or \(disasterAmount.yuanText)"
        )
        return RuralAssessment(
            household: facts.household,
            village: facts.village,
            signals: signals,
            decision: ExplainedDecision(checks: checks, policyVersion: version)
        )
    }
}

/// One assessment: the signals raised and every check.
public struct RuralAssessment: Hashable, Sendable {
    /// The household.
    public let household: String
    /// Its village.
    public let village: VillageCode
    /// The signals raised (none: no risk seen).
    public let signals: [MonitoringSignal]
    /// Every check; a check passes when it raises no signal.
    public let decision: ExplainedDecision

    /// Whether the household is to be monitored.
    public var needsMonitoring: Bool { !signals.isEmpty }

    /// One line: the signals, or that none was raised.
    public var explanation: String {
        signals.isEmpty
            ? "no signal: " + decision.checks.map(\.statement).joined(separator: "; ")
            : "monitor: " + decision.checks.filter { !$0.passed }.map(\.statement).joined(separator: "; ")
    }
}

/// A household on the monitoring list (监测对象), or taken off it when the risk was eliminated.
public struct MonitoredHousehold: Hashable, Sendable, Codable {
    /// Monitored, or the risk eliminated (风险消除).
    public enum State: String, Hashable, Sendable, Codable {
        /// On the list.
        case monitoring
        /// Off the list.
        case riskEliminated
    }

    /// One event, for the history.
    public struct Change: Hashable, Sendable, Codable {
        /// What happened.
        public let what: String
        /// When.
        public let date: CalendarDate
    }

    /// The household (encrypted at rest).
    public let household: String
    /// Its village.
    public let village: VillageCode
    /// Since when (the latest entry onto the list).
    public internal(set) var since: CalendarDate
    /// The signals of the latest assessment.
    public internal(set) var signals: [MonitoringSignal]
    /// The state.
    public internal(set) var state: State
    /// Every event.
    public internal(set) var history: [Change]
}

extension MonitoredHousehold: StorableRecord {
    /// The table name.
    public static let recordKind = "community_rural_monitoring"
    /// The household id.
    public static let sensitiveFields: Set<String> = ["household"]
    /// By village and state, for the village's list.
    public static let indexes: [RecordIndex<MonitoredHousehold>] = [
        RecordIndex("village") { .text($0.village.code) }, RecordIndex("state") { .text($0.state.rawValue) },
    ]
    /// The household (a keyed hash in the store).
    public var recordKey: RecordKey { RecordKey(sensitive: household) }
}

/// The services that reach villages (plan item 15: health, social security, elderly care).
public enum VillageService: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// 村卫生室 — the village clinic.
    case health
    /// 社保服务站 — the social-security service point.
    case socialSecurity
    /// 农村互助养老点 — the mutual-aid elderly-care point.
    case elderlyCare

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .health: "村卫生室"
        case .socialSecurity: "社保服务站"
        case .elderlyCare: "互助养老点"
        }
    }

    public static func < (lhs: VillageService, rhs: VillageService) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// A service point in a village.
public struct VillageServicePoint: Hashable, Sendable, Codable {
    /// Its id.
    public let id: String
    /// The village.
    public let village: VillageCode
    /// The service.
    public let service: VillageService
    /// Its name.
    public let name: String
    /// Open (serving), or closed.
    public let open: Bool

    /// A service point.
    public init(
        id: String,
        village: VillageCode,
        service: VillageService,
        name: String,
        open: Bool = true
    )
        throws(CommunityError)
    {
        guard Grid.isValidID(id) else { throw .invalid("service point id \(id) is not 3–40 letters, digits, - _ .") }
        guard !name.isEmpty else { throw .invalid("a service point has a name") }
        self.id = id
        self.village = village
        self.service = service
        self.name = name
        self.open = open
    }
}

extension VillageServicePoint: StorableRecord {
    /// The table name.
    public static let recordKind = "community_village_service"
    /// Nothing personal.
    public static let sensitiveFields: Set<String> = []
    /// By village.
    public static let indexes: [RecordIndex<VillageServicePoint>] = [RecordIndex("village") { .text($0.village.code) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The indicator "services reaching villages": for each village, the required services that have an
/// open point there and those that do not; the share of villages reached by all of them.
public struct VillageCoverage: Hashable, Sendable, CustomStringConvertible {
    /// One village.
    public struct Row: Hashable, Sendable {
        /// The village.
        public let village: VillageCode
        /// Required services with an open point.
        public let present: [VillageService]
        /// Required services without one.
        public let missing: [VillageService]
    }

    /// The required services.
    public let required: [VillageService]
    /// One row a village, in code order.
    public let rows: [Row]

    /// Villages every required service reaches.
    public var covered: Int { rows.filter(\.missing.isEmpty).count }

    /// The share covered, in tenths of a percent (e.g. 667 for 66.7 %); 0 with no village.
    public var permille: Int { rows.isEmpty ? 0 : covered * 1_000 / rows.count }

    public var description: String {
        let share = DecimalText.fixed(Double(permille) / 10, decimals: 1)
        return "\(covered) of \(rows.count) villages reached by all of "
            + required.map(\.chineseName).joined(separator: "、") + " (\(share) %)"
    }
}
