public import Foundation
public import SocietyCore
public import SocietyExchange

/// A chronic condition that puts a resident in a priority group, with its ICD-10 category.
public enum ChronicCondition: String, Codable, Hashable, Sendable, CaseIterable {
    /// 高血压 — essential hypertension (I10).
    case hypertension
    /// 2 型糖尿病 — diabetes mellitus (E11; E10–E14 all count).
    case diabetes
    /// 严重精神障碍 — severe mental illness (F20 schizophrenia, F31 bipolar disorder, …).
    case severeMentalIllness

    /// The ICD-10 category recorded with the diagnosis.
    public var icd10: String {
        switch self {
        case .hypertension: "I10"
        case .diabetes: "E11"
        case .severeMentalIllness: "F20"
        }
    }
}

/// A social-assistance status reported by civil affairs (社会救助, DOMAINS.md).
public enum AssistanceStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// 低保 — minimum-living allowance (dibao).
    case minimumLiving
    /// 低保边缘 — near-dibao household.
    case nearMinimumLiving
    /// 特困人员供养 — extreme-poverty support.
    case extremePoverty
}

/// Where a fact came from: entered by staff, or received from another department by envelope.
public enum FactSource: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Entered by a team member or clerk (named by their system account, not a person's name).
    case entered(by: String)
    /// Received by envelope: its digest `ALG:BASE64URL`, the issuing party and when it was received.
    case envelope(digest: String, issuer: Party, receivedAt: Date)

    /// `entered by X` or `envelope sha256:… from PARTY`.
    public var description: String {
        switch self {
        case .entered(let account): "entered by \(account)"
        case .envelope(let digest, let issuer, _): "envelope \(digest) from \(issuer)"
        }
    }
}

/// One fact about a resident that the priority rules read.
public struct HealthFact: Hashable, Sendable, Codable {
    /// What is known.
    public enum Kind: Hashable, Sendable, Codable {
        /// A diagnosis of a chronic condition.
        case diagnosis(ChronicCondition)
        /// A pregnancy with its expected delivery date.
        case pregnancy(expectedDelivery: CalendarDate)
        /// A certified disability (残疾人证).
        case disability
        /// An assistance status.
        case assistance(AssistanceStatus)
        /// Lives alone (独居).
        case livingAlone
    }

    /// What is known.
    public let kind: Kind
    /// The day from which it holds.
    public let from: CalendarDate
    /// The last day it holds, or `nil` while it still does (assistance ended, pregnancy ended).
    public let until: CalendarDate?
    /// Who said so.
    public let source: FactSource

    /// Creates a fact.
    public init(_ kind: Kind, from: CalendarDate, until: CalendarDate? = nil, source: FactSource) {
        self.kind = kind
        self.from = from
        self.until = until
        self.source = source
    }

    /// Whether the fact holds on `date`.
    public func holds(on date: CalendarDate) -> Bool {
        guard from <= date else { return false }
        return until.map { date <= $0 } ?? true
    }

    /// The fact in words, for explanations: `diagnosis hypertension (I10) since 2025-03-01, entered by …`.
    public var summary: String {
        let what =
            switch kind {
            case .diagnosis(let condition): "diagnosis \(condition.rawValue) (\(condition.icd10))"
            case .pregnancy(let due): "pregnancy, expected delivery \(due)"
            case .disability: "certified disability"
            case .assistance(let status): "assistance \(status.rawValue)"
            case .livingAlone: "lives alone"
            }
        return "\(what) since \(from)\(until.map { " until \($0)" } ?? ""), \(source)"
    }
}

/// The priority groups of the family-doctor plan (重点人群).
public enum PriorityGroup: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    /// 65 岁及以上老年人.
    case elderly
    /// 0–6 岁儿童.
    case youngChild
    /// 孕产妇.
    case pregnant
    /// 高血压患者.
    case hypertension
    /// 2 型糖尿病患者.
    case diabetes
    /// 严重精神障碍患者.
    case severeMentalIllness
    /// 残疾人.
    case disabled
    /// 低保对象.
    case minimumLiving
    /// 特困人员.
    case extremePoverty
    /// 独居老人.
    case elderlyLivingAlone

    public static func < (lhs: PriorityGroup, rhs: PriorityGroup) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// A resident's membership of one group, with the rule that put them there and the facts it used:
/// every membership can be explained to the resident and checked by an auditor.
public struct PriorityMembership: Hashable, Sendable, Codable {
    /// The group.
    public let group: PriorityGroup
    /// The rule's id and version, e.g. `age-65-plus.v1`.
    public let rule: String
    /// The facts the rule read, in words (no identity number: the age is stated, not the ID).
    public let facts: [String]
}

