import Foundation
import SocietyCore
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import Testing

/// The one-card's main flow once more on the reference adapters: a SQLite file with sensitive
/// fields encrypted and every access audited, and OpenSSL keys, digests and envelopes.
@Suite("One-card on SQLite and OpenSSL (integration)")
struct OneCardSQLiteTests {
    /// A service on a fresh SQLite file in a temporary directory.
    struct City {
        let directory: URL
        let city: OneCardFixture<SQLiteStore>

        init(profile: StorageCryptoProfile) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-onecard-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let crypto = OpenSSLCryptoProvider()
            let clock = try OneCardFixture<SQLiteStore>.clock("2026-11-29")
            let keys = try StaticKeyProvider.random(using: crypto)
            let store = try SQLiteStore(
                path: directory.appendingPathComponent("onecard.sqlite").path,
                configuration: SQLiteConfiguration(
                    protection: RecordProtection(crypto: crypto, keys: keys, profile: profile),
                    audit: StoreAuditing(actor: OneCardFixture<SQLiteStore>.actor, origin: "test", clock: clock)
                )
            )
            city = try OneCardFixture(store: store, keys: keys, crypto: crypto, clock: clock, profile: profile)
        }

        /// The database file and its write-ahead log, as bytes.
        func fileBytes() -> Data {
            var bytes = Data()
            for suffix in ["", "-wal"] {
                bytes += (try? Data(contentsOf: directory.appendingPathComponent("onecard.sqlite" + suffix))) ?? Data()
            }
            return bytes
        }
    }

    @Test(
        "cards, payments exactly once, a settlement, a death by envelope and a fraud scan; encrypted at rest, audited",
        arguments: ["standard", "national"]
    )
    func mainFlow(profileName: String) async throws {
        let profile: StorageCryptoProfile = profileName == "national" ? .national : .standard
        let files = try City(profile: profile)
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let city = files.city

        // Cards: one per person; a second application is refused.
        for n in 1...3 { try await city.activatedCard(n) }
        await #expect(throws: OneCardError.holderAlreadyHasCard) {
            try await city.service.apply(
                holder: city.resident(1),
                generation: .third,
                issuingBank: city.bank,
                bankAccount: city.account(1),
                uses: []
            )
        }
        let card = try #require(try await city.service.currentCard(of: city.resident(2)))
        #expect(try await city.service.use(.transit, card: card.id, acceptedBy: "bus-1").use == .transit)

        // Pay exactly once: the retried batch posts nothing.
        let batch = [
            try city.payment("pension-09", 1, .pension, period: "2026-09"),
            try city.payment("pension-10", 1, .pension, period: "2026-10"),
            try city.payment("dibao-10-2", 2),
            try city.payment("dibao-10-3", 3),
            try city.payment("dibao-10-3-again", 3),
        ]
        let first = try await city.service.submit(batch)
        #expect(first.allSatisfy { if case .posted = $0 { true } else { false } })
        let retry = try await city.service.submit(batch)
        #expect(retry == first.map { OneCardService.PaymentOutcome.alreadyPosted($0.record) })
        let totals = try await city.service.totals()
        #expect(totals.records == 5)
        #expect(totals.total == Money(fen: 5 * 96_000))
        #expect(try await city.service.verifyLedger().isBalanced)

        // A settlement needs the card's medical use and splits the bill.
        let settlement = try await city.service.settle(
            id: "s-1",
            holder: city.resident(2),
            hospital: CreditCode("91320214745555318W"),
            total: Money(fen: 1_080_000)
        )
        #expect(settlement.fundPaid == Money(fen: 700_000))

        // A death reported by envelope cancels the card; the pension for October is then suspicious,
        // as is person 3's second allowance for the same month.
        let death = try await city.service.recordDeath(
            try await city.notice(
                service: "ps.death-register",
                data: ["resident": .string(try city.resident(1).unmasked), "dateOfDeath": "2026-09-20"]
            )
        )
        #expect(death.envelopeDigest.hasPrefix("\(profile.digest.rawValue):"))
        #expect(try await city.service.currentCard(of: city.resident(1)) == nil)
        let alerts = try await FraudMonitor().alerts(in: city.store)
        #expect(alerts.map(\.rule).sorted() == ["duplicate-period", "paid-after-death"])
        #expect(alerts.first { $0.rule == "paid-after-death" }?.instructions == ["pension-10"])
        #expect(alerts.first { $0.rule == "paid-after-death" }?.envelopes == [death.envelopeDigest])
        #expect(alerts.first { $0.rule == "duplicate-period" }?.instructions == ["dibao-10-3", "dibao-10-3-again"])

        // At rest: no identity number, bank account or card number in clear.
        let bytes = files.fileBytes()
        #expect(!bytes.isEmpty)
        for n in 1...3 {
            for secret in [
                try city.resident(n).unmasked, try city.account(n).unmasked, "A" + DecimalText.padded(n, width: 8),
            ] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "found \(secret.prefix(4))… in clear")
            }
        }

        // The audit log holds the changes and the monitoring reads, and verifies.
        let log = city.store.auditLog
        var purposes: Set<String> = []
        for index in 0..<(try await log.size()) {
            let entry = try await log.entry(at: index)
            #expect(entry.actor == OneCardFixture<SQLiteStore>.actor)
            purposes.insert(entry.purpose)
        }
        #expect(
            purposes.isSuperset(of: [
                OneCardService.Purposes.cards.code, OneCardService.Purposes.payments.code,
                OneCardService.Purposes.monitoring.code,
            ])
        )
        let verification = try await log.verify()
        #expect(verification.isValid, "\(verification.problem ?? "")")
        #expect(verification.size > 0)
    }
}
