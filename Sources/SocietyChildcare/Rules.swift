public import SocietyCore

/// The class kinds of a childcare institution (托育机构班级), by the children's age.
public enum CareClassKind: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// 乳儿班: 6–12 months.
    case infant
    /// 托小班: 12–24 months.
    case toddler
    /// 托大班: 24–36 months.
    case older
    /// 混龄班: mixed ages, over 18 months.
    case mixed

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .infant: "乳儿班"
        case .toddler: "托小班"
        case .older: "托大班"
        case .mixed: "混龄班"
        }
    }

    public var description: String { rawValue }
}

/// One class kind's rule: the ages it takes, its largest size and its children per carer.
public struct ClassRule: Hashable, Sendable, Codable {
    /// The youngest age, in whole months, it takes.
    public var fromMonths: Int
    /// The age, in whole months, from which it no longer takes a child.
    public var untilMonths: Int
    /// The most children in the class.
    public var maximumSize: Int
    /// The most children per carer, when the rule sets one; a mixed class takes the ratio of its
    /// youngest child's age band (``ChildcareRules/ratio(forAgeInMonths:)``).
    public var childrenPerCarer: Int?

    /// A rule.
    public init(fromMonths: Int, untilMonths: Int, maximumSize: Int, childrenPerCarer: Int?) {
        self.fromMonths = fromMonths
        self.untilMonths = untilMonths
        self.maximumSize = maximumSize
        self.childrenPerCarer = childrenPerCarer
    }
}

/// The rules every filing and enrolment is checked against: configuration, with defaults from
/// 《托育机构设置标准（试行）》《托育机构管理规范（试行）》(国卫人口发〔2019〕58号) as DOMAINS.md records
/// them, and labelled assumptions where it is silent.
public struct ChildcareRules: Hashable, Sendable, Codable {
    /// The rule of each class kind.
    public var classes: [CareClassKind: ClassRule]
    /// A family childcare point (家庭托育点) takes at most this many children …
    public var familyPointMaximumChildren: Int
    /// … and at most this many per carer.
    public var familyPointChildrenPerCarer: Int
    /// From this many places, an institution needs a full-time health worker.
    public var healthWorkerFromPlaces: Int
    /// Premises are owned, or leased for at least this many years.
    public var minimumLeaseYears: Int
    /// CCTV recordings are kept at least this many days.
    public var minimumCCTVDays: Int
    /// The filing receipt (备案回执) is due within this many working days.
    public var receiptWorkingDays: Int
    /// A child away longer than this many days has a new health check before returning.
    public var recheckAfterDaysAway: Int
    /// An admission health check is valid this many days (**assumption**: 90).
    public var healthCheckValidDays: Int
    /// The version recorded with every decision.
    public var version: String

    /// The rules; the defaults are ``standard``'s.
    public init(
        classes: [CareClassKind: ClassRule] = ChildcareRules.standardClasses,
        familyPointMaximumChildren: Int = 5,
        familyPointChildrenPerCarer: Int = 3,
        healthWorkerFromPlaces: Int = 150,
        minimumLeaseYears: Int = 3,
        minimumCCTVDays: Int = 90,
        receiptWorkingDays: Int = 5,
        recheckAfterDaysAway: Int = 90,
        healthCheckValidDays: Int = 90,
        version: String = "国卫人口发〔2019〕58号"
    ) {
        self.classes = classes
        self.familyPointMaximumChildren = familyPointMaximumChildren
        self.familyPointChildrenPerCarer = familyPointChildrenPerCarer
        self.healthWorkerFromPlaces = healthWorkerFromPlaces
        self.minimumLeaseYears = minimumLeaseYears
        self.minimumCCTVDays = minimumCCTVDays
        self.receiptWorkingDays = receiptWorkingDays
        self.recheckAfterDaysAway = recheckAfterDaysAway
        self.healthCheckValidDays = healthCheckValidDays
        self.version = version
    }

    /// 乳儿班 6–12 months, ≤ 10, 1:3; 托小班 12–24 months, ≤ 15, 1:5; 托大班 24–36 months, ≤ 20, 1:7;
    /// 混龄班 over 18 months, ≤ 18 (its ratio: the youngest child's band — an assumption, the text
    /// gives none).
    public static let standardClasses: [CareClassKind: ClassRule] = [
        .infant: ClassRule(fromMonths: 6, untilMonths: 12, maximumSize: 10, childrenPerCarer: 3),
        .toddler: ClassRule(fromMonths: 12, untilMonths: 24, maximumSize: 15, childrenPerCarer: 5),
        .older: ClassRule(fromMonths: 24, untilMonths: 36, maximumSize: 20, childrenPerCarer: 7),
        .mixed: ClassRule(fromMonths: 18, untilMonths: 36, maximumSize: 18, childrenPerCarer: nil),
    ]

    /// The rules as DOMAINS.md records them.
    public static let standard = ChildcareRules()

    /// The children per carer for a child of `months`: the ratio of the single-age class that
    /// takes that age (a child under 6 months: the infant class's).
    public func ratio(forAgeInMonths months: Int) -> Int {
        let bands = [CareClassKind.infant, .toddler, .older].compactMap { classes[$0] }
        let band = bands.first { months >= $0.fromMonths && months < $0.untilMonths } ?? bands.first
        return band?.childrenPerCarer ?? 3
    }
}

extension CalendarDate {
    /// Whole months from `self` (a birth date) to `date`: the age in months (月龄).
    public func months(until date: CalendarDate) -> Int {
        var months = (date.year - year) * 12 + (date.month - month)
        if date.day < day, adding(months: months) > date { months -= 1 }
        return max(0, months)
    }
}

/// The childcare subsidy (育儿补贴): a yearly amount for each child under 3, paid through the
/// one-card to a parent. Defaults: 3,600 yuan a year for a child under 3, from 2025-01-01 (the
/// national scheme as DOMAINS.md records it); a year with part of it under 3 pays by months — a
/// month counts when the child was born by its last day and turns 3 after its first day (our
/// reading, configuration).
public struct ChildcareSubsidyPolicy: Hashable, Sendable, Codable {
    /// The amount for a whole year.
    public var annualAmount: Money
    /// The age, in years, from which no subsidy is paid.
    public var underYears: Int
    /// The first day it is paid for.
    public var from: CalendarDate
    /// The version recorded with every claim.
    public var version: String

    /// A policy; the defaults are the national scheme's.
    public init(
        annualAmount: Money = Money(fen: 360_000),
        underYears: Int = 3,
        from: CalendarDate = CalendarDate(daysSinceEpoch: 20_089),  // 2025-01-01
        version: String = "育儿补贴 2025"
    ) {
        self.annualAmount = annualAmount
        self.underYears = underYears
        self.from = from
        self.version = version
    }

    /// The months of `year` that count for a child born on `birth`.
    public func months(bornOn birth: CalendarDate, in year: Int) -> Int {
        let limit = birth.adding(years: underYears)
        var count = 0
        for month in 1...12 {
            let first = CalendarDate(daysSinceEpoch: Self.firstDay(year: year, month: month))
            let last = first.adding(months: 1).adding(days: -1)
            if birth <= last, limit > first, last >= from { count += 1 }
        }
        return count
    }

    /// The amount for `year`: the annual amount × counted months ÷ 12, rounded down to the fen.
    public func amount(bornOn birth: CalendarDate, in year: Int) -> Money {
        Money(fen: annualAmount.fen * Int64(months(bornOn: birth, in: year)) / 12)
    }

    static func firstDay(year: Int, month: Int) -> Int {
        // Days since 1970-01-01 of the first of the month (the civil-from-days inverse).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
