public import Foundation
public import SocietyCore
import Synchronization

/// The exchange's replay guard on SQLite: message ids survive restarts, and are forgotten once
/// their message has expired.
///
/// One table `ds_replay(issuer, jti, expires)` with the pair as primary key. ``markSeen`` is one
/// write transaction, so two processes or threads opening the same envelope cannot both see it as
/// new. Expired ids are pruned every ``pruneInterval`` calls (by an index on the expiry).
public final class SQLiteReplayGuard: ReplayGuard {
    private let store: SQLiteStore
    private let calls = Mutex<Int>(0)
    /// How many calls pass between prunings of expired ids.
    public let pruneInterval: Int

    /// Opens (creating if needed) the replay database at `path`.
    ///
    /// - Parameter durability: ``SQLiteConfiguration/Durability/full`` if a replay must be refused
    ///   even after a power loss; NORMAL survives application crashes.
    public init(path: String, durability: SQLiteConfiguration.Durability = .normal, pruneInterval: Int = 256) throws {
        var configuration = SQLiteConfiguration()
        configuration.durability = durability
        configuration.readerCount = 1
        store = try SQLiteStore(path: path, configuration: configuration)
        self.pruneInterval = max(1, pruneInterval)
        try store.write { db in
            try db.execute(
                """
                CREATE TABLE IF NOT EXISTS ds_replay (issuer TEXT NOT NULL, jti TEXT NOT NULL, expires INTEGER NOT NULL,
                PRIMARY KEY (issuer, jti)) WITHOUT ROWID
                """
            )
            try db.execute("CREATE INDEX IF NOT EXISTS ds_replay_expires ON ds_replay (expires)")
        }
    }

    /// Records that `issuer` used `id` until `expiresAt`; `false` if it was already seen and has
    /// not expired by `now`.
    public func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) async throws -> Bool {
        let prune = calls.withLock { count in
            count += 1
            return count % pruneInterval == 0
        }
        let nowValue = ReplayTime.milliseconds(now)
        let expiresValue = ReplayTime.milliseconds(expiresAt)
        return try await store.onWriter { connection in
            try connection.execute("BEGIN IMMEDIATE")
            do {
                if prune { try connection.execute("DELETE FROM ds_replay WHERE expires < ?", [.integer(nowValue)]) }
                let existing = try connection.rows(
                    "SELECT expires FROM ds_replay WHERE issuer = ? AND jti = ?",
                    [.text(issuer), .text(id)]
                )
                if let row = existing.first, case .integer(let expires) = row[0], expires >= nowValue {
                    try connection.execute("COMMIT")
                    return false
                }
                try connection.execute(
                    "INSERT OR REPLACE INTO ds_replay (issuer, jti, expires) VALUES (?, ?, ?)",
                    [.text(issuer), .text(id), .integer(expiresValue)]
                )
                try connection.execute("COMMIT")
                return true
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// How many ids are remembered (expired ones may remain until the next pruning).
    public func count() async throws -> Int {
        try await store.onReader { connection in
            guard case .integer(let n) = try connection.rows("SELECT count(*) FROM ds_replay").first?.first else {
                return 0
            }
            return Int(n)
        }
    }
}
