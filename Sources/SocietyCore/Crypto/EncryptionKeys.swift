/// The algorithm of a recipient's encryption key (JWK `use: "enc"`): what a sender uses to make a
/// content key that only the recipient can recover.
///
/// Encryption keys are separate from signing keys, even on the same curve: a key has one use, as
/// JOSE and GM/T key management require.
public enum EncryptionKeyAlgorithm: String, CaseIterable, Codable, Hashable, Sendable {
    /// X25519 Diffie–Hellman (RFC 7748), for JWE `ECDH-ES+A256KW` with an `OKP`/`X25519` key
    /// (RFC 8037 §3.2).
    case x25519
    /// ECDH on NIST P-256 (SP 800-56A), for JWE `ECDH-ES+A256KW` with an `EC`/`P-256` key.
    case p256
    /// SM2 public-key encryption (GM/T 0003.4, GB/T 32918.4) of the content key, with SM3 and the
    /// GM/T 0009 ciphertext encoding `SEQUENCE { x, y, hash, ciphertext }` (C1‖C3‖C2).
    case sm2

    /// The length of a raw private key in bytes (32 for all three).
    public var privateKeyByteCount: Int { 32 }

    /// The length of a raw public key: 32 for X25519, `X‖Y` (64) for the elliptic curves.
    public var publicKeyByteCount: Int { self == .x25519 ? 32 : 64 }

    /// Whether the key agrees on a shared secret (ECDH) rather than encrypting the content key.
    public var isKeyAgreement: Bool { self != .sm2 }
}

/// What a key on a trust list is for, as JWK's `use` member (RFC 7517 §4.2) says it.
public enum KeyUse: String, CaseIterable, Codable, Hashable, Sendable {
    /// Signing and verifying (`sig`).
    case signature = "sig"
    /// Encryption to the key's holder (`enc`).
    case encryption = "enc"
}

/// A recipient's public encryption key: what a sender encrypts to.
public protocol EncryptionPublicKey: Sendable {
    /// The algorithm of the key.
    var algorithm: EncryptionKeyAlgorithm { get }

    /// The bare public key: 32 bytes (X25519) or `X‖Y` (64 bytes, P-256 and SM2), as a trust list
    /// publishes it.
    var rawRepresentation: [UInt8] { get }

    /// The DER `SubjectPublicKeyInfo`.
    var derRepresentation: [UInt8] { get }

    /// SM2 public-key encryption of `plaintext` (a content key) to this key: the GM/T 0009 DER
    /// ciphertext. Throws `.unsupportedAlgorithm` for the key-agreement algorithms.
    func encrypt(_ plaintext: [UInt8]) throws -> [UInt8]
}

extension EncryptionPublicKey {
    /// The PEM (`PUBLIC KEY`) text of ``derRepresentation``.
    public var pemRepresentation: String { PEMDocument(label: "PUBLIC KEY", der: derRepresentation).text }
}

/// A recipient's private encryption key: agrees on a shared secret with a sender's ephemeral key
/// (X25519, P-256) or decrypts a content key encrypted to it (SM2).
///
/// Like ``SigningKey`` it has no export requirement, so that a key in a hardware module can conform.
public protocol DecryptionKey: Sendable {
    /// The algorithm of the key.
    var algorithm: EncryptionKeyAlgorithm { get }

    /// The public half, to publish on a trust list with `use: "enc"`.
    var encryptionPublicKey: any EncryptionPublicKey { get }

    /// The raw Diffie–Hellman shared secret `Z` with `peer` (32 bytes: the X25519 output, or the
    /// X coordinate of the P-256 point). Throws `.invalidKey` when `peer` is of another algorithm
    /// or a low-order point, `.unsupportedAlgorithm` for SM2.
    func sharedSecret(with peer: any EncryptionPublicKey) throws -> [UInt8]

    /// Decrypts an SM2 ciphertext made by ``EncryptionPublicKey/encrypt(_:)``; throws
    /// `.decryptionFailed` when it was made for another key or was modified,
    /// `.unsupportedAlgorithm` for the key-agreement algorithms.
    func decrypt(_ ciphertext: [UInt8]) throws -> [UInt8]
}

