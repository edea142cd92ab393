public import SocietyCore

/// One fact a rule used: its name, its value as read, and where it came from.
public struct FactUse: Hashable, Sendable, Codable {
    /// The member it is about, masked.
    public let member: String
    /// `service.field`, e.g. `hrss.facts.monthlyWage`.
    public let name: String
    /// The value as text (amounts in yuan).
    public let value: String
    /// The envelope that supplied it.
    public let source: FactSource
}

/// One rule evaluated for one decision.
public struct RuleResult: Hashable, Sendable, Codable {
    /// A stable id, e.g. `income-below-line`.
    public let rule: String
    /// What the rule says, with the numbers it compared.
    public let statement: String
    /// Whether the household passed it.
    public let passed: Bool
    /// The facts it used.
    public let facts: [FactUse]
}

/// A decision that explains itself: every rule evaluated, the facts each used, pass or fail.
public struct Decision: Hashable, Sendable, Codable {
    /// The category decided on (``AssistanceCategory/nearMinimumLiving`` when only that applies).
    public let category: AssistanceCategory?
    /// Whether any category applies.
    public var isEligible: Bool { category != nil }
    /// The monthly amount for the household (zero unless minimum living or extreme poverty).
    public let monthlyAmount: Money
    /// Every rule, in the order evaluated.
    public let results: [RuleResult]
    /// The policy version applied.
    public let policyVersion: String
    /// Per-capita monthly income after deductions, as computed.
    public let perCapitaIncome: Money

    /// Creates a decision (the evaluator makes them; tests and imports may too).
    public init(
        category: AssistanceCategory?,
        monthlyAmount: Money,
        results: [RuleResult],
        policyVersion: String,
        perCapitaIncome: Money
    ) {
        self.category = category
        self.monthlyAmount = monthlyAmount
        self.results = results
        self.policyVersion = policyVersion
        self.perCapitaIncome = perCapitaIncome
    }

    /// "Eligible for …" or "not eligible because …", naming every failed rule.
    public var explanation: String {
        let failed = results.filter { !$0.passed }.map(\.statement)
        switch category {
        case .some(let category) where category == .nearMinimumLiving:
            return
                "eligible as a near-minimum-living household: \(results.filter(\.passed).map(\.statement).joined(separator: "; "))"
        case .some(let category):
            return "eligible for \(category.rawValue), \(monthlyAmount) a month: "
                + results.filter(\.passed).map(\.statement).joined(separator: "; ")
        case .none:
            return "not eligible because " + failed.joined(separator: "; ")
        }
    }
}

/// Evaluates the minimum-living and near-minimum-living rules on verified household facts.
public struct EligibilityEvaluator: Sendable {
    /// The rules in force.
    public let policy: AssistancePolicy
    /// The day of the decision (ages).
    public let today: CalendarDate

    /// An evaluator for `policy` on `today`.
    public init(policy: AssistancePolicy = .defaultPolicy, today: CalendarDate) {
        self.policy = policy
        self.today = today
    }

