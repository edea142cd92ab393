import SocietyCore
import SocietyServices
import Testing

@Suite("The provisional calendar past the published years")
struct ProvisionalCalendarTests {
    func day(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }

    @Test("published years answered by the schedule; the next year by weekdays less the fixed-date holidays")
    func provisional() throws {
        let official = try PublishedCalendar.official()
        let calendar = ProvisionalWorkingCalendar(base: official)
        let last = official.knownYears.max() ?? 0
        #expect(calendar.knownYears == official.knownYears + [last + 1])
        // 2026's National Day and its make-up Saturday come from the notice.
        #expect(try !calendar.isWorkingDay(day("2026-10-01")) && calendar.isWorkingDay(day("2026-10-10")))
        #expect(!calendar.isProvisional(try day("2026-12-31")))
        // One working day after 2026-12-31: 1 January is a holiday by statute, then a weekend.
        let next = try calendar.date(addingWorkingDays: 1, to: day("2026-12-31"))
        #expect(next == (try day("2027-01-04")) && calendar.isProvisional(next))
        #expect(try calendar.holiday(on: day("2027-05-02")) == "劳动节")
        #expect(try calendar.holiday(on: day("2027-10-03")) == "国庆节" && !calendar.isWorkingDay(day("2027-10-03")))
        #expect(try calendar.isWorkingDay(day("2027-10-04")))
        #expect(throws: CalendarError.self) { try calendar.isWorkingDay(day("2028-01-03")) }
        // The official calendar alone still refuses the unpublished year.
        #expect(throws: CalendarError.self) { try official.date(addingWorkingDays: 1, to: day("2026-12-31")) }
        #expect(ProvisionalWorkingCalendar(base: official, provisionalYears: 0).knownYears == official.knownYears)
    }
}
