import Foundation
public import SocietyCore
import SocietyRecordFormat

/// The handle a synchronous transaction's closure receives: records and raw SQL on one
/// connection (the async port's handle wraps one of these).
///
/// Deliberately not Sendable, and valid only inside the closure it was passed to: the store
/// serialises each connection, and a handle used after its transaction ended throws
/// ``StoreError/invalidHandle(_:)``.
public final class Database {
    let connection: Connection
    let context: StoreContext
    /// Whether this is a write transaction.
    public let isWritable: Bool
    /// The purpose the transaction was opened with; sensitive fields are readable only with one.
    public let purpose: Purpose?
    private var isValid = true
    var pendingAudit: [AuditEntry] = []

    init(connection: Connection, context: StoreContext, writable: Bool, purpose: Purpose?) {
        self.connection = connection
        self.context = context
        self.isWritable = writable
        self.purpose = purpose
    }

    func invalidate() { isValid = false }

    private func checkValid(writing: Bool = false) throws {
        guard isValid else { throw StoreError.invalidHandle("the transaction has ended") }
        if writing, !isWritable { throw StoreError.invalidHandle("writing in a read transaction") }
    }

    // MARK: Raw SQL

    /// Runs one SQL statement with `arguments` bound to its `?` parameters (for migrations and
    /// tools; records go through ``put(_:)`` and the queries).
    public func execute(_ sql: String, arguments: [SQLiteValue] = []) throws {
        try checkValid()
        if arguments.isEmpty {
            try connection.execute(sql)
        } else {
            try connection.execute(sql, arguments)
        }
    }

    /// Every row of one SQL query, as values.
    public func rows(_ sql: String, arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        try checkValid()
        return try connection.rows(sql, arguments)
    }

    // MARK: Schema

    /// The kind's table on this connection, created (and its indexes added) on first use by a writer.
    func schema<Record: StorableRecord>(_ type: Record.Type) throws -> KindSchema? {
        if let known = connection.kinds[ObjectIdentifier(Record.self)] { return known }
        let schema = try KindSchema(type)
        if !schema.sensitiveIndexes.isEmpty || !Record.sensitiveFields.isEmpty, context.protector == nil {
            throw StoreError.protectionRequired(kind: schema.kind)
        }
        guard try connection.tableExists(schema.table) else {
            guard isWritable else { return nil }
            try connection.execute(schema.createSQL)
            try connection.execute(schema.createKeyIndexSQL)
            for name in schema.indexNames { try connection.execute(schema.createIndexSQL(name)) }
            connection.kinds[ObjectIdentifier(Record.self)] = schema
            return schema
        }
        let columns = Set(
            try connection.rows("SELECT name FROM pragma_table_info(?)", [.text(schema.table)]).compactMap {
                row -> String? in
                if case .text(let name) = row.first { return name }
                return nil
            }
        )
        let missing = schema.indexNames.filter { !columns.contains(KindSchema.column($0)) }
        if !missing.isEmpty {
            // An index declared after records were stored: the next writer adds the column and
            // fills it; until then a reader can still read by key and by the existing indexes.
            guard isWritable else { return schema }
            for name in missing {
                try connection.execute("ALTER TABLE \(schema.table) ADD COLUMN \(KindSchema.column(name))")
                try connection.execute(schema.createIndexSQL(name))
            }
            connection.kinds[ObjectIdentifier(Record.self)] = schema
            try backfill(Record.self, schema: schema)
            return schema
        }
        connection.kinds[ObjectIdentifier(Record.self)] = schema
        return schema
    }

    private func backfill<Record: StorableRecord>(_ type: Record.Type, schema: KindSchema) throws {
        var rows: [(Int64, Record)] = []
        let statement = try connection.cached("SELECT id, key, version, body FROM \(schema.table)")
        defer { statement.reset() }
        while try statement.step() {
            let record = try decodeRow(
                Record.self,
                rowKey: statement.blob(1),
                version: statement.int64(2),
                body: statement.blob(3),
                allowSensitive: true
            )
            rows.append((statement.int64(0), record))
        }
        let assignments = schema.indexNames.map { "\(KindSchema.column($0)) = ?" }.joined(separator: ", ")
        for (id, record) in rows {
            let values = try indexValues(record, schema: schema)
            try connection.execute("UPDATE \(schema.table) SET \(assignments) WHERE id = ?", values + [.integer(id)])
        }
    }

