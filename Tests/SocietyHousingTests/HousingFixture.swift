import Foundation
import Logging
import SocietyCore
import SocietyExchange
import SocietyHousing
import SocietyTesting

/// The registration centre and the fund centre on one store (each would have its own; one is
/// enough to test them), at 10:00 on a fixed day, with the exchange that carries the centre's notices.
struct HousingFixture<Store: RecordStore> {
    let store: Store
    let registry: RealEstateRegistry
    let fund: ProvidentFund
    let exchange: ExchangeFixture

    static var centre: String { "11321200014287102B/real-estate" }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: FixedWallClock) {
        self.store = store
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        registry = RealEstateRegistry(ports: ports)
        fund = ProvidentFund(ports: ports)
        exchange = ExchangeFixture(clock: clock, crypto: crypto)
    }

    static func clock(_ day: String) throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: day).startInstant.addingTimeInterval(36_000))
    }

    /// A resident born in `year`, `female` or not.
    func resident(_ n: Int, born year: Int = 1985, female: Bool = false) throws -> ResidentID {
        try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(year: year, month: 1 + n % 12, day: 1 + n % 28),
            sequence: (n * 2 % 998) + (female ? 2 : 1)
        )
    }

    /// Unit `n` of parcel 321202001001GB00001.
    func unit(_ n: Int) throws -> UnitNumber {
        try UnitNumber("321202001001GB00001F0001" + DecimalText.padded(n, width: 4))
    }

    /// The registration centre's notice that `buyer` bought `unit` for `price` yuan.
    func transferNotice(
        _ unit: UnitNumber,
        buyer: ResidentID,
        price: String,
        on day: String
    ) async throws
        -> OpenedEnvelope
    {
        try await exchange.delivered(
            from: Self.centre,
            to: "11321200014287102B/housing-fund",
            service: "real-estate.transfers",
            purpose: "fund.withdrawals",
            data: [
                "unit": .string(unit.value), "buyer": .string(buyer.unmasked), "price": .string(price),
                "registeredOn": .string(day),
            ]
        )
    }
}

extension HousingFixture where Store == InMemoryStore {
    init(today: String = "2026-12-01") throws {
        let clock = try Self.clock(today)
        let store = try InMemoryStore(clock: clock, actor: Self.centre)
        self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}
