import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite

/// A one-card service on a real SQLite file with real OpenSSL keys and auditing.
struct OneCardFixture {
    let directory: URL
    let store: SQLiteStore
    let service: OneCardService
    let crypto = OpenSSLCryptoProvider()
    let clock: FixedWallClock
    let bank: CreditCode

    init(today: String = "2026-11-29", profile: StorageCryptoProfile = .standard) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-onecard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = FixedWallClock(try CalendarDate(iso8601: today).startInstant.addingTimeInterval(36_000))
        let keys = try StaticKeyProvider.random(using: crypto)
        store = try SQLiteStore(
            path: directory.appendingPathComponent("onecard.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys, profile: profile),
                audit: StoreAuditing(actor: "91320000000000000X/onecard", origin: "test", clock: clock)
            )
        )
        service = try OneCardService(store: store, crypto: crypto, keys: keys, clock: clock)
        bank = try CreditCode("91320214745555318W")
    }

    /// A valid ID for person `n` born in 1950 + n % 60.
    func resident(_ n: Int) throws -> ResidentID {
        try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(year: 1950 + n % 60, month: 1 + n % 12, day: 1 + n % 28),
            sequence: n % 1000
        )
    }

    /// A Luhn-valid account number for `n`.
    func account(_ n: Int) throws -> BankAccount {
        let body = "62220215" + String(format: "%010d", n)
        return try BankAccount(body + String(BankAccount.checkDigit(for: body)))
    }

    /// An activated card for person `n`.
    @discardableResult
    func activatedCard(
        _ n: Int,
        generation: CardGeneration = .third,
        account: BankAccount? = nil
    ) throws
        -> SocialSecurityCard
    {
        let card = try service.apply(
            holder: resident(n),
            generation: generation,
            issuingBank: bank,
            bankAccount: account ?? self.account(n),
            uses: generation.supportedUses
        )
        try service.apply(
            .issue(CardNumber(String(format: "A%08d", n)), on: CalendarDate(iso8601: "2026-01-05")),
            to: card.id
        )
        return try service.apply(.activate, to: card.id)
    }

    func payment(
        _ id: String,
        _ n: Int,
        _ programme: Programme = .minimumLiving,
        period: String = "2026-10",
        fen: Int64 = 96_000
    ) throws -> PaymentInstruction {
        try PaymentInstruction(
            id: id,
            programme: programme,
            holder: resident(n),
            period: PayPeriod(period),
            amount: Money(fen: fen)
        )
    }

    /// An opened envelope from public security carrying `data`, as the exchange would deliver it.
    func notice(service: String, data: JSONValue) throws -> OpenedEnvelope {
        let police = try Party("113212000142871106/population")
        let me = try Party("91320214745555318W/onecard")
        let purpose = try Purpose("onecard.monitoring")
        let key = try crypto.generateSigningKey(.ed25519)
        let now = clock.now()
        let list = TrustList(
            version: 1,
            issuedAt: now,
            nextUpdate: now.addingTimeInterval(86_400),
            parties: [
                .init(
                    party: police,
                    name: "公安 人口",
                    keys: [
                        TrustedKey(
                            kid: "pop-1",
                            algorithm: .ed25519,
                            publicKey: key.publicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-60),
                            validUntil: now.addingTimeInterval(3600)
                        )
                    ]
                ), .init(party: me, name: "一卡通"),
            ],
            services: [DataService(id: service, provider: police, fields: [], purposes: [purpose])],
            grants: [AccessGrant(consumer: me, service: service, purposes: [purpose])]
        )
        let sealer = EnvelopeSealer(issuer: police, key: key, kid: "pop-1", crypto: crypto, clock: clock)
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
