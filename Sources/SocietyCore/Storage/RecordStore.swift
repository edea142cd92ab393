/// Reads records inside a transaction. The handle is valid only inside the transaction's closure.
///
/// Every operation is `async`, so that a store on a network database answers without holding a
/// thread while it waits, and a store on a local file does its work on threads of its own rather
/// than Swift's cooperative pool. Handles are `Sendable` so that a transaction's closure may be
/// written in any isolation; a store serialises the operations of one transaction.
public protocol RecordReading: Sendable {
    /// The record of `type` with `key`, or `nil`.
    func get<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Record?

    /// The records matching `query`, in its order, at most its limit.
    func fetch<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> [Record]

    /// How many records match `query` (its order and limit are ignored).
    func count<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> Int

    /// Calls `body` with each matching record in turn, holding a bounded number of records at a
    /// time, so a scan of millions of records runs in constant memory. `body` returns `false` to
    /// stop early.
    func forEach<Record: StorableRecord>(
        _ query: RecordQuery<Record>,
        _ body: (Record) async throws -> Bool
    ) async throws
}

/// Reads and changes records inside a write transaction.
public protocol RecordWriting: RecordReading {
    /// Inserts `record`, or replaces the record of its kind with the same key.
    func put<Record: StorableRecord>(_ record: Record) async throws

    /// Removes the record of `type` with `key`; returns whether there was one.
    @discardableResult
    func delete<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Bool

    /// Puts every record of `records`, in order, as ``put(_:)`` would one by one: for bulk loads,
    /// which an adapter may speed up (the SQLite store encodes and seals on other threads while it
    /// inserts). If it throws, the records before the failing one may have been put; the
    /// transaction's rollback removes them.
    func put<Records: Sequence & Sendable>(contentsOf records: Records) async throws
    where Records.Element: StorableRecord

    /// Appends `entry` to the store's audit log with this transaction's changes (for exchanges
    /// and other events the caller audits itself): it commits with them or not at all. A store
    /// without an audit log ignores it.
    func appendAudit(_ entry: AuditEntry) async throws
}

extension RecordWriting {
    /// Calls ``put(_:)`` for each record: the default for adapters without a faster bulk path.
    public func put<Records: Sequence & Sendable>(contentsOf records: Records) async throws
    where Records.Element: StorableRecord {
        for record in records { try await put(record) }
    }
}

/// A transactional record store: the storage port that services receive.
///
/// A write is one transaction: if `body` throws, nothing it did remains. Reads see one consistent
/// state. A transaction opened with a `purpose` may read sensitive fields, and that access is
/// audited; without one, reading a record with sensitive fields fails with
/// ``StoreError/purposeRequired(kind:field:)``.
///
/// The transaction's closure is `@Sendable` and its result `Sendable`: a store may run it on a
/// thread or connection of its own (the SQLite store runs it on its own executor, a PostgreSQL
/// store on a pooled connection). Return what the closure computed instead of assigning to
/// captured variables.
///
/// ```swift
/// let card = try await store.write(purpose: OneCardService.Purposes.cards) { db in
///     guard var card = try await db.get(SocialSecurityCard.self, key: RecordKey(id)) else { throw … }
///     try card.apply(.activate)
///     try await db.put(card)
///     return card
/// }
/// ```
public protocol RecordStore: Sendable {
    /// Runs `body` in a read transaction.
    func read<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws -> T

    /// Runs `body` in a write transaction, committed when it returns and rolled back if it throws.
    func write<T: Sendable>(
        purpose: Purpose?,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws -> T
}
