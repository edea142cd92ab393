import Foundation
import SocietyCore
import SocietySQLite
import SocietySynthetic
import SocietyTesting
import Testing

/// SocietySynthetic's seeding through the port: SQLite takes its bulk path, the in-memory store
/// batched writes, and both end with the same records.
@Suite("Seeding a synthetic city")
struct SeedingTests {
    let city: SyntheticCity

    init() throws {
        city = try SyntheticCity(seed: 7, residents: 1_000, today: CalendarDate(year: 2026, month: 12, day: 6))
    }

    /// Residents the department has facts on, counted from the city itself.
    func expectedFacts(_ department: DataSourceDepartment) -> Int {
        city.households().reduce(0) { sum, household in
            sum + household.members.filter { !department.facts(of: $0).isEmpty }.count
        }
    }

    @Test("a department's facts load the same into SQLite (bulk) and the in-memory store (batched)")
    func facts() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let sqlite = try fixture.store()
        let memory = try InMemoryStore()
        let department = DataSourceDepartment.allCases[0]
        let expected = expectedFacts(department)
        #expect(expected > 0)

        let progress = Locked<[Int]>([])
        let intoSQLite = try await city.seed(department, into: sqlite) { report in
            progress.withLock { $0.append(report.completed) }
        }
        let intoMemory = try await city.seed(department, into: memory)
        #expect(intoSQLite == expected)
        #expect(intoMemory == expected)

        let resident = try #require(city.households().first { !department.facts(of: $0.members[0]).isEmpty })
            .members[0]
        let fromSQLite = try await sqlite.read(purpose: SyntheticCity.seedingPurpose) { db in
            (
                try await db.count(RecordQuery<DepartmentFacts>.all),
                try await db.get(DepartmentFacts.self, key: RecordKey(sensitive: resident.resident.id.unmasked))
            )
        }
        let fromMemory = try await memory.read(purpose: SyntheticCity.seedingPurpose) { db in
            (
                try await db.count(RecordQuery<DepartmentFacts>.all),
                try await db.get(DepartmentFacts.self, key: RecordKey(sensitive: resident.resident.id.unmasked))
            )
        }
        #expect(fromSQLite.0 == expected)
        #expect(fromMemory.0 == expected)
        #expect(fromSQLite.1 == fromMemory.1)
        #expect(fromSQLite.1?.facts == .object(department.facts(of: resident)))
        #expect(progress.withLock { $0.last } == expected, "the bulk load reports its progress")
    }

    @Test("the household register holds every household once, and re-seeding replaces rather than duplicates")
    func register() async throws {
        let memory = try InMemoryStore()
        let households = city.households().reduce(0) { count, _ in count + 1 }
        #expect(try await city.registerHouseholds(into: memory, batchSize: 64) == households)
        #expect(try await city.registerHouseholds(into: memory) == households)
        let stored = try await memory.read(purpose: nil) { db in try await db.count(RecordQuery<HouseholdRecord>.all) }
        #expect(stored == households)
    }
}
