public import SocietyCore

/// A law-enforcement inspector on the list random inspections draw from, with the entities they
/// are linked to (a conflict of interest: a former employer, a relative's business) — an inspector
/// is never paired with an entity they are linked to.
public struct Inspector: Hashable, Sendable, Codable {
    /// A declared link to an entity.
    public struct Link: Hashable, Sendable, Codable {
        /// The entity.
        public let entity: CreditCode
        /// Why (e.g. `former employee`, `relative`); public, no personal data.
        public let reason: String

        /// A link.
        public init(entity: CreditCode, reason: String) {
            self.entity = entity
            self.reason = reason
        }
    }

    /// The enforcement certificate number (执法证号): the id the draw and the disclosure use.
    public let id: String
    /// The name (encrypted at rest; masked when disclosed).
    public let name: PersonName
    /// The declared links.
    public var links: [Link]

    /// An inspector; an id of 1–32 letters, digits and `-`.
    public init(id: String, name: PersonName, links: [Link] = []) throws(MarketSupervisionError) {
        guard (1...32).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { throw .invalid("an inspector's id has 1–32 ASCII letters, digits or '-'") }
        self.id = id
        self.name = name
        self.links = links
    }

    /// The link to `entity`, if any.
    public func link(to entity: CreditCode) -> Link? { links.first { $0.entity == entity } }
}

extension Inspector: StorableRecord {
    /// The table name.
    public static let recordKind = "market_inspector"
    /// The name.
    public static let sensitiveFields: Set<String> = ["name"]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The random-inspection rules, configuration:
/// - inspectors per entity: **2** — administrative enforcement is done by at least two officers
///   (行政处罚法 art. 42);
/// - rectification within **15 working days** of the inspection (**assumption**: the order sets the
///   term case by case);
/// - results disclosed within **20 working days** (国办发〔2019〕5号 asks for disclosure through the
///   enterprise credit information publicity system within 20 working days).
public struct InspectionPolicy: Hashable, Sendable, Codable {
    /// Inspectors paired with each entity drawn.
    public var inspectorsPerEntity: Int
    /// Working days to rectify a problem found.
    public var rectificationWorkingDays: Int
    /// Working days to disclose a result.
    public var disclosureWorkingDays: Int

    /// The policy; the defaults are the figures above.
    public init(inspectorsPerEntity: Int = 2, rectificationWorkingDays: Int = 15, disclosureWorkingDays: Int = 20) {
        self.inspectorsPerEntity = inspectorsPerEntity
        self.rectificationWorkingDays = rectificationWorkingDays
        self.disclosureWorkingDays = disclosureWorkingDays
    }
}

/// One entity drawn and the inspectors paired with it, with the inspectors left out for a
/// conflict of interest, explained.
public struct InspectionAssignment: Hashable, Sendable, Codable {
    /// The entity.
    public let entity: CreditCode
    /// Its credit class when drawn.
    public let creditClass: CreditClass
    /// The inspectors, in the draw's order.
    public let inspectors: [String]
    /// Each inspector not paired with it for a declared link: `I-03: former employee`.
    public let exclusions: [String]
}

/// A "double random, one public" inspection plan (双随机、一公开): two draws committed when the plan
/// is made — before the lists are known — one of entities, one of inspectors; drawn, each
/// selected entity is paired with inspectors it has no link to.
///
/// **The selection**, re-implemented in `Tests/SocietyMarketSupervisionTests/Interop/inspection.py`:
/// 1. Entities: the public draw (``SocietyDraw/PublicDraw``) of the candidates' credit codes with
///    the entity draw's seed. Each credit class `c` has a quota ⌈count(c) × percent(c) / 100⌉ (the
///    class's ``CreditClassEffect/drawPercent``); walking the order, an entity is selected while its
///    class's quota is not used up.
/// 2. Inspectors: the public draw of the inspector ids with the inspector draw's seed, giving each
///    a position. For each selected entity in selection order, the inspectors not linked to it are
///    ranked by (assignments so far, position) and the first ``InspectionPolicy/inspectorsPerEntity``
///    are paired with it, listed by position.
public struct InspectionPlan: Hashable, Sendable, Codable {
    /// Committed, or drawn.
    public enum State: String, Hashable, Sendable, Codable {
        /// The draws are committed; the lists are not yet known.
        case committed
        /// Drawn: the assignments are known.
        case drawn
    }

