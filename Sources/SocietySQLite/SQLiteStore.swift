import Dispatch
import Foundation
public import SocietyCore
import SocietyRecordFormat

/// What every connection of a store shares: the protection, the audit settings and the tree.
struct StoreContext: Sendable {
    let protector: FieldProtector?
    let auditing: StoreAuditing?
    let tree: MerkleTree?
}

/// One connection behind a gate that threads and tasks can both wait at.
///
/// `@unchecked Sendable` because `Connection` is not Sendable: the connection is created and used
/// only between `gate.acquire…()` and `gate.release()`, so at most one thread or task touches it
/// at a time, and the closure cannot keep it (the `Database` handle wrapping it is invalidated
/// when the transaction ends). The gate is not a thread-owned mutex, so an async transaction may
/// release it from another thread than the one that took it.
final class ConnectionSlot: @unchecked Sendable {
    private let gate = ConnectionGate(1)
    private let open: @Sendable () throws -> Connection
    private var connection: Connection?

    init(open: @escaping @Sendable () throws -> Connection) { self.open = open }

    private func opened() throws -> Connection {
        let connection = try self.connection ?? open()
        self.connection = connection
        return connection
    }

    /// Runs `body` with the connection, blocking the calling thread while another holds it.
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        gate.acquireBlocking()
        defer { gate.release() }
        return try body(try opened())
    }

    /// Runs `body` with the connection, suspending the calling task while another holds it.
    func lease<T>(_ body: (Connection) async throws -> T) async throws -> T {
        await gate.acquire()
        defer { gate.release() }
        return try await body(try opened())
    }
}

/// The reference store on SQLite: a writer connection and a pool of readers on one WAL file.
///
/// Any ``StorableRecord`` is stored in its kind's table (`rec_<kind>`: row id, key, schema
/// version, body, one column per declared index), without the adapter knowing the type. Writes go
/// through one serialised writer connection, one SQLite transaction per ``write(purpose:_:)``;
/// reads run concurrently on reader connections, each in a snapshot transaction. Sensitive
/// fields are sealed with the configured ``RecordProtection``, and changes and sensitive reads
/// are appended to the audit log in the same file when ``SQLiteConfiguration/audit`` is set.
///
/// ```swift
/// let store = try SQLiteStore(path: "city.sqlite", configuration: configuration)
/// try store.write(purpose: "registration") { db in try db.put(resident) }
/// let found = try store.read(purpose: "eligibility check") { db in
///     try db.get(Resident.self, key: RecordKey(sensitive: id.unmasked))
/// }
/// ```
public final class SQLiteStore: RecordStore {
    /// The database file.
    public let path: String
    /// The settings the store was opened with.
    public let configuration: SQLiteConfiguration
    let context: StoreContext
    private let writer: ConnectionSlot
    /// Runs the WAL's checkpoints off the commit path (``SQLiteConfiguration/checkpointsInBackground``).
    let checkpointer: BackgroundCheckpointer?
    private let readers: [ConnectionSlot]
    private let freeReaders: FreeList
    private let readerGate: ConnectionGate

