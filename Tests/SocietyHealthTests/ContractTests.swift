import SocietyCore
import SocietyHealth
import Testing

/// The contract state machine on its own: every legal move, and every illegal one refused with the
/// contract unchanged.
@Suite("Family-doctor contract life cycle")
struct ContractLifecycleTests {
    static let start = (try? CalendarDate(iso8601: "2026-12-01")) ?? CalendarDate(daysSinceEpoch: 0)

    func contract() throws -> FamilyDoctorContract {
        try FamilyDoctorContract(
            id: Identifier("fdc-1"),
            resident: ResidentID("11010519491231002X"),
            team: Identifier("team-1"),
            package: Identifier("basic"),
            start: Self.start,
            years: 1,
            signedOn: Self.start.adding(days: -5)
        )
    }

    @Test("a term is whole years, at least one; it ends the day before the anniversary")
    func term() throws {
        let one = try contract()
        #expect(one.lastDay == (try CalendarDate(iso8601: "2027-11-30")))
        for years in [0, -1, FamilyDoctorContract.maximumYears + 1] {
            #expect(throws: HealthError.invalidTerm(years: years)) {
                try FamilyDoctorContract(
                    id: Identifier("fdc-2"),
                    resident: ResidentID("11010519491231002X"),
                    team: Identifier("team-1"),
                    package: Identifier("basic"),
                    start: Self.start,
                    years: years,
                    signedOn: Self.start
                )
            }
        }
    }

    @Test("legal: signed → active → renewed | terminated | expired; signed → terminated")
    func legalMoves() throws {
        var renewed = try contract()
        try renewed.apply(.activate(on: Self.start))
        #expect(renewed.state == .active)
        try renewed.apply(.renew(successor: Identifier("fdc-9")))
        #expect(renewed.state == .renewed(by: try Identifier("fdc-9")))
        #expect(!renewed.state.isCurrent)

        var terminated = try contract()
        try terminated.apply(.activate(on: Self.start.adding(days: 3)))
        try terminated.apply(.terminate(.movedAway, on: Self.start.adding(days: 40)))
        #expect(terminated.state == .terminated(.movedAway, on: Self.start.adding(days: 40)))

        var expired = try contract()
        try expired.apply(.activate(on: Self.start))
        try expired.apply(.expire(on: expired.lastDay.adding(days: 1)))
        #expect(expired.state.name == "expired")

        var withdrawn = try contract()
        try withdrawn.apply(.terminate(.residentWithdrew, on: Self.start.adding(days: -1)))
        #expect(withdrawn.state.name == "terminated")
    }

    /// The illegal moves from each state, as (setup, event, expected from-state).
    static let illegal: [(String, [ContractEvent], ContractEvent)] = {
        let day = start
        let successor = (try? Identifier<FamilyDoctorContract>("fdc-9"))
        guard let successor else { return [] }
        return [
            ("signed", [], .renew(successor: successor)),
            ("signed", [], .expire(on: day.adding(years: 2))),
            ("active", [.activate(on: day)], .activate(on: day)),
            ("renewed", [.activate(on: day), .renew(successor: successor)], .activate(on: day)),
            ("renewed", [.activate(on: day), .renew(successor: successor)], .terminate(.deceased, on: day)),
            ("renewed", [.activate(on: day), .renew(successor: successor)], .renew(successor: successor)),
            ("terminated", [.terminate(.residentWithdrew, on: day)], .activate(on: day)),
            ("terminated", [.terminate(.residentWithdrew, on: day)], .terminate(.deceased, on: day)),
            ("expired", [.activate(on: day), .expire(on: day.adding(years: 1))], .renew(successor: successor)),
            ("expired", [.activate(on: day), .expire(on: day.adding(years: 1))], .expire(on: day.adding(years: 2))),
        ]
    }()

    @Test("illegal moves throw and change nothing", arguments: 0..<10)
    func illegalMoves(index: Int) throws {
        let (from, setup, event) = Self.illegal[index]
        var contract = try contract()
        for step in setup { try contract.apply(step) }
        let before = contract
        #expect(throws: HealthError.illegalTransition(from: from, event: event.name)) { try contract.apply(event) }
        #expect(contract == before)
    }

    @Test("dates are checked: activation inside the term, expiry only after it")
    func dates() throws {
        var early = try contract()
        #expect(throws: HealthError.self) { try early.apply(.activate(on: Self.start.adding(days: -1))) }
        #expect(early.state == .signed)
        var active = try contract()
        try active.apply(.activate(on: Self.start))
        #expect(throws: HealthError.self) { try active.apply(.expire(on: active.lastDay)) }
        #expect(active.state == .active)
    }

    @Test("a team needs a GP, unique member numbers, capacity ≥ 1 and a FHIR-safe id")
    func teams() throws {
        let institution = Organization(
            creditCode: try CreditCode("91320214745555318W"),
            name: "中心",
            kind: .hospital,
            division: try DivisionCode("321202")
        )
        let gp = TeamMember(number: 1, name: try PersonName("王建国"), role: .generalPractitioner)
        let nurse = TeamMember(number: 1, name: try PersonName("李敏"), role: .nurse)
        #expect(throws: HealthError.invalidTeam("a team needs a general practitioner")) {
            try DoctorTeam(id: Identifier("t"), name: "t", institution: institution, members: [nurse], capacity: 5)
        }
        #expect(throws: HealthError.invalidTeam("member numbers must be unique")) {
            try DoctorTeam(id: Identifier("t"), name: "t", institution: institution, members: [gp, nurse], capacity: 5)
        }
        #expect(throws: HealthError.self) {
            try DoctorTeam(id: Identifier("t"), name: "t", institution: institution, members: [gp], capacity: 0)
        }
        #expect(throws: HealthError.self) {
            try DoctorTeam(id: Identifier("team_1"), name: "t", institution: institution, members: [gp], capacity: 5)
        }
        let team = try DoctorTeam(id: Identifier("t"), name: "t", institution: institution, members: [gp], capacity: 5)
        #expect(team.description.contains("王**"))
        #expect(!team.description.contains("王建国"))
    }

    @Test("packages: shares add up, the basic package is free to the resident")
    func packages() throws {
        #expect(try ServicePackage.basic.residentShare == .zero)
        #expect(try ServicePackage.chronicDisease.residentShare == Money(fen: 8_000))
        let item = ServiceItem(code: "x", name: "x", timesPerYear: 1)
        #expect(throws: HealthError.invalidPackage("shares do not add up to the price ¥2.00")) {
            try ServicePackage(
                id: Identifier("p"),
                name: "p",
                kind: .personalised,
                items: [item],
                price: Money(fen: 200),
                shares: [CostShare(payer: .resident, amount: Money(fen: 100))]
            )
        }
        #expect(throws: HealthError.invalidPackage("the basic package is free to the resident")) {
            try ServicePackage(
                id: Identifier("p"),
                name: "p",
                kind: .basic,
                items: [item],
                price: Money(fen: 200),
                shares: [CostShare(payer: .resident, amount: Money(fen: 200))]
            )
        }
    }
}
