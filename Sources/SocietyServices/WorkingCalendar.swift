public import Foundation
public import SocietyCore

/// The official calendar as the State Council publishes it: the ``WorkingCalendar`` a deployment
/// uses unless it brings another.
///
/// A day is a working day unless it is a weekend day or a published holiday, and a weekend day is
/// one when the year's schedule makes it a make-up working day (调休上班). Which days those are is
/// not a rule but a decision the State Council General Office publishes each year
/// (国务院办公厅关于YYYY年部分节假日安排的通知), so the calendar is data: a JSON schedule naming
/// its source for every year, loaded by the deployment and replaceable without a code change.
/// ``official()`` carries the schedules published so far.
///
/// A date outside the published years is an error naming the years the calendar knows, never a
/// guess: a deadline computed from an assumed calendar is a wrong deadline.
///
/// ```swift
/// let calendar = try PublishedCalendar.official()
/// let accepted = try CalendarDate(iso8601: "2026-02-13")
/// let due = try calendar.date(addingWorkingDays: 5, to: accepted)  // 2026-02-27: 14 Feb is worked, 15–23 Feb are off
/// ```
public struct PublishedCalendar: WorkingCalendar, Hashable {
    /// One published year: its holidays, its make-up working days and the notice they come from.
    public struct PublishedYear: Sendable, Hashable, Codable {
        /// The notice a year's schedule was taken from.
        public struct Source: Sendable, Hashable, Codable {
            /// The notice's title.
            public var title: String
            /// Its document number, where the copy consulted showed one.
            public var reference: String?
            /// Who issued it.
            public var issuer: String
            /// The date it was issued, `YYYY-MM-DD`.
            public var issued: String
            /// Where it was published.
            public var publishedBy: String?
        }

        /// A named holiday period, both ends included.
        public struct Holiday: Sendable, Hashable, Codable {
            /// The holiday's name as the notice gives it (元旦, 春节, …).
            public var name: String
            /// The first day off, `YYYY-MM-DD`.
            public var from: String
            /// The last day off, `YYYY-MM-DD`.
            public var to: String
        }

        /// The calendar year.
        public var year: Int
        /// The notice.
        public var source: Source
        /// The holiday periods.
        public var holidays: [Holiday]
        /// Weekend days that are working days that year (调休上班), `YYYY-MM-DD`.
        public var workingWeekendDays: [String]
    }

    /// The schedule file's layout.
    private struct Schedule: Codable {
        var format: String
        var jurisdiction: String
        var weekend: [Int]
        var years: [PublishedYear]
    }

    /// The format name a schedule file must carry.
    public static let format = "ds.working-calendar/1"

    /// Where the schedules apply (`CN` for the national calendar).
    public let jurisdiction: String
    /// The published years, in order.
    public let years: [PublishedYear]
    /// The ISO weekdays (1 = Monday … 7 = Sunday) that are not working days unless made so.
    public let weekend: Set<Int>
    private let holidayNames: [CalendarDate: String]
    private let workingWeekendDays: Set<CalendarDate>

    /// The years this calendar has published schedules for.
    public var knownYears: [Int] { years.map(\.year) }

    /// The schedules published so far (see the list in this module's source, each with its notice).
    public static func official() throws(CalendarError) -> PublishedCalendar {
        try PublishedCalendar(json: Data(OfficialSchedules.json.utf8))
    }

