import Foundation
import SocietyCore

/// What the in-memory store knows of a record type: its validated kind and index names, and how
/// to select and decode its records as the SQLite store does.
struct InMemorySchema<Record: StorableRecord> {
    let kind: String
    let indexes: [String: RecordIndex<Record>]

    init(_ type: Record.Type) throws {
        kind = try InMemorySchema.validName(Record.recordKind)
        var indexes: [String: RecordIndex<Record>] = [:]
        for index in Record.indexes {
            _ = try InMemorySchema.validName(index.name)
            guard indexes[index.name] == nil else { throw StoreError.invalidName(index.name) }
            indexes[index.name] = index
        }
        self.indexes = indexes
    }

    /// Lowercase ASCII letters, digits and `_`, starting with a letter, at most 48 bytes.
    static func validName(_ name: String) throws -> String {
        let utf8 = Array(name.utf8)
        guard let first = utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), utf8.count <= 48,
            utf8.allSatisfy({
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "_")
            })
        else { throw StoreError.invalidName(name) }
        return name
    }

    private func index(_ field: String) throws -> RecordIndex<Record> {
        guard let index = indexes[field] else { throw StoreError.unknownIndex(kind: kind, field: field) }
        return index
    }

    /// The stored records matching `query`, in its order, at most its limit. Storage order is
    /// insertion order; ties in an ordered query fall back to it, as SQLite's row ids do.
    func matching(_ query: RecordQuery<Record>, in table: [String: StoredRecord]) throws -> [StoredRecord] {
        var rows = Array(table.values)
        if let field = query.field {
            let index = try index(field)
            switch query.condition {
            case .any: break
            case .equals(let value): rows = rows.filter { $0.index[field] == value }
            case .among(let values):
                let wanted = Set(values)
                rows = rows.filter { $0.index[field].map(wanted.contains) ?? false }
            case .range(let lower, let upper, let inclusive):
                guard !index.isSensitive else {
                    throw StoreError.unsupportedQuery(
                        kind: kind,
                        field: field,
                        reason: "a searchable sensitive index supports equality only"
                    )
                }
                rows = rows.filter { row in
                    guard let value = row.index[field] else { return false }
                    if let lower, value < lower { return false }
                    if let upper { return inclusive ? value <= upper : value < upper }
                    return true
                }
            }
        }
        switch query.order {
        case .unspecified:
            rows.sort { $0.sequence < $1.sequence }
        case .ascending(let field), .descending(let field):
            guard !(try index(field)).isSensitive else {
                throw StoreError.unsupportedQuery(
                    kind: kind,
                    field: field,
                    reason: "a searchable sensitive index cannot order results"
                )
            }
            // SQLite puts NULL first in ascending order.
            func before(_ a: StoredRecord, _ b: StoredRecord) -> Bool {
                switch (a.index[field], b.index[field]) {
                case (nil, nil): a.sequence < b.sequence
                case (nil, _): true
                case (_, nil): false
                case (let x?, let y?): x == y ? a.sequence < b.sequence : x < y
                }
            }
            if case .descending = query.order { rows.sort { before($1, $0) } } else { rows.sort(by: before) }
        }
        if let limit = query.limit { rows = Array(rows.prefix(max(0, limit))) }
        return rows
    }

    /// Decodes a stored record, upgrading it from an older schema version when it was stored
    /// under one.
    func decode(_ type: Record.Type, _ stored: StoredRecord) throws -> Record {
        do {
            if stored.version == Record.schemaVersion {
                return try JSONDecoder().decode(Record.self, from: stored.body)
            }
            guard let step = Record.upgrades.first(where: { $0.fromVersion == stored.version }) else {
                throw StoreError.noUpgrade(kind: kind, fromVersion: stored.version, toVersion: Record.schemaVersion)
            }
            return try JSONDecoder().decode(Upgraded<Record>.self, from: stored.body, configuration: step).record
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.undecodable(kind: kind, key: stored.key.description, reason: "\(error)")
        }
    }
}

/// Runs an upgrade step on the decoder of a stored body.
private struct Upgraded<Record: StorableRecord>: DecodableWithConfiguration {
    let record: Record
    init(from decoder: any Decoder, configuration: RecordUpgrade<Record>) throws {
        record = try configuration.upgrade(decoder)
    }
}
