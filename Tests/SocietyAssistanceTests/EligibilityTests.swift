import Foundation
import SocietyAssistance
import SocietyCore
import SocietyJSON
import SocietyOneCard
import Testing

/// Decisions checked against households worked out by hand with the default policy
/// (line ¥960 per person per month, near line ×1.5 = ¥1,440, deposits ≤ 24 months of the line per
/// person, at most one dwelling, vehicles ≤ ¥50,000, no business).
@Suite("Eligibility decisions")
struct EligibilityTests {
    let today = CalendarDate(daysSinceEpoch: 20_786)  // 2026-11-29
    let source = FactSource(service: "test", envelopeDigest: "sha256:test")

    func member(
        _ id: String,
        wage: Int64 = 0,
        pension: Int64 = 0,
        medical: Int64 = 0,
        deposits: Int64 = 0,
        dwellings: Int = 0,
        vehicle: Int64 = 0,
        business: Bool = false,
        disabilityLevel: Int? = nil
    ) throws -> HouseholdFacts.Member {
        var facts: [String: (JSONObject, FactSource)] = [
            VerificationService.labour: (
                JSONObject(["monthlyWage": .number(Double(wage)), "monthlyPension": .number(Double(pension))]), source
            ),
            VerificationService.health: (JSONObject(["medicalSpending": .number(Double(medical))]), source),
            VerificationService.deposits: (JSONObject(["deposits": .number(Double(deposits))]), source),
            VerificationService.property: (JSONObject(["dwellings": .number(Double(dwellings))]), source),
            VerificationService.population: (JSONObject(["vehicleValue": .number(Double(vehicle))]), source),
            VerificationService.business: (JSONObject(["businessOwner": .bool(business)]), source),
        ]
        if let disabilityLevel {
            facts[VerificationService.disability] = (
                JSONObject(["disabilityLevel": .number(Double(disabilityLevel))]), source
            )
        }
        return HouseholdFacts.Member(resident: try ResidentID(id, today: today), facts: facts)
    }

    func decide(_ members: [HouseholdFacts.Member]) throws -> Decision {
        try EligibilityEvaluator(today: today)
            .decide(HouseholdFacts(household: try Identifier("hh-1"), members: members))
    }

    // Three people (two adults born 1980, a child), one wage of ¥1,800: ¥600 per person < ¥960.
    // Amount = (¥960 − ¥600) × 3 = ¥1,080 a month.
    @Test("a low-income family of three gets the gap to the line")
    func minimumLiving() throws {
        let decision = try decide([
            try member("321202198001010012", wage: 180_000, deposits: 1_000_000, dwellings: 1),
            try member("321202198003030025"), try member("321202201505050039"),
        ])
        #expect(decision.category == .minimumLiving)
        #expect(decision.perCapitaIncome == Money(fen: 60_000))
        #expect(decision.monthlyAmount == Money(fen: 108_000))
        #expect(decision.results.allSatisfy { $0.passed })
        #expect(decision.explanation.hasPrefix("eligible for minimumLiving, ¥1,080.00 a month"))
        #expect(decision.results[0].facts.first?.source.envelopeDigest == "sha256:test")
    }

    // The same family with ¥80,000 in the bank: limit 24 × ¥960 × 3 = ¥69,120.
    @Test("too much in the bank: not eligible, and the explanation says why")
    func deposits() throws {
        let decision = try decide([
            try member("321202198001010012", wage: 180_000, deposits: 8_000_000),
            try member("321202198003030025"), try member("321202201505050039"),
        ])
        #expect(decision.category == nil)
        #expect(decision.explanation == "not eligible because deposits ¥80,000.00 are above the limit ¥69,120.00")
    }

    // Two people, wage ¥2,400 (¥1,200 each, above the line) but ¥24,000 of medical spending this
    // year: ¥2,000 a month deducted → ¥400 → ¥200 each. Amount (960 − 200) × 2 = ¥1,520.
    @Test("rigid medical spending is deducted (支出型贫困)")
    func medicalDeduction() throws {
        let decision = try decide([
            try member("321202198001010012", wage: 240_000, medical: 2_400_000), try member("321202198003030025"),
        ])
        #expect(decision.category == .minimumLiving)
        #expect(decision.perCapitaIncome == Money(fen: 20_000))
        #expect(decision.monthlyAmount == Money(fen: 152_000))
    }

    // Two people, ¥2,600 income: ¥1,300 each, above ¥960 but below ¥1,440.
    @Test("between the line and 1.5× the line: a near-minimum-living household")
    func nearLine() throws {
        let decision = try decide([try member("321202198001010012", wage: 260_000), try member("321202198003030025")])
        #expect(decision.category == .nearMinimumLiving)
        #expect(decision.monthlyAmount == .zero)
        #expect(decision.results[0].rule == "income-below-near-line")
    }

    // An 80-year-old alone with a ¥500 pension: everyone is over 60 → extreme poverty, (960 − 500) = ¥460.
    @Test("an elderly person alone on a small pension: extreme poverty")
    func extremePoverty() throws {
        let decision = try decide([try member("321202194601010018", pension: 50_000)])
        #expect(decision.category == .extremePoverty)
        #expect(decision.monthlyAmount == Money(fen: 46_000))
    }

