public import Foundation
public import SocietyCore

/// What the indicators module refuses or fails with.
public enum IndicatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense; nothing was changed.
    case invalid(String)
    /// A source could not measure (its department's service failed).
    case source(indicator: String, reason: String)
    /// The output folder holds files that are not a board's: nothing was written.
    case notABoardFolder(String)
    /// Writing the site failed.
    case io(String)
    /// The store failed.
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid: \(reason)"
        case .source(let indicator, let reason): "\(indicator): \(reason)"
        case .notABoardFolder(let path): "\(path) holds files that are not a progress board's; choose an empty folder"
        case .io(let reason): "writing the board: \(reason)"
        case .store(let reason): "store: \(reason)"
        }
    }
}

/// How an indicator is counted.
public enum IndicatorUnit: String, Hashable, Sendable, Codable {
    /// A count of things (people, events, institutions): small counts are suppressed on the board.
    case count
    /// A share in percent.
    case percent
    /// An amount in yuan.
    case yuan

    /// The unit as the board writes it.
    public var symbol: String {
        switch self {
        case .count: ""
        case .percent: "%"
        case .yuan: "元"
        }
    }
}

/// How often an indicator is measured.
public enum IndicatorFrequency: String, Hashable, Sendable, Codable {
    /// Every day.
    case daily
    /// Every month.
    case monthly
    /// Every quarter.
    case quarterly
    /// Every year.
    case yearly
}

/// An indicator's definition: what is counted, from which data service or store, in which unit,
/// how often, whether by district, and the data level of its figures.
public struct IndicatorDefinition: Hashable, Sendable, Codable {
    /// The id, e.g. `education.smart-campus`.
    public let id: String
    /// The name on the board (Chinese).
    public let name: String
    /// What is counted, in words.
    public let counts: String
    /// Where the figure comes from: the domain's public API or data service.
    public let source: String
    /// The unit.
    public let unit: IndicatorUnit
    /// How often.
    public let frequency: IndicatorFrequency
    /// Whether the board breaks it down by district.
    public let byDistrict: Bool
    /// The data level of its figures (aggregates are `general`).
    public let level: DataLevel

    /// A definition; an id of 3–64 characters from `a–z 0–9 . -`.
    public init(
        id: String,
        name: String,
        counts: String,
        source: String,
        unit: IndicatorUnit,
        frequency: IndicatorFrequency = .monthly,
        byDistrict: Bool = false,
        level: DataLevel = .general
    ) throws(IndicatorError) {
        guard (3...64).contains(id.utf8.count),
            id.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D })
        else { throw .invalid("indicator id \(id) is not 3–64 of a–z 0–9 . -") }
        guard !name.isEmpty, !counts.isEmpty, !source.isEmpty else {
            throw .invalid("indicator \(id) has a name, what it counts and its source")
        }
        self.id = id
        self.name = name
        self.counts = counts
        self.source = source
        self.unit = unit
        self.frequency = frequency
        self.byDistrict = byDistrict
        self.level = level
    }
}

/// A target: the value an indicator is to reach by a date, from a baseline, with where the target
/// was set. Between the baseline and the due date the board expects a straight-line trajectory.
public struct IndicatorTarget: Hashable, Sendable, Codable {
    /// The indicator.
    public let indicator: String
    /// The value to reach.
    public let value: Double
    /// By when.
    public let due: CalendarDate
    /// The starting value.
    public let baseline: Double
    /// The starting day.
    public let baselineDate: CalendarDate
    /// Who set it, e.g. `泰州市数字社会建设方案 (2022), 2023年底目标`.
    public let setBy: String

    /// A target; the due date after the baseline's.
    public init(
        indicator: String,
        value: Double,
        due: CalendarDate,
        baseline: Double,
        baselineDate: CalendarDate,
        setBy: String
    ) throws(IndicatorError) {
        guard due > baselineDate else { throw .invalid("the target of \(indicator) is due after its baseline") }
        guard value.isFinite, baseline.isFinite else { throw .invalid("the target of \(indicator) is a number") }
        self.indicator = indicator
        self.value = value
        self.due = due
        self.baseline = baseline
        self.baselineDate = baselineDate
        self.setBy = setBy
    }

    /// The value the trajectory expects on `date` (the baseline before it starts, the target after
    /// it is due).
    public func expected(on date: CalendarDate) -> Double {
        if date <= baselineDate { return baseline }
        if date >= due { return value }
        let share = Double(baselineDate.days(until: date)) / Double(baselineDate.days(until: due))
        return baseline + (value - baseline) * share
    }
}

