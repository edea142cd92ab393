import Foundation
import Logging
import SocietyCore
import SocietyExchange
import SocietyHealth
import SocietyJSON
import SocietyTesting

/// A family-doctor service on a store, with a fixed clock, and the exchange that delivers other
/// departments' notices to it.
///
/// The unit tests run it on ``SocietyTesting/InMemoryStore`` (``HealthFixture/init(today:)``); the
/// integration suite runs it on SQLite and OpenSSL (see `FamilyDoctorSQLiteTests`).
struct HealthFixture<Store: RecordStore> {
    let store: Store
    let service: FamilyDoctorService
    let exchange: ExchangeFixture
    let crypto: any CryptoProvider
    let clock: FixedWallClock
    let today: CalendarDate
    let institution: Organization

    /// The actor the store's audit entries name.
    static var actor: String { "12321200000000000X/family-doctor" }
    /// Civil affairs' assistance system, which sends assistance facts.
    static var civilAffairs: String { "113212000142871106/assistance" }
    /// The family-doctor system, to which notices are addressed.
    static var familyDoctor: String { "91320214745555318W/family-doctor" }

    /// The clock: 10:00 on `today`.
    static func clock(_ today: String) throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: today).startInstant.addingTimeInterval(36_000))
    }

    /// A service on ports over `store`, whose keys and crypto it uses for pseudonyms and contract
    /// ids, logging to `logger`, with the basic and chronic-disease packages registered.
    init(
        store: Store,
        keys: any KeyProvider,
        crypto: any CryptoProvider,
        clock: FixedWallClock,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws {
        self.store = store
        self.crypto = crypto
        self.clock = clock
        today = CalendarDate(clock.now())
        service = try FamilyDoctorService(
            ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock, logger: logger)
        )
        exchange = ExchangeFixture(clock: clock, crypto: crypto)
        institution = Organization(
            creditCode: try CreditCode("91320214745555318W"),
            name: "海陵区城东社区卫生服务中心",
            kind: .hospital,
            division: try DivisionCode("321202")
        )
        try await service.register(try ServicePackage.basic)
        try await service.register(try ServicePackage.chronicDisease)
    }

    /// A resident born on `birth` (YYYY-MM-DD), number `n`.
    func resident(_ n: Int, born birth: String = "1950-03-01") throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: birth), sequence: n % 1000)
    }

    /// A registered team with a GP, a nurse and a public-health doctor.
    @discardableResult
    func team(_ id: String = "team-1", capacity: Int = 10) async throws -> DoctorTeam {
        let team = try DoctorTeam(
            id: Identifier(id),
            name: "城东 1 号团队",
            institution: institution,
            members: [
                TeamMember(number: 1, name: PersonName("王建国"), role: .generalPractitioner),
                TeamMember(number: 2, name: PersonName("李敏"), role: .nurse),
                TeamMember(number: 3, name: PersonName("陈静"), role: .publicHealthDoctor),
            ],
            capacity: capacity
        )
        try await service.register(team)
        return team
    }

    func date(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }

    var basic: Identifier<ServicePackage> { get throws { try Identifier("basic") } }

    /// An envelope from civil affairs carrying `data`, opened by the family-doctor system as the
    /// exchange would deliver it.
    func notice(service: String, data: JSONValue) async throws -> OpenedEnvelope {
        try await exchange.delivered(
            from: Self.civilAffairs,
            to: Self.familyDoctor,
            service: service,
            purpose: "health.family-doctor",
            data: data
        )
    }
}

extension HealthFixture where Store == InMemoryStore {
    /// A service on a fresh in-memory store at 10:00 on `today`, logging to `logger` (nowhere by
    /// default).
    init(
        today: String = "2026-11-29",
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws {
        let clock = try Self.clock(today)
        let store = try InMemoryStore(clock: clock, actor: Self.actor)
        try await self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock, logger: logger)
    }
}
