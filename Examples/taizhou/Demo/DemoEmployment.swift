import Foundation
import SocietyCore
import SocietyDeployment
import SocietyEmployment
import SocietyOneCard
import SocietySynthetic

/// The demo's employment section (plan item 5): the agency's contribution histories and the
/// public employment service's registrations for the synthetic city, a benefit claim by every
/// registered person decided by the rules, one month paid through the one-card, a difficulty
/// certification, a skill subsidy, and last month's early warning by district.
extension Demo {
    struct EmploymentOutcome {
        var histories = 0
        var registrations = 0
        var approved = 0
        var rejectedBy: [String: Int] = [:]
        var example: UnemploymentBenefit.Claim?
        var run: UnemploymentBenefit.Run?
        var certified: EmploymentApplication?
        var subsidy: EmploymentApplication?
        var warning: UnemploymentWarning?
    }

    func employment(
        _ service: EmploymentService,
        city: SyntheticCity,
        today: CalendarDate
    ) async throws -> EmploymentOutcome {
        var outcome = EmploymentOutcome()
        var histories: [ContributionHistory] = []
        var registrations: [UnemploymentRegistration] = []
        try await progress.showing("employment records") { handler in
            var meter = ProgressMeter("employment records", total: city.residents, every: 5_000, handler: handler)
            for household in city.households() {
                for person in household.members {
                    meter.advance()
                    guard let work = person.workHistory(today: today) else { continue }
                    histories.append(
                        try ContributionHistory(
                            resident: person.resident.id,
                            months: work.contributionMonths,
                            lastMonth: work.lastMonth,
                            industry: work.industry,
                            district: household.division,
                            on: today
                        )
                    )
                    if let registration = work.registration, let loss = JobLossReason(rawValue: registration.jobLoss) {
                        registrations.append(
                            try UnemploymentRegistration(
                                id: "reg-" + DecimalText.padded(registrations.count + 1, width: 7),
                                resident: person.resident.id,
                                district: household.division,
                                registeredOn: registration.registeredOn,
                                lostJobOn: registration.lostJobOn,
                                jobLoss: loss,
                                industry: work.industry,
                                seekingWork: registration.seekingWork,
                                disabled: person.disability != nil
                            )
                        )
                    }
                    if histories.count == 5_000 {
                        try await service.record(histories)
                        outcome.histories += histories.count
                        histories.removeAll(keepingCapacity: true)
                    }
                }
            }
            meter.finish()
        }
        try await service.record(histories)
        outcome.histories += histories.count
        for registration in registrations { try await service.register(registration) }
        outcome.registrations = registrations.count

        // Every registered person claims; the approved get a card where they have none.
        var index = 0
        for registration in registrations {
            index += 1
            let claim = try await service.claimBenefit(
                id: "ub-" + DecimalText.padded(index, width: 7),
                resident: registration.resident
            )
            if claim.isApproved {
                outcome.approved += 1
                if outcome.example == nil { outcome.example = claim }
                if try await service.oneCard.currentCard(of: claim.resident) == nil {
                    try await issueCard(
                        service.oneCard,
                        to: claim.resident,
                        number: "U" + DecimalText.padded(index, width: 8),
                        account: try demoAccount(1_000_000 + index),
                        today: today
                    )
                }
            } else if let failed = claim.decision.checks.first(where: { !$0.passed }) {
                outcome.rejectedBy[failed.rule, default: 0] += 1
            }
        }
        outcome.run = try await progress.showing("unemployment benefit") { handler in
            try await service.payBenefits(for: PayPeriod(containing: today), progress: handler)
        }

        // A difficulty certification for the first registered woman of 40 or more, and a skill
        // subsidy for the first insured worker with a year of contributions.
        if let older = registrations.first(where: {
            $0.resident.sex == .female && $0.resident.age(on: today) >= 40 && $0.ended == nil
        }) {
            outcome.certified = try await service.certifyDifficulty(
                id: "dif-0000001",
                resident: older.resident,
                facts: .init()
            )
        }
        if let worker = try await firstInsured(service, city: city, today: today) {
            let applied = try await service.applySkillSubsidy(
                id: "skill-0000001",
                resident: worker,
                level: .intermediate,
                certificate: "S\(today.compact)0001",
                certified: today.adding(months: -2)
            )
            if applied.decision.isEligible, try await service.oneCard.currentCard(of: worker) == nil {
                try await issueCard(
                    service.oneCard,
                    to: worker,
                    number: "U99999999",
                    account: try demoAccount(1_999_999),
                    today: today
                )
            }
            outcome.subsidy = applied.decision.isEligible ? try await service.paySubsidy(applied.id) : applied
        }
        outcome.warning = try await progress.showing("unemployment early warning") { handler in
            try await service.earlyWarning(month: String(today.adding(months: -1).iso8601.prefix(7)), progress: handler)
        }
        return outcome
    }

    /// The first employed resident with at least a year of contributions.
    func firstInsured(
        _ service: EmploymentService,
        city: SyntheticCity,
        today: CalendarDate
    ) async throws -> ResidentID? {
        for household in city.households() {
            for person in household.members where person.employment == .employed {
                if let work = person.workHistory(today: today), work.contributionMonths >= 12 {
                    return person.resident.id
                }
            }
        }
        return nil
    }

    /// Prints the section.
    func printEmployment(_ outcome: EmploymentOutcome) {
        let rejected = outcome.rejectedBy.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }
        print(
            "\n3c. Employment (就业, plan item 5): \(outcome.histories) insured workers' contribution histories, "
                + "\(outcome.registrations) registered unemployed"
        )
        print(
            "   Benefit claims decided by the rules: \(outcome.approved) approved, "
                + "\(outcome.registrations - outcome.approved) rejected"
                + (rejected.isEmpty ? "" : " (first failed rule: \(rejected.joined(separator: ", ")))")
        )
        if let claim = outcome.example {
            print(
                "   e.g. \(claim.resident.masked): \(claim.months) months of \(claim.monthlyAmount.yuanText) yuan — "
                    + (claim.decision.checks.first { $0.rule == "entitlement" }?.statement ?? "")
            )
        }
        if let run = outcome.run {
            print(
                "   Benefit for \(run.period) through the one-card: \(run.posted.count) paid, \(run.refused.count) refused"
            )
        }
        if let certified = outcome.certified {
            print(
                "   Difficulty certification for \(certified.resident.masked): "
                    + (certified.decision.checks.last?.statement ?? "")
            )
        }
        if let subsidy = outcome.subsidy {
            print(
                "   Skill-upgrade subsidy for \(subsidy.resident.masked): "
                    + (subsidy.decision.isEligible
                        ? "\(subsidy.amount.yuanText) yuan, paid (\(subsidy.paidBy ?? "not yet"))"
                        : subsidy.decision.explanation)
            )
        }
        if let warning = outcome.warning, let city = warning.city {
            print("   Unemployment early warning \(warning.month): city \(city.explanation)")
            for cell in warning.cells where cell.dimension == "district" {
                let name = (try? DivisionCode(cell.group))?.name ?? cell.group
                print(
                    "     \(cell.level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(name): \(cell.explanation)"
                )
            }
        }
    }
}
