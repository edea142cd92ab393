import Foundation
import SocietyCore
import SocietyExchange
import SocietyOpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parties' private keys in the state folder: `keys/CREDITCODE-SUBSYSTEM.sig.pem` (signing) and
/// `.enc.pem` (encryption), PKCS#8 PEM as `openssl` writes them, mode 600, generated on first use
/// and never overwritten.
struct PartyKeyFiles: Sendable {
    let folder: URL
    let crypto: any CryptoProvider

    static func signingKid(_ party: Party) -> String {
        "\(party.subsystem)-\(party.organization.value.suffix(4))-sig-1"
    }
    static func encryptionKid(_ party: Party) -> String {
        "\(party.subsystem)-\(party.organization.value.suffix(4))-enc-1"
    }

    private func url(_ party: Party, _ suffix: String) -> URL {
        folder.appendingPathComponent("\(party.organization.value)-\(party.subsystem).\(suffix).pem")
    }

    func signingKey(of party: Party, algorithm: SignatureAlgorithm) throws(DeploymentError) -> any SigningKey {
        let file = url(party, "sig")
        return try loadOrCreate(file) {
            switch algorithm {
            case .sm2: try SM2.Signing.PrivateKey().pemRepresentation
            case .ed25519: try Ed25519.Signing.PrivateKey().pemRepresentation
            case .p256: try P256.Signing.PrivateKey().pemRepresentation
            }
        } read: { bytes in
            try crypto.importSigningKey(algorithm, from: bytes, encoding: .pem)
        }
    }

    func decryptionKey(of party: Party, algorithm: EncryptionKeyAlgorithm) throws(DeploymentError) -> any DecryptionKey
    {
        let file = url(party, "enc")
        return try loadOrCreate(file) {
            switch algorithm {
            case .sm2: try SM2.Encryption.PrivateKey().pemRepresentation
            case .x25519: try X25519.KeyAgreement.PrivateKey().pemRepresentation
            case .p256: try P256.KeyAgreement.PrivateKey().pemRepresentation
            }
        } read: { bytes in
            try crypto.importDecryptionKey(algorithm, from: bytes, encoding: .pem)
        }
    }

    private func loadOrCreate<Key>(
        _ file: URL,
        generate: () throws -> String,
        read: ([UInt8]) throws -> Key
    ) throws(DeploymentError) -> Key {
        do {
            if !FileManager.default.fileExists(atPath: file.path) {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                do {
                    try PartyKeyFiles.writeSecret(Data(try generate().utf8), to: file)
                } catch DeploymentError.keyFile(_, let reason) where reason == PartyKeyFiles.exists {
                    // Another process made it first: use theirs.
                }
            }
            return try read(Array(try Data(contentsOf: file)))
        } catch let error as DeploymentError {
            throw error
        } catch {
            throw .keyFile(path: file.path, reason: "\(error)")
        }
    }

    static let exists = "already exists"

    /// Writes `data` to a new file readable by its owner only; never replaces an existing file.
    static func writeSecret(_ data: Data, to url: URL) throws(DeploymentError) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw .keyFile(path: url.path, reason: errno == EEXIST ? exists : String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count else { throw .keyFile(path: url.path, reason: "short write") }
    }
}
