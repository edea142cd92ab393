public import SocietyCore
public import SocietyServices

// The capability assessment of GB/T 42195-2022 (老年人能力评估规范): 26 items in 4 dimensions,
// 90 points, five levels, and the rules that raise a level. The dimension totals and the levels are
// DOMAINS.md's (confidence M); the items and their maxima are the standard's appendix B as two
// public implementations of it agree (and they add up to DOMAINS.md's totals: 32 + 15 + 28 + 15).

/// The four dimensions (一级指标).
public enum CapabilityDimension: String, Hashable, Sendable, Codable, CaseIterable {
    /// 自理能力, 8 items, 32 points.
    case selfCare
    /// 基础运动能力, 4 items, 15 points.
    case basicMovement
    /// 精神状态, 9 items, 28 points.
    case mentalState
    /// 感知觉与社会参与, 5 items, 15 points.
    case perceptionAndParticipation

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .selfCare: "自理能力"
        case .basicMovement: "基础运动能力"
        case .mentalState: "精神状态"
        case .perceptionAndParticipation: "感知觉与社会参与"
        }
    }

    /// The dimension's most points: the sum of its items' maxima.
    public var maximum: Int { CapabilityItem.allCases.filter { $0.dimension == self }.reduce(0) { $0 + $1.maximum } }
}

/// The 26 items (二级指标), in the standard's order (B.1.1 … B.4.5).
public enum CapabilityItem: String, Hashable, Sendable, Codable, CaseIterable {
    case eating, grooming, bathing, dressingUpper, dressingLower, urinaryContinence, bowelContinence, toileting
    case bedMobility, bedChairTransfer, walking, stairs
    case timeOrientation, placeOrientation, personOrientation, memory, comprehension, expression, aggression
    case depression, consciousness
    case vision, hearing, dailyAffairs, transport, socialInteraction

    /// The dimension it belongs to.
    public var dimension: CapabilityDimension {
        switch self {
        case .eating, .grooming, .bathing, .dressingUpper, .dressingLower, .urinaryContinence, .bowelContinence,
            .toileting:
            .selfCare
        case .bedMobility, .bedChairTransfer, .walking, .stairs: .basicMovement
        case .timeOrientation, .placeOrientation, .personOrientation, .memory, .comprehension, .expression,
            .aggression, .depression, .consciousness:
            .mentalState
        case .vision, .hearing, .dailyAffairs, .transport, .socialInteraction: .perceptionAndParticipation
        }
    }

    /// The most points (the best ability): 4 for most items; stairs and transport 3; consciousness,
    /// vision and hearing 2; aggression and depression 1 (1 when absent).
    public var maximum: Int {
        switch self {
        case .stairs, .transport: 3
        case .consciousness, .vision, .hearing: 2
        case .aggression, .depression: 1
        default: 4
        }
    }

    /// The standard's number, `B.1.1` … `B.4.5`.
    public var code: String {
        let items = CapabilityItem.allCases.filter { $0.dimension == dimension }
        let section = CapabilityDimension.allCases.firstIndex(of: dimension).map { $0 + 1 } ?? 0
        let position = items.firstIndex(of: self).map { $0 + 1 } ?? 0
        return "B.\(section).\(position)"
    }

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .eating: "进食"
        case .grooming: "修饰"
        case .bathing: "洗澡"
        case .dressingUpper: "穿/脱上衣"
        case .dressingLower: "穿/脱裤子和鞋袜"
        case .urinaryContinence: "小便控制"
        case .bowelContinence: "大便控制"
        case .toileting: "如厕"
        case .bedMobility: "床上体位转移"
        case .bedChairTransfer: "床椅转移"
        case .walking: "平地行走"
        case .stairs: "上下楼梯"
        case .timeOrientation: "时间定向"
        case .placeOrientation: "空间定向"
        case .personOrientation: "人物定向"
        case .memory: "记忆"
        case .comprehension: "理解能力"
        case .expression: "表达能力"
        case .aggression: "攻击行为"
        case .depression: "抑郁症状"
        case .consciousness: "意识水平"
        case .vision: "视力"
        case .hearing: "听力"
        case .dailyAffairs: "执行日常事务"
        case .transport: "使用交通工具外出"
        case .socialInteraction: "社会交往能力"
        }
    }
}

