import Foundation
import Logging
import SocietyCore
import SocietyDraw
import SocietyMarketSupervision
import SocietyServices
import SocietyTesting

/// The market supervision service and its draw office on one store, at 10:00 on 2026-09-21 (a
/// Monday, so the working-day deadlines run across the Mid-Autumn and National Day holidays).
struct MarketWorld<Store: RecordStore> {
    let store: Store
    let crypto: any CryptoProvider
    let keys: any KeyProvider
    let clock: FixedWallClock
    let drawKey: any SigningKey
    let service: MarketSupervisionService

    static func clock(_ day: String = "2026-09-21") throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: day).startInstant.addingTimeInterval(36_000))
    }

    init(
        store: Store,
        keys: any KeyProvider,
        crypto: any CryptoProvider,
        clock: FixedWallClock,
        drawKey: (any SigningKey)? = nil,
        calendar: (any WorkingCalendar)? = nil
    ) throws {
        self.store = store
        self.crypto = crypto
        self.keys = keys
        self.clock = clock
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        let key = try drawKey ?? crypto.generateSigningKey(.ed25519)
        self.drawKey = key
        service = MarketSupervisionService(
            ports: ports,
            draws: DrawService(ports: ports, signer: key, kid: "market-draw-1"),
            calendar: try calendar ?? PublishedCalendar.official()
        )
    }

    /// The same world on another day (the store, keys and draw key kept).
    func on(_ day: String) throws -> MarketWorld {
        try MarketWorld(store: store, keys: keys, crypto: crypto, clock: Self.clock(day), drawKey: drawKey)
    }

    /// The n-th synthetic market-regulation enterprise code in Hailing district.
    static func code(_ n: Int) throws -> CreditCode {
        try CreditCode(
            authority: .marketRegulation,
            type: "1",
            division: DivisionCode("321202"),
            organizationBody: "MA" + DecimalText.padded(n * 37 % 1_000_000, width: 6)
        )
    }

    static func representative(_ n: Int) throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: "1975-03-14"), sequence: n)
    }

    static var names: [String] { ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞", "徐斌", "孙丽", "马超", "朱红"] }

    /// Registers entity `n` in `industry`.
    @discardableResult
    func entity(_ n: Int, industry: String = "food-sales", name: String? = nil) async throws -> MarketEntity {
        let entity = try MarketEntity(
            code: Self.code(n),
            name: name ?? "泰州市海陵区第\(n)食品商行",
            representative: PersonName(Self.names[n % Self.names.count]),
            representativeID: Self.representative(n),
            district: DivisionCode("321202"),
            industry: industry,
            registered: CalendarDate(iso8601: "2020-05-06")
        )
        try await service.register(entity)
        return entity
    }

    func date(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }
}

extension MarketWorld where Store == InMemoryStore {
    init(day: String = "2026-09-21", calendar: (any WorkingCalendar)? = nil) throws {
        let clock = try Self.clock(day)
        let store = try InMemoryStore(clock: clock, actor: "11321200014287102B/market")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock, calendar: calendar)
    }
}