    // MARK: Keys and values

    /// The row key to bind and its bytes (what sealed fields are bound to): the key's text, or
    /// its keyed hash for a sensitive key.
    static func rowKey(
        _ key: RecordKey,
        kind: String,
        protector: FieldProtector?
    ) throws -> (SQLiteValue, [UInt8]) {
        guard key.isSensitive else { return (.text(key.value), Array(key.value.utf8)) }
        guard let protector else { throw StoreError.protectionRequired(kind: kind) }
        let hash = try protector.keyedHash(domain: "key", kind: kind, name: "", value: key.value.utf8)
        return (.blob(hash), hash)
    }

    private func rowKey<Record: StorableRecord>(_ key: RecordKey, of type: Record.Type) throws -> (SQLiteValue, [UInt8])
    {
        try Database.rowKey(key, kind: Record.recordKind, protector: context.protector)
    }

    static func indexValues<Record: StorableRecord>(
        _ record: Record,
        kind: String,
        protector: FieldProtector?
    ) throws -> [SQLiteValue] {
        try Record.indexes.map { index in
            guard let value = index.value(record) else { return .null }
            return try bindable(
                value,
                index: index.name,
                sensitive: index.isSensitive,
                kind: kind,
                protector: protector
            )
        }
    }

    private func indexValues<Record: StorableRecord>(_ record: Record, schema: KindSchema) throws -> [SQLiteValue] {
        try Database.indexValues(record, kind: schema.kind, protector: context.protector)
    }

    static func bindable(
        _ value: IndexValue,
        index: String,
        sensitive: Bool,
        kind: String,
        protector: FieldProtector?
    ) throws -> SQLiteValue {
        if sensitive {
            guard let protector else { throw StoreError.protectionRequired(kind: kind) }
            return .blob(try protector.keyedHash(domain: "index", kind: kind, name: index, value: value.canonicalBytes))
        }
        return switch value {
        case .integer(let v): .integer(v)
        case .real(let v): .real(v)
        case .text(let v): .text(v)
        }
    }

    private func bindable(_ value: IndexValue, index: String, sensitive: Bool, kind: String) throws -> SQLiteValue {
        try Database.bindable(value, index: index, sensitive: sensitive, kind: kind, protector: context.protector)
    }

    static func describe(rowKey: [UInt8], sensitive: Bool) -> String {
        StoredRecord.describe(rowKey: rowKey, sensitive: sensitive)
    }

    private func decodeRow<Record: StorableRecord>(
        _ type: Record.Type,
        rowKey: [UInt8],
        version: Int64,
        body: [UInt8],
        allowSensitive: Bool
    ) throws -> Record {
        try Database.decodeRow(
            Record.self,
            rowKey: rowKey,
            version: version,
            body: body,
            protector: allowSensitive ? context.protector : nil
        )
    }

    /// Decodes one stored row: `protector` is `nil` when sealed fields may not be opened. Touches
    /// no connection, so scans run it on other threads.
    static func decodeRow<Record: StorableRecord>(
        _ type: Record.Type,
        rowKey: [UInt8],
        version: Int64,
        body: [UInt8],
        protector: FieldProtector?
    ) throws -> Record {
        try decodeRow(Record.self, rowKey: rowKey, version: version, body: body, opener: protector.map(RowOpener.init))
    }

    /// Decodes one stored row with `opener` (`nil` when sealed fields may not be opened); a scan
    /// keeps one opener per chunk.
    static func decodeRow<Record: StorableRecord>(
        _ type: Record.Type,
        rowKey: [UInt8],
        version: Int64,
        body: [UInt8],
        opener rowOpener: RowOpener?
    ) throws -> Record {
        try StoredRecord.decode(Record.self, rowKey: rowKey, version: version, body: body, opener: rowOpener)
    }

