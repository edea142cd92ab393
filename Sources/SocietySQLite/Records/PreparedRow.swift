import SocietyCore

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
/// cache line both cores keep taking from each other), which cost a bulk load about a sixth of
/// its time. `isolated()` gives a thread private copies of all of them.
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
        self.indexes = isolated ? Record.indexes.withUnsafeBufferPointer { Array($0) } : Record.indexes
    }

    private func makeSealer() -> FieldSealer? {
        guard !schema.sensitiveFields.isEmpty, let protector else { return nil }
        let kind = schema.kind
        return { [unowned self] field, plain in
            try protector.seal(kind: kind, rowKey: self.rowKey, field: field, plaintext: plain)
        }
    }

    func prepare(_ record: Record) throws -> PreparedRow {
        let recordKey = record.recordKey
        let (keyValue, rowKey) = try Database.rowKey(recordKey, kind: schema.kind, protector: protector)
        if !schema.sensitiveFields.isEmpty, protector == nil { throw StoreError.protectionRequired(kind: schema.kind) }
        self.rowKey = rowKey
        let body: [UInt8]
        do {
            body = try RecordEncoding.encode(record, sensitiveFields: schema.sensitiveFields, sealer: sealer)
        } catch let error as EncodingError {
            throw StoreError.unencodable(kind: schema.kind, reason: "\(error)")
        }
        var indexValues: [SQLiteValue] = []
        indexValues.reserveCapacity(indexes.count)
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
        var auditSubject: [UInt8]?
        if audited, let protector {
            auditSubject = try protector.auditSubject(kind: schema.kind, id: recordKey.value)
        }
        return PreparedRow(
            key: keyValue,
            version: Int64(Record.schemaVersion),
            body: body,
            indexValues: indexValues,
            auditSubject: auditSubject
        )
    }
}
