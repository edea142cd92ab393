import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import Testing

/// `SQLiteStore.load` drops the kind's indexes, appends in batches and rebuilds them: it must end
/// in exactly the state a loop of `put` reaches, and leave nothing behind when it fails or dies.
@Suite("Bulk load")
struct LoadTests {
    /// The indexes of a table, by name, as SQLite has them.
    static func indexes(_ store: SQLiteStore, table: String) throws -> [String] {
        try store.read { db in
            try db.rows(
                "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? ORDER BY name",
                arguments: [.text(table)]
            )
        }.compactMap { row in
            if case .text(let name) = row.first { return name }
            return nil
        }
    }

    static func pendingLoads(_ store: SQLiteStore) throws -> Int {
        let rows = try store.read { db in try db.rows("SELECT count(*) FROM ds_loads") }
        guard case .integer(let count) = rows.first?.first else { return -1 }
        return Int(count)
    }

    @Test("a load ends where a loop of put ends: same records, last duplicate wins, one audit entry each")
    func loadEqualsPuts() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let loaded = try fixture.store("load.sqlite")
        let looped = try fixture.store("loop.sqlite")
        var records = try BulkTests.residents(0..<BulkTests.count)
        var renamed = records[10]
        renamed.name = "改名"
        records.append(renamed)
        let summary = try loaded.load(records, purpose: Purpose(constant: "load"), batchSize: 1_000)
        try looped.write(purpose: Purpose(constant: "load")) { db in for record in records { try db.put(record) } }
        // One `put` entry per record in both, before any read.
        #expect(try await loaded.auditLog.size() == records.count)
        #expect(try await looped.auditLog.size() == records.count)
        #expect(
            summary
                == LoadSummary(
                    kind: "resident",
                    loaded: BulkTests.count + 1,
                    replaced: 1,
                    stored: BulkTests.count,
                    batches: 4
                )
        )
        let ordered = RecordQuery<StoredResident>.all.ordered(by: "birth_year")
        let fromLoad = try loaded.read(purpose: Purpose(constant: "check")) { db in try db.fetch(ordered) }
        let fromLoop = try looped.read(purpose: Purpose(constant: "check")) { db in try db.fetch(ordered) }
        #expect(fromLoad.count == BulkTests.count)
        #expect(Set(fromLoad.map(\.id.unmasked)) == Set(fromLoop.map(\.id.unmasked)))
        #expect(
            try loaded.read(purpose: Purpose(constant: "check")) { db in
                try db.get(StoredResident.self, key: renamed.recordKey)
            }
                == renamed
        )
        let phone = RecordQuery<StoredResident>.filter("phone", equals: .text(records[7].phone ?? ""))
        #expect(try loaded.read { db in try db.count(phone) } == looped.read { db in try db.count(phone) })
        // The same indexes as a table that never was loaded, none left pending.
        #expect(try Self.indexes(loaded, table: "rec_resident") == Self.indexes(looped, table: "rec_resident"))
        #expect(try Self.indexes(loaded, table: "rec_resident").contains("rec_resident__key"))
        #expect(try Self.pendingLoads(loaded) == 0)
        // The key index is unique again: a put of an existing key replaces, never duplicates.
        try loaded.write(purpose: Purpose(constant: "update")) { db in try db.put(records[0]) }
        #expect(try loaded.read { db in try db.count(RecordQuery<StoredResident>.all) } == BulkTests.count)
        #expect(try await loaded.auditLog.verify().isValid)
        #expect(try await loaded.auditLog.entry(at: 0).action == "put")
    }

    @Test("a load over stored records replaces those with the same key and keeps the others")
    func loadOverStoredRecords() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        try store.write(purpose: Purpose(constant: "seed")) { db in
            try db.put(contentsOf: try BulkTests.residents(0..<100))
        }
        let update = try (50..<250).map { n in
            var resident = try Synthetic.resident(n)
            resident.name = "新\(n)"
            return resident
        }
        // A plain sequence: read on this thread (an array takes the sliced path of the other tests).
        let summary = try store.load(AnySequence(update), purpose: Purpose(constant: "reload"), batchSize: 64)
        #expect(summary.loaded == 200 && summary.replaced == 50 && summary.stored == 250 && summary.batches == 4)
        let all = try store.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.all)
        }
        #expect(all.count == 250)
        for resident in all {
            let n = try #require(Int(resident.name.drop { !$0.isNumber }))
            #expect(resident.name == (n < 50 ? "居民\(n)" : "新\(n)"))
        }
    }

    @Test("a record that cannot be encoded undoes the whole load, batches already committed included")
    func failedLoadIsUndone() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: true)
        let seed = try BulkTests.residents(0..<10).map { Fragile(resident: $0, explode: false) }
        try store.write(purpose: Purpose(constant: "seed")) { db in try db.put(contentsOf: seed) }
        let before = try Self.indexes(store, table: "rec_fragile")
        let good = try BulkTests.residents(10..<6_000).map { Fragile(resident: $0, explode: false) }
        let bad = Fragile(resident: try Synthetic.resident(9_000), explode: true)
        #expect {
            try store.load(good[..<5_000] + [bad] + good[5_000...], purpose: Purpose(constant: "load"), batchSize: 500)
        } throws: { error in
            if case .unencodable(let kind, _) = error as? StoreError { return kind == "fragile" }
            return false
        }
        // Batches were committed (their puts are in the log), then undone, which the log says last.
        let log = try await store.auditLog.verify()
        #expect(log.isValid)
        #expect(log.size > seed.count + 4_000)
        let last = try await store.auditLog.entry(at: log.size - 1)
        #expect(last.action == "load.rollback" && last.outcome == .failed)
        #expect(try store.read { db in try db.count(RecordQuery<Fragile>.all) } == seed.count)
        let kept = try store.read(purpose: Purpose(constant: "check")) { db in try db.fetch(RecordQuery<Fragile>.all) }
        #expect(Set(kept.map(\.resident.id.unmasked)) == Set(seed.map(\.resident.id.unmasked)))
        #expect(try Self.indexes(store, table: "rec_fragile") == before)
        #expect(try Self.pendingLoads(store) == 0)
        // The store takes the same input without the bad record.
        #expect(try store.load(good, purpose: Purpose(constant: "load")).stored == seed.count + good.count)
    }

    @Test("a table created with its key constraint inline is loaded by puts, with the same result")
    func legacyTable() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        try store.write { db in
            try db.execute(
                """
                CREATE TABLE rec_service_point (id INTEGER PRIMARY KEY, key NOT NULL UNIQUE, \
                version INTEGER NOT NULL, body BLOB NOT NULL, ix_capacity, ix_town)
                """
            )
        }
        let points = (0..<1_500).map { n in
            ServicePoint(
                code: "SP\(n % 1_200)",
                town: "town \(n % 9)",
                capacity: n,
                kind: .clinic,
                location: .init(latitude: 32.4, longitude: 119.9),
                openDays: [1, 2, 3],
                note: nil
            )
        }
        let summary = try store.load(points, batchSize: 400)
        #expect(summary == LoadSummary(kind: "service_point", loaded: 1_500, replaced: 300, stored: 1_200, batches: 4))
        let point = try store.read { db in try db.get(ServicePoint.self, key: RecordKey("SP7")) }
        #expect(point?.capacity == 1_207)
        #expect(try Self.pendingLoads(store) == 0)
    }

    @Test("a load whose loader still holds the lock is left alone; once the lock is free it is undone")
    func liveLoaderIsLeftAlone() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let path = fixture.path("live.sqlite")
        let store = try fixture.store("live.sqlite", audited: false)
        let seed = try BulkTests.residents(0..<20)
        try store.write(purpose: Purpose(constant: "seed")) { db in try db.put(contentsOf: seed) }
        // A loader in another process, as the file records it: its marker, its dropped key index,
        // a row it appended, and its lock on <database>-load.
        try store.write { db in
            let sql = try db.rows("SELECT sql FROM sqlite_schema WHERE name = 'rec_resident__key'")
            guard case .text(let create) = sql.first?.first else { throw StoreError.invalidHandle("no key index") }
            try db.execute(
                "INSERT INTO ds_loads (tbl, name, sql, start_id) VALUES ('rec_resident', 'rec_resident__key', ?, 20)",
                arguments: [.text(create)]
            )
            try db.execute("DROP INDEX rec_resident__key")
            try db.execute(
                "INSERT INTO rec_resident (key, version, body) SELECT key, version, body FROM rec_resident WHERE id = 1"
            )
        }
        let descriptor = open(path + "-load", O_RDWR | O_CREAT, 0o600)
        #expect(descriptor >= 0)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let other = try fixture.store("live.sqlite", audited: false)
        #expect(try Self.pendingLoads(other) == 1)
        #expect(try other.read { db in try db.count(RecordQuery<StoredResident>.all) } == 21)
        #expect(throws: StoreError.self) { try other.load(seed, purpose: Purpose(constant: "second-load")) }
        // The loader dies: its lock goes, and the next store undoes its load.
        flock(descriptor, LOCK_UN)
        close(descriptor)
        let after = try fixture.store("live.sqlite", audited: false)
        #expect(try Self.pendingLoads(after) == 0)
        #expect(try after.read { db in try db.count(RecordQuery<StoredResident>.all) } == 20)
        #expect(try Self.indexes(after, table: "rec_resident").contains("rec_resident__key"))
        // Whoever releases the lock removes its file: no empty `-load` file is left beside the store.
        #expect(!FileManager.default.fileExists(atPath: path + "-load"))
        try after.load(try BulkTests.residents(20..<30), purpose: Purpose(constant: "third-load"))
        #expect(!FileManager.default.fileExists(atPath: path + "-load"))
    }

    @Test("a loader killed with SIGKILL midway is undone when the store is next opened")
    func killedLoader() async throws {
        let binary = try #require(CrashTests.writerBinary(), "SQLiteCrashWriter is built beside the tests")
        let fixture = try Fixture()
        defer { fixture.remove() }
        let path = fixture.path("load.sqlite")
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.derived(from: Array("crash-test master secret".utf8), using: crypto)
        let configuration = SQLiteConfiguration(
            protection: RecordProtection(crypto: crypto, keys: keys),
            audit: StoreAuditing(actor: "crash-test", origin: "test.example/crash")
        )
        let seed = (0..<5).map { CrashRecord(txn: 0, slot: $0, secret: "secret 0 \($0)") }
        try SQLiteStore(path: path, configuration: configuration).write(purpose: Purpose(constant: "seed")) { db in
            try db.put(contentsOf: seed)
        }
        for round in 0..<3 {
            let process = Process()
            process.executableURL = binary
            process.arguments = [path, "load"]
            let output = Pipe()
            defer { for end in [output.fileHandleForReading, output.fileHandleForWriting] { try? end.close() } }
            process.standardOutput = output
            try process.run()
            // However this round ends, the endless loader does not outlive it.
            defer {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            let started = output.fileHandleForReading.availableData
            #expect(String(decoding: started, as: UTF8.self).hasPrefix("loading"), "round \(round)")
            usleep(UInt32.random(in: 300_000...700_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "the loader ended before it was killed")
            let store = try SQLiteStore(path: path, configuration: configuration)
            let log = try await store.auditLog.verify()
            #expect(log.isValid, "\(log.problem ?? "")")
            #expect(try await store.auditLog.entry(at: log.size - 1).action == "load.rollback")
            let stored = try store.read(purpose: Purpose(constant: "check")) { db in
                try db.fetch(RecordQuery<CrashRecord>.all)
            }
            #expect(stored.map(\.secret).sorted() == seed.map(\.secret).sorted(), "round \(round)")
            #expect(try Self.pendingLoads(store) == 0)
            #expect(
                try Self.indexes(store, table: "rec_crash_record") == ["rec_crash_record__key", "rec_crash_record_txn"]
            )
        }
    }
}