    private func requirePurpose<Record: StorableRecord>(_ type: Record.Type) throws {
        if purpose == nil, let field = Record.sensitiveFields.sorted().first {
            throw StoreError.purposeRequired(kind: Record.recordKind, field: field)
        }
    }

    // MARK: Audit

    /// Queues an audit entry about record `id` of `kind`, written in this transaction (a write)
    /// or right after it (a read). Does nothing when the store is not audited.
    func audit(_ action: String, kind: String, id: String, outcome: AuditOutcome = .success) throws {
        guard context.auditing != nil, let protector = context.protector else { return }
        audit(action, subject: try protector.auditSubject(kind: kind, id: id), outcome: outcome)
    }

    /// Queues an audit entry whose subject hash is already computed.
    func audit(_ action: String, subject: [UInt8], outcome: AuditOutcome = .success) {
        guard let auditing = context.auditing else { return }
        pendingAudit.append(
            AuditEntry(
                time: auditing.clock.now(),
                actor: auditing.actor,
                action: action,
                subject: subject,
                purpose: purpose,
                outcome: outcome
            )
        )
    }

    /// Appends an audit entry in this transaction (for exchanges and other events the caller
    /// audits itself); a read transaction appends it right after the read.
    public func appendAudit(_ entry: AuditEntry) throws {
        try checkValid()
        pendingAudit.append(entry)
    }

    // MARK: Records

    /// Inserts `record`, or replaces the record of its kind with the same key; sensitive fields
    /// are sealed, and the change is audited when the store is.
    public func put<Record: StorableRecord>(_ record: Record) throws {
        try checkValid(writing: true)
        guard let schema = try schema(Record.self) else { return }
        let preparer = RowPreparer<Record>(
            schema: schema,
            protector: context.protector,
            audited: context.auditing != nil && context.protector != nil
        )
        try insert(preparer.prepare(record), schema: schema)
    }

    /// Puts every record of `records`, in order, with the effect of ``put(_:)`` on each, faster:
    /// records are encoded, sealed and hashed in chunks on a second thread while this one inserts
    /// the previous chunk. If a record cannot be put, the error is thrown once the records before
    /// it are inserted (the transaction's rollback removes them).
    ///
    /// `Records` is iterated on the calling thread; the records themselves (which are `Sendable`)
    /// are encoded on the other.
    public func put<Records: Sequence>(contentsOf records: Records) throws where Records.Element: StorableRecord {
        try checkValid(writing: true)
        guard let schema = try schema(Records.Element.self) else { return }
        let protector = context.protector
        let audited = context.auditing != nil && protector != nil
        let preparer = RowPreparer<Records.Element>(schema: schema, protector: protector, audited: audited)
        var iterator = records.makeIterator()
        // A short first chunk starts the overlap early; small inputs never leave this thread.
        var chunk = Database.chunk(of: &iterator, count: Database.firstChunk)
        guard chunk.count == Database.firstChunk else {
            for record in chunk { try insert(preparer.prepare(record), schema: schema) }
            return
        }
        func prepare(_ chunk: [Records.Element]) -> BackgroundWork<[PreparedRow]> {
            BackgroundWork {
                let local = RowPreparer<Records.Element>(
                    schema: schema,
                    protector: protector,
                    audited: audited,
                    isolated: true
                )
                return try chunk.map(local.prepare)
            }
        }
        var inFlight: BackgroundWork<[PreparedRow]>? = prepare(chunk)
        defer { inFlight?.finish() }
        while let work = inFlight {
            let rows = try work.wait()
            inFlight = nil
            chunk = Database.chunk(of: &iterator, count: Database.chunkSize)
            if !chunk.isEmpty { inFlight = prepare(chunk) }
            for row in rows { try insert(row, schema: schema) }
        }
    }

