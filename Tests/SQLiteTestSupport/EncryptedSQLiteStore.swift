public import Foundation
public import SocietyCore
public import SocietyOpenSSL
public import SocietySQLite
import SocietyTesting

/// A department's SQLite store as the integration tests use it: in a fresh temporary folder, with
/// random keys, sealed fields and keyed hashes on OpenSSL, and the audit log written as `actor`.
/// The test reads the file (``bytes``) to check nothing personal is in clear, then ``remove()``s it.
public struct EncryptedSQLiteStore: Sendable {
    /// The store.
    public let store: SQLiteStore
    /// Its keys.
    public let keys: StaticKeyProvider
    /// The cryptography.
    public let crypto: OpenSSLCryptoProvider
    /// The database file.
    public let path: String
    private let folder: URL

    /// A store named `name` in a new folder, auditing as `actor` by `clock`.
    public init(_ name: String, actor: String, clock: any WallClock) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tz-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        crypto = OpenSSLCryptoProvider()
        keys = try StaticKeyProvider.random(using: crypto)
        path = folder.appendingPathComponent("\(name).sqlite").path
        store = try SQLiteStore(
            path: path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: actor, origin: "test", clock: clock)
            )
        )
    }

    /// The database file and its write-ahead log, as bytes.
    public var bytes: Data { StoreFiles.bytes(of: path) }

    /// Whether `text` appears in clear in the files.
    public func contains(_ text: String) -> Bool { bytes.range(of: Data(text.utf8)) != nil }

    /// Removes the folder.
    public func remove() { try? FileManager.default.removeItem(at: folder) }
}
