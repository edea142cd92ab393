import Foundation
public import SocietyCore
import SocietyRecordFormat

/// What ``SQLiteStore/load(_:purpose:batchSize:)`` did.
public struct LoadSummary: Sendable, Hashable, CustomStringConvertible {
    /// The record kind loaded.
    public let kind: String
    /// How many records the input held.
    public let loaded: Int
    /// Rows superseded by a later record with the same key (a duplicate in the input, or a record
    /// stored before the load): the effect ``Database/put(_:)`` has on each of them.
    public let replaced: Int
    /// How many records of the kind are stored after the load.
    public let stored: Int
    /// How many transactions wrote the rows (the index build is one more).
    public let batches: Int

    /// A summary with these figures.
    public init(kind: String, loaded: Int, replaced: Int, stored: Int, batches: Int) {
        self.kind = kind
        self.loaded = loaded
        self.replaced = replaced
        self.stored = stored
        self.batches = batches
    }

    /// `loaded 1000000 resident in 100 batches (0 replaced, 1000000 stored)`.
    public var description: String {
        "loaded \(loaded) \(kind) in \(batches) batches (\(replaced) replaced, \(stored) stored)"
    }
}

extension SQLiteStore {
    /// Puts every record of `records`, with the effect of ``Database/put(_:)`` on each in order —
    /// the last record with a given key wins — several times faster than batched puts for a
    /// large input, such as the first load of a district's population.
    ///
    /// Why it is faster, and what that costs: the kind's indexes (its unique key index included)
    /// are dropped, the rows are appended in transactions of `batchSize`, and the indexes are built
    /// once at the end, where SQLite sorts instead of updating a B-tree per row. Records are
    /// encoded and sealed on one thread per core while the writer appends. Meanwhile:
    /// - the store's one writer is held for the whole load, so other writes wait for it;
    /// - readers see the batches already written, but queries by index and by key scan the
    ///   table, and a key loaded twice may show either record until the load ends.
    ///
    /// A load is all or nothing. If a record cannot be encoded or a batch cannot be written, the
    /// rows of the load are deleted, the indexes rebuilt, and the error thrown; if the process
    /// dies during a load, the next ``SQLiteStore/init(path:configuration:)`` does the same
    /// before anything else can use the file. When the store is audited, every record gets its
    /// `put` entry in the batch that writes it, and an undone load a `load.rollback` entry.
    ///
    /// A table created by an earlier version of the SDK (with its key constraint inline) cannot
    /// drop its key index: it is loaded by batched ``Database/put(contentsOf:)`` instead, with the
    /// same result, more slowly, and without the all-or-nothing guarantee (a failure keeps the
    /// batches written before it). Only one load runs on a file at a time, across processes: a
    /// second one throws ``StoreError/invalidHandle(_:)``.
    ///
    /// - Parameters:
    ///   - records: the records, iterated once on the calling thread.
    ///   - purpose: why; written into the audit entries.
    ///   - batchSize: records per transaction (at least 1).
    ///   - progress: told the number of records loaded after each committed batch.
    @discardableResult
    public func load<Records: Sequence>(
        _ records: Records,
        purpose: Purpose? = nil,
        batchSize: Int = 10_000,
        progress: ProgressHandler? = nil
    ) throws -> LoadSummary where Records.Element: StorableRecord {
        try performLoad(
            Records.Element.self,
            purpose: purpose,
            batchSize: batchSize,
            total: records.underestimatedCount > 0 ? records.underestimatedCount : nil,
            progress: progress,
            byPuts: { schema, batchSize, connection in
                try loadByPuts(records, schema: schema, purpose: purpose, batchSize: batchSize, connection)
            },
            chunks: { schema in chunks(of: records, schema: schema) }
        )
    }