    /// The plan's id.
    public let id: String
    /// The title (e.g. `2026 food sales random inspection`).
    public let title: String
    /// The industry whose entities are the candidates (`nil`: every entity).
    public let industry: String?
    /// The entity draw's id in the draw office.
    public let entityDraw: String
    /// The inspector draw's id.
    public let inspectorDraw: String
    /// The entity draw's commitment, published when the plan is made.
    public let entityCommitment: String
    /// The inspector draw's commitment.
    public let inspectorCommitment: String
    /// The day it was made.
    public let created: CalendarDate
    /// The state.
    public internal(set) var state: State
    /// The percent drawn of each class, as applied.
    public internal(set) var drawPercent: [String: Int]
    /// Inspectors per entity, as applied.
    public internal(set) var inspectorsPerEntity: Int
    /// The entities drawn, with their inspectors.
    public internal(set) var assignments: [InspectionAssignment]
    /// The day it was drawn.
    public internal(set) var drawn: CalendarDate?

    /// The entity draw's id for plan `id`.
    public static func entityDrawID(_ id: String) -> String { "market-\(id)-entities" }
    /// The inspector draw's id for plan `id`.
    public static func inspectorDrawID(_ id: String) -> String { "market-\(id)-inspectors" }
}

extension InspectionPlan: StorableRecord {
    /// The table name.
    public static let recordKind = "market_inspection_plan"
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The documented selection of ``InspectionPlan`` as a pure function of the two draws' orders.
public enum InspectionSelection {
    /// Quotas by class: ⌈count × percent / 100⌉.
    public static func quotas(classes: [CreditClass], percent: (CreditClass) -> Int) -> [CreditClass: Int] {
        var counts: [CreditClass: Int] = [:]
        for item in classes { counts[item, default: 0] += 1 }
        return counts.reduce(into: [:]) { quotas, entry in
            quotas[entry.key] = (entry.value * max(0, min(100, percent(entry.key))) + 99) / 100
        }
    }

    /// The entities selected walking `order` under the quotas.
    public static func entities(
        order: [String],
        classOf: [String: CreditClass],
        quotas: [CreditClass: Int]
    ) -> [String] {
        var taken: [CreditClass: Int] = [:]
        var selected: [String] = []
        for entity in order {
            guard let creditClass = classOf[entity] else { continue }
            if taken[creditClass, default: 0] < quotas[creditClass, default: 0] {
                taken[creditClass, default: 0] += 1
                selected.append(entity)
            }
        }
        return selected
    }

    /// The inspectors paired with each selected entity: `perEntity` unlinked inspectors with the
    /// fewest assignments so far, ties by draw position; `nil` when an entity has too few.
    public static func pairs(
        entities: [String],
        inspectorOrder: [String],
        linked: (String, String) -> Bool,
        perEntity: Int
    ) -> [[String]]? {
        let position = Dictionary(uniqueKeysWithValues: inspectorOrder.enumerated().map { ($1, $0) })
        var load: [String: Int] = [:]
        var result: [[String]] = []
        for entity in entities {
            let eligible = inspectorOrder.filter { !linked($0, entity) }
            guard eligible.count >= perEntity else { return nil }
            let chosen = eligible.sorted {
                (load[$0, default: 0], position[$0] ?? 0) < (load[$1, default: 0], position[$1] ?? 0)
            }
            .prefix(perEntity)
            .sorted { (position[$0] ?? 0) < (position[$1] ?? 0) }
            for inspector in chosen { load[inspector, default: 0] += 1 }
            result.append(chosen)
        }
        return result
    }
}

/// What an inspection found (the categories the publicity system discloses).
public enum InspectionOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    /// 未发现问题: no problem found.
    case noProblem = "no-problem"
    /// 发现问题，已责令改正: problems found, rectification ordered.
    case rectificationOrdered = "rectification-ordered"
    /// 未发现开展本次抽查涉及的经营活动: not carrying on the business inspected.
    case notOperating = "not-operating"
    /// 通过登记的住所（经营场所）无法联系: not reachable at the registered address.
    case unreachable

