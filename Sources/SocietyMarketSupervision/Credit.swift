public import SocietyCore
public import SocietyServices

/// A credit risk class of a market entity (信用风险分类), A lowest risk … D highest.
public enum CreditClass: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Low risk.
    case a = "A"
    /// Ordinary risk.
    case b = "B"
    /// Higher risk.
    case c = "C"
    /// High risk.
    case d = "D"

    public static func < (lhs: CreditClass, rhs: CreditClass) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// What a class changes: how often its entities are inspected and which share of them a random
/// inspection plan draws.
public struct CreditClassEffect: Hashable, Sendable, Codable {
    /// The share of the class's entities a plan draws, in percent (0–100).
    public var drawPercent: Int
    /// Routine inspections a year.
    public var inspectionsPerYear: Int

    /// An effect.
    public init(drawPercent: Int, inspectionsPerYear: Int) {
        self.drawPercent = drawPercent
        self.inspectionsPerYear = inspectionsPerYear
    }
}

/// An event on an entity's credit record.
public struct CreditEvent: Hashable, Sendable, Codable {
    /// What happened.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// An administrative penalty, minor (warning, small fine).
        case minorPenalty = "minor-penalty"
        /// An administrative penalty, major (large fine, confiscation, suspension).
        case majorPenalty = "major-penalty"
        /// A random inspection found problems.
        case inspectionProblem = "inspection-problem"
        /// The entity could not be reached at its registered address.
        case unreachable
        /// A substantiated complaint.
        case complaint
    }

    /// The event's id.
    public let id: String
    /// The entity.
    public let entity: CreditCode
    /// The kind.
    public let kind: Kind
    /// The day.
    public let date: CalendarDate
    /// What happened, in words (public: no personal data).
    public let detail: String
    /// The day it was repaired (信用修复), and the proof — a repaired event no longer counts.
    public internal(set) var repaired: CalendarDate?
    /// The rectification proof of the repair.
    public internal(set) var repairProof: String?

    /// An event; an id and a detail of 1–256 characters.
    public init(
        id: String,
        entity: CreditCode,
        kind: Kind,
        date: CalendarDate,
        detail: String
    ) throws(MarketSupervisionError) {
        guard (1...128).contains(id.count) else { throw .invalid("a credit event has an id of 1–128 characters") }
        guard (1...256).contains(detail.count) else { throw .invalid("a credit event has a detail") }
        self.id = id
        self.entity = entity
        self.kind = kind
        self.date = date
        self.detail = detail
    }
}