    /// ``load(_:purpose:batchSize:)`` for a collection the preparing threads can slice
    /// themselves (an array, say): the calling thread then only writes rows, never touching a
    /// record, which keeps each record's memory on the core that encodes it.
    @discardableResult
    public func load<Records: RandomAccessCollection & Sendable>(
        _ records: Records,
        purpose: Purpose? = nil,
        batchSize: Int = 10_000,
        progress: ProgressHandler? = nil
    ) throws -> LoadSummary where Records.Element: StorableRecord, Records.Index: Sendable {
        try performLoad(
            Records.Element.self,
            purpose: purpose,
            batchSize: batchSize,
            total: records.count,
            progress: progress,
            byPuts: { schema, batchSize, connection in
                try loadByPuts(records, schema: schema, purpose: purpose, batchSize: batchSize, connection)
            },
            chunks: { schema in slices(of: records, schema: schema) }
        )
    }

    private func performLoad<Record: StorableRecord>(
        _ type: Record.Type,
        purpose: Purpose?,
        batchSize: Int,
        total: Int?,
        progress: ProgressHandler?,
        byPuts: (KindSchema, Int, Connection) throws -> LoadSummary,
        chunks: (KindSchema) -> () -> BackgroundWork<PreparedChunk>?
    ) throws -> LoadSummary {
        let batchSize = max(1, batchSize)
        return try withWriter { connection in
            let schema = try transaction(connection) { () throws -> KindSchema in
                let db = Database(connection: connection, context: context, writable: true, purpose: purpose)
                defer { db.invalidate() }
                guard let schema = try db.schema(Record.self) else {
                    throw StoreError.invalidHandle("the writer cannot create \(Record.recordKind)")
                }
                return schema
            }
            guard let lock = LoadLock(path: path) else {
                throw StoreError.invalidHandle("another bulk load is running on this file")
            }
            defer { lock.release() }
            // With the lock held, a load the file still records was left by a loader that died
            // after this store opened it: undo it first, which also restores its key index.
            _ = try transaction(connection) { try BulkLoad.finish(schema.table, connection, undo: true, context) }
            guard try BulkLoad.hasKeyIndex(schema, connection) else {
                return try byPuts(schema, batchSize, connection)
            }
            try transaction(connection) { try BulkLoad.begin(schema, connection) }
            var loaded = 0
            var batches = 0
            do {
                try appendChunks(
                    purpose: purpose,
                    batchSize: batchSize,
                    connection,
                    schema: schema,
                    nextChunk: chunks(schema)
                ) {
                    loaded += 1
                } committed: {
                    batches += 1
                    progress?(WorkProgress(task: "bulk load \(schema.kind)", completed: loaded, total: total))
                }
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                // Undo the load; if even that fails, the marker stays and the next open undoes it.
                _ = try? transaction(connection) { try BulkLoad.finish(schema.table, connection, undo: true, context) }
                throw error
            }
            let replaced = try transaction(connection) {
                try BulkLoad.finish(schema.table, connection, undo: false, context)
            }
            let stored = Int(try connection.scalar("SELECT count(*) FROM \(schema.table)") ?? 0)
            // The load leaves the WAL as long as the table and its indexes; its last commits have
            // queued a background checkpoint, which truncates such a WAL once all of it is in the
            // database file (BackgroundCheckpointer). Until a later write starts a WAL over,
            // every read looks each page up in it, and the file stays that large (1.3 GB of WAL
            // files after the 500,000-resident demo's loads). Truncating here instead would hold
            // the writer, and the caller, while the WAL is copied and synced.
            progress?(WorkProgress(task: "bulk load \(schema.kind)", completed: loaded, total: loaded))
            configuration.logger.info(
                "bulk load finished",
                metadata: [
                    "kind": "\(schema.kind)", "loaded": "\(loaded)", "replaced": "\(replaced)", "batches": "\(batches)",
                ]
            )
            return LoadSummary(kind: schema.kind, loaded: loaded, replaced: replaced, stored: stored, batches: batches)
        }
    }

    /// Chunks of `records` read on this thread and prepared on others.
    private func chunks<Records: Sequence>(
        of records: Records,
        schema: KindSchema
    ) -> () -> BackgroundWork<PreparedChunk>? where Records.Element: StorableRecord {
        let protector = context.protector
        let audited = context.auditing != nil && protector != nil
        var iterator = records.makeIterator()
        return {
            let chunk = Database.chunk(of: &iterator, count: BulkLoad.chunkSize)
            guard !chunk.isEmpty else { return nil }
            return BackgroundWork {
                try RowPreparer.chunk(of: chunk, schema: schema, protector: protector, audited: audited)
            }
        }
    }

