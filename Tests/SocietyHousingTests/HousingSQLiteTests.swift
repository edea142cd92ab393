import Foundation
import SocietyCore
import SocietyHousing
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

/// Registration and the fund on a real SQLite file with OpenSSL: the same moves, nothing personal in
/// clear in the file, every access audited under its purpose.
@Suite("Housing on SQLite")
struct HousingSQLiteTests {
    @Test("register, transfer, look up by holder with a purpose, the fund's purchase withdrawal; the log verifies")
    func flow() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-housing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let clock = try HousingFixture<SQLiteStore>.clock("2026-12-01")
        let keys = try StaticKeyProvider.random(using: crypto)
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("housing.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: HousingFixture<SQLiteStore>.centre, origin: "test", clock: clock)
            )
        )
        let city = HousingFixture(store: store, keys: keys, crypto: crypto, clock: clock)
        let seller = try city.resident(1)
        let buyer = try city.resident(2, female: true)
        let unit = try city.unit(1)
        try await city.registry.register(
            .first(location: "凤凰路1号", use: "住宅", area: 9_000, holders: [.resident(seller)]),
            on: unit
        )
        try await city.registry.register(.transfer(to: [.resident(buyer)], price: Money(fen: 120_000_000)), on: unit)
        let inquiry = Purpose(constant: "court.enforcement-inquiry")
        #expect(try await city.registry.units(heldBy: .resident(buyer), purpose: inquiry).map(\.unit) == [unit])
        #expect(try await city.registry.publicSearch(unit.value).count == 1)
        try await city.fund.open(
            id: "gjj-1",
            resident: buyer,
            employer: CreditCode("91320214745555318W"),
            wageBase: Money(fen: 900_000),
            employeeRate: 12,
            employerRate: 12
        )
        try await city.fund.contribute(for: "2026-11")
        let withdrawn = try await city.fund.withdrawForPurchase(
            account: "gjj-1",
            notice: try await city.transferNotice(unit, buyer: buyer, price: "1200000.00", on: "2026-12-01")
        )
        #expect(withdrawn.amount == Money(fen: 216_000))

        let bytes = StoreFiles.bytes(of: directory.appendingPathComponent("housing.sqlite").path)
        for person in [seller, buyer] { #expect(bytes.range(of: Data(person.unmasked.utf8)) == nil) }
        let log: any AuditLog = store.auditLog
        #expect(try await log.verify().isValid)
        var purposes: Set<String> = []
        for index in 0..<(try await log.size()) { purposes.insert(try await log.entry(at: index).purpose) }
        #expect(
            purposes.isSuperset(of: [
                RealEstateRegistry.Purposes.registration.code, inquiry.code, ProvidentFund.Purposes.accounts.code,
                ProvidentFund.Purposes.withdrawals.code,
            ])
        )
        // The public map search reads only the public records, which hold nothing personal: there
        // is no access to personal data to audit.
        #expect(!purposes.contains(RealEstateRegistry.Purposes.publicSearch.code))
    }
}
