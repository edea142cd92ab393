internal import CSQLite
import Foundation

/// Runs a store's WAL checkpoints on a thread of its own instead of inside the commit that
/// filled the WAL past ``SQLiteConfiguration/walAutocheckpointPages``.
///
/// SQLite's automatic checkpoint runs in the committing connection: the one commit in every few
/// hundred that crosses the limit copies the WAL's pages into the database file and syncs both
/// before it returns. At the gateway that was the slowest one request in a hundred (p99 ≈ 10 ms
/// against a p50 of 2 ms, whatever the load; issue 32). Here the writer's WAL hook only notes the
/// WAL's size after each commit; past the limit, one `PASSIVE` checkpoint is queued on this
/// object's queue and runs on a connection of its own, while commits go on appending to the WAL.
/// A passive checkpoint never waits for a lock and never blocks a writer or a reader; what it
/// cannot copy yet (pages a reader's snapshot still needs) the next one copies.
///
/// `@unchecked Sendable`: `connection` and `completed` are used only on `queue`, which runs one
/// checkpoint at a time; `isQueued` and `again` are read and written under `lock`.
final class BackgroundCheckpointer: @unchecked Sendable {
    private let path: String
    private let configuration: SQLiteConfiguration
    private let limit: Int
    private let queue = DispatchQueue(label: "DS.SQLite.checkpoint", qos: .utility)
    private let lock = NSLock()
    private var isQueued = false
    /// Whether a commit crossed the limit while a checkpoint was queued or running: one more
    /// runs after it, so the last commits do not wait for the next one to be checkpointed.
    private var again = false
    private var connection: Connection?
    /// How many checkpoints have run (for tests and the store's diagnostics).
    private var completed = 0

    /// A checkpointer for the store at `path`, checkpointing once the WAL holds `limit` pages.
    init(path: String, configuration: SQLiteConfiguration, limit: Int) {
        self.path = path
        self.configuration = configuration
        self.limit = max(1, limit)
    }

    /// Makes `connection` (the store's writer) report its commits here instead of checkpointing
    /// itself: installing a WAL hook replaces SQLite's automatic checkpoint on that connection.
    /// The connection keeps this object alive for as long as the hook can be called.
    func install(on connection: Connection) {
        connection.walHookOwner = self
        sqlite3_wal_hook(connection.handle, walHook, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called on the writer's thread after each commit, with the pages now in the WAL; returns at
    /// once.
    fileprivate func committed(pages: Int) {
        guard pages >= limit else { return }
        let shouldQueue = lock.withLock {
            guard !isQueued else {
                again = true
                return false
            }
            isQueued = true
            return true
        }
        guard shouldQueue else { return }
        queue.async { self.checkpoint() }
    }

    /// Returns once every checkpoint asked for so far has run, with how many have run.
    func drain() -> Int {
        while true {
            let count = queue.sync { completed }
            if !lock.withLock({ isQueued }) { return count }
        }
    }

    private func checkpoint() {
        // Cleared after the checkpoint, not before: commits made while it runs would otherwise
        // queue one checkpoint each while the WAL is still long. One more runs if any came.
        defer {
            let rerun = lock.withLock {
                if again {
                    again = false
                    return true
                }
                isQueued = false
                return false
            }
            if rerun { queue.async { self.checkpoint() } }
        }
        do {
            let connection =
                try self.connection ?? Connection(path: path, readOnly: false, configuration: configuration)
            self.connection = connection
            var logFrames: Int32 = 0
            var copiedFrames: Int32 = 0
            let result = sqlite3_wal_checkpoint_v2(
                connection.handle,
                nil,
                SQLITE_CHECKPOINT_PASSIVE,
                &logFrames,
                &copiedFrames
            )
            completed += 1
            // A WAL several times the limit (a bulk write, or a long read that held checkpoints
            // back) stays that long until a writer starts it over, and every read until then
            // looks its pages up in it. Once all of it is in the database file, it is truncated
            // if no one is writing or reading at this moment; otherwise this gives up at once
            // (no busy wait on this connection), and a later checkpoint tries again.
            if result == SQLITE_OK, logFrames >= 4 * Int32(clamping: limit), copiedFrames == logFrames {
                sqlite3_busy_timeout(connection.handle, 0)
                _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
            }
            if result != SQLITE_OK {
                configuration.logger.notice(
                    "background checkpoint did not run",
                    metadata: ["path": "\(path)", "code": "\(result)"]
                )
            }
        } catch {
            configuration.logger.warning(
                "background checkpoint could not open its connection",
                metadata: ["path": "\(path)", "error": "\(error)"]
            )
        }
    }
}

/// SQLite's WAL hook: `context` is the ``BackgroundCheckpointer`` the connection keeps alive.
private let walHook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 =
    {
        context,
        _,
        _,
        pages in
        if let context {
            Unmanaged<BackgroundCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(pages: Int(pages))
        }
        return SQLITE_OK
    }
