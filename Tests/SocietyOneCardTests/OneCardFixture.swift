import Foundation
import Logging
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyTesting

/// A one-card service on a store, with a fixed clock, and the exchange that delivers notices to it.
///
/// The unit tests run it on ``SocietyTesting/InMemoryStore`` (``OneCardFixture/init(today:)``); the
/// integration suite runs it on SQLite and OpenSSL (see `OneCardSQLiteTests`).
struct OneCardFixture<Store: RecordStore> {
    let store: Store
    let service: OneCardService
    let exchange: ExchangeFixture
    let clock: FixedWallClock
    let bank: CreditCode

    /// The party that reports deaths and employment registrations.
    static var population: String { "113212000142871106/population" }
    /// The one-card's own party, to which notices are addressed.
    static var oneCard: String { "91320214745555318W/onecard" }
    /// The actor the store's audit entries name.
    static var actor: String { "91320000000000000X/onecard" }

    /// The clock: 10:00 on `today`.
    static func clock(_ today: String) throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: today).startInstant.addingTimeInterval(36_000))
    }

    /// A service on `store`, whose keys and crypto it uses for pseudonyms and card ids, naming
    /// envelopes by the profile's digest and logging to `logger` (nowhere by default).
    init(
        store: Store,
        keys: any KeyProvider,
        crypto: any CryptoProvider,
        clock: FixedWallClock,
        profile: StorageCryptoProfile = .standard,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.store = store
        self.clock = clock
        service = try OneCardService(
            ports: ServicePorts(
                store: store,
                crypto: crypto,
                keys: keys,
                clock: clock,
                profile: profile,
                logger: logger
            )
        )
        exchange = ExchangeFixture(clock: clock, crypto: crypto)
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
        let body = "62220215" + DecimalText.padded(n, width: 10)
        return try BankAccount(body + String(BankAccount.checkDigit(for: body)))
    }

    /// An activated card for person `n`.
    @discardableResult
    func activatedCard(
        _ n: Int,
        generation: CardGeneration = .third,
        account: BankAccount? = nil
    ) async throws -> SocialSecurityCard {
        let card = try await service.apply(
            holder: resident(n),
            generation: generation,
            issuingBank: bank,
            bankAccount: account ?? self.account(n),
            uses: generation.supportedUses
        )
        try await service.apply(
            .issue(CardNumber("A" + DecimalText.padded(n, width: 8)), on: CalendarDate(iso8601: "2026-01-05")),
            to: card.id
        )
        return try await service.apply(.activate, to: card.id)
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

    /// An envelope from public security carrying `data`, opened by the one-card as the exchange
    /// would deliver it.
    func notice(service: String, data: JSONValue) async throws -> OpenedEnvelope {
        try await exchange.delivered(
            from: Self.population,
            to: Self.oneCard,
            service: service,
            purpose: "onecard.monitoring",
            data: data
        )
    }

    /// The ledger's record of instruction `id`, if any.
    func paymentRecord(_ id: String) async throws -> PaymentRecord? {
        try await store.read(purpose: OneCardService.Purposes.payments) { db in
            try await db.get(PaymentRecord.self, key: RecordKey(id))
        }
    }
}

extension OneCardFixture where Store == InMemoryStore {
    /// A service on an empty in-memory store, at 10:00 on `today`, logging to `logger`.
    init(
        today: String = "2026-11-29",
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        let clock = try Self.clock(today)
        let store = try InMemoryStore(clock: clock, actor: Self.actor, origin: "test")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock, logger: logger)
    }
}
