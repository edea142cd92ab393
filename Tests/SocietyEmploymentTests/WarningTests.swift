import Foundation
import SocietyCore
import SocietyEmployment
import SocietyTesting
import Testing

@Suite("Unemployment early warning")
struct WarningTests {
    /// `employed` contributing in `month` and `unemployed` registered, in `district` and `industry`.
    static func populate<Store>(
        _ city: EmploymentFixture<Store>,
        from first: Int,
        employed: Int,
        unemployed: Int,
        district: String,
        industry: String,
        month: String,
        registeredOn: String
    ) async throws {
        var histories: [ContributionHistory] = []
        for n in first..<(first + employed) {
            histories.append(
                try ContributionHistory(
                    resident: city.resident(n, born: 1970 + n % 30, female: n % 2 == 0),
                    months: 36,
                    lastMonth: month,
                    industry: industry,
                    district: DivisionCode(district),
                    on: city.date("2026-11-01")
                )
            )
        }
        try await city.service.record(histories)
        for n in (first + employed)..<(first + employed + unemployed) {
            try await city.register(
                try city.resident(n, born: 1970 + n % 30, female: n % 2 == 0),
                id: "reg-\(n)",
                on: registeredOn,
                district: district,
                industry: industry,
                dibao: n % 5 == 0
            )
        }
    }

    @Test("rates by district and industry, levels explained, small groups not rated, a rise raises the level")
    func warning() async throws {
        let city = try EmploymentFixture(today: "2026-12-01")
        // Hailing: 100 employed, 10 unemployed (9.1 %, alert). Gaogang: 200 and 5 (2.4 %, normal).
        // Jiangyan: 10 and 1 (too few).
        try await Self.populate(
            city,
            from: 1_000,
            employed: 100,
            unemployed: 10,
            district: "321202",
            industry: "C",
            month: "2026-11",
            registeredOn: "2026-11-03"
        )
        try await Self.populate(
            city,
            from: 2_000,
            employed: 200,
            unemployed: 5,
            district: "321203",
            industry: "F",
            month: "2026-11",
            registeredOn: "2026-08-03"
        )
        try await Self.populate(
            city,
            from: 3_000,
            employed: 10,
            unemployed: 1,
            district: "321204",
            industry: "F",
            month: "2026-11",
            registeredOn: "2026-11-03"
        )
        // August, three months earlier: Gaogang's five were already registered, Hailing's were not.
        let august = try await city.service.earlyWarning(month: "2026-08")
        #expect(august.cells.first { $0.dimension == "district" && $0.group == "321203" }?.unemployed == 5)

        let november = try await city.service.earlyWarning(month: "2026-11")
        // Kept, and read back without recomputing; a month never computed has none.
        #expect(try await city.service.keptWarning(month: "2026-11") == november)
        #expect(try await city.service.keptWarning(month: "2026-10") == nil)
        await #expect(throws: EmploymentError.self) { try await city.service.keptWarning(month: "2026-13") }
        let city_ = try #require(november.city)
        #expect(city_.unemployed == 16)
        #expect(city_.employed == 310)
        func cell(_ dimension: String, _ group: String) throws -> WarningCell {
            try #require(november.cells.first { $0.dimension == dimension && $0.group == group })
        }
        let hailing = try cell("district", "321202")
        #expect(hailing.level == .alert)
        #expect(hailing.explanation.hasPrefix("10 of 110 unemployed: 9.09 % ≥ alert 7.00 %"))
        #expect(try cell("district", "321203").level == .normal)
        #expect(try cell("district", "321204").level == .notRated)
        #expect(try cell("district", "321204").explanation == "labour force 11 < 30: too few to rate")
        // Manufacturing's rate has no earlier snapshot cell with employed people in August.
        #expect(try cell("industry", "C").rate.map { abs($0 - 10.0 / 110.0) < 1e-9 } == true)
        // Dibao is counted for the registered only.
        #expect(try cell("dibao", "yes").level == .notRated)
        #expect(try cell("dibao", "yes").unemployed == 4)
        let flagged = november.flagged()
        #expect(flagged.contains { $0.dimension == "district" && $0.group == "321202" })
        #expect(!flagged.contains { $0.dimension == "district" && $0.group == "321203" })

        // A trend: Gaogang in February with 2 more registered — 3.4 %, under the watch rate, but
        // 0.9 points up since November, which raises normal to watch.
        try city.clock.move(to: "2027-02-01")
        var histories: [ContributionHistory] = []
        for n in 2_000..<2_200 {
            histories.append(
                try ContributionHistory(
                    resident: city.resident(n, born: 1970 + n % 30, female: n % 2 == 0),
                    months: 39,
                    lastMonth: "2027-02",
                    industry: "F",
                    district: DivisionCode("321203"),
                    on: city.date("2027-02-01")
                )
            )
        }
        try await city.service.record(histories)
        for n in 4_000..<4_002 {
            try await city.register(
                try city.resident(n),
                id: "reg-\(n)",
                on: "2027-02-02",
                district: "321203",
                industry: "F"
            )
        }
        let february = try await city.service.earlyWarning(month: "2027-02")
        let gaogang = try #require(february.cells.first { $0.dimension == "district" && $0.group == "321203" })
        #expect(gaogang.rate.map { abs($0 - 7.0 / 207.0) < 1e-9 } == true)
        #expect(gaogang.level == .watch)
        #expect(gaogang.explanation.contains("points since 2026-11 ≥ 0.5: raised one level"), "\(gaogang.explanation)")
    }

    @Test("a month that is not YYYY-MM is refused")
    func badMonth() async throws {
        let city = try EmploymentFixture()
        await #expect(throws: EmploymentError.invalid("2026-13 is not YYYY-MM")) {
            try await city.service.earlyWarning(month: "2026-13")
        }
    }
}
