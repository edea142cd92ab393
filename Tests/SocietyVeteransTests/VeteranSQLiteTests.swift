import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyVeterans
import Testing

extension VeteransFixture where Store == SQLiteStore {
    /// Both services on a new SQLite file in `directory`, with fields sealed by OpenSSL under
    /// random keys and every transaction audited.
    init(sqliteIn directory: URL, today: String = "2026-11-29") throws {
        let crypto = OpenSSLCryptoProvider()
        let clock = try Self.clock(today)
        let keys = try StaticKeyProvider.random(using: crypto)
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("veterans.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: Self.veterans, origin: "test", clock: clock)
            )
        )
        try self.init(store: store, keys: keys, crypto: crypto, clock: clock)
    }
}

/// The integration suite: the veterans' flow on a real SQLite file shared with the one-card, with
/// OpenSSL, ending with a balanced ledger and an audit log that verifies.
@Suite("Veterans' service on SQLite")
struct VeteranSQLiteTests {
    @Test("register, place, ingest by envelope, pay twice, certify; the audit log verifies")
    func mainFlow() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tz-veterans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let city = try VeteransFixture(sqliteIn: directory)

        let disabled = try await city.veteran(2, placement: .assignedWork, care: .disabledVeteran)
        let noCard = try await city.veteran(4, care: .warParticipant)
        await #expect(throws: VeteranError.alreadyRegistered) { try await city.veteran(2) }
        try await city.service.place(disabled.id, .report(on: disabled.discharged.adding(days: 3)))
        try await city.service.place(disabled.id, .arrange(.employer(city.bureau)))
        try await city.service.place(disabled.id, .complete(on: disabled.discharged.adding(days: 60)))

        // The base database, from HR & social security by envelope.
        let resident = try city.resident(2)
        let employment = try await city.notice(
            from: "113212000142871106/employment",
            service: "hrss.veteran-employment",
            data: ["resident": .string(resident.unmasked), "fields": ["employmentStatus": "employed"]]
        )
        try await city.service.ingest(employment)
        #expect(try await city.service.baseRecord(of: resident)?.fields["employmentStatus"]?.value == "employed")

        // The month is paid through the one-card ledger, once.
        try await city.card(2)
        let november = try PayPeriod("2026-11")
        let run = try await city.service.pay(november)
        #expect(run.posted.map(\.instruction.id) == ["vpc-2026-11-\(disabled.id)"])
        #expect(run.refused.map(\.instruction) == ["vpc-2026-11-\(noCard.id)"])
        let again = try await city.service.pay(november)
        #expect(again.posted.isEmpty && again.alreadyPosted.count == 1)
        #expect(try await city.oneCard.verifyLedger().isBalanced)

        // The preferential-treatment certificate, once placement is complete.
        let wallet = try city.crypto.generateSigningKey(.ed25519)
        let issued = try await city.service.issueCertificate(
            disabled.id,
            issuer: CertificateIssuer(
                party: try Party(VeteransFixture<SQLiteStore>.veterans),
                key: try city.crypto.generateSigningKey(.ed25519),
                kid: "vet-1",
                crypto: city.crypto,
                random: OpenSSLRandomSource(),
                clock: city.clock,
                store: InMemoryStatusStateStore()
            ),
            holderKey: try JSONWebKey(algorithm: .ed25519, publicKey: wallet.publicKey.rawRepresentation)
        )
        #expect(issued.certificate.holder == .resident(resident))

        // Every change and every sensitive read was audited, under the services' purposes, and
        // the log's hash tree verifies from its first entry.
        let log: any AuditLog = city.store.auditLog
        let verification = try await log.verify()
        #expect(verification.isValid, "\(verification.problem ?? "")")
        let size = try await log.size()
        var purposes: Set<String> = []
        for index in 0..<size { purposes.insert(try await log.entry(at: index).purpose) }
        #expect(
            purposes.isSuperset(of: [
                VeteranService.Purposes.records.code, VeteranService.Purposes.baseDatabase.code,
                VeteranService.Purposes.payments.code,
            ])
        )
    }
}
