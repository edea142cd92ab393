import Foundation
import SocietyCore
import SocietyJSON
import SocietyOneCard
import SocietyTesting
import Testing

@Suite("Fraud monitoring rules on the in-memory store")
struct FraudMonitorTests {
    func alerts(_ city: OneCardFixture<InMemoryStore>, rule: any FraudRule) async throws -> [FraudAlert] {
        try await FraudMonitor(rules: [rule]).alerts(in: city.store)
    }

    @Test("paid after death: fires for a month after the death, not for the month of death, not once reversed")
    func paidAfterDeath() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(1)
        _ = try await city.service.submit([
            try city.payment("pension-09", 1, .pension, period: "2026-09"),
            try city.payment("pension-10", 1, .pension, period: "2026-10"),
            try city.payment("pension-11", 1, .pension, period: "2026-11"),
        ])
        #expect(try await alerts(city, rule: PaidAfterDeathRule()).isEmpty)
        let notice = try await city.notice(
            service: "ps.death-register",
            data: ["resident": .string(try city.resident(1).unmasked), "dateOfDeath": "2026-09-20"]
        )
        let death = try await city.service.recordDeath(notice)
        var found = try await alerts(city, rule: PaidAfterDeathRule())
        #expect(found.count == 1)
        #expect(found.first?.instructions == ["pension-10", "pension-11"])
        #expect(found.first?.envelopes == [death.envelopeDigest])
        #expect(found.first?.maskedHolder == (try city.resident(1).masked))
        _ = try await city.service.submit([
            try PaymentInstruction(
                id: "rev-10",
                programme: .pension,
                holder: city.resident(1),
                period: PayPeriod("2026-10"),
                amount: Money(fen: 96_000),
                kind: .reversal(of: "pension-10")
            ),
            try PaymentInstruction(
                id: "rev-11",
                programme: .pension,
                holder: city.resident(1),
                period: PayPeriod("2026-11"),
                amount: Money(fen: 96_000),
                kind: .reversal(of: "pension-11")
            ),
        ])
        found = try await alerts(city, rule: PaidAfterDeathRule())
        #expect(found.isEmpty)
    }

    @Test("the same period paid twice by one programme fires; other programmes or periods do not")
    func duplicate() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(2)
        try await city.activatedCard(3)
        _ = try await city.service.submit([
            try city.payment("a", 2, .minimumLiving, period: "2026-10"),
            try city.payment("b", 2, .minimumLiving, period: "2026-11"),
            try city.payment("c", 2, .fiscalSubsidy, period: "2026-10"),
            try city.payment("d", 3, .minimumLiving, period: "2026-10"),
        ])
        #expect(try await alerts(city, rule: DuplicatePeriodPaymentRule()).isEmpty)
        _ = try await city.service.submit(try city.payment("e", 2, .minimumLiving, period: "2026-10"))
        let found = try await alerts(city, rule: DuplicatePeriodPaymentRule())
        #expect(found.map(\.instructions) == [["a", "e"]])
        #expect(found.first?.rule == "duplicate-period")
        #expect(found.first?.ruleVersion == 1)
    }

    @Test("unemployment benefit while employed (registration by envelope) or pensioned fires")
    func unemployment() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(4)
        try await city.activatedCard(5)
        try await city.activatedCard(6)
        _ = try await city.service.submit([
            try city.payment("u4", 4, .unemploymentBenefit, period: "2026-10"),
            try city.payment("u5", 5, .unemploymentBenefit, period: "2026-10"),
            try city.payment("u6", 6, .unemploymentBenefit, period: "2026-10"),
            try city.payment("p6", 6, .pension, period: "2026-10"),
        ])
        // Person 4 was employed until 2026-09-30 (no overlap); person 5 from 2026-10-15 (overlap).
        for (n, from, until) in [(4, "2025-01-01", "2026-09-30"), (5, "2026-10-15", nil)] as [(Int, String, String?)] {
            var data: [String: JSONValue] = [
                "registration": .string("reg-\(n)"), "resident": .string(try city.resident(n).unmasked),
                "employer": "91320214745555318W", "from": .string(from),
            ]
            if let until { data["until"] = .string(until) }
            try await city.service.recordEmployment(
                try await city.notice(service: "hrss.employment-register", data: .object(JSONObject(data)))
            )
        }
        let found = try await alerts(city, rule: UnemploymentWhileEmployedRule())
        #expect(Set(found.flatMap(\.instructions)) == ["u5", "u6", "p6"])
        #expect(found.first { $0.instructions == ["u5"] }?.envelopes.count == 1)
    }

    @Test("a payment to a card reported lost fires; after restore it does not")
    func lostCard() async throws {
        let city = try OneCardFixture()
        let card = try await city.activatedCard(7)
        _ = try await city.service.submit(try city.payment("before", 7))
        try await city.service.apply(.reportLost, to: card.id)
        _ = try await city.service.submit(try city.payment("while-lost", 7, period: "2026-11"))
        try await city.service.apply(.restore, to: card.id)
        _ = try await city.service.submit(try city.payment("after", 7, period: "2026-12"))
        #expect(try await alerts(city, rule: PaymentToLostCardRule()).map(\.instructions) == [["while-lost"]])
    }

    @Test("three holders paid into one account fire; two do not")
    func sharedAccount() async throws {
        let city = try OneCardFixture()
        let shared = try city.account(999)
        for n in 10..<12 { try await city.activatedCard(n, account: shared) }
        try await city.activatedCard(13)
        _ = try await city.service.submit(try [10, 11, 13].map { try city.payment("s\($0)", $0) })
        #expect(try await alerts(city, rule: SharedAccountRule()).isEmpty)
        try await city.activatedCard(14, account: shared)
        _ = try await city.service.submit(try city.payment("s14", 14))
        let found = try await alerts(city, rule: SharedAccountRule())
        #expect(found.count == 1)
        #expect(found.first?.instructions == ["s10", "s11", "s14"])
        let holder = try city.resident(10).unmasked
        #expect(found.first.map { !$0.maskedHolder.contains(holder) } == true)
    }

    @Test("alerts carry no identity number or account in clear")
    func minimalData() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(20)
        _ = try await city.service.submit([try city.payment("x", 20), try city.payment("y", 20)])
        let data = try JSONEncoder().encode(try await FraudMonitor().alerts(in: city.store))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("duplicate-period"))
        #expect(!text.contains(try city.resident(20).unmasked))
        #expect(!text.contains(try city.account(20).unmasked))
    }

    @Test("scan reports the same alerts alerts(in:) collects, one at a time")
    func streaming() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(21)
        _ = try await city.service.submit([try city.payment("m", 21), try city.payment("n", 21)])
        let reported = Reported()
        try await FraudMonitor().scan(city.store) { await reported.append($0) }
        let alerts = await reported.alerts
        #expect(alerts == (try await FraudMonitor().alerts(in: city.store)))
        #expect(alerts.map(\.rule) == ["duplicate-period"])
    }
}

/// Alerts reported from the monitor's transaction, which may run on another thread.
private actor Reported {
    private(set) var alerts: [FraudAlert] = []

    func append(_ alert: FraudAlert) { alerts.append(alert) }
}
