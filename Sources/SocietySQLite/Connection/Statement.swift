internal import CSQLite

/// One prepared statement, owned by one connection and finalized with it.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private unowned let connection: Connection

    init(connection: Connection, sql: String, persistent: Bool) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let result = sqlite3_prepare_v3(connection.handle, sql, -1, flags, &handle, nil)
        guard result == SQLITE_OK, let handle else {
            throw SQLiteError(result == SQLITE_OK ? SQLITE_MISUSE : result, connection.handle, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears bindings and rewinds, ready for the next use.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let result: Int32
        switch value {
        case .null: result = sqlite3_bind_null(handle, index)
        case .integer(let v): result = sqlite3_bind_int64(handle, index, v)
        case .real(let v): result = sqlite3_bind_double(handle, index, v)
        case .text(let v): result = sqlite3_bind_text(handle, index, v, -1, csqlite_transient())
        case .blob(let v): result = bindBlob(v, at: index)
        }
        try SQLiteError.check(result, connection.handle, sql: sql)
    }

    func bind(_ value: Int64, at index: Int32) throws(SQLiteError) {
        try SQLiteError.check(sqlite3_bind_int64(handle, index, value), connection.handle, sql: sql)
    }

    func bind(_ value: String, at index: Int32) throws(SQLiteError) {
        try SQLiteError.check(
            sqlite3_bind_text(handle, index, value, -1, csqlite_transient()),
            connection.handle,
            sql: sql
        )
    }

    func bind(_ bytes: [UInt8], at index: Int32) throws(SQLiteError) {
        try SQLiteError.check(bindBlob(bytes, at: index), connection.handle, sql: sql)
    }

    /// Binds `bytes` without SQLite copying them (`SQLITE_STATIC`). The caller runs the statement
    /// and resets it while `bytes` is still valid; `reset` clears the binding.
    func bindBorrowed(_ bytes: UnsafeRawBufferPointer, at index: Int32) throws(SQLiteError) {
        // A zero-length blob still needs a non-null pointer, or SQLite binds NULL.
        let result = sqlite3_bind_blob(
            handle,
            index,
            bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
            Int32(bytes.count),
            nil
        )
        try SQLiteError.check(result, connection.handle, sql: sql)
    }

    private func bindBlob(_ bytes: [UInt8], at index: Int32) -> Int32 {
        bytes.withUnsafeBytes { raw in
            // A zero-length blob still needs a non-null pointer, or SQLite binds NULL.
            sqlite3_bind_blob(
                handle,
                index,
                raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                Int32(raw.count),
                csqlite_transient()
            )
        }
    }

    func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Steps once: `true` when a row is available, `false` when done.
    func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        if result == SQLITE_ROW { return true }
        if result == SQLITE_DONE { return false }
        throw SQLiteError(result, connection.handle, sql: sql)
    }

    /// Runs to completion, ignoring rows.
    func run() throws(SQLiteError) {
        while try step() {}
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// `body` with the blob of `column` where SQLite keeps it (valid until the next step), for a
    /// reader that needs the bytes once and not an array of their own.
    func withBlob<Result>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let pointer, count > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: .integer(int64(column))
        case SQLITE_FLOAT: .real(double(column))
        case SQLITE_TEXT: .text(text(column))
        case SQLITE_BLOB: .blob(blob(column))
        default: .null
        }
    }
}
