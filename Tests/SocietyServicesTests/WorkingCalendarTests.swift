import Foundation
import SocietyCore
import Testing

@testable import SocietyServices

/// Deadline arithmetic against the State Council's 2026 schedule (国务院办公厅关于2026年部分节假日
/// 安排的通知, 2025-11-04) and 2025's (国办发明电〔2024〕12号). Every expected date below was read off
/// the notices and a wall calendar by hand, not computed by the code under test.
@Suite("Working calendar")
struct WorkingCalendarTests {
    let calendar: PublishedCalendar

    init() throws { calendar = try PublishedCalendar.official() }

    func day(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }

    @Test("weekdays follow the ISO numbering: 1970-01-01 a Thursday, 2026-02-15 a Sunday")
    func weekdays() throws {
        #expect(try day("1970-01-01").isoWeekday == 4)
        #expect(try day("1969-12-28").isoWeekday == 7)
        #expect(try day("2026-02-15").isoWeekday == 7)
        #expect(try day("2026-10-10").isoWeekday == 6)
        #expect(try day("2026-12-07").isoWeekday == 1)
    }

    @Test("the 2026 Spring Festival: nine days off, 14 and 28 February worked")
    func springFestival2026() throws {
        for text in ["2026-02-15", "2026-02-16", "2026-02-20", "2026-02-23"] {
            #expect(try !calendar.isWorkingDay(day(text)), "\(text)")
            #expect(try calendar.holiday(on: day(text)) == "春节")
        }
        #expect(try calendar.isWorkingDay(day("2026-02-14")))  // a Saturday, worked
        #expect(try calendar.isWorkingDay(day("2026-02-28")))  // a Saturday, worked
        #expect(try calendar.isWorkingDay(day("2026-02-24")))
        #expect(try !calendar.isWorkingDay(day("2026-02-21")))  // a Saturday inside the holiday
        // Accepted on Friday 13 February: the 14th (worked Saturday) is day 1, then the holiday,
        // then 24, 25, 26, 27 February are days 2–5.
        #expect(try calendar.date(addingWorkingDays: 1, to: day("2026-02-13")) == day("2026-02-14"))
        #expect(try calendar.date(addingWorkingDays: 5, to: day("2026-02-13")) == day("2026-02-27"))
        // Day 6 is the worked Saturday 28 February, day 7 Monday 2 March.
        #expect(try calendar.date(addingWorkingDays: 6, to: day("2026-02-13")) == day("2026-02-28"))
        #expect(try calendar.date(addingWorkingDays: 7, to: day("2026-02-13")) == day("2026-03-02"))
        #expect(try calendar.workingDays(after: day("2026-02-13"), through: day("2026-03-02")) == 7)
    }

    @Test("Labour Day 2026: 1–5 May off, Saturday 9 May worked")
    func labourDay2026() throws {
        #expect(try calendar.date(addingWorkingDays: 1, to: day("2026-04-30")) == day("2026-05-06"))
        // 6, 7, 8 May (Wed–Fri), 9 May (worked Saturday), 11 May (Monday).
        #expect(try calendar.date(addingWorkingDays: 5, to: day("2026-04-30")) == day("2026-05-11"))
        #expect(try !calendar.isWorkingDay(day("2026-05-04")))
        #expect(try calendar.isWorkingDay(day("2026-05-09")))
        #expect(try !calendar.isWorkingDay(day("2026-05-10")))
    }

