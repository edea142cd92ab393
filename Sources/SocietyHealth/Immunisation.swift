public import SocietyCore
public import SocietyJSON
public import SocietyServices

// The national immunisation programme (国家免疫规划) for children 0–6 as data, each child's record,
// what is due or overdue, and the school-entry check (入托、入学查验预防接种证).
//
// Sources, as checked (see Documentation/Health.md):
// - The 2021 schedule: 《国家免疫规划疫苗儿童免疫程序及说明（2021年版）》, National Health Commission,
//   published in English in China CDC Weekly 2021 — the doses, the rule that a dose's age is the
//   *minimum* age, and the ages by which doses are "timely" (e.g. the third HepB, polio and DTaP
//   doses and the first MMR before 12 months).
// - The December 2024 notice of the National Administration of Disease Control and Prevention and
//   five other departments (reported by China Daily, 2024-12-27): from 2025-01-01 DTaP is given at
//   2, 4, 6 and 18 months and 6 years, replacing DTaP at 3, 4, 5 and 18 months and DT at 6 years.

/// A vaccine of the national immunisation programme (国家免疫规划疫苗).
public enum NIPVaccine: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Hepatitis B vaccine (乙肝疫苗).
    case hepB = "HepB"
    /// Bacillus Calmette–Guérin vaccine (卡介苗).
    case bcg = "BCG"
    /// Inactivated poliovirus vaccine (脊灰灭活疫苗).
    case ipv = "IPV"
    /// Bivalent oral poliovirus vaccine, types I and III (二价脊灰减毒活疫苗).
    case bOPV = "bOPV"
    /// Diphtheria, tetanus and acellular pertussis vaccine (百白破疫苗).
    case dtap = "DTaP"
    /// Diphtheria and tetanus vaccine (白破疫苗): the 6-year dose until 2024.
    case dt = "DT"
    /// Measles, mumps and rubella vaccine (麻腮风疫苗).
    case mmr = "MMR"
    /// Japanese encephalitis vaccine, live (乙脑减毒活疫苗).
    case jeLive = "JE-L"
    /// Japanese encephalitis vaccine, inactivated (乙脑灭活疫苗).
    case jeInactivated = "JE-I"
    /// Group A meningococcal polysaccharide vaccine (A群流脑多糖疫苗).
    case mpsvA = "MPSV-A"
    /// Groups A and C meningococcal polysaccharide vaccine (A群C群流脑多糖疫苗).
    case mpsvAC = "MPSV-AC"
    /// Hepatitis A vaccine, live (甲肝减毒活疫苗).
    case hepALive = "HepA-L"
    /// Hepatitis A vaccine, inactivated (甲肝灭活疫苗).
    case hepAInactivated = "HepA-I"

    /// The Chinese name on the vaccination certificate.
    public var chineseName: String {
        switch self {
        case .hepB: "乙肝疫苗"
        case .bcg: "卡介苗"
        case .ipv: "脊灰灭活疫苗"
        case .bOPV: "二价脊灰减毒活疫苗"
        case .dtap: "百白破疫苗"
        case .dt: "白破疫苗"
        case .mmr: "麻腮风疫苗"
        case .jeLive: "乙脑减毒活疫苗"
        case .jeInactivated: "乙脑灭活疫苗"
        case .mpsvA: "A群流脑多糖疫苗"
        case .mpsvAC: "A群C群流脑多糖疫苗"
        case .hepALive: "甲肝减毒活疫苗"
        case .hepAInactivated: "甲肝灭活疫苗"
        }
    }

    public var description: String { rawValue }
}

/// An age in the schedule, counted from the day of birth.
public enum ScheduleAge: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Days after birth (`days(0)` is the day of birth).
    case days(Int)
    /// Whole months (月龄).
    case months(Int)
    /// Whole years (周岁).
    case years(Int)

    /// The day a child born on `birth` reaches this age.
    public func date(bornOn birth: CalendarDate) -> CalendarDate {
        switch self {
        case .days(let days): birth.adding(days: days)
        case .months(let months): birth.adding(months: months)
        case .years(let years): birth.adding(years: years)
        }
    }

    public var description: String {
        switch self {
        case .days(0): "birth"
        case .days(1): "24 hours"
        case .days(let days): "\(days) days"
        case .months(let months): "\(months) month\(months == 1 ? "" : "s")"
        case .years(let years): "\(years) year\(years == 1 ? "" : "s")"
        }
    }
}

