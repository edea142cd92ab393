import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

/// The store conformance suite of SocietyTesting, against the in-memory store and SQLite: the same
/// checks, so a unit test on the in-memory twin means what it would on the real store.
@Suite("Store conformance")
struct ConformanceTests {
    @Test("the in-memory store", arguments: StoreConformance.checks)
    func inMemory(_ check: StoreConformance.Check) async throws {
        let store = try InMemoryStore(actor: "12321200MB0000000X/test", origin: "test.example/audit")
        try await check.run(
            on: StoreUnderTest(
                store: store,
                auditLog: store.auditLog,
                replayGuard: InMemoryReplayGuard(),
                digest: .sha256
            )
        )
    }

    @Test("the SQLite store", arguments: StoreConformance.checks, [StorageCryptoProfile.standard, .national])
    func sqlite(_ check: StoreConformance.Check, profile: StorageCryptoProfile) async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store(profile: profile)
        try await check.run(
            on: StoreUnderTest(
                store: store,
                auditLog: store.auditLog,
                replayGuard: try SQLiteReplayGuard(path: fixture.path("replay.sqlite")),
                digest: profile.digest
            )
        )
    }

    @Test("async transactions do their SQLite work on the store's own threads, not the cooperative pool")
    func ownThreads() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        // Encoding happens inside `put` and decoding inside `get`, where the SQLite calls are made.
        try await store.write(purpose: nil) { db in try await db.put(ThreadProbe(id: "p")) }
        _ = try await store.read(purpose: nil) { db in try await db.get(ThreadProbe.self, key: RecordKey("p")) }
        let names = ThreadProbe.seen.withLock { $0 }
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.hasPrefix("DS.SQLite.") }, "SQLite work ran on \(names)")
    }
}

/// A record that notes the thread it is encoded and decoded on.
struct ThreadProbe: StorableRecord {
    static let recordKind = "thread_probe"
    static let seen = Locked<[String]>([])
    var id: String
    var recordKey: RecordKey { RecordKey(id) }

    init(id: String) { self.id = id }

    /// Notes the calling thread's name as the kernel has it (what `top -H` and debuggers show).
    static func note() {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? Thread.current.name ?? ""
        seen.withLock { $0.append(name.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    init(from decoder: any Decoder) throws {
        ThreadProbe.note()
        id = try decoder.singleValueContainer().decode(String.self)
    }

    func encode(to encoder: any Encoder) throws {
        ThreadProbe.note()
        var container = encoder.singleValueContainer()
        try container.encode(id)
    }
}
