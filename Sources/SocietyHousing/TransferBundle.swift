import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON
public import SocietyServices

/// 二手房转移登记"一件事" (plan item 6): a home's transfer as one application of three parts — the
/// transfer registration (the registration centre), the deed tax (the tax bureau) and the
/// provident-fund withdrawal for the purchase (the fund centre) — each department's step proved to
/// the next by envelope, so the buyer hands in nothing twice.
public enum HomeTransfer {
    /// The bundle's catalogue code.
    public static let bundle = "home-transfer"
    /// The transfer registration's catalogue code.
    public static let registration = "real-estate-transfer"
    /// The deed tax's catalogue code.
    public static let deedTax = "deed-tax"
    /// The fund withdrawal's catalogue code.
    public static let fundWithdrawal = "fund-purchase-withdrawal"
    /// The data service of the tax bureau's receipts.
    public static let taxReceipts = "tax.deed-tax-receipts"
    /// The data service of the registration centre's transfer notices.
    public static let transferNotices = "real-estate.transfers"

    /// The three catalogue entries and the bundle.
    public static func catalogue(timeLimit: TimeLimit) throws(CatalogueError) -> ([ServiceEntry], ServiceBundle) {
        let entries = [
            try ServiceEntry(
                code: registration,
                name: "不动产转移登记 (real-estate transfer registration)",
                department: "real-estate",
                legalBasis: ["民法典", "不动产登记暂行条例"],
                applicant: .resident,
                materials: [
                    .document(name: "sale contract"),
                    .exchange(service: taxReceipts, replaces: "deed-tax receipt"),
                ],
                channels: [.online, .counter],
                timeLimit: timeLimit,
                outcome: .certificate(type: "real-estate-registration")
            ),
            try ServiceEntry(
                code: deedTax,
                name: "契税申报 (deed tax)",
                department: "tax",
                legalBasis: ["契税法", "财政部 税务总局 住房城乡建设部公告2024年第16号"],
                applicant: .resident,
                materials: [.document(name: "sale contract")],
                channels: [.online, .counter],
                timeLimit: timeLimit,
                outcome: .payment
            ),
            try ServiceEntry(
                code: fundWithdrawal,
                name: "购房提取住房公积金 (provident-fund withdrawal for a purchase)",
                department: "housing-fund",
                legalBasis: ["住房公积金管理条例"],
                applicant: .resident,
                materials: [.exchange(service: transferNotices, replaces: "real-estate certificate")],
                channels: [.online],
                timeLimit: timeLimit,
                outcome: .payment
            ),
        ]
        return (
            entries,
            try ServiceBundle(code: bundle, name: "二手房转移登记一件事", parts: [registration, deedTax, fundWithdrawal])
        )
    }
}

/// The deed tax (契税) on a home bought by an individual, as the 2024 rules set it outside Beijing,
/// Shanghai, Guangzhou and Shenzhen (财政部 税务总局 住房城乡建设部公告2024年第16号, from 2024-12-01):
/// the family's only or second home of at most 140 m² 1 %; larger, 1.5 % (only home) or 2 %
/// (second home); otherwise the statutory rate Jiangsu set, 3 % (契税法 art. 3). Rates as values,
/// to be checked against the notice in force.
public struct DeedTax: Hashable, Sendable, Codable {
    /// Names the rules in every assessment.
    public var version: String
    /// The area limit in hundredths of a m²: 140 m².
    public var areaLimit: Int
    /// The only home of at most the area limit, in basis points: 1 %.
    public var onlyHomeSmall: Int
    /// The only home above the area limit: 1.5 %.
    public var onlyHomeLarge: Int
    /// A second home of at most the area limit: 1 %.
    public var secondHomeSmall: Int
    /// A second home above the area limit: 2 %.
    public var secondHomeLarge: Int
    /// Any other purchase: Jiangsu's statutory rate, 3 %.
    public var standard: Int

