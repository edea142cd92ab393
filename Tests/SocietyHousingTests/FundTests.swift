import SocietyCore
import SocietyHousing
import SocietyServices
import Testing

@Suite("Housing provident fund")
struct FundTests {
    @Test("accounts: rates 5–12 %, one open account a person, a month paid in once")
    func accounts() async throws {
        let city = try HousingFixture()
        let worker = try city.resident(1)
        let employer = try CreditCode("91320214745555318W")
        await #expect(throws: HousingError.self) {
            try await city.fund.open(
                id: "gjj-1",
                resident: worker,
                employer: employer,
                wageBase: Money(fen: 800_000),
                employeeRate: 4,
                employerRate: 12
            )
        }
        let account = try await city.fund.open(
            id: "gjj-1",
            resident: worker,
            employer: employer,
            wageBase: Money(fen: 800_000),
            employeeRate: 12,
            employerRate: 12
        )
        #expect(account.monthlyContribution == Money(fen: 192_000))
        await #expect(throws: HousingError.exists("an open account (gjj-1)")) {
            try await city.fund.open(
                id: "gjj-2",
                resident: worker,
                employer: employer,
                wageBase: Money(fen: 500_000),
                employeeRate: 5,
                employerRate: 5
            )
        }
        #expect(try await city.fund.contribute(for: "2026-11") == 1)
        #expect(try await city.fund.contribute(for: "2026-11") == 0, "a month is paid in once")
        #expect(try await city.fund.contribute(for: "2026-12") == 1)
        #expect(try await city.fund.account("gjj-1").balance == Money(fen: 384_000))
    }

    @Test("withdrawals: retirement by age, paper grounds need evidence, each decision explained")
    func grounds() async throws {
        let city = try HousingFixture()
        let retired = try city.resident(2, born: 1960)
        let young = try city.resident(3, born: 1990)
        let employer = try CreditCode("91320214745555318W")
        try await city.fund.open(
            id: "gjj-2",
            resident: retired,
            employer: employer,
            wageBase: Money(fen: 600_000),
            employeeRate: 10,
            employerRate: 10
        )
        try await city.fund.open(
            id: "gjj-3",
            resident: young,
            employer: employer,
            wageBase: Money(fen: 600_000),
            employeeRate: 10,
            employerRate: 10
        )
        try await city.fund.contribute(for: "2026-11")
        let paid = try await city.fund.withdraw(
            account: "gjj-2",
            WithdrawalRequest(ground: .retirement),
            reference: "ret-2"
        )
        #expect(paid.decision?.isEligible == true)
        #expect(paid.amount == Money(fen: 120_000))
        #expect(try await city.fund.account("gjj-2").balance == .zero)
        let refused = try await city.fund.withdraw(
            account: "gjj-3",
            WithdrawalRequest(ground: .retirement),
            reference: "ret-3"
        )
        #expect(refused.decision?.isEligible == false)
        #expect(refused.decision?.explanation.contains("aged 36 < 60") == true)
        #expect(refused.amount == .zero)
        #expect(try await city.fund.account("gjj-3").balance == Money(fen: 120_000), "a refusal changes nothing")
        let noPaper = try await city.fund.withdraw(
            account: "gjj-3",
            WithdrawalRequest(ground: .rent),
            reference: "rent-3"
        )
        #expect(noPaper.decision?.explanation.contains("no evidence") == true)
        let lease = "sha256:" + String(repeating: "a", count: 64)
        let rent = try await city.fund.withdraw(
            account: "gjj-3",
            WithdrawalRequest(ground: .rent, amount: Money(fen: 50_000), document: lease),
            reference: "rent-3b"
        )
        #expect(rent.decision?.isEligible == true)
        #expect(try await city.fund.account("gjj-3").balance == Money(fen: 70_000))
        let online = try await city.fund.withdraw(
            account: "gjj-3",
            WithdrawalRequest(ground: .purchase),
            reference: "buy-3"
        )
        #expect(
            online.decision?.explanation.contains("taken online on the registration centre's transfer notice") == true
        )
    }

    @Test("purchase withdrawal online: the transfer notice by envelope is the evidence, once per unit, the buyer only")
    func purchase() async throws {
        let city = try HousingFixture()
        let buyer = try city.resident(4)
        let employer = try CreditCode("91320214745555318W")
        try await city.fund.open(
            id: "gjj-4",
            resident: buyer,
            employer: employer,
            wageBase: Money(fen: 1_000_000),
            employeeRate: 12,
            employerRate: 12
        )
        for month in ["2026-09", "2026-10", "2026-11"] { try await city.fund.contribute(for: month) }
        let unit = try city.unit(9)
        let notice = try await city.transferNotice(unit, buyer: buyer, price: "1500000.00", on: "2026-11-20")
        let withdrawn = try await city.fund.withdrawForPurchase(account: "gjj-4", notice: notice)
        #expect(withdrawn.decision?.isEligible == true)
        #expect(withdrawn.amount == Money(fen: 720_000))
        #expect(try await city.fund.account("gjj-4").balance == .zero)
        await #expect(throws: HousingError.exists("a withdrawal purchase-\(unit.value) on account gjj-4")) {
            try await city.fund.withdrawForPurchase(account: "gjj-4", notice: notice)
        }
        let stranger = try await city.transferNotice(
            try city.unit(10),
            buyer: try city.resident(5),
            price: "900000.00",
            on: "2026-11-20"
        )
        try await city.fund.contribute(for: "2026-12")
        let refused = try await city.fund.withdrawForPurchase(account: "gjj-4", notice: stranger)
        #expect(refused.decision?.checks.first { $0.rule == "buyer-is-holder" }?.passed == false)
        #expect(try await city.fund.account("gjj-4").balance == Money(fen: 240_000))
        let old = try await city.transferNotice(try city.unit(11), buyer: buyer, price: "900000.00", on: "2025-06-01")
        #expect(try await city.fund.withdrawForPurchase(account: "gjj-4", notice: old).decision?.isEligible == false)
    }
}
