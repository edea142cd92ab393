public import SocietyCertificates
public import SocietyCore
public import SocietyServices

/// What the disability service refuses or fails with.
public enum DisabilityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not make sense (the reason says why); nothing was changed.
    case invalid(String)
    /// Not found.
    case notFound(String)
    /// Already there.
    case duplicate(String)
    /// A move the record's state does not allow.
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
        case let error as DisabilityError: self = error
        default: self = .store(String(describing: error))
        }
    }
}

/// A person on the disabled-population register (残疾人基础数据库), linked to their disability
/// certificate (the number is the identity number, the category and the level — GB/T 26341).
public struct DisabledPerson: Hashable, Sendable, Codable {
    /// On the register, or cancelled.
    public enum State: String, Hashable, Sendable, Codable {
        /// The certificate is valid.
        case active
        /// Cancelled (death, recovery, moving away).
        case cancelled
    }

    /// One change of the record, for the history.
    public struct Change: Hashable, Sendable, Codable {
        /// What: issued, reassessed, level changed, cancelled.
        public let what: String
        /// The day.
        public let date: CalendarDate
    }

    /// The person (encrypted at rest).
    public let person: ResidentID
    /// The category.
    public let category: DisabilityCategory
    /// The level (1 most severe … 4).
    public internal(set) var level: DisabilityLevel
    /// The certificate number in force (encrypted at rest: it holds the identity number).
    public internal(set) var certificate: String
    /// When the next re-assessment is due.
    public internal(set) var reassessBy: CalendarDate
    /// The state.
    public internal(set) var state: State
    /// Every change.
    public internal(set) var history: [Change]

    /// An active record of `person`'s certificate, re-assessed by `reassessBy`; the service's
    /// ``DisabilityService/register(_:category:level:)`` makes one, and rules can be tried on one.
    public init(person: ResidentID, category: DisabilityCategory, level: DisabilityLevel, reassessBy: CalendarDate) {
        self.person = person
        self.category = category
        self.level = level
        self.certificate = Self.number(person, category, level)
        self.reassessBy = reassessBy
        self.state = .active
        self.history = []
    }

    /// The certificate number of `person` with `category` and `level`.
    static func number(_ person: ResidentID, _ category: DisabilityCategory, _ level: DisabilityLevel) -> String {
        DisabilityCertificateNumber(resident: person, category: category, level: level).unmasked
    }
}

extension DisabledPerson: StorableRecord {
    /// The table name.
    public static let recordKind = "disability_register"
    /// The person and the certificate number.
    public static let sensitiveFields: Set<String> = ["person", "certificate"]
    /// By level, for counts; the key is the person's keyed hash.
    public static let indexes: [RecordIndex<DisabledPerson>] = [
        RecordIndex("level") { .integer(Int64($0.level.rawValue)) }
    ]
    /// The person (a keyed hash in the store: never in clear).
    public var recordKey: RecordKey { RecordKey(sensitive: person.unmasked) }
}

/// The two subsidies' rules (残疾人两项补贴), Jiangsu 苏民规〔2022〕4号 from 2023-04-01 as DOMAINS.md
/// records it (confidence M), configuration:
/// - **care subsidy** (重度残疾人护理补贴) for severe disability: ≥ 130 yuan a month urban, ≥ 90 rural;
///   people receiving work-injury care allowance are excluded;
/// - **living subsidy** (困难残疾人生活补贴) as a share of the local dibao line: in a dibao family 30 %
///   (severe; the text allows 30–40 %) or 25 % (other); a dibao family with several disabled people
///   60 % each (our reading of "several disabled people in one household ≥ 60 %"); severe disability
///   outside dibao with no fixed income 100 %; extreme-poverty recipients are excluded.
/// Severe means level 1 or 2, and — an **assumption** common in Jiangsu practice — level 3
/// intellectual or mental disability. Taizhou's dibao line was not found: the default
/// 960 yuan a month is an **assumption**.
public struct TwoSubsidiesPolicy: Hashable, Sendable, Codable {
    /// Care subsidy a month, urban.
    public var careUrban: Money
    /// Care subsidy a month, rural.
    public var careRural: Money
    /// The local minimum-living (dibao) line, a month.
    public var dibaoLine: Money
    /// Living subsidy shares of the dibao line, in percent.
    public var severeInDibao: Int
    /// In a dibao family, not severe.
    public var otherInDibao: Int
    /// In a dibao family with several disabled people.
    public var severalInDibao: Int
    /// Severe, not in dibao, no fixed income.
    public var severeNoIncome: Int
    /// The version recorded with every decision.
    public var version: String