    /// The rules above.
    public static let rules2024 = DeedTax(
        version: "deed-tax/2024-16",
        areaLimit: 14_000,
        onlyHomeSmall: 100,
        onlyHomeLarge: 150,
        secondHomeSmall: 100,
        secondHomeLarge: 200,
        standard: 300
    )

    /// Rules.
    public init(
        version: String,
        areaLimit: Int,
        onlyHomeSmall: Int,
        onlyHomeLarge: Int,
        secondHomeSmall: Int,
        secondHomeLarge: Int,
        standard: Int
    ) {
        self.version = version
        self.areaLimit = areaLimit
        self.onlyHomeSmall = onlyHomeSmall
        self.onlyHomeLarge = onlyHomeLarge
        self.secondHomeSmall = secondHomeSmall
        self.secondHomeLarge = secondHomeLarge
        self.standard = standard
    }

    /// The tax on `price` for a home of `area` (hundredths of a m²) that is the buyer's family's
    /// `homes`-th (1 only, 2 second, more: the standard rate), rounded to the fen; and the rule in words.
    public func assess(price: Money, area: Int, homes: Int) -> (tax: Money, statement: String) {
        let small = area <= areaLimit
        let rate: Int
        let which: String
        switch homes {
        case 1: (rate, which) = (small ? onlyHomeSmall : onlyHomeLarge, "the family's only home")
        case 2: (rate, which) = (small ? secondHomeSmall : secondHomeLarge, "the family's second home")
        default: (rate, which) = (standard, "a third or further home")
        }
        let tax = Money(fen: (price.fen * Int64(rate) + 5_000) / 10_000)
        let size = small ? "≤ \(areaLimit / 100) m²" : "> \(areaLimit / 100) m²"
        return (tax, "\(which), \(size): \(Double(rate) / 100) % of \(price.yuanText) = \(tax.yuanText)")
    }

    /// The tax bureau's receipt, as the data of its envelope to the registration centre.
    public static func receipt(
        unit: UnitNumber,
        buyer: ResidentID,
        price: Money,
        tax: Money,
        paidOn: CalendarDate
    )
        -> JSONValue
    {
        [
            "unit": .string(unit.value), "buyer": .string(buyer.unmasked), "price": .string(price.yuanText),
            "tax": .string(tax.yuanText), "paidOn": .string(paidOn.iso8601),
        ]
    }
}

extension RealEstateRegistry {
    /// 转移登记 on the tax bureau's receipt: the registration centre registers the transfer of `unit`
    /// to `buyer` only when the receipt (an envelope from the tax bureau, `DeedTax.receipt`) names
    /// this unit, this buyer and this price; it returns the page and the transfer notice's data for
    /// the fund centre (`{"unit", "buyer", "price", "registeredOn"}`).
    public func registerTransfer(
        _ unit: UnitNumber,
        to buyer: ResidentID,
        price: Money,
        taxReceipt: OpenedEnvelope
    ) async throws(HousingError) -> (page: RealEstateUnit, notice: JSONValue) {
        let data = taxReceipt.claims.data
        guard data["unit"]?.stringValue == unit.value, data["buyer"]?.stringValue == buyer.unmasked,
            data["price"]?.stringValue == price.yuanText, data["tax"]?.stringValue != nil
        else {
            throw .malformedNotice("the deed-tax receipt does not name this unit, buyer and price")
        }
        guard taxReceipt.claims.service == HomeTransfer.taxReceipts else {
            throw .malformedNotice("a \(taxReceipt.claims.service) envelope is not a deed-tax receipt")
        }
        let page = try await register(.transfer(to: [.resident(buyer)], price: price), on: unit)
        let notice: JSONValue = [
            "unit": .string(unit.value), "buyer": .string(buyer.unmasked), "price": .string(price.yuanText),
            "registeredOn": .string(page.history.last?.on.iso8601 ?? ""),
        ]
        return (page, notice)
    }
}