extension CryptoProvider {
    /// A fresh encryption key pair. The default throws `.unsupportedAlgorithm`: a provider opts in.
    public func generateDecryptionKey(_ algorithm: EncryptionKeyAlgorithm) throws -> any DecryptionKey {
        throw CryptoError(.unsupportedAlgorithm, "this provider has no encryption keys")
    }

    /// Reads a private encryption key. The default throws `.unsupportedAlgorithm`.
    public func importDecryptionKey(
        _ algorithm: EncryptionKeyAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any DecryptionKey {
        throw CryptoError(.unsupportedAlgorithm, "this provider has no encryption keys")
    }

    /// Reads a public encryption key. The default throws `.unsupportedAlgorithm`.
    public func importEncryptionKey(
        _ algorithm: EncryptionKeyAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any EncryptionPublicKey {
        throw CryptoError(.unsupportedAlgorithm, "this provider has no encryption keys")
    }

    /// AES Key Wrap (RFC 3394) of `key` under a 32-byte `keyEncryptionKey`: JWE `A256KW`. The
    /// default throws `.unsupportedAlgorithm`.
    public func wrapKey(_ key: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        throw CryptoError(.unsupportedAlgorithm, "this provider has no AES key wrap")
    }

    /// Unwraps an RFC 3394 `A256KW` key; throws `.decryptionFailed` when the integrity check fails
    /// (wrong key-encryption key, or modified wrapped key). The default throws `.unsupportedAlgorithm`.
    public func unwrapKey(_ wrapped: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        throw CryptoError(.unsupportedAlgorithm, "this provider has no AES key wrap")
    }
}

extension JSONWebKey {
    /// The JWK of a raw encryption public key: `OKP`/`X25519` (RFC 8037) or `EC`/`P-256`, with
    /// `use: "enc"` left to the caller; throws `.unsupportedAlgorithm` for SM2.
    public init(
        encryptionAlgorithm algorithm: EncryptionKeyAlgorithm,
        publicKey: [UInt8],
        privateKey: [UInt8]? = nil
    )
        throws
    {
        guard publicKey.count == algorithm.publicKeyByteCount else {
            throw CryptoError(.invalidKey, "public key must be \(algorithm.publicKeyByteCount) bytes")
        }
        if let privateKey, privateKey.count != 32 { throw CryptoError(.invalidKey, "private key must be 32 bytes") }
        let d = privateKey.map(Base64URL.encode)
        switch algorithm {
        case .x25519:
            self.init(kty: "OKP", crv: "X25519", x: Base64URL.encode(publicKey), d: d)
        case .p256:
            self.init(
                kty: "EC",
                crv: "P-256",
                x: Base64URL.encode(Array(publicKey[..<32])),
                y: Base64URL.encode(Array(publicKey[32...])),
                d: d
            )
        case .sm2:
            throw CryptoError(.unsupportedAlgorithm, "SM2 has no registered JWK form")
        }
    }

    /// The encryption algorithm this JWK's key type and curve designate (`OKP`/`X25519` or
    /// `EC`/`P-256`); throws `.unsupportedAlgorithm` otherwise.
    public var encryptionAlgorithm: EncryptionKeyAlgorithm {
        get throws {
            switch (kty, crv) {
            case ("OKP", "X25519"): return .x25519
            case ("EC", "P-256"): return .p256
            default: throw CryptoError(.unsupportedAlgorithm, "JWK kty \(kty) crv \(crv) is not an encryption key")
            }
        }
    }

    /// The raw public key of an encryption JWK (32 bytes, or `X‖Y`); throws `.invalidKey`.
    public func rawEncryptionPublicKey() throws -> [UInt8] {
        let algorithm = try encryptionAlgorithm
        guard let x = Base64URL.decode(x), x.count == 32 else {
            throw CryptoError(.invalidKey, "JWK x is not 32 base64url bytes")
        }
        guard algorithm == .p256 else {
            guard y == nil else { throw CryptoError(.invalidKey, "OKP JWK has a y member") }
            return x
        }
        guard let yText = y, let y = Base64URL.decode(yText), y.count == 32 else {
            throw CryptoError(.invalidKey, "JWK y is not 32 base64url bytes")
        }
        return x + y
    }
}
