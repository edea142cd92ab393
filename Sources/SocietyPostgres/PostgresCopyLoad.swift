import PostgresNIO
import SocietyCore
import SocietyRecordFormat

/// The first load of a kind: rows streamed with `COPY … FROM STDIN`, indexes built once at the end.
///
/// Building a B-tree from sorted input is several times cheaper than inserting into it row by row,
/// which is what PostgreSQL's own bulk loading advice says (drop indexes, COPY, recreate them);
/// it is also what `psql \copy` followed by `CREATE INDEX` does, the benchmark's baseline. All of
/// it happens in the load's transaction, so a failed load leaves the empty table as it was.
extension PostgresRecordTransaction {
    func isEmpty(_ table: KindTable) async throws -> Bool {
        try await session.rows("SELECT 1 FROM \(table.table) LIMIT 1").isEmpty
    }

    func copyLoad<Records: Sequence>(
        _ records: Records,
        table: KindTable,
        progress: ProgressHandler?
    ) async throws -> Int where Records.Element: StorableRecord {
        let version = Records.Element.schemaVersion
        try await session.rows(
            "ALTER TABLE \(table.table) DROP CONSTRAINT IF EXISTS \(table.name)_key_key, "
                + "DROP CONSTRAINT IF EXISTS \(table.name)_pkey"
        )
        for index in table.indexNames {
            try await session.rows("DROP INDEX IF EXISTS \"\(table.schema)\".\(table.name)_\(index)")
        }
        var meter = ProgressMeter("bulk load", total: nil, every: 10_000, handler: progress)
        let protector = context.protector
        let audited = context.auditing != nil && protector != nil
        var iterator = records.makeIterator()
        var loaded = 0
        var subjects: [[UInt8]] = []
        // Records are taken from the sequence here, in order; each chunk is encoded, sealed and
        // hashed on a task of its own (two at a time, one per core), and written in order, so the
        // server stores one chunk while the next ones are prepared.
        var inFlight: [Task<CopyChunk, any Error>] = []
        func startChunk() -> Bool {
            var chunk: [Records.Element] = []
            chunk.reserveCapacity(CopyChunk.size)
            while chunk.count < CopyChunk.size, let record = iterator.next() { chunk.append(record) }
            guard !chunk.isEmpty else { return false }
            let records = chunk
            inFlight.append(
                Task.detached {
                    try CopyRowPreparer<Records.Element>(table: table, protector: protector, audited: audited)
                        .chunk(records, version: version)
                }
            )
            return true
        }
        var more = true
        while more, inFlight.count < CopyChunk.depth { more = startChunk() }
        defer { for task in inFlight { task.cancel() } }
        try await session.connection.copyFrom(
            table: CopyBinary.statementTail(table: table),
            logger: session.logger
        ) { writer in
            var header = ByteBufferAllocator().buffer(capacity: CopyBinary.header.count)
            header.writeBytes(CopyBinary.header)
            try await writer.write(header)
            while !inFlight.isEmpty {
                let chunk = try await inFlight.removeFirst().value
                if more { more = startChunk() }
                try await writer.write(chunk.buffer)
                loaded += chunk.count
                subjects += chunk.subjects
                meter.advance(by: chunk.count)
            }
            var trailer = ByteBufferAllocator().buffer(capacity: 2)
            trailer.writeInteger(Int16(-1))
            try await writer.write(trailer)
        }
        // Sorting for the index builds in memory rather than in passes over temporary files.
        try await session.rows("SET LOCAL maintenance_work_mem = '256MB'")
        try await rebuildIndexes(table)
        for subject in subjects { audit("put", subject: subject) }
        meter.finish()
        return loaded
    }

