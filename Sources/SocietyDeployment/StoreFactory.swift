public import Foundation
public import Logging
public import SocietyCore
public import SocietySQLite

/// What a store factory is asked for: one department's store.
public struct StoreRequest: Sendable {
    /// The store's name, unique in the deployment (`civil-affairs`, `onecard`): lowercase letters,
    /// digits and `-`.
    public var name: String
    /// The department, written into every audit entry (`CREDITCODE/SUBSYSTEM`).
    public var actor: String
    /// The origin line of the store's audit checkpoints.
    public var origin: String
    /// The deployment's state folder.
    public var stateFolder: URL
    /// Field protection: the cryptography, the store's keys and the algorithms.
    public var crypto: any CryptoProvider
    /// The store's keys.
    public var keys: any KeyProvider
    /// The store's algorithms.
    public var profile: StorageCryptoProfile
    /// The time of audit entries.
    public var clock: any WallClock
    /// The store's logger.
    public var logger: Logger
}

/// A department's store with its audit log and replay guard, as a factory opens them.
public struct OpenedStore: Sendable {
    /// The records.
    public var store: any RecordStore
    /// The tamper-evident log the store's transactions and the department's exchanges append to.
    public var auditLog: any AuditLog
    /// The envelope ids the department has seen, kept across restarts.
    public var replayGuard: any ReplayGuard

    /// A store from its parts.
    public init(store: any RecordStore, auditLog: any AuditLog, replayGuard: any ReplayGuard) {
        self.store = store
        self.auditLog = auditLog
        self.replayGuard = replayGuard
    }
}

/// Opens departments' stores: the point where another database (PostgreSQL, in its own module)
/// plugs into a deployment, so that an application on SQLite builds no server package.
public protocol StoreFactory: Sendable {
    /// Opens (creating if needed) the store `request` names, with field protection and audit.
    func open(_ request: StoreRequest) throws -> OpenedStore
}

/// The reference factory: `NAME.sqlite` (records and audit log) and `NAME.replay.sqlite` in the
/// state folder.
public struct SQLiteStoreFactory: StoreFactory {
    /// Durability of the replay guard (`full` survives power loss).
    public var replayDurability: SQLiteConfiguration.Durability

    /// The factory.
    public init(replayDurability: SQLiteConfiguration.Durability = .normal) {
        self.replayDurability = replayDurability
    }

    /// Opens `NAME.sqlite` with protection and auditing, and `NAME.replay.sqlite`.
    public func open(_ request: StoreRequest) throws -> OpenedStore {
        var configuration = SQLiteConfiguration(
            protection: RecordProtection(crypto: request.crypto, keys: request.keys, profile: request.profile),
            audit: StoreAuditing(actor: request.actor, origin: request.origin, clock: request.clock)
        )
        configuration.logger = request.logger
        let store = try SQLiteStore(
            path: request.stateFolder.appendingPathComponent("\(request.name).sqlite").path,
            configuration: configuration
        )
        let replay = try SQLiteReplayGuard(
            path: request.stateFolder.appendingPathComponent("\(request.name).replay.sqlite").path,
            durability: replayDurability
        )
        return OpenedStore(store: store, auditLog: store.auditLog, replayGuard: replay)
    }
}
