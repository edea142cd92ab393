public import Foundation
import Synchronization

/// Remembers which message ids an issuer has used, so that a captured envelope cannot be played
/// again while it is still valid.
///
/// An id only needs remembering until its message expires: after that the expiry check refuses
/// the message anyway, so implementations may forget it. The SQLite adapter keeps the ids across
/// restarts; ``InMemoryReplayGuard`` is for tests and single-process tools.
public protocol ReplayGuard: Sendable {
    /// Records that `issuer` used `id` for a message valid until `expiresAt`.
    ///
    /// - Returns: `true` if the id is new, `false` if it was seen before and has not yet expired
    ///   (a replay). Recording and checking are one atomic step, so two concurrent openers of the
    ///   same message cannot both see it as new.
    func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) throws -> Bool
}

/// A replay guard held in memory: lost when the process ends.
public final class InMemoryReplayGuard: ReplayGuard {
    private struct Key: Hashable {
        var issuer: String
        var id: String
    }

    private let seen = Mutex<[Key: Date]>([:])

    /// Creates an empty guard.
    public init() {}

    /// Records the id, forgetting entries that expired before `now`.
    public func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) -> Bool {
        seen.withLock { entries in
            if entries.count > 1024 { entries = entries.filter { $0.value >= now } }
            let key = Key(issuer: issuer, id: id)
            if let existing = entries[key], existing >= now { return false }
            entries[key] = expiresAt
            return true
        }
    }

    /// How many ids are remembered (expired ones may linger until the next pruning).
    public var count: Int { seen.withLock { $0.count } }
}
