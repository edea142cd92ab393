public import SocietyCore
public import SocietyServices

/// A childcare practitioner (托育从业人员): a carer, teacher or health worker of a provider.
public struct Practitioner: Hashable, Sendable, Codable {
    /// The role.
    public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
        /// 保育人员.
        case carer
        /// 育婴员 / teacher.
        case teacher
        /// 保健人员.
        case healthWorker
        /// 负责人.
        case head
    }

    /// The practitioner's id within the register.
    public let id: String
    /// The person (encrypted at rest).
    public let person: ResidentID
    /// The provider they work for.
    public let provider: String
    /// The role.
    public let role: Role

    /// A practitioner.
    public init(id: String, person: ResidentID, provider: String, role: Role) throws(ChildcareError) {
        guard !id.isEmpty, !provider.isEmpty else { throw .invalid("a practitioner has an id and a provider") }
        self.id = id
        self.person = person
        self.provider = provider
        self.role = role
    }
}

extension Practitioner: StorableRecord {
    /// The table name.
    public static let recordKind = "childcare_practitioner"
    /// The person is personal data.
    public static let sensitiveFields: Set<String> = ["person"]
    /// By provider.
    public static let indexes: [RecordIndex<Practitioner>] = [RecordIndex("provider") { .text($0.provider) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// An event that raises or lowers a practitioner's credit score (从业人员信用分).
public enum CreditEventKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Completed the year's in-service training.
    case trainingCompleted
    /// Commended by the health commission or an association.
    case commended
    /// A parent's complaint, verified.
    case complaintVerified
    /// The health certificate (健康证) lapsed.
    case healthCertificateLapsed
    /// A rule of care broken (ratio, outdoor time, records), found at inspection.
    case careRuleBroken
    /// Abuse or neglect of a child, established: barred.
    case abuse
}

/// A credit event, recorded with the day and what happened.
public struct CreditEvent: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The practitioner.
    public let practitioner: String
    /// The kind.
    public let kind: CreditEventKind
    /// The day.
    public let date: CalendarDate
    /// What happened, in words.
    public let note: String

    /// An event.
    public init(id: String, practitioner: String, kind: CreditEventKind, date: CalendarDate, note: String) {
        self.id = id
        self.practitioner = practitioner
        self.kind = kind
        self.date = date
        self.note = note
    }
}

extension CreditEvent: StorableRecord {
    /// The table name.
    public static let recordKind = "childcare_credit_event"
    /// By practitioner.
    public static let indexes: [RecordIndex<CreditEvent>] = [RecordIndex("practitioner") { .text($0.practitioner) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// How events move a credit score, and the levels. **Assumptions**, configuration: no national
/// scale was found — 100 to start, the points below, events older than `windowYears` no longer
/// count, levels A ≥ 90, B ≥ 75, C ≥ 60, D below; abuse bars the practitioner whatever the score.
public struct CreditPolicy: Hashable, Sendable, Codable {
    /// The score with no event.
    public var base: Int
    /// The points each event kind adds (negative: takes away).
    public var points: [CreditEventKind: Int]
    /// Events that bar the practitioner from childcare work.
    public var barring: Set<CreditEventKind>
    /// Events count for this many years.
    public var windowYears: Int
    /// The lowest scores of levels A, B and C (below the last: D).
    public var levels: [Int]

    /// A policy; the defaults are the assumptions above.
    public init(
        base: Int = 100,
        points: [CreditEventKind: Int] = [
            .trainingCompleted: 2, .commended: 5, .complaintVerified: -10, .healthCertificateLapsed: -15,
            .careRuleBroken: -20, .abuse: -100,
        ],
        barring: Set<CreditEventKind> = [.abuse],
        windowYears: Int = 3,
        levels: [Int] = [90, 75, 60]
    ) {
        self.base = base
        self.points = points
        self.barring = barring
        self.windowYears = windowYears
        self.levels = levels
    }

    /// The level of `score`: A, B, C or D.
    public func level(of score: Int) -> String {
        levels.firstIndex { score >= $0 }.map { ["A", "B", "C"][min($0, 2)] } ?? "D"
    }
}

/// A practitioner's credit on a day: the score, the level, and every event that moved it.
public struct PractitionerCredit: Hashable, Sendable, Codable {
    /// The practitioner.
    public let practitioner: String
    /// The day.
    public let asOf: CalendarDate
    /// The score (never below 0).
    public let score: Int
    /// A, B, C or D.
    public let level: String
    /// Barred from childcare work by an event.
    public let barred: Bool
    /// Each event counted: `2026-03-01 complaintVerified −10: …`.
    public let explanation: [String]

    /// The credit of `practitioner` on `date` from `events` under `policy`.
    public init(practitioner: String, events: [CreditEvent], on date: CalendarDate, policy: CreditPolicy) {
        let since = date.adding(years: -policy.windowYears)
        let counted = events.filter { $0.practitioner == practitioner && $0.date <= date && $0.date > since }
            .sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        var score = policy.base
        var lines: [String] = []
        for event in counted {
            let points = policy.points[event.kind] ?? 0
            score += points
            lines.append("\(event.date) \(event.kind.rawValue) \(points >= 0 ? "+" : "")\(points): \(event.note)")
        }
        score = max(0, score)
        self.practitioner = practitioner
        self.asOf = date
        self.score = score
        self.barred = counted.contains { policy.barring.contains($0.kind) }
        self.level = policy.level(of: score)
        self.explanation =
            ["base \(policy.base)"] + lines + ["score \(score), level \(level)\(barred ? ", barred" : "")"]
    }
}

/// A quality assessment by WS/T 821-2023 (托育机构质量评估标准): 7 dimensions, 1,000 points, grades
/// A–D, veto items (一票否决) that fail the institution whatever its points.
public struct QualityGrading: Hashable, Sendable, Codable {
    /// One dimension and its most points.
    public struct Dimension: Hashable, Sendable, Codable {
        /// The dimension.
        public let name: String
        /// Its most points.
        public let maximum: Int
    }

    /// The dimensions. **Assumption** for the split of the 1,000 points (the standard's own table
    /// was not found): 办托条件 150, 托育队伍 150, 保育照护 200, 卫生保健 150, 养育支持 100,
    /// 安全保障 150, 机构管理 100.
    public var dimensions: [Dimension]
    /// The veto items. **Assumption**: the standard has 16, not found in full; the defaults are the
    /// rules of 国卫人口发〔2019〕58号 a grader can check, and a deployment replaces them.
    public var vetoItems: [String]
    /// The lowest total for grades A, B and C (below: D). **Assumption**: 900, 750, 600.
    public var thresholds: [Int]

    /// A grading; the defaults are the assumptions above.
    public init(
        dimensions: [Dimension] = QualityGrading.standardDimensions,
        vetoItems: [String] = QualityGrading.standardVetoItems,
        thresholds: [Int] = [900, 750, 600]
    ) {
        self.dimensions = dimensions
        self.vetoItems = vetoItems
        self.thresholds = thresholds
    }

    /// The seven dimensions with the assumed split.
    public static let standardDimensions = [
        ("办托条件", 150), ("托育队伍", 150), ("保育照护", 200), ("卫生保健", 150), ("养育支持", 100), ("安全保障", 150),
        ("机构管理", 100),
    ].map { Dimension(name: $0.0, maximum: $0.1) }

    /// Veto items a grader can check against the 2019 rules.
    public static let standardVetoItems = [
        "not filed (未备案)", "premises not owned or leased for 3 years", "CCTV kept under 90 days",
        "a class over its size or carer ratio", "no health worker with 150 places or more",
        "a practitioner barred for abuse employed", "a serious safety incident concealed",
    ]

    /// Grades `scores` (points per dimension, by name) with the `vetoes` found: every rule explained.
    public func grade(scores: [String: Int], vetoes: Set<String>) throws(ChildcareError) -> ExplainedDecision {
        var checks: [RuleCheck] = []
        var total = 0
        for dimension in dimensions {
            guard let score = scores[dimension.name] else { throw .invalid("no score for \(dimension.name)") }
            guard (0...dimension.maximum).contains(score) else {
                throw .invalid("\(dimension.name): \(score) is outside 0–\(dimension.maximum)")
            }
            total += score
        }
        if let unknown = Set(scores.keys).subtracting(dimensions.map(\.name)).sorted().first {
            throw .invalid("no dimension \(unknown)")
        }
        if let unknown = vetoes.subtracting(vetoItems).sorted().first { throw .invalid("no veto item \(unknown)") }
        let grade = thresholds.firstIndex { total >= $0 }.map { ["A", "B", "C"][min($0, 2)] } ?? "D"
        checks.append(
            RuleCheck(
                rule: "points",
                statement: "\(total) of \(dimensions.reduce(0) { $0 + $1.maximum }) points: grade \(grade)",
                passed: grade != "D"
            )
        )
        for item in vetoItems where vetoes.contains(item) {
            checks.append(RuleCheck(rule: "veto", statement: "veto: \(item) — graded D", passed: false))
        }
        return ExplainedDecision(checks: checks, policyVersion: "WS/T 821-2023")
    }

    /// The grade of a decision ``grade(scores:vetoes:)`` made: D when a veto failed it.
    public static func letter(of decision: ExplainedDecision) -> String {
        if decision.checks.contains(where: { $0.rule == "veto" }) { return "D" }
        let statement = decision.checks.first { $0.rule == "points" }?.statement ?? ""
        return String(statement.suffix(1))
    }
}