/// One dose of the schedule: from which age it may be given (the schedule's age is the minimum
/// age) and before which age it counts as timely.
public struct ScheduledDose: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The series it belongs to (`HepB`, `polio`, `DTaP`, `JE`, …).
    public let series: String
    /// Its number within the series (from 1).
    public let number: Int
    /// The vaccines that count for it.
    public let vaccines: [NIPVaccine]
    /// The recommended age, which is also the minimum: a dose given earlier does not count.
    public let age: ScheduleAge
    /// Given before this age, the dose is timely (及时); after it, late.
    public let timelyBefore: ScheduleAge
    /// A dose.
    public init(
        series: String,
        number: Int,
        vaccines: [NIPVaccine],
        age: ScheduleAge,
        timelyBefore: ScheduleAge
    ) {
        self.series = series
        self.number = number
        self.vaccines = vaccines
        self.age = age
        self.timelyBefore = timelyBefore
    }

    /// `series-number`, e.g. `DTaP-4`.
    public var id: String { "\(series)-\(number)" }

    /// Whether `vaccine` counts for this dose (leaving the age aside).
    public func accepts(_ vaccine: NIPVaccine) -> Bool { vaccines.contains(vaccine) }

    public var description: String {
        "\(id) (\(vaccines.map(\.rawValue).joined(separator: "/")) at \(age), timely before \(timelyBefore))"
    }
}

/// A series of doses of one vaccine kind, with the ways to complete it: Japanese encephalitis
/// with two live doses or four inactivated ones, hepatitis A with one live dose or two
/// inactivated ones. The first way is the default.
public struct VaccineSeries: Hashable, Sendable, Codable {
    /// One way to complete the series.
    public struct Course: Hashable, Sendable, Codable {
        /// Its name (`live`, `inactivated`, `standard`).
        public let name: String
        /// Its doses, in order.
        public let doses: [ScheduledDose]
    }

    /// The series' name.
    public let name: String
    /// The ways to complete it, the default first.
    public let courses: [Course]

    /// A series with one course.
    public init(_ name: String, doses: [ScheduledDose]) {
        self.name = name
        self.courses = [Course(name: "standard", doses: doses)]
    }

    /// A series with several courses.
    public init(_ name: String, courses: [Course]) {
        self.name = name
        self.courses = courses
    }
}

/// A version of the national immunisation schedule for children 0–6, as data.
public struct ImmunisationSchedule: Hashable, Sendable, Codable {
    /// Its name, recorded with every status computed from it.
    public let name: String
    /// Where it comes from.
    public let source: String
    /// The day it takes effect.
    public let effective: CalendarDate
    /// The series.
    public let series: [VaccineSeries]

    /// A schedule.
    public init(name: String, source: String, effective: CalendarDate, series: [VaccineSeries]) {
        self.name = name
        self.source = source
        self.effective = effective
        self.series = series
    }

    /// Every dose of every series' default course, in series order.
    public var doses: [ScheduledDose] { series.flatMap { $0.courses[0].doses } }

    /// The schedule in force on `date` among `schedules` (the latest effective on or before it;
    /// the earliest when `date` comes before them all).
    public static func inForce(
        on date: CalendarDate,
        among schedules: [ImmunisationSchedule] = [.national2021, .national2025]
    ) -> ImmunisationSchedule {
        let sorted = schedules.sorted { $0.effective < $1.effective }
        return sorted.last { $0.effective <= date } ?? sorted[0]
    }

