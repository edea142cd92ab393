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
    /// Whether and how the connection is encrypted.
    public var tls: TLSMode

    /// How the connection to the server is protected (libpq's `sslmode` values of the same names).
    public enum TLSMode: Sendable, Hashable {
        /// In clear: for a server on a local socket or a private network only.
        case disable
        /// Encrypted, without checking whose certificate the server shows (protects against
        /// eavesdropping, not against an impostor).
        case require
        /// Encrypted, with the server's certificate checked against `rootCertificate` (a PEM file;
        /// the system's roots when `nil`) and against the host name: what a deployment should use.
        case verifyFull(rootCertificate: String?)
    }

    /// A location from its parts.
    public init(
        host: String,
        port: Int = 5432,
        user: String,
        password: String? = nil,
        database: String,
        tls: TLSMode = .disable
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&sslrootcert=FILE]` (also
    /// `postgres://`). `sslmode` is `disable` (the default), `require` or `verify-full`; the modes
    /// that may fall back to clear text (`prefer`, `allow`) or skip the host name (`verify-ca`) are
    /// refused, as is any other parameter.
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
        var mode = "disable"
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", let value?): mode = value
            case ("sslrootcert", let value?) where !value.isEmpty: rootCertificate = value
            default:
                throw invalid("unsupported parameter \(item.name)\(item.value.map { "=\($0)" } ?? "")")
            }
        }
        let tls: TLSMode
        switch mode {
        case "disable": tls = .disable
        case "require": tls = .require
        case "verify-full": tls = .verifyFull(rootCertificate: rootCertificate)
        default:
            // prefer and allow may fall back to clear text; verify-ca skips the host name.
            throw invalid("sslmode=\(mode) is not supported: use disable, require or verify-full")
        }
        self.init(host: host, port: port, user: user, password: components.password, database: database, tls: tls)
    }

    /// The URL without its password.
    public var description: String {
        let mode: String
        switch tls {
        case .disable: mode = ""
        case .require: mode = "?sslmode=require"
        case .verifyFull(let root): mode = "?sslmode=verify-full" + (root.map { "&sslrootcert=\($0)" } ?? "")
        }
        return "postgresql://\(user)@\(host):\(port)/\(database)" + mode
    }

    /// `text` with any password between `:` and `@` replaced, for error messages.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://")?.upperBound,
            let colon = text[schemeEnd..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
