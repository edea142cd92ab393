import Foundation
import SocietyCore
import SocietySQLite
import Testing

@Suite("Record store")
struct StoreTests {
    @Test("put, get, replace and delete by key; a third party's record type needs no adapter change")
    func crud() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let point = ServicePoint(
            code: "SP-001",
            town: "海陵",
            capacity: 40,
            kind: .clinic,
            location: .init(latitude: 32.49, longitude: 119.92),
            openDays: [1, 2, 3],
            note: nil
        )
        try store.write { db in try db.put(point) }
        #expect(try store.read { db in try db.get(ServicePoint.self, key: RecordKey("SP-001")) } == point)
        var changed = point
        changed.capacity = 55
        changed.note = "扩建"
        try store.write { db in try db.put(changed) }
        #expect(try store.read { db in try db.get(ServicePoint.self, key: RecordKey("SP-001")) } == changed)
        #expect(try store.read { db in try db.count(RecordQuery<ServicePoint>.all) } == 1)
        #expect(try store.write { db in try db.delete(ServicePoint.self, key: RecordKey("SP-001")) })
        #expect(try store.read { db in try db.get(ServicePoint.self, key: RecordKey("SP-001")) } == nil)
        #expect(try store.write { db in try db.delete(ServicePoint.self, key: RecordKey("SP-001")) } == false)
    }

    @Test("a thrown error rolls the whole write back")
    func rollback() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        struct Abort: Error {}
        let sizeBefore = try await store.auditLog.size()
        #expect(throws: Abort.self) {
            try store.write(purpose: Purpose(constant: "registration")) { db in
                for n in 0..<10 { try db.put(try Synthetic.resident(n)) }
                throw Abort()
            }
        }
        #expect(try store.read { db in try db.count(RecordQuery<StoredResident>.all) } == 0)
        #expect(try await store.auditLog.size() == sizeBefore)
    }

    @Test("queries on indexed fields: equality, range, order, limit, IN, counts")
    func queries() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let residents = try (0..<300).map(Synthetic.resident)
        try store.write(purpose: Purpose(constant: "load")) { db in for r in residents { try db.put(r) } }
        try store.read(purpose: Purpose(constant: "statistics")) { db in
            let hailing = try db.fetch(RecordQuery<StoredResident>.filter("district", equals: .text("321202")))
            #expect(hailing.count == residents.filter { $0.district == "321202" }.count)
            #expect(
                try db.count(RecordQuery<StoredResident>.filter("district", equals: .text("321202"))) == hailing.count
            )
            let ranged = try db.fetch(
                RecordQuery<StoredResident>.filter("birth_year", from: .integer(1950), to: .integer(1960))
                    .ordered(by: "birth_year", descending: true).limited(to: 5)
            )
            #expect(ranged.count == 5)
            #expect(ranged.map(\.birthYear) == ranged.map(\.birthYear).sorted(by: >))
            #expect(ranged.allSatisfy { (1950..<1960).contains($0.birthYear) })
            let among = try db.count(
                RecordQuery<StoredResident>.filter("district", .among([.text("321202"), .text("321203")]))
            )
            #expect(among == residents.filter { ["321202", "321203"].contains($0.district) }.count)
            let phone = try db.fetch(RecordQuery<StoredResident>.filter("phone", equals: .text("13912340042")))
            #expect(phone.map(\.id) == [residents[42].id])
            #expect(throws: StoreError.self) {
                try db.fetch(RecordQuery<StoredResident>.filter("phone", from: .text("1"), to: nil))
            }
            #expect(throws: StoreError.unknownIndex(kind: "resident", field: "nope")) {
                try db.count(RecordQuery<StoredResident>.filter("nope", equals: .integer(1)))
            }
        }
    }

    @Test("streaming scan visits every record once and can stop early")
    func streaming() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        try store.write { db in
            for n in 0..<2000 {
                try db.put(
                    ServicePoint(
                        code: "P\(n)",
                        town: "T\(n % 7)",
                        capacity: n,
                        kind: .office,
                        location: .init(latitude: 0, longitude: 0),
                        openDays: [],
                        note: nil
                    )
                )
            }
        }
        var total = 0
        var seen = 0
        try store.read { db in
            try db.forEach(RecordQuery<ServicePoint>.all) { point in
                total += point.capacity
                seen += 1
                return true
            }
        }
        #expect(seen == 2000)
        #expect(total == (0..<2000).reduce(0, +))
        var firstTen = 0
        try store.read { db in
            try db.forEach(RecordQuery<ServicePoint>.all.ordered(by: "capacity")) { _ in
                firstTen += 1
                return firstTen < 10
            }
        }
        #expect(firstTen == 10)
    }

    @Test("sensitive records need a purpose to be read; the read is audited")
    func purpose() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let resident = try Synthetic.resident(7)
        try store.write(purpose: Purpose(constant: "registration")) { db in try db.put(resident) }
        #expect(throws: StoreError.purposeRequired(kind: "resident", field: "id")) {
            try store.read { db in try db.get(StoredResident.self, key: resident.recordKey) }
        }
        let before = try await store.auditLog.size()
        let found = try store.read(purpose: Purpose(constant: "eligibility-check")) { db in
            try db.get(StoredResident.self, key: resident.recordKey)
        }
        #expect(found == resident)
        let log = store.auditLog
        #expect(try await log.size() == before + 1)
        let entry = try await log.entry(at: before)
        #expect(entry.action == "read")
        #expect(entry.purpose == "eligibility-check")
        #expect(entry.actor == "12321200MB0000000X/test")
        #expect(entry.subject.count == 32)
        #expect(try store.read { db in try db.count(RecordQuery<StoredResident>.all) } == 1)
    }

    @Test("a record stored under schema version 1 is upgraded by its registered step when read")
    func schemaUpgrade() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let id = try Synthetic.residentID(3)
        try store.write(purpose: Purpose(constant: "legacy-load")) { db in
            try db.put(StoredResidentV1(id: id, fullName: "张三", district: "321203"))
        }
        let upgraded = try store.read(purpose: Purpose(constant: "check")) { db in
            try db.get(StoredResident.self, key: RecordKey(sensitive: id.unmasked))
        }
        #expect(upgraded?.name == "张三")
        #expect(upgraded?.birthYear == id.birthDate.year)
        // The index declared by version 2 was added and back-filled when version 2 first wrote.
        try store.write(purpose: Purpose(constant: "touch")) { db in try db.put(try Synthetic.resident(100)) }
        let byYear = try store.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.filter("birth_year", equals: .integer(Int64(id.birthDate.year))))
        }
        #expect(byYear.contains { $0.id == id })
    }

    @Test("migrations run once, in order, and refuse a database migrated by unknown steps")
    func migrations() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        var migrator = SQLiteMigrator()
        migrator.registerMigration("v1-payments") { db in
            try db.execute("CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)")
        }
        migrator.registerMigration("v2-payments-note") { db in
            try db.execute("ALTER TABLE payments ADD COLUMN note TEXT")
        }
        #expect(try migrator.migrate(store) == ["v1-payments", "v2-payments-note"])
        #expect(try migrator.migrate(store) == [])
        var older = SQLiteMigrator()
        older.registerMigration("v1-payments") { _ in }
        #expect(throws: SQLiteMigrator.MigrationError.self) { try older.migrate(store) }
    }

    @Test("SQLite errors carry the extended code, the message and the SQL, never the arguments")
    func errors() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        try store.write { db in try db.execute("CREATE TABLE t (v TEXT UNIQUE)") }
        try store.write { db in try db.execute("INSERT INTO t VALUES (?)", arguments: [.text("secret-value-1")]) }
        do {
            try store.write { db in try db.execute("INSERT INTO t VALUES (?)", arguments: [.text("secret-value-1")]) }
            Issue.record("expected a constraint error")
        } catch let error as SQLiteError {
            #expect(error.code.primary == .constraint)
            #expect(error.code.rawValue == 2067)  // SQLITE_CONSTRAINT_UNIQUE
            #expect(error.sql == "INSERT INTO t VALUES (?)")
            #expect(!error.description.contains("secret-value-1"))
        }
        #expect(throws: SQLiteError.self) { try store.read { db in try db.rows("SELEKT 1") } }
    }

    @Test("a handle used after its transaction ends is refused")
    func escapedHandle() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        let escaped = try store.write { db in db }
        #expect(throws: StoreError.self) { try escaped.execute("SELECT 1") }
    }
}
