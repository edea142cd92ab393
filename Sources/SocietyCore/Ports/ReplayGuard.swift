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
    func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) async throws -> Bool
}

/// A replay guard held in memory: lost when the process ends.
public final class InMemoryReplayGuard: ReplayGuard {
    private struct Key: Hashable {
        var issuer: String
        var id: String
    }

    private struct State {
        var entries: [Key: Date] = [:]
        /// Prune when the table reaches this size; doubled after a pruning that frees little, so
        /// that pruning costs O(1) per id on average however many ids are live.
        var pruneAt = 1024
    }

    private let state = Mutex(State())

    /// Creates an empty guard.
    public init() {}

    /// Records the id, forgetting entries that expired before `now`.
    public func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) -> Bool {
        state.withLock { state in
            if state.entries.count >= state.pruneAt {
                state.entries = state.entries.filter { $0.value >= now }
                state.pruneAt = max(1024, state.entries.count * 2)
            }
            let key = Key(issuer: issuer, id: id)
            if let existing = state.entries[key], existing >= now { return false }
            state.entries[key] = expiresAt
            return true
        }
    }

    /// How many ids are remembered (expired ones may linger until the next pruning).
    public var count: Int { state.withLock { $0.entries.count } }
}

/// Time as the replay guards' tables store it, the same in every adapter.
public enum ReplayTime {
    /// Whole milliseconds since 1970, clamped to ±9×10¹⁵ so that a date far outside any
    /// message's life (a forged `exp`) still orders correctly instead of overflowing.
    public static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard value.isFinite else { return value > 0 ? .max : .min }
        return Int64(max(-9.0e15, min(9.0e15, value)))
    }
}