/// A measured value: the figure, when, the district breakdown when the indicator has one, and the
/// data it came from.
public struct IndicatorValue: Hashable, Sendable, Codable {
    /// The indicator.
    public let indicator: String
    /// The figure.
    public let value: Double
    /// When it was measured.
    public let at: Date
    /// The figure by district (GB/T 2260 code), when broken down.
    public let districts: [String: Double]
    /// What it was computed from (the call, the store, how many records).
    public let basis: String

    /// A value.
    public init(indicator: String, value: Double, at: Date, districts: [String: Double] = [:], basis: String) {
        self.indicator = indicator
        self.value = value
        self.at = at
        self.districts = districts
        self.basis = basis
    }
}

extension IndicatorValue: StorableRecord {
    /// The table name.
    public static let recordKind = "indicator_value"
    /// By indicator, for its history.
    public static let indexes: [RecordIndex<IndicatorValue>] = [RecordIndex("indicator") { .text($0.indicator) }]
    /// Aggregates only: nothing personal.
    public static let sensitiveFields: Set<String> = []
    /// The indicator and the instant.
    public var recordKey: RecordKey {
        RecordKey("\(indicator)@\(DecimalText.padded(Int64(at.timeIntervalSince1970 * 1000), width: 15))")
    }
}

/// An early warning on the board, explained.
public struct EarlyWarning: Hashable, Sendable, Codable {
    /// What kind.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// An indicator below its target trajectory.
        case belowTrajectory
        /// Applications past their promised time limit.
        case overdueApplications
        /// The unemployment early warning.
        case unemployment
        /// One-card fraud alerts.
        case fraud
        /// Low-income residents without a family-doctor contract.
        case uncontractedLowIncome
        /// Special equipment overdue for inspection.
        case overdueEquipment
        /// Households on the low-income monitoring list.
        case relapseRisk

        /// The heading on the board.
        public var title: String {
            switch self {
            case .belowTrajectory: "低于目标进度"
            case .overdueApplications: "办件超期"
            case .unemployment: "失业预警"
            case .fraud: "一卡通异常发放"
            case .uncontractedLowIncome: "低收入人群未签约家庭医生"
            case .overdueEquipment: "特种设备超期未检"
            case .relapseRisk: "防返贫监测对象"
            }
        }
    }

    /// The kind.
    public let kind: Kind
    /// Why, in one line (counts already suppressed where small).
    public let explanation: String
    /// How many things it concerns, shown (suppressed when below the threshold) after the
    /// explanation; 0 when the warning is not a count.
    public let count: Int
    /// The district, when it is one district's.
    public let district: String?

    /// A warning.
    public init(kind: Kind, explanation: String, count: Int, district: String? = nil) {
        self.kind = kind
        self.explanation = explanation
        self.count = count
        self.district = district
    }
}

/// A project of the plan with its milestones, owner and progress (重点项目).
public struct BoardProject: Hashable, Sendable, Codable {
    /// A milestone.
    public struct Milestone: Hashable, Sendable, Codable {
        /// What.
        public let name: String
        /// Due.
        public let due: CalendarDate
        /// Done on, if done.
        public let done: CalendarDate?

        /// A milestone.
        public init(name: String, due: CalendarDate, done: CalendarDate? = nil) {
            self.name = name
            self.due = due
            self.done = done
        }
    }

    /// The project's id.
    public let id: String
    /// Its name.
    public let name: String
    /// The department that owns it.
    public let owner: String
    /// Its milestones, in order.
    public let milestones: [Milestone]

    /// A project; at least one milestone.
    public init(id: String, name: String, owner: String, milestones: [Milestone]) throws(IndicatorError) {
        guard !id.isEmpty, !name.isEmpty, !owner.isEmpty else {
            throw .invalid("a project has an id, a name and an owner")
        }
        guard !milestones.isEmpty else { throw .invalid("project \(id) has milestones") }
        self.id = id
        self.name = name
        self.owner = owner
        self.milestones = milestones
    }

    /// Progress: the share of milestones done, in percent.
    public var progress: Int { milestones.filter { $0.done != nil }.count * 100 / milestones.count }

    /// Whether the project is behind its plan on `date` — a milestone past due and not done —
    /// explained by the late milestones.
    public func slowness(on date: CalendarDate) -> (slow: Bool, explanation: String) {
        let late = milestones.filter { $0.done == nil && $0.due < date }
        guard !late.isEmpty else { return (false, "按计划推进") }
        return (
            true,
            late.map { "\($0.name) 应于 \($0.due) 完成，逾期 \($0.due.days(until: date)) 天" }.joined(separator: "；")
        )
    }
}
