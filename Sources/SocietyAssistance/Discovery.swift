public import SocietyCore

/// A household the pooled data suggests is eligible but not enrolled, and why.
public struct DiscoveryCandidate: Sendable {
    /// The household.
    public let household: Identifier<Household>
    /// Where it is registered (for the grid worker).
    public let division: DivisionCode
    /// The head, to whom the policy notice goes.
    public let head: ResidentID
    /// The signals that fired, e.g. `income-below-line`, `disabled-and-unemployed`.
    public let signals: [String]
    /// The categories worth applying for.
    public let suggested: [AssistanceCategory]
}

/// One household's pooled data, as the big-data bureau holds it for discovery.
public struct PooledHousehold: Sendable {
    /// The household.
    public let id: Identifier<Household>
    /// Where it is registered.
    public let division: DivisionCode
    /// Its members, head first.
    public let members: [ProactiveDiscovery.PooledMember]

    /// Creates a pooled household.
    public init(id: Identifier<Household>, division: DivisionCode, members: [ProactiveDiscovery.PooledMember]) {
        self.id = id
        self.division = division
        self.members = members
    }
}

/// A household discovery found: the candidate for the grid worker and the notice for the resident.
public struct DiscoveryFinding: Sendable {
    /// The household, the signals and the categories.
    public let candidate: DiscoveryCandidate
    /// The notice to send.
    public let notice: PolicyNotice
}

/// A policy notice (政策推送) for a resident and their grid worker, carrying only what the purpose
/// needs: the masked name, the district, the reasons and what to apply for — no income figures, no
/// diagnoses.
public struct PolicyNotice: Hashable, Sendable, Codable {
    /// The household.
    public let household: String
    /// The addressee, masked (`王**`, `3212**********123X`).
    public let addressee: String
    /// The district, for the grid worker.
    public let division: String
    /// Reasons in plain words.
    public let reasons: [String]
    /// Categories to apply for.
    public let suggested: [AssistanceCategory]
    /// The notice text.
    public let text: String
}

/// Proactive discovery (主动发现): signals over pooled household data that point to families in
/// difficulty who have not applied.
public struct ProactiveDiscovery: Sendable {
    /// The policy whose lines the signals use.
    public let policy: AssistancePolicy
    /// The day of the scan.
    public let today: CalendarDate
    /// Annual out-of-pocket medical spending above which a household counts as heavily burdened
    /// (assumption: ¥30,000).
    public let heavyMedicalSpending: Money

    /// A scanner.
    public init(
        policy: AssistancePolicy = .defaultPolicy,
        today: CalendarDate,
        heavyMedicalSpending: Money = Money(fen: 3_000_000)
    ) {
        self.policy = policy
        self.today = today
        self.heavyMedicalSpending = heavyMedicalSpending
    }

    /// One member's pooled facts, as the big-data bureau holds them.
    public struct PooledMember: Sendable {
        /// The member's register record.
        public let resident: Resident
        /// Monthly wage plus pension.
        public let monthlyIncome: Money
        /// Employment status (`employed`, `unemployed`, `retired`, …).
        public let employment: String
        /// Whether the member is on the disability register.
        public let disabled: Bool
        /// Out-of-pocket medical spending over 12 months.
        public let medicalSpending: Money

        /// Creates a pooled member.
        public init(
            resident: Resident,
            monthlyIncome: Money,
            employment: String,
            disabled: Bool,
            medicalSpending: Money
        ) {
            self.resident = resident
            self.monthlyIncome = monthlyIncome
            self.employment = employment
            self.disabled = disabled
            self.medicalSpending = medicalSpending
        }
    }

    /// What discovery needs to know about one member: no identity, no name — the scan runs on
    /// these pseudonymous facts, and only a household that fires a signal is re-identified.
    public struct MemberFacts: Hashable, Sendable, Codable {
        /// Age in whole years on the day of the scan.
        public var age: Int
        /// Whether the member is alive.
        public var alive: Bool
        /// Monthly wage plus pension.
        public var monthlyIncome: Money
        /// Whether the member is employed.
        public var employed: Bool
        /// Whether the member is on the disability register.
        public var disabled: Bool
        /// Out-of-pocket medical spending over 12 months.
        public var medicalSpending: Money

        /// Creates the facts.
        public init(age: Int, alive: Bool, monthlyIncome: Money, employed: Bool, disabled: Bool, medicalSpending: Money)
        {
            self.age = age
            self.alive = alive
            self.monthlyIncome = monthlyIncome
            self.employed = employed
            self.disabled = disabled
            self.medicalSpending = medicalSpending
        }
    }

