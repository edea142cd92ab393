import PostgresNIO
import SocietyCore

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
        // COPY names its table unqualified (PostgresNIO quotes the name as one identifier).
        try await session.rows("SET LOCAL search_path TO \"\(table.schema)\"")
        let chunks = CopyChunks(
            records.makeIterator(),
            transaction: self,
            table: table,
            version: version,
            meter: ProgressMeter("bulk load", total: nil, every: 10_000, handler: progress)
        )
        // The server parses and stores a chunk while the next is prepared here: a write returns
        // once the bytes are handed to the connection.
        try await session.connection.copyFrom(
            table: table.name,
            columns: ["key", "version", "body"] + table.columns,
            logger: session.logger
        ) { writer in
            while true {
                let (chunk, count) = try chunks.next()
                guard count > 0 else { break }
                try await writer.write(chunk)
            }
        }
        try await session.rows("RESET search_path")
        try await rebuildIndexes(table)
        for subject in chunks.subjects { audit("put", subject: subject) }
        chunks.finish()
        return chunks.loaded
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

/// The rows of a COPY load, prepared a chunk at a time on the loading task.
private final class CopyChunks<Records: IteratorProtocol> where Records.Element: StorableRecord {
    private var records: Records
    private let transaction: PostgresRecordTransaction
    private let table: KindTable
    private let version: Int
    /// The audit subjects of the rows prepared so far (an audited store audits each put).
    private(set) var subjects: [[UInt8]] = []
    private(set) var loaded = 0
    private var meter: ProgressMeter

    init(
        _ records: Records,
        transaction: PostgresRecordTransaction,
        table: KindTable,
        version: Int,
        meter: ProgressMeter
    ) {
        self.records = records
        self.meter = meter
        self.transaction = transaction
        self.table = table
        self.version = version
    }

    /// Up to 2,000 rows in COPY's text format, and how many; `0` at the end.
    func next() throws -> (ByteBuffer, Int) {
        var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
        var count = 0
        while count < 2_000, let record = records.next() {
            let row = try transaction.prepare(record, table: table)
            CopyText.append(row, version: version, to: &buffer)
            if let subject = row.auditSubject { subjects.append(subject) }
            count += 1
        }
        loaded += count
        meter.advance(by: count)
        return (buffer, count)
    }

    func finish() { meter.finish() }
}

/// Rows in COPY's text format: tab-separated, `\N` for NULL, `bytea` as `\\x` and hex digits.
enum CopyText {
    private static let digits = Array("0123456789abcdef".utf8)

    static func append(_ row: PostgresRecordTransaction.Row, version: Int, to buffer: inout ByteBuffer) {
        appendBytes(row.key, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(version))
        buffer.writeInteger(UInt8(ascii: "\t"))
        appendBytes(row.body, to: &buffer)
        for value in row.indexes {
            buffer.writeInteger(UInt8(ascii: "\t"))
            if let value {
                appendBytes(value, to: &buffer)
            } else {
                buffer.writeStaticString("\\N")
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private static func appendBytes(_ bytes: [UInt8], to buffer: inout ByteBuffer) {
        // `\\x` in the text format is the escaped backslash PostgreSQL reads as bytea's `\x`.
        buffer.writeStaticString("\\\\x")
        buffer.reserveCapacity(minimumWritableBytes: bytes.count * 2)
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count * 2) { out in
            var at = 0
            for byte in bytes {
                out[at] = digits[Int(byte >> 4)]
                out[at + 1] = digits[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }
}
