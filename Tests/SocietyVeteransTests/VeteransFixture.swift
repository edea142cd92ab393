import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyVeterans

/// The veterans' service and the one-card service on one real SQLite file, with real OpenSSL.
struct VeteransFixture {
    let directory: URL
    let store: SQLiteStore
    let service: VeteranService
    let oneCard: OneCardService
    let crypto = OpenSSLCryptoProvider()
    let clock: FixedWallClock
    let bureau: CreditCode

    init(today: String = "2026-11-29") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-veterans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = FixedWallClock(try CalendarDate(iso8601: today).startInstant.addingTimeInterval(36_000))
        let keys = try StaticKeyProvider.random(using: crypto)
        store = try SQLiteStore(
            path: directory.appendingPathComponent("veterans.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "113212000142871106/veterans", origin: "test", clock: clock)
            )
        )
        service = VeteranService(store: store, crypto: crypto, clock: clock)
        oneCard = try OneCardService(store: store, crypto: crypto, keys: keys, clock: clock)
        bureau = try CreditCode("91320214745555318W")
    }

    func date(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }

    /// A resident born in 1960 + n % 30.
    func resident(_ n: Int) throws -> ResidentID {
        try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(year: 1960 + n % 30, month: 1 + n % 12, day: 1 + n % 28),
            sequence: n % 1000
        )
    }

    /// Registers veteran `n` (enlisted at 18, discharged after `years`).
    func veteran(
        _ n: Int,
        placement: PlacementType = .selfEmployment,
        care: PreferentialCareCategory? = nil,
        years: Int = 5
    ) throws -> Veteran {
        let resident = try resident(n)
        let enlisted = resident.birthDate.adding(years: 18)
        return try service.register(
            resident,
            name: PersonName("张志\(["强", "刚", "军", "勇"][n % 4])"),
            branch: .army,
            enlisted: enlisted,
            discharged: enlisted.adding(years: years),
            rank: .sergeant,
            placementType: placement,
            care: care.map { PreferentialCare(category: $0, since: try date("2020-01-01")) }
        )
    }

    /// An activated one-card for veteran resident `n`.
    func card(_ n: Int) throws {
        let body = "62220215" + String(format: "%010d", n)
        let card = try oneCard.apply(
            holder: resident(n),
            generation: .third,
            issuingBank: bureau,
            bankAccount: BankAccount(body + String(BankAccount.checkDigit(for: body))),
            uses: [.fiscalSubsidy]
        )
        try oneCard.apply(.issue(CardNumber(String(format: "A%08d", n)), on: date("2026-01-05")), to: card.id)
        try oneCard.apply(.activate, to: card.id)
    }

    /// An opened envelope from `issuer` for `service`, sealed `age` seconds ago.
    func notice(from issuer: String, service: String, data: JSONValue, age: TimeInterval = 0) throws -> OpenedEnvelope {
        let sender = try Party(issuer)
        let me = try Party("113212000142871106/veterans")
        let purpose = try Purpose("veterans.base-database")
        let key = try crypto.generateSigningKey(.ed25519)
        let now = clock.now()
        let list = TrustList(
            version: 1,
            issuedAt: now,
            nextUpdate: now.addingTimeInterval(86_400),
            parties: [
                .init(
                    party: sender,
                    name: "source",
                    keys: [
                        TrustedKey(
                            kid: "k-1",
                            algorithm: .ed25519,
                            publicKey: key.publicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-3600),
                            validUntil: now.addingTimeInterval(3600)
                        )
                    ]
                ), .init(party: me, name: "退役军人事务局"),
            ],
            services: [DataService(id: service, provider: sender, fields: [], purposes: [purpose])],
            grants: [AccessGrant(consumer: me, service: service, purposes: [purpose])]
        )
        let sealer = EnvelopeSealer(
            issuer: sender,
            key: key,
            kid: "k-1",
            crypto: crypto,
            clock: FixedWallClock(now.addingTimeInterval(-age))
        )
        let text = try sealer.seal(EnvelopeDraft(audience: me, service: service, purpose: purpose, data: data))
        return try EnvelopeOpener(
            me: me,
            trustList: list,
            crypto: crypto,
            clock: clock,
            replayGuard: InMemoryReplayGuard()
        )
        .open(text)
    }
}