    /// Opens (creating if needed) the store at `path`, switches it to WAL and brings its own
    /// tables up to date. `path` must be a file: readers and the writer are separate connections.
    public init(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) throws {
        if !configuration.createIfMissing { try Self.checkExisting(path, configuration) }
        self.path = path
        self.configuration = configuration
        let protector = configuration.protection.map(FieldProtector.init)
        var tree: MerkleTree?
        if let protection = configuration.protection {
            tree = MerkleTree(algorithm: protection.profile.digest, provider: protection.crypto)
        }
        context = StoreContext(protector: protector, auditing: configuration.audit, tree: tree)
        let writerConfiguration = configuration
        let checkpointer =
            configuration.checkpointsInBackground && configuration.walAutocheckpointPages > 0
            ? BackgroundCheckpointer(
                path: path,
                configuration: configuration,
                limit: configuration.walAutocheckpointPages
            ) : nil
        self.checkpointer = checkpointer
        writer = ConnectionSlot {
            let connection = try Connection(path: path, readOnly: false, configuration: writerConfiguration)
            checkpointer?.install(on: connection)
            return connection
        }
        var readerSettings = configuration
        readerSettings.cacheKibibytes = min(configuration.cacheKibibytes, 4096)
        let readerConfiguration = readerSettings
        let count = max(1, configuration.readerCount)
        readers = (0..<count).map { _ in
            ConnectionSlot {
                let connection = try Connection(path: path, readOnly: false, configuration: readerConfiguration)
                try connection.execute("PRAGMA query_only = ON")
                return connection
            }
        }
        freeReaders = FreeList(Array(0..<count))
        readerGate = ConnectionGate(count)
        try writer.withConnection { connection in
            // journal_mode=WAL persists in the file; setting it needs no transaction.
            _ = try connection.rows("PRAGMA journal_mode = WAL")
            try connection.execute("BEGIN IMMEDIATE")
            do {
                try connection.execute(
                    "CREATE TABLE IF NOT EXISTS ds_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
                )
                try connection.execute(AuditTables.schema)
                try connection.execute(BulkLoad.schema)
                if let protection = configuration.protection {
                    try connection.execute(
                        "INSERT OR IGNORE INTO ds_meta (name, value) VALUES ('audit_digest', ?)",
                        [.text(protection.profile.digest.rawValue)]
                    )
                }
                if let audit = configuration.audit {
                    try connection.execute(
                        "INSERT OR IGNORE INTO ds_meta (name, value) VALUES ('audit_origin', ?)",
                        [.text(audit.origin)]
                    )
                }
                // A load whose loader died is undone before anyone reads.
                try BulkLoad.recover(connection, context, path: path)
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Checks, on a read-only connection that can change nothing, that `path` is a file holding the
    /// SDK's tables: the condition for opening a store without creating it.
    static func checkExisting(_ path: String, _ configuration: SQLiteConfiguration) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError.notFound(path)
        }
        guard !isDirectory.boolValue else { throw StoreError.notAStore("\(path) (a directory)") }
        let tables: Set<String>
        do {
            let connection = try Connection(path: path, readOnly: true, configuration: configuration)
            tables = Set(
                try connection.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap {
                    if case .text(let name) = $0.first { name } else { nil }
                }
            )
        } catch {
            // Not a database at all (SQLITE_NOTADB), or unreadable.
            throw StoreError.notAStore("\(path) (\(error))")
        }
        guard tables.isSuperset(of: ["ds_meta", "ds_audit_entries", "ds_audit_heads"]) else {
            throw StoreError.notAStore(path)
        }
    }

    /// Runs `body` in one write transaction on the writer connection: committed when `body`
    /// returns, rolled back (leaving nothing behind) when it throws. Writers queue for the one
    /// writer; audit entries for the changes are appended in the same transaction.
    ///
    /// - Parameter purpose: why; needed to read sensitive fields inside the transaction, and
    ///   written into the audit entries.
    public func write<T>(purpose: Purpose? = nil, _ body: (Database) throws -> T) throws -> T {
        try writer.withConnection { connection in
            let db = Database(connection: connection, context: context, writable: true, purpose: purpose)
            defer { db.invalidate() }
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let result = try body(db)
                if !db.pendingAudit.isEmpty, let tree = context.tree {
                    _ = try AuditTables.append(db.pendingAudit, connection, tree: tree)
                }
                try connection.execute("COMMIT")
                return result
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                connection.kinds.removeAll()
                throw error
            }
        }
    }

