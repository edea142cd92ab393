import Foundation
import SocietyCore
import SocietyEmployment
import SocietyOneCard
import SocietyServices
import SocietyTesting
import Testing

@Suite("Unemployment-insurance benefit rules")
struct BenefitPolicyTests {
    @Test(
        "months follow the contribution years (12 / 18 / 24), carried-over months add, capped at 24",
        arguments: [
            (11, 0, 0), (12, 0, 12), (59, 0, 12), (60, 0, 18), (119, 0, 18), (120, 0, 24), (300, 0, 24),
            (12, 8, 20), (60, 10, 24), (24, 5, 17),
        ]
    )
    func entitlement(contributions: Int, carried: Int, months: Int) {
        #expect(
            UnemploymentBenefit.Policy.national.entitlement(contributionMonths: contributions, carriedOver: carried)
                .months == months
        )
    }

    @Test("the statement names the numbers it used")
    func statement() {
        let (months, statement) = UnemploymentBenefit.Policy.national.entitlement(
            contributionMonths: 130,
            carriedOver: 6
        )
        #expect(months == 24)
        #expect(
            statement
                == "130 months of contributions (10 full years) give 24 months, plus 6 unused from the previous unemployment, capped at 24: 24 months"
        )
    }
}

@Suite("Unemployment registration")
struct RegistrationTests {
    @Test("bad registrations are refused and nothing is kept")
    func invalid() async throws {
        let city = try EmploymentFixture()
        let person = try city.resident(1)
        let day = try city.date("2026-11-02")
        #expect(throws: EmploymentError.self) {
            try UnemploymentRegistration(
                id: "reg-1",
                resident: person,
                district: DivisionCode("321202"),
                registeredOn: day,
                lostJobOn: day.adding(days: 1),
                jobLoss: .dismissed,
                industry: "C",
                seekingWork: true
            )
        }
        #expect(throws: EmploymentError.self) {
            try UnemploymentRegistration(
                id: "reg-1",
                resident: person,
                district: DivisionCode("321202"),
                registeredOn: day,
                lostJobOn: day,
                jobLoss: .dismissed,
                industry: "Z",
                seekingWork: true
            )
        }
        #expect(throws: EmploymentError.self) {
            try UnemploymentRegistration(
                id: "reg-1",
                resident: try city.resident(1, born: 2015),
                district: DivisionCode("321202"),
                registeredOn: day,
                lostJobOn: day,
                jobLoss: .dismissed,
                industry: "C",
                seekingWork: true
            )
        }
        await #expect(throws: EmploymentError.invalid("an id is 3–48 letters, digits or '-'")) {
            try await city.service.claimBenefit(id: "x", resident: person)
        }
        #expect(try await city.service.activeRegistration(of: person) == nil)
    }

    @Test("one active registration per person; ending twice is refused")
    func lifecycle() async throws {
        let city = try EmploymentFixture()
        let person = try city.resident(2)
        let first = try await city.register(person, id: "reg-2")
        #expect(try await city.register(person, id: "reg-2") == first, "registering again returns the one kept")
        await #expect(throws: EmploymentError.alreadyRegistered("reg-2")) {
            try await city.register(person, id: "reg-3")
        }
        let ended = try await city.service.end("reg-2", reason: .education, on: city.date("2026-11-20"))
        #expect(ended.ended?.reason == .education)
        #expect(ended.isActive(on: try city.date("2026-11-19")))
        #expect(!ended.isActive(on: try city.date("2026-11-20")))
        await #expect(throws: EmploymentError.registrationEnded("reg-2", on: try city.date("2026-11-20"))) {
            try await city.service.end("reg-2", reason: .military, on: city.date("2026-11-25"))
        }
        // Ended, the person may register again.
        try await city.register(person, id: "reg-4", on: "2026-11-26")
    }
}

