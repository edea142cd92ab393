import Foundation
import SQLiteTestSupport
import SocietyCore
import SocietyMarketSupervision
import SocietySQLite
import Testing

@Suite("Market supervision on encrypted SQLite")
struct MarketSQLiteTests {
    @Test("an inspection round, equipment, a recall: nothing personal in clear, the audit log verifies")
    func sqlite() async throws {
        let clock = try MarketWorld<SQLiteStore>.clock()
        let sqlite = try EncryptedSQLiteStore("market", actor: "11321200014287102B/market", clock: clock)
        defer { sqlite.remove() }
        let world = try MarketWorld(store: sqlite.store, keys: sqlite.keys, crypto: sqlite.crypto, clock: clock)
        try await world.service.createPlan(id: "2026-food-01", title: "2026 食品销售双随机抽查", industry: "food-sales")
        try await inspectionFixture(world)
        let drawn = try await world.service.drawPlan("2026-food-01")
        #expect(drawn.assignments.count == 4)
        let first = drawn.assignments[0].entity
        let result = try await world.service.recordResult(
            plan: "2026-food-01",
            entity: first,
            outcome: .rectificationOrdered,
            findings: "进货查验记录不全"
        )
        #expect(result.rectifyBy == (try world.date("2026-10-19")))
        let disclosure = try await world.service.disclosure(of: "2026-food-01")
        #expect(disclosure.lines.count == 4)

        let user = try MarketWorld<SQLiteStore>.code(5)
        try await world.service.register(
            equipment: "EL-001",
            category: .elevator,
            user: user,
            location: "海陵区凤凰路 1 号 1 幢",
            inUseSince: world.date("2025-08-01"),
            lastInspection: world.date("2025-08-01")
        )
        #expect(try await world.service.equipmentWarnings(on: world.date("2026-09-21")).map(\.level) == [.overdue])
        try await world.service.produce(
            ProductBatch(
                id: "MILK-1",
                product: "纯牛奶",
                kind: .food,
                producer: user,
                produced: world.date("2026-09-01"),
                quantity: 10
            )
        )
        try await world.service.transfer(batch: "MILK-1", from: user, to: MarketWorld<SQLiteStore>.code(6), quantity: 4)
        try await world.service.transfer(
            batch: "MILK-1",
            from: MarketWorld<SQLiteStore>.code(6),
            to: MarketWorld<SQLiteStore>.code(7),
            quantity: 3
        )
        #expect(try await world.service.recall(batch: "MILK-1", reason: "抽检不合格").holders.count == 2)

        // Representatives' names and identity numbers, inspectors' names: sealed; codes and shop names public.
        for n in 1...12 {
            let entity = try await world.service.entity(MarketWorld<SQLiteStore>.code(n))
            #expect(!sqlite.contains(entity.representative.unmasked))
            #expect(!sqlite.contains(entity.representativeID.unmasked))
        }
        for name in ["陈建国", "林晓红", "高志强", "何丽萍", "郑海波"] { #expect(!sqlite.contains(name)) }
        #expect(sqlite.contains("泰州市海陵区第1食品商行"))
        #expect(sqlite.contains(first.value))
        #expect(try await sqlite.store.auditLog.verify().isValid)
    }
}
