public import Foundation
public import Logging
public import SocietyCore
public import SocietySQLite
import Synchronization

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
    /// Whether the store may be created, or must already exist.
    public var access: StoreAccess = .createIfMissing
}

/// How a department's store is opened.
public enum StoreAccess: Sendable, Hashable {
    /// Created, with its key file, when it does not exist: how a service that writes opens it.
    case createIfMissing
    /// Opened only if it exists and is an SDK store, creating nothing: how read-only tools open
    /// it, so that a mistyped name is an error instead of a new, empty store. A factory throws
    /// ``SocietyCore/StoreError/notFound(_:)`` or ``SocietyCore/StoreError/notAStore(_:)``, and
    /// opens the replay guard only when an envelope is first checked.
    case existing
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
        configuration.createIfMissing = request.access == .createIfMissing
        let store = try SQLiteStore(
            path: request.stateFolder.appendingPathComponent("\(request.name).sqlite").path,
            configuration: configuration
        )
        let replayPath = request.stateFolder.appendingPathComponent("\(request.name).replay.sqlite").path
        let durability = replayDurability
        let replay: any ReplayGuard =
            switch request.access {
            case .createIfMissing: try SQLiteReplayGuard(path: replayPath, durability: durability)
            case .existing: DeferredReplayGuard { try SQLiteReplayGuard(path: replayPath, durability: durability) }
            }
        return OpenedStore(store: store, auditLog: store.auditLog, replayGuard: replay)
    }
}

/// A replay guard opened when it is first asked, so that opening a department to read creates no
/// replay-guard file.
final class DeferredReplayGuard: ReplayGuard {
    private let open: @Sendable () throws -> any ReplayGuard
    private let opened = Mutex<(any ReplayGuard)?>(nil)

    init(_ open: @escaping @Sendable () throws -> any ReplayGuard) { self.open = open }

    func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) async throws -> Bool {
        let guardian = try opened.withLock { opened in
            if let opened { return opened }
            let made = try open()
            opened = made
            return made
        }
        return try await guardian.markSeen(issuer: issuer, id: id, expiresAt: expiresAt, now: now)
    }
}
