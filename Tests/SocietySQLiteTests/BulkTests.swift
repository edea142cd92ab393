import Foundation
import SocietyCore
import SocietySQLite
import Testing

/// `put(contentsOf:)` prepares records on a second thread and `forEach` decodes on one: both must
/// behave exactly like their one-record-at-a-time forms, including order, errors and auditing.
@Suite("Bulk put and pipelined scans")
struct BulkTests {
    /// More than the first inline chunk and several pipelined chunks, with a partial last chunk.
    static let count = 3_333

    static func residents(_ range: Range<Int>) throws -> [StoredResident] { try range.map(Synthetic.resident) }

    @Test("put(contentsOf:) stores what a loop of put stores, audits each record, and the last duplicate wins")
    func bulkEqualsLoop() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let bulk = try fixture.store("bulk.sqlite")
        let loop = try fixture.store("loop.sqlite")
        var records = try Self.residents(0..<Self.count)
        // A duplicate key late in the input, with another name: it must replace the first.
        var renamed = records[10]
        renamed.name = "改名"
        records.append(renamed)
        try bulk.write(purpose: Purpose(constant: "load")) { db in try db.put(contentsOf: records) }
        try loop.write(purpose: Purpose(constant: "load")) { db in for record in records { try db.put(record) } }
        for store in [bulk, loop] {
            let stored = try store.read(purpose: Purpose(constant: "check")) { db in
                try db.fetch(RecordQuery<StoredResident>.all.ordered(by: "birth_year"))
            }
            #expect(stored.count == Self.count)
            let byKey = try store.read(purpose: Purpose(constant: "check")) { db in
                try db.get(StoredResident.self, key: renamed.recordKey)
            }
            #expect(byKey == renamed)
            let phone = try store.read(purpose: Purpose(constant: "check")) { db in
                try db.count(RecordQuery<StoredResident>.filter("phone", equals: .text(records[7].phone ?? "")))
            }
            #expect(phone >= 1)
        }
        let bulkAll = try bulk.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.all)
        }
        let loopAll = try loop.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.all)
        }
        #expect(bulkAll == loopAll)
        // One audit entry per put (the duplicate included), then the reads above.
        let bulkLog = try await bulk.auditLog.verify()
        let loopLog = try await loop.auditLog.verify()
        #expect(bulkLog.isValid && loopLog.isValid)
        #expect(bulkLog.size == loopLog.size)
        #expect(bulkLog.size >= Self.count + 1)
    }

    @Test("a record that cannot be put fails the bulk put and the rollback leaves nothing behind")
    func bulkFailureRollsBack() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: true)
        let good = try Self.residents(0..<2_000).map { Fragile(resident: $0, explode: false) }
        let bad = Fragile(resident: try Synthetic.resident(5_000), explode: true)
        let input = good[..<1_500] + [bad] + good[1_500...]
        #expect {
            try store.write(purpose: Purpose(constant: "load")) { db in try db.put(contentsOf: input) }
        } throws: { error in
            if case .unencodable(let kind, _) = error as? StoreError { return kind == "fragile" }
            return false
        }
        #expect(try store.read { db in try db.count(RecordQuery<Fragile>.all) } == 0)
        #expect(try await store.auditLog.verify().size == 0)
        // The store is still usable, with the same input minus the bad record.
        try store.write(purpose: Purpose(constant: "load")) { db in try db.put(contentsOf: good) }
        #expect(try store.read { db in try db.count(RecordQuery<Fragile>.all) } == good.count)
    }

    @Test("put(contentsOf:) of few records and of none")
    func smallInputs() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        try store.write { db in try db.put(contentsOf: [StoredResident]()) }
        try store.write { db in try db.put(contentsOf: try Self.residents(0..<3)) }
        #expect(try store.read { db in try db.count(RecordQuery<StoredResident>.all) } == 3)
    }

    @Test("a pipelined scan gives every record in order, stops early when asked, and counts once")
    func scanOrderAndEarlyStop() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        let records = try Self.residents(0..<Self.count)
        try store.write { db in try db.put(contentsOf: records) }
        let ordered = try store.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.all.ordered(by: "birth_year", descending: true))
        }
        #expect(ordered.count == Self.count)
        #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.birthYear >= $1.birthYear })
        // Storage order is insertion order here.
        let all = try store.read(purpose: Purpose(constant: "check")) { db in
            try db.fetch(RecordQuery<StoredResident>.all)
        }
        #expect(all == records)
        for stop in [1, 255, 256, 257, 1_500, Self.count - 1] {
            var seen = 0
            try store.read(purpose: Purpose(constant: "check")) { db in
                try db.forEach(RecordQuery<StoredResident>.all) { _ in
                    seen += 1
                    return seen < stop
                }
            }
            #expect(seen == stop)
        }
        // A body that throws ends the scan with its error.
        struct Stop: Error {}
        var calls = 0
        #expect(throws: Stop.self) {
            try store.read(purpose: Purpose(constant: "check")) { db in
                try db.forEach(RecordQuery<StoredResident>.all) { _ in
                    calls += 1
                    if calls == 2_000 { throw Stop() }
                    return true
                }
            }
        }
        #expect(calls == 2_000)
    }

    @Test("a tampered record deep in a scan fails when its turn comes, after the records before it")
    func scanTamperedRecord() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        try store.write { db in try db.put(contentsOf: try Self.residents(0..<Self.count)) }
        let victim = 2_500
        // Byte 40 of the body lies inside the sealed `id` (the first field).
        try sqliteShell(
            fixture.path(),
            """
            UPDATE rec_resident SET body = CAST(substr(body, 1, 39)
                || CASE WHEN substr(body, 40, 1) = X'5A' THEN X'A5' ELSE X'5A' END || substr(body, 41) AS BLOB)
                WHERE id = \(victim);
            """
        )
        var seen = 0
        #expect {
            try store.read(purpose: Purpose(constant: "check")) { db in
                try db.forEach(RecordQuery<StoredResident>.all) { _ in
                    seen += 1
                    return true
                }
            }
        } throws: { error in
            switch error as? StoreError {
            case .decryptionFailed, .undecodable: true
            default: false
            }
        }
        #expect(seen == victim - 1)
    }

    @Test("a pipelined scan without a purpose is refused before any record is read")
    func scanNeedsPurpose() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(audited: false)
        try store.write { db in try db.put(contentsOf: try Self.residents(0..<1_500)) }
        #expect(throws: StoreError.purposeRequired(kind: "resident", field: "id")) {
            try store.read { db in try db.forEach(RecordQuery<StoredResident>.all) { _ in true } }
        }
    }
}

/// A record whose encoding fails on demand, to test failures in the middle of a bulk put.
struct Fragile: StorableRecord {
    static let recordKind = "fragile"
    static let sensitiveFields: Set<String> = ["resident"]
    var resident: StoredResident
    var explode: Bool
    var recordKey: RecordKey { resident.recordKey }

    func encode(to encoder: any Encoder) throws {
        if explode {
            throw EncodingError.invalidValue(explode, .init(codingPath: [], debugDescription: "refused"))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(resident, forKey: .resident)
        try container.encode(explode, forKey: .explode)
    }
}
