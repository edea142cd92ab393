import SocietyCore
import SocietyExchange
import SocietyHousing
import SocietyServices
import SocietyTesting
import Testing

@Suite("The home-transfer bundle")
struct TransferBundleTests {
    @Test(
        "deed tax by the 2024 rules",
        arguments: [
            (1, 8_954, Int64(150_000_000), Int64(1_500_000)), (1, 15_000, 150_000_000, 2_250_000),
            (2, 14_000, 100_000_000, 1_000_000), (2, 14_001, 100_000_000, 2_000_000),
            (3, 9_000, 100_000_000, 3_000_000),
        ]
    )
    func deedTax(homes: Int, area: Int, price: Int64, tax: Int64) {
        #expect(DeedTax.rules2024.assess(price: Money(fen: price), area: area, homes: homes).tax == Money(fen: tax))
    }

    @Test("one application, three departments: tax receipt → transfer registration → fund withdrawal, each by envelope")
    func bundle() async throws {
        let city = try HousingFixture()
        let clock = try HousingFixture<InMemoryStore>.clock("2026-12-01")
        let deskStore = try InMemoryStore(clock: clock, actor: "11321200014287102B/services")
        let (entries, bundle) = try HomeTransfer.catalogue(timeLimit: TimeLimit(statutory: 5, promised: 1))
        let desk = ApplicationService(
            ports: ServicePorts(store: deskStore, crypto: deskStore.crypto, keys: deskStore.keys, clock: clock),
            catalogue: try ServiceCatalogue(entries, bundles: [bundle]),
            calendar: try PublishedCalendar.official()
        )
        let seller = try city.resident(1)
        let buyer = try city.resident(2, female: true)
        let unit = try city.unit(1)
        try await city.registry.register(
            .first(location: "凤凰路1号", use: "住宅", area: 8_954, holders: [.resident(seller)]),
            on: unit
        )
        try await city.fund.open(
            id: "gjj-2",
            resident: buyer,
            employer: CreditCode("91320214745555318W"),
            wageBase: Money(fen: 1_000_000),
            employeeRate: 12,
            employerRate: 12
        )
        try await city.fund.contribute(for: "2026-11")

        // The buyer applies once.
        let contract = SuppliedMaterial.document(
            name: "sale contract",
            digest: "sha256:" + String(repeating: "c", count: 64)
        )
        let status = try await desk.submit(
            id: "hx-1",
            bundle: HomeTransfer.bundle,
            applicant: .resident(buyer),
            district: DivisionCode("321202"),
            materials: [contract],
            by: "portal"
        )
        #expect(status.parts.count == 3)
        let part = { (service: String) in ApplicationService.partID("hx-1", service) }

        // The tax bureau assesses and sends its receipt to the registration centre.
        let price = Money(fen: 150_000_000)
        try await desk.accept(part(HomeTransfer.deedTax), by: "tax")
        let (tax, statement) = DeedTax.rules2024.assess(price: price, area: 8_954, homes: 1)
        #expect(statement == "the family's only home, ≤ 140 m²: 1.0 % of 1500000.00 = 15000.00")
        let receipt = try await city.exchange.delivered(
            from: "11321200014287102B/tax",
            to: HousingFixture<InMemoryStore>.centre,
            service: HomeTransfer.taxReceipts,
            purpose: "housing.registration",
            data: DeedTax.receipt(
                unit: unit,
                buyer: buyer,
                price: price,
                tax: tax,
                paidOn: try CalendarDate(iso8601: "2026-12-01")
            )
        )
        try await desk.complete(part(HomeTransfer.deedTax), result: "paid \(tax.yuanText)", by: "tax")

        // A receipt for another price is refused; the right one registers the transfer.
        await #expect(throws: HousingError.self) {
            try await city.registry.registerTransfer(
                unit,
                to: buyer,
                price: Money(fen: 100_000_000),
                taxReceipt: receipt
            )
        }
        try await desk.accept(part(HomeTransfer.registration), by: "real-estate")
        let (page, notice) = try await city.registry.registerTransfer(
            unit,
            to: buyer,
            price: price,
            taxReceipt: receipt
        )
        #expect(page.holders == [.resident(buyer)])
        try await desk.complete(
            part(HomeTransfer.registration),
            result: page.certificate?.description ?? "",
            by: "real-estate"
        )

        // The fund centre withdraws on the centre's notice.
        let delivered = try await city.exchange.delivered(
            from: HousingFixture<InMemoryStore>.centre,
            to: "11321200014287102B/housing-fund",
            service: HomeTransfer.transferNotices,
            purpose: "fund.withdrawals",
            data: notice
        )
        try await desk.accept(part(HomeTransfer.fundWithdrawal), by: "housing-fund")
        let withdrawn = try await city.fund.withdrawForPurchase(account: "gjj-2", notice: delivered)
        #expect(withdrawn.amount == Money(fen: 240_000))
        try await desk.complete(
            part(HomeTransfer.fundWithdrawal),
            result: "withdrew \(withdrawn.amount.yuanText)",
            by: "housing-fund"
        )

        let done = try await desk.bundleStatus("hx-1", bundle: HomeTransfer.bundle)
        #expect(done.isDone)
        #expect(done.parts.allSatisfy { $0.state.name == "completed" })
    }
}
