/// A named step of a schema's migrations: statements run once, in one transaction, in order.
///
/// As with the SQLite migrator, steps are never edited once released: a change is a new step.
/// Names are recorded in the schema's `ds_migrations` table; a schema that records a step this
/// SDK does not know was written by a newer SDK, and is refused rather than used.
public struct PostgresMigration: Sendable, Hashable {
    /// The step's name, unique in its schema (`"audit-1"`).
    public let name: String
    /// Its statements; `{schema}` stands for the quoted schema name.
    public let statements: [String]

    /// A step of `statements`.
    public init(_ name: String, _ statements: [String]) {
        self.name = name
        self.statements = statements
    }
}

extension PostgresDatabase {
    /// Creates the schema when missing and applies the `steps` not yet applied, in order, under
    /// an advisory lock, so that processes opening the same schema at the same moment apply each
    /// step once. `family` names the set of steps (`"replay"`, `"audit"`): steps of other families
    /// in the same schema are left alone.
    func migrate(_ family: String, _ steps: [PostgresMigration]) async throws(PostgresStoreError) {
        let schema = self.schema
        let lock = lockKey("migrations")
        try await transaction { session in
            try await session.rows("SELECT pg_advisory_xact_lock($1)", [.integer(lock)])
            try await session.rows("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"")
            try await session.rows(
                """
                CREATE TABLE IF NOT EXISTS "\(schema)".ds_migrations (name TEXT PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """
            )
            let applied = Set(
                try await session.rows("SELECT name FROM \"\(schema)\".ds_migrations").map {
                    try $0.value(0, as: String.self)
                }
            )
            let known = Set(steps.map(\.name))
            let prefix = family + "-"
            if let unknown = applied.filter({ $0.hasPrefix(prefix) && !known.contains($0) }).sorted().first {
                throw PostgresStoreError(
                    .corrupt,
                    "schema \(schema) has migration \(unknown), unknown to this SDK: it was written by a newer version"
                )
            }
            for step in steps where !applied.contains(step.name) {
                for statement in step.statements {
                    try await session.rows(statement.replacingOccurrences(of: "{schema}", with: "\"\(schema)\""))
                }
                try await session.rows("INSERT INTO \"\(schema)\".ds_migrations (name) VALUES ($1)", [.text(step.name)])
            }
        }
    }
}
