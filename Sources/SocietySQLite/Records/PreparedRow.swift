import Foundation
import SocietyCore
import SocietyRecordFormat

/// Everything ``Database/put(_:)`` computes before it touches SQLite: the row key (a keyed hash
/// for a sensitive key), the encoded body with its sensitive fields sealed, the index values and
/// the audit subject. Computing it touches no connection, so a bulk put prepares the next chunk
/// on other threads while the writer inserts this one.
struct PreparedRow: Sendable {
    let key: SQLiteValue
    let version: Int64
    let body: [UInt8]
    let indexValues: [SQLiteValue]
    /// The audit subject hash of the put, when the store is audited.
    let auditSubject: [UInt8]?
}

/// Prepares rows of one record type for one thread.
///
/// Why a thread gets its own: preparing a row touches the kind's schema, the record type's index
/// list, the protector and its keys many times, and every touch retains and releases them. Two
/// threads doing that to the same objects fight over their reference counts (each count is a
/// cache line both cores keep taking from each other), which cost the preparing threads about a
/// sixth of their time. `init(…, isolated: true)` gives a thread private copies of all of them.
final class RowPreparer<Record: StorableRecord> {
    let schema: KindSchema
    let protector: FieldProtector?
    let audited: Bool
    private let indexes: [RecordIndex<Record>]
    /// The row key the sealer binds the current record's fields to.
    @exclusivity(unchecked) private var rowKey: [UInt8] = []
    private lazy var sealer: FieldSealer? = makeSealer()

    /// A preparer for the calling thread; with `isolated`, one that owns private copies of
    /// everything it touches and has looked up the current keys once (see
    /// ``FieldProtector/pinned()``), for one thread's chunk of a bulk put or load.
    init(schema: KindSchema, protector: FieldProtector?, audited: Bool, isolated: Bool = false) {
        self.schema = isolated ? schema.isolated() : schema
        self.protector = isolated ? protector?.pinned() : protector
        self.audited = audited
        self.noncesPerDraw = isolated ? 256 : 1
        self.indexes = isolated ? Record.indexes.withUnsafeBufferPointer { Array($0) } : Record.indexes
        // A session that cannot be opened leaves the per-value path, which reports the problem.
        if isolated { try? openSessions() }
    }

    /// Random bytes for nonces. A bulk preparer draws them 256 nonces at a time: one call to the
    /// random source per 256 sealed fields instead of one per field.
    private let noncesPerDraw: Int
    private var nonces: [UInt8] = []
    private var nonceOffset = 0

    private func nextNonce(_ protector: FieldProtector) throws -> [UInt8] {
        let length = protector.profile.aead.nonceByteCount
        if nonceOffset + length > nonces.count {
            nonces = try protector.crypto.randomBytes(count: length * noncesPerDraw)
            nonceOffset = 0
        }
        defer { nonceOffset += length }
        return Array(nonces[nonceOffset..<nonceOffset + length])
    }

    /// The keyed hash's input, reused for every row key, and its first parts, computed once.
    private var hashInput: [UInt8] = []
    private lazy var keyPrefix = FieldProtector.keyedHashPrefix(domain: "key", kind: schema.kind, name: "")

    /// Sessions keyed once with the pinned keys, for a bulk preparer: no cipher or MAC context is
    /// looked up per value. `nil` for a one-off preparer, or when a key could not be pinned.
    private var sealingSession: (key: SymmetricKey, session: any AEADSealingSession)?
    private var macSession: (any MACSession)?

    private func openSessions() throws {
        guard noncesPerDraw > 1, let protector else { return }
        if !schema.sensitiveFields.isEmpty, let key = protector.pinnedSealKey {
            sealingSession = (key, try protector.crypto.makeSealingSession(protector.profile.aead, key: key.bytes))
        }
        if let key = protector.pinnedHashKey {
            macSession = try protector.crypto.makeMACSession(protector.profile.digest, key: key.bytes)
        }
    }

    private func makeSealer() -> FieldSealer? {
        guard !schema.sensitiveFields.isEmpty, let protector else { return nil }
        let kind = schema.kind
        if let (key, session) = sealingSession {
            let bulk = BulkFieldSealer(protector: protector, kind: kind, key: key, session: session)
            return { [unowned self] field, plain in try bulk.seal(field: field, rowKey: self.rowKey, plaintext: plain) }
        }
        return { [unowned self] field, plain in
            try protector.seal(
                kind: kind,
                rowKey: self.rowKey,
                field: field,
                plaintext: plain,
                nonce: self.nextNonce(protector)
            )
        }
    }

