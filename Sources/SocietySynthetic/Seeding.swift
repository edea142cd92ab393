public import SocietyCore

extension SyntheticCity {
    /// The purpose the seeding writes carry in the audit logs: the departments' existing registers
    /// being put in place.
    public static let seedingPurpose = Purpose(constant: "population.register")

    /// Puts what `department` knows about the city's residents into its store, one
    /// ``DepartmentFacts`` per resident it has facts on; returns how many were stored.
    ///
    /// This stands in for a department's existing system, so that examples and tests have data to
    /// exchange. It takes the store's bulk path when it has one (``BulkLoadingStore``), and the
    /// city is generated afresh for it: generation is deterministic, and streaming keeps memory
    /// flat at millions of residents.
    public func seed(
        _ department: DataSourceDepartment,
        into store: any RecordStore,
        progress: ProgressHandler? = nil
    ) async throws -> Int {
        let city = self
        return try await store.bulkLoad(
            { @Sendable in
                city.households().lazy.flatMap { household in
                    household.members.lazy.compactMap { person -> DepartmentFacts? in
                        let facts = department.facts(of: person)
                        return facts.isEmpty
                            ? nil : DepartmentFacts(resident: person.resident.id, facts: .object(facts))
                    }
                }
            },
            purpose: Self.seedingPurpose,
            progress: progress
        )
    }

    /// Puts the household register, as civil affairs keeps it, into `store` (one
    /// ``HouseholdRecord`` per household, in write transactions of `batchSize`); returns how many
    /// households were stored. Progress counts residents.
    public func registerHouseholds(
        into store: any RecordStore,
        batchSize: Int = 500,
        progress: ProgressHandler? = nil
    ) async throws -> Int {
        var batch: [HouseholdRecord] = []
        var stored = 0
        var meter = ProgressMeter("household register", total: residents, every: 500, handler: progress)
        for household in households() {
            batch.append(
                HouseholdRecord(household: try household.household, members: household.members.map(\.resident))
            )
            meter.advance(by: household.members.count)
            if batch.count >= max(1, batchSize) {
                try await store.write(purpose: Self.seedingPurpose) { [batch] db in try await db.put(contentsOf: batch)
                }
                stored += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty {
            try await store.write(purpose: Self.seedingPurpose) { [batch] db in try await db.put(contentsOf: batch) }
            stored += batch.count
        }
        meter.finish()
        return stored
    }
}
