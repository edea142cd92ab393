import Foundation
import SocietyCore
import SocietyJSON
import SocietyOneCard
import SocietyTesting
import Testing

@Suite("One-card service on the in-memory store")
struct OneCardServiceTests {
    @Test("at most one current card per person; replacement keeps the holder and kills the old card at once")
    func oneCardPerPerson() async throws {
        let city = try OneCardFixture()
        let card = try await city.activatedCard(1)
        await #expect(throws: OneCardError.holderAlreadyHasCard) {
            try await city.service.apply(
                holder: city.resident(1),
                generation: .third,
                issuingBank: city.bank,
                bankAccount: city.account(1),
                uses: []
            )
        }
        let successor = try await city.service.replace(card.id, newNumber: CardNumber("B00000001"))
        #expect(successor.holder == card.holder)
        #expect(successor.cardNumber?.unmasked == "B00000001")
        #expect(try await city.service.card(card.id).state == .replaced(by: successor.id))
        await #expect(throws: OneCardError.cardNotActive(state: "replaced")) {
            try await city.service.use(.transit, card: card.id, acceptedBy: "bus-1")
        }
        #expect(try await city.service.currentCard(of: city.resident(1))?.id == successor.id)
        try await city.service.apply(.activate, to: successor.id)
        #expect(try await city.service.use(.transit, card: successor.id, acceptedBy: "bus-1").use == .transit)
    }

    @Test("a death record received by envelope cancels the card and is kept with the envelope digest")
    func death() async throws {
        let city = try OneCardFixture()
        let card = try await city.activatedCard(2)
        let notice = try await city.notice(
            service: "ps.death-register",
            data: ["resident": .string(try city.resident(2).unmasked), "dateOfDeath": "2026-09-14"]
        )
        let record = try await city.service.recordDeath(notice)
        #expect(record.envelopeDigest.hasPrefix("sha256:"))
        #expect(
            try await city.service.card(card.id).state
                == .cancelled(.deceased(on: try CalendarDate(iso8601: "2026-09-14")))
        )
        #expect(try await city.service.currentCard(of: city.resident(2)) == nil)
        let bad = try await city.notice(
            service: "ps.death-register",
            data: ["resident": "123", "dateOfDeath": "2026-09-14"]
        )
        await #expect(throws: OneCardError.self) { try await city.service.recordDeath(bad) }
    }

    @Test("the same instruction never pays twice; a changed one under the same key is refused")
    func idempotency() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(3)
        let instruction = try city.payment("dibao-2026-10-3", 3)
        guard case .posted = try await city.service.submit(instruction) else {
            Issue.record("first submission did not post")
            return
        }
        for _ in 0..<3 {
            guard case .alreadyPosted = try await city.service.submit(instruction) else {
                Issue.record("a retry posted again")
                return
            }
        }
        await #expect(throws: OneCardError.conflictingInstruction(id: "dibao-2026-10-3")) {
            try await city.service.submit(try city.payment("dibao-2026-10-3", 3, fen: 96_001))
        }
        let totals = try await city.service.totals()
        #expect(totals.total == Money(fen: 96_000))
        #expect(totals.records == 1)
    }

    @Test("reversals: once, of a payment, matching it; totals net out")
    func reversals() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(4)
        _ = try await city.service.submit(try city.payment("p-1", 4, .pension, fen: 250_000))
        let reversal = try PaymentInstruction(
            id: "r-1",
            programme: .pension,
            holder: city.resident(4),
            period: PayPeriod("2026-10"),
            amount: Money(fen: 250_000),
            kind: .reversal(of: "p-1")
        )
        _ = try await city.service.submit(reversal)
        let again = try PaymentInstruction(
            id: "r-2",
            programme: .pension,
            holder: city.resident(4),
            period: PayPeriod("2026-10"),
            amount: Money(fen: 250_000),
            kind: .reversal(of: "p-1")
        )
        await #expect(throws: OneCardError.notReversible(id: "p-1", reason: "it was already reversed")) {
            try await city.service.submit(again)
        }
        let unknown = try PaymentInstruction(
            id: "r-3",
            programme: .pension,
            holder: city.resident(4),
            period: PayPeriod("2026-10"),
            amount: Money(fen: 1),
            kind: .reversal(of: "nope")
        )
        await #expect(throws: OneCardError.unknownInstruction(id: "nope")) { try await city.service.submit(unknown) }
        let totals = try await city.service.totals(programme: .pension)
        #expect(totals.total == .zero)
        #expect(totals.records == 2)
        #expect(try await city.service.verifyLedger().isBalanced)
    }

    @Test("a refused instruction refuses its whole batch and leaves the ledger as it was")
    func batchAtomicity() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(5)
        let batch = [try city.payment("b-1", 5), try city.payment("b-2", 6)]  // person 6 has no card
        await #expect(throws: OneCardError.noCurrentCard) { try await city.service.submit(batch) }
        #expect(try await city.service.totals().records == 0)
    }

    @Test("ledger balance holds under random pay / retry / reverse sequences (property, 3 rounds × 150 steps)")
    func balanceProperty() async throws {
        let base = TestSeed.make("OneCardServiceTests.balanceProperty")
        for round in UInt64(0)..<3 {
            let seed = base &+ round
            let city = try OneCardFixture()
            for n in 0..<5 { try await city.activatedCard(100 + n) }
            var random = SeededRandomSource(seed: seed)
            var model: [String: Int64] = [:]  // instruction id → signed amount expected in the ledger
            var paid: [String] = []
            for step in 0..<150 {
                let choice = random.next() % 10
                if choice < 6 || paid.isEmpty {
                    let person = 100 + Int(random.next() % 5)
                    let fen = Int64(1 + random.next() % 500_000)
                    let id = "s\(round)-\(step)"
                    _ = try await city.service.submit(try city.payment(id, person, .fiscalSubsidy, fen: fen))
                    model[id] = fen
                    paid.append(id)
                } else if choice < 8, let id = paid.randomElement(using: &random) {
                    // Retry an old instruction unchanged: nothing changes.
                    let stored = try #require(try await city.paymentRecord(id))
                    let outcome = try await city.service.submit(stored.instruction)
                    #expect(outcome == .alreadyPosted(stored), "seed \(base)")
                } else if let index = paid.indices.randomElement(using: &random) {
                    let id = paid.remove(at: index)
                    let original = try #require(try await city.paymentRecord(id))
                    let reversal = try PaymentInstruction(
                        id: "rev-\(id)",
                        programme: .fiscalSubsidy,
                        holder: original.instruction.holder,
                        period: original.instruction.period,
                        amount: original.instruction.amount,
                        kind: .reversal(of: id)
                    )
                    _ = try await city.service.submit(reversal)
                    model["rev-\(id)"] = -original.instruction.amount.fen
                }
            }
            let check = try await city.service.verifyLedger()
            #expect(check.isBalanced, "seed \(base): \(check.problems)")
            #expect(check.fundDebits.fen == model.values.reduce(0, +), "seed \(base)")
            #expect(try await city.service.totals().total.fen == model.values.reduce(0, +), "seed \(base)")
        }
    }

    @Test("a settlement splits the bill by policy and needs the card's medical use")
    func settlement() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(7)
        let hospital = try CreditCode("91320214745555318W")
        let settlement = try await city.service.settle(
            id: "s-1",
            holder: city.resident(7),
            hospital: hospital,
            total: Money(fen: 1_080_000)
        )
        // ¥10,800 bill: ¥800 deductible, 70 % of ¥10,000 = ¥7,000 from the fund.
        #expect(settlement.fundPaid == Money(fen: 700_000))
        #expect(settlement.selfPaid == Money(fen: 380_000))
        await #expect(throws: OneCardError.noCurrentCard) {
            try await city.service.settle(
                id: "s-2",
                holder: city.resident(8),
                hospital: hospital,
                total: Money(fen: 100)
            )
        }
    }

    @Test("every change and every read of the ledger is audited under the service's purposes, and the log verifies")
    func audited() async throws {
        let city = try OneCardFixture()
        try await city.activatedCard(9)
        _ = try await city.service.submit(try city.payment("x-1", 9))
        _ = try await city.service.totals()
        let entries = city.store.auditLog.entries()
        #expect(entries.contains { $0.action == "put" && $0.purpose == OneCardService.Purposes.payments.code })
        #expect(entries.contains { $0.action.hasPrefix("read") && $0.purpose == OneCardService.Purposes.payments.code })
        #expect(entries.allSatisfy { $0.actor == OneCardFixture<InMemoryStore>.actor })
        #expect(try city.store.auditLog.verify().isValid)
    }
}
