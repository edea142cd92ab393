internal import CSQLite

/// Facts about the SQLite library this process linked, for diagnostics and the CLI's `version`.
public enum SQLiteLibrary {
    /// The linked library's version, e.g. `3.40.1`, read from the library itself rather than the
    /// header the SDK was compiled against.
    public static var version: String { String(cString: sqlite3_libversion()) }

    /// Whether the linked library was built thread-safe (`SQLITE_THREADSAFE` ≠ 0), which the
    /// store's one-writer, many-readers design relies on.
    public static var isThreadSafe: Bool { sqlite3_threadsafe() != 0 }
}
