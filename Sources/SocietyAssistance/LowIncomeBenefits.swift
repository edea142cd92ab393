public import SocietyCore
public import SocietyOneCard

/// The plan's extras for low-income households (item 8): utility-fee relief and price subsidies,
/// paid through the one-card ledger beside the allowance.
///
/// Amounts are configuration; the defaults (¥50 a month utility relief, ¥40 a month price
/// subsidy per household) are **assumptions**, not Taizhou's figures.
public struct LowIncomeBenefits: Hashable, Sendable {
    /// Monthly utility-fee relief (水电气费减免) per household.
    public var utilityRelief: Money
    /// Monthly price subsidy (物价补贴) per household, paid while the price-linkage mechanism is on.
    public var priceSubsidy: Money

    /// The extras with their amounts.
    public init(utilityRelief: Money = Money(fen: 5_000), priceSubsidy: Money = Money(fen: 4_000)) {
        self.utilityRelief = utilityRelief
        self.priceSubsidy = priceSubsidy
    }

    /// The month's instructions for an enrolled household, each under its own idempotency key so that
    /// a retried run pays nothing twice.
    public func instructions(
        household: Identifier<Household>,
        head: ResidentID,
        period: PayPeriod
    ) throws -> [PaymentInstruction] {
        var result: [PaymentInstruction] = []
        // Each extra is its own programme, so one month of each is not "paid twice" to fraud monitoring.
        let extras: [(String, Programme, Money)] = [
            ("utility", .utilityFeeRelief, utilityRelief), ("price", .priceSubsidy, priceSubsidy),
        ]
        for (name, programme, amount) in extras where amount > .zero {
            result.append(
                try PaymentInstruction(
                    id: "\(name)-\(period)-\(household.rawValue)",
                    programme: programme,
                    holder: head,
                    period: period,
                    amount: amount
                )
            )
        }
        return result
    }
}