    /// The key's unique constraint (keeping the last row of a key loaded twice), the primary key
    /// and the declared indexes, as ``KindTable/createStatements()`` makes them.
    private func rebuildIndexes(_ table: KindTable) async throws {
        try await session.rows("SAVEPOINT ds_load_unique")
        var duplicates = false
        do {
            try await session.rows("CREATE UNIQUE INDEX \(table.name)_key_key ON \(table.table) (key)")
        } catch {
            guard error.sqlState == "23505" else { throw error }
            duplicates = true
        }
        if duplicates {
            // A key given more than once: the last one wins, as with puts one after another.
            try await session.rows("ROLLBACK TO SAVEPOINT ds_load_unique")
            try await session.rows(
                "DELETE FROM \(table.table) AS a USING \(table.table) AS b WHERE a.key = b.key AND a.id < b.id"
            )
            try await session.rows("CREATE UNIQUE INDEX \(table.name)_key_key ON \(table.table) (key)")
        }
        try await session.rows("RELEASE SAVEPOINT ds_load_unique")
        try await session.rows(
            "ALTER TABLE \(table.table) ADD CONSTRAINT \(table.name)_key_key UNIQUE USING INDEX \(table.name)_key_key, "
                + "ADD CONSTRAINT \(table.name)_pkey PRIMARY KEY (id)"
        )
        for index in table.indexNames { try await session.rows(table.createIndexStatement(index)) }
    }
}

/// A chunk of rows in COPY's binary format, with the audit subjects of its puts.
struct CopyChunk: Sendable {
    /// Records per chunk, and how many chunks are prepared ahead of the one being written.
    static let size = 2_000
    static let depth = 3

    let buffer: ByteBuffer
    let count: Int
    let subjects: [[UInt8]]
}

/// Prepares the rows of one chunk: the same bytes as ``PostgresRecordTransaction/prepare(_:table:)``
/// (and as the SQLite store's rows), faster — the current keys are looked up once per chunk, one
/// cipher and one MAC context serve every field of the chunk, and nonces are drawn 256 at a time.
final class CopyRowPreparer<Record: StorableRecord> {
    private let table: KindTable
    private let protector: FieldProtector?
    private let audited: Bool
    private let sealing: (key: SymmetricKey, session: any AEADSealingSession)?
    private let mac: (any MACSession)?
    private var rowKey: [UInt8] = []

    init(table: KindTable, protector: FieldProtector?, audited: Bool) throws {
        self.table = table
        let pinned = protector?.pinned()
        self.protector = pinned
        self.audited = audited
        if let pinned, !table.sensitiveFields.isEmpty, let key = pinned.pinnedSealKey {
            sealing = (key, try pinned.crypto.makeSealingSession(pinned.profile.aead, key: key.bytes))
        } else {
            sealing = nil
        }
        if let pinned, let key = pinned.pinnedHashKey {
            mac = try pinned.crypto.makeMACSession(pinned.profile.digest, key: key.bytes)
        } else {
            mac = nil
        }
    }

    /// Buffers reused for every row: a keyed hash's input, the record's body (sealed fields go
    /// through a ``BulkFieldSealer``'s).
    private var hashInput: [UInt8] = []
    private let body = RecordWriter(capacity: 512)

    /// The keyed-hash inputs' first parts (``FieldProtector/keyedHashPrefix(domain:kind:name:)``)
    /// for the row key and for each declared index, computed once per chunk.
    private lazy var keyPrefix = FieldProtector.keyedHashPrefix(domain: "key", kind: table.kind, name: "")
    private lazy var indexPrefixes = Record.indexes.map {
        FieldProtector.keyedHashPrefix(domain: "index", kind: table.kind, name: $0.name)
    }

    /// The keyed hash of `value` after `prefix`; `name` is the index's (empty for the row key),
    /// for a protector without pinned keys.
    private func keyedHash(prefix: [UInt8], domain: String, name: String, value: [UInt8]) throws -> [UInt8] {
        if let mac {
            return try FieldProtector.keyedHash(prefix: prefix, value: value, session: mac, scratch: &hashInput)
        }
        guard let protector else { throw StoreError.protectionRequired(kind: table.kind) }
        return try protector.keyedHash(domain: domain, kind: table.kind, name: name, value: value)
    }