    /// Chunks of `records` sliced and prepared on other threads: this thread never touches a
    /// record (and its reference-counted parts), which keeps them on the core that encodes them.
    private func slices<Records: RandomAccessCollection & Sendable>(
        of records: Records,
        schema: KindSchema
    ) -> () -> BackgroundWork<PreparedChunk>? where Records.Element: StorableRecord, Records.Index: Sendable {
        let protector = context.protector
        let audited = context.auditing != nil && protector != nil
        var start = records.startIndex
        return {
            guard start != records.endIndex else { return nil }
            let end =
                records.index(start, offsetBy: BulkLoad.chunkSize, limitedBy: records.endIndex) ?? records.endIndex
            let range = start..<end
            start = end
            return BackgroundWork {
                try RowPreparer.chunk(of: records[range], schema: schema, protector: protector, audited: audited)
            }
        }
    }

    /// Runs `body` in one write transaction on the writer connection the caller holds.
    private func transaction<T>(_ connection: Connection, _ body: () throws -> T) throws -> T {
        try connection.execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try connection.execute("COMMIT")
            return result
        } catch {
            if connection.isInTransaction { try? connection.execute("ROLLBACK") }
            connection.kinds.removeAll()
            throw error
        }
    }

    /// Appends the prepared chunks `nextChunk` hands out, in its order, in transactions of
    /// `batchSize` rows. Chunks queue up to ``BulkLoad/depth`` deep, so every core keeps
    /// preparing while this thread appends the oldest; memory stays bounded by the queue.
    private func appendChunks(
        purpose: Purpose?,
        batchSize: Int,
        _ connection: Connection,
        schema: KindSchema,
        nextChunk: () -> BackgroundWork<PreparedChunk>?,
        appended: () -> Void,
        committed: () -> Void
    ) throws {
        var inFlight: [BackgroundWork<PreparedChunk>] = []
        var head = 0
        var exhausted = false
        func refill() {
            while !exhausted, inFlight.count - head < BulkLoad.depth {
                guard let work = nextChunk() else {
                    exhausted = true
                    return
                }
                inFlight.append(work)
            }
        }
        defer { for work in inFlight[head...] { work.finish() } }
        var batch: Database?
        var inBatch = 0
        func commit() throws {
            guard let db = batch else { return }
            if !db.pendingAudit.isEmpty, let tree = context.tree {
                _ = try AuditTables.append(db.pendingAudit, connection, tree: tree)
            }
            db.invalidate()
            batch = nil
            try connection.execute("COMMIT")
            inBatch = 0
            committed()
        }
        let insert = try connection.cached(schema.insertSQL)
        let insertGroup = try connection.cached(schema.insertSQL(rows: BulkLoad.groupSize))
        refill()
        while head < inFlight.count {
            let chunk = try inFlight[head].wait()
            head += 1
            if head >= 64 {
                inFlight.removeFirst(head)
                head = 0
            }
            refill()
            var position = 0
            while position < chunk.count {
                let db: Database
                if let open = batch {
                    db = open
                } else {
                    try connection.execute("BEGIN IMMEDIATE")
                    db = Database(connection: connection, context: context, writable: true, purpose: purpose)
                    batch = db
                }
                let end = position + min(chunk.count - position, batchSize - inBatch)
                try chunk.insert(position..<end, single: insert, group: insertGroup, groupSize: BulkLoad.groupSize)
                for inserted in position..<end {
                    if let subject = chunk.row(at: inserted).auditSubject { db.audit("put", subject: subject) }
                    appended()
                }
                inBatch += end - position
                position = end
                if inBatch == batchSize { try commit() }
            }
        }
        try commit()
    }

    /// The load of a table whose key constraint is inline: batched puts.
    private func loadByPuts<Records: Sequence>(
        _ records: Records,
        schema: KindSchema,
        purpose: Purpose?,
        batchSize: Int,
        _ connection: Connection
    ) throws -> LoadSummary where Records.Element: StorableRecord {
        let before = Int(try connection.scalar("SELECT count(*) FROM \(schema.table)") ?? 0)
        var loaded = 0
        var batches = 0
        var iterator = records.makeIterator()
        while true {
            let chunk = Database.chunk(of: &iterator, count: batchSize)
            guard !chunk.isEmpty else { break }
            try transaction(connection) {
                let db = Database(connection: connection, context: context, writable: true, purpose: purpose)
                defer { db.invalidate() }
                try db.put(contentsOf: chunk)
                if !db.pendingAudit.isEmpty, let tree = context.tree {
                    _ = try AuditTables.append(db.pendingAudit, connection, tree: tree)
                }
            }
            loaded += chunk.count
            batches += 1
        }
        let stored = Int(try connection.scalar("SELECT count(*) FROM \(schema.table)") ?? 0)
        return LoadSummary(
            kind: schema.kind,
            loaded: loaded,
            replaced: before + loaded - stored,
            stored: stored,
            batches: batches
        )
    }
}