    /// Decides on a household.
    public func decide(_ facts: HouseholdFacts) throws -> Decision {
        let living = facts.members.filter { $0.text(VerificationService.population, "dateOfDeath") == nil }
        let size = Int64(max(1, living.count))
        var results: [RuleResult] = []

        // Income: wages and pensions, less rigid medical spending (annual, spread over 12 months).
        var income = Money.zero
        var incomeFacts: [FactUse] = []
        var medical = Money.zero
        for member in living {
            for field in ["monthlyWage", "monthlyPension"] {
                if let (value, source) = member.number(VerificationService.labour, field), value > 0 {
                    let amount = Money(fen: Int64(value))
                    income = try income.adding(amount)
                    incomeFacts.append(use(member, VerificationService.labour, field, amount.yuanText, source))
                }
            }
            if policy.deductsMedicalSpending,
                let (value, source) = member.number(VerificationService.health, "medicalSpending"),
                value > 0
            {
                let amount = Money(fen: Int64(value))
                medical = try medical.adding(amount)
                incomeFacts.append(use(member, VerificationService.health, "medicalSpending", amount.yuanText, source))
            }
        }
        let deduction = try medical.divided(by: 12)
        let net = max(.zero, try income.subtracting(deduction))
        let perCapita = try net.divided(by: size)
        let belowLine = perCapita < policy.minimumLivingLine
        let belowNear = perCapita < policy.nearLine
        results.append(
            RuleResult(
                rule: "income-below-line",
                statement:
                    "per-capita monthly income \(perCapita) (income \(income) less medical \(deduction) over \(size) "
                    + "person(s)) is \(belowLine ? "below" : "not below") the line \(policy.minimumLivingLine)",
                passed: belowLine,
                facts: incomeFacts
            )
        )

        // Deposits.
        var deposits = Money.zero
        var depositFacts: [FactUse] = []
        for member in living {
            if let (value, source) = member.number(VerificationService.deposits, "deposits") {
                deposits = try deposits.adding(Money(fen: Int64(value)))
                depositFacts.append(
                    use(member, VerificationService.deposits, "deposits", Money(fen: Int64(value)).yuanText, source)
                )
            }
        }
        let depositLimit = try policy.minimumLivingLine.multiplied(by: policy.depositMonths * size)
        results.append(
            RuleResult(
                rule: "deposits-within-limit",
                statement:
                    "deposits \(deposits) are \(deposits <= depositLimit ? "within" : "above") the limit \(depositLimit)",
                passed: deposits <= depositLimit,
                facts: depositFacts
            )
        )

        // Real estate.
        var dwellings = 0
        var dwellingFacts: [FactUse] = []
        for member in living {
            if let (value, source) = member.number(VerificationService.property, "dwellings"), value > 0 {
                dwellings += Int(value)
                dwellingFacts.append(use(member, VerificationService.property, "dwellings", "\(Int(value))", source))
            }
        }
        results.append(
            RuleResult(
                rule: "dwellings-within-limit",
                statement: "\(dwellings) dwelling(s) registered, at most \(policy.maximumDwellings) allowed",
                passed: dwellings <= policy.maximumDwellings,
                facts: dwellingFacts
            )
        )

        // Vehicles.
        var vehicles = Money.zero
        var vehicleFacts: [FactUse] = []
        for member in living {
            if let (value, source) = member.number(VerificationService.population, "vehicleValue"), value > 0 {
                vehicles = try vehicles.adding(Money(fen: Int64(value)))
                vehicleFacts.append(
                    use(
                        member,
                        VerificationService.population,
                        "vehicleValue",
                        Money(fen: Int64(value)).yuanText,
                        source
                    )
                )
            }
        }
        results.append(
            RuleResult(
                rule: "vehicles-within-limit",
                statement: "vehicles worth \(vehicles), at most \(policy.vehicleValueLimit) allowed",
                passed: vehicles <= policy.vehicleValueLimit,
                facts: vehicleFacts
            )
        )

        // Business ownership.
        if policy.businessOwnersExcluded {
            let owners = living.compactMap { member in
                member.flag(VerificationService.business, "businessOwner").flatMap { $0.0 ? (member, $0.1) : nil }
            }
            results.append(
                RuleResult(
                    rule: "no-business",
                    statement: owners.isEmpty
                        ? "no member owns a registered business"
                        : "\(owners.count) member(s) own a registered business",
                    passed: owners.isEmpty,
                    facts: owners.map { use($0.0, VerificationService.business, "businessOwner", "true", $0.1) }
                )
            )
        }

        let assetsPass = results.dropFirst().allSatisfy(\.passed)
        let category: AssistanceCategory?
        var amount = Money.zero
        if belowLine && assetsPass {
            category = isExtremePoverty(living) ? .extremePoverty : .minimumLiving
            // 差额救助: the household receives the gap between the line and its income.
            amount = try (try policy.minimumLivingLine.subtracting(perCapita)).multiplied(by: size)
        } else if belowNear && assetsPass {
            category = .nearMinimumLiving
            results[0] = RuleResult(
                rule: "income-below-near-line",
                statement: "per-capita monthly income \(perCapita) is above the line \(policy.minimumLivingLine) "
                    + "but below the near line \(policy.nearLine)",
                passed: true,
                facts: results[0].facts
            )
        } else {
            category = nil
        }
        return Decision(
            category: category,
            monthlyAmount: amount,
            results: results,
            policyVersion: policy.version,
            perCapitaIncome: perCapita
        )
    }

    /// Extreme poverty (特困): nobody of working age able to work — every living member is a minor,
    /// aged 60 or over, or severely disabled (level 1–2).
    private func isExtremePoverty(_ living: [HouseholdFacts.Member]) -> Bool {
        living.allSatisfy { member in
            let age = member.resident.age(on: today)
            let level = member.number(VerificationService.disability, "disabilityLevel")?.0 ?? 9
            return age < 16 || age >= 60 || level <= 2
        }
    }

    private func use(
        _ member: HouseholdFacts.Member,
        _ service: String,
        _ field: String,
        _ value: String,
        _ source: FactSource
    ) -> FactUse {
        FactUse(member: member.resident.masked, name: "\(service).\(field)", value: value, source: source)
    }
}