    /// The policy; the defaults are the figures above.
    public init(
        careUrban: Money = Money(fen: 13_000),
        careRural: Money = Money(fen: 9_000),
        dibaoLine: Money = Money(fen: 96_000),
        severeInDibao: Int = 30,
        otherInDibao: Int = 25,
        severalInDibao: Int = 60,
        severeNoIncome: Int = 100,
        version: String = "苏民规〔2022〕4号"
    ) {
        self.careUrban = careUrban
        self.careRural = careRural
        self.dibaoLine = dibaoLine
        self.severeInDibao = severeInDibao
        self.otherInDibao = otherInDibao
        self.severalInDibao = severalInDibao
        self.severeNoIncome = severeNoIncome
        self.version = version
    }

    /// Whether a category and level count as severe.
    public func isSevere(_ category: DisabilityCategory, _ level: DisabilityLevel) -> Bool {
        level == .first || level == .second || (level == .third && (category == .intellectual || category == .mental))
    }
}

/// The household facts the subsidies need — civil affairs' and human resources' answers by
/// envelope in a deployment.
public struct HouseholdFacts: Hashable, Sendable, Codable {
    /// A minimum-living (dibao) family.
    public var dibao: Bool
    /// An extreme-poverty (特困) recipient.
    public var extremePoverty: Bool
    /// Has a fixed income (wages, pension).
    public var fixedIncome: Bool
    /// Disabled people in the household, this person included.
    public var disabledMembers: Int
    /// A rural household.
    public var rural: Bool
    /// Receives a work-injury care allowance.
    public var workInjuryCare: Bool

    /// Facts.
    public init(
        dibao: Bool = false,
        extremePoverty: Bool = false,
        fixedIncome: Bool = true,
        disabledMembers: Int = 1,
        rural: Bool = false,
        workInjuryCare: Bool = false
    ) {
        self.dibao = dibao
        self.extremePoverty = extremePoverty
        self.fixedIncome = fixedIncome
        self.disabledMembers = disabledMembers
        self.rural = rural
        self.workInjuryCare = workInjuryCare
    }
}

/// The two subsidies for a person and a month: each amount with its decision.
public struct TwoSubsidies: Hashable, Sendable, Codable {
    /// The care subsidy (zero when refused).
    public let care: Money
    /// Its rules.
    public let careDecision: ExplainedDecision
    /// The living subsidy (zero when refused).
    public let living: Money
    /// Its rules.
    public let livingDecision: ExplainedDecision

    /// Decides both for `person` with `facts` under `policy`.
    public init(person: DisabledPerson, facts: HouseholdFacts, policy: TwoSubsidiesPolicy) {
        let severe = policy.isSevere(person.category, person.level)
        let active = RuleCheck(
            rule: "registered",
            statement: "on the register, certificate \(person.state.rawValue)",
            passed: person.state == .active
        )
        let severity = RuleCheck(
            rule: "severe",
            statement: "\(person.category.code) disability, level \(person.level.code): "
                + (severe ? "severe" : "not severe"),
            passed: severe
        )
        let injury = RuleCheck(
            rule: "no-work-injury-care",
            statement: facts.workInjuryCare ? "receives a work-injury care allowance" : "no work-injury care allowance",
            passed: !facts.workInjuryCare
        )
        careDecision = ExplainedDecision(checks: [active, severity, injury], policyVersion: policy.version)
        let careAmount = facts.rural ? policy.careRural : policy.careUrban
        care = careDecision.isEligible ? careAmount : .zero

        var checks = [active]
        checks.append(
            RuleCheck(
                rule: "not-extreme-poverty",
                statement: facts.extremePoverty
                    ? "an extreme-poverty recipient (supported otherwise)" : "not an extreme-poverty recipient",
                passed: !facts.extremePoverty
            )
        )
        var share = 0
        if facts.dibao {
            share =
                facts.disabledMembers > 1 ? policy.severalInDibao : severe ? policy.severeInDibao : policy.otherInDibao
            checks.append(
                RuleCheck(
                    rule: "difficulty",
                    statement: "a dibao family"
                        + (facts.disabledMembers > 1
                            ? " with \(facts.disabledMembers) disabled people" : severe ? ", severe" : "")
                        + ": \(share) % of the dibao line",
                    passed: true
                )
            )
        } else if severe && !facts.fixedIncome {
            share = policy.severeNoIncome
            checks.append(
                RuleCheck(
                    rule: "difficulty",
                    statement: "severe, not in dibao, no fixed income: \(share) % of the dibao line",
                    passed: true
                )
            )
        } else {
            checks.append(
                RuleCheck(
                    rule: "difficulty",
                    statement: "neither a dibao family nor severe without a fixed income",
                    passed: false
                )
            )
        }
        livingDecision = ExplainedDecision(checks: checks, policyVersion: policy.version)
        living = livingDecision.isEligible ? Money(fen: policy.dibaoLine.fen * Int64(share) / 100) : .zero
    }
}

