import Foundation
import PostgresNIO
import SocietyCore
import SocietyRecordFormat
import Synchronization

/// The handle a PostgreSQL transaction's closure receives. Valid only until the transaction
/// ends; operations on one handle are queued on its one connection.
final class PostgresRecordTransaction: RecordWriting {
    let session: PostgresDatabase.Session
    let context: PostgresStoreContext
    let isWritable: Bool
    let purpose: Purpose?
    private let state = Mutex(State())

    private struct State {
        var isValid = true
        var pendingAudit: [AuditEntry] = []
        /// Kind tables this transaction created or completed: known to others once it commits.
        var created: [ObjectIdentifier: KindTable] = [:]
        var cursors = 0
    }

    init(session: PostgresDatabase.Session, context: PostgresStoreContext, writable: Bool, purpose: Purpose?) {
        self.session = session
        self.context = context
        self.isWritable = writable
        self.purpose = purpose
    }

    func invalidate() { state.withLock { $0.isValid = false } }

    /// Publishes the kinds this transaction created, now that they exist for everyone.
    func committed() {
        let created = state.withLock { state in
            defer { state.created = [:] }
            return state.created
        }
        guard !created.isEmpty else { return }
        context.known.withLock { $0.merge(created) { _, new in new } }
    }

    func takePendingAudit() -> [AuditEntry] {
        state.withLock { state in
            defer { state.pendingAudit = [] }
            return state.pendingAudit
        }
    }

    private func checkValid(writing: Bool = false) throws {
        guard state.withLock({ $0.isValid }) else { throw StoreError.invalidHandle("the transaction has ended") }
        if writing, !isWritable { throw StoreError.invalidHandle("writing in a read transaction") }
    }

    private func requirePurpose<Record: StorableRecord>(_ type: Record.Type) throws {
        if purpose == nil, let field = Record.sensitiveFields.sorted().first {
            throw StoreError.purposeRequired(kind: Record.recordKind, field: field)
        }
    }

    // MARK: Tables

    /// The kind's table, created (or given its missing index columns) by a writer; `nil` when it
    /// does not exist and this transaction only reads.
    func table<Record: StorableRecord>(_ type: Record.Type) async throws -> KindTable? {
        let kind = Record.recordKind
        // Known by type: two types may share a kind with different indexes (an index added later).
        let type = ObjectIdentifier(Record.self)
        if let known = context.known.withLock({ $0[type] }) ?? state.withLock({ $0.created[type] }) { return known }
        let wanted = try KindTable(
            Record.self,
            schema: context.schema,
            partitionIndex: context.partitioning[kind]
        )
        if !Record.sensitiveFields.isEmpty || !wanted.sensitiveIndexes.isEmpty, context.protector == nil {
            throw StoreError.protectionRequired(kind: kind)
        }
        if let index = wanted.partitionIndex {
            guard wanted.indexNames.contains(index), !wanted.sensitiveIndexes.contains(index) else {
                throw StoreError.unknownIndex(kind: kind, field: index)
            }
        }
        var layout = try await existingLayout(wanted)
        if layout == nil {
            guard isWritable else { return nil }
            // One creator at a time across processes; the lock is held to the end of the transaction.
            try await session.rows("SELECT pg_advisory_xact_lock($1)", [.integer(lockKey("kind:\(kind)"))])
            layout = try await existingLayout(wanted)
            if layout == nil {
                for statement in wanted.createStatements() { try await session.rows(statement) }
                try await session.rows(
                    "INSERT INTO \"\(context.schema)\".ds_kinds (kind, partition_index) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    [.text(kind), wanted.partitionIndex.map { .text($0) } ?? .null]
                )
                state.withLock { $0.created[type] = wanted }
                return wanted
            }
        }
        guard let (columns, partitioned) = layout else { return nil }
        // The layout the table was created with wins over today's configuration.
        let table = try KindTable(
            Record.self,
            schema: context.schema,
            partitionIndex: partitioned ? try await recordedPartitionIndex(kind) : nil
        )
        let missing = table.indexNames.filter { !columns.contains(KindTable.column($0)) }
        if missing.isEmpty {
            context.known.withLock { $0[type] = table }
            return table
        }
        // An index declared after records were stored: a writer adds and fills the column; until
        // then readers can still read by key and by the other indexes.
        guard isWritable else { return table }
        try await session.rows("SELECT pg_advisory_xact_lock($1)", [.integer(lockKey("kind:\(kind)"))])
        for index in missing {
            try await session.rows(
                "ALTER TABLE \(table.table) ADD COLUMN IF NOT EXISTS \(KindTable.column(index)) BYTEA"
            )
            try await session.rows(
                table.createIndexStatement(index).replacingOccurrences(
                    of: "CREATE INDEX",
                    with: "CREATE INDEX IF NOT EXISTS"
                )
            )
        }
        try await backfill(Record.self, table: table)
        state.withLock { $0.created[type] = table }
        return table
    }

