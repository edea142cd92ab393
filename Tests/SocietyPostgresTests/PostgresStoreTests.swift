import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

@testable import SocietyPostgres

/// A fresh PostgreSQL record store with protection and auditing, in a schema of its own.
struct StoreFixture {
    let crypto = OpenSSLCryptoProvider()
    let keys: StaticKeyProvider
    let profile: StorageCryptoProfile
    let database: PostgresDatabase
    let store: PostgresRecordStore

    init(
        _ label: String,
        profile: StorageCryptoProfile = .standard,
        keys: StaticKeyProvider? = nil,
        partitioned: [String: String] = [:],
        schema: String? = nil
    ) async throws {
        self.profile = profile
        self.keys = try keys ?? StaticKeyProvider.random(using: OpenSSLCryptoProvider())
        database =
            if let schema {
                try PostgresDatabase(location: try TestServer.location(), schema: schema, maximumConnections: 4)
            } else {
                try TestServer.database(label)
            }
        store = try await PostgresRecordStore(
            database: database,
            configuration: PostgresStoreConfiguration(
                protection: RecordProtection(crypto: crypto, keys: self.keys, profile: profile),
                audit: StoreAuditing(actor: "12321200MB0000000X/test", origin: "test.example/audit"),
                partitionedByDistrict: partitioned
            )
        )
    }

    var auditLog: PostgresAuditLog {
        get throws {
            guard let log = store.auditLog else { throw PostgresStoreError(.corrupt, "the store has no audit log") }
            return log
        }
    }

    /// Runs `sql` on the fixture's schema and returns the first column of every row as text.
    func column(_ sql: String) async throws -> [String] {
        try await database.session { session in
            try await session.rows(sql).map { row in
                let cell = Array(row)[0]
                return (try? cell.decode(String.self)) ?? (try? cell.decode(Int64.self)).map { "\($0)" } ?? ""
            }
        }
    }

    func shutdown() async { await database.shutdown() }
}

@Suite("PostgreSQL record store", .serialized)
struct PostgresStoreTests {
    @Test(
        "the store conformance suite",
        arguments: StoreConformance.checks,
        [StorageCryptoProfile.standard, .national]
    )
    func conformance(_ check: StoreConformance.Check, profile: StorageCryptoProfile) async throws {
        let fixture = try await StoreFixture("conf", profile: profile)
        try await check.run(
            on: StoreUnderTest(
                store: fixture.store,
                auditLog: try fixture.auditLog,
                replayGuard: try await PostgresReplayGuard(database: fixture.database),
                digest: profile.digest
            )
        )
        await fixture.shutdown()
    }