    @Test("Mid-Autumn and National Day 2026: 20 September and 10 October worked, 1–7 October off")
    func nationalDay2026() throws {
        #expect(try calendar.isWorkingDay(day("2026-09-20")))  // a Sunday, worked
        #expect(try !calendar.isWorkingDay(day("2026-09-25")))  // 中秋节, a Friday
        #expect(try calendar.holiday(on: day("2026-09-25")) == "中秋节")
        #expect(try calendar.holiday(on: day("2026-10-07")) == "国庆节")
        // Accepted Wednesday 30 September: 8 and 9 October (Thu, Fri), 10 October (worked
        // Saturday), then 12 October.
        #expect(try calendar.date(addingWorkingDays: 1, to: day("2026-09-30")) == day("2026-10-08"))
        #expect(try calendar.date(addingWorkingDays: 3, to: day("2026-09-30")) == day("2026-10-10"))
        #expect(try calendar.date(addingWorkingDays: 4, to: day("2026-09-30")) == day("2026-10-12"))
        // A 20-working-day statutory limit from Friday 18 September 2026, counted by hand:
        // 20 Sep (a worked Sunday) is day 1; 21–24 Sep 2–5; 28–30 Sep 6–8; 8, 9, 10 Oct 9–11;
        // 12–16 Oct 12–16; 19–22 Oct 17–20.
        #expect(try calendar.date(addingWorkingDays: 20, to: day("2026-09-18")) == day("2026-10-22"))
    }

    @Test("the 2026 New Year: 1–3 January off, Sunday 4 January worked; 2025's year end runs into it")
    func newYear() throws {
        #expect(try calendar.date(addingWorkingDays: 1, to: day("2025-12-31")) == day("2026-01-04"))
        #expect(try calendar.date(addingWorkingDays: 2, to: day("2025-12-31")) == day("2026-01-05"))
        #expect(try !calendar.isWorkingDay(day("2025-01-01")))
        #expect(try calendar.isWorkingDay(day("2025-01-26")))  // 2025's worked Sunday before the Spring Festival
        #expect(try calendar.holiday(on: day("2025-10-08")) == "国庆节、中秋节")
    }

    @Test("an ordinary week: five working days, the weekend off, 0 days adds nothing")
    func ordinaryWeek() throws {
        #expect(try calendar.date(addingWorkingDays: 5, to: day("2026-12-04")) == day("2026-12-11"))
        #expect(try calendar.date(addingWorkingDays: 0, to: day("2026-12-05")) == day("2026-12-05"))
        #expect(try calendar.workingDays(after: day("2026-12-11"), through: day("2026-12-04")) == 0)
        #expect(try calendar.workingDays(after: day("2026-12-06"), through: day("2026-12-13")) == 5)
    }

