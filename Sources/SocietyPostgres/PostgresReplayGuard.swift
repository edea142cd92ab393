public import Foundation
public import SocietyCore
import Synchronization

/// The exchange's replay guard on PostgreSQL: one table of message ids shared by every process
/// that opens envelopes for a department, so that two gateway processes opening the same
/// envelope at the same moment accept it exactly once.
///
/// ``markSeen(issuer:id:expiresAt:now:)`` is one statement — an insert that, on a conflict,
/// replaces the row only if its message has expired, and returns a row only when it inserted or
/// replaced. PostgreSQL's unique index decides between concurrent callers; no lock is held
/// between statements. Expired ids are pruned every ``pruneInterval`` calls of a process.
public final class PostgresReplayGuard: ReplayGuard {
    private let database: PostgresDatabase
    private let calls = Mutex<Int>(0)
    /// How many calls pass between prunings of expired ids.
    public let pruneInterval: Int

    /// The migrations of the guard's table.
    static let migrations = [
        PostgresMigration(
            "replay-1",
            [
                """
                CREATE TABLE {schema}.ds_replay (issuer TEXT NOT NULL, jti TEXT NOT NULL, expires BIGINT NOT NULL,
                PRIMARY KEY (issuer, jti))
                """,
                "CREATE INDEX ds_replay_expires ON {schema}.ds_replay (expires)",
            ]
        )
    ]

    /// Opens the guard in `database`'s schema, creating its table when missing.
    public init(database: PostgresDatabase, pruneInterval: Int = 256) async throws(PostgresStoreError) {
        self.database = database
        self.pruneInterval = max(1, pruneInterval)
        try await database.migrate("replay", Self.migrations)
    }

    /// Records that `issuer` used `id` until `expiresAt`; `false` if it was already seen and has
    /// not expired by `now`.
    public func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) async throws -> Bool {
        let prune = calls.withLock { count in
            count += 1
            return count % pruneInterval == 0
        }
        let table = database.table("ds_replay")
        let nowValue = ReplayTime.milliseconds(now)
        let expiresValue = ReplayTime.milliseconds(expiresAt)
        return try await database.session { session in
            if prune {
                try await session.rows("DELETE FROM \(table) WHERE expires < $1", [.integer(nowValue)])
            }
            let rows = try await session.rows(
                """
                INSERT INTO \(table) AS seen (issuer, jti, expires) VALUES ($1, $2, $3)
                ON CONFLICT (issuer, jti) DO UPDATE SET expires = EXCLUDED.expires WHERE seen.expires < $4
                RETURNING 1
                """,
                [.text(issuer), .text(id), .integer(expiresValue), .integer(nowValue)]
            )
            return !rows.isEmpty
        }
    }

    /// How many ids are remembered (expired ones may remain until the next pruning).
    public func count() async throws -> Int {
        let table = database.table("ds_replay")
        return try await database.session { session in
            Int(try await session.rows("SELECT count(*) FROM \(table)").first?.value(0, as: Int64.self) ?? 0)
        }
    }
}