    /// Reads a schedule file (format ``format``) and checks it: every date real and inside its
    /// year, each holiday's end not before its start, every make-up working day on a weekend and
    /// not also a holiday, no year given twice.
    public init(json: Data) throws(CalendarError) {
        let schedule: Schedule
        do {
            schedule = try JSONDecoder().decode(Schedule.self, from: json)
        } catch {
            throw .malformed("does not read as a schedule: \(error)")
        }
        guard schedule.format == PublishedCalendar.format else {
            throw .malformed("format is \"\(schedule.format)\", expected \"\(PublishedCalendar.format)\"")
        }
        guard !schedule.weekend.isEmpty, schedule.weekend.allSatisfy({ (1...7).contains($0) }),
            Set(schedule.weekend).count == schedule.weekend.count, schedule.weekend.count < 7
        else {
            throw .malformed("weekend must list distinct ISO weekdays 1–7, and not all of them")
        }
        guard !schedule.years.isEmpty else { throw .malformed("the schedule publishes no year") }
        let weekend = Set(schedule.weekend)
        var names: [CalendarDate: String] = [:]
        var working: Set<CalendarDate> = []
        var seenYears: Set<Int> = []
        for year in schedule.years {
            guard seenYears.insert(year.year).inserted else { throw .malformed("year \(year.year) is given twice") }
            func date(_ text: String, _ what: String) throws(CalendarError) -> CalendarDate {
                guard let date = try? CalendarDate(iso8601: text) else {
                    throw .malformed("\(year.year): \(what) \"\(text)\" is not a real date written YYYY-MM-DD")
                }
                guard date.year == year.year else {
                    throw .malformed("\(year.year): \(what) \(text) lies outside the year")
                }
                return date
            }
            for holiday in year.holidays {
                let first = try date(holiday.from, "\(holiday.name) starts")
                let last = try date(holiday.to, "\(holiday.name) ends")
                guard first <= last else { throw .malformed("\(year.year): \(holiday.name) ends before it starts") }
                var day = first
                while day <= last {
                    guard names[day] == nil else {
                        throw .malformed("\(year.year): \(day) belongs to two holidays")
                    }
                    names[day] = holiday.name
                    day = day.adding(days: 1)
                }
            }
            for text in year.workingWeekendDays {
                let day = try date(text, "make-up working day")
                guard weekend.contains(day.isoWeekday) else {
                    throw .malformed("\(year.year): make-up working day \(text) is not a weekend day")
                }
                guard names[day] == nil else {
                    throw .malformed("\(year.year): \(text) is both a holiday and a make-up working day")
                }
                working.insert(day)
            }
        }
        jurisdiction = schedule.jurisdiction
        years = schedule.years.sorted { $0.year < $1.year }
        self.weekend = weekend
        holidayNames = names
        workingWeekendDays = working
    }

    private func checkKnown(_ date: CalendarDate) throws(CalendarError) {
        guard years.contains(where: { $0.year == date.year }) else {
            throw .outsidePublishedYears(date: date, known: knownYears)
        }
    }

    /// Whether `date` is a working day.
    public func isWorkingDay(_ date: CalendarDate) throws(CalendarError) -> Bool {
        try checkKnown(date)
        if holidayNames[date] != nil { return false }
        return !weekend.contains(date.isoWeekday) || workingWeekendDays.contains(date)
    }

    /// The holiday `date` falls in, if any (`春节`, `国庆节`, …).
    public func holiday(on date: CalendarDate) throws(CalendarError) -> String? {
        try checkKnown(date)
        return holidayNames[date]
    }

}

/// Working days (工作日): the days on which a department's time limits (承诺时限, 法定时限) run.
///
/// The port every service that counts a deadline receives. ``PublishedCalendar`` implements it
/// from the State Council's published schedules; a deployment may bring another (a provincial
/// calendar service, a calendar with a local closure) without touching the services. Only
/// ``isWorkingDay(_:)``, ``holiday(on:)`` and ``knownYears`` are required; the deadline arithmetic
/// is built on them.
public protocol WorkingCalendar: Sendable {
    /// The years the calendar can answer for.
    var knownYears: [Int] { get }
    /// Whether `date` is a working day; ``CalendarError/outsidePublishedYears(date:known:)`` for a
    /// date in a year the calendar does not know.
    func isWorkingDay(_ date: CalendarDate) throws(CalendarError) -> Bool
    /// The holiday `date` falls in, if any.
    func holiday(on date: CalendarDate) throws(CalendarError) -> String?
}

extension WorkingCalendar {
    /// The date `count` working days after `date`.
    ///
    /// Counting starts the day after `date` (a limit of 5 working days for an application accepted
    /// on a Friday ends on the fifth working day after it), which is how time limits in working days
    /// are counted; `count` 0 gives `date` itself. Every day passed must lie in a published year.
    public func date(addingWorkingDays count: Int, to date: CalendarDate) throws(CalendarError) -> CalendarDate {
        guard count >= 0 else { throw .negativeCount(count) }
        guard knownYears.contains(date.year) else {
            throw .outsidePublishedYears(date: date, known: knownYears)
        }
        var day = date
        var left = count
        var idle = 0
        while left > 0 {
            day = day.adding(days: 1)
            if try isWorkingDay(day) {
                left -= 1
                idle = 0
            } else {
                // A calendar with no working day in a whole year would never end the count.
                idle += 1
                guard idle <= 366 else { throw .malformed("no working day in the year before \(day)") }
            }
        }
        return day
    }