    /// The doses a child born on `birth` has had by `date` when every dose was given on the day
    /// it became due, each under the schedule in force that day (DTaP at 3 months in 2024, at 2
    /// months from 2025): the default course of each series, in schedule order. For test data,
    /// synthetic cities and examples.
    public static func dosesOnTime(
        bornOn birth: CalendarDate,
        through date: CalendarDate,
        among schedules: [ImmunisationSchedule] = [.national2021, .national2025]
    ) -> [(dose: ScheduledDose, date: CalendarDate)] {
        let sorted = schedules.sorted { $0.effective < $1.effective }
        guard let last = sorted.last else { return [] }
        var result: [(dose: ScheduledDose, date: CalendarDate)] = []
        for dose in last.doses {
            let candidates = sorted.compactMap { schedule -> (ScheduledDose, CalendarDate)? in
                guard let own = schedule.doses.first(where: { $0.id == dose.id }) else { return nil }
                let day = own.age.date(bornOn: birth)
                return inForce(on: day, among: sorted) == schedule ? (own, day) : nil
            }
            guard let chosen = candidates.min(by: { $0.1 < $1.1 }), chosen.1 <= date else { continue }
            result.append((chosen.0, chosen.1))
        }
        return result
    }

    private static func series(
        _ name: String,
        _ doses: [(NIPVaccine, ScheduleAge, ScheduleAge)]
    ) -> [ScheduledDose] {
        doses.enumerated().map { index, dose in
            ScheduledDose(series: name, number: index + 1, vaccines: [dose.0], age: dose.1, timelyBefore: dose.2)
        }
    }

    /// The series both versions share: everything but DTaP.
    private static func common(dtap: VaccineSeries) -> [VaccineSeries] {
        let year1 = ScheduleAge.months(12)
        let polio = [
            ScheduledDose(series: "polio", number: 1, vaccines: [.ipv], age: .months(2), timelyBefore: year1),
            ScheduledDose(series: "polio", number: 2, vaccines: [.ipv], age: .months(3), timelyBefore: year1),
            ScheduledDose(series: "polio", number: 3, vaccines: [.bOPV, .ipv], age: .months(4), timelyBefore: year1),
            ScheduledDose(
                series: "polio",
                number: 4,
                vaccines: [.bOPV, .ipv],
                age: .years(4),
                timelyBefore: .years(5)
            ),
        ]
        return [
            VaccineSeries(
                "HepB",
                doses: series(
                    "HepB",
                    [(.hepB, .days(0), .days(1)), (.hepB, .months(1), year1), (.hepB, .months(6), year1)]
                )
            ),
            VaccineSeries("BCG", doses: series("BCG", [(.bcg, .days(0), .months(3))])),
            VaccineSeries("polio", doses: polio),
            dtap,
            VaccineSeries("MMR", doses: series("MMR", [(.mmr, .months(8), year1), (.mmr, .months(18), .months(24))])),
            VaccineSeries(
                "JE",
                courses: [
                    .init(
                        name: "live",
                        doses: series("JE", [(.jeLive, .months(8), year1), (.jeLive, .years(2), .years(3))])
                    ),
                    .init(
                        name: "inactivated",
                        doses: series(
                            "JE",
                            [
                                (.jeInactivated, .months(8), year1), (.jeInactivated, .months(8), year1),
                                (.jeInactivated, .years(2), .years(3)), (.jeInactivated, .years(6), .years(7)),
                            ]
                        )
                    ),
                ]
            ),
            VaccineSeries(
                "MPSV-A",
                doses: series("MPSV-A", [(.mpsvA, .months(6), .months(18)), (.mpsvA, .months(9), .months(18))])
            ),
            VaccineSeries(
                "MPSV-AC",
                doses: series("MPSV-AC", [(.mpsvAC, .years(3), .years(4)), (.mpsvAC, .years(6), .years(7))])
            ),
            VaccineSeries(
                "HepA",
                courses: [
                    .init(name: "live", doses: series("HepA", [(.hepALive, .months(18), .months(24))])),
                    .init(
                        name: "inactivated",
                        doses: series(
                            "HepA",
                            [(.hepAInactivated, .months(18), .months(24)), (.hepAInactivated, .months(24), .years(3))]
                        )
                    ),
                ]
            ),
        ]
    }