/// The five capability levels (能力等级), best first.
public enum CapabilityLevel: Int, Hashable, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// 能力完好.
    case intact = 0
    /// 能力轻度受损（轻度失能）.
    case mild
    /// 能力中度受损（中度失能）.
    case moderate
    /// 能力重度受损（重度失能）.
    case severe
    /// 能力完全丧失（完全失能）.
    case complete

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .intact: "能力完好"
        case .mild: "能力轻度受损（轻度失能）"
        case .moderate: "能力中度受损（中度失能）"
        case .severe: "能力重度受损（重度失能）"
        case .complete: "能力完全丧失（完全失能）"
        }
    }

    /// The next level down (worse), or the same for complete loss.
    public var raised: CapabilityLevel { CapabilityLevel(rawValue: rawValue + 1) ?? .complete }

    public static func < (lhs: CapabilityLevel, rhs: CapabilityLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .intact: "intact"
        case .mild: "mild"
        case .moderate: "moderate"
        case .severe: "severe"
        case .complete: "complete"
        }
    }
}

/// The scoring rules (configuration): the lowest total of each level, and how many care-risk events
/// in 30 days raise it. Defaults: DOMAINS.md — intact 90; mild 66–89; moderate 46–65; severe 30–45;
/// complete loss 0–29; coma → complete loss; a dementia or psychiatric diagnosis, or ≥ 2 care-risk
/// events in 30 days → one level up.
public struct CapabilityRules: Hashable, Sendable, Codable {
    /// The lowest totals of intact, mild, moderate and severe (below the last: complete loss).
    public var lowest: [Int]
    /// Care-risk events in the last 30 days (falls, wandering, choking, self-harm) that raise the level.
    public var riskEventsToRaise: Int
    /// The version recorded with every assessment.
    public var version: String

    /// The rules; the defaults are DOMAINS.md's.
    public init(lowest: [Int] = [90, 66, 46, 30], riskEventsToRaise: Int = 2, version: String = "GB/T 42195-2022") {
        self.lowest = lowest
        self.riskEventsToRaise = riskEventsToRaise
        self.version = version
    }

    /// The level of `total` by the score alone.
    public func level(ofTotal total: Int) -> CapabilityLevel {
        let index = lowest.firstIndex { total >= $0 } ?? lowest.count
        return CapabilityLevel(rawValue: index) ?? .complete
    }
}

/// What the assessor records beside the items: the facts that raise a level.
public struct AssessmentFacts: Hashable, Sendable, Codable {
    /// In a coma (昏迷).
    public var coma: Bool
    /// A diagnosis of dementia (痴呆, ICD-10 F00–F03).
    public var dementia: Bool
    /// A diagnosis of another psychiatric or behavioural disorder (ICD-10 F04–F99).
    public var psychiatric: Bool
    /// Care-risk events (falls, wandering, choking, self-harm) in the last 30 days.
    public var riskEvents30Days: Int

    /// Facts; none by default.
    public init(coma: Bool = false, dementia: Bool = false, psychiatric: Bool = false, riskEvents30Days: Int = 0) {
        self.coma = coma
        self.dementia = dementia
        self.psychiatric = psychiatric
        self.riskEvents30Days = riskEvents30Days
    }
}

/// A capability assessment's scores and its result: the totals, the level by the score, the level
/// after the rules, each step explained.
public struct CapabilityScore: Hashable, Sendable, Codable {
    /// Each item's points.
    public let items: [CapabilityItem: Int]
    /// The facts.
    public let facts: AssessmentFacts
    /// The points of each dimension.
    public let dimensions: [CapabilityDimension: Int]
    /// The total, 0–90.
    public let total: Int
    /// The level by the total alone (初步等级).
    public let preliminary: CapabilityLevel
    /// The level after the rules (最终等级).
    public let level: CapabilityLevel
    /// Each rule: the total and its band, then coma, diagnoses, risk events.
    public let decision: ExplainedDecision

