import Foundation
import SocietyCore

/// The handle an async transaction's closure receives: the port's view of one ``Database``.
///
/// `@unchecked Sendable` because the wrapped `Database` is not: every use of it happens with
/// `lock` held, so one operation runs at a time even if the closure hands the handle to child
/// tasks, and a scan's cursor is advanced under the same lock. The lock is never held across an
/// `await`: a scan's `body` runs between steps, unlocked, and may use the handle itself.
final class SQLiteTransaction: RecordWriting, @unchecked Sendable {
    private let lock = NSLock()
    private let database: Database

    init(_ database: Database) { self.database = database }

    /// Ends the transaction: the handle throws from now on.
    func end() { lock.withLock { database.invalidate() } }

    func get<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Record? {
        try lock.withLock { try database.get(type, key: key) }
    }

    func fetch<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> [Record] {
        try lock.withLock { try database.fetch(query) }
    }

    func count<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> Int {
        try lock.withLock { try database.count(query) }
    }

    func forEach<Record: StorableRecord>(
        _ query: RecordQuery<Record>,
        _ body: (Record) async throws -> Bool
    ) async throws {
        let cursor = try lock.withLock { try database.scan(query) }
        do {
            while let record = try lock.withLock({ try cursor.next() }) {
                guard try await body(record) else { break }
            }
        } catch {
            lock.withLock { cursor.close() }
            throw error
        }
        lock.withLock { cursor.close() }
    }

    func put<Record: StorableRecord>(_ record: Record) async throws {
        try lock.withLock { try database.put(record) }
    }

    @discardableResult
    func delete<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Bool {
        try lock.withLock { try database.delete(type, key: key) }
    }

    func put<Records: Sequence & Sendable>(contentsOf records: Records) async throws
    where Records.Element: StorableRecord {
        try lock.withLock { try database.put(contentsOf: records) }
    }

    func appendAudit(_ entry: AuditEntry) async throws {
        try lock.withLock { try database.appendAudit(entry) }
    }
}
