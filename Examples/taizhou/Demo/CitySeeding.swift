import Foundation
import SocietyAssistance
import SocietyCore
import SocietyDeployment
import SocietySynthetic

/// Puts the synthetic city where a real one already is — each data-source department's own facts
/// in its own store, the household register in civil affairs' store — through SocietySynthetic's
/// seeding, which stands in for the departments' existing systems. The demo itself writes to no
/// store: every flow after this goes through the services.
///
/// It also keeps the pooled summary the big-data bureau would hold, from which the demo chooses
/// who applies for assistance and over which proactive discovery runs.
struct CitySeeding {
    let city: SyntheticCity
    let progress: TerminalProgress

    /// Loads every department, then the register; returns the pooled households.
    func load(
        sources: [DataSourceDepartment: OpenedDepartment],
        civil: OpenedDepartment
    ) async throws -> [Demo.Pooled] {
        defer { progress.clear() }
        // One bar for the whole city: each department's load reports its own count.
        let total = city.residents * (sources.count + 1)
        let bar = progress.handler()
        func overall(_ done: Int) -> ProgressHandler? {
            guard let bar else { return nil }
            return { bar(WorkProgress(task: "loading the city", completed: done + $0.completed, total: total)) }
        }
        var done = 0
        for department in DataSourceDepartment.allCases {
            guard let store = sources[department]?.ports.store else { continue }
            _ = try await city.seed(department, into: store, progress: overall(done))
            done += city.residents
        }
        _ = try await city.registerHouseholds(into: civil.ports.store, progress: overall(done))
        return try pooled()
    }

    /// What the big-data bureau pools from the register for proactive discovery: each household's
    /// members with their income, employment, disability and medical spending.
    func pooled() throws -> [Demo.Pooled] {
        var pooled: [Demo.Pooled] = []
        for household in city.households() {
            guard let head = household.members.first else { continue }
            let living = household.living
            let income = try Money.sum(living.map(\.monthlyIncome))
            pooled.append(
                Demo.Pooled(
                    household: PooledHousehold(
                        id: household.id,
                        division: household.division,
                        members: household.members.map {
                            ProactiveDiscovery.PooledMember(
                                resident: $0.resident,
                                monthlyIncome: $0.monthlyIncome,
                                employment: $0.employment.rawValue,
                                disabled: $0.disability != nil,
                                medicalSpending: $0.medicalSpending
                            )
                        }
                    ),
                    head: head.resident,
                    perCapitaIncome: try income.divided(by: Int64(max(1, living.count))),
                    disabled: household.members.compactMap { person in
                        person.disability.map { ($0, person.resident) }
                    }
                )
            )
        }
        return pooled
    }
}
