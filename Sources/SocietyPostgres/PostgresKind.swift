import SocietyCore
import SocietyRecordFormat

/// The table of one record kind in a department's schema, as the store knows it.
///
/// `rec_<kind>(id, key, version, body, ix_<index>…)`: `id` is an identity column that gives the
/// storage order (an upsert keeps a row's id, as SQLite keeps its rowid); `key` is the row key's
/// bytes, the same bytes the SQLite store binds sealed fields to (the key's UTF-8, or its keyed
/// hash), so a row moved between the two stores opens; every index column is a `bytea` holding
/// ``IndexKey`` bytes (or the keyed hash of a searchable sensitive index). A table partitioned by
/// district has a `part` column (the six-digit GB/T 2260 county code) in its primary key.
struct KindTable: Sendable {
    let kind: String
    /// `rec_<kind>`, unquoted.
    let name: String
    /// The department's schema.
    let schema: String
    /// `"schema".rec_<kind>`.
    let table: String
    let indexNames: [String]
    let sensitiveIndexes: Set<String>
    let sensitiveFields: [String]
    /// The index whose value places a row in its district's partition, when the table is partitioned.
    let partitionIndex: String?

    init<Record: StorableRecord>(_ type: Record.Type, schema: String, partitionIndex: String?) throws {
        let layout = try RecordLayout(Record.self)
        kind = layout.kind
        name = "rec_\(kind)"
        self.schema = schema
        table = "\"\(schema)\".\(name)"
        indexNames = layout.indexNames
        sensitiveIndexes = layout.sensitiveIndexes
        sensitiveFields = layout.sensitiveFields
        self.partitionIndex = partitionIndex
    }

    static func column(_ index: String) -> String { "ix_\(index)" }

    var columns: [String] { indexNames.map(KindTable.column) }

    /// The statements that create the table and its indexes. Index columns are indexed with the
    /// row id, so that "ordered by a field, ties in storage order" is one index scan.
    func createStatements() -> [String] {
        let indexColumns = columns.map { ", \($0) BYTEA" }.joined()
        var statements: [String]
        if partitionIndex != nil {
            statements = [
                """
                CREATE TABLE \(table) (id BIGINT GENERATED ALWAYS AS IDENTITY, part TEXT NOT NULL, \
                key BYTEA NOT NULL, version INTEGER NOT NULL, body BYTEA NOT NULL\(indexColumns), \
                PRIMARY KEY (part, key)) PARTITION BY LIST (part)
                """,
                "CREATE TABLE \"\(schema)\".\(name)__other PARTITION OF \(table) DEFAULT",
                "CREATE INDEX \(name)__key ON \(table) (key)",
                "CREATE INDEX \(name)__id ON \(table) (id)",
            ]
        } else {
            statements = [
                """
                CREATE TABLE \(table) (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
                key BYTEA NOT NULL UNIQUE, version INTEGER NOT NULL, body BYTEA NOT NULL\(indexColumns))
                """
            ]
        }
        statements += indexNames.map(createIndexStatement)
        return statements
    }

    func createIndexStatement(_ index: String) -> String {
        "CREATE INDEX \(name)_\(index) ON \(table) (\(KindTable.column(index)) ASC NULLS FIRST, id)"
    }

    /// The partition of `district`: `rec_<kind>__p<code>`.
    func partitionName(_ district: String) -> String { "\(name)__p\(district)" }

    /// The partition key of an index value: the six-digit county code its text starts with, or
    /// `""` (the default partition) for anything else.
    static func district(of value: IndexValue?) -> String {
        guard case .text(let text) = value else { return "" }
        let digits = Array(text.utf8.prefix(6))
        guard digits.count == 6, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return "" }
        return String(decoding: digits, as: UTF8.self)
    }

    // MARK: Statements

    /// Inserts many rows given as arrays (`unnest`), in their order, replacing rows with the same key.
    var upsertManySQL: String {
        let count = indexNames.count + (partitionIndex == nil ? 3 : 4)
        var types = ["bytea[]", "bigint[]", "bytea[]"] + Array(repeating: "bytea[]", count: indexNames.count)
        var targets = ["key", "version", "body"] + columns
        var selected = ["c1", "c2", "c3"] + (0..<indexNames.count).map { "NULLIF(c\($0 + 4), ''::bytea)" }
        if partitionIndex != nil {
            types.append("text[]")
            targets.append("part")
            selected.append("c\(count)")
        }
        let parameters = types.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        let aliases = (1...count).map { "c\($0)" }.joined(separator: ", ")
        let updates = (["version", "body"] + columns).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let conflict = partitionIndex == nil ? "key" : "part, key"
        return """
            INSERT INTO \(table) (\(targets.joined(separator: ", "))) \
            SELECT \(selected.joined(separator: ", ")) FROM unnest(\(parameters)) WITH ORDINALITY AS r(\(aliases), n) \
            ORDER BY n ON CONFLICT (\(conflict)) DO UPDATE SET \(updates)
            """
    }

    /// Removes the rows whose key moves to another district's partition (a partitioned table only).
    var moveOutSQL: String {
        """
        DELETE FROM \(table) AS t USING unnest($1::bytea[], $2::text[]) AS m(key, part) \
        WHERE t.key = m.key AND t.part <> m.part
        """
    }
}

/// The bytes an index column holds for a clear value, ordered as ``SocietyCore/IndexValue``
/// orders values (SQLite's order): numbers before text, numbers by value, text by its UTF-8
/// bytes. PostgreSQL compares `bytea` values byte by byte, shorter first, so an index on the
/// column answers ranges and orderings exactly as SQLite's dynamically typed column does.
///
/// Numbers: `0x01 ‖ d ‖ c`, where `d` is the value as a double in an order-preserving 8-byte form
/// and `c` the integer's remainder from that double (big-endian, sign bit flipped), which orders
/// integers beyond 2⁵³ that round to the same double. Text: `0x02 ‖ UTF-8`.
enum IndexKey {
    static func bytes(_ value: IndexValue) -> [UInt8]? {
        var out: [UInt8] = []
        return write(value, into: &out) ? out : nil
    }

    /// ``bytes(_:)`` written over `out`, a buffer a bulk load keeps for every row; `false` for a
    /// value with no place in the order (NaN).
    static func write(_ value: IndexValue, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        switch value {
        case .integer(let integer):
            let double = Double(integer)
            let base: Int64 = double >= 0x1p63 ? .max : Int64(double)
            out.append(0x01)
            appendOrdered(double, to: &out)
            appendOrdered(integer &- base, to: &out)
        case .real(let real):
            guard !real.isNaN else { return false }
            out.append(0x01)
            appendOrdered(real == 0 ? 0 : real, to: &out)
            appendOrdered(Int64(0), to: &out)
        case .text(let text):
            out.append(0x02)
            out += text.utf8
        }
        return true
    }

    private static func appendOrdered(_ value: Double, to out: inout [UInt8]) {
        let bits = value.bitPattern
        appendBigEndian(bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63), to: &out)
    }

    private static func appendOrdered(_ value: Int64, to out: inout [UInt8]) {
        appendBigEndian(UInt64(bitPattern: value) ^ (1 << 63), to: &out)
    }

    private static func appendBigEndian(_ value: UInt64, to out: inout [UInt8]) {
        var shift = 56
        while shift >= 0 {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }
}
