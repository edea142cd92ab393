public import SocietyCore

/// 失业保险金: the unemployment-insurance benefit — its rules (``Policy``), the claims made for it
/// (``Claim``), the months paid (``Payment``) and each month's payout (``Run``).
public enum UnemploymentBenefit {}

extension UnemploymentBenefit {
    /// The unemployment-insurance benefit's rules (失业保险条例, State Council decree 258 of 1999,
    /// arts. 14, 17 and 18), as values. Every amount is configuration.
    public struct Policy: Hashable, Sendable, Codable {
        /// One step of the entitlement table: from `years` of contributions, `months` of benefit.
        public struct Tier: Hashable, Sendable, Codable {
            /// Contribution years from which the tier applies.
            public let years: Int
            /// Months of benefit.
            public let months: Int

            /// A tier.
            public init(years: Int, months: Int) {
                self.years = years
                self.months = months
            }
        }

        /// Names the policy in every decision.
        public var version: String
        /// The monthly benefit. The law leaves it to the province, between the dibao line and the
        /// minimum wage. **Assumption** (not found for Taizhou): 1,863 yuan, 90 % of 2,070 yuan, taken to
        /// be Jiangsu's class-II minimum monthly wage of 2022 — configure the real figure.
        public var monthlyAmount: Money
        /// Contributions needed, in months (art. 14: at least one year).
        public var minimumContributionMonths: Int
        /// Months of benefit by contribution years (art. 17: 1–5 years 12 months, 5–10 years 18, 10 and
        /// more 24).
        public var tiers: [Tier]
        /// The most months one entitlement may reach with months carried over from a previous
        /// unemployment (art. 17: 24).
        public var cap: Int

        /// The national rules with the assumed Jiangsu amount.
        public static let national = UnemploymentBenefit.Policy(
            version: "ui-1999-art14-17/js-assumed-2026",
            monthlyAmount: Money(fen: 186_300),
            minimumContributionMonths: 12,
            tiers: [Tier(years: 1, months: 12), Tier(years: 5, months: 18), Tier(years: 10, months: 24)],
            cap: 24
        )

        /// A policy.
        public init(version: String, monthlyAmount: Money, minimumContributionMonths: Int, tiers: [Tier], cap: Int) {
            self.version = version
            self.monthlyAmount = monthlyAmount
            self.minimumContributionMonths = minimumContributionMonths
            self.tiers = tiers.sorted { $0.years < $1.years }
            self.cap = cap
        }

        /// Months of benefit for `contributionMonths` of contributions, with `carriedOver` unused
        /// months of a previous entitlement added and the sum capped; and the rule in words.
        public func entitlement(contributionMonths: Int, carriedOver: Int) -> (months: Int, statement: String) {
            let years = contributionMonths / 12
            let tier = tiers.last { years >= $0.years }
            let own = tier?.months ?? 0
            let total = min(cap, own + max(0, carriedOver))
            var statement = "\(contributionMonths) months of contributions (\(years) full years) give \(own) months"
            if carriedOver > 0 {
                statement += ", plus \(carriedOver) unused from the previous unemployment"
                if own + carriedOver > cap { statement += ", capped at \(cap)" }
            }
            return (total, statement + ": \(total) months")
        }
    }
}

/// The skill-upgrade subsidy (技能提升补贴, DOMAINS.md): a worker insured for long enough who obtains a
/// vocational skill certificate claims a fixed amount by level, within a window after the
/// certificate's date.
public struct SkillSubsidyPolicy: Hashable, Sendable, Codable {
    /// The certificate's level.
    public enum Level: String, Hashable, Sendable, Codable, CaseIterable {
        /// 初级 (level 5).
        case junior
        /// 中级 (level 4).
        case intermediate
        /// 高级 (level 3).
        case senior
    }

    /// Names the policy in every decision.
    public var version: String
    /// The amount by level: 1,000 / 1,500 / 2,000 yuan (DOMAINS.md).
    public var amounts: [Level: Money]
    /// Months after the certificate's date within which to claim: 12 (DOMAINS.md).
    public var claimWindowMonths: Int
    /// Months of unemployment-insurance contributions required: 12 or 36 depending on the region
    /// (DOMAINS.md); **assumption** for Taizhou: 12.
    public var contributionMonths: Int

    /// The defaults above.
    public static let standard = SkillSubsidyPolicy(
        version: "skill-subsidy/js-assumed-2026",
        amounts: [.junior: Money(fen: 100_000), .intermediate: Money(fen: 150_000), .senior: Money(fen: 200_000)],
        claimWindowMonths: 12,
        contributionMonths: 12
    )

    /// A policy.
    public init(version: String, amounts: [Level: Money], claimWindowMonths: Int, contributionMonths: Int) {
        self.version = version
        self.amounts = amounts
        self.claimWindowMonths = claimWindowMonths
        self.contributionMonths = contributionMonths
    }
}

/// The one-time entrepreneurship subsidy (一次性创业补贴). **Assumption** (Jiangsu sets it by city; not
/// found for Taizhou): 5,000 yuan for a registered unemployed person or an employment-difficulty
/// person whose business has operated for at least 6 months with its founder insured.
public struct EntrepreneurshipPolicy: Hashable, Sendable, Codable {
    /// Names the policy in every decision.
    public var version: String
    /// The subsidy.
    public var amount: Money
    /// Months the business must have operated.
    public var operatingMonths: Int

    /// The assumed defaults above.
    public static let standard = EntrepreneurshipPolicy(
        version: "startup-subsidy/assumed-2026",
        amount: Money(fen: 500_000),
        operatingMonths: 6
    )

    /// A policy.
    public init(version: String, amount: Money, operatingMonths: Int) {
        self.version = version
        self.amount = amount
        self.operatingMonths = operatingMonths
    }
}

/// 就业困难人员: the categories under which a person is certified as having difficulty finding work.
/// The categories are the provinces' to set; these are the ones most provinces list (**assumption**
/// for Taizhou), each a rule on facts the public employment service holds or receives by envelope.
public enum DifficultyCategory: String, Hashable, Sendable, Codable, CaseIterable {
    /// 大龄: women aged 40 and over, men 50 and over ("4050").
    case olderWorker
    /// 残疾人: holds a disability certificate.
    case disabled
    /// 低保家庭成员: a member of a dibao household.
    case dibaoHousehold
    /// 零就业家庭成员: no one of working age in the household is employed.
    case zeroEmploymentHousehold
    /// 长期失业: registered unemployed for 12 months or more without a break.
    case longTermUnemployed
}

/// The certification's thresholds.
public struct DifficultyPolicy: Hashable, Sendable, Codable {
    /// Names the policy in every decision.
    public var version: String
    /// Age from which a woman counts as an older worker: 40.
    public var olderWomanAge: Int
    /// Age from which a man counts as an older worker: 50.
    public var olderManAge: Int
    /// Months of continuous registration that make long-term unemployment: 12.
    public var longTermMonths: Int
    /// The categories this region recognises.
    public var categories: Set<DifficultyCategory>

    /// The common defaults above.
    public static let standard = DifficultyPolicy(
        version: "difficulty/assumed-2026",
        olderWomanAge: 40,
        olderManAge: 50,
        longTermMonths: 12,
        categories: Set(DifficultyCategory.allCases)
    )

    /// A policy.
    public init(
        version: String,
        olderWomanAge: Int,
        olderManAge: Int,
        longTermMonths: Int,
        categories: Set<DifficultyCategory>
    ) {
        self.version = version
        self.olderWomanAge = olderWomanAge
        self.olderManAge = olderManAge
        self.longTermMonths = longTermMonths
        self.categories = categories
    }
}
