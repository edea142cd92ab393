import Foundation
import SocietyCore

/// The handle an async transaction's closure receives: the port's view of one ``Database``.
///
/// Every operation runs on ``SQLiteExecutor``'s threads while the calling task suspends.
/// `@unchecked Sendable` because the wrapped `Database` (and a scan's cursor) are not: every use
/// of them happens inside ``perform(_:)``, with `lock` held, so one operation runs at a time even if
/// the closure hands the handle to child tasks. The lock is never held across an `await`: a scan's
/// `body` runs between batches, unlocked, and may use the handle itself.
final class SQLiteTransaction: RecordWriting, @unchecked Sendable {
    /// How many records a scan decodes per hop to the executor.
    static let scanBatch = 256

    private let lock = NSLock()
    private let database: Database

    init(_ database: Database) { self.database = database }

    /// Ends the transaction: the handle throws from now on.
    func end() { lock.withLock { database.invalidate() } }

    /// Runs `work` on the database, on the executor's threads, one operation at a time.
    func perform<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await SQLiteExecutor.shared.perform { [self] in try lock.withLock { try work(database) } }
    }

    func get<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Record? {
        try await perform { db in try db.get(type, key: key) }
    }

    func fetch<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> [Record] {
        try await perform { db in try db.fetch(query) }
    }

    func count<Record: StorableRecord>(_ query: RecordQuery<Record>) async throws -> Int {
        try await perform { db in try db.count(query) }
    }

    /// Streams the matching records in batches of ``scanBatch``: one hop to the executor per
    /// batch, and the same read-ahead decoding as the synchronous scan.
    func forEach<Record: StorableRecord>(
        _ query: RecordQuery<Record>,
        _ body: (Record) async throws -> Bool
    ) async throws {
        let cursor = try await perform { db in CursorBox(try db.scan(query)) }
        do {
            while true {
                let batch = try await perform { _ in try cursor.take(SQLiteTransaction.scanBatch) }
                for record in batch {
                    guard try await body(record) else {
                        try await perform { _ in cursor.close() }
                        return
                    }
                }
                guard batch.count == SQLiteTransaction.scanBatch else { break }
            }
        } catch {
            _ = try? await perform { _ in cursor.close() }
            throw error
        }
        try await perform { _ in cursor.close() }
    }

    func put<Record: StorableRecord>(_ record: Record) async throws {
        try await perform { db in try db.put(record) }
    }

    @discardableResult
    func delete<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Bool {
        try await perform { db in try db.delete(type, key: key) }
    }

    func put<Records: Sequence & Sendable>(contentsOf records: Records) async throws
    where Records.Element: StorableRecord {
        try await perform { db in try db.put(contentsOf: records) }
    }

    func appendAudit(_ entry: AuditEntry) async throws {
        try await perform { db in try db.appendAudit(entry) }
    }
}

/// A scan's cursor, carried between the executor's threads.
///
/// `@unchecked Sendable` because it is only used inside ``SQLiteTransaction/perform(_:)``, with
/// the transaction's lock held.
final class CursorBox<Record: StorableRecord>: @unchecked Sendable {
    private let cursor: ScanCursor<Record>
    init(_ cursor: ScanCursor<Record>) { self.cursor = cursor }

    /// Up to `count` next records.
    func take(_ count: Int) throws -> [Record] {
        var records: [Record] = []
        records.reserveCapacity(count)
        while records.count < count, let record = try cursor.next() { records.append(record) }
        return records
    }

    func close() { cursor.close() }
}