    @Test("rows hold the same key hashes and index hashes as SQLite's, and no personal data in clear")
    func sameBytesAsSQLite() async throws {
        let fixture = try await StoreFixture("bytes")
        let person = ConformanceSample.person
        try await fixture.store.write(purpose: Purpose(constant: "test.registration")) { db in try await db.put(person)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-bytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try SQLiteStore(
            path: folder.appendingPathComponent("s.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: fixture.crypto, keys: fixture.keys, profile: .standard)
            )
        )
        try await sqlite.write(purpose: Purpose(constant: "test.registration")) { db in try await db.put(person) }
        let fromSQLite = try sqlite.read { db in
            try db.rows("SELECT hex(key), hex(ix_phone), ix_district FROM rec_sample_person")
        }
        let fromPostgres = try await fixture.column(
            """
            SELECT upper(encode(key, 'hex')) || ' ' || upper(encode(ix_phone, 'hex')) || ' ' ||
            convert_from(substring(ix_district from 2), 'UTF8') FROM "\(fixture.database.schema)".rec_sample_person
            """
        )
        guard case .text(let key) = fromSQLite.first?[0], case .text(let phone) = fromSQLite.first?[1],
            case .text(let district) = fromSQLite.first?[2]
        else {
            Issue.record("SQLite row: \(fromSQLite)")
            return
        }
        #expect(fromPostgres == ["\(key) \(phone) \(district)"])
        // The body holds sealed fields: neither the identity number nor the phone in clear.
        let bodies = try await fixture.column(
            "SELECT encode(body, 'escape') FROM \"\(fixture.database.schema)\".rec_sample_person"
        )
        #expect(bodies.count == 1 && !bodies[0].contains(person.id) && !bodies[0].contains(person.phone))
        await fixture.shutdown()
        // A first load goes by COPY, with its own buffers for nonces, associated data and hashes:
        // the same key and index hashes, three fields sealed in one record, and each opens.
        let loaded = try await StoreFixture("bytes_bulk", keys: fixture.keys)
        let others = (8..<12).map { SamplePerson.numbered($0) }
        #expect(try await loaded.store.bulkLoad({ [person] + others }, purpose: nil) == 1 + others.count)
        let fromLoad = try await loaded.column(
            """
            SELECT upper(encode(key, 'hex')) || ' ' || upper(encode(ix_phone, 'hex')) || ' ' ||
            convert_from(substring(ix_district from 2), 'UTF8') FROM "\(loaded.database.schema)".rec_sample_person
            ORDER BY id LIMIT 1
            """
        )
        #expect(fromLoad == ["\(key) \(phone) \(district)"])
        let back = try await loaded.store.read(purpose: Purpose(constant: "test.registration")) { db in
            try await db.fetch(RecordQuery<SamplePerson>.all)
        }
        #expect(back == [person] + others)
        await loaded.shutdown()
    }

    @Test("a sealed body copied onto another row fails to decrypt, with a typed error naming no personal data")
    func tampered() async throws {
        let fixture = try await StoreFixture("tamper")
        let (one, two) = (SamplePerson.numbered(1), SamplePerson.numbered(2))
        try await fixture.store.write(purpose: Purpose(constant: "test.registration")) { db in
            try await db.put(one)
            try await db.put(two)
        }
        // The sealed fields are bound to their row's key: row one with row two's body must not open.
        let table = "\"\(fixture.database.schema)\".rec_sample_person"
        _ = try await fixture.column(
            "UPDATE \(table) SET body = (SELECT body FROM \(table) WHERE id = 2) WHERE id = 1 RETURNING 'x'"
        )
        await #expect {
            _ = try await fixture.store.read(purpose: Purpose(constant: "test.check")) { db in
                try await db.get(SamplePerson.self, key: one.recordKey)
            }
        } throws: { error in
            guard case StoreError.decryptionFailed(let kind, let key, _) = error else { return false }
            return kind == "sample_person" && !key.contains(one.id) && !"\(error)".contains(one.id)
        }
        let other = try await fixture.store.read(purpose: Purpose(constant: "test.check")) { db in
            try await db.get(SamplePerson.self, key: two.recordKey)
        }
        #expect(other == two, "the untouched row still opens")
        await fixture.shutdown()
    }

    @Test("an index declared after records were stored is added and filled by the next writer")
    func indexAddedLater() async throws {
        let fixture = try await StoreFixture("later")
        try await fixture.store.write(purpose: nil) { db in
            try await db.put(contentsOf: (0..<50).map { PlainNote(id: "n\($0)", size: Int64($0)) })
        }
        let found = try await fixture.store.write(purpose: nil) { db in
            try await db.fetch(RecordQuery<IndexedNote>.filter("size", from: .integer(10), to: .integer(13)))
        }
        #expect(found.map(\.id) == ["n10", "n11", "n12"])
        await fixture.shutdown()
    }

