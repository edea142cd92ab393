import Foundation
import SocietyAssistance
import SocietyCore
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyServices
import Testing

/// The household economic verification and the assistance service once more on the reference
/// adapters: each party on its own SQLite file, encrypted at rest and audited, and OpenSSL keys,
/// envelopes and digests.
@Suite("Household economic verification on SQLite and OpenSSL (integration)")
struct VerificationSQLiteTests {
    /// A store in `directory` named `name`, protected under `keys` and audited as `actor`.
    static func store(
        _ name: String,
        in directory: URL,
        actor: String,
        clock: any WallClock,
        crypto: any CryptoProvider,
        keys: any KeyProvider,
        profile: VerificationProfile
    ) throws -> SQLiteStore {
        try SQLiteStore(
            path: directory.appendingPathComponent("\(name).sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys, profile: profile.storage),
                audit: StoreAuditing(actor: actor, origin: "test", clock: clock)
            )
        )
    }

    /// Everything in `directory`'s files, as bytes.
    static func bytes(in directory: URL) throws -> Data {
        var bytes = Data()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            bytes += (try? Data(contentsOf: directory.appendingPathComponent(file))) ?? Data()
        }
        return bytes
    }

    @Test(
        "a household verified by envelope across three SQLite stores: decided, nothing personal in clear, every log verifies",
        arguments: [VerificationProfile.standard, .national]
    )
    func verification(profile: VerificationProfile) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tz-assistance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.random(using: crypto)
        let city = try VerificationCity<SQLiteStore>(crypto: crypto, profile: profile) { name, actor, clock in
            let store = try Self.store(
                name,
                in: directory,
                actor: actor.text,
                clock: clock,
                crypto: crypto,
                keys: keys,
                profile: profile
            )
            return (store, store.auditLog)
        }
        let family = try VerificationCity<SQLiteStore>.family()
        try await city.hold(
            [
                family[0]: ["monthlyWage": 180_000, "monthlyPension": 0],
                family[1]: ["monthlyWage": 0, "monthlyPension": 0],
            ],
            for: VerificationService.labour
        )
        try await city.hold([family[0]: ["dwellings": 1]], for: VerificationService.property)

        let (facts, exchanges) = try await city.verify(family)
        #expect(exchanges.count == 2)
        let decision = try EligibilityEvaluator(today: VerificationCity<SQLiteStore>.today).decide(facts)
        #expect(decision.category == .minimumLiving)
        #expect(decision.monthlyAmount == Money(fen: 108_000))
        let source = try #require(facts.members[0].number(VerificationService.labour, "monthlyWage")?.1)
        #expect(source.envelopeDigest.hasPrefix("\(profile.storage.digest.rawValue):"))

        // No identity number in any file in clear, though every department stored and read them.
        let bytes = try Self.bytes(in: directory)
        #expect(!bytes.isEmpty)
        for resident in family {
            #expect(bytes.range(of: Data(resident.unmasked.utf8)) == nil, "found \(resident.masked) in clear")
        }

        // Both sides recorded the exchange in their own logs, and each log verifies.
        for member in [city.civilAffairs] + city.departments.values {
            let actions = try await city.auditEntries(of: member).map(\.action)
            #expect(actions.contains("exchange.seal"), "\(member.party)")
            #expect(actions.contains("exchange.open"), "\(member.party)")
            let verification = try await member.log.verify()
            #expect(verification.isValid, "\(member.party): \(verification.problem ?? "")")
        }
    }

    @Test(
        "the assistance service on SQLite: intake to completion across a restart, paid once, nothing personal in clear",
        arguments: [VerificationProfile.standard, .national]
    )
    func service(profile: VerificationProfile) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tz-assistance-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.random(using: crypto)
        let city = try VerificationCity<SQLiteStore>(crypto: crypto, profile: profile) { name, actor, clock in
            let store = try Self.store(
                name,
                in: directory,
                actor: actor.text,
                clock: clock,
                crypto: crypto,
                keys: keys,
                profile: profile
            )
            return (store, store.auditLog)
        }
        let oneCardStore = try Self.store(
            "onecard",
            in: directory,
            actor: "91320214745555318W/onecard",
            clock: city.clock,
            crypto: crypto,
            keys: keys,
            profile: profile
        )
        let world = try await AssistanceWorld(city: city, oneCardStore: oneCardStore, oneCardKeys: keys)
        let id = try Identifier<AssistanceApplication>("app-1")
        let period = AssistanceWorld<SQLiteStore>.period

        // The first process verifies and decides, then the one-card pays and the process stops
        // before recording the payment.
        do {
            let first = world.service()
            _ = try await world.applyFamily(first)
            try await first.verify(id, send: world.send)
            let decided = try await first.decide(id)
            #expect(decided.decision?.monthlyAmount == Money(fen: 108_000))
            _ = try await world.oneCard.submit(try first.instructions(for: decided, period: period))
        }

        // The next one finds the application where it was and carries it on.
        let restarted = world.service()
        #expect(try await restarted.pending().map(\.next) == [.pay])
        let report = try await restarted.resume(period: period, send: world.send)
        #expect(report.failed.isEmpty)
        #expect(report.completed.map(\.state) == [.paying])
        // The application desk on the same SQLite store counts it, decided (办结) within its time limit.
        let desk = ApplicationService(
            ports: world.ports,
            catalogue: try ServiceCatalogue([world.entry]),
            calendar: try PublishedCalendar.official()
        )
        let counts = try await desk.counts()
        #expect(counts.map(\.received) == [1])
        #expect(counts.map(\.completedOnTime) == [1])
        #expect(try await desk.application(id.rawValue).application == report.completed.first?.lifecycle)
        let again = try await restarted.pay(id, period: period)
        #expect(again.postedNow == 0)
        let totals = try await world.oneCard.totals()
        #expect(totals.records == 3)
        #expect(totals.total == Money(fen: 117_000))
        let verification = try #require(try await restarted.verification(id))
        for source in verification.evidence {
            #expect(source.envelopeDigest.hasPrefix("\(profile.storage.digest.rawValue):"))
        }

        // Civil affairs stored the members, the facts and the payments, none of it in clear.
        let bytes = try Self.bytes(in: directory)
        for resident in world.family {
            #expect(bytes.range(of: Data(resident.unmasked.utf8)) == nil, "found \(resident.masked) in clear")
        }
        #expect(bytes.range(of: Data(world.account.unmasked.utf8)) == nil)
        for member in [city.civilAffairs] + city.departments.values {
            let verification = try await member.log.verify()
            #expect(verification.isValid, "\(member.party): \(verification.problem ?? "")")
        }
        #expect(try await oneCardStore.auditLog.verify().isValid)
    }
}
