public import SocietyCore
import SocietyRecordFormat
import Synchronization

/// How a ``PostgresRecordStore`` protects, audits and lays out its records.
public struct PostgresStoreConfiguration: Sendable {
    /// The cryptography applied to sensitive fields, sensitive keys and searchable indexes; the
    /// same settings as an SQLite store's give byte-identical sealed fields and keyed hashes.
    public var protection: RecordProtection?
    /// Who the audit entries name; `nil` writes none. Needs ``protection`` (subjects are keyed hashes).
    public var audit: StoreAuditing?
    /// Record kinds kept in one partition per district, each with the index that holds the
    /// district code (a GB/T 2260 code or anything that starts with one): `["resident": "district"]`.
    /// Applies when the kind's table is created; a table keeps the layout it was created with.
    public var partitionedByDistrict: [String: String]
    /// How many rows a scan fetches from the server at a time (memory stays at about this many).
    public var scanBatch: Int
    /// Where read transactions run: the primary, or a streaming replica (a hot standby) to take
    /// scans off the primary. Audit entries of sensitive reads are always written to the primary.
    public var readReplica: PostgresDatabase?

    /// A configuration: no protection and no audit unless given, every kind unpartitioned.
    public init(
        protection: RecordProtection? = nil,
        audit: StoreAuditing? = nil,
        partitionedByDistrict: [String: String] = [:],
        scanBatch: Int = 2_000,
        readReplica: PostgresDatabase? = nil
    ) {
        self.protection = protection
        self.audit = audit
        self.partitionedByDistrict = partitionedByDistrict
        self.scanBatch = scanBatch
        self.readReplica = readReplica
    }
}

/// The record store on PostgreSQL: the same port, the same rows and the same audit trail as
/// the SQLite store, for a department whose store several processes share.
///
/// Any ``SocietyCore/StorableRecord`` is kept in its kind's table in the department's schema (see
/// ``PostgresDatabase``), created on the first write of the kind; sensitive fields are sealed,
/// and sensitive keys and searchable indexes are keyed hashes, with the same bytes the SQLite
/// store writes. Writes are serialised per department by a transaction-scoped advisory lock, so
/// that processes sharing the store behave as one writer (a read-modify-write in a transaction
/// never loses an update); reads run concurrently in `REPEATABLE READ` snapshots. Changes are
/// audited in the writing transaction; sensitive reads right after the read, before it returns.
///
/// ```swift
/// let database = try PostgresDatabase(location: try PostgresLocation(url), schema: "civil_affairs")
/// let store = try await PostgresRecordStore(database: database, configuration: configuration)
/// try await store.write(purpose: registration) { db in try await db.put(resident) }
/// ```
public final class PostgresRecordStore: RecordStore {
    /// The department's schema on the primary.
    public let database: PostgresDatabase
    /// The settings the store was opened with.
    public let configuration: PostgresStoreConfiguration
    /// The store's audit log (in the same schema), present when the store has protection.
    public let auditLog: PostgresAuditLog?
    let context: PostgresStoreContext

    /// The store's own tables.
    static let migrations = [
        PostgresMigration(
            "store-1",
            [
                """
                CREATE TABLE {schema}.ds_kinds (kind TEXT PRIMARY KEY, partition_index TEXT,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """
            ]
        )
    ]

    /// Opens the store in `database`'s schema, creating the schema and the store's tables when
    /// missing (and the audit log's, when `configuration` has protection).
    public init(database: PostgresDatabase, configuration: PostgresStoreConfiguration) async throws {
        if configuration.audit != nil, configuration.protection == nil {
            throw PostgresStoreError(
                .invalidName,
                "an audited store needs protection (audit subjects are keyed hashes)"
            )
        }
        for (kind, index) in configuration.partitionedByDistrict {
            try RecordLayout.validate(kind)
            try RecordLayout.validate(index)
        }
        try await database.migrate("store", Self.migrations)
        self.database = database
        self.configuration = configuration
        if let protection = configuration.protection {
            auditLog = try await PostgresAuditLog(
                database: database,
                origin: configuration.audit?.origin ?? "digitalsociety/\(database.schema)",
                digest: protection.profile.digest,
                crypto: protection.crypto
            )
        } else {
            auditLog = nil
        }
        context = PostgresStoreContext(
            schema: database.schema,
            protector: configuration.protection.map(FieldProtector.init),
            auditing: configuration.protection == nil ? nil : configuration.audit,
            partitioning: configuration.partitionedByDistrict,
            scanBatch: max(16, configuration.scanBatch),
            writerLock: database.lockKey("writer")
        )
    }