    @Test("index values order as SQLite orders them: numbers by value, before text by bytes, put or bulk-loaded")
    func ordering() async throws {
        let fixture = try await StoreFixture("order")
        let values: [MixedNote] = [
            MixedNote(id: "a", value: .integer(-5)), MixedNote(id: "b", value: .integer(Int64.max)),
            MixedNote(id: "c", value: .real(2.5)), MixedNote(id: "d", value: .integer(2)),
            MixedNote(id: "e", value: .text("b")), MixedNote(id: "f", value: .text("ab")),
            MixedNote(id: "g", value: .integer(Int64.min)), MixedNote(id: "h", value: .real(-0.5)),
            MixedNote(id: "i", value: nil), MixedNote(id: "j", value: .text("é")),
            MixedNote(id: "k", value: .integer(Int64.max - 1)), MixedNote(id: "l", value: .real(3)),
        ]
        try await fixture.store.write(purpose: nil) { db in try await db.put(contentsOf: values) }
        let ordered = try await fixture.store.read(purpose: nil) { db in
            try await db.fetch(RecordQuery<MixedNote>.all.ordered(by: "value")).map(\.id)
        }
        let expected = values.enumerated().sorted { left, right in
            switch (left.element.value, right.element.value) {
            case (nil, nil): return left.offset < right.offset
            case (nil, _): return true
            case (_, nil): return false
            case (let a?, let b?): return a < b || (!(b < a) && left.offset < right.offset)
            }
        }.map(\.element.id)
        #expect(ordered == expected)
        let three = try await fixture.store.read(purpose: nil) { db in
            try await db.fetch(RecordQuery<MixedNote>.filter("value", equals: .integer(3))).map(\.id)
        }
        #expect(three == ["l"], "3 equals 3.0, as in SQLite")
        await fixture.shutdown()
        // The first load of a kind goes by COPY's binary format instead of INSERT: the same order,
        // the same NULL, the same equality.
        let loaded = try await StoreFixture("order_bulk")
        #expect(try await loaded.store.bulkLoad({ values }, purpose: nil) == values.count)
        let (loadedOrder, loadedThree) = try await loaded.store.read(purpose: nil) { db in
            (
                try await db.fetch(RecordQuery<MixedNote>.all.ordered(by: "value")).map(\.id),
                try await db.fetch(RecordQuery<MixedNote>.filter("value", equals: .integer(3))).map(\.id)
            )
        }
        #expect(loadedOrder == expected)
        #expect(loadedThree == ["l"])
        await loaded.shutdown()
    }

    @Test("index bytes: known answers, written over a kept buffer, none for NaN")
    func indexBytesKnownAnswers() {
        let zeros: [UInt8] = Array(repeating: 0, count: 7)
        // 0: the double 0.0 with its sign bit flipped, then a remainder of 0 with its sign bit flipped.
        let expected: [(IndexValue, [UInt8]?)] = [
            (.integer(0), [0x01, 0x80] + zeros + [0x80] + zeros),
            // -1: the double -1.0 (0xBFF0…) negative, so all bits flipped; remainder 0.
            (.integer(-1), [0x01, 0x40, 0x0F] + Array(repeating: 0xFF, count: 6) + [0x80] + zeros),
            (.real(2.5), [0x01, 0xC0, 0x04] + Array(repeating: 0, count: 6) + [0x80] + zeros),
            (.real(-0.0), [0x01, 0x80] + zeros + [0x80] + zeros),
            (.text("ab"), [0x02, 0x61, 0x62]),
            (.text(""), [0x02]),
            (.real(.nan), nil),
        ]
        var buffer: [UInt8] = [0xEE, 0xEE]  // written over, never appended to
        for (value, bytes) in expected {
            #expect(IndexKey.write(value, into: &buffer) == (bytes != nil), "\(value)")
            #expect(IndexKey.bytes(value) == bytes, "\(value)")
            if let bytes { #expect(buffer == bytes, "\(value)") }
        }
    }

    @Test("bulk load: all records in one transaction, the last of a repeated key wins, each put audited")
    func bulkLoad() async throws {
        let fixture = try await StoreFixture("bulk")
        let people = (0..<9_000).map { SamplePerson.numbered($0 % 8_500, phoneSuffix: $0) }
        let loaded = try await fixture.store.bulkLoad({ people }, purpose: Purpose(constant: "test.load"))
        #expect(loaded == 9_000)
        let (count, last) = try await fixture.store.read(purpose: Purpose(constant: "test.check")) { db in
            (
                try await db.count(RecordQuery<SamplePerson>.all),
                try await db.get(SamplePerson.self, key: SamplePerson.numbered(3).recordKey)
            )
        }
        #expect(count == 8_500)
        #expect(last?.phone == SamplePerson.numbered(3, phoneSuffix: 8_503).phone)
        // The loaded rows answer the indexes as put rows do: the searchable phone, the district.
        let (byPhone, inDistrict) = try await fixture.store.read(purpose: Purpose(constant: "test.check")) { db in
            (
                try await db.fetch(
                    RecordQuery<SamplePerson>.filter("phone", equals: .text(SamplePerson.numbered(600).phone))
                ),
                try await db.count(RecordQuery<SamplePerson>.filter("district", equals: .text("321203")))
            )
        }
        #expect(byPhone == [SamplePerson.numbered(600)])
        #expect(inDistrict == 8_500 / 3)
        #expect(try await fixture.auditLog.size() == 9_002)
        await fixture.shutdown()
    }

    @Test("partitioned by district: one partition per county code, rows move with their district, queries prune")
    func partitions() async throws {
        let fixture = try await StoreFixture("part", partitioned: ["sample_person": "district"])
        let people = (0..<30).map { SamplePerson.numbered($0) }
        try await fixture.store.write(purpose: Purpose(constant: "test.registration")) { db in
            try await db.put(contentsOf: people)
        }
        let schema = fixture.database.schema
        let partitions = try await fixture.column(
            """
            SELECT c.relname || ':' || (SELECT count(*) FROM "\(schema)".rec_sample_person p WHERE p.tableoid = c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class r ON r.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = '\(schema)' AND c.relkind = 'r' ORDER BY 1
            """
        )
        #expect(
            partitions == [
                "rec_sample_person__other:0", "rec_sample_person__p321202:10", "rec_sample_person__p321203:10",
                "rec_sample_person__p321204:10",
            ]
        )
        // A resident who moves to another district is one row, in the new district's partition.
        var changed = people[0]
        changed.district = "321281"
        let moved = changed
        try await fixture.store.write(purpose: Purpose(constant: "test.move")) { db in try await db.put(moved) }
        let (total, found, there) = try await fixture.store.read(purpose: Purpose(constant: "test.check")) { db in
            (
                try await db.count(RecordQuery<SamplePerson>.all),
                try await db.get(SamplePerson.self, key: moved.recordKey),
                try await db.count(RecordQuery<SamplePerson>.filter("district", equals: .text("321281")))
            )
        }
        #expect(total == 30 && found == moved && there == 1)
        // A query on the district reads that district's partition only.
        let plan = try await fixture.column(
            """
            EXPLAIN SELECT key FROM "\(schema)".rec_sample_person
            WHERE ix_district = '\\x02333231323033'::bytea AND part = '321203'
            """
        )
        let scanned = plan.filter { $0.contains("rec_sample_person__p") }
        #expect(!scanned.isEmpty && scanned.allSatisfy { $0.contains("__p321203") }, "\(plan)")
        await fixture.shutdown()
    }

