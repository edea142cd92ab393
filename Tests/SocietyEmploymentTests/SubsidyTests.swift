import Foundation
import SocietyCore
import SocietyEmployment
import SocietyOneCard
import SocietyTesting
import Testing

@Suite("Difficulty certification and employment subsidies")
struct SubsidyTests {
    @Test("difficulty: every category the facts meet is certified and explained; none applies, refused")
    func difficulty() async throws {
        let city = try EmploymentFixture(today: "2026-12-01")
        let woman = try city.resident(10, born: 1981, female: true)
        try await city.register(woman, id: "reg-10", on: "2025-11-20")
        let certified = try await city.service.certifyDifficulty(
            id: "dif-10",
            resident: woman,
            facts: .init(dibaoHousehold: true)
        )
        #expect(certified.decision.isEligible)
        #expect(certified.categories == [.olderWorker, .dibaoHousehold, .longTermUnemployed])
        #expect(certified.decision.explanation.contains("olderWorker: woman aged 45 ≥ 40"))
        #expect(certified.decision.explanation.contains("longTermUnemployed: registered 12 months ≥ 12"))
        #expect(certified.lifecycle.state == .completed(result: "approved"))

        let young = try city.resident(11, born: 1996)
        try await city.register(young, id: "reg-11", on: "2026-10-01")
        let refused = try await city.service.certifyDifficulty(id: "dif-11", resident: young, facts: .init())
        #expect(!refused.decision.isEligible)
        #expect(refused.categories.isEmpty)
        #expect(refused.decision.explanation.contains("no category applies"))
        #expect(refused.decision.explanation.contains("man aged 29 < 50"))

        let unregistered = try await city.service.certifyDifficulty(
            id: "dif-12",
            resident: try city.resident(12, born: 1960),
            facts: .init(disabled: true)
        )
        #expect(!unregistered.decision.isEligible, "only a registered unemployed person is certified")
        #expect(unregistered.decision.explanation.contains("not registered as unemployed"))
    }

    @Test("skill subsidy: by level, within the window, once per certificate, paid through the one-card once")
    func skill() async throws {
        let city = try EmploymentFixture(today: "2026-12-01")
        let worker = try city.resident(13)
        try await city.card(worker, 13)
        try await city.contributions(worker, months: 30)
        let granted = try await city.service.applySkillSubsidy(
            id: "skill-13",
            resident: worker,
            level: .intermediate,
            certificate: "S202603130001",
            certified: city.date("2026-03-13")
        )
        #expect(granted.decision.isEligible)
        #expect(granted.amount == Money(fen: 150_000))
        let paid = try await city.service.paySubsidy("skill-13")
        #expect(paid.paidBy == "sub-skill-13")
        #expect(try await city.service.paySubsidy("skill-13") == paid, "paying again pays nothing")
        #expect(
            try await city.oneCard.totals(programme: .employmentSubsidy).byProgramme[.employmentSubsidy]
                == Money(fen: 150_000)
        )

        let twice = try await city.service.applySkillSubsidy(
            id: "skill-13b",
            resident: worker,
            level: .senior,
            certificate: "S202603130001",
            certified: city.date("2026-03-13")
        )
        #expect(!twice.decision.isEligible)
        #expect(twice.decision.explanation.contains("certificate already subsidised by skill-13"))
        await #expect(throws: EmploymentError.invalid("application skill-13b grants no subsidy")) {
            try await city.service.paySubsidy("skill-13b")
        }

        let late = try await city.service.applySkillSubsidy(
            id: "skill-13c",
            resident: worker,
            level: .junior,
            certificate: "S202411010002",
            certified: city.date("2024-11-01")
        )
        #expect(late.decision.checks.first { $0.rule == "claim-window" }?.passed == false)
        #expect(late.decision.explanation.contains("window closes 2025-11-01"))
    }

    @Test("startup subsidy: a registered founder, six months of operation, once per business")
    func startup() async throws {
        let city = try EmploymentFixture(today: "2026-12-01")
        let founder = try city.resident(14)
        try await city.register(founder, id: "reg-14", on: "2026-03-01")
        try await city.service.end("reg-14", reason: .selfEmployment, on: city.date("2026-05-10"))
        let business = try CreditCode("91320214745555318W")
        let early = try await city.service.applyStartupSubsidy(
            id: "start-14a",
            resident: founder,
            business: business,
            operatingSince: city.date("2026-07-01")
        )
        #expect(!early.decision.isEligible, "the registration had ended before the business began")
        let granted = try await city.service.applyStartupSubsidy(
            id: "start-14",
            resident: founder,
            business: business,
            operatingSince: city.date("2026-05-10")
        )
        #expect(granted.decision.isEligible, "\(granted.decision.explanation)")
        #expect(granted.amount == Money(fen: 500_000))
        let again = try await city.service.applyStartupSubsidy(
            id: "start-14b",
            resident: founder,
            business: business,
            operatingSince: city.date("2026-05-10")
        )
        #expect(again.decision.explanation.contains("the business was already subsidised by start-14"))
        try city.clock.move(to: "2026-08-01")
        let young = try await city.service.applyStartupSubsidy(
            id: "start-15",
            resident: founder,
            business: try CreditCode("113212000142871106"),
            operatingSince: city.date("2026-05-10")
        )
        #expect(young.decision.explanation.contains("2 months < 6"))
    }
}

@Suite("Job fairs")
struct JobFairTests {
    @Test("concurrent bookings never exceed the places; a person books once")
    func concurrent() async throws {
        let city = try EmploymentFixture()
        try await JobFairTests.race(city.service, city)
    }

    static func race<Store>(_ service: EmploymentService, _ city: EmploymentFixture<Store>) async throws {
        let fair = try JobFair(
            id: "fair-2026-12",
            name: "泰州市2026冬季招聘会",
            district: DivisionCode("321202"),
            date: city.date("2026-12-12"),
            capacity: 10
        )
        try await service.schedule(fair)
        let people = try (0..<40).map { try city.resident(100 + $0) }
        let outcomes = await withTaskGroup(of: Result<FairBooking, EmploymentError>.self) { group in
            for person in people {
                group.addTask {
                    do throws(EmploymentError) {
                        return .success(try await service.book("fair-2026-12", for: person))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var outcomes: [Result<FairBooking, EmploymentError>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let booked = outcomes.compactMap { try? $0.get() }
        #expect(booked.count == 10)
        #expect(Set(booked.map(\.place)) == Set(1...10))
        let full = outcomes.filter {
            if case .failure(.fairFull("fair-2026-12", capacity: 10)) = $0 { return true }
            return false
        }
        #expect(full.count == 30)
        #expect(try await service.fair("fair-2026-12").booked == 10)
        let someone = try #require(booked.first).resident
        await #expect(throws: EmploymentError.alreadyBooked("fair-2026-12")) {
            try await service.book("fair-2026-12", for: someone)
        }
        await #expect(throws: EmploymentError.notFound("job fair nowhere")) {
            try await service.book("nowhere", for: someone)
        }
    }
}