/// The steps of a bulk load that touch the schema, shared by the load and by the recovery a store
/// runs when it opens a file whose load was interrupted.
///
/// While a load runs, `ds_loads` holds one row per index the load dropped: the table, the index's
/// name and SQL, and the highest row id before the load (every row above it is the load's).
enum BulkLoad {
    static let schema = """
        CREATE TABLE IF NOT EXISTS ds_loads (tbl TEXT NOT NULL, name TEXT NOT NULL, sql TEXT NOT NULL, \
        start_id INTEGER NOT NULL, PRIMARY KEY (tbl, name)) WITHOUT ROWID
        """

    /// Records per chunk prepared on one thread, and how many chunks may wait to be appended.
    static let chunkSize = 512
    /// Rows per multi-row insert statement.
    static let groupSize = 32
    static let depth = 3 * Database.decodeParts
    /// How much of the file the index build may map.
    static let mappedBytes = 1 << 30

    static func hasKeyIndex(_ schema: KindSchema, _ connection: Connection) throws -> Bool {
        try connection.scalar(
            "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ? AND tbl_name = ?",
            [.text(schema.keyIndexName), .text(schema.table)]
        ) != nil
    }

    /// Remembers the table's indexes and where its rows end, then drops the indexes.
    static func begin(_ schema: KindSchema, _ connection: Connection) throws {
        guard try connection.scalar("SELECT 1 FROM ds_loads WHERE tbl = ?", [.text(schema.table)]) == nil else {
            throw StoreError.invalidHandle("a load of \(schema.kind) is already running")
        }
        let start = try connection.scalar("SELECT coalesce(max(id), 0) FROM \(schema.table)") ?? 0
        let indexes = try connection.rows(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            [.text(schema.table)]
        )
        for index in indexes {
            guard case .text(let name) = index[0], case .text(let sql) = index[1] else { continue }
            try connection.execute(
                "INSERT INTO ds_loads (tbl, name, sql, start_id) VALUES (?, ?, ?, ?)",
                [.text(schema.table), .text(name), .text(sql), .integer(start)]
            )
            try connection.execute("DROP INDEX \"\(name)\"")
        }
    }