    @Test("a second store on the same schema (another process) sees the first one's tables and rows")
    func secondOpener() async throws {
        let fixture = try await StoreFixture("second")
        try await fixture.store.write(purpose: Purpose(constant: "test.registration")) { db in
            try await db.put(ConformanceSample.person)
        }
        let other = try await StoreFixture("second", keys: fixture.keys, schema: fixture.database.schema)
        let read = try await other.store.read(purpose: Purpose(constant: "test.check")) { db in
            try await db.get(SamplePerson.self, key: ConformanceSample.person.recordKey)
        }
        #expect(read == ConformanceSample.person)
        #expect(try await other.auditLog.size() == 2)
        await other.shutdown()
        await fixture.shutdown()
    }
}

enum ConformanceSample {
    static let person = SamplePerson.numbered(7)
}

/// A resident-like record: sensitive key and fields, a searchable phone, a clear district.
struct SamplePerson: StorableRecord, Equatable {
    static let recordKind = "sample_person"
    static let sensitiveFields: Set<String> = ["id", "name", "phone"]
    static let indexes: [RecordIndex<SamplePerson>] = [
        RecordIndex("district") { .text($0.district) },
        RecordIndex(searchable: "phone") { .text($0.phone) },
    ]
    var id: String
    var name: String
    var phone: String
    var district: String
    var recordKey: RecordKey { RecordKey(sensitive: id) }

    static func numbered(_ n: Int, phoneSuffix: Int? = nil) -> SamplePerson {
        SamplePerson(
            id: "3212021980010\(10000 + n)",
            name: "样本\(n)",
            phone: "139\(10_000_000 + (phoneSuffix ?? n))",
            district: ["321202", "321203", "321204"][n % 3]
        )
    }
}

/// The first shape of a note, with no index.
struct PlainNote: StorableRecord {
    static let recordKind = "later_note"
    var id: String
    var size: Int64
    var recordKey: RecordKey { RecordKey(id) }
}