extension CreditEvent: StorableRecord {
    /// The table name.
    public static let recordKind = "market_credit_event"
    /// By entity.
    public static let indexes: [RecordIndex<CreditEvent>] = [RecordIndex("entity") { .text($0.entity.value) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The credit classification rules, configuration. The national guidance (《关于推进企业信用风险
/// 分类管理进一步提升监管效能的意见》, 国市监信发〔2022〕6号) sets four classes and asks that low-risk
/// entities be inspected less and high-risk ones more, but fixes no points: **every figure below is
/// an assumption**.
/// - A score from 100, less points per counted event in the last ``windowDays`` days: minor
///   penalty 20, major penalty 45, inspection problem 10, unreachable 30, complaint 5.
/// - Classes by score: A ≥ 90, B ≥ 70, C ≥ 50, D below.
/// - Effects: A draws 3 % and 0 routine inspections a year, B 5 % and 1, C 20 % and 2, D 100 % and 4.
/// - Repair (信用修复, after 《市场监督管理信用修复管理办法》 as recalled — **assumption**): an event is
///   repaired with a rectification proof once ``repairAfterDays`` of its kind have passed with no
///   newer event on the entity — minor penalty, inspection problem, unreachable and complaint 90
///   days, major penalty 365.
public struct CreditPolicy: Hashable, Sendable, Codable {
    /// Points each kind takes off.
    public var deductions: [CreditEvent.Kind: Int]
    /// The lowest score of A, B and C (below C's is D).
    public var thresholds: [CreditClass: Int]
    /// Each class's effect.
    public var effects: [CreditClass: CreditClassEffect]
    /// Days an event counts for.
    public var windowDays: Int
    /// Days without a newer event before an event can be repaired, by kind.
    public var repairAfterDays: [CreditEvent.Kind: Int]
    /// The version recorded with every classification.
    public var version: String

    /// The policy; the defaults are the figures above.
    public init(
        deductions: [CreditEvent.Kind: Int] = [
            .minorPenalty: 20, .majorPenalty: 45, .inspectionProblem: 10, .unreachable: 30, .complaint: 5,
        ],
        thresholds: [CreditClass: Int] = [.a: 90, .b: 70, .c: 50],
        effects: [CreditClass: CreditClassEffect] = [
            .a: CreditClassEffect(drawPercent: 3, inspectionsPerYear: 0),
            .b: CreditClassEffect(drawPercent: 5, inspectionsPerYear: 1),
            .c: CreditClassEffect(drawPercent: 20, inspectionsPerYear: 2),
            .d: CreditClassEffect(drawPercent: 100, inspectionsPerYear: 4),
        ],
        windowDays: Int = 1_095,
        repairAfterDays: [CreditEvent.Kind: Int] = [
            .minorPenalty: 90, .majorPenalty: 365, .inspectionProblem: 90, .unreachable: 90, .complaint: 90,
        ],
        version: String = "credit classes (assumption, after 国市监信发〔2022〕6号)"
    ) {
        self.deductions = deductions
        self.thresholds = thresholds
        self.effects = effects
        self.windowDays = windowDays
        self.repairAfterDays = repairAfterDays
        self.version = version
    }

    /// The class of a score.
    public func creditClass(score: Int) -> CreditClass {
        for candidate in [CreditClass.a, .b, .c] where score >= thresholds[candidate, default: 101] {
            return candidate
        }
        return .d
    }

    /// The effect of a class (none configured: drawn always, inspected yearly).
    public func effect(of creditClass: CreditClass) -> CreditClassEffect {
        effects[creditClass] ?? CreditClassEffect(drawPercent: 100, inspectionsPerYear: 1)
    }

    /// Classifies `entity` on `date` from its events, each counted one explained.
    public func classify(_ entity: CreditCode, events: [CreditEvent], on date: CalendarDate) -> CreditClassification {
        var score = 100
        var checks: [RuleCheck] = []
        for event in events.sorted(by: { ($0.date, $0.id) < ($1.date, $1.id) }) where event.entity == entity {
            let age = event.date.days(until: date)
            if event.repaired != nil {
                checks.append(
                    RuleCheck(rule: event.id, statement: "\(event.kind.rawValue) \(event.date): repaired", passed: true)
                )
            } else if age < 0 || age > windowDays {
                checks.append(
                    RuleCheck(
                        rule: event.id,
                        statement: "\(event.kind.rawValue) \(event.date): outside the \(windowDays)-day window",
                        passed: true
                    )
                )
            } else {
                let points = deductions[event.kind, default: 0]
                score -= points
                checks.append(
                    RuleCheck(
                        rule: event.id,
                        statement: "\(event.kind.rawValue) \(event.date): −\(points)",
                        passed: points == 0
                    )
                )
            }
        }
        let creditClass = creditClass(score: score)
        let effect = effect(of: creditClass)
        checks.append(
            RuleCheck(
                rule: "class",
                statement: "score \(score) → class \(creditClass.rawValue): drawn at \(effect.drawPercent) %, "
                    + "\(effect.inspectionsPerYear) routine inspection(s) a year",
                passed: creditClass <= .b
            )
        )
        return CreditClassification(
            entity: entity,
            date: date,
            score: score,
            creditClass: creditClass,
            effect: effect,
            decision: ExplainedDecision(checks: checks, policyVersion: version)
        )
    }
}

/// An entity's credit class on a day, explained: each event's points and the class's effect.
public struct CreditClassification: Hashable, Sendable, Codable {
    /// The entity.
    public let entity: CreditCode
    /// The day.
    public let date: CalendarDate
    /// The score (100 less the counted events' points).
    public let score: Int
    /// The class.
    public let creditClass: CreditClass
    /// What the class changes.
    public let effect: CreditClassEffect
    /// Every event and the class, explained (a failed check is an event that counted).
    public let decision: ExplainedDecision
}