    func prepare(_ record: Record) throws -> PreparedRow {
        let recordKey = record.recordKey
        let keyValue = try bindRowKey(recordKey)
        let writer = RecordWriter()
        try encodeBody(record, into: writer)
        var indexValues: [SQLiteValue] = []
        try appendIndexValues(record, to: &indexValues)
        return PreparedRow(
            key: keyValue,
            version: Int64(Record.schemaVersion),
            body: writer.bytes,
            indexValues: indexValues,
            auditSubject: try auditSubject(recordKey)
        )
    }

    // MARK: Chunks of a bulk load

    /// The chunk being prepared: keys and bodies in one buffer, index values in one array, so a
    /// chunk of 512 rows is a handful of allocations, freed at once by the thread that inserts it.
    private var chunkBytes = RecordWriter(capacity: 0)
    private var chunkRows: [PreparedChunk.Row] = []
    private var chunkIndexValues: [SQLiteValue] = []

    /// `records` prepared as one chunk by a preparer of this thread's own (see `isolated`).
    static func chunk(
        of records: some Sequence<Record>,
        schema: KindSchema,
        protector: FieldProtector?,
        audited: Bool
    ) throws -> PreparedChunk {
        let preparer = RowPreparer(schema: schema, protector: protector, audited: audited, isolated: true)
        for record in records { try preparer.append(record) }
        return preparer.takeChunk()
    }

    /// Prepares `record` as the next row of the current chunk.
    func append(_ record: Record) throws {
        let recordKey = record.recordKey
        let key: PreparedChunk.Key
        switch try bindRowKey(recordKey) {
        case .blob(let hash):
            let start = chunkBytes.bytes.count
            chunkBytes.bytes.append(contentsOf: hash)
            key = .blob(start..<chunkBytes.bytes.count)
        case .text(let text): key = .text(text)
        default: throw StoreError.invalidHandle("a row key is text or a keyed hash")
        }
        let body = try encodeBody(record, into: chunkBytes)
        try appendIndexValues(record, to: &chunkIndexValues)
        chunkRows.append(PreparedChunk.Row(key: key, body: body, auditSubject: try auditSubject(recordKey)))
    }

    /// The rows appended since the last call, in the order of their keys (see
    /// ``PreparedChunk/keyOrder``).
    func takeChunk() -> PreparedChunk {
        var chunk = PreparedChunk(
            bytes: chunkBytes.bytes,
            rows: chunkRows,
            indexValues: chunkIndexValues,
            indexCount: indexes.count,
            version: Int64(Record.schemaVersion)
        )
        chunk.sortByKey()
        chunkBytes = RecordWriter(capacity: 0)
        chunkRows = []
        chunkIndexValues = []
        return chunk
    }

    // MARK: Parts of a row

    /// The key to bind (text, or the keyed hash of a sensitive key); sets the row key the
    /// record's sealed fields are bound to.
    private func bindRowKey(_ recordKey: RecordKey) throws -> SQLiteValue {
        if recordKey.isSensitive, let macSession {
            let hash = try FieldProtector.keyedHash(
                prefix: keyPrefix,
                value: Array(recordKey.value.utf8),
                session: macSession,
                scratch: &hashInput
            )
            self.rowKey = hash
            return .blob(hash)
        }
        let (keyValue, rowKey) = try Database.rowKey(recordKey, kind: schema.kind, protector: protector)
        if !schema.sensitiveFields.isEmpty, protector == nil { throw StoreError.protectionRequired(kind: schema.kind) }
        self.rowKey = rowKey
        return keyValue
    }

    @discardableResult
    private func encodeBody(_ record: Record, into writer: RecordWriter) throws -> Range<Int> {
        do {
            return try RecordEncoding.encode(
                record,
                into: writer,
                sensitiveFields: schema.sensitiveFields,
                sealer: sealer
            )
        } catch let error as EncodingError {
            throw StoreError.unencodable(kind: schema.kind, reason: "\(error)")
        }
    }

    private func auditSubject(_ recordKey: RecordKey) throws -> [UInt8]? {
        guard audited, let protector else { return nil }
        return try protector.auditSubject(kind: schema.kind, id: recordKey.value)
    }

