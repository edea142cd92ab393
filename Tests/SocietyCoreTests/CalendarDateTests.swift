import Foundation
import SocietyCore
import Testing

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test("days since epoch round-trip over four centuries")
    func daysRoundTrip() throws {
        var previous: CalendarDate?
        for days in stride(from: -150_000, through: 150_000, by: 1) {
            let date = CalendarDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            if let previous { #expect(previous < date) }
            previous = date
        }
    }

    @Test("known dates")
    func knownDates() throws {
        #expect(CalendarDate(daysSinceEpoch: 0).iso8601 == "1970-01-01")
        #expect(try CalendarDate(year: 2000, month: 2, day: 29).daysSinceEpoch == 11_016)
        #expect(try CalendarDate(iso8601: "2026-11-29").compact == "20261129")
    }

    @Test(
        "invalid dates are refused with the rule that failed",
        arguments: [
            ("2023-02-29", CalendarDate.ValidationError.dayOutOfRange(day: 29, month: 2, year: 2023)),
            ("1900-02-29", .dayOutOfRange(day: 29, month: 2, year: 1900)),
            ("2024-13-01", .monthOutOfRange(13)),
            ("2024-04-31", .dayOutOfRange(day: 31, month: 4, year: 2024)),
            ("2024/04/01", .malformed("2024/04/01")),
            ("0000-01-01", .yearOutOfRange(0)),
        ]
    )
    func invalid(text: String, error: CalendarDate.ValidationError) {
        #expect(throws: error) { try CalendarDate(iso8601: text) }
    }

    @Test("2000-02-29 is valid: divisible by 400")
    func leap2000() throws {
        #expect(try CalendarDate(iso8601: "2000-02-29").day == 29)
    }

    @Test("age in whole years (周岁), including a February 29 birthday")
    func age() throws {
        let birth = try CalendarDate(iso8601: "2000-02-29")
        #expect(birth.age(on: try CalendarDate(iso8601: "2001-02-28")) == 0)
        #expect(birth.age(on: try CalendarDate(iso8601: "2001-03-01")) == 1)
        #expect(birth.age(on: try CalendarDate(iso8601: "2004-02-29")) == 4)
        #expect(birth.adding(years: 1).iso8601 == "2001-02-28")
        #expect(try CalendarDate(iso8601: "2024-01-31").adding(months: 1).iso8601 == "2024-02-29")
    }

    @Test("a Date is read in China Standard Time")
    func chinaStandardTime() throws {
        // 2024-06-30T16:00:00Z is 2024-07-01 00:00 in Beijing.
        let instant = Date(timeIntervalSince1970: 1_719_763_200)
        #expect(CalendarDate(instant).iso8601 == "2024-07-01")
        #expect(CalendarDate(instant.addingTimeInterval(-1)).iso8601 == "2024-06-30")
        #expect(try CalendarDate(iso8601: "2024-07-01").startInstant == instant)
    }

    @Test("Codable as YYYY-MM-DD, and a bad string fails to decode")
    func codable() throws {
        let date = try CalendarDate(iso8601: "1988-07-30")
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["1988-07-30"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CalendarDate].self, from: Data(#"["1988-02-30"]"#.utf8))
        }
    }

    @Test("validity periods include both ends; long-term has no end")
    func validity() throws {
        let period = try ValidityPeriod(
            from: CalendarDate(iso8601: "2020-01-01"),
            until: CalendarDate(iso8601: "2040-01-01")
        )
        #expect(period.contains(try CalendarDate(iso8601: "2040-01-01")))
        #expect(!period.contains(try CalendarDate(iso8601: "2040-01-02")))
        #expect(!period.contains(try CalendarDate(iso8601: "2019-12-31")))
        let longTerm = try ValidityPeriod(from: CalendarDate(iso8601: "2020-01-01"), until: nil)
        #expect(longTerm.contains(try CalendarDate(iso8601: "2999-01-01")))
        #expect(throws: ValidityPeriod.ValidationError.self) {
            try ValidityPeriod(from: CalendarDate(iso8601: "2020-01-02"), until: CalendarDate(iso8601: "2020-01-01"))
        }
    }
}
