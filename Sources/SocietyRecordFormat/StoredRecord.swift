package import SocietyCore

/// Reading a stored row back into a record, the same for every store that keeps rows in this
/// module's format: the body decoded (through an upgrade step when it was stored under an older
/// schema version), sealed fields opened bound to the row's key, and failures turned into
/// ``SocietyCore/StoreError`` values that name the kind, a masked key and the field.
package enum StoredRecord {
    /// Decodes one stored row with `opener` (`nil` when sealed fields may not be opened); a scan
    /// keeps one opener per chunk.
    package static func decode<Record: StorableRecord>(
        _ type: Record.Type,
        rowKey: [UInt8],
        version: Int64,
        body: [UInt8],
        opener rowOpener: RowOpener?
    ) throws -> Record {
        let kind = Record.recordKind
        rowOpener?.rowKey = rowKey
        let opener = rowOpener?.opener(kind: kind)
        do {
            if version == Int64(Record.schemaVersion) {
                return try RecordDecoding.decode(Record.self, from: body, opener: opener)
            }
            guard version < Int64(Record.schemaVersion),
                let step = Record.upgrades.first(where: { Int64($0.fromVersion) == version })
            else { throw StoreError.noUpgrade(kind: kind, fromVersion: Int(version), toVersion: Record.schemaVersion) }
            return try step.upgrade(RecordDecoding.decoder(for: body, opener: opener))
        } catch let error as MissingOpener {
            throw StoreError.purposeRequired(kind: kind, field: error.field)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.undecodable(
                kind: kind,
                key: describe(rowKey: rowKey, sensitive: rowKey.count == 32 && !isText(rowKey)),
                reason: "\(error)"
            )
        }
    }

    private static func isText(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// A row key for errors and logs: a clear key as it is, a keyed hash as `#` and its first bytes.
    package static func describe(rowKey: [UInt8], sensitive: Bool) -> String {
        if !sensitive, let text = String(validating: rowKey, as: UTF8.self) { return text }
        let hex = rowKey.prefix(6).map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }
        return "#" + hex.joined()
    }
}

/// Opens the sealed fields of the rows one thread decodes, bound to the current row's key.
///
/// One per chunk rather than a closure per row: a closure capturing the protector copies it,
/// retaining the key provider and crypto provider it holds, which every decoding thread shares;
/// their reference counts then bounce between cores on every row.
package final class RowOpener {
    package let protector: FieldProtector
    package var rowKey: [UInt8] = []
    private var cached: (kind: String, opener: FieldOpener)?

    package init(_ protector: FieldProtector) { self.protector = protector }

    package func opener(kind: String) -> FieldOpener {
        if let cached, cached.kind == kind { return cached.opener }
        let opener: FieldOpener = { [unowned self] field, sealed in
            do {
                return try self.protector.open(kind: kind, rowKey: self.rowKey, field: field, sealed: sealed)
            } catch {
                throw StoreError.decryptionFailed(
                    kind: kind,
                    key: StoredRecord.describe(rowKey: self.rowKey, sensitive: true),
                    field: field
                )
            }
        }
        cached = (kind, opener)
        return opener
    }
}