    // MARK: RecordStore

    /// Runs `body` in a `REPEATABLE READ, READ ONLY` transaction (on the replica when one is
    /// configured): one consistent snapshot, concurrently with writers. Reads of sensitive
    /// records are audited on the primary after `body` returns and before this returns.
    public func read<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T {
        let source = configuration.readReplica ?? database
        let (result, pending) = try await run(on: source, writable: false, purpose: purpose) { handle in
            try await body(handle)
        }
        if !pending.isEmpty, let auditLog { try await auditLog.append(pending) }
        return result
    }

    /// Runs `body` in one write transaction, after every other writer of this department (in any
    /// process) has finished: committed with its audit entries when it returns, rolled back with
    /// nothing left behind when it throws.
    public func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T {
        try await run(on: database, writable: true, purpose: purpose) { handle in try await body(handle) }.0
    }

    /// One transaction on a connection leased from `source`, run in the caller's task. The
    /// closure's own errors come back as they were thrown; PostgreSQL's as ``PostgresStoreError``.
    /// Each statement is bounded by the server's `statement_timeout` (the database's time limit).
    private func run<T: Sendable>(
        on source: PostgresDatabase,
        writable: Bool,
        purpose: Purpose?,
        _ body: @Sendable (PostgresRecordTransaction) async throws -> T
    ) async throws -> (T, [AuditEntry]) {
        let lease = try await source.lease()
        defer { lease.release() }
        let session = lease.session
        let handle = PostgresRecordTransaction(session: session, context: context, writable: writable, purpose: purpose)
        defer { handle.invalidate() }
        try await session.rows(writable ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        do {
            if writable { try await session.rows("SELECT pg_advisory_xact_lock($1)", [.integer(context.writerLock)]) }
            let result = try await body(handle)
            let pending = handle.takePendingAudit()
            if writable, !pending.isEmpty, let auditLog {
                _ = try await auditLog.appender(for: pending)(session)
            }
            try await session.rows("COMMIT")
            handle.committed()
            return (result, writable ? [] : pending)
        } catch {
            handle.invalidate()
            do {
                try await session.rows("ROLLBACK")
            } catch {
                // A connection that cannot roll back must not go back to the pool with a
                // transaction open.
                try? await session.connection.close()
            }
            throw error
        }
    }

    /// Loads `records()` in one transaction (all or nothing): rows are prepared in chunks and sent
    /// as arrays, many rows per statement. Returns how many records were put.
    public func loadInBulk<Records: Sequence>(
        _ records: @escaping @Sendable () -> Records,
        purpose: Purpose?,
        progress: ProgressHandler?
    ) async throws -> Int where Records.Element: StorableRecord {
        // As an existential, so that the transaction's closure captures no generic metatype.
        let loader: any TransactionLoad = BulkLoader(records: records, progress: progress)
        return try await run(on: database, writable: true, purpose: purpose) { handle in
            try await loader.load(into: handle)
        }.0
    }
}

/// A bulk load's input, carried into the transaction. `@unchecked Sendable` because only the
/// record sequence's metatype is not known to be Sendable: `records` is a `@Sendable` closure and
/// is called once, inside the transaction.
private protocol TransactionLoad: Sendable {
    func load(into handle: PostgresRecordTransaction) async throws -> Int
}

private struct BulkLoader<Records: Sequence>: TransactionLoad, @unchecked Sendable
where Records.Element: StorableRecord {
    let records: @Sendable () -> Records
    let progress: ProgressHandler?

    func load(into handle: PostgresRecordTransaction) async throws -> Int {
        try await handle.load(records(), progress: progress)
    }
}

extension PostgresRecordStore: BulkLoadingStore {}

/// What every transaction of a store shares.
final class PostgresStoreContext: Sendable {
    let schema: String
    let protector: FieldProtector?
    let auditing: StoreAuditing?
    let partitioning: [String: String]
    let scanBatch: Int
    let writerLock: Int64
    /// Kind tables known to exist with every index column (committed), by record type.
    let known = Mutex<[ObjectIdentifier: KindTable]>([:])

    init(
        schema: String,
        protector: FieldProtector?,
        auditing: StoreAuditing?,
        partitioning: [String: String],
        scanBatch: Int,
        writerLock: Int64
    ) {
        self.schema = schema
        self.protector = protector
        self.auditing = auditing
        self.partitioning = partitioning
        self.scanBatch = scanBatch
        self.writerLock = writerLock
    }
}
