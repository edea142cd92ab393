import Foundation
public import SocietyCore
public import SocietyDeployment
public import SocietyPostgres
import Synchronization

/// Opens each department's store, audit log and replay guard in a schema of its own in one
/// PostgreSQL database: `civil-affairs` in schema `civil_affairs`, and so on, so that grants and
/// backups can follow departments. Keys, trust lists and the demo marker stay in the state folder.
///
/// ```swift
/// let deployment = try Deployment(
///     DeploymentConfiguration(
///         stateFolder: folder,
///         stores: PostgresStoreFactory(location: try PostgresLocation(url: "postgresql://city@db:5432/taizhou"))
///     )
/// )
/// ```
///
/// The factory's `open` is synchronous, as the composition root asks; the connection is made on
/// the department's first operation, and a server that cannot be reached fails that operation
/// (within the database's time limit), not the opening.
public struct PostgresStoreFactory: StoreFactory {
    /// The server and database.
    public var location: PostgresLocation
    /// Connections per department's pool.
    public var connectionsPerDepartment: Int
    /// How long an operation may wait for the server.
    public var timeout: Duration
    /// Record kinds partitioned by district in every department's schema (see
    /// ``SocietyPostgres/PostgresStoreConfiguration/partitionedByDistrict``).
    public var partitionedByDistrict: [String: String]

    /// A factory for the database at `location`.
    public init(
        location: PostgresLocation,
        connectionsPerDepartment: Int = 4,
        timeout: Duration = .seconds(120),
        partitionedByDistrict: [String: String] = [:]
    ) {
        self.location = location
        self.connectionsPerDepartment = connectionsPerDepartment
        self.timeout = timeout
        self.partitionedByDistrict = partitionedByDistrict
    }

    /// The schema of the department store `name` (`civil-affairs` → `civil_affairs`).
    public static func schema(of name: String) -> String { name.replacingOccurrences(of: "-", with: "_") }

    /// Opens the department's schema (creating it with `.createIfMissing`; with `.existing` a
    /// schema without a store fails the first operation with ``SocietyCore/StoreError/notFound(_:)``).
    public func open(_ request: StoreRequest) throws -> OpenedStore {
        let database = try PostgresDatabase(
            location: location,
            schema: Self.schema(of: request.name),
            maximumConnections: connectionsPerDepartment,
            timeout: timeout,
            logger: request.logger
        )
        let configuration = PostgresStoreConfiguration(
            protection: RecordProtection(crypto: request.crypto, keys: request.keys, profile: request.profile),
            audit: StoreAuditing(actor: request.actor, origin: request.origin, clock: request.clock),
            partitionedByDistrict: partitionedByDistrict
        )
        let access = request.access
        let crypto = request.crypto
        let department = PostgresDepartment {
            if access == .existing { try await PostgresDepartment.requireStore(database, crypto: crypto) }
            let store = try await PostgresRecordStore(database: database, configuration: configuration)
            guard let log = store.auditLog else { throw PostgresStoreError(.corrupt, "the store has no audit log") }
            return (store, log, try await PostgresReplayGuard(database: database))
        }
        return OpenedStore(store: department, auditLog: PostgresDepartmentLog(department), replayGuard: department)
    }

    /// The audit log of the department store `name` at `location`, opened the way an auditor's
    /// tool needs: without the store's keys, creating and changing nothing (only signing a
    /// checkpoint writes). The caller shuts the returned database down when done.
    public static func auditLog(
        at location: PostgresLocation,
        department name: String,
        crypto: any CryptoProvider,
        timeout: Duration = .seconds(600)
    ) async throws -> (PostgresAuditLog, PostgresDatabase) {
        let database = try PostgresDatabase(
            location: location,
            schema: schema(of: name),
            maximumConnections: 2,
            timeout: timeout
        )
        do {
            return (try await PostgresAuditLog.existing(database: database, crypto: crypto), database)
        } catch {
            await database.shutdown()
            throw error
        }
    }
}

/// A department on PostgreSQL, opened on its first operation: the store, its audit log and the
/// replay guard share one pool in the department's schema.
final class PostgresDepartment: RecordStore, ReplayGuard {
    typealias Parts = (store: PostgresRecordStore, log: PostgresAuditLog, replay: PostgresReplayGuard)
    private let opening: @Sendable () async throws -> Parts
    private let state = Mutex<Task<Parts, any Error>?>(nil)

    init(_ opening: @escaping @Sendable () async throws -> Parts) { self.opening = opening }

    /// The opened parts; the first caller opens them, later callers wait for the same opening.
    /// A failed opening is tried again by the next caller.
    func parts() async throws -> Parts {
        let task = state.withLock { state in
            if let state { return state }
            let task = Task { try await opening() }
            state = task
            return task
        }
        do {
            return try await task.value
        } catch {
            state.withLock { if $0 == task { $0 = nil } }
            throw error
        }
    }

    /// Fails unless the schema holds a store: a read-only tool creates nothing.
    static func requireStore(_ database: PostgresDatabase, crypto: any CryptoProvider) async throws {
        _ = try await PostgresAuditLog.existing(database: database, crypto: crypto)
    }

    func read<T: Sendable>(purpose: Purpose?, _ body: @Sendable (any RecordReading) async throws -> T) async throws -> T
    {
        try await parts().store.read(purpose: purpose, body)
    }

    func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        try await parts().store.write(purpose: purpose, body)
    }

    func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await parts().replay.markSeen(issuer: issuer, id: id, expiresAt: expiresAt, now: now)
    }
}

extension PostgresDepartment: BulkLoadingStore {
    func loadInBulk<Records: Sequence>(
        _ records: @escaping @Sendable () -> Records,
        purpose: Purpose?,
        progress: ProgressHandler?
    ) async throws -> Int where Records.Element: StorableRecord {
        try await parts().store.loadInBulk(records, purpose: purpose, progress: progress)
    }
}

/// The department's audit log, reached through the department's opening.
struct PostgresDepartmentLog: AuditLog {
    let department: PostgresDepartment

    init(_ department: PostgresDepartment) { self.department = department }

    func append(_ entries: [AuditEntry]) async throws -> Range<Int> { try await department.parts().log.append(entries) }
    func size() async throws -> Int { try await department.parts().log.size() }
    func entry(at index: Int) async throws -> AuditEntry { try await department.parts().log.entry(at: index) }
    func treeHead() async throws -> AuditCheckpoint { try await department.parts().log.treeHead() }
    func checkpoint(signingWith key: some SigningKey, keyName: String) async throws -> SignedCheckpoint {
        try await department.parts().log.checkpoint(signingWith: key, keyName: keyName)
    }
    func checkpoints() async throws -> [SignedCheckpoint] { try await department.parts().log.checkpoints() }
    func inclusionProof(index: Int, treeSize: Int) async throws -> [[UInt8]] {
        try await department.parts().log.inclusionProof(index: index, treeSize: treeSize)
    }
    func consistencyProof(from oldSize: Int, to newSize: Int) async throws -> [[UInt8]] {
        try await department.parts().log.consistencyProof(from: oldSize, to: newSize)
    }
    func verify() async throws -> AuditVerification { try await department.parts().log.verify() }
}