    /// Ends the load of `table` inside the caller's transaction: deletes the load's rows when
    /// `undo`, otherwise every row a later one with the same key supersedes; rebuilds the dropped
    /// indexes; forgets the load. Returns how many rows were deleted.
    @discardableResult
    static func finish(_ table: String, _ connection: Connection, undo: Bool, _ context: StoreContext) throws -> Int {
        let indexes = try connection.rows("SELECT name, sql, start_id FROM ds_loads WHERE tbl = ?", [.text(table)])
        guard let first = indexes.first, case .integer(let start) = first[2] else { return 0 }
        var deleted = 0
        // Building an index reads the whole table; mapped, its pages are not copied out of the
        // page cache once per index.
        try connection.execute("PRAGMA mmap_size = \(BulkLoad.mappedBytes)")
        defer { try? connection.execute("PRAGMA mmap_size = 0") }
        if undo {
            try connection.execute("DELETE FROM \(table) WHERE id > ?", [.integer(start)])
            deleted = connection.changes
        }
        for index in indexes {
            guard case .text(let sql) = index[1] else { continue }
            do {
                try connection.execute(sql)
            } catch {
                guard !undo, error.code.primary == .constraint else { throw error }
                // Keys repeat: keep the last row of each key, as a put would, and build again.
                try connection.execute(
                    "DELETE FROM \(table) WHERE id NOT IN (SELECT max(id) FROM \(table) GROUP BY key)"
                )
                deleted += connection.changes
                try connection.execute(sql)
            }
        }
        try connection.execute("DELETE FROM ds_loads WHERE tbl = ?", [.text(table)])
        if undo, let auditing = context.auditing, let protector = context.protector, let tree = context.tree {
            let kind = String(table.dropFirst("rec_".count))
            let entry = AuditEntry(
                time: auditing.clock.now(),
                actor: auditing.actor,
                action: "load.rollback",
                subject: try protector.auditSubject(kind: kind, id: "load"),
                purpose: "",
                outcome: .failed
            )
            _ = try AuditTables.append([entry], connection, tree: tree)
        }
        return deleted
    }

    /// Undoes every load the file records as running whose loader is gone, inside the caller's
    /// transaction. A loader holds ``LoadLock`` on the file for the whole load, so a load still
    /// running in another process (or another store on the same file) is left alone.
    static func recover(_ connection: Connection, _ context: StoreContext, path: String) throws {
        let tables = try connection.rows("SELECT DISTINCT tbl FROM ds_loads")
        guard !tables.isEmpty, let lock = LoadLock(path: path) else { return }
        defer { lock.release() }
        for row in tables {
            guard case .text(let table) = row[0] else { continue }
            try finish(table, connection, undo: true, context)
        }
    }
}

/// The advisory lock (`flock`) a bulk load holds on `<database>-load` from before it drops the
/// indexes until it has rebuilt them. The kernel releases it when the loader dies, so a store that
/// finds a load recorded in the file and can take the lock knows the loader is gone; one that
/// cannot leaves the load to its loader.
///
/// The lock file exists only while the lock is held: the holder removes it before unlocking. A
/// taker that opened the file just before that removal may then get the lock on a file no longer
/// at the path, so it checks, after locking, that the path still names the file it locked, and
/// tries again when it does not.
final class LoadLock {
    private let descriptor: Int32
    private let path: String

    /// Takes the lock without waiting; `nil` when another loader holds it.
    init?(path: String) {
        let lockPath = path + "-load"
        for _ in 0..<8 {
            let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return nil }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                return nil
            }
            var locked = stat()
            var named = stat()
            if fstat(descriptor, &locked) == 0, stat(lockPath, &named) == 0,
                locked.st_ino == named.st_ino, locked.st_dev == named.st_dev
            {
                self.descriptor = descriptor
                self.path = lockPath
                return
            }
            // The previous holder removed the file between our open and our lock: start again.
            close(descriptor)
        }
        return nil
    }

    /// Removes the lock file, then releases the lock.
    func release() {
        unlink(path)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension PreparedRow {
    /// Binds key, version, body and index values to an insert or upsert statement.
    func bind(to statement: Statement) throws {
        try statement.bind(key, at: 1)
        try statement.bind(version, at: 2)
        try statement.bind(body, at: 3)
        for (offset, value) in indexValues.enumerated() {
            try statement.bind(value, at: Int32(4 + offset))
        }
    }
}

extension SQLiteStore: BulkLoadingStore {
    /// The port's bulk path: ``load(_:purpose:batchSize:progress:)-(Records,_,_,_)``, run on a
    /// thread of its own so that the load, which blocks its thread for as long as it takes, never
    /// holds one of the cooperative pool's.
    public func loadInBulk<Records: Sequence>(
        _ records: @escaping @Sendable () -> Records,
        purpose: Purpose?,
        progress: ProgressHandler?
    ) async throws -> Int where Records.Element: StorableRecord {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result { try self.load(records(), purpose: purpose, progress: progress).loaded }
                )
            }
            thread.name = "DS.SQLite.load"
            thread.start()
        }
    }
}