    func chunk(_ records: [Record], version: Int) throws -> CopyChunk {
        var buffer = ByteBufferAllocator().buffer(capacity: records.count * 512)
        var subjects: [[UInt8]] = []
        let kind = table.kind
        let sealer: FieldSealer?
        if table.sensitiveFields.isEmpty {
            sealer = nil
        } else {
            guard let protector else { throw StoreError.protectionRequired(kind: kind) }
            if let (key, session) = sealing {
                let bulk = BulkFieldSealer(protector: protector, kind: kind, key: key, session: session)
                sealer = { [unowned self] field, plain in
                    try bulk.seal(field: field, rowKey: self.rowKey, plaintext: plain)
                }
            } else {
                sealer = { [unowned self] field, plain in
                    try protector.seal(kind: kind, rowKey: self.rowKey, field: field, plaintext: plain)
                }
            }
        }
        let declared = Record.indexes
        var indexValue: [UInt8] = []
        indexValue.reserveCapacity(32)
        for record in records {
            let recordKey = record.recordKey
            rowKey =
                recordKey.isSensitive
                ? try keyedHash(prefix: keyPrefix, domain: "key", name: "", value: Array(recordKey.value.utf8))
                : Array(recordKey.value.utf8)
            body.bytes.removeAll(keepingCapacity: true)
            do {
                _ = try RecordEncoding.encode(
                    record,
                    into: body,
                    sensitiveFields: table.sensitiveFields,
                    sealer: sealer
                )
            } catch let error as EncodingError {
                throw StoreError.unencodable(kind: kind, reason: "\(error)")
            }
            CopyBinary.startRow(
                key: rowKey,
                version: version,
                body: body.bytes,
                indexCount: declared.count,
                to: &buffer
            )
            for (position, index) in declared.enumerated() {
                guard let value = index.value(record) else {
                    CopyBinary.appendNull(to: &buffer)
                    continue
                }
                if index.isSensitive {
                    let hash = try keyedHash(
                        prefix: indexPrefixes[position],
                        domain: "index",
                        name: index.name,
                        value: value.canonicalBytes
                    )
                    CopyBinary.append(field: hash, to: &buffer)
                } else if IndexKey.write(value, into: &indexValue) {
                    CopyBinary.append(field: indexValue, to: &buffer)
                } else {
                    CopyBinary.appendNull(to: &buffer)
                }
            }
            if audited, let protector { subjects.append(try protector.auditSubject(kind: kind, id: recordKey.value)) }
        }
        return CopyChunk(buffer: buffer, count: records.count, subjects: subjects)
    }
}

/// Rows in COPY's binary format: each row its field count, then each field's length (-1 for NULL)
/// and bytes, all integers big-endian (PostgreSQL documentation, COPY, "Binary Format").
///
/// Binary rather than text because a text row carries every `bytea` as hex, which doubles the bytes
/// sent and makes the server parse each one back: loading the same million rows from a file took the
/// server 3.3 s as text and 1.7 s as binary (measured with `psql \copy`, 2026-12-07).
enum CopyBinary {
    /// The signature, the flags field (no OIDs) and an empty header extension.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    /// What follows `COPY "` in the statement PostgresNIO sends.
    ///
    /// PostgresNIO's `copyFrom` offers only the text format; it writes the table name it is given
    /// verbatim between double quotes (its documentation says so). The name given here closes the
    /// quote, names the schema-qualified table and its columns, asks for the binary format, and
    /// comments out the text-format clause PostgresNIO appends. Every part comes from the kind's
    /// layout (identifiers checked by ``RecordLayout``'s naming rule), never from a record.
    static func statementTail(table: KindTable) -> String {
        let columns = (["key", "version", "body"] + table.columns).joined(separator: ", ")
        return "\(table.schema)\".\(table.name) (\(columns)) FROM STDIN WITH (FORMAT binary) --"
    }

    /// A row's field count and its first three fields; its `indexCount` index fields follow,
    /// each by ``append(field:to:)`` or ``appendNull(to:)``.
    static func startRow(key: [UInt8], version: Int, body: [UInt8], indexCount: Int, to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int16(truncatingIfNeeded: 3 + indexCount))
        field(key, to: &buffer)
        buffer.writeInteger(Int32(4))
        buffer.writeInteger(Int32(truncatingIfNeeded: version))
        field(body, to: &buffer)
    }

    static func append(field bytes: [UInt8], to buffer: inout ByteBuffer) { field(bytes, to: &buffer) }

    static func appendNull(to buffer: inout ByteBuffer) { buffer.writeInteger(Int32(-1)) }

    private static func field(_ bytes: [UInt8], to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(truncatingIfNeeded: bytes.count))
        buffer.writeBytes(bytes)
    }
}