    /// Scores `items` (every one of the 26, within its range) with `facts` under `rules`.
    public init(
        items: [CapabilityItem: Int],
        facts: AssessmentFacts = AssessmentFacts(),
        rules: CapabilityRules = CapabilityRules()
    ) throws(ElderlyCareError) {
        for item in CapabilityItem.allCases {
            guard let points = items[item] else { throw .invalid("no score for \(item.code) \(item.chineseName)") }
            guard (0...item.maximum).contains(points) else {
                throw .invalid("\(item.code) \(item.chineseName): \(points) is outside 0–\(item.maximum)")
            }
        }
        guard facts.riskEvents30Days >= 0 else { throw .invalid("a negative count of risk events") }
        var dimensions: [CapabilityDimension: Int] = [:]
        for (item, points) in items { dimensions[item.dimension, default: 0] += points }
        let total = dimensions.values.reduce(0, +)
        let preliminary = rules.level(ofTotal: total)
        var level = preliminary
        let shown = CapabilityDimension.allCases.map { "\($0.chineseName) \(dimensions[$0] ?? 0)/\($0.maximum)" }
        var checks = [
            RuleCheck(
                rule: "total",
                statement: "\(total) of 90 (\(shown.joined(separator: ", "))): \(preliminary.chineseName)",
                passed: true
            )
        ]
        if facts.coma {
            level = .complete
            checks.append(
                RuleCheck(rule: "coma", statement: "in a coma: complete loss whatever the score", passed: true)
            )
        } else {
            var reasons: [String] = []
            if facts.dementia { reasons.append("a dementia diagnosis") }
            if facts.psychiatric { reasons.append("a psychiatric diagnosis") }
            if facts.riskEvents30Days >= rules.riskEventsToRaise {
                reasons.append("\(facts.riskEvents30Days) care-risk events in 30 days (≥ \(rules.riskEventsToRaise))")
            }
            if !reasons.isEmpty {
                level = preliminary.raised
                checks.append(
                    RuleCheck(
                        rule: "raise",
                        statement: "\(reasons.joined(separator: ", ")): one level up, \(level.chineseName)",
                        passed: true
                    )
                )
            }
        }
        self.items = items
        self.facts = facts
        self.dimensions = dimensions
        self.total = total
        self.preliminary = preliminary
        self.level = level
        self.decision = ExplainedDecision(checks: checks, policyVersion: rules.version)
    }
}

/// A capability assessment of an older person (老年人能力评估), as recorded.
public struct CapabilityAssessment: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The person assessed (encrypted at rest).
    public let elder: ResidentID
    /// The day.
    public let date: CalendarDate
    /// The assessor's staff id.
    public let assessor: String
    /// The scores and the result (encrypted at rest: health information).
    public let score: CapabilityScore
    /// The level, kept in clear for counts by level — nothing else about the person is.
    public let level: CapabilityLevel

    /// An assessment.
    public init(id: String, elder: ResidentID, date: CalendarDate, assessor: String, score: CapabilityScore) {
        self.id = id
        self.elder = elder
        self.date = date
        self.assessor = assessor
        self.score = score
        self.level = score.level
    }
}

extension CapabilityAssessment: StorableRecord {
    /// The table name.
    public static let recordKind = "elderly_assessment"
    /// The person and the scores.
    public static let sensitiveFields: Set<String> = ["elder", "score"]
    /// By person (keyed hash).
    public static let indexes: [RecordIndex<CapabilityAssessment>] = [
        RecordIndex(searchable: "elder") { .text($0.elder.unmasked) }
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// What the elderly-care service refuses or fails with.
public enum ElderlyCareError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// Not found.
    case notFound(String)
    /// Already there.
    case duplicate(String)
    /// A move the order's state does not allow.
    case illegal(move: String, state: String)
    /// Refused by the rules, explained.
    case refused(ExplainedDecision)
    /// The one-card refused or failed.
    case oneCard(String)
    /// The store or another port failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .notFound(let what): "no \(what)"
        case .duplicate(let what): "\(what) already exists"
        case .illegal(let move, let state): "cannot \(move): it is \(state)"
        case .refused(let decision): "refused — \(decision.explanation)"
        case .oneCard(let reason): "one-card: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as ElderlyCareError: self = error
        default: self = .store(String(describing: error))
        }
    }
}