/// A month's subsidy paid, once.
public struct SubsidyPayment: Hashable, Sendable, Codable {
    /// `PSEUDONYM-KIND-YYYY-MM`.
    public let id: String
    /// The person (encrypted at rest).
    public let person: ResidentID
    /// `care` or `living`.
    public let kind: String
    /// The month.
    public let month: String
    /// The amount.
    public let amount: Money
    /// The one-card instruction.
    public let instruction: String
}

extension SubsidyPayment: StorableRecord {
    /// The table name.
    public static let recordKind = "disability_subsidy_payment"
    /// The person.
    public static let sensitiveFields: Set<String> = ["person"]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The categories of children's rehabilitation assistance (残疾儿童康复救助).
public enum RehabilitationCategory: String, Hashable, Sendable, Codable, CaseIterable {
    /// Visual.
    case visual
    /// Hearing.
    case hearing
    /// Speech.
    case speech
    /// Physical (肢体).
    case physical
    /// Intellectual.
    case intellectual
    /// Autism (孤独症).
    case autism
}

/// The ages of children's rehabilitation assistance (DOMAINS.md, M): 0–6 nationally for every
/// category; Jiangsu extends it to 7–14 for physical disability and autism. Configuration.
public struct RehabilitationPolicy: Hashable, Sendable, Codable {
    /// The oldest age, in whole years, for every category.
    public var nationalUntilAge: Int
    /// The oldest age for the categories Jiangsu extends.
    public var extendedUntilAge: Int
    /// The categories extended.
    public var extended: Set<RehabilitationCategory>

    /// The policy; the defaults are DOMAINS.md's.
    public init(
        nationalUntilAge: Int = 6,
        extendedUntilAge: Int = 14,
        extended: Set<RehabilitationCategory> = [.physical, .autism]
    ) {
        self.nationalUntilAge = nationalUntilAge
        self.extendedUntilAge = extendedUntilAge
        self.extended = extended
    }
}

/// A designated rehabilitation institution (定点康复机构) and the categories it serves.
public struct RehabilitationInstitution: Hashable, Sendable, Codable {
    /// The credit code.
    public let id: String
    /// The name.
    public let name: String
    /// The categories it is designated for.
    public let categories: Set<RehabilitationCategory>

    /// An institution with at least one category.
    public init(id: String, name: String, categories: Set<RehabilitationCategory>) throws(DisabilityError) {
        guard !id.isEmpty, !name.isEmpty, !categories.isEmpty else {
            throw .invalid("an institution has an id, a name and categories")
        }
        self.id = id
        self.name = name
        self.categories = categories
    }
}

extension RehabilitationInstitution: StorableRecord {
    /// The table name.
    public static let recordKind = "disability_rehab_institution"
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A supervision visit of a designated institution (监管记录).
public struct SupervisionRecord: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The institution.
    public let institution: String
    /// The day.
    public let date: CalendarDate
    /// Passed or not.
    public let passed: Bool
    /// What was found.
    public let findings: String

    /// A record.
    public init(id: String, institution: String, date: CalendarDate, passed: Bool, findings: String) {
        self.id = id
        self.institution = institution
        self.date = date
        self.passed = passed
        self.findings = findings
    }
}

extension SupervisionRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "disability_supervision"
    /// By institution.
    public static let indexes: [RecordIndex<SupervisionRecord>] = [RecordIndex("institution") { .text($0.institution) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// An application on the shared life cycle: children's rehabilitation (`disability.rehabilitation`)
/// or home accessibility renovation (`disability.renovation`).
public struct DisabilityApplication: Hashable, Sendable, Codable {
    /// The person it is for (encrypted at rest).
    public let person: ResidentID
    /// The life cycle.
    public internal(set) var lifecycle: ServiceApplication
    /// The rules, explained (rehabilitation).
    public let decision: ExplainedDecision?
    /// The category (rehabilitation).
    public let category: RehabilitationCategory?
    /// The institution chosen (rehabilitation).
    public let institution: String?
    /// What the home needs (renovation), sealed.
    public let needs: String?
}

extension DisabilityApplication: StorableRecord {
    /// The table name.
    public static let recordKind = "disability_application"
    /// The person and the home's needs.
    public static let sensitiveFields: Set<String> = ["person", "needs"]
    /// The application id.
    public var recordKey: RecordKey { RecordKey(lifecycle.id) }
}
