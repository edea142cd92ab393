import Foundation
import Logging
import SocietyAssistance
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyServices
import SocietyTesting

/// Civil affairs, two data-source departments and the one-card, with the family of the
/// eligibility tests holding a card; the services log into ``logs``.
struct AssistanceWorld<Store: RecordStore> {
    let city: VerificationCity<Store>
    let oneCard: OneCardService
    let logs: LogCapture
    /// The family: the applicant (head) first.
    let family: [ResidentID]
    let household: Identifier<Household>
    /// The head's card's bank account.
    let account: BankAccount
    /// The catalogue entry the service receives applications under: 30 working days statutory,
    /// 20 promised.
    let entry: ServiceEntry
    /// The district the family's applications belong to (Hailing district, Taizhou).
    static var district: DivisionCode { get throws { try DivisionCode("321202") } }

    /// The day of every step (the city's fixed clock).
    static var today: CalendarDate { VerificationCity<Store>.today }
    /// The month paid.
    static var period: PayPeriod { PayPeriod(containing: today) }

    /// A world on `city`, its one-card on `oneCardStore` (with its own keys); the family's
    /// departments hold a wage of ¥1,800 and `dwellings` dwellings.
    init(
        city: VerificationCity<Store>,
        oneCardStore: any RecordStore,
        oneCardKeys: any KeyProvider,
        dwellings: Int = 1
    ) async throws {
        let logs = LogCapture()
        let family = try VerificationCity<Store>.family()
        try await city.hold(
            [
                family[0]: ["monthlyWage": 180_000, "monthlyPension": 0],
                family[1]: ["monthlyWage": 0, "monthlyPension": 0],
            ],
            for: VerificationService.labour
        )
        try await city.hold([family[0]: ["dwellings": .number(Double(dwellings))]], for: VerificationService.property)
        let oneCard = try OneCardService(
            ports: ServicePorts(
                store: oneCardStore,
                crypto: city.crypto,
                keys: oneCardKeys,
                clock: city.clock,
                profile: city.profile.storage,
                logger: logs.logger("onecard")
            )
        )
        let account = try Self.account(1)
        try await Self.issueCard(to: family[0], account: account, number: "T00000001", oneCard: oneCard)
        self.city = city
        self.oneCard = oneCard
        self.logs = logs
        self.family = family
        self.household = try Identifier("hh-1")
        self.account = account
        self.entry = try AssistanceService.serviceEntry(timeLimit: TimeLimit(statutory: 30, promised: 20))
    }

    /// Civil affairs' ports, logging at trace level into ``logs``.
    var ports: ServicePorts {
        ServicePorts(
            store: city.civilAffairs.store,
            crypto: city.crypto,
            keys: city.keys,
            clock: city.clock,
            profile: city.profile.storage,
            logger: logs.logger("civil-affairs")
        )
    }

    /// A service instance: each call makes a new one, as a restarted process would.
    func service() -> AssistanceService {
        AssistanceService(
            ports: ports,
            exchange: city.civilExchange,
            oneCard: oneCard,
            service: entry,
            policy: .defaultPolicy,
            verification: VerificationPlan(services: VerificationCity<Store>.services)
        )
    }

    /// The `send` of the verification: in process, to the city's responders.
    var send: @Sendable (String, String) async throws -> String {
        { [city] service, request in try await city.deliver(service, request) }
    }

    /// How many payment records the one-card ledger holds.
    func ledgerRecords() async throws -> Int { try await oneCard.totals().records }

    /// The family's application, received.
    func applyFamily(_ service: AssistanceService, id: String = "app-1") async throws -> AssistanceApplication {
        try await service.apply(
            Identifier(id),
            household: household,
            applicant: family[0],
            members: family,
            district: try Self.district
        )
    }

    /// A valid bank account numbered `index`.
    static func account(_ index: Int) throws -> BankAccount {
        let body = "62220299" + DecimalText.padded(index, width: 10)
        return try BankAccount(body + String(BankAccount.checkDigit(for: body)))
    }

    /// Issues and activates a third-generation card for `holder`.
    static func issueCard(
        to holder: ResidentID,
        account: BankAccount,
        number: String,
        oneCard: OneCardService
    )
        async throws
    {
        let card = try await oneCard.apply(
            holder: holder,
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: account,
            uses: CardGeneration.third.supportedUses
        )
        try await oneCard.apply(.issue(CardNumber(number), on: today), to: card.id)
        try await oneCard.apply(.activate, to: card.id)
    }
}
