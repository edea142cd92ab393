import Foundation
import SocietyCore
import SocietyOneCard
import SocietyOpenSSL
import SocietyTesting
import Testing

@testable import SocietyPostgres

#if canImport(Glibc)
import Glibc
#endif

/// One-card payouts on a shared PostgreSQL store: real processes, one of them killed mid-run.
@Suite("PostgreSQL one-card payouts", .serialized)
struct PayoutRaceTests {
    @Test("concurrent payout runs and a SIGKILLed one pay every instruction exactly once")
    func exactlyOnce() async throws {
        let database = try TestServer.database("payout")
        let location = try TestServer.location()
        let schema = database.schema
        let child = try #require(PostgresServerTests.childBinary(), "PostgresReplayChild is built beside the tests")
        let crypto = OpenSSLCryptoProvider()
        let secret = try crypto.randomBytes(count: 32)
        let hex = Hex.encode(secret)
        let holders = 120
        let base = [location.description, schema, String(holders)]

        let setup = PostgresServerTests.spawn(child, base + ["0", "onecard-setup", hex])()
        #expect(setup.0 == 0 && setup.1.contains("ready"), "\(setup.2)")

        // A payout run killed with SIGKILL after its first committed batch.
        let killed = Process()
        killed.executableURL = child
        killed.arguments = base + ["0", "onecard-pay", hex, "10"]
        let pipe = Pipe()
        killed.standardOutput = pipe
        killed.standardError = FileHandle.nullDevice
        try killed.run()
        var seen = ""
        while !seen.contains("\n") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        seen += String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(killed.terminationReason == .uncaughtSignal, "the run was killed, not finished")
        let killedPosted = Self.posted(seen)
        #expect(killedPosted >= 10 && killedPosted < holders, "killed after \(killedPosted) payments")

        // Two payout runs at the same moment over the same instructions.
        let start = String(Date().timeIntervalSince1970 + 4)
        let runs = (0..<2).map { _ in PostgresServerTests.spawn(child, base + [start, "onecard-pay", hex, "7"]) }
        let outputs = runs.map { $0() }
        for output in outputs { #expect(output.0 == 0, "\(output.2)") }
        let posted = outputs.map { Self.posted($0.1) }
        let already = outputs.map { Self.already($0.1) }
        #expect(posted[0] + already[0] == holders && posted[1] + already[1] == holders)
        #expect(killedPosted + posted[0] + posted[1] == holders, "each instruction posted by exactly one run")

        // The ledger: one record per instruction, the total paid once, and the audit log whole.
        let keys = try StaticKeyProvider.derived(from: secret, using: crypto)
        let clock = FixedWallClock(try CalendarDate(iso8601: "2026-12-10").startInstant)
        let store = try await PostgresRecordStore(
            database: database,
            configuration: PostgresStoreConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "91320000000000000X/onecard", origin: "test/onecard", clock: clock)
            )
        )
        let service = try OneCardService(
            ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock, profile: .standard)
        )
        let records = try await store.read(purpose: nil) { db in try await db.count(RecordQuery<PaymentRecord>.all) }
        #expect(records == holders)
        let check = try await service.verifyLedger()
        #expect(check.isBalanced, "\(check)")
        let totals = try await service.totals(period: try PayPeriod("2026-12"))
        #expect(totals.byProgramme[.minimumLiving] == Money(fen: 96_000 * Int64(holders)))
        #expect(check.records == holders && totals.records == holders)
        let verification = try await #require(store.auditLog).verify()
        #expect(verification.isValid)
        await database.shutdown()
    }

    static func posted(_ output: String) -> Int { count(output, "posted") }
    static func already(_ output: String) -> Int { count(output, "already") }

    /// The sum of the numbers after `word` on the "batch I posted P already A" lines.
    static func count(_ output: String, _ word: String) -> Int {
        output.split(separator: "\n").reduce(0) { sum, line in
            let parts = line.split(separator: " ")
            guard let at = parts.firstIndex(of: Substring(word)), at + 1 < parts.count else { return sum }
            return sum + (Int(parts[at + 1]) ?? 0)
        }
    }
}
