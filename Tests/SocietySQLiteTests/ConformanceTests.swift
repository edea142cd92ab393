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

    @Test("async transactions run their SQLite work on the store's own threads, not the cooperative pool")
    func ownThreads() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let (name, readName) = (
            try await store.write(purpose: nil) { _ in currentThreadName() },
            try await store.read(purpose: nil) { _ in currentThreadName() }
        )
        #expect(name?.hasPrefix("DigitalSociety.SQLite.") == true, "the write ran on \(name ?? "an unnamed thread")")
        #expect(
            readName?.hasPrefix("DigitalSociety.SQLite.") == true,
            "the read ran on \(readName ?? "an unnamed thread")"
        )
    }
}

/// The calling thread's name (a synchronous function: `Thread.current` is not for async code).
func currentThreadName() -> String? { Thread.current.name }