    /// The 2021 schedule (国家免疫规划疫苗儿童免疫程序及说明（2021年版）): DTaP at 3, 4, 5 and 18 months,
    /// DT at 6 years. Ages by which a dose is timely are the 2021 instructions'; for the doses the
    /// instructions do not name, the series' next named dose's (HepB-2 and polio 1–2 before
    /// 12 months, like HepB-3 and polio-3).
    public static let national2021 = ImmunisationSchedule(
        name: "NIP-2021",
        source: "国家免疫规划疫苗儿童免疫程序及说明（2021年版）, National Health Commission",
        effective: CalendarDate(daysSinceEpoch: 18_687),  // 2021-03-01: orders it before 2025; not a date from the text
        series: common(
            dtap: VaccineSeries(
                "DTaP",
                doses: series(
                    "DTaP",
                    [
                        (.dtap, .months(3), .months(12)), (.dtap, .months(4), .months(12)),
                        (.dtap, .months(5), .months(12)),
                        (.dtap, .months(18), .months(24)), (.dt, .years(6), .years(7)),
                    ]
                )
            )
        )
    )

    /// The schedule in force from 2025-01-01: the 2021 schedule with DTaP at 2, 4, 6 and 18 months
    /// and 6 years (the December 2024 notice). Doses given before then are judged by the 2021
    /// schedule (``ImmunisationStatus``), so a 3-month DTaP or a 6-year DT given in 2024 counts —
    /// our reading; the notice's own rules for children between the two schedules were not read.
    public static let national2025 = ImmunisationSchedule(
        name: "NIP-2025",
        source:
            "NIP 2021 as amended by the National Administration of Disease Control and Prevention's December 2024 notice (DTaP from 2025-01-01)",
        effective: CalendarDate(daysSinceEpoch: 20_089),  // 2025-01-01
        series: common(
            dtap: VaccineSeries(
                "DTaP",
                doses: series(
                    "DTaP",
                    [
                        (.dtap, .months(2), .months(12)), (.dtap, .months(4), .months(12)),
                        (.dtap, .months(6), .months(12)), (.dtap, .months(18), .months(24)),
                        (.dtap, .years(6), .years(7)),
                    ]
                )
            )
        )
    )
}

/// One dose given, as the vaccination clinic records it (接种记录).
public struct ImmunisationRecord: Hashable, Sendable, Codable {
    /// The record's id.
    public let id: String
    /// The child (encrypted at rest).
    public let child: ResidentID
    /// The vaccine.
    public let vaccine: NIPVaccine
    /// The day it was given.
    public let date: CalendarDate
    /// The vaccine lot (批号).
    public let lot: String
    /// The vaccination clinic (接种单位).
    public let clinic: String

    /// A record; the id, lot and clinic are not empty and the dose is not given before birth.
    public init(
        id: String,
        child: ResidentID,
        vaccine: NIPVaccine,
        date: CalendarDate,
        lot: String,
        clinic: String
    ) throws(HealthError) {
        guard !id.isEmpty, !lot.isEmpty, !clinic.isEmpty else {
            throw .invalidImmunisation("a record has an id, a vaccine lot and a clinic")
        }
        guard date >= child.birthDate else {
            throw .invalidImmunisation("\(vaccine) on \(date) is before the child was born")
        }
        self.id = id
        self.child = child
        self.vaccine = vaccine
        self.date = date
        self.lot = lot
        self.clinic = clinic
    }
}