    @Test("a date outside the published years is an error naming the years, never a guess")
    func outsideYears() throws {
        #expect(throws: CalendarError.outsidePublishedYears(date: try day("2027-01-04"), known: [2025, 2026])) {
            try calendar.isWorkingDay(day("2027-01-04"))
        }
        // Counting into an unpublished year fails rather than assuming weekends only.
        #expect(throws: CalendarError.outsidePublishedYears(date: try day("2027-01-01"), known: [2025, 2026])) {
            try calendar.date(addingWorkingDays: 30, to: day("2026-12-15"))
        }
        #expect(throws: CalendarError.negativeCount(-1)) {
            try calendar.date(addingWorkingDays: -1, to: day("2026-12-15"))
        }
        let message = "\(CalendarError.outsidePublishedYears(date: try day("2024-05-01"), known: [2025, 2026]))"
        #expect(message.contains("2025, 2026"))
    }

    @Test("every published year names its notice")
    func sources() throws {
        #expect(calendar.knownYears == [2025, 2026])
        for year in calendar.years {
            #expect(year.source.title.contains("\(year.year)年部分节假日安排的通知"))
            #expect(year.source.issuer == "国务院办公厅")
        }
        #expect(calendar.years[0].source.reference == "国办发明电〔2024〕12号")
    }

    /// The schedule text with one substitution, for the bad-input cases.
    func schedule(replacing old: String, with new: String) throws -> Data {
        #expect(OfficialSchedules.json.contains(old), "the fixture no longer contains \(old)")
        return Data(OfficialSchedules.json.replacingOccurrences(of: old, with: new).utf8)
    }

    func reason(_ data: Data) -> String? {
        do {
            _ = try PublishedCalendar(json: data)
            return nil
        } catch {
            guard case .malformed(let reason) = error else { return "unexpected \(error)" }
            return reason
        }
    }

    @Test("a schedule that does not check is refused with the reason")
    func badSchedules() throws {
        // A make-up working day that is a weekday: 2026-02-13 was a Friday.
        #expect(
            reason(try schedule(replacing: "\"2026-02-14\", \"2026-02-28\"", with: "\"2026-02-13\", \"2026-02-28\""))?
                .contains("is not a weekend day") == true
        )
        // A make-up day inside a holiday.
        #expect(
            reason(try schedule(replacing: "\"2026-02-14\", \"2026-02-28\"", with: "\"2026-02-21\", \"2026-02-28\""))?
                .contains("both a holiday and a make-up working day") == true
        )
        #expect(
            reason(try schedule(replacing: "\"2026-02-23\"", with: "\"2026-02-30\""))?.contains("not a real date")
                == true
        )
        #expect(
            reason(try schedule(replacing: "\"2026-02-23\"", with: "\"2027-02-23\""))?.contains("outside the year")
                == true
        )
        #expect(
            reason(try schedule(replacing: "\"2026-02-23\"", with: "\"2026-02-01\""))?.contains("ends before it starts")
                == true
        )
        #expect(
            reason(try schedule(replacing: "\"year\": 2026", with: "\"year\": 2025"))?.contains("given twice") == true
        )
        #expect(
            reason(try schedule(replacing: "ds.working-calendar/1", with: "ds.working-calendar/9"))?.contains("format")
                == true
        )
        #expect(reason(try schedule(replacing: "[6, 7]", with: "[6, 8]"))?.contains("weekend") == true)
        // Two holidays claiming one day.
        #expect(
            reason(try schedule(replacing: "\"from\": \"2026-04-04\"", with: "\"from\": \"2026-02-23\""))?
                .contains("two holidays") == true
        )
        #expect(reason(Data("{}".utf8))?.contains("does not read as a schedule") == true)
        #expect(reason(Data([0xFF, 0x00]))?.contains("does not read as a schedule") == true)
    }

    @Test("random bytes and mangled schedules never crash the reader")
    func fuzz() {
        var random = SeededRandomSource(seed: 20_261_207)
        let text = Array(OfficialSchedules.json.utf8)
        for round in 0..<500 {
            var bytes = text
            let edits = 1 + round % 8
            for _ in 0..<edits {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                }
            }
            // Either a calendar that checks or a malformed-schedule error; never another outcome.
            if let reason = reason(Data(bytes)) { #expect(!reason.hasPrefix("unexpected"), "\(reason)") }
        }
    }

    /// Another implementation of the port: weekends off, one local closure, 2030 only.
    struct LocalCalendar: WorkingCalendar {
        var knownYears: [Int] { [2030] }
        var closure: CalendarDate
        var closedEveryDay = false

        func holiday(on date: CalendarDate) throws(CalendarError) -> String? {
            guard date.year == 2030 else { throw .outsidePublishedYears(date: date, known: knownYears) }
            return date == closure || closedEveryDay ? "closure" : nil
        }

        func isWorkingDay(_ date: CalendarDate) throws(CalendarError) -> Bool {
            try holiday(on: date) == nil && date.isoWeekday < 6
        }
    }

    @Test("the deadline arithmetic serves any implementation of the port, and ends on one without working days")
    func otherCalendar() throws {
        let local = LocalCalendar(closure: try day("2030-03-04"))
        // From Friday 1 March 2030: Monday 4 March closed, 5–8 March days 1–4, Monday 11 March day 5.
        #expect(try local.date(addingWorkingDays: 5, to: day("2030-03-01")) == day("2030-03-11"))
        #expect(try local.workingDays(after: day("2030-03-01"), through: day("2030-03-11")) == 5)
        let closed = LocalCalendar(closure: try day("2030-03-04"), closedEveryDay: true)
        #expect(throws: CalendarError.outsidePublishedYears(date: try day("2031-01-01"), known: [2030])) {
            try closed.date(addingWorkingDays: 1, to: day("2030-01-01"))
        }
    }
}