    /// The signals that fire for a household's member facts (head first), and the categories
    /// worth applying for; empty when none fire.
    public func signals(_ members: [MemberFacts]) throws -> (signals: [String], suggested: [AssistanceCategory]) {
        let living = members.filter(\.alive)
        guard let head = living.first else { return ([], []) }
        var signals: [String] = []
        var suggested: [AssistanceCategory] = []
        let perCapita = try Money.sum(living.map(\.monthlyIncome)).divided(by: Int64(living.count))
        if perCapita < policy.minimumLivingLine {
            signals.append("income-below-line")
            suggested.append(.minimumLiving)
        } else if perCapita < policy.nearLine {
            signals.append("income-below-near-line")
            suggested.append(.nearMinimumLiving)
        }
        if living.contains(where: \.disabled) && !living.contains(where: \.employed)
            && living.contains(where: { (16..<60).contains($0.age) })
        {
            signals.append("disabled-and-unemployed")
            suggested.append(.employment)
        }
        if try Money.sum(living.map(\.medicalSpending)) >= heavyMedicalSpending {
            signals.append("heavy-medical-spending")
            suggested.append(.medical)
        }
        if living.count == 1, head.age >= 70 {
            signals.append("elderly-living-alone")
            if perCapita < policy.nearLine { suggested.append(.extremePoverty) }
        }
        return (signals, Array(Set(suggested)).sorted { $0.rawValue < $1.rawValue })
    }

    /// The signals for one household, or `nil` when none fire or it is already enrolled.
    public func examine(
        household: Identifier<Household>,
        division: DivisionCode,
        members: [PooledMember],
        enrolled: Bool
    ) throws -> DiscoveryCandidate? {
        guard !enrolled, let head = members.first(where: { $0.resident.isAlive }) else { return nil }
        let facts = members.map {
            MemberFacts(
                age: $0.resident.age(on: today),
                alive: $0.resident.isAlive,
                monthlyIncome: $0.monthlyIncome,
                employed: $0.employment == "employed",
                disabled: $0.disabled,
                medicalSpending: $0.medicalSpending
            )
        }
        let (signals, suggested) = try signals(facts)
        guard !signals.isEmpty else { return nil }
        return DiscoveryCandidate(
            household: household,
            division: division,
            head: head.resident.id,
            signals: signals,
            suggested: suggested
        )
    }

    /// Examines every household of `households` (`total` of them, when known, for the progress
    /// reports) and returns a finding — the candidate and its notice — for each household likely
    /// eligible but not enrolled.
    ///
    /// The scan streams: `households` may be a lazy sequence over millions of households.
    /// `progress` is told every `every` households and at the end; reports carry counts only.
    public func scan(
        _ households: some Sequence<PooledHousehold>,
        enrolled: Set<Identifier<Household>>,
        total: Int? = nil,
        every step: Int = 1_000,
        progress: ProgressHandler? = nil
    ) throws -> [DiscoveryFinding] {
        var meter = ProgressMeter("proactive discovery", total: total, every: step, handler: progress)
        var findings: [DiscoveryFinding] = []
        for household in households {
            if let candidate = try examine(
                household: household.id,
                division: household.division,
                members: household.members,
                enrolled: enrolled.contains(household.id)
            ), let head = household.members.first(where: { $0.resident.isAlive }) {
                findings.append(
                    DiscoveryFinding(candidate: candidate, notice: notice(for: candidate, name: head.resident.name))
                )
            }
            meter.advance()
        }
        meter.finish()
        return findings
    }

    /// The notice for a candidate: masked addressee, district, reasons, categories.
    public func notice(for candidate: DiscoveryCandidate, name: PersonName) -> PolicyNotice {
        let words: [String: String] = [
            "income-below-line": "household income appears to be below the minimum-living line",
            "income-below-near-line": "household income appears to be close to the minimum-living line",
            "disabled-and-unemployed": "a disabled member of working age and nobody employed",
            "heavy-medical-spending": "heavy medical spending this year",
            "elderly-living-alone": "an elderly person living alone",
        ]
        let reasons = candidate.signals.map { words[$0] ?? $0 }
        let categories = candidate.suggested.map(\.rawValue).joined(separator: ", ")
        let district = candidate.division.name ?? candidate.division.code
        return PolicyNotice(
            household: candidate.household.rawValue,
            addressee: "\(name.masked) (\(candidate.head.masked))",
            division: district,
            reasons: reasons,
            suggested: candidate.suggested,
            text: "\(name.masked)，您好：根据数据比对，您家可能符合 \(categories) 的条件（\(reasons.joined(separator: "; "))）。"
                + "请联系\(district)社区网格员或通过泰州通申请，一次不用跑。"
        )
    }
}
