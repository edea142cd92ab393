import PostgresNIO

/// An error of the PostgreSQL adapter: what went wrong, the server's SQLSTATE when the server
/// answered, and the statement that failed — never its arguments, which may be personal data.
public struct PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The URL is not a PostgreSQL location this adapter can use.
        case invalidLocation
        /// A schema or table name that is not a plain lower-case SQL identifier.
        case invalidName
        /// No connection could be made or kept (server down, refused, timed out).
        case connection
        /// The server refused a statement (see ``PostgresStoreError/sqlState``).
        case server
        /// The stored data is not what this SDK writes (a newer schema, a broken log).
        case corrupt
    }

    /// The kind of failure.
    public var kind: Kind
    /// What went wrong.
    public var message: String
    /// The server's SQLSTATE (`23505` unique violation, `40001` serialization failure, …).
    public var sqlState: String?
    /// The statement that failed, without its arguments.
    public var statement: String?

    /// An error of `kind`.
    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, statement: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.statement = statement
    }

    /// The message, SQLSTATE and statement on one line.
    public var description: String {
        var text = "PostgreSQL: \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let statement { text += " in: \(statement)" }
        return text
    }

    /// `error` as this type, naming `statement` when it is known.
    static func wrapping(_ error: any Error, statement: String? = nil) -> PostgresStoreError {
        switch error {
        case let error as PostgresStoreError:
            var copy = error
            if copy.statement == nil { copy.statement = statement }
            return copy
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError {
                return wrapping(inner, statement: statement)
            }
            return PostgresStoreError(.server, "the transaction failed", statement: statement)
        case let error as PSQLError:
            if let info = error.serverInfo {
                return PostgresStoreError(
                    .server,
                    info[.message] ?? "the server refused the statement",
                    sqlState: info[.sqlState],
                    statement: statement
                )
            }
            return PostgresStoreError(.connection, "\(error.code)", statement: statement)
        case is CancellationError:
            return PostgresStoreError(.connection, "cancelled", statement: statement)
        default:
            return PostgresStoreError(.connection, "\(error)", statement: statement)
        }
    }
}
