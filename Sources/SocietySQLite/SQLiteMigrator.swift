/// Ordered, named schema changes for a store's own SQL tables, applied once each.
///
/// Record tables need no migrations (the store creates them and adds index columns); this is for
/// tables an application keeps beside its records. Applied names are recorded in
/// `ds_migrations`; each step runs in its own write transaction, so a failing step leaves the
/// database at the previous step.
///
/// ```swift
/// var migrator = SQLiteMigrator()
/// migrator.registerMigration("v1-payments") { db in try db.execute("CREATE TABLE payments (…)") }
/// try migrator.migrate(store)
/// ```
public struct SQLiteMigrator: Sendable {
    private var steps: [(name: String, apply: @Sendable (Database) throws -> Void)] = []

    /// Why migrating is refused.
    public enum MigrationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Two steps share a name.
        case duplicateName(String)
        /// The database has applied steps this code does not know (it was migrated by newer code),
        /// or applied them in another order.
        case unknownAppliedMigrations([String])

        public var description: String {
            switch self {
            case .duplicateName(let name): "migration \"\(name)\" is registered twice"
            case .unknownAppliedMigrations(let names):
                "the database has migrations this code does not know: \(names.joined(separator: ", "))"
            }
        }
    }

    /// An empty migrator.
    public init() {}

    /// Adds a step after the ones registered so far. Names must be unique and never reused.
    public mutating func registerMigration(_ name: String, _ apply: @escaping @Sendable (Database) throws -> Void) {
        steps.append((name, apply))
    }

    /// The names of the steps already applied to `store`, in order.
    public func appliedMigrations(in store: SQLiteStore) throws -> [String] {
        try store.write { db in
            try db.execute(
                "CREATE TABLE IF NOT EXISTS ds_migrations (position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"
            )
            return try db.rows("SELECT name FROM ds_migrations ORDER BY position").compactMap { row in
                if case .text(let name) = row[0] { return name }
                return nil
            }
        }
    }

    /// Applies, in order, every registered step not yet applied; returns the names applied now.
    @discardableResult
    public func migrate(_ store: SQLiteStore) throws -> [String] {
        var seen: Set<String> = []
        for step in steps where !seen.insert(step.name).inserted { throw MigrationError.duplicateName(step.name) }
        let applied = try appliedMigrations(in: store)
        let known = steps.map(\.name)
        guard applied.count <= known.count, Array(known.prefix(applied.count)) == applied else {
            throw MigrationError.unknownAppliedMigrations(applied.filter { !known.contains($0) })
        }
        var names: [String] = []
        for (position, step) in steps.enumerated().dropFirst(applied.count) {
            try store.write { db in
                try step.apply(db)
                try db.execute(
                    "INSERT INTO ds_migrations (position, name) VALUES (?, ?)",
                    arguments: [.integer(Int64(position)), .text(step.name)]
                )
            }
            names.append(step.name)
        }
        return names
    }
}