    /// How many records the first chunk of a bulk put or a scan holds, and the later ones.
    static let firstChunk = 256
    static let chunkSize = 1024
    /// How many threads prepare or decode chunks at a time: one per core, at most four.
    static let decodeParts = min(max(1, ProcessInfo.processInfo.activeProcessorCount), 4)
    /// Rows per chunk a scan decodes on one thread, and how many chunks it decodes ahead.
    static let scanChunk = 512
    static let scanDepth = 3 * decodeParts

    static func chunk<I: IteratorProtocol>(of iterator: inout I, count: Int) -> [I.Element] {
        var chunk: [I.Element] = []
        chunk.reserveCapacity(count)
        while chunk.count < count, let next = iterator.next() { chunk.append(next) }
        return chunk
    }

    /// Binds and runs the upsert for one prepared record, and queues its audit entry.
    private func insert(_ row: PreparedRow, schema: KindSchema) throws {
        let statement = try connection.cached(schema.upsertSQL)
        defer { statement.reset() }
        try row.bind(to: statement)
        try statement.run()
        if let subject = row.auditSubject { audit("put", subject: subject) }
    }

    /// Removes the record of `type` with `key`; audited when the store is.
    @discardableResult
    public func delete<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) throws -> Bool {
        try checkValid(writing: true)
        guard let schema = try schema(Record.self) else { return false }
        let (keyValue, _) = try rowKey(key, of: Record.self)
        try connection.execute(schema.deleteSQL, [keyValue])
        let deleted = connection.changes > 0
        try audit("delete", kind: schema.kind, id: key.value, outcome: deleted ? .success : .failed)
        return deleted
    }

    /// The record of `type` with `key`, or `nil`. Needs a purpose if the type has sensitive fields;
    /// such a read is audited.
    public func get<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) throws -> Record? {
        try checkValid()
        try requirePurpose(Record.self)
        guard let schema = try schema(Record.self) else { return nil }
        let (keyValue, rowKey) = try rowKey(key, of: Record.self)
        let statement = try connection.cached(schema.selectByKeySQL)
        defer { statement.reset() }
        try statement.bind(keyValue, at: 1)
        guard try statement.step() else { return nil }
        let record = try decodeRow(
            Record.self,
            rowKey: rowKey,
            version: statement.int64(1),
            body: statement.blob(2),
            allowSensitive: true
        )
        if !Record.sensitiveFields.isEmpty { try audit("read", kind: schema.kind, id: key.value) }
        return record
    }

    /// The SQL and arguments for `query`'s WHERE clause.
    private func whereClause<Record: StorableRecord>(
        _ query: RecordQuery<Record>,
        schema: KindSchema
    ) throws -> (String, [SQLiteValue]) {
        guard let field = query.field else { return ("", []) }
        guard schema.indexNames.contains(field) else { throw StoreError.unknownIndex(kind: schema.kind, field: field) }
        let sensitive = schema.sensitiveIndexes.contains(field)
        let column = KindSchema.column(field)
        func value(_ v: IndexValue) throws -> SQLiteValue {
            try bindable(v, index: field, sensitive: sensitive, kind: schema.kind)
        }
        switch query.condition {
        case .any: return ("", [])
        case .equals(let v): return (" WHERE \(column) = ?", [try value(v)])
        case .among(let values):
            guard !values.isEmpty else { return (" WHERE 0", []) }
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            return (" WHERE \(column) IN (\(marks))", try values.map(value))
        case .range(let lower, let upper, let inclusive):
            guard !sensitive else {
                throw StoreError.unsupportedQuery(
                    kind: schema.kind,
                    field: field,
                    reason: "a searchable sensitive index supports equality only"
                )
            }
            var parts: [String] = []
            var arguments: [SQLiteValue] = []
            if let lower {
                parts.append("\(column) >= ?")
                arguments.append(try value(lower))
            }
            if let upper {
                parts.append("\(column) \(inclusive ? "<=" : "<") ?")
                arguments.append(try value(upper))
            }
            if parts.isEmpty { parts.append("\(column) IS NOT NULL") }
            return (" WHERE " + parts.joined(separator: " AND "), arguments)
        }
    }

    private func orderClause<Record: StorableRecord>(_ query: RecordQuery<Record>, schema: KindSchema) throws -> String
    {
        var clause = ""
        switch query.order {
        case .unspecified: break
        case .ascending(let field), .descending(let field):
            guard schema.indexNames.contains(field) else {
                throw StoreError.unknownIndex(kind: schema.kind, field: field)
            }
            guard !schema.sensitiveIndexes.contains(field) else {
                throw StoreError.unsupportedQuery(
                    kind: schema.kind,
                    field: field,
                    reason: "a searchable sensitive index cannot order results"
                )
            }
            if case .descending = query.order {
                clause = " ORDER BY \(KindSchema.column(field)) DESC, id DESC"
            } else {
                clause = " ORDER BY \(KindSchema.column(field)), id"
            }
        }
        if let limit = query.limit { clause += " LIMIT \(max(0, limit))" }
        return clause
    }

    /// The records matching `query`. Needs a purpose if the type has sensitive fields; such a query
    /// is audited once.
    public func fetch<Record: StorableRecord>(_ query: RecordQuery<Record>) throws -> [Record] {
        var records: [Record] = []
        try forEach(query) { record in
            records.append(record)
            return true
        }
        return records
    }

    /// How many records match `query`; needs no purpose, since no field is read.
    public func count<Record: StorableRecord>(_ query: RecordQuery<Record>) throws -> Int {
        try checkValid()
        guard let schema = try schema(Record.self) else { return 0 }
        let (whereSQL, arguments) = try whereClause(query, schema: schema)
        return Int(try connection.scalar("SELECT count(*) FROM \(schema.table)\(whereSQL)", arguments) ?? 0)
    }

    /// Streams the records matching `query`, one at a time, in constant memory.
    ///
    /// In a read transaction, past the first ``firstChunk`` records, records are decoded (and their
    /// sealed fields opened) in chunks on one thread per core while this one reads rows from
    /// SQLite and passes decoded records to `body`: at most a fixed number of chunks are held at a
    /// time, so memory stays constant. `body` is always called on the calling thread, in order; a
    /// record that cannot be decoded throws when its turn comes, after `body` saw the ones before it.
    public func forEach<Record: StorableRecord>(_ query: RecordQuery<Record>, _ body: (Record) throws -> Bool) throws {
        let cursor = try scan(query)
        defer { cursor.close() }
        while let record = try cursor.next() {
            guard try body(record) else { return }
        }
    }

    /// A cursor over the records matching `query`, for ``forEach(_:_:)`` and the async handle:
    /// the caller takes records with ``ScanCursor/next()`` and must ``ScanCursor/close()`` it
    /// before the transaction ends.
    func scan<Record: StorableRecord>(_ query: RecordQuery<Record>) throws -> ScanCursor<Record> {
        try checkValid()
        try requirePurpose(Record.self)
        guard let schema = try schema(Record.self) else { return ScanCursor(statement: nil, database: self) }
        let (whereSQL, arguments) = try whereClause(query, schema: schema)
        let orderSQL = try orderClause(query, schema: schema)
        if !Record.sensitiveFields.isEmpty {
            try audit("read.query", kind: schema.kind, id: "query:\(query.field ?? "*")")
        }
        let statement = try connection.cached("SELECT key, version, body FROM \(schema.table)\(whereSQL)\(orderSQL)")
        do {
            try statement.bind(arguments)
        } catch {
            statement.reset()
            throw error
        }
        return ScanCursor(statement: statement, database: self)
    }
}

