internal import CSQLite

/// One SQLite connection and its prepared-statement cache. Not Sendable: the store hands each
/// connection to one thread at a time, under a lock.
final class Connection {
    let handle: OpaquePointer
    private var cache: [String: Statement] = [:]
    /// The record tables this connection has checked, by kind.
    var kinds: [ObjectIdentifier: KindSchema] = [:]
    /// What the connection's WAL hook points at, kept alive until the connection is closed.
    var walHookOwner: AnyObject?

    init(path: String, readOnly: Bool, configuration: SQLiteConfiguration) throws(SQLiteError) {
        var handle: OpaquePointer?
        // NOMUTEX: the store already guarantees one thread per connection at a time.
        let flags =
            (readOnly
                ? SQLITE_OPEN_READONLY
                : SQLITE_OPEN_READWRITE | (configuration.createIfMissing ? SQLITE_OPEN_CREATE : 0))
            | SQLITE_OPEN_NOMUTEX
            | SQLITE_OPEN_URI
        let result = sqlite3_open_v2(path, &handle, flags, nil)
        guard result == SQLITE_OK, let handle else {
            let error = SQLiteError(result, handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, Int32(clamping: configuration.busyTimeoutMilliseconds))
        var ignored: Int32 = 0
        _ = csqlite_db_config_int(handle, SQLITE_DBCONFIG_DEFENSIVE, 1, &ignored)
        try execute("PRAGMA foreign_keys = ON")
        try execute("PRAGMA synchronous = \(configuration.durability == .full ? "FULL" : "NORMAL")")
        try execute("PRAGMA cache_size = -\(configuration.cacheKibibytes)")
        try execute("PRAGMA wal_autocheckpoint = \(max(0, configuration.walAutocheckpointPages))")
        try execute("PRAGMA temp_store = MEMORY")
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The cached statement for `sql`, prepared once with `SQLITE_PREPARE_PERSISTENT`.
    func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = cache[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(connection: self, sql: sql, persistent: true)
        cache[sql] = statement
        return statement
    }

    /// Runs one or more statements with no arguments and no results.
    func execute(_ sql: String) throws(SQLiteError) {
        try SQLiteError.check(sqlite3_exec(handle, sql, nil, nil, nil), handle, sql: sql)
    }

    /// Runs one statement with arguments through the cache.
    func execute(_ sql: String, _ arguments: [SQLiteValue]) throws(SQLiteError) {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        try statement.run()
    }

    /// Every row of one statement, as values.
    func rows(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> [[SQLiteValue]] {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        var rows: [[SQLiteValue]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.value($0) })
        }
        return rows
    }

    /// The first column of the first row as an integer, or `nil`.
    func scalar(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> Int64? {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    func tableExists(_ name: String) throws(SQLiteError) -> Bool {
        try scalar("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [.text(name)]) != nil
    }
}