extension ImmunisationRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "health_immunisation"
    /// The child is personal data; which vaccines a child had is health information.
    public static let sensitiveFields: Set<String> = ["child", "vaccine", "lot"]
    /// By child (keyed hash).
    public static let indexes: [RecordIndex<ImmunisationRecord>] = [
        RecordIndex(searchable: "child") { .text($0.child.unmasked) }
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// Where one scheduled dose stands for a child on a day.
public struct DoseStatus: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The state.
    public enum State: String, Hashable, Sendable, Codable {
        /// Given by its timely age.
        case given
        /// Given, but after its timely age.
        case givenLate
        /// Not given; the child has reached its age and may still have it in time.
        case due
        /// Not given, and past its timely age: to catch up (补种).
        case overdue
        /// Not yet: the child has not reached its age.
        case upcoming
    }

    /// The dose.
    public let dose: ScheduledDose
    /// Its state.
    public let state: State
    /// From this day it may be given.
    public let dueFrom: CalendarDate
    /// Given before this day, it is timely.
    public let timelyBefore: CalendarDate
    /// The record that counts for it, when given.
    public let record: String?

    /// Whether a record counts for it.
    public var isGiven: Bool { state == .given || state == .givenLate }

    public var description: String {
        switch state {
        case .given, .givenLate:
            "\(dose.id): \(state == .given ? "given" : "given late")"
        case .due: "\(dose.id): due since \(dueFrom), in time until \(timelyBefore.adding(days: -1))"
        case .overdue: "\(dose.id): overdue since \(timelyBefore) — catch up"
        case .upcoming: "\(dose.id): from \(dueFrom)"
        }
    }
}

/// A record that counts for no dose, and why.
public struct UncountedDose: Hashable, Sendable, Codable {
    /// The record.
    public let record: String
    /// Why it does not count (given before the dose's minimum age; a vaccine the dose does not
    /// take; more doses than the series has).
    public let reason: String

    /// A record and why it does not count.
    public init(record: String, reason: String) {
        self.record = record
        self.reason = reason
    }
}

/// A child's immunisation status on a day: every scheduled dose's state, from the records.
public struct ImmunisationStatus: Hashable, Sendable, Codable {
    /// The child.
    public let child: ResidentID
    /// The day it describes.
    public let asOf: CalendarDate
    /// The schedule it was computed from (``ImmunisationSchedule/name``).
    public let schedule: String
    /// Every dose, in schedule order.
    public let doses: [DoseStatus]
    /// The records that count for no dose.
    public let uncounted: [UncountedDose]

    /// The doses due now.
    public var due: [DoseStatus] { doses.filter { $0.state == .due } }
    /// The doses to catch up.
    public var overdue: [DoseStatus] { doses.filter { $0.state == .overdue } }
    /// No dose overdue.
    public var isUpToDate: Bool { overdue.isEmpty }

    /// Computes the status of `child` on `date` from `records` (records of other children are
    /// ignored) under `schedule` alone.
    public init(
        child: ResidentID,
        records: [ImmunisationRecord],
        on date: CalendarDate,
        schedule: ImmunisationSchedule
    ) {
        self.init(child: child, records: records, on: date, schedules: [schedule])
    }