    /// Runs `body` in a read transaction on one of the reader connections: it sees one consistent
    /// snapshot, concurrently with other readers and the writer.
    ///
    /// - Parameter purpose: why; without one, records with sensitive fields cannot be read. Reads
    ///   of sensitive records are audited after `body` returns and before this returns: if the
    ///   audit entry cannot be written, the read fails.
    public func read<T>(purpose: Purpose? = nil, _ body: (Database) throws -> T) throws -> T {
        readerGate.acquireBlocking()
        defer { readerGate.release() }
        let index = freeReaders.take()
        defer { freeReaders.give(index) }
        var pending: [AuditEntry] = []
        let result = try readers[index].withConnection { connection in
            let db = Database(connection: connection, context: context, writable: false, purpose: purpose)
            defer { db.invalidate() }
            try connection.execute("BEGIN")
            do {
                let result = try body(db)
                try connection.execute("COMMIT")
                pending = db.pendingAudit
                return result
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
        if !pending.isEmpty, let tree = context.tree {
            try writer.withConnection { connection in
                try connection.execute("BEGIN IMMEDIATE")
                do {
                    _ = try AuditTables.append(pending, connection, tree: tree)
                    try connection.execute("COMMIT")
                } catch {
                    try? connection.execute("ROLLBACK")
                    throw error
                }
            }
        }
        return result
    }

    // MARK: RecordStore (async)

    /// Runs `body` in a read transaction on a reader connection.
    ///
    /// The task waits for a free reader without holding a thread, and each unit of SQLite work
    /// runs on ``SQLiteExecutor``'s threads, never on the cooperative pool. Reads of sensitive
    /// records are audited after `body` returns and before this returns.
    public func read<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T {
        try await withTaskExecutorPreference(SQLiteExecutor.shared) { try await reading(purpose: purpose, body) }
    }

    private func reading<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T {
        await readerGate.acquire()
        defer { readerGate.release() }
        let index = freeReaders.take()
        defer { freeReaders.give(index) }
        let context = self.context
        let (result, pending) = try await readers[index].lease { connection in
            let transaction = SQLiteTransaction(
                Database(connection: connection, context: context, writable: false, purpose: purpose)
            )
            defer { transaction.end() }
            try await transaction.perform { db in try db.connection.execute("BEGIN") }
            do {
                let result = try await body(transaction)
                let pending = try await transaction.perform { db in
                    try db.connection.execute("COMMIT")
                    return db.pendingAudit
                }
                return (result, pending)
            } catch {
                try? await transaction.perform { db in
                    if db.connection.isInTransaction { try db.connection.execute("ROLLBACK") }
                }
                throw error
            }
        }
        if !pending.isEmpty, let tree = context.tree {
            try await onWriter { connection in
                try connection.execute("BEGIN IMMEDIATE")
                do {
                    _ = try AuditTables.append(pending, connection, tree: tree)
                    try connection.execute("COMMIT")
                } catch {
                    try? connection.execute("ROLLBACK")
                    throw error
                }
            }
        }
        return result
    }

    /// Runs `body` in one write transaction on the writer connection: committed when `body`
    /// returns, rolled back (leaving nothing behind) when it throws. The task waits for the writer
    /// without holding a thread; SQLite work runs on ``SQLiteExecutor``'s threads.
    public func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        try await withTaskExecutorPreference(SQLiteExecutor.shared) { try await writing(purpose: purpose, body) }
    }

    private func writing<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        let context = self.context
        return try await writer.lease { connection in
            let transaction = SQLiteTransaction(
                Database(connection: connection, context: context, writable: true, purpose: purpose)
            )
            defer { transaction.end() }
            try await transaction.perform { db in try db.connection.execute("BEGIN IMMEDIATE") }
            do {
                let result = try await body(transaction)
                try await transaction.perform { db in
                    if !db.pendingAudit.isEmpty, let tree = context.tree {
                        _ = try AuditTables.append(db.pendingAudit, db.connection, tree: tree)
                    }
                    try db.connection.execute("COMMIT")
                }
                return result
            } catch {
                try? await transaction.perform { db in
                    if db.connection.isInTransaction { try db.connection.execute("ROLLBACK") }
                    db.connection.kinds.removeAll()
                }
                // The error's type only: a caller's error may describe what it was about.
                configuration.logger.debug(
                    "write rolled back",
                    metadata: ["purpose": "\(purpose?.code ?? "-")", "error": "\(type(of: error))"]
                )
                throw error
            }
        }
    }

    /// Runs `body` with the writer connection on ``SQLiteExecutor``'s threads (for the audit log
    /// and replay guard's own statements).
    func onWriter<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await writer.lease { connection in
            let leased = LeasedConnection(connection: connection)
            return try await SQLiteExecutor.shared.perform { try body(leased.connection) }
        }
    }

    /// Runs `body` with a reader connection on ``SQLiteExecutor``'s threads.
    func onReader<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        await readerGate.acquire()
        defer { readerGate.release() }
        let index = freeReaders.take()
        defer { freeReaders.give(index) }
        return try await readers[index].lease { connection in
            let leased = LeasedConnection(connection: connection)
            return try await SQLiteExecutor.shared.perform { try body(leased.connection) }
        }
    }

    /// Runs a full WAL checkpoint (`wal_checkpoint(TRUNCATE)`), moving committed pages into the
    /// main file; useful before copying the file.
    public func checkpointWAL() throws {
        try writer.withConnection { connection in _ = try connection.rows("PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// How many background checkpoints have run, once every one asked for so far has finished
    /// (`nil` when checkpoints run inside commits).
    package func backgroundCheckpoints() -> Int? { checkpointer?.drain() }

    /// The audit log kept in this store's file, appended to by its transactions.
    public var auditLog: SQLiteAuditLog { SQLiteAuditLog(store: self) }

    func withWriter<T>(_ body: (Connection) throws -> T) throws -> T { try writer.withConnection(body) }

    func withReader<T>(_ body: (Connection) throws -> T) throws -> T {
        readerGate.acquireBlocking()
        defer { readerGate.release() }
        let index = freeReaders.take()
        defer { freeReaders.give(index) }
        return try readers[index].withConnection(body)
    }
}

/// The indexes of idle reader connections.
///
/// `@unchecked Sendable` because `indexes` is only read or written while `lock` is held.
final class FreeList: @unchecked Sendable {
    private let lock = NSLock()
    private var indexes: [Int]

    init(_ indexes: [Int]) { self.indexes = indexes }

    /// An idle index; the caller has already waited on the semaphore, so one is free.
    func take() -> Int { lock.withLock { indexes.popLast() ?? 0 } }

    func give(_ index: Int) { lock.withLock { indexes.append(index) } }
}
