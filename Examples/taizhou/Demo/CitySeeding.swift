import Foundation
import SocietyAssistance
import SocietyCore
import SocietyDeployment
import SocietySQLite
import SocietySynthetic

/// Puts the synthetic city where a real one already is: each data-source department's own facts
/// in its own store, and the household register in civil affairs' store. This is the demo's
/// fixture, standing in for the departments' existing systems — the one place the demo writes
/// to a store itself; every flow after it goes through the services.
///
/// It also keeps the pooled summary the big-data bureau would hold, from which the demo chooses
/// who applies for assistance and over which proactive discovery runs.
struct CitySeeding {
    /// The purpose of the seeding writes, as the audit logs record it.
    static let purpose = Purpose(constant: "population.register")

    let city: SyntheticCity
    let progress: TerminalProgress

    /// Loads every department, then the register; returns the pooled households.
    func load(
        sources: [DataSourceDepartment: DeploymentDepartment],
        civil: DeploymentDepartment
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
            try await CitySeeding.loadFacts(of: department, from: city, into: store, progress: overall(done))
            done += city.residents
        }
        return try await register(in: civil.ports.store, progress: overall(done))
    }

    /// One department's facts in one bulk load (indexes built once, every record sealed and
    /// audited). The city is generated again for each department: it is deterministic, and
    /// streaming it keeps memory flat at millions of residents.
    static func loadFacts(
        of department: DataSourceDepartment,
        from city: SyntheticCity,
        into store: any RecordStore,
        progress: ProgressHandler?
    ) async throws {
        let facts = { @Sendable in
            city.households().lazy.flatMap { household in
                household.members.lazy.compactMap { person -> DepartmentFacts? in
                    let facts = department.facts(of: person)
                    return facts.isEmpty ? nil : DepartmentFacts(resident: person.resident.id, facts: .object(facts))
                }
            }
        }
        if let sqlite = store as? SQLiteStore {
            // SQLite's bulk load is synchronous (the store's fastest path): it runs on a thread of
            // its own, not on one of the cooperative pool's.
            _ = try await onThreadOfItsOwn {
                try sqlite.load(facts(), purpose: purpose, progress: progress)
            }
            return
        }
        // Any other store: batched puts through the port.
        var batch: [DepartmentFacts] = []
        var loaded = 0
        for record in facts() {
            batch.append(record)
            if batch.count == 1_000 {
                try await store.write(purpose: purpose) { [batch] db in try await db.put(contentsOf: batch) }
                loaded += batch.count
                progress?(WorkProgress(task: "bulk load", completed: loaded, total: nil))
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty {
            try await store.write(purpose: purpose) { [batch] db in try await db.put(contentsOf: batch) }
        }
    }

    /// Civil affairs registers households; the bureau pools what proactive discovery may read.
    func register(in civil: any RecordStore, progress: ProgressHandler?) async throws -> [Demo.Pooled] {
        var pooled: [Demo.Pooled] = []
        var batch: [HouseholdRecord] = []
        var meter = ProgressMeter("household register", total: city.residents, every: 500, handler: progress)
        func flush() async throws {
            try await civil.write(purpose: CitySeeding.purpose) { [batch] db in try await db.put(contentsOf: batch) }
            batch.removeAll(keepingCapacity: true)
        }
        for household in city.households() {
            batch.append(
                HouseholdRecord(household: try household.household, members: household.members.map(\.resident))
            )
            let living = household.living
            let income = try Money.sum(living.map(\.monthlyIncome))
            if let head = household.members.first {
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
            meter.advance(by: household.members.count)
            if batch.count == 500 { try await flush() }
        }
        try await flush()
        meter.finish()
        return pooled
    }
}
