public import SocietyCore

/// Who bears part of a package's price.
public enum Payer: String, Codable, Hashable, Sendable, CaseIterable {
    /// 基本公共卫生服务经费 — the basic public-health service funds.
    case publicHealthFund
    /// 医保基金 — the medical-insurance fund.
    case medicalInsurance
    /// 财政补助 — a fiscal subsidy (e.g. for low-income residents).
    case fiscalSubsidy
    /// 个人 — the resident.
    case resident
}

/// One payer's share of a package price.
public struct CostShare: Hashable, Sendable, Codable {
    /// Who pays.
    public let payer: Payer
    /// How much, in fen.
    public let amount: Money

    /// Creates a share.
    public init(payer: Payer, amount: Money) {
        self.payer = payer
        self.amount = amount
    }
}

/// One service a package includes.
public struct ServiceItem: Hashable, Sendable, Codable {
    /// A stable code, e.g. `bp-monitoring`.
    public let code: String
    /// What it is, as printed on the contract.
    public let name: String
    /// How often per year the team provides it (`0` for on demand).
    public let timesPerYear: Int

    /// Creates an item.
    public init(code: String, name: String, timesPerYear: Int) {
        self.code = code
        self.name = name
        self.timesPerYear = timesPerYear
    }
}

/// A family-doctor service package (服务包): the basic package every contract includes, or a
/// personalised package with its own items and price.
///
/// Prices are configuration: the defaults in ``basic`` and ``chronicDisease`` are illustrative
/// assumptions, not Taizhou's published prices.
public struct ServicePackage: Hashable, Sendable, Codable {
    /// Basic or personalised.
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        /// 基础包 — basic medical care and basic public health; free to the resident.
        case basic
        /// 个性化包 — extra items at a price shared between payers.
        case personalised
    }

    /// The package id, e.g. `basic` or `chronic-2026`.
    public let id: Identifier<ServicePackage>
    /// The name printed on the contract.
    public let name: String
    /// Basic or personalised.
    public let kind: Kind
    /// The services included.
    public let items: [ServiceItem]
    /// The price per contract year.
    public let price: Money
    /// Who pays what; the shares add up to ``price``.
    public let shares: [CostShare]

    /// Creates a package, refusing shares that do not add up to the price, a negative amount, and
    /// a basic package that charges the resident.
    public init(
        id: Identifier<ServicePackage>,
        name: String,
        kind: Kind,
        items: [ServiceItem],
        price: Money,
        shares: [CostShare]
    ) throws(HealthError) {
        guard price.fen >= 0, shares.allSatisfy({ $0.amount.fen >= 0 }) else {
            throw .invalidPackage("amounts must not be negative")
        }
        guard (try? Money.sum(shares.map(\.amount))) == price else {
            throw .invalidPackage("shares do not add up to the price \(price)")
        }
        guard Set(shares.map(\.payer)).count == shares.count else {
            throw .invalidPackage("one share per payer")
        }
        if kind == .basic, let share = shares.first(where: { $0.payer == .resident }), share.amount.fen > 0 {
            throw .invalidPackage("the basic package is free to the resident")
        }
        guard !items.isEmpty else { throw .invalidPackage("a package needs at least one service item") }
        self.id = id
        self.name = name
        self.kind = kind
        self.items = items
        self.price = price
        self.shares = shares
    }

    /// What the resident pays per contract year.
    public var residentShare: Money { shares.first { $0.payer == .resident }?.amount ?? .zero }
}

extension ServicePackage {
    /// The basic package: basic medical care and the basic public-health services, free to the
    /// resident. Assumption: a notional ¥120 per contract year, carried by the public-health fund.
    public static var basic: ServicePackage {
        get throws {
            try ServicePackage(
                id: Identifier("basic"),
                name: "基础服务包",
                kind: .basic,
                items: [
                    ServiceItem(code: "basic-medical", name: "基本医疗服务", timesPerYear: 0),
                    ServiceItem(code: "health-record", name: "健康档案管理", timesPerYear: 1),
                    ServiceItem(code: "public-health", name: "基本公共卫生服务", timesPerYear: 1),
                ],
                price: Money(fen: 12_000),
                shares: [CostShare(payer: .publicHealthFund, amount: Money(fen: 12_000))]
            )
        }
    }

    /// An example personalised package for hypertension and diabetes. Assumption: ¥200 a year,
    /// ¥120 from medical insurance and ¥80 from the resident.
    public static var chronicDisease: ServicePackage {
        get throws {
            try ServicePackage(
                id: Identifier("chronic"),
                name: "慢病管理个性化服务包",
                kind: .personalised,
                items: [
                    ServiceItem(code: "bp-monitoring", name: "血压监测", timesPerYear: 12),
                    ServiceItem(code: "glucose-test", name: "血糖检测", timesPerYear: 4),
                    ServiceItem(code: "medication-review", name: "用药指导", timesPerYear: 4),
                ],
                price: Money(fen: 20_000),
                shares: [
                    CostShare(payer: .medicalInsurance, amount: Money(fen: 12_000)),
                    CostShare(payer: .resident, amount: Money(fen: 8_000)),
                ]
            )
        }
    }
}

extension ServicePackage: StorableRecord {
    /// The table name.
    public static let recordKind = "health_package"
    /// The package id.
    public var recordKey: RecordKey { RecordKey(id.rawValue) }
}
