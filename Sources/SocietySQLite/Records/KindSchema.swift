import SocietyCore
import SocietyRecordFormat

/// The table of one record kind, as this connection knows it: its name, its index columns and
/// the SQL it runs, built once per connection.
struct KindSchema: Sendable {
    let kind: String
    /// The record type's sensitive top-level fields, in a fixed order.
    let sensitiveFields: [String]
    let table: String
    /// Index names in declaration order, and which are keyed hashes.
    let indexNames: [String]
    let sensitiveIndexes: Set<String>
    let upsertSQL: String
    /// A plain insert, for a bulk load (which has dropped the key index and restores it at the end).
    let insertSQL: String
    let selectByKeySQL: String
    let deleteSQL: String

    /// A copy sharing no storage with this one, for another thread (see ``RowPreparer``).
    func isolated() -> KindSchema {
        func copy(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }
        return KindSchema(
            kind: copy(kind),
            sensitiveFields: sensitiveFields.map(copy),
            table: copy(table),
            indexNames: indexNames.map(copy),
            sensitiveIndexes: Set(sensitiveIndexes.map(copy)),
            upsertSQL: copy(upsertSQL),
            insertSQL: copy(insertSQL),
            selectByKeySQL: copy(selectByKeySQL),
            deleteSQL: copy(deleteSQL)
        )
    }

    private init(
        kind: String,
        sensitiveFields: [String],
        table: String,
        indexNames: [String],
        sensitiveIndexes: Set<String>,
        upsertSQL: String,
        insertSQL: String,
        selectByKeySQL: String,
        deleteSQL: String
    ) {
        self.kind = kind
        self.sensitiveFields = sensitiveFields
        self.table = table
        self.indexNames = indexNames
        self.sensitiveIndexes = sensitiveIndexes
        self.upsertSQL = upsertSQL
        self.insertSQL = insertSQL
        self.selectByKeySQL = selectByKeySQL
        self.deleteSQL = deleteSQL
    }

    static func column(_ index: String) -> String { "ix_\(index)" }

    init<Record: StorableRecord>(_ type: Record.Type) throws {
        let layout = try RecordLayout(Record.self)
        kind = layout.kind
        sensitiveFields = layout.sensitiveFields
        table = "rec_\(kind)"
        let names = layout.indexNames
        indexNames = names
        sensitiveIndexes = layout.sensitiveIndexes
        let columns = names.map { KindSchema.column($0) }
        let insertColumns = (["key", "version", "body"] + columns).joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: 3 + columns.count).joined(separator: ", ")
        let updates = (["version", "body"] + columns).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        insertSQL = "INSERT INTO \(table) (\(insertColumns)) VALUES (\(placeholders))"
        upsertSQL = insertSQL + " ON CONFLICT(key) DO UPDATE SET \(updates)"
        selectByKeySQL = "SELECT key, version, body FROM \(table) WHERE key = ?"
        deleteSQL = "DELETE FROM \(table) WHERE key = ?"
    }

    /// The table. Keys are unique through a named index rather than a `UNIQUE` column constraint,
    /// so that a bulk load can drop the index and build it once at the end (tables created before
    /// this keep their inline constraint and are loaded row by row).
    var createSQL: String {
        let columns = indexNames.map { ", \(KindSchema.column($0))" }.joined()
        return """
            CREATE TABLE IF NOT EXISTS \(table) (id INTEGER PRIMARY KEY, key NOT NULL, \
            version INTEGER NOT NULL, body BLOB NOT NULL\(columns))
            """
    }

    /// A plain insert of `rows` rows at once (`VALUES (…), (…), …`), for a bulk load.
    func insertSQL(rows: Int) -> String {
        let columns = 3 + indexNames.count
        let tuple = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let head = insertSQL[..<(insertSQL.range(of: " VALUES ")?.lowerBound ?? insertSQL.endIndex)]
        return head + " VALUES " + Array(repeating: tuple, count: max(1, rows)).joined(separator: ", ")
    }

    /// The unique index on the key. Index names are `rec_<kind>_<name>` with names starting with a
    /// letter, so the double underscore cannot collide with a declared index.
    var keyIndexName: String { "\(table)__key" }

    var createKeyIndexSQL: String { "CREATE UNIQUE INDEX IF NOT EXISTS \(keyIndexName) ON \(table) (key)" }

    func createIndexSQL(_ name: String) -> String {
        "CREATE INDEX IF NOT EXISTS \(table)_\(name) ON \(table) (\(KindSchema.column(name)))"
    }
}