    /// Computes the status of `child` on `date` from `records` (records of other children are
    /// ignored): the schedule in force on `date` among `schedules` says which doses the child
    /// should have; each record is judged by the schedule in force on the day it was given.
    ///
    /// Each series' records are taken in date order and given to its doses in order: a record
    /// counts for the next dose when that dose — in the schedule in force when it was given —
    /// takes its vaccine and the child had reached the dose's age (the schedule's age is the
    /// minimum age). A series with several courses follows the course its first record's vaccine
    /// belongs to.
    public init(
        child: ResidentID,
        records: [ImmunisationRecord],
        on date: CalendarDate,
        schedules: [ImmunisationSchedule] = [.national2021, .national2025]
    ) {
        let schedules = schedules.isEmpty ? [ImmunisationSchedule.national2025] : schedules
        let current = ImmunisationSchedule.inForce(on: date, among: schedules)
        let birth = child.birthDate
        let mine = records.filter { $0.child == child && $0.date <= date }
            .sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        var statuses: [DoseStatus] = []
        var uncounted: [UncountedDose] = []
        var considered = Set<String>()
        for series in current.series {
            // A record belongs to the series when the series takes its vaccine in the schedule in
            // force today or in the one in force on the day it was given (DT, before 2025).
            func takes(_ series: VaccineSeries?, _ vaccine: NIPVaccine) -> Bool {
                series?.courses.contains { $0.doses.contains { $0.accepts(vaccine) } } ?? false
            }
            let candidates = mine.filter { record in
                takes(series, record.vaccine)
                    || takes(
                        ImmunisationSchedule.inForce(on: record.date, among: schedules).series.first {
                            $0.name == series.name
                        },
                        record.vaccine
                    )
            }
            let course =
                candidates.first.flatMap { first in
                    series.courses.first { $0.doses.contains { $0.accepts(first.vaccine) } }
                } ?? series.courses[0]
            var next = 0
            for record in candidates {
                considered.insert(record.id)
                guard next < course.doses.count else {
                    uncounted.append(
                        UncountedDose(record: record.id, reason: "more \(series.name) doses than the schedule has")
                    )
                    continue
                }
                let then = ImmunisationSchedule.inForce(on: record.date, among: schedules)
                let earlier = then.series.first { $0.name == series.name }?.courses.first { $0.name == course.name }
                let dose = earlier?.doses.dropFirst(next).first ?? course.doses[next]
                guard dose.accepts(record.vaccine) else {
                    let under = then.name == current.name ? "" : " under \(then.name)"
                    uncounted.append(
                        UncountedDose(
                            record: record.id,
                            reason: "\(dose.id) is not given with \(record.vaccine)\(under)"
                        )
                    )
                    continue
                }
                let from = dose.age.date(bornOn: birth)
                guard record.date >= from else {
                    uncounted.append(
                        UncountedDose(
                            record: record.id,
                            reason: "given on \(record.date), before \(dose.id)'s minimum age (\(dose.age), \(from))"
                        )
                    )
                    continue
                }
                let timely = dose.timelyBefore.date(bornOn: birth)
                statuses.append(
                    DoseStatus(
                        dose: course.doses[next],
                        state: record.date < timely ? .given : .givenLate,
                        dueFrom: from,
                        timelyBefore: timely,
                        record: record.id
                    )
                )
                next += 1
            }
            for dose in course.doses.dropFirst(next) {
                let from = dose.age.date(bornOn: birth)
                let timely = dose.timelyBefore.date(bornOn: birth)
                let state: DoseStatus.State = date < from ? .upcoming : date < timely ? .due : .overdue
                statuses.append(DoseStatus(dose: dose, state: state, dueFrom: from, timelyBefore: timely, record: nil))
            }
        }
        for record in mine where !considered.contains(record.id) {
            let then = ImmunisationSchedule.inForce(on: record.date, among: schedules)
            uncounted.append(
                UncountedDose(
                    record: record.id,
                    reason: "\(record.vaccine) on \(record.date) is in no series of \(then.name)"
                )
            )
        }
        self.child = child
        self.asOf = date
        self.schedule = current.name
        self.doses = statuses
        self.uncounted = uncounted
    }
}

/// The check of a child's vaccination certificate on entering a nursery, kindergarten or school
/// (入托、入学查验): every dose the child should have had by the day of entry, and the doses to
/// catch up (补种) — explained, so the school doctor can tell the parents why.
public struct SchoolEntryCheck: Hashable, Sendable, Codable {
    /// The status it was made from.
    public let status: ImmunisationStatus
    /// One check per series: the doses due by the day of entry, and how many were given.
    public let decision: ExplainedDecision

    /// The doses to catch up: due by the day of entry (its age reached) and not given.
    public var catchUp: [ScheduledDose] {
        status.doses.filter { !$0.isGiven && $0.state != .upcoming }.map(\.dose)
    }

    /// Whether the certificate is complete for the child's age.
    public var isComplete: Bool { decision.isEligible }

    /// The check of `status` (computed for the day of entry).
    public init(status: ImmunisationStatus) {
        var checks: [RuleCheck] = []
        var order: [String] = []
        var bySeries: [String: [DoseStatus]] = [:]
        for dose in status.doses {
            if bySeries[dose.dose.series] == nil { order.append(dose.dose.series) }
            bySeries[dose.dose.series, default: []].append(dose)
        }
        for series in order {
            let reached = bySeries[series, default: []].filter { $0.state != .upcoming }
            guard !reached.isEmpty else { continue }
            let given = reached.filter(\.isGiven).count
            let missing = reached.filter { !$0.isGiven }.map(\.dose.id)
            checks.append(
                RuleCheck(
                    rule: "entry-\(series)",
                    statement: "\(series): \(given) of \(reached.count) doses due by \(status.asOf) given"
                        + (missing.isEmpty ? "" : " — catch up \(missing.joined(separator: ", "))"),
                    passed: missing.isEmpty
                )
            )
        }
        self.status = status
        self.decision = ExplainedDecision(checks: checks, policyVersion: status.schedule)
    }
}

