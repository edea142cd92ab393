import ArgumentParser
import Foundation
import SocietyCore
import SocietyOpenSSL
import SocietySQLite

/// An encrypted, audited SQLite store whose master secret lives in `PATH.key` (created on first
/// use, mode 600) — the same key file format `taizhou onecard` uses, so domains that meet in one
/// file (veterans paid through the one-card ledger) share it.
struct ProtectedStore {
    let store: SQLiteStore
    let keys: StaticKeyProvider
    let crypto: OpenSSLCryptoProvider

    /// Opens `path`, auditing as `actor`.
    init(path: String, actor: String, origin: String) throws {
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.derived(from: try Self.masterSecret(for: path, crypto), using: crypto)
        do {
            store = try SQLiteStore(
                path: path,
                configuration: SQLiteConfiguration(
                    protection: RecordProtection(crypto: crypto, keys: keys),
                    audit: StoreAuditing(actor: actor, origin: origin)
                )
            )
        } catch {
            throw failure("cannot open \(path): \(error)")
        }
        self.keys = keys
        self.crypto = crypto
    }

    /// The 32-byte master secret in `path.key`, created on first use.
    private static func masterSecret(for path: String, _ crypto: OpenSSLCryptoProvider) throws -> [UInt8] {
        let keyPath = path + ".key"
        if let text = try? String(contentsOfFile: keyPath, encoding: .utf8) {
            guard let bytes = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
            else { throw failure("\(keyPath) is not a DigitalSociety key file") }
            return bytes
        }
        let bytes = try crypto.randomBytes(count: 32)
        try writeFile(Data((Base64URL.encode(bytes) + "\n").utf8), to: keyPath)
        _ = try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        return bytes
    }
}

/// Runs a service call (synchronous or not), turning its typed errors into one clear line.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw failure("\(error)")
    }
}