/// The same kind with an index declared later.
struct IndexedNote: StorableRecord {
    static let recordKind = "later_note"
    static let indexes: [RecordIndex<IndexedNote>] = [RecordIndex("size") { .integer($0.size) }]
    var id: String
    var size: Int64
    var recordKey: RecordKey { RecordKey(id) }
}

/// A note whose one index holds any kind of value.
struct MixedNote: StorableRecord {
    enum Value: Codable {
        case integer(Int64)
        case real(Double)
        case text(String)
    }
    static let recordKind = "mixed_note"
    static let indexes: [RecordIndex<MixedNote>] = [RecordIndex("value") { $0.value }]
    var id: String
    var stored: Value?
    var recordKey: RecordKey { RecordKey(id) }

    init(id: String, value: IndexValue?) {
        self.id = id
        stored = value.map { value in
            switch value {
            case .integer(let v): .integer(v)
            case .real(let v): .real(v)
            case .text(let v): .text(v)
            }
        }
    }

    var value: IndexValue? {
        stored.map { stored in
            switch stored {
            case .integer(let v): .integer(v)
            case .real(let v): .real(v)
            case .text(let v): .text(v)
            }
        }
    }
}

@Suite("PostgreSQL read replica", .serialized)
struct PostgresReplicaTests {
    @Test("reads run on a streaming replica; their audit entries go to the primary")
    func replicaReads() async throws {
        let primary = try TestServer.database("replica")
        let replica = try PostgresDatabase(
            location: try PostgresLocation(url: try PostgresTestCluster.replicaURL()),
            schema: primary.schema,
            maximumConnections: 2
        )
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.random(using: crypto)
        var configuration = PostgresStoreConfiguration(
            protection: RecordProtection(crypto: crypto, keys: keys),
            audit: StoreAuditing(actor: "12321200MB0000000X/test", origin: "test.example/audit")
        )
        let writer = try await PostgresRecordStore(database: primary, configuration: configuration)
        configuration.readReplica = replica
        let store = try await PostgresRecordStore(database: primary, configuration: configuration)
        let people = (0..<3_000).map { SamplePerson.numbered($0) }
        try await writer.write(purpose: Purpose(constant: "test.registration")) { db in
            try await db.put(contentsOf: people)
        }
        // The replica is read-only and catches up asynchronously: wait until it has the rows.
        let inRecovery = try await replica.session { session in
            try await session.rows("SELECT pg_is_in_recovery()").first?.value(0, as: Bool.self)
        }
        #expect(inRecovery == true, "the replica is a hot standby")
        var seen = 0
        for _ in 0..<120 where seen < people.count {
            seen =
                (try? await store.read(purpose: nil) { db in try await db.count(RecordQuery<SamplePerson>.all) }) ?? 0
            if seen < people.count { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(seen == people.count)
        let before = try await #require(store.auditLog).size()
        let scanned = try await store.read(purpose: Purpose(constant: "test.scan")) { db in
            var districts: [String: Int] = [:]
            try await db.forEach(RecordQuery<SamplePerson>.all) { person in
                districts[person.district, default: 0] += 1
                return true
            }
            return districts
        }
        #expect(scanned == ["321202": 1_000, "321203": 1_000, "321204": 1_000])
        // The scan's audit entry could only have been written on the primary (the replica refuses writes).
        #expect(try await #require(store.auditLog).size() == before + 1)
        // With replay paused on the replica, a new record is visible on the primary only: the
        // store's reads do not see it, which shows they run on the replica.
        try await replica.session { session in _ = try await session.rows("SELECT pg_wal_replay_pause()") }
        try await writer.write(purpose: Purpose(constant: "test.registration")) { db in
            try await db.put(SamplePerson.numbered(5_000))
        }
        let onReplica = try await store.read(purpose: nil) { db in try await db.count(RecordQuery<SamplePerson>.all) }
        let onPrimary = try await writer.read(purpose: nil) { db in try await db.count(RecordQuery<SamplePerson>.all) }
        try await replica.session { session in _ = try await session.rows("SELECT pg_wal_replay_resume()") }
        #expect(onReplica == people.count && onPrimary == people.count + 1)
        await replica.shutdown()
        await primary.shutdown()
    }
}