/// The vaccination clinic's register (预防接种信息系统): records doses, and tells a parent, a
/// family doctor or a school what a child is due, overdue, and missing at school entry.
public struct ImmunisationService: Sendable {
    /// The store purpose this service declares.
    public static let purpose = Purpose(constant: "health.immunisation")

    let ports: ServicePorts
    /// The schedules it knows; the one in force on a day applies.
    public let schedules: [ImmunisationSchedule]

    /// The register on the clinic's ports, logging as component `immunisation`.
    public init(ports: ServicePorts, schedules: [ImmunisationSchedule] = [.national2021, .national2025]) {
        self.ports = ports.logging(as: "immunisation")
        self.schedules = schedules.isEmpty ? [.national2025] : schedules
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    /// Records a dose; a dose dated after today, or an id already used, is refused.
    @discardableResult
    public func record(_ record: ImmunisationRecord) async throws(HealthError) -> ImmunisationRecord {
        guard record.date <= today else {
            throw .invalidImmunisation("\(record.vaccine) dated \(record.date), after today")
        }
        do {
            try await ports.store.write(purpose: Self.purpose) { db in
                if try await db.get(ImmunisationRecord.self, key: record.recordKey) != nil {
                    throw HealthError.duplicate("immunisation record \(record.id)")
                }
                try await db.put(record)
            }
            ports.logger.info("dose recorded", metadata: ["vaccine": "\(record.vaccine)", "record": "\(record.id)"])
            return record
        } catch {
            throw HealthError(wrapping: error)
        }
    }

    /// A child's records, in date order.
    public func records(of child: ResidentID) async throws(HealthError) -> [ImmunisationRecord] {
        do {
            return try await ports.store.read(purpose: Self.purpose) { db in
                try await db.fetch(RecordQuery<ImmunisationRecord>.filter("child", equals: .text(child.unmasked)))
            }
            .sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        } catch {
            throw HealthError(wrapping: error)
        }
    }

    /// A child's status on `date` (today by default) under the schedule in force that day.
    public func status(
        of child: ResidentID,
        on date: CalendarDate? = nil
    ) async throws(HealthError) -> ImmunisationStatus {
        let day = date ?? today
        return ImmunisationStatus(child: child, records: try await records(of: child), on: day, schedules: schedules)
    }

    /// The child's keyed hash, hex — the same pseudonym ``FamilyDoctorService/pseudonym(of:)``
    /// gives on the same keys, so the exports of one platform name a child alike.
    public func pseudonym(of child: ResidentID) throws(HealthError) -> String {
        do {
            return try ports.pseudonym(kind: "patient", of: child.unmasked)
        } catch {
            throw HealthError(wrapping: error)
        }
    }

    /// The child's records as a FHIR R4 `Bundle` of `Immunization`s (``FHIRExporter/immunizations(_:statuses:pseudonyms:generated:)``),
    /// with dose numbers from today's status.
    public func exportFHIR(
        child: ResidentID,
        options: FHIRExportOptions = FHIRExportOptions()
    ) async throws(HealthError) -> JSONValue {
        let records = try await records(of: child)
        let status = ImmunisationStatus(child: child, records: records, on: today, schedules: schedules)
        do {
            return try FHIRExporter(options: options).immunizations(
                records,
                statuses: [status],
                pseudonyms: [child: try pseudonym(of: child)],
                generated: ports.clock.now()
            )
        } catch {
            throw HealthError(wrapping: error)
        }
    }

    /// The school-entry check of a child entering on `date`.
    public func schoolEntryCheck(
        of child: ResidentID,
        on date: CalendarDate
    ) async throws(HealthError) -> SchoolEntryCheck {
        SchoolEntryCheck(status: try await status(of: child, on: date))
    }
}
