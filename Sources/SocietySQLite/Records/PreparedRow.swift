import SocietyCore

/// Everything ``Database/put(_:)`` computes before it touches SQLite: the row key (a keyed hash
/// for a sensitive key), the encoded body with its sensitive fields sealed, the index values and
/// the audit subject. Computing it touches no connection, so a bulk put prepares the next chunk
/// on a second thread while the writer inserts this one.
struct PreparedRow: Sendable {
    let key: SQLiteValue
    let version: Int64
    let body: [UInt8]
    let indexValues: [SQLiteValue]
    /// The audit subject hash of the put, when the store is audited.
    let auditSubject: [UInt8]?

    init<Record: StorableRecord>(
        _ record: Record,
        schema: KindSchema,
        protector: FieldProtector?,
        audited: Bool
    ) throws {
        let recordKey = record.recordKey
        let (keyValue, rowKey) = try Database.rowKey(recordKey, kind: schema.kind, protector: protector)
        var sealer: FieldSealer?
        if !schema.sensitiveFields.isEmpty {
            guard let protector else { throw StoreError.protectionRequired(kind: schema.kind) }
            let kind = schema.kind
            sealer = { field, plain in try protector.seal(kind: kind, rowKey: rowKey, field: field, plaintext: plain) }
        }
        do {
            body = try RecordEncoding.encode(record, sensitiveFields: schema.sensitiveFields, sealer: sealer)
        } catch let error as EncodingError {
            throw StoreError.unencodable(kind: schema.kind, reason: "\(error)")
        }
        key = keyValue
        version = Int64(Record.schemaVersion)
        indexValues = try Database.indexValues(record, kind: schema.kind, protector: protector)
        if audited, let protector {
            auditSubject = try protector.auditSubject(kind: schema.kind, id: recordKey.value)
        } else {
            auditSubject = nil
        }
    }
}