/// The thresholds of the priority rules: configuration with documented defaults.
public struct PriorityRules: Hashable, Sendable, Codable {
    /// Age from which a resident is elderly (national basic public-health standard: 65).
    public var elderlyAge = 65
    /// Oldest age, in whole years, of a young child (national standard: 0–6).
    public var youngChildMaximumAge = 6
    /// Age from which a resident living alone is an elderly living alone. Assumption: 60, the
    /// age of the elderly in the Law on the Protection of the Rights of the Elderly.
    public var livingAloneAge = 60
    /// Days after the expected delivery during which a woman stays in the group (postpartum
    /// visits within 42 days).
    public var postpartumDays = 42

    /// The default thresholds.
    public init() {}

    /// The groups `resident` belongs to on `date`, each with its rule and facts, in group order.
    public func classify(_ resident: ResidentID, facts: [HealthFact], on date: CalendarDate) -> [PriorityMembership] {
        let age = resident.age(on: date)
        let ageFact = "age \(age) on \(date) (birth date from the identity number)"
        var found: [PriorityMembership] = []
        if age >= elderlyAge {
            found.append(PriorityMembership(group: .elderly, rule: "age-\(elderlyAge)-plus.v1", facts: [ageFact]))
        }
        if age <= youngChildMaximumAge, age >= 0 {
            found.append(
                PriorityMembership(group: .youngChild, rule: "age-0-\(youngChildMaximumAge).v1", facts: [ageFact])
            )
        }
        let current = facts.filter { $0.holds(on: date) }
        for fact in facts {
            guard case .pregnancy(let due) = fact.kind, fact.from <= date, date <= due.adding(days: postpartumDays)
            else { continue }
            found.append(
                PriorityMembership(
                    group: .pregnant,
                    rule: "pregnancy-postpartum-\(postpartumDays).v1",
                    facts: [fact.summary]
                )
            )
            break
        }
        let rules: [(PriorityGroup, String, (HealthFact.Kind) -> Bool)] = [
            (.hypertension, "diagnosis-hypertension.v1", { $0 == .diagnosis(.hypertension) }),
            (.diabetes, "diagnosis-diabetes.v1", { $0 == .diagnosis(.diabetes) }),
            (.severeMentalIllness, "diagnosis-severe-mental-illness.v1", { $0 == .diagnosis(.severeMentalIllness) }),
            (.disabled, "certified-disability.v1", { $0 == .disability }),
            (.minimumLiving, "assistance-minimum-living.v1", { $0 == .assistance(.minimumLiving) }),
            (.extremePoverty, "assistance-extreme-poverty.v1", { $0 == .assistance(.extremePoverty) }),
        ]
        for (group, rule, matches) in rules {
            let used = current.filter { matches($0.kind) }
            if !used.isEmpty { found.append(PriorityMembership(group: group, rule: rule, facts: used.map(\.summary))) }
        }
        if age >= livingAloneAge, let alone = current.first(where: { $0.kind == .livingAlone }) {
            found.append(
                PriorityMembership(
                    group: .elderlyLivingAlone,
                    rule: "living-alone-\(livingAloneAge)-plus.v1",
                    facts: [ageFact, alone.summary]
                )
            )
        }
        return found.sorted { $0.group < $1.group }
    }
}

/// What the family-doctor service knows about a resident beyond the contract: where they live and
/// the facts the priority rules read.
public struct HealthProfile: Hashable, Sendable, Codable {
    /// The resident.
    public let resident: ResidentID
    /// The county-level division where the resident lives (for per-district lists).
    public var district: DivisionCode
    /// The facts, in the order received.
    public var facts: [HealthFact]

    /// Creates a profile.
    public init(resident: ResidentID, district: DivisionCode, facts: [HealthFact] = []) {
        self.resident = resident
        self.district = district
        self.facts = facts
    }

    /// The assistance statuses that hold on `date`.
    public func assistance(on date: CalendarDate) -> Set<AssistanceStatus> {
        Set(
            facts.compactMap { fact in
                guard case .assistance(let status) = fact.kind, fact.holds(on: date) else { return nil }
                return status
            }
        )
    }
}

extension HealthProfile: StorableRecord {
    /// The table name.
    public static let recordKind = "health_profile"
    /// The resident and the facts (health data) are encrypted at rest.
    public static let sensitiveFields: Set<String> = ["resident", "facts"]
    /// Profiles by district, and the low-income residents by district (any assistance fact ever
    /// recorded; whether it holds today is checked when listing).
    public static let indexes: [RecordIndex<HealthProfile>] = [
        RecordIndex("district") { .text($0.district.code) },
        RecordIndex("low_income_district") { profile in
            let any = profile.facts.contains { if case .assistance = $0.kind { true } else { false } }
            return any ? .text(profile.district.code) : nil
        },
    ]
    /// One profile per resident, under a keyed hash.
    public var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}