    /// The table's columns and whether it is partitioned, or `nil` when there is no table.
    private func existingLayout(_ table: KindTable) async throws -> (Set<String>, Bool)? {
        let rows = try await session.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
            [.text(context.schema), .text(table.name)]
        )
        guard !rows.isEmpty else { return nil }
        let columns = Set(try rows.map { try $0.value(0, as: String.self) })
        return (columns, columns.contains("part"))
    }

    private func recordedPartitionIndex(_ kind: String) async throws -> String? {
        try await session.rows(
            "SELECT partition_index FROM \"\(context.schema)\".ds_kinds WHERE kind = $1",
            [.text(kind)]
        ).first.flatMap { try $0.value(0, as: String?.self) }
    }

    private func lockKey(_ name: String) -> Int64 { PostgresDatabase.lockKey(name, schema: context.schema) }

    /// Fills index columns added after records were stored.
    private func backfill<Record: StorableRecord>(_ type: Record.Type, table: KindTable) async throws {
        var rows: [(Int64, [UInt8], Int64, [UInt8])] = []
        try await session.forEach("SELECT id, key, version, body FROM \(table.table)") { row in
            rows.append(
                (try row.value(0, as: Int64.self), try row.bytes(1), try row.value(2, as: Int64.self), try row.bytes(3))
            )
        }
        let opener = context.protector.map(RowOpener.init)
        let assignments = table.columns.enumerated().map { "\($0.element) = $\($0.offset + 2)" }.joined(separator: ", ")
        for (id, key, version, body) in rows {
            let record = try StoredRecord.decode(Record.self, rowKey: key, version: version, body: body, opener: opener)
            let values = try indexValues(record, table: table)
            try await session.rows(
                "UPDATE \(table.table) SET \(assignments) WHERE id = $1",
                [.integer(id)] + values.map { $0.map { .bytes($0) } ?? .null }
            )
        }
    }

    // MARK: Rows

    /// The row key's bytes: the key's UTF-8, or its keyed hash when it is sensitive.
    private func rowKey(_ key: RecordKey, kind: String) throws -> [UInt8] {
        guard key.isSensitive else { return Array(key.value.utf8) }
        guard let protector = context.protector else { throw StoreError.protectionRequired(kind: kind) }
        return try protector.keyedHash(domain: "key", kind: kind, name: "", value: key.value.utf8)
    }

    private func indexBytes(_ value: IndexValue, index: String, sensitive: Bool, kind: String) throws -> [UInt8]? {
        if sensitive {
            guard let protector = context.protector else { throw StoreError.protectionRequired(kind: kind) }
            return try protector.keyedHash(domain: "index", kind: kind, name: index, value: value.canonicalBytes)
        }
        return IndexKey.bytes(value)
    }

    private func indexValues<Record: StorableRecord>(_ record: Record, table: KindTable) throws -> [[UInt8]?] {
        try Record.indexes.map { index in
            guard let value = index.value(record) else { return nil }
            return try indexBytes(value, index: index.name, sensitive: index.isSensitive, kind: table.kind)
        }
    }

    /// One record ready to insert: key, body with sealed fields, index values, district.
    struct Row {
        let key: [UInt8]
        let body: [UInt8]
        let indexes: [[UInt8]?]
        let district: String
        let auditSubject: [UInt8]?
    }

    func prepare<Record: StorableRecord>(_ record: Record, table: KindTable) throws -> Row {
        let recordKey = record.recordKey
        let key = try rowKey(recordKey, kind: table.kind)
        let protector = context.protector
        var sealer: FieldSealer?
        if !table.sensitiveFields.isEmpty {
            guard let protector else { throw StoreError.protectionRequired(kind: table.kind) }
            let kind = table.kind
            sealer = { field, plain in try protector.seal(kind: kind, rowKey: key, field: field, plaintext: plain) }
        }
        let body: [UInt8]
        do {
            body = try RecordEncoding.encode(record, sensitiveFields: table.sensitiveFields, sealer: sealer)
        } catch let error as EncodingError {
            throw StoreError.unencodable(kind: table.kind, reason: "\(error)")
        }
        var district = ""
        if let partition = table.partitionIndex {
            district = KindTable.district(of: Record.indexes.first { $0.name == partition }?.value(record))
        }
        var subject: [UInt8]?
        if context.auditing != nil, let protector {
            subject = try protector.auditSubject(kind: table.kind, id: recordKey.value)
        }
        return Row(
            key: key,
            body: body,
            indexes: try indexValues(record, table: table),
            district: district,
            auditSubject: subject
        )
    }

    /// Inserts `rows` (replacing rows with the same key) in statements of at most 1,000 rows.
    private func insert(_ rows: [Row], table: KindTable, version: Int) async throws {
        for start in stride(from: 0, to: rows.count, by: 1_000) {
            // Within one statement a key may appear once: the last value goes in the first
            // occurrence's place, which is what puts one after another would leave.
            var position: [[UInt8]: Int] = [:]
            var unique: [Row] = []
            for row in rows[start..<min(rows.count, start + 1_000)] {
                if let at = position[row.key] {
                    unique[at] = row
                } else {
                    position[row.key] = unique.count
                    unique.append(row)
                }
            }
            if table.partitionIndex != nil {
                try await ensurePartitions(Set(unique.map(\.district)), table: table)
                try await session.rows(
                    table.moveOutSQL,
                    [.byteArrays(unique.map(\.key)), .texts(unique.map(\.district))]
                )
            }
            var arguments: [PostgresDatabase.Argument] = [
                .byteArrays(unique.map(\.key)),
                .integers(Array(repeating: Int64(version), count: unique.count)),
                .byteArrays(unique.map(\.body)),
            ]
            for column in table.indexNames.indices {
                arguments.append(.byteArrays(unique.map { $0.indexes[column] ?? [] }))
            }
            if table.partitionIndex != nil { arguments.append(.texts(unique.map(\.district))) }
            try await session.rows(table.upsertManySQL, arguments)
        }
        let subjects = rows.compactMap(\.auditSubject)
        if !subjects.isEmpty { for subject in subjects { audit("put", subject: subject) } }
    }

    /// Creates the partitions of `districts` that do not exist yet (`""` is the default partition).
    private func ensurePartitions(_ districts: Set<String>, table: KindTable) async throws {
        let wanted = districts.filter { !$0.isEmpty }
        guard !wanted.isEmpty else { return }
        let existing = Set(
            try await session.rows(
                """
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace
                WHERE n.nspname = $1 AND p.relname = $2
                """,
                [.text(context.schema), .text(table.name)]
            ).map { try $0.value(0, as: String.self) }
        )
        let missing = wanted.filter { !existing.contains(table.partitionName($0)) }.sorted()
        guard !missing.isEmpty else { return }
        try await session.rows("SELECT pg_advisory_xact_lock($1)", [.integer(lockKey("kind:\(table.kind)"))])
        for district in missing {
            // The code is six digits (see KindTable.district), safe to put in the statement.
            try await session.rows(
                """
                CREATE TABLE IF NOT EXISTS "\(context.schema)".\(table.partitionName(district))
                PARTITION OF \(table.table) FOR VALUES IN ('\(district)')
                """
            )
        }
    }

    // MARK: Audit

    func audit(_ action: String, subject: [UInt8], outcome: AuditOutcome = .success) {
        guard let auditing = context.auditing else { return }
        let entry = AuditEntry(
            time: auditing.clock.now(),
            actor: auditing.actor,
            action: action,
            subject: subject,
            purpose: purpose,
            outcome: outcome
        )
        state.withLock { $0.pendingAudit.append(entry) }
    }

    private func audit(_ action: String, kind: String, id: String, outcome: AuditOutcome = .success) throws {
        guard context.auditing != nil, let protector = context.protector else { return }
        audit(action, subject: try protector.auditSubject(kind: kind, id: id), outcome: outcome)
    }

    func appendAudit(_ entry: AuditEntry) async throws {
        try checkValid()
        state.withLock { $0.pendingAudit.append(entry) }
    }

    // MARK: RecordWriting

    func put<Record: StorableRecord>(_ record: Record) async throws {
        try checkValid(writing: true)
        guard let table = try await table(Record.self) else { return }
        try await insert([try prepare(record, table: table)], table: table, version: Record.schemaVersion)
    }

    func put<Records: Sequence & Sendable>(contentsOf records: Records) async throws
    where Records.Element: StorableRecord {
        try checkValid(writing: true)
        guard let table = try await table(Records.Element.self) else { return }
        var batch: [Row] = []
        batch.reserveCapacity(1_000)
        for record in records {
            batch.append(try prepare(record, table: table))
            if batch.count == 1_000 {
                try await insert(batch, table: table, version: Records.Element.schemaVersion)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await insert(batch, table: table, version: Records.Element.schemaVersion) }
    }

    /// A bulk load's body: records prepared in chunks while the previous chunk is sent.
    func load<Records: Sequence>(_ records: Records, progress: ProgressHandler?) async throws -> Int
    where Records.Element: StorableRecord {
        try checkValid(writing: true)
        guard let table = try await table(Records.Element.self) else { return 0 }
        // The first load of a kind (an empty, unpartitioned table) streams rows with COPY and
        // builds the indexes once at the end; any later load upserts in array statements.
        if table.partitionIndex == nil, try await isEmpty(table) {
            return try await copyLoad(records, table: table, progress: progress)
        }
        let version = Records.Element.schemaVersion
        var meter = ProgressMeter("bulk load", total: nil, every: 10_000, handler: progress)
        var loaded = 0
        var iterator = records.makeIterator()
        func nextChunk() throws -> [Row] {
            var rows: [Row] = []
            rows.reserveCapacity(4_000)
            while rows.count < 4_000, let record = iterator.next() { rows.append(try prepare(record, table: table)) }
            return rows
        }
        var chunk = try nextChunk()
        while !chunk.isEmpty {
            let sending = chunk
            async let sent: Void = insert(sending, table: table, version: version)
            let following: [Row]
            do {
                following = try nextChunk()
            } catch {
                try? await sent
                throw error
            }
            try await sent
            loaded += chunk.count
            meter.advance(by: chunk.count)
            chunk = following
        }
        meter.finish()
        return loaded
    }

    @discardableResult
    func delete<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Bool {
        try checkValid(writing: true)
        guard let table = try await table(Record.self) else { return false }
        let deleted =
            try await session.rows(
                "DELETE FROM \(table.table) WHERE key = $1 RETURNING 1",
                [.bytes(try rowKey(key, kind: table.kind))]
            ).count > 0
        try audit("delete", kind: table.kind, id: key.value, outcome: deleted ? .success : .failed)
        return deleted
    }

    // MARK: RecordReading

    func get<Record: StorableRecord>(_ type: Record.Type, key: RecordKey) async throws -> Record? {
        try checkValid()
        try requirePurpose(Record.self)
        guard let table = try await table(Record.self) else { return nil }
        let keyBytes = try rowKey(key, kind: table.kind)
        guard
            let row = try await session.rows(
                "SELECT version, body FROM \(table.table) WHERE key = $1",
                [.bytes(keyBytes)]
            ).first
        else { return nil }
        let record = try StoredRecord.decode(
            Record.self,
            rowKey: keyBytes,
            version: try row.value(0, as: Int64.self),
            body: try row.bytes(1),
            opener: context.protector.map(RowOpener.init)
        )
        if !Record.sensitiveFields.isEmpty { try audit("read", kind: table.kind, id: key.value) }
        return record
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
        try checkValid()
        guard let table = try await table(Record.self) else { return 0 }
        let (whereSQL, arguments) = try whereClause(query, table: table)
        let row = try await session.rows("SELECT count(*) FROM \(table.table)\(whereSQL)", arguments).first
        return Int(try row?.value(0, as: Int64.self) ?? 0)
    }

    /// Streams the matching records through a server-side cursor, ``PostgresStoreConfiguration/scanBatch``
    /// rows at a time: the next batch is fetched while this one is decoded and handed to `body`,
    /// and memory holds about two batches whatever the table's size. `body` may use the handle.
    func forEach<Record: StorableRecord>(
        _ query: RecordQuery<Record>,
        _ body: (Record) async throws -> Bool
    ) async throws {
        try checkValid()
        try requirePurpose(Record.self)
        guard let table = try await table(Record.self) else { return }
        let (whereSQL, arguments) = try whereClause(query, table: table)
        let orderSQL = try orderClause(query, table: table)
        if !Record.sensitiveFields.isEmpty {
            try audit("read.query", kind: table.kind, id: "query:\(query.field ?? "*")")
        }
        let select = "SELECT key, version, body FROM \(table.table)\(whereSQL)\(orderSQL)"
        let batch = context.scanBatch
        if let limit = query.limit, limit <= batch {
            let opener = context.protector.map(RowOpener.init)
            for stored in try await fetchRows(select, arguments) {
                guard try await body(try stored.decode(Record.self, opener: opener)) else { return }
            }
            return
        }
        let number = state.withLock { state in
            defer { state.cursors += 1 }
            return state.cursors
        }
        let cursor = "ds_scan_\(number)"
        try await session.rows("DECLARE \(cursor) NO SCROLL CURSOR FOR \(select)", arguments)
        let fetch = "FETCH FORWARD \(batch) FROM \(cursor)"
        var rows = try await fetchRows(fetch, [])
        let protector = context.protector
        while !rows.isEmpty {
            let more = rows.count == batch
            async let following = more ? fetchRows(fetch, []) : []
            // The batch is decoded (and its sealed fields opened) in two halves on two threads while
            // the next batch comes from the server; records reach `body` in order, and a record that
            // cannot be decoded throws when its turn comes, after the ones before it.
            let parts = await Self.decode(rows, as: Record.self, protector: protector)
            var stop = false
            delivery: for part in parts {
                for record in part.records {
                    guard try await body(record) else {
                        stop = true
                        break delivery
                    }
                }
                if let error = part.error {
                    _ = try? await following
                    throw error
                }
            }
            let next = try await following
            if stop { break }
            rows = next
        }
        try await session.rows("CLOSE \(cursor)")
    }

    /// Records decoded from a run of rows, up to the first that failed, and that failure.
    private struct DecodedPart<Record: StorableRecord>: Sendable {
        var records: [Record] = []
        var error: (any Error)?
    }

    /// `rows` decoded in two halves at once, each with its own pinned protector.
    private static func decode<Record: StorableRecord>(
        _ rows: [StoredRow],
        as type: Record.Type,
        protector: FieldProtector?
    ) async -> [DecodedPart<Record>] {
        let half = (rows.count + 1) / 2
        let ranges = rows.count < 64 ? [0..<rows.count] : [0..<half, half..<rows.count]
        return await withTaskGroup(of: (Int, DecodedPart<Record>).self) { group in
            for (position, range) in ranges.enumerated() {
                let slice = rows[range]
                group.addTask {
                    var part = DecodedPart<Record>()
                    part.records.reserveCapacity(slice.count)
                    let opener = protector.map { RowOpener($0.pinned()) }
                    for row in slice {
                        do {
                            part.records.append(try row.decode(Record.self, opener: opener))
                        } catch {
                            part.error = error
                            break
                        }
                    }
                    return (position, part)
                }
            }
            var parts = Array(repeating: DecodedPart<Record>(), count: ranges.count)
            for await (position, part) in group { parts[position] = part }
            return parts
        }
    }

    private struct StoredRow: Sendable {
        let key: [UInt8]
        let version: Int64
        let body: [UInt8]

        func decode<Record: StorableRecord>(_ type: Record.Type, opener: RowOpener?) throws -> Record {
            try StoredRecord.decode(Record.self, rowKey: key, version: version, body: body, opener: opener)
        }
    }

    private func fetchRows(_ sql: String, _ arguments: [PostgresDatabase.Argument]) async throws -> [StoredRow] {
        var rows: [StoredRow] = []
        try await session.forEach(sql, arguments) { row in
            // The cells once, in order, without decoding through `Data`.
            var cells = row.makeIterator()
            guard let key = cells.next()?.bytes, let version = cells.next(), let body = cells.next()?.bytes else {
                throw PostgresStoreError(.corrupt, "a stored row lacks its key, version or body")
            }
            rows.append(
                StoredRow(
                    key: Array(key.readableBytesView),
                    version: try version.decode(Int64.self),
                    body: Array(body.readableBytesView)
                )
            )
        }
        return rows
    }

    // MARK: Queries

    private func whereClause<Record: StorableRecord>(
        _ query: RecordQuery<Record>,
        table: KindTable
    ) throws -> (String, [PostgresDatabase.Argument]) {
        guard let field = query.field else { return ("", []) }
        guard table.indexNames.contains(field) else { throw StoreError.unknownIndex(kind: table.kind, field: field) }
        let sensitive = table.sensitiveIndexes.contains(field)
        let column = KindTable.column(field)
        func value(_ v: IndexValue) throws -> PostgresDatabase.Argument {
            try indexBytes(v, index: field, sensitive: sensitive, kind: table.kind).map { .bytes($0) } ?? .null
        }
        switch query.condition {
        case .any:
            return ("", [])
        case .equals(let v):
            // On the partition index, naming the partition lets PostgreSQL read only that one.
            if field == table.partitionIndex {
                return (" WHERE \(column) = $1 AND part = $2", [try value(v), .text(KindTable.district(of: v))])
            }
            return (" WHERE \(column) = $1", [try value(v)])
        case .among(let values):
            guard !values.isEmpty else { return (" WHERE false", []) }
            return (
                " WHERE \(column) = ANY($1::bytea[])",
                [
                    .byteArrays(
                        try values.compactMap { v in
                            try indexBytes(v, index: field, sensitive: sensitive, kind: table.kind)
                        }
                    )
                ]
            )
        case .range(let lower, let upper, let inclusive):
            guard !sensitive else {
                throw StoreError.unsupportedQuery(
                    kind: table.kind,
                    field: field,
                    reason: "a searchable sensitive index supports equality only"
                )
            }
            var parts: [String] = []
            var arguments: [PostgresDatabase.Argument] = []
            if let lower {
                arguments.append(try value(lower))
                parts.append("\(column) >= $\(arguments.count)")
            }
            if let upper {
                arguments.append(try value(upper))
                parts.append("\(column) \(inclusive ? "<=" : "<") $\(arguments.count)")
            }
            if parts.isEmpty { parts.append("\(column) IS NOT NULL") }
            return (" WHERE " + parts.joined(separator: " AND "), arguments)
        }
    }

    /// Orders as SQLite does: absent values first when ascending (last when descending), ties by
    /// storage order (the row id).
    private func orderClause<Record: StorableRecord>(_ query: RecordQuery<Record>, table: KindTable) throws -> String {
        var clause: String
        switch query.order {
        case .unspecified:
            clause = " ORDER BY id"
        case .ascending(let field), .descending(let field):
            guard table.indexNames.contains(field) else {
                throw StoreError.unknownIndex(kind: table.kind, field: field)
            }
            guard !table.sensitiveIndexes.contains(field) else {
                throw StoreError.unsupportedQuery(
                    kind: table.kind,
                    field: field,
                    reason: "a searchable sensitive index cannot order results"
                )
            }
            if case .descending = query.order {
                clause = " ORDER BY \(KindTable.column(field)) DESC NULLS LAST, id DESC"
            } else {
                clause = " ORDER BY \(KindTable.column(field)) ASC NULLS FIRST, id"
            }
        }
        if let limit = query.limit { clause += " LIMIT \(max(0, limit))" }
        return clause
    }
}
