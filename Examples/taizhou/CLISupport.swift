import ArgumentParser
import Foundation
import SocietyCore
import SocietyOpenSSL

/// Writes `error: <message>` to standard error and returns the exit code to throw: bad input ends
/// with one clear line and a non-zero status, never a backtrace.
func failure(status: Int32 = 1, _ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(status)
}

/// Writes a note (not an error) to standard error, keeping standard output machine-readable.
func note(_ message: String) {
    FileHandle.standardError.write(Data("note: \(message)\n".utf8))
}

/// Reads a file, or standard input for `nil` or `-`.
func readInput(_ path: String?) throws -> Data {
    do {
        if let path, path != "-" { return try Data(contentsOf: URL(fileURLWithPath: path)) }
        return FileHandle.standardInput.readDataToEndOfFile()
    } catch {
        throw failure("cannot read \(path ?? "standard input"): \(error.localizedDescription)")
    }
}

/// Writes `data` to `path`, creating or replacing it.
func writeFile(_ data: Data, to path: String) throws {
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw failure("cannot write \(path): \(error.localizedDescription)")
    }
}

/// Key files as `openssl` writes them: PKCS#8 private keys and SPKI public keys in PEM.
enum KeyFiles {
    static let crypto = OpenSSLCryptoProvider()

    /// A new key pair of `algorithm` as PEM texts (private, public).
    static func generate(_ algorithm: SignatureAlgorithm) throws -> (privatePEM: String, publicPEM: String) {
        switch algorithm {
        case .sm2:
            let key = try SM2.Signing.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .ed25519:
            let key = try Ed25519.Signing.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .p256:
            let key = try P256.Signing.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        }
    }

    /// The private key in a PEM file, whatever its algorithm.
    static func signingKey(at path: String) throws -> any SigningKey {
        let bytes = Array(try readInput(path))
        for algorithm in SignatureAlgorithm.allCases {
            if let key = try? crypto.importSigningKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        throw failure("\(path) holds no SM2, Ed25519 or P-256 private key in PEM (PKCS#8)")
    }

    /// A new encryption key pair of `algorithm` as PEM texts (private, public).
    static func generate(_ algorithm: EncryptionKeyAlgorithm) throws -> (privatePEM: String, publicPEM: String) {
        switch algorithm {
        case .x25519:
            let key = try X25519.KeyAgreement.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .p256:
            let key = try P256.KeyAgreement.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .sm2:
            let key = try SM2.Encryption.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        }
    }

    /// The private encryption key in a PEM file, whatever its algorithm.
    static func decryptionKey(at path: String) throws -> any DecryptionKey {
        let bytes = Array(try readInput(path))
        for algorithm in EncryptionKeyAlgorithm.allCases {
            if let key = try? crypto.importDecryptionKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        throw failure("\(path) holds no X25519, P-256 or SM2 private key in PEM (PKCS#8)")
    }

    /// The public encryption key in a PEM file, whatever its algorithm.
    static func encryptionKey(at path: String) throws -> any EncryptionPublicKey {
        let bytes = Array(try readInput(path))
        for algorithm in EncryptionKeyAlgorithm.allCases {
            if let key = try? crypto.importEncryptionKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        throw failure("\(path) holds no X25519, P-256 or SM2 public key in PEM (SPKI)")
    }

    /// The public key in a PEM file, whatever its algorithm.
    static func verifyingKey(at path: String) throws -> any VerifyingKey {
        let bytes = Array(try readInput(path))
        for algorithm in SignatureAlgorithm.allCases {
            if let key = try? crypto.importVerifyingKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        throw failure("\(path) holds no SM2, Ed25519 or P-256 public key in PEM (SPKI)")
    }
}

/// Parses a command-line value with a validating initializer, turning its error into a clear
/// usage message.
func validated<T, E: Error>(_ text: String, as name: String, _ make: (String) throws(E) -> T) throws -> T {
    do {
        return try make(text)
    } catch {
        throw ValidationError("\(name): \(error)")
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
