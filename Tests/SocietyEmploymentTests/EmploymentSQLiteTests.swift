import Foundation
import SocietyCore
import SocietyEmployment
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

extension EmploymentFixture where Store == SQLiteStore {
    /// Both services on a new SQLite file in `directory`, fields sealed by OpenSSL under random keys,
    /// every transaction audited.
    init(sqliteIn directory: URL, today: String = "2026-12-01") throws {
        let crypto = OpenSSLCryptoProvider()
        let clock = try Self.clock(today)
        let keys = try StaticKeyProvider.random(using: crypto)
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("employment.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: Self.hrss, origin: "test", clock: clock)
            )
        )
        try self.init(store: store, keys: keys, crypto: crypto, clock: clock)
    }
}

/// The employment flow on a real SQLite file shared with the one-card, with OpenSSL.
@Suite("Employment on SQLite")
struct EmploymentSQLiteTests {
    @Test("register, claim, pay twice, a job by envelope, a fair raced, the warning; the audit log verifies")
    func mainFlow() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-employment-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let city = try EmploymentFixture(sqliteIn: directory)
        let person = try city.resident(1)
        try await city.card(person, 1)
        try await city.register(person, id: "reg-1")
        try await city.contributions(person, months: 130)
        let claim = try await city.service.claimBenefit(id: "ub-1", resident: person)
        #expect(claim.months == 24)
        let december = try PayPeriod("2026-12")
        #expect(try await city.service.payBenefits(for: december).posted.count == 1)
        #expect(try await city.service.payBenefits(for: december).posted.isEmpty)
        _ = try await city.service.recordNewJob(try await city.newJob(person, from: "2027-01-04"))
        #expect(try await city.service.payBenefits(for: try PayPeriod("2027-01")).posted.isEmpty)
        #expect(try await city.oneCard.verifyLedger().isBalanced)

        try await JobFairTests.race(city.service, city)

        try await WarningTests.populate(
            city,
            from: 5_000,
            employed: 60,
            unemployed: 6,
            district: "321202",
            industry: "C",
            month: "2026-11",
            registeredOn: "2026-11-05"
        )
        let warning = try await city.service.earlyWarning(month: "2026-11")
        #expect(warning.cells.first { $0.dimension == "district" && $0.group == "321202" }?.unemployed == 7)

        // The identity numbers are nowhere in the file in clear.
        let bytes = StoreFiles.bytes(of: directory.appendingPathComponent("employment.sqlite").path)
        #expect(bytes.range(of: Data(person.unmasked.utf8)) == nil)

        let log: any AuditLog = city.store.auditLog
        let verification = try await log.verify()
        #expect(verification.isValid, "\(verification.problem ?? "")")
        var purposes: Set<String> = []
        for index in 0..<(try await log.size()) { purposes.insert(try await log.entry(at: index).purpose) }
        #expect(
            purposes.isSuperset(of: [
                EmploymentService.Purposes.registrations.code, EmploymentService.Purposes.claims.code,
                EmploymentService.Purposes.payments.code, EmploymentService.Purposes.fairs.code,
                EmploymentService.Purposes.statistics.code,
            ])
        )
    }
}