/// The records of one query, read from SQLite one step at a time.
///
/// The first ``Database/firstChunk`` records are decoded on the calling thread: a short query
/// never pays for a thread hop. In a read transaction, past those, chunks of rows are decoded
/// (and their sealed fields opened) on other threads, up to ``Database/scanDepth`` chunks ahead
/// of the one being handed out, so every core keeps decoding while this thread reads rows, and
/// memory stays bounded by the queue. In a write transaction the caller may change the table
/// being read, so nothing is read ahead. Records come out in order; a record that cannot be
/// decoded throws when its turn comes, after the ones before it.
final class ScanCursor<Record: StorableRecord> {
    private let statement: Statement?
    private let database: Database
    private var decodedHere = 0
    private var inFlight: [BackgroundWork<DecodedChunk<Record>>] = []
    private var head = 0
    /// The chunk being handed out, its next record, and the error that ended it.
    private var current: [Record] = []
    private var position = 0
    private var pendingError: (any Error)?
    /// A statement stepped again after SQLITE_DONE starts over: stop reading at the first short chunk.
    private var finished = false
    private var closed = false

    init(statement: Statement?, database: Database) {
        self.statement = statement
        self.database = database
        if statement == nil { closed = true }
    }

    /// The next record, or `nil` at the end.
    func next() throws -> Record? {
        guard !closed, let statement else { return nil }
        if database.isWritable || decodedHere < Database.firstChunk {
            guard try statement.step() else {
                close()
                return nil
            }
            decodedHere += 1
            return try Database.decodeRow(
                Record.self,
                rowKey: statement.blob(0),
                version: statement.int64(1),
                body: statement.blob(2),
                protector: database.context.protector
            )
        }
        while position == current.count {
            if let error = pendingError {
                pendingError = nil
                close()
                throw error
            }
            try refill(statement)
            guard head < inFlight.count else {
                close()
                return nil
            }
            let part = try inFlight[head].wait()
            head += 1
            if head >= 64 {
                inFlight.removeFirst(head)
                head = 0
            }
            try refill(statement)
            current = part.records
            position = 0
            pendingError = part.error
        }
        defer { position += 1 }
        return current[position]
    }