    /// How many working days lie after `start` up to and including `end` (0 when `end` is not
    /// after `start`): the working days of a limit that have run out by `end`.
    public func workingDays(after start: CalendarDate, through end: CalendarDate) throws(CalendarError) -> Int {
        guard end > start else { return 0 }
        guard knownYears.contains(start.year) else {
            throw .outsidePublishedYears(date: start, known: knownYears)
        }
        var count = 0
        var day = start.adding(days: 1)
        while day <= end {
            if try isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}

/// Why the working calendar refused a schedule or a question.
public enum CalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A date in a year the calendar has no published schedule for.
    case outsidePublishedYears(date: CalendarDate, known: [Int])
    /// A schedule file that does not read or does not check.
    case malformed(String)
    /// A negative number of working days to add.
    case negativeCount(Int)

    public var description: String {
        switch self {
        case .outsidePublishedYears(let date, let known):
            "\(date) is outside the published years of the working calendar (it knows "
                + known.map(String.init).joined(separator: ", ") + ")"
        case .malformed(let reason): "working-calendar schedule: \(reason)"
        case .negativeCount(let count): "cannot add \(count) working days: the count must not be negative"
        }
    }
}

extension CalendarDate {
    /// The ISO 8601 weekday: 1 = Monday … 7 = Sunday.
    var isoWeekday: Int {
        // 1970-01-01 was a Thursday (ISO weekday 4).
        let offset = (daysSinceEpoch + 3) % 7
        return (offset + 7) % 7 + 1
    }
}

/// A working calendar that answers past its base's published years, **provisionally**: the State
/// Council publishes each year's holiday schedule in November or December of the year before, and
/// a time limit that starts in December may end in a year not yet published.
///
/// For the `provisionalYears` years after the base's last one, a day is a working day when it is
/// Monday–Friday and not one of the fixed-date public holidays of 全国年节及纪念日放假办法 (as
/// revised from 2025: 1 January, 1–2 May, 1–3 October). The lunar holidays (Spring Festival,
/// Qingming, Dragon Boat, Mid-Autumn) and the make-up working weekend days are unknown until the
/// notice is published, so a deadline in such a year may fall a few days early; ``isProvisional(_:)``
/// says so, and loading the published schedule into the base replaces the guess.
public struct ProvisionalWorkingCalendar: WorkingCalendar {
    /// The published calendar.
    public let base: any WorkingCalendar
    /// How many years after the base's last published year are answered provisionally.
    public let provisionalYears: Int

    /// `base`, extended by `provisionalYears` (at least 0) years.
    public init(base: any WorkingCalendar, provisionalYears: Int = 1) {
        self.base = base
        self.provisionalYears = max(0, provisionalYears)
    }

    /// The base's years and the provisional ones.
    public var knownYears: [Int] {
        guard let last = base.knownYears.max() else { return base.knownYears }
        return base.knownYears + (0..<provisionalYears).map { last + 1 + $0 }
    }

    /// Whether `date` lies in a year the base does not publish (its answer is a guess).
    public func isProvisional(_ date: CalendarDate) -> Bool { !base.knownYears.contains(date.year) }

    public func isWorkingDay(_ date: CalendarDate) throws(CalendarError) -> Bool {
        guard isProvisional(date) else { return try base.isWorkingDay(date) }
        guard knownYears.contains(date.year) else { throw .outsidePublishedYears(date: date, known: knownYears) }
        return date.isoWeekday <= 5 && Self.fixedHoliday(date) == nil
    }

    public func holiday(on date: CalendarDate) throws(CalendarError) -> String? {
        guard isProvisional(date) else { return try base.holiday(on: date) }
        guard knownYears.contains(date.year) else { throw .outsidePublishedYears(date: date, known: knownYears) }
        return Self.fixedHoliday(date)
    }

    /// The fixed-date holiday `date` falls on, by the statute's dates.
    static func fixedHoliday(_ date: CalendarDate) -> String? {
        switch (date.month, date.day) {
        case (1, 1): "元旦"
        case (5, 1), (5, 2): "劳动节"
        case (10, 1), (10, 2), (10, 3): "国庆节"
        default: nil
        }
    }
}
