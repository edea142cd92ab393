import Foundation
import SocietyCore
import SocietyHealth
import SocietyJSON
import Testing

@Suite("Family-doctor service, in memory")
struct FamilyDoctorServiceTests {
    @Test("signing: active at once, one current contract per resident, renewal and termination")
    func signing() async throws {
        let city = try await HealthFixture()
        try await city.team(capacity: 3)
        let resident = try city.resident(1)
        let contract = try await city.service.sign(resident, team: Identifier("team-1"), package: city.basic)
        #expect(contract.state == .active)
        #expect(contract.lastDay == (try city.date("2027-11-28")))
        await #expect(throws: HealthError.residentAlreadyContracted) {
            try await city.service.sign(resident, team: Identifier("team-1"), package: city.basic)
        }
        await #expect(throws: HealthError.unknownTeam("team-x")) {
            try await city.service.sign(try city.resident(2), team: Identifier("team-x"), package: city.basic)
        }
        await #expect(throws: HealthError.unknownPackage("gold")) {
            try await city.service.sign(try city.resident(2), team: Identifier("team-1"), package: Identifier("gold"))
        }
        let successor = try await city.service.renew(contract.id, years: 2)
        #expect(successor.state == .signed)
        #expect(successor.renews == contract.id)
        #expect(successor.term.from == (try city.date("2027-11-29")))
        #expect(try await city.service.contract(contract.id).state == .renewed(by: successor.id))
        #expect(try await city.service.currentContract(of: resident)?.id == successor.id)
        await #expect(throws: HealthError.illegalTransition(from: "renewed", event: "renew")) {
            try await city.service.renew(contract.id)
        }
        #expect(try await city.service.load(of: Identifier("team-1")).current == 1)
        // The successor becomes active when its term begins, and expires after it.
        let moved = try await city.service.advance(to: city.date("2027-12-01"))
        #expect(moved.activated == 1)
        #expect(try await city.service.contract(successor.id).state == .active)
        let ended = try await city.service.advance(to: city.date("2029-12-01"))
        #expect(ended.expired == 1)
        #expect(try await city.service.currentContract(of: resident) == nil)
        // Once the old contract is gone the resident may sign again.
        let again = try await city.service.sign(resident, team: Identifier("team-1"), package: city.basic)
        let terminated = try await city.service.terminate(again.id, reason: .movedAway)
        #expect(terminated.state == .terminated(.movedAway, on: city.today))
        await #expect(throws: HealthError.illegalTransition(from: "terminated", event: "terminate")) {
            try await city.service.terminate(again.id, reason: .movedAway)
        }
    }

    @Test("a team never goes over its capacity, and its capacity cannot drop below its contracts")
    func capacity() async throws {
        let city = try await HealthFixture()
        try await city.team(capacity: 2)
        for n in 1...2 {
            _ = try await city.service.sign(try city.resident(n), team: Identifier("team-1"), package: city.basic)
        }
        await #expect(throws: HealthError.teamAtCapacity(team: "team-1", capacity: 2)) {
            try await city.service.sign(try city.resident(3), team: Identifier("team-1"), package: city.basic)
        }
        await #expect(throws: HealthError.teamAtCapacity(team: "team-1", capacity: 1)) {
            try await city.team(capacity: 1)
        }
        try await city.team(capacity: 3)
        _ = try await city.service.sign(try city.resident(3), team: Identifier("team-1"), package: city.basic)
    }

    @Test("concurrent signing: exactly `capacity` succeed, nobody holds two contracts")
    func concurrentSigning() async throws {
        try await Self.signConcurrently(try await HealthFixture())
    }

    /// 40 residents, each trying three times at once to join a team of 25: 120 concurrent
    /// attempts, of which exactly 25 succeed, none twice for one resident.
    static func signConcurrently<Store>(_ city: HealthFixture<Store>) async throws {
        let capacity = 25
        try await city.team(capacity: capacity)
        let residents = try (0..<40).map { try city.resident($0) }
        let service = city.service
        let basic = try city.basic
        let team = try Identifier<DoctorTeam>("team-1")
        let outcomes = try await withThrowingTaskGroup(of: (Int, Result<String, HealthError>).self) { group in
            for attempt in 0..<120 {
                let index = attempt % residents.count
                let resident = residents[index]
                group.addTask {
                    do throws(HealthError) {
                        let contract = try await service.sign(resident, team: team, package: basic)
                        return (index, .success(contract.id.rawValue))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var all: [(Int, Result<String, HealthError>)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let signed = outcomes.filter { if case .success = $0.1 { true } else { false } }
        #expect(signed.count == capacity)
        #expect(Set(signed.map(\.0)).count == capacity, "a resident got two contracts")
        for (_, outcome) in outcomes {
            guard case .failure(let error) = outcome else { continue }
            #expect(
                error == .residentAlreadyContracted || error == .teamAtCapacity(team: "team-1", capacity: capacity)
            )
        }
        #expect(try await service.load(of: team).current == capacity)
        #expect(try await service.contracts(of: team).count == capacity)
    }

    @Test("priority groups come from facts, each with its rule and the facts it used")
    func priorityGroups() async throws {
        let city = try await HealthFixture()
        let elder = try city.resident(11, born: "1950-03-01")
        let entered = FactSource.entered(by: "clerk-7")
        try await city.service.record(
            [
                HealthFact(.diagnosis(.hypertension), from: city.date("2024-05-01"), source: entered),
                HealthFact(.livingAlone, from: city.date("2020-01-01"), source: entered),
                HealthFact(
                    .assistance(.minimumLiving),
                    from: city.date("2023-01-01"),
                    until: city.date("2025-12-31"),
                    source: entered
                ),
            ],
            for: elder,
            district: DivisionCode("321202")
        )
        let groups = try await city.service.priorityGroups(of: elder)
        #expect(groups.map(\.group) == [.elderly, .hypertension, .elderlyLivingAlone])
        #expect(groups[0].rule == "age-65-plus.v1")
        #expect(groups[0].facts == ["age 76 on 2026-11-29 (birth date from the identity number)"])
        #expect(groups[1].facts == ["diagnosis hypertension (I10) since 2024-05-01, entered by clerk-7"])
        // The dibao fact ended: it counted in 2025, not now.
        let then = try await city.service.priorityGroups(of: elder, on: city.date("2025-06-01"))
        #expect(then.map(\.group).contains(.minimumLiving))

        let child = try city.resident(12, born: "2022-06-01")
        #expect(try await city.service.priorityGroups(of: child).map(\.rule) == ["age-0-6.v1"])
        let mother = try city.resident(14, born: "1995-04-04")
        try await city.service.record(
            [
                HealthFact(
                    .pregnancy(expectedDelivery: city.date("2027-02-01")),
                    from: city.date("2026-06-01"),
                    source: entered
                )
            ],
            for: mother,
            district: DivisionCode("321202")
        )
        #expect(try await city.service.priorityGroups(of: mother).map(\.group) == [.pregnant])
        #expect(try await city.service.priorityGroups(of: mother, on: city.date("2027-03-20")).isEmpty)
    }

    @Test("facts received by envelope keep the envelope's digest and issuer")
    func factsByEnvelope() async throws {
        let city = try await HealthFixture()
        let resident = try city.resident(21, born: "1980-01-01")
        let notice = try await city.notice(
            service: "ca.assistance-status",
            data: [
                "resident": .string(resident.unmasked), "district": "321204",
                "facts": [["kind": "assistance", "status": "extremePoverty", "from": "2026-01-01"]],
            ]
        )
        let profile = try await city.service.record(notice)
        guard case .envelope(let digest, let issuer, _) = profile.facts.first?.source else {
            Issue.record("no envelope provenance")
            return
        }
        #expect(digest.hasPrefix("sha256:"))
        #expect(issuer.text == "113212000142871106/assistance")
        let groups = try await city.service.priorityGroups(of: resident)
        #expect(groups.map(\.group) == [.extremePoverty])
        #expect(groups[0].facts[0].contains("envelope sha256:"))
        let bad = try await city.notice(
            service: "ca.assistance-status",
            data: ["resident": .string(resident.unmasked), "district": "321204", "facts": [["kind": "rich"]]]
        )
        await #expect(throws: HealthError.self) { try await city.service.record(bad) }
    }

    @Test("follow-ups are planned by group, visits close them, overdue ones are listed per team")
    func followUps() async throws {
        let city = try await HealthFixture(today: "2026-01-10")
        try await city.team()
        let patient = try city.resident(31, born: "1970-01-01")
        try await city.service.record(
            [HealthFact(.diagnosis(.diabetes), from: city.date("2025-01-01"), source: .entered(by: "gp-1"))],
            for: patient,
            district: DivisionCode("321202")
        )
        let contract = try await city.service.sign(patient, team: Identifier("team-1"), package: Identifier("chronic"))
        let plan = try await city.service.followUps(of: contract.id)
        // Diabetes: quarterly, at least four a year.
        #expect(plan.map(\.due.iso8601) == ["2026-04-10", "2026-07-10", "2026-10-10"])
        #expect(plan.allSatisfy { $0.group == .diabetes })
        let healthy = try await city.service.sign(
            try city.resident(32, born: "1990-01-01"),
            team: Identifier("team-1"),
            package: city.basic
        )
        #expect(try await city.service.followUps(of: healthy.id).isEmpty)

        let overdue = try await city.service.overdueFollowUps(team: Identifier("team-1"), on: city.date("2026-08-01"))
        #expect(overdue.map(\.due.iso8601) == ["2026-04-10", "2026-07-10"])
        let closed = try await city.service.recordVisit(
            FollowUpVisit(date: city.date("2026-07-30"), member: 1, mode: .home, note: "HbA1c 7.1%"),
            contract: contract.id,
            group: .diabetes
        )
        #expect(closed.due.iso8601 == "2026-04-10")
        #expect(
            try await city.service.overdueFollowUps(team: Identifier("team-1"), on: city.date("2026-08-01")).count == 1
        )
        await #expect(throws: HealthError.noOpenFollowUp(contract: contract.id.rawValue, group: .hypertension)) {
            try await city.service.recordVisit(
                FollowUpVisit(date: city.date("2026-07-30"), member: 1, mode: .clinic),
                contract: contract.id,
                group: .hypertension
            )
        }
        await #expect(throws: HealthError.self) {
            try await city.service.recordVisit(
                FollowUpVisit(date: city.date("2026-07-30"), member: 9, mode: .clinic),
                contract: contract.id,
                group: .diabetes
            )
        }
        // Terminating withdraws the open follow-ups still to come.
        try await city.service.terminate(contract.id, reason: .residentWithdrew)
        #expect(try await city.service.followUps(of: contract.id).count == 3 - 2)
    }

    @Test("low-income residents without a contract, per district")
    func lowIncomeWithoutContract() async throws {
        let city = try await HealthFixture()
        try await city.team()
        let source = FactSource.entered(by: "ca-sync")
        let hailing = try DivisionCode("321202")
        let jiangyan = try DivisionCode("321204")
        let a = try city.resident(41, born: "1960-01-01")
        let b = try city.resident(42, born: "1961-01-01")
        let c = try city.resident(43, born: "1962-01-01")
        let d = try city.resident(44, born: "1963-01-01")
        try await city.service.record(
            [HealthFact(.assistance(.minimumLiving), from: city.date("2025-01-01"), source: source)],
            for: a,
            district: hailing
        )
        try await city.service.record(
            [HealthFact(.assistance(.nearMinimumLiving), from: city.date("2025-01-01"), source: source)],
            for: b,
            district: hailing
        )
        try await city.service.record(
            [HealthFact(.assistance(.extremePoverty), from: city.date("2025-01-01"), source: source)],
            for: c,
            district: jiangyan
        )
        try await city.service.record(
            [
                HealthFact(
                    .assistance(.minimumLiving),
                    from: city.date("2020-01-01"),
                    until: city.date("2024-01-01"),
                    source: source
                )
            ],
            for: d,
            district: jiangyan
        )
        _ = try await city.service.sign(b, team: Identifier("team-1"), package: city.basic)
        let all = try await city.service.uncontractedLowIncome()
        #expect(all == [hailing: [a], jiangyan: [c]])
        #expect(try await city.service.uncontractedLowIncome(in: jiangyan) == [jiangyan: [c]])
    }
}
