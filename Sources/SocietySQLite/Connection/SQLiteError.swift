internal import CSQLite

/// An error reported by SQLite: its extended result code, its message and the SQL that failed.
///
/// Arguments bound to the statement are never included, so an error can be logged without
/// leaking a sensitive value. `catch` can match on the code:
/// `catch let error as SQLiteError where error.code.primary == .constraint`.
public struct SQLiteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A SQLite result code (primary or extended).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The numeric code as SQLite defines it.
        public let rawValue: Int32
        /// Wraps a numeric code.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The primary code (the low 8 bits of an extended code).
        public var primary: Code { Code(rawValue: rawValue & 0xFF) }

        /// `SQLITE_ERROR`: a generic error, usually in the SQL.
        public static let error = Code(rawValue: 1)
        /// `SQLITE_BUSY`: another connection holds a lock (the store retries within its busy timeout).
        public static let busy = Code(rawValue: 5)
        /// `SQLITE_LOCKED`: a conflict inside one connection.
        public static let locked = Code(rawValue: 6)
        /// `SQLITE_READONLY`: a write to a read-only database.
        public static let readOnly = Code(rawValue: 8)
        /// `SQLITE_IOERR`: the operating system reported an I/O error.
        public static let ioError = Code(rawValue: 10)
        /// `SQLITE_CORRUPT`: the file is damaged.
        public static let corrupt = Code(rawValue: 11)
        /// `SQLITE_FULL`: the disk is full.
        public static let full = Code(rawValue: 13)
        /// `SQLITE_CANTOPEN`: the file cannot be opened.
        public static let cannotOpen = Code(rawValue: 14)
        /// `SQLITE_CONSTRAINT`: a uniqueness, foreign-key or check constraint failed.
        public static let constraint = Code(rawValue: 19)
        /// `SQLITE_MISUSE`: the library was used incorrectly (a bug in the caller).
        public static let misuse = Code(rawValue: 21)
        /// `SQLITE_NOTADB`: the file is not a SQLite database.
        public static let notADatabase = Code(rawValue: 26)

        /// SQLite's English name for the code, e.g. `constraint failed`.
        public var description: String { "\(String(cString: sqlite3_errstr(rawValue))) (\(rawValue))" }
    }

    /// The extended result code.
    public let code: Code
    /// SQLite's message (`sqlite3_errmsg`), which names tables and columns but not bound values.
    public let message: String
    /// The SQL text of the failing statement, if there was one.
    public let sql: String?

    /// Creates an error from its parts.
    public init(code: Code, message: String, sql: String?) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// `SQLite error <code>: <message> [in <sql>]`.
    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " — in \(sql)" }
        return text
    }

    static func check(_ result: Int32, _ db: OpaquePointer?, sql: String?) throws(SQLiteError) {
        guard result != SQLITE_OK else { return }
        throw SQLiteError(result, db, sql: sql)
    }

    init(_ result: Int32, _ db: OpaquePointer?, sql: String?) {
        let extended = db.map { sqlite3_extended_errcode($0) } ?? result
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(result))
        // The connection's extended code belongs to the same failure when its primary code matches.
        let code = (extended & 0xFF) == (result & 0xFF) ? extended : result
        self.init(code: Code(rawValue: code), message: message, sql: sql)
    }
}

/// A value bound to, or read from, a SQL statement.
public enum SQLiteValue: Hashable, Sendable {
    /// `NULL`.
    case null
    /// An integer.
    case integer(Int64)
    /// A floating-point number.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes.
    case blob([UInt8])
}