    private func refill(_ statement: Statement) throws {
        let protector = database.context.protector
        while !finished, inFlight.count - head < Database.scanDepth {
            let rows = try StoredRow.chunk(from: statement, count: Database.scanChunk)
            finished = rows.count < Database.scanChunk
            guard !rows.isEmpty else { return }
            inFlight.append(BackgroundWork { DecodedChunk(rows, protector: protector) })
        }
    }

    /// Waits for decoding still in flight (no work outlives the transaction) and resets the
    /// statement. Safe to call more than once.
    func close() {
        guard !closed else { return }
        closed = true
        for work in inFlight[head...] { work.finish() }
        inFlight.removeAll()
        statement?.reset()
    }
}

/// One stored row as a scan reads it, copied out of SQLite so another thread can decode it.
struct StoredRow: Sendable {
    let key: [UInt8]
    let version: Int64
    let body: [UInt8]

    /// Up to `count` rows from a `SELECT key, version, body` statement.
    static func chunk(from statement: Statement, count: Int) throws -> [StoredRow] {
        var rows: [StoredRow] = []
        rows.reserveCapacity(count)
        while rows.count < count, try statement.step() {
            rows.append(StoredRow(key: statement.blob(0), version: statement.int64(1), body: statement.blob(2)))
        }
        return rows
    }
}

/// The records decoded from a chunk of rows, up to the first that failed, and that failure.
struct DecodedChunk<Record: StorableRecord>: Sendable {
    var records: [Record] = []
    var error: (any Error)?

    /// Decodes `rows` with a pinned copy of `protector` (see ``FieldProtector/pinned()``).
    init(_ rows: [StoredRow], protector: FieldProtector?) {
        records.reserveCapacity(rows.count)
        let opener = protector.map { RowOpener($0.pinned()) }
        for row in rows {
            do {
                records.append(
                    try Database.decodeRow(
                        Record.self,
                        rowKey: row.key,
                        version: row.version,
                        body: row.body,
                        opener: opener
                    )
                )
            } catch {
                self.error = error
                return
            }
        }
    }
}