@Suite("Unemployment-insurance claims and payments")
struct BenefitClaimTests {
    @Test("an eligible claim is approved with its months explained, and the contribution months restart")
    func approved() async throws {
        let city = try EmploymentFixture()
        let person = try city.resident(3)
        try await city.register(person, id: "reg-3")
        try await city.contributions(person, months: 70)
        let claim = try await city.service.claimBenefit(id: "ub-3", resident: person)
        #expect(claim.isApproved)
        #expect(claim.months == 18)
        #expect(claim.monthlyAmount == Money(fen: 186_300))
        #expect(claim.lifecycle.state == .completed(result: "approved"))
        #expect(
            claim.decision.checks.map(\.rule) == [
                "contributions-one-year", "registered", "involuntary-loss", "seeking-work", "no-claim-running",
                "entitlement",
            ]
        )
        #expect(claim.decision.explanation.contains("70 months of unemployment-insurance contributions ≥ 12"))
        #expect(try await city.service.contributions(of: person)?.months == 0)
        #expect(try await city.service.claimBenefit(id: "ub-3", resident: person) == claim, "the same claim again")
        // A second claim under the same registration is rejected, and kept with its reason.
        let again = try await city.service.claimBenefit(id: "ub-3b", resident: person)
        #expect(!again.isApproved)
        #expect(again.decision.explanation.contains("claim ub-3 already pays under this registration"))
        // The desk counts both on the shared life cycle.
        let records = try await city.store.read(purpose: Purpose(constant: "test.read")) { db in
            try await db.fetch(RecordQuery<ApplicationRecord>.all)
        }
        #expect(Set(records.map(\.application.id)) == ["ub-3", "ub-3b"])
    }

    @Test("each failed rule is named: voluntary loss, not seeking work, too few contributions, not registered")
    func rejected() async throws {
        let city = try EmploymentFixture()
        let quit = try city.resident(4)
        try await city.register(quit, id: "reg-4", loss: .resigned, seeking: false)
        try await city.contributions(quit, months: 8)
        let claim = try await city.service.claimBenefit(id: "ub-4", resident: quit)
        #expect(!claim.isApproved)
        #expect(claim.months == 0)
        #expect(claim.lifecycle.state == .completed(result: "rejected"))
        let failed = claim.decision.checks.filter { !$0.passed }.map(\.rule)
        #expect(failed == ["contributions-one-year", "involuntary-loss", "seeking-work", "entitlement"])
        #expect(claim.decision.explanation.contains("job lost by resigned, by the person's will"))
        #expect(try await city.service.contributions(of: quit)?.months == 8, "a rejected claim uses nothing up")

        let stranger = try city.resident(5)
        let none = try await city.service.claimBenefit(id: "ub-5", resident: stranger)
        #expect(
            none.decision.explanation
                == "not eligible: 0 months of unemployment-insurance contributions < 12; not registered as unemployed"
        )
    }

    @Test("paid through the one-card once a month, never twice, stopped by a new job; the fraud rule agrees")
    func payments() async throws {
        let city = try EmploymentFixture()
        let person = try city.resident(6)
        try await city.card(person, 6)
        try await city.register(person, id: "reg-6")
        try await city.contributions(person, months: 24)
        _ = try await city.service.claimBenefit(id: "ub-6", resident: person)

        let december = try PayPeriod("2026-12")
        let run = try await city.service.payBenefits(for: december)
        #expect(run.posted.map(\.instruction) == ["ub-ub-6-2026-12"])
        #expect(try await city.service.payBenefits(for: december).posted.isEmpty, "the month again pays nobody")
        #expect(
            try await city.oneCard.totals(programme: .unemploymentBenefit).byProgramme[.unemploymentBenefit]
                == Money(fen: 186_300)
        )

        // A new job from 10 January arrives by envelope, to the service and to the one-card.
        let notice = try await city.newJob(person, from: "2027-01-10")
        let ended = try #require(try await city.service.recordNewJob(notice))
        #expect(ended.ended?.reason == .newJob)
        #expect(ended.ended?.evidence?.isEmpty == false)
        try await city.oneCard.recordEmployment(
            try await city.exchange.delivered(
                from: "11321200014287313T/employment-registry",
                to: EmploymentFixture<InMemoryStore>.hrss,
                service: "hrss.employment-registrations",
                purpose: "onecard.monitoring",
                data: [
                    "registration": "job-6", "resident": .string(person.unmasked), "employer": "91320214745555318W",
                    "from": "2027-01-10",
                ]
            )
        )
        #expect(
            try await city.service.payBenefits(for: try PayPeriod("2027-01")).posted.isEmpty,
            "January has a job in it"
        )
        let rule = FraudMonitor(rules: [UnemploymentWhileEmployedRule()])
        #expect(try await rule.alerts(in: city.store).isEmpty, "a correct run raises nothing")

        // Planted: January paid anyway, straight to the one-card.
        _ = try await city.oneCard.submit(
            try PaymentInstruction(
                id: "planted-6",
                programme: .unemploymentBenefit,
                holder: person,
                period: try PayPeriod("2027-01"),
                amount: Money(fen: 186_300)
            )
        )
        let alerts = try await rule.alerts(in: city.store)
        #expect(alerts.map(\.instructions) == [["planted-6"]])
    }

    @Test("a claim pays its months and no more; unused months carry over to the next unemployment")
    func monthsAndCarryOver() async throws {
        let city = try EmploymentFixture()
        let person = try city.resident(7)
        try await city.card(person, 7)
        try await city.register(person, id: "reg-7", on: "2026-01-05")
        try await city.contributions(person, months: 13)
        try city.clock.move(to: "2026-01-06")
        let first = try await city.service.claimBenefit(id: "ub-7", resident: person)
        #expect(first.months == 12)
        for month in 1...4 {
            _ = try await city.service.payBenefits(for: try PayPeriod("2026-" + DecimalText.padded(month, width: 2)))
        }
        #expect(try await city.service.payments(of: "ub-7").count == 4)
        try await city.service.end("reg-7", reason: .newJob, on: city.date("2026-05-03"))
        #expect(try await city.service.payBenefits(for: try PayPeriod("2026-05")).posted.isEmpty)

        // Unemployed again a year later with 14 new months: 12 of their own and 8 carried over.
        try city.clock.move(to: "2027-07-01")
        try await city.register(person, id: "reg-7b", on: "2027-07-01")
        try await city.contributions(person, months: 14, last: "2027-06")
        let second = try await city.service.claimBenefit(id: "ub-7b", resident: person)
        #expect(second.months == 20)
        #expect(second.decision.explanation.contains("plus 8 unused from the previous unemployment"))

        // A claim of 12 months pays 12, not 13.
        let short = try city.resident(8)
        try await city.card(short, 8)
        try city.clock.move(to: "2026-01-06")
        try await city.register(short, id: "reg-8", on: "2026-01-05")
        try await city.contributions(short, months: 12)
        _ = try await city.service.claimBenefit(id: "ub-8", resident: short)
        var paid = 0
        for offset in 0..<14 {
            let day = try city.date("2026-01-01").adding(months: offset)
            paid += try await city.service.payBenefits(for: PayPeriod(containing: day)).posted.filter {
                $0.claim == "ub-8"
            }.count
        }
        #expect(paid == 12)
    }
}
