public import SocietyCore

/// The assistance categories of the Interim Measures for Social Assistance (社会救助暂行办法), and the
/// near-minimum-living households that local rules add.
public enum AssistanceCategory: String, Codable, Hashable, Sendable, CaseIterable {
    /// 最低生活保障 (dibao).
    case minimumLiving
    /// 特困人员供养.
    case extremePoverty
    /// 受灾人员救助.
    case disaster
    /// 医疗救助.
    case medical
    /// 教育救助.
    case education
    /// 住房救助.
    case housing
    /// 就业救助.
    case employment
    /// 临时救助.
    case temporary
    /// 低保边缘家庭 (near-minimum-living household).
    case nearMinimumLiving
}

/// The rules in force: amounts and limits with their legal basis and effective date.
///
/// Every amount is configuration. The defaults are **assumptions** for a Jiangsu prefecture-level
/// city (Taizhou's own figures were not found): they are documented in Documentation/Assistance.md and
/// every decision names the policy version it applied.
public struct AssistancePolicy: Hashable, Sendable, Codable {
    /// Raised whenever any rule or amount changes.
    public var version: String
    /// The first day this policy applies.
    public var effectiveFrom: CalendarDate
    /// Where the rules come from.
    public var legalBasis: String
    /// The minimum-living line per person per month (低保标准).
    public var minimumLivingLine: Money
    /// Near-minimum-living households have per-capita income under this multiple of the line
    /// (numerator / denominator; 3/2 = 1.5×).
    public var nearLineMultiple: (numerator: Int64, denominator: Int64)
    /// Deposits per person may not exceed this many months of the line.
    public var depositMonths: Int64
    /// A household may own at most this many dwellings.
    public var maximumDwellings: Int
    /// Vehicles of a household may be worth at most this much in total.
    public var vehicleValueLimit: Money
    /// Whether owning a registered business excludes the household.
    public var businessOwnersExcluded: Bool
    /// Rigid medical spending of the past 12 months is deducted from income (支出型贫困).
    public var deductsMedicalSpending: Bool

    /// The SDK's default policy (assumptions; see the type's documentation).
    public static let defaultPolicy = AssistancePolicy(
        version: "taizhou-assumed-2026.1",
        effectiveFrom: CalendarDate(daysSinceEpoch: 20_454),  // 2026-01-01
        legalBasis: "社会救助暂行办法 (国务院令第649号) 第9–18条; 江苏省最低生活保障工作规程; amounts assumed",
        minimumLivingLine: Money(fen: 96_000),
        nearLineMultiple: (3, 2),
        depositMonths: 24,
        maximumDwellings: 1,
        vehicleValueLimit: Money(fen: 5_000_000),
        businessOwnersExcluded: true,
        deductsMedicalSpending: true
    )

    /// The near-minimum-living line per person per month.
    public var nearLine: Money {
        (try? minimumLivingLine.scaled(by: nearLineMultiple.numerator, over: nearLineMultiple.denominator))
            ?? minimumLivingLine
    }

    public static func == (lhs: AssistancePolicy, rhs: AssistancePolicy) -> Bool { lhs.version == rhs.version }
    public func hash(into hasher: inout Hasher) { hasher.combine(version) }

    private enum CodingKeys: String, CodingKey {
        case version, effectiveFrom, legalBasis, minimumLivingLine, nearNumerator, nearDenominator, depositMonths
        case maximumDwellings, vehicleValueLimit, businessOwnersExcluded, deductsMedicalSpending
    }

    /// Creates a policy.
    public init(
        version: String,
        effectiveFrom: CalendarDate,
        legalBasis: String,
        minimumLivingLine: Money,
        nearLineMultiple: (numerator: Int64, denominator: Int64),
        depositMonths: Int64,
        maximumDwellings: Int,
        vehicleValueLimit: Money,
        businessOwnersExcluded: Bool,
        deductsMedicalSpending: Bool
    ) {
        self.version = version
        self.effectiveFrom = effectiveFrom
        self.legalBasis = legalBasis
        self.minimumLivingLine = minimumLivingLine
        self.nearLineMultiple = nearLineMultiple
        self.depositMonths = depositMonths
        self.maximumDwellings = maximumDwellings
        self.vehicleValueLimit = vehicleValueLimit
        self.businessOwnersExcluded = businessOwnersExcluded
        self.deductsMedicalSpending = deductsMedicalSpending
    }

    /// Decodes a policy from configuration.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(String.self, forKey: .version),
            effectiveFrom: try c.decode(CalendarDate.self, forKey: .effectiveFrom),
            legalBasis: try c.decode(String.self, forKey: .legalBasis),
            minimumLivingLine: try c.decode(Money.self, forKey: .minimumLivingLine),
            nearLineMultiple: (
                try c.decode(Int64.self, forKey: .nearNumerator), try c.decode(Int64.self, forKey: .nearDenominator)
            ),
            depositMonths: try c.decode(Int64.self, forKey: .depositMonths),
            maximumDwellings: try c.decode(Int.self, forKey: .maximumDwellings),
            vehicleValueLimit: try c.decode(Money.self, forKey: .vehicleValueLimit),
            businessOwnersExcluded: try c.decode(Bool.self, forKey: .businessOwnersExcluded),
            deductsMedicalSpending: try c.decode(Bool.self, forKey: .deductsMedicalSpending)
        )
    }

    /// Encodes the policy.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(effectiveFrom, forKey: .effectiveFrom)
        try c.encode(legalBasis, forKey: .legalBasis)
        try c.encode(minimumLivingLine, forKey: .minimumLivingLine)
        try c.encode(nearLineMultiple.numerator, forKey: .nearNumerator)
        try c.encode(nearLineMultiple.denominator, forKey: .nearDenominator)
        try c.encode(depositMonths, forKey: .depositMonths)
        try c.encode(maximumDwellings, forKey: .maximumDwellings)
        try c.encode(vehicleValueLimit, forKey: .vehicleValueLimit)
        try c.encode(businessOwnersExcluded, forKey: .businessOwnersExcluded)
        try c.encode(deductsMedicalSpending, forKey: .deductsMedicalSpending)
    }
}