    @Test("two dwellings, a costly car and a business each fail their own rule")
    func assets() throws {
        let decision = try decide([
            try member("321202198001010012", dwellings: 2, vehicle: 12_000_000, business: true)
        ])
        #expect(decision.category == nil)
        let failed = decision.results.filter { !$0.passed }.map(\.rule)
        #expect(failed == ["dwellings-within-limit", "vehicles-within-limit", "no-business"])
        #expect(decision.explanation.contains("2 dwelling(s) registered, at most 1 allowed"))
    }
}

@Suite("Proactive discovery")
struct DiscoveryTests {
    let today = CalendarDate(daysSinceEpoch: 20_786)

    func pooled(
        _ id: String,
        income: Int64,
        employment: String = "none",
        disabled: Bool = false,
        medical: Int64 = 0
    )
        throws -> ProactiveDiscovery.PooledMember
    {
        ProactiveDiscovery.PooledMember(
            resident: try Resident(
                id: ResidentID(id, today: today),
                name: PersonName("王小明"),
                registeredDivision: DivisionCode("321202")
            ),
            monthlyIncome: Money(fen: income),
            employment: employment,
            disabled: disabled,
            medicalSpending: Money(fen: medical)
        )
    }

    @Test("signals fire on low income, disability with unemployment, heavy medical spending, elderly alone")
    func signals() throws {
        let scanner = ProactiveDiscovery(today: today)
        let division = try DivisionCode("321202")
        let poor = try scanner.examine(
            household: try Identifier("h1"),
            division: division,
            members: [
                try pooled("321202198001010012", income: 50_000, disabled: true),
                try pooled("321202198003030025", income: 0),
            ],
            enrolled: false
        )
        #expect(poor?.signals == ["income-below-line", "disabled-and-unemployed"])
        let alone = try scanner.examine(
            household: try Identifier("h2"),
            division: division,
            members: [try pooled("321202194601010018", income: 120_000, employment: "retired", medical: 4_000_000)],
            enrolled: false
        )
        #expect(alone?.signals == ["income-below-near-line", "heavy-medical-spending", "elderly-living-alone"])
        let enrolled = try scanner.examine(
            household: try Identifier("h3"),
            division: division,
            members: [try pooled("321202198001010012", income: 0)],
            enrolled: true
        )
        #expect(enrolled == nil)
        let comfortable = try scanner.examine(
            household: try Identifier("h4"),
            division: division,
            members: [try pooled("321202198001010012", income: 800_000, employment: "employed")],
            enrolled: false
        )
        #expect(comfortable == nil)
        let notice = scanner.notice(for: try #require(poor), name: try PersonName("王小明"))
        #expect(notice.addressee == "王** (3212**********0012)")
        #expect(notice.division == "海陵区")
        #expect(!notice.text.contains("500"))  // no income figures in the notice
    }

    @Test("a discovery run streams households, reports its progress, and finds the likely eligible")
    func scanWithProgress() throws {
        let scanner = ProactiveDiscovery(today: today)
        let division = try DivisionCode("321202")
        let households = try (0..<25).map { index in
            PooledHousehold(
                id: try Identifier("h\(index)"),
                division: division,
                members: [
                    try pooled(
                        "321202198001010012",
                        income: index % 5 == 0 ? 50_000 : 800_000,
                        employment: index % 5 == 0 ? "none" : "employed"
                    )
                ]
            )
        }
        let reports = Reports()
        let findings = try scanner.scan(
            households.lazy,
            enrolled: [try Identifier("h0")],
            total: households.count,
            every: 10
        ) { reports.append($0) }
        #expect(findings.map(\.candidate.household.rawValue) == ["h5", "h10", "h15", "h20"])
        #expect(findings.allSatisfy { $0.notice.addressee == "王** (3212**********0012)" })
        #expect(
            reports.all.map(\.completed) == [10, 20, 25] && reports.all.allSatisfy { $0.total == 25 },
            "\(reports.all)"
        )
    }
}

@Suite("Low-income extras")
struct LowIncomeBenefitsTests {
    @Test("utility relief and price subsidy, each under its own idempotency key")
    func instructions() throws {
        let extras = try LowIncomeBenefits().instructions(
            household: Identifier("hh-9"),
            head: ResidentID("11010519491231002X"),
            period: PayPeriod("2026-11")
        )
        #expect(extras.map(\.id) == ["utility-2026-11-hh-9", "price-2026-11-hh-9"])
        #expect(extras.map(\.amount) == [Money(fen: 5_000), Money(fen: 4_000)])
        #expect(extras.map(\.programme) == [.utilityFeeRelief, .priceSubsidy])
        let none = try LowIncomeBenefits(utilityRelief: .zero, priceSubsidy: .zero).instructions(
            household: Identifier("hh-9"),
            head: ResidentID("11010519491231002X"),
            period: PayPeriod("2026-11")
        )
        #expect(none.isEmpty)
    }
}
