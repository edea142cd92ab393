import Foundation
import Logging
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyTesting
import SocietyVeterans

/// The veterans' service and the one-card service on one store, with a fixed clock, and the
/// exchange that delivers other departments' notices to the bureau.
///
/// The unit tests run it on ``SocietyTesting/InMemoryStore`` (``VeteransFixture/init(today:)``);
/// the integration suite runs it on SQLite and OpenSSL (see `VeteranSQLiteTests`).
struct VeteransFixture<Store: RecordStore> {
    let store: Store
    let service: VeteranService
    let oneCard: OneCardService
    let exchange: ExchangeFixture
    let crypto: any CryptoProvider
    let clock: FixedWallClock
    let bureau: CreditCode

    /// The veterans' affairs bureau, to which notices are addressed and whose actor the store's
    /// audit entries name.
    static var veterans: String { "113212000142871106/veterans" }

    /// The clock: 10:00 on `today`.
    static func clock(_ today: String) throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: today).startInstant.addingTimeInterval(36_000))
    }

    /// Both services on `store`, whose keys and crypto they use for ids and pseudonyms, logging to
    /// `logger` (nowhere by default).
    init(
        store: Store,
        keys: any KeyProvider,
        crypto: any CryptoProvider,
        clock: FixedWallClock,
        profile: StorageCryptoProfile = .standard,
        sources: VeteranDataSources = VeteranDataSources(),
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.store = store
        self.crypto = crypto
        self.clock = clock
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            profile: profile,
            logger: logger
        )
        oneCard = try OneCardService(ports: ports)
        service = VeteranService(ports: ports, oneCard: oneCard, sources: sources)
        exchange = ExchangeFixture(clock: clock, crypto: crypto)
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
    ) async throws -> Veteran {
        let resident = try resident(n)
        let enlisted = resident.birthDate.adding(years: 18)
        return try await service.register(
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
    func card(_ n: Int) async throws {
        let body = "62220215" + DecimalText.padded(n, width: 10)
        let card = try await oneCard.apply(
            holder: resident(n),
            generation: .third,
            issuingBank: bureau,
            bankAccount: BankAccount(body + String(BankAccount.checkDigit(for: body))),
            uses: [.fiscalSubsidy]
        )
        try await oneCard.apply(
            .issue(CardNumber("A" + DecimalText.padded(n, width: 8)), on: date("2026-01-05")),
            to: card.id
        )
        try await oneCard.apply(.activate, to: card.id)
    }

    /// An envelope from `issuer` for `service`, sealed `age` seconds ago and opened by the bureau
    /// as the exchange would deliver it.
    func notice(
        from issuer: String,
        service: String,
        data: JSONValue,
        age: TimeInterval = 0
    ) async throws
        -> OpenedEnvelope
    {
        try await exchange.delivered(
            from: issuer,
            to: Self.veterans,
            service: service,
            purpose: "veterans.base-database",
            data: data,
            age: age
        )
    }
}

extension VeteransFixture where Store == InMemoryStore {
    /// Both services on a fresh in-memory store at 10:00 on `today`, logging to `logger`.
    init(
        today: String = "2026-11-29",
        sources: VeteranDataSources = VeteranDataSources(),
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        let clock = try Self.clock(today)
        let store = try InMemoryStore(clock: clock, actor: Self.veterans)
        try self.init(
            store: store,
            keys: store.keys,
            crypto: store.crypto,
            clock: clock,
            sources: sources,
            logger: logger
        )
    }
}
