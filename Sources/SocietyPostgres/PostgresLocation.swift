import Foundation

/// Where a PostgreSQL database is, as a `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL.
///
/// The description never shows the password, so a location can be logged and printed.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's port (5432 by default).
    public var port: Int
    /// The role to connect as.
    public var user: String
    /// The role's password, when the server asks for one.
    public var password: String?
    /// The database.
    public var database: String

    /// A location from its parts.
    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parses `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also `postgres://`). The only
    /// query parameter understood is `sslmode=disable`: this adapter does not speak TLS yet, and a
    /// URL asking for it is refused rather than silently sent in clear.
    public init(url text: String) throws(PostgresStoreError) {
        func invalid(_ reason: String) -> PostgresStoreError {
            PostgresStoreError(.invalidLocation, "not a PostgreSQL URL (\(reason)): \(PostgresLocation.redacted(text))")
        }
        guard let components = URLComponents(string: text) else { throw invalid("unparsable") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgresql" || scheme == "postgres" else {
            throw invalid("the scheme must be postgresql")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database") }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw invalid("port \(port)") }
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode", item.value == "disable" else {
                throw invalid("unsupported parameter \(item.name)\(item.value.map { "=\($0)" } ?? "")")
            }
        }
        self.init(host: host, port: port, user: user, password: components.password, database: database)
    }

    /// The URL without its password.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    /// `text` with any password between `:` and `@` replaced, for error messages.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://")?.upperBound,
            let colon = text[schemeEnd..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
