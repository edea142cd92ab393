import Foundation
import SocietyCore

/// The handle of one in-memory transaction: a private copy of the tables and the audit entries
/// it queued.
///
/// `@unchecked Sendable` because every stored property that changes (`tables`, `pending`,
/// `isOpen`) is read and written only while `lock` is held; the handle may be used from any
/// task, one operation at a time.
final class InMemoryTransaction: RecordWriting, @unchecked Sendable {
    private let lock = NSLock()
    private var tables: Tables
    private var pending: [AuditEntry] = []
    private var isOpen = true
    private let purpose: Purpose?
    private let writable: Bool
    private let store: InMemoryStore

    init(tables: Tables, purpose: Purpose?, writable: Bool, store: InMemoryStore) {
        self.tables = tables
        self.purpose = purpose
        self.writable = writable
        self.store = store
    }

    /// Ends the transaction: later use of the handle throws.
    func end() { lock.withLock { isOpen = false } }

    /// The tables and audit entries to commit.
    var outcome: (Tables, [AuditEntry]) { lock.withLock { (tables, pending) } }

    /// The audit entries queued by a read.
    var pendingAudit: [AuditEntry] { lock.withLock { pending } }

    private func locked<T>(writing: Bool = false, _ body: () throws -> T) throws -> T {
        try lock.withLock {
            guard isOpen else { throw StoreError.invalidHandle("the transaction has ended") }
            if writing, !writable { throw StoreError.invalidHandle("writing in a read transaction") }
            return try body()
        }
    }

    private func audit(_ action: String, kind: String, id: String, outcome: AuditOutcome = .success) throws {
        if let entry = try store.auditEntry(action, kind: kind, id: id, purpose: purpose, outcome: outcome) {
            pending.append(entry)
        }
    }

    private func requirePurpose<Record: StorableRecord>(_ type: Record.Type) throws {
        if purpose == nil, let field = Record.sensitiveFields.sorted().first {
            throw StoreError.purposeRequired(kind: Record.recordKind, field: field)
        }
    }

    // MARK: RecordWriting

    func put<Record: StorableRecord>(_ record: Record) async throws {
        try locked(writing: true) {
            let schema = try InMemorySchema(Record.self)
            let key = record.recordKey
            let body: Data
            do {
                body = try JSONEncoder().encode(record)
            } catch {
                throw StoreError.unencodable(kind: schema.kind, reason: "\(error)")
            }
            var index: [String: IndexValue] = [:]
            for declared in Record.indexes { index[declared.name] = declared.value(record) }
            var table = tables.kinds[schema.kind] ?? [:]
            let sequence = table[key.value]?.sequence ?? tables.nextSequence
            if table[key.value] == nil { tables.nextSequence += 1 }
            table[key.value] = StoredRecord(
                sequence: sequence,
                version: Record.schemaVersion,
                body: body,
                index: index,
                key: key
            )
            tables.kinds[schema.kind] = table
            try audit("put", kind: schema.kind, id: key.value)
        }
    }

    @discardableResult
    func delete<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Bool {
        try locked(writing: true) {
            let schema = try InMemorySchema(Record.self)
            let removed = tables.kinds[schema.kind]?.removeValue(forKey: key.value) != nil
            try audit("delete", kind: schema.kind, id: key.value, outcome: removed ? .success : .failed)
            return removed
        }
    }

    func appendAudit(_ entry: AuditEntry) async throws {
        try locked { pending.append(entry) }
    }

    // MARK: RecordReading

    func get<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Record? {
        try locked {
            try requirePurpose(Record.self)
            let schema = try InMemorySchema(Record.self)
            guard let stored = tables.kinds[schema.kind]?[key.value] else { return nil }
            let record = try schema.decode(Record.self, stored)
            if !Record.sensitiveFields.isEmpty { try audit("read", kind: schema.kind, id: key.value) }
            return record
        }
    }

    func fetch<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> [Record] {
        var records: [Record] = []
        try await forEach(query) { record in
            records.append(record)
            return true
        }
        return records
    }

    func count<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> Int {
        try locked {
            let schema = try InMemorySchema(Record.self)
            var unlimited = query
            unlimited.limit = nil
            unlimited.order = .unspecified
            return try schema.matching(unlimited, in: tables.kinds[schema.kind] ?? [:]).count
        }
    }

    /// Decodes the matching records one at a time from the snapshot taken when the scan began, so
    /// `body` may change the table (in a write transaction) without disturbing the scan.
    func forEach<Record: StorableRecord>(
        _ query: RecordQuery<Record>,
        _ body: (Record) async throws -> Bool
    ) async throws {
        let (schema, rows) = try locked {
            try requirePurpose(Record.self)
            let schema = try InMemorySchema(Record.self)
            let rows = try schema.matching(query, in: tables.kinds[schema.kind] ?? [:])
            if !Record.sensitiveFields.isEmpty {
                try audit("read.query", kind: schema.kind, id: "query:\(query.field ?? "*")")
            }
            return (schema, rows)
        }
        for row in rows {
            let record = try schema.decode(Record.self, row)
            guard try await body(record) else { return }
        }
    }
}
