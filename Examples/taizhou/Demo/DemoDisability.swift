import Foundation
import SocietyCertificates
import SocietyCore
import SocietyDisability
import SocietyOneCard

/// The demo's disability section (plan item 12): the synthetic city's disabled residents on the
/// register, and the two subsidies decided for each from their household's situation, explained.
extension Demo {
    struct DisabilityOutcome {
        var registered = 0
        var care = 0
        var living = 0
        var monthly = Money.zero
        var examples: [String] = []
    }

    func disability(
        _ government: DemoGovernment,
        oneCard: OneCardService,
        pooled: [Pooled]
    ) async throws -> DisabilityOutcome {
        var outcome = DisabilityOutcome()
        let department = try government.department("disability", as: government.civilAffairs)
        let service = DisabilityService(ports: department.ports, oneCard: oneCard)
        let line = service.policy.dibaoLine
        for household in pooled {
            // The household's situation as civil affairs would answer it: dibao when the per-capita
            // income is under the line (the demo's stand-in for the assistance register).
            let facts = HouseholdFacts(
                dibao: household.perCapitaIncome < line,
                fixedIncome: household.perCapitaIncome.fen > 0,
                disabledMembers: household.disabled.count
            )
            for (disability, resident) in household.disabled where resident.isAlive {
                guard let category = DisabilityCategory(rawValue: disability.category),
                    let level = DisabilityLevel(rawValue: disability.level)
                else { continue }
                try await service.register(resident.id, category: category, level: level)
                outcome.registered += 1
                let subsidies = try await service.subsidies(of: resident.id, facts: facts)
                if subsidies.care.fen > 0 { outcome.care += 1 }
                if subsidies.living.fen > 0 { outcome.living += 1 }
                outcome.monthly = Money(fen: outcome.monthly.fen + subsidies.care.fen + subsidies.living.fen)
                if outcome.examples.count < 2, subsidies.care.fen > 0 || subsidies.living.fen > 0 {
                    outcome.examples.append(
                        "\(resident.id.masked) (\(category.code), level \(level.code)): care \(subsidies.care.yuanText) — "
                            + subsidies.careDecision.explanation + "; living \(subsidies.living.yuanText) — "
                            + subsidies.livingDecision.explanation
                    )
                }
            }
        }
        return outcome
    }

    func printDisability(_ outcome: DisabilityOutcome) {
        print(
            "\n3j. Disability services (残疾人, plan item 12): \(outcome.registered) disabled residents on the register; "
                + "care subsidy for \(outcome.care), living subsidy for \(outcome.living), "
                + "\(outcome.monthly.yuanText) yuan a month in all (苏民规〔2022〕4号)"
        )
        for example in outcome.examples { print("   " + example) }
    }
}
