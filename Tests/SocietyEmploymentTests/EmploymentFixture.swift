import Foundation
import Logging
import SocietyCore
import SocietyEmployment
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyTesting
import Synchronization

/// The employment service and the one-card service on one store, with a clock the tests move, and
/// the exchange that delivers the employment registry's notices.
///
/// Unit tests run it on ``SocietyTesting/InMemoryStore``; the integration suite on SQLite and
/// OpenSSL (`EmploymentSQLiteTests`).
struct EmploymentFixture<Store: RecordStore> {
    let store: Store
    let service: EmploymentService
    let oneCard: OneCardService
    let exchange: ExchangeFixture
    let clock: MovingClock

    static var hrss: String { "11321200014287313T/hrss" }

    /// 10:00 China time on `day`.
    static func clock(_ day: String) throws -> MovingClock {
        MovingClock(try CalendarDate(iso8601: day).startInstant.addingTimeInterval(36_000))
    }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: MovingClock) throws {
        self.store = store
        self.clock = clock
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        oneCard = try OneCardService(ports: ports)
        service = EmploymentService(ports: ports, oneCard: oneCard)
        exchange = ExchangeFixture(clock: FixedWallClock(clock.now()), crypto: crypto)
    }

    func date(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }

    /// Resident `n`, born in Taizhou's Hailing district: `year` of birth, `female` or not.
    func resident(_ n: Int, born year: Int = 1985, female: Bool = false) throws -> ResidentID {
        // The sequence's last digit is the sex: odd for men, even for women.
        let sequence = (n * 2 % 998) + (female ? 2 : 1)
        return try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(year: year, month: 1 + n % 12, day: 1 + n % 28),
            sequence: sequence
        )
    }

    /// Registers `resident` on `day` after an involuntary job loss (or `loss`), in `district`.
    @discardableResult
    func register(
        _ resident: ResidentID,
        id: String,
        on day: String = "2026-11-02",
        loss: JobLossReason = .contractExpired,
        district: String = "321202",
        industry: String = "C",
        seeking: Bool = true,
        dibao: Bool = false
    ) async throws -> UnemploymentRegistration {
        let registered = try date(day)
        return try await service.register(
            UnemploymentRegistration(
                id: id,
                resident: resident,
                district: DivisionCode(district),
                registeredOn: registered,
                lostJobOn: registered.adding(days: -1),
                jobLoss: loss,
                industry: industry,
                seekingWork: seeking,
                dibao: dibao
            )
        )
    }

    /// The agency's history for `resident`: `months` of contributions, the last in `last`.
    func contributions(
        _ resident: ResidentID,
        months: Int,
        last: String = "2026-10",
        industry: String = "C",
        district: String = "321202"
    ) async throws {
        try await service.record([
            ContributionHistory(
                resident: resident,
                months: months,
                lastMonth: last,
                industry: industry,
                district: DivisionCode(district),
                on: date("2026-11-01")
            )
        ])
    }

    /// An activated one-card for `resident` (card number from `n`).
    func card(_ resident: ResidentID, _ n: Int) async throws {
        let body = "62220215" + DecimalText.padded(n, width: 10)
        let card = try await oneCard.apply(
            holder: resident,
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: BankAccount(body + String(BankAccount.checkDigit(for: body))),
            uses: [.fiscalSubsidy]
        )
        try await oneCard.apply(
            .issue(CardNumber("A" + DecimalText.padded(n, width: 8)), on: date("2026-01-05")),
            to: card.id
        )
        try await oneCard.apply(.activate, to: card.id)
    }

    /// The employment registry's notice that `resident` started with `employer` on `from`, as
    /// the exchange delivers it to the public employment service.
    func newJob(
        _ resident: ResidentID,
        from: String,
        employer: String = "91320214745555318W"
    ) async throws
        -> OpenedEnvelope
    {
        try await exchange.delivered(
            from: "11321200014287313T/employment-registry",
            to: Self.hrss,
            service: "hrss.employment-registrations",
            purpose: "employment.registrations",
            data: ["resident": .string(resident.unmasked), "employer": .string(employer), "from": .string(from)]
        )
    }
}

extension EmploymentFixture where Store == InMemoryStore {
    /// Both services on a fresh in-memory store at 10:00 on `today`.
    init(today: String = "2026-12-01") throws {
        let clock = try Self.clock(today)
        let store = try InMemoryStore(clock: clock, actor: Self.hrss)
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}
