import Foundation
import SocietyCore
import SocietyJSON
import SocietyOneCard
import SocietySQLite
import Testing

@Suite("One-card service on SQLite")
struct OneCardServiceTests {
    @Test("at most one current card per person; replacement keeps the holder and kills the old card at once")
    func oneCardPerPerson() throws {
        let city = try OneCardFixture()
        let card = try city.activatedCard(1)
        #expect(throws: OneCardError.holderAlreadyHasCard) {
            try city.service.apply(
                holder: city.resident(1),
                generation: .third,
                issuingBank: city.bank,
                bankAccount: city.account(1),
                uses: []
            )
        }
        let successor = try city.service.replace(card.id, newNumber: CardNumber("B00000001"))
        #expect(successor.holder == card.holder)
        #expect(successor.cardNumber?.unmasked == "B00000001")
        #expect(try city.service.card(card.id).state == .replaced(by: successor.id))
        #expect(throws: OneCardError.cardNotActive(state: "replaced")) {
            try city.service.use(.transit, card: card.id, acceptedBy: "bus-1")
        }
        #expect(try city.service.currentCard(of: city.resident(1))?.id == successor.id)
        try city.service.apply(.activate, to: successor.id)
        #expect(try city.service.use(.transit, card: successor.id, acceptedBy: "bus-1").use == .transit)
    }

    @Test("a death record received by envelope cancels the card and is kept with the envelope digest")
    func death() throws {
        let city = try OneCardFixture()
        let card = try city.activatedCard(2)
        let notice = try city.notice(
            service: "ps.death-register",
            data: ["resident": .string(try city.resident(2).unmasked), "dateOfDeath": "2026-09-14"]
        )
        let record = try city.service.recordDeath(notice)
        #expect(record.envelopeDigest.hasPrefix("sha256:"))
        #expect(
            try city.service.card(card.id).state == .cancelled(.deceased(on: try CalendarDate(iso8601: "2026-09-14")))
        )
        #expect(try city.service.currentCard(of: city.resident(2)) == nil)
        let bad = try city.notice(service: "ps.death-register", data: ["resident": "123", "dateOfDeath": "2026-09-14"])
        #expect(throws: OneCardError.self) { try city.service.recordDeath(bad) }
    }

    @Test("the same instruction never pays twice; a changed one under the same key is refused")
    func idempotency() throws {
        let city = try OneCardFixture()
        try city.activatedCard(3)
        let instruction = try city.payment("dibao-2026-10-3", 3)
        guard case .posted = try city.service.submit(instruction) else {
            Issue.record("first submission did not post")
            return
        }
        for _ in 0..<3 {
            guard case .alreadyPosted = try city.service.submit(instruction) else {
                Issue.record("a retry posted again")
                return
            }
        }
        #expect(throws: OneCardError.conflictingInstruction(id: "dibao-2026-10-3")) {
            try city.service.submit(try city.payment("dibao-2026-10-3", 3, fen: 96_001))
        }
        let totals = try city.service.totals()
        #expect(totals.total == Money(fen: 96_000))
        #expect(totals.records == 1)
    }

    @Test("reversals: once, of a payment, matching it; totals net out")
    func reversals() throws {
        let city = try OneCardFixture()
        try city.activatedCard(4)
        _ = try city.service.submit(try city.payment("p-1", 4, .pension, fen: 250_000))
        let reversal = try PaymentInstruction(
            id: "r-1",
            programme: .pension,
            holder: city.resident(4),
            period: PayPeriod("2026-10"),
            amount: Money(fen: 250_000),
            kind: .reversal(of: "p-1")
        )
        _ = try city.service.submit(reversal)
        let again = try PaymentInstruction(
            id: "r-2",
            programme: .pension,
            holder: city.resident(4),
            period: PayPeriod("2026-10"),
            amount: Money(fen: 250_000),
            kind: .reversal(of: "p-1")
        )
        #expect(throws: OneCardError.notReversible(id: "p-1", reason: "it was already reversed")) {
            try city.service.submit(again)
        }
        let unknown = try PaymentInstruction(
            id: "r-3",
            programme: .pension,
            holder: city.resident(4),
            period: PayPeriod("2026-10"),
            amount: Money(fen: 1),
            kind: .reversal(of: "nope")
        )
        #expect(throws: OneCardError.unknownInstruction(id: "nope")) { try city.service.submit(unknown) }
        let totals = try city.service.totals(programme: .pension)
        #expect(totals.total == .zero)
        #expect(totals.records == 2)
        #expect(try city.service.verifyLedger().isBalanced)
    }

    @Test("a refused instruction refuses its whole batch and leaves the ledger as it was")
    func batchAtomicity() throws {
        let city = try OneCardFixture()
        try city.activatedCard(5)
        let batch = [try city.payment("b-1", 5), try city.payment("b-2", 6)]  // person 6 has no card
        #expect(throws: OneCardError.noCurrentCard) { try city.service.submit(batch) }
        #expect(try city.service.totals().records == 0)
    }

    @Test("ledger balance holds under random pay / retry / reverse sequences (property, 3 seeds × 150 steps)")
    func balanceProperty() throws {
        for seed in [UInt64(1), 2, 3] {
            let city = try OneCardFixture()
            for n in 0..<5 { try city.activatedCard(100 + n) }
            var random = SeededRandomSource(seed: seed)
            var model: [String: Int64] = [:]  // instruction id → signed amount expected in the ledger
            var paid: [String] = []
            for step in 0..<150 {
                let choice = random.next() % 10
                if choice < 6 || paid.isEmpty {
                    let person = 100 + Int(random.next() % 5)
                    let fen = Int64(1 + random.next() % 500_000)
                    let id = "s\(seed)-\(step)"
                    _ = try city.service.submit(try city.payment(id, person, .fiscalSubsidy, fen: fen))
                    model[id] = fen
                    paid.append(id)
                } else if choice < 8, let id = paid.randomElement(using: &random) {
                    // Retry an old instruction: nothing changes.
                    let record = try city.service.submit(
                        try city.payment(id, 0, .fiscalSubsidy, fen: 1).withSameContent(as: id, in: city)
                    )
                    #expect(record.record.instruction.id == id)
                } else if let index = paid.indices.randomElement(using: &random) {
                    let id = paid.remove(at: index)
                    let original = try #require(try city.paymentRecord(id))
                    let reversal = try PaymentInstruction(
                        id: "rev-\(id)",
                        programme: .fiscalSubsidy,
                        holder: original.instruction.holder,
                        period: original.instruction.period,
                        amount: original.instruction.amount,
                        kind: .reversal(of: id)
                    )
                    _ = try city.service.submit(reversal)
                    model["rev-\(id)"] = -original.instruction.amount.fen
                }
            }
            let check = try city.service.verifyLedger()
            #expect(check.isBalanced, "\(check.problems)")
            #expect(check.fundDebits.fen == model.values.reduce(0, +))
            #expect(try city.service.totals().total.fen == model.values.reduce(0, +))
        }
    }

    @Test("a settlement splits the bill by policy and needs the card's medical use")
    func settlement() throws {
        let city = try OneCardFixture()
        try city.activatedCard(7)
        let hospital = try CreditCode("91320214745555318W")
        let settlement = try city.service.settle(
            id: "s-1",
            holder: city.resident(7),
            hospital: hospital,
            total: Money(fen: 1_080_000)
        )
        // ¥10,800 bill: ¥800 deductible, 70 % of ¥10,000 = ¥7,000 from the fund.
        #expect(settlement.fundPaid == Money(fen: 700_000))
        #expect(settlement.selfPaid == Money(fen: 380_000))
        #expect(throws: OneCardError.noCurrentCard) {
            try city.service.settle(id: "s-2", holder: city.resident(8), hospital: hospital, total: Money(fen: 100))
        }
    }

    @Test("the database file holds no identity number or bank account in clear")
    func atRest() throws {
        let city = try OneCardFixture()
        try city.activatedCard(9)
        _ = try city.service.submit(try city.payment("x-1", 9))
        try city.store.checkpointWAL()
        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes += (try? Data(contentsOf: city.directory.appendingPathComponent("onecard.sqlite" + suffix))) ?? Data()
        }
        for secret in [try city.resident(9).unmasked, try city.account(9).unmasked] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "found \(secret.prefix(4))… in clear")
        }
        #expect(try city.store.auditLog.verify().problem == nil)
    }
}

extension OneCardFixture {
    func paymentRecord(_ id: String) throws -> PaymentRecord? {
        try store.read(purpose: OneCardService.Purpose.payments) { (db: any RecordReading) in
            try db.get(PaymentRecord.self, key: RecordKey(id))
        }
    }
}

extension PaymentInstruction {
    /// The instruction stored under `id`, resubmitted unchanged (a retry).
    func withSameContent(as id: String, in city: OneCardFixture) throws -> PaymentInstruction {
        guard let record = try city.paymentRecord(id) else { return self }
        return record.instruction
    }
}
