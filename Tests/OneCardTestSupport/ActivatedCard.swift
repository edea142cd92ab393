public import SocietyCore
public import SocietyOneCard

extension OneCardService {
    /// Gives `holder` an activated third-generation card for fiscal subsidies, as the domain tests
    /// need before a payment: bank account `62220215` + `n` (ten digits) with its check digit, card
    /// number `A` + `n` (eight digits), issued on `issued`, enabled for `uses`.
    public func activatedCard(
        for holder: ResidentID,
        _ n: Int,
        issued: CalendarDate,
        uses: Set<CardUse> = [.fiscalSubsidy]
    ) async throws {
        let body = "62220215" + DecimalText.padded(n, width: 10)
        let card = try await apply(
            holder: holder,
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: BankAccount(body + String(BankAccount.checkDigit(for: body))),
            uses: uses
        )
        try await apply(.issue(CardNumber("A" + DecimalText.padded(n, width: 8)), on: issued), to: card.id)
        try await apply(.activate, to: card.id)
    }
}