    /// The wording disclosed.
    public var disclosed: String {
        switch self {
        case .noProblem: "未发现问题"
        case .rectificationOrdered: "发现问题，已责令改正"
        case .notOperating: "未发现开展本次抽查涉及的经营活动"
        case .unreachable: "通过登记的住所（经营场所）无法联系"
        }
    }
}

/// The result of inspecting one drawn entity.
public struct InspectionResult: Hashable, Sendable, Codable {
    /// The plan.
    public let plan: String
    /// The entity.
    public let entity: CreditCode
    /// The inspectors who inspected.
    public let inspectors: [String]
    /// The day.
    public let date: CalendarDate
    /// The outcome.
    public let outcome: InspectionOutcome
    /// The findings, in words (public: no personal data).
    public let findings: String
    /// The rectification deadline, in working days from the inspection (problems only).
    public let rectifyBy: CalendarDate?
    /// The day the result must be disclosed by.
    public let discloseBy: CalendarDate
    /// Whether a deadline was counted in a year whose holiday schedule is not yet published
    /// (``SocietyServices/ProvisionalWorkingCalendar``): recount it when the schedule is loaded.
    public let provisional: Bool
    /// The day rectification was confirmed, and its proof.
    public internal(set) var rectified: CalendarDate?
    /// The proof of rectification.
    public internal(set) var rectificationProof: String?

    /// Whether rectification is late on `date`: due, not confirmed, past the deadline.
    public func isRectificationOverdue(on date: CalendarDate) -> Bool {
        guard let rectifyBy, rectified == nil else { return false }
        return date > rectifyBy
    }
}

extension InspectionResult: StorableRecord {
    /// The table name.
    public static let recordKind = "market_inspection_result"
    /// By plan, and by the rectification deadline (days since 1970) for the overdue list.
    public static let indexes: [RecordIndex<InspectionResult>] = [
        RecordIndex("plan") { .text($0.plan) },
        RecordIndex("rectify_by") { $0.rectifyBy.map { .integer(Int64($0.daysSinceEpoch)) } },
    ]
    /// The plan and the entity.
    public var recordKey: RecordKey { RecordKey("\(plan):\(entity.value)") }
}

/// The public disclosure of a plan (一公开): the draws' commitments and seeds, and each drawn
/// entity's result with the legal representative and the inspectors' names masked.
public struct InspectionDisclosure: Hashable, Sendable, Codable {
    /// One entity's line.
    public struct Line: Hashable, Sendable, Codable {
        /// The entity's credit code.
        public let entity: CreditCode
        /// Its name.
        public let name: String
        /// The legal representative, masked (`张**`).
        public let representative: String
        /// The representative's identity number, masked (`3212**********123X`).
        public let representativeID: String
        /// The inspectors: id and masked name.
        public let inspectors: [String]
        /// The outcome as disclosed (`nil`: not yet inspected).
        public let outcome: String?
        /// The rectification deadline, if any.
        public let rectifyBy: CalendarDate?
        /// Whether the rectification deadline itself lies past the published holiday schedules.
        public let provisional: Bool
    }

    /// The plan.
    public let plan: String
    /// Its title.
    public let title: String
    /// The entity draw's commitment and revealed seed.
    public let entityCommitment: String
    /// The revealed entity seed (hex).
    public let entitySeed: String
    /// The inspector draw's commitment.
    public let inspectorCommitment: String
    /// The revealed inspector seed (hex).
    public let inspectorSeed: String
    /// The lines, in selection order.
    public let lines: [Line]

    /// The disclosure as text, one line per entity (masked, as published).
    public var text: String {
        var out = ["\(plan) \(title)", "entities: commitment \(entityCommitment), seed \(entitySeed)"]
        out.append("inspectors: commitment \(inspectorCommitment), seed \(inspectorSeed)")
        for line in lines {
            out.append(
                "\(line.entity) \(line.name) 法定代表人 \(line.representative) (\(line.representativeID)) — "
                    + "inspectors \(line.inspectors.joined(separator: ", ")) — \(line.outcome ?? "pending")"
                    + (line.rectifyBy.map { ", rectify by \($0)\(line.provisional ? " (provisional)" : "")" } ?? "")
            )
        }
        return out.joined(separator: "\n")
    }
}