    private func appendIndexValues(_ record: Record, to indexValues: inout [SQLiteValue]) throws {
        for index in indexes {
            guard let value = index.value(record) else {
                indexValues.append(.null)
                continue
            }
            indexValues.append(
                try Database.bindable(
                    value,
                    index: index.name,
                    sensitive: index.isSensitive,
                    kind: schema.kind,
                    protector: protector
                )
            )
        }
    }
}

/// Rows of one record kind prepared by one thread for a bulk load: keys (when they are keyed
/// hashes) and bodies in one buffer, the index values of row `i` at
/// `indexValues[i * indexCount ..< (i + 1) * indexCount]`.
struct PreparedChunk: Sendable {
    enum Key: Sendable {
        case text(String)
        case blob(Range<Int>)
    }

    struct Row: Sendable {
        let key: Key
        let body: Range<Int>
        let auditSubject: [UInt8]?
    }

    let bytes: [UInt8]
    let rows: [Row]
    let indexValues: [SQLiteValue]
    let indexCount: Int
    let version: Int64
    /// The rows' positions in the order SQLite sorts their keys (text before blobs; bytes in
    /// `memcmp` order, shorter first), rows with equal keys in their original order, so the last
    /// still wins. A table whose rows arrive in runs of ascending keys builds its key index about
    /// a third faster than one in random order.
    private(set) var keyOrder: [Int] = []

    init(bytes: [UInt8], rows: [Row], indexValues: [SQLiteValue], indexCount: Int, version: Int64) {
        self.bytes = bytes
        self.rows = rows
        self.indexValues = indexValues
        self.indexCount = indexCount
        self.version = version
        self.keyOrder = Array(rows.indices)
    }

    mutating func sortByKey() {
        let rows = self.rows
        keyOrder = bytes.withUnsafeBytes { buffer -> [Int] in
            /// Negative, zero or positive as `a` sorts before, with or after `b`.
            func compare(_ a: Range<Int>, _ b: Range<Int>) -> Int {
                let common = min(a.count, b.count)
                if common > 0, let base = buffer.baseAddress {
                    let order = memcmp(base + a.lowerBound, base + b.lowerBound, common)
                    if order != 0 { return Int(order) }
                }
                return a.count - b.count
            }
            return rows.indices.sorted { i, j in
                switch (rows[i].key, rows[j].key) {
                case (.text, .blob): return true
                case (.blob, .text): return false
                case (.text(let a), .text(let b)):
                    if a != b { return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
                case (.blob(let a), .blob(let b)):
                    let order = compare(a, b)
                    if order != 0 { return order < 0 }
                }
                return i < j
            }
        }
    }

    /// How many rows the chunk holds.
    var count: Int { rows.count }

    /// The row at `position` in key order.
    func row(at position: Int) -> Row { rows[keyOrder[position]] }

    /// Inserts the rows at `positions` (in key order) with plain inserts: groups of `groupSize`
    /// rows through `group` (one statement with `groupSize` rows of parameters, so SQLite runs
    /// one statement where it would run many), the rest through `single`. Keys and bodies are
    /// bound without a copy: SQLite reads them during the step.
    func insert(_ positions: Range<Int>, single: Statement, group: Statement, groupSize: Int) throws {
        let columns = 3 + indexCount
        try bytes.withUnsafeBytes { buffer in
            func bind(_ position: Int, to statement: Statement, slot: Int) throws {
                let index = keyOrder[position]
                let row = rows[index]
                let base = Int32(slot * columns)
                switch row.key {
                case .text(let text): try statement.bind(.text(text), at: base + 1)
                case .blob(let range):
                    try statement.bindBorrowed(UnsafeRawBufferPointer(rebasing: buffer[range]), at: base + 1)
                }
                try statement.bind(version, at: base + 2)
                try statement.bindBorrowed(UnsafeRawBufferPointer(rebasing: buffer[row.body]), at: base + 3)
                let first = index * indexCount
                for offset in 0..<indexCount {
                    try statement.bind(indexValues[first + offset], at: base + Int32(4 + offset))
                }
            }
            var position = positions.lowerBound
            while positions.upperBound - position >= groupSize {
                group.reset()
                for slot in 0..<groupSize { try bind(position + slot, to: group, slot: slot) }
                try group.run()
                position += groupSize
            }
            group.reset()
            while position < positions.upperBound {
                single.reset()
                try bind(position, to: single, slot: 0)
                try single.run()
                position += 1
            }
            single.reset()
        }
    }
}
