public import SocietyCore

/// X25519 (RFC 7748): the standard profile's key agreement for confidential envelopes
/// (JWE `ECDH-ES+A256KW` with an `OKP`/`X25519` key).
public enum X25519 {
    /// X25519 key-agreement keys.
    public enum KeyAgreement {}
}

extension P256 {
    /// ECDH key-agreement keys on P-256 (JWE `ECDH-ES+A256KW` with an `EC`/`P-256` key). Kept apart
    /// from ``P256/Signing`` keys: a key has one use.
    public enum KeyAgreement {}
}

extension SM2 {
    /// SM2 public-key encryption keys (GM/T 0003.4): the national profile's way to give a content
    /// key to one recipient. Kept apart from ``SM2/Signing`` keys: a key has one use.
    public enum Encryption {}
}

/// The encodings every encryption key computes once, so that reading them never fails.
struct EncryptionPublicStorage: Sendable {
    let key: EncryptionEVPKey
    let raw: [UInt8]
    let der: [UInt8]

    init(_ key: EncryptionEVPKey) throws {
        self.key = key
        self.raw = try key.rawPublicKey()
        self.der = try key.spkiDER()
    }

    init(raw: [UInt8], algorithm: EncryptionKeyAlgorithm) throws {
        try self.init(EncryptionEVPKey.publicKey(raw: raw, algorithm: algorithm))
    }

    init(der: [UInt8], algorithm: EncryptionKeyAlgorithm) throws {
        try self.init(EncryptionEVPKey.publicKey(der: der, algorithm: algorithm))
    }

    init(pem: String, algorithm: EncryptionKeyAlgorithm) throws {
        let document = try PEMDocument(parsing: pem)
        guard document.label == "PUBLIC KEY" else {
            throw CryptoError(.invalidKey, "expected a PUBLIC KEY PEM block, found \(document.label)")
        }
        try self.init(der: document.der, algorithm: algorithm)
    }

    init(jwk: JSONWebKey, algorithm: EncryptionKeyAlgorithm) throws {
        guard try jwk.encryptionAlgorithm == algorithm else {
            throw CryptoError(.invalidKey, "JWK is not \(algorithm)")
        }
        try self.init(raw: jwk.rawEncryptionPublicKey(), algorithm: algorithm)
    }
}

/// The private counterpart of ``EncryptionPublicStorage``.
struct EncryptionPrivateStorage: Sendable {
    let key: EncryptionEVPKey
    let raw: [UInt8]
    let der: [UInt8]
    let publicKey: EncryptionPublicStorage

    init(_ key: EncryptionEVPKey) throws {
        self.key = key
        self.raw = try key.rawPrivateKey()
        self.der = try key.pkcs8DER()
        self.publicKey = try EncryptionPublicStorage(raw: key.rawPublicKey(), algorithm: key.algorithm)
    }

    init(generating algorithm: EncryptionKeyAlgorithm) throws { try self.init(EncryptionEVPKey.generate(algorithm)) }

    init(raw: [UInt8], algorithm: EncryptionKeyAlgorithm) throws {
        try self.init(EncryptionEVPKey.privateKey(raw: raw, algorithm: algorithm))
    }

    init(der: [UInt8], algorithm: EncryptionKeyAlgorithm) throws {
        try self.init(EncryptionEVPKey.privateKey(der: der, algorithm: algorithm))
    }

    init(pem: String, algorithm: EncryptionKeyAlgorithm) throws {
        let document = try PEMDocument(parsing: pem)
        switch document.label {
        case "PRIVATE KEY", "EC PRIVATE KEY": try self.init(der: document.der, algorithm: algorithm)
        default: throw CryptoError(.invalidKey, "expected a PRIVATE KEY PEM block, found \(document.label)")
        }
    }

    init(jwk: JSONWebKey, algorithm: EncryptionKeyAlgorithm) throws {
        guard try jwk.encryptionAlgorithm == algorithm else {
            throw CryptoError(.invalidKey, "JWK is not \(algorithm)")
        }
        guard let d = jwk.d, let raw = Base64URL.decode(d), raw.count == 32 else {
            throw CryptoError(.invalidKey, "JWK d is missing or not 32 base64url bytes")
        }
        try self.init(raw: raw, algorithm: algorithm)
        guard try publicKey.raw == jwk.rawEncryptionPublicKey() else {
            throw CryptoError(.invalidKey, "JWK public members do not match d")
        }
    }

    var pem: String { PEMDocument(label: "PRIVATE KEY", der: der).text }

    func sharedSecret(with peer: any EncryptionPublicKey) throws -> [UInt8] {
        let peerKey: EncryptionEVPKey
        if let storage = (peer as? any EncryptionStorageHolder)?.encryptionStorage {
            peerKey = storage.key
        } else {
            peerKey = try EncryptionEVPKey.publicKey(raw: peer.rawRepresentation, algorithm: peer.algorithm)
        }
        return try key.derive(with: peerKey)
    }
}

/// The concrete public key types, so that a shared secret reuses the peer's `EVP_PKEY`.
protocol EncryptionStorageHolder {
    var encryptionStorage: EncryptionPublicStorage { get }
}

extension X25519.KeyAgreement {
    /// A X25519 private key: the recipient's half, which opens confidential envelopes.
    public struct PrivateKey: DecryptionKey {
        let storage: EncryptionPrivateStorage

        /// The public half, to publish on a trust list with `use: "enc"`.
        public let publicKey: PublicKey

        /// Always ``SocietyCore/EncryptionKeyAlgorithm/x25519``.
        public var algorithm: EncryptionKeyAlgorithm { .x25519 }

        /// Generates a fresh key from OpenSSL's secure random generator.
        public init() throws { try self.init(storage: EncryptionPrivateStorage(generating: .x25519)) }

        /// Imports the 32-byte private key (RFC 7748 scalar before clamping); throws `.invalidKey` for a wrong length or value.
        public init(rawRepresentation: [UInt8]) throws {
            try self.init(storage: EncryptionPrivateStorage(raw: rawRepresentation, algorithm: .x25519))
        }

        /// Imports a PKCS#8 DER private key; throws `.invalidKey` for another algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            try self.init(storage: EncryptionPrivateStorage(der: derRepresentation, algorithm: .x25519))
        }

        /// Imports a `PRIVATE KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            try self.init(storage: EncryptionPrivateStorage(pem: pemRepresentation, algorithm: .x25519))
        }

        init(storage: EncryptionPrivateStorage) {
            self.storage = storage
            self.publicKey = PublicKey(storage: storage.publicKey)
        }

        /// The 32-byte private key (RFC 7748 scalar before clamping). Secret.
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The PKCS#8 `PrivateKeyInfo` DER. Secret.
        public var derRepresentation: [UInt8] { storage.der }

        /// The PKCS#8 PEM (`PRIVATE KEY`) text. Secret.
        public var pemRepresentation: String { storage.pem }

        /// ``publicKey`` as the port's existential.
        public var encryptionPublicKey: any EncryptionPublicKey { publicKey }

        /// The shared secret `Z` with `peer` (32 bytes); throws `.invalidKey` for a peer of another
        /// algorithm or an invalid point.
        public func sharedSecret(with peer: any EncryptionPublicKey) throws -> [UInt8] {
            try storage.sharedSecret(with: peer)
        }

        /// Always throws `.unsupportedAlgorithm`: X25519 keys agree on secrets instead.
        public func decrypt(_ ciphertext: [UInt8]) throws -> [UInt8] {
            throw CryptoError(.unsupportedAlgorithm, "X25519 keys do not decrypt")
        }
    }

    /// A X25519 public key: what a sender encrypts to.
    public struct PublicKey: EncryptionPublicKey, EncryptionStorageHolder {
        let storage: EncryptionPublicStorage

        /// Always ``SocietyCore/EncryptionKeyAlgorithm/x25519``.
        public var algorithm: EncryptionKeyAlgorithm { .x25519 }

        /// Imports the 32-byte public key (the u-coordinate); throws `.invalidKey` for a wrong length or an invalid point.
        public init(rawRepresentation: [UInt8]) throws {
            self.storage = try EncryptionPublicStorage(raw: rawRepresentation, algorithm: .x25519)
        }

        /// Imports a DER `SubjectPublicKeyInfo`; throws `.invalidKey` otherwise.
        public init(derRepresentation: [UInt8]) throws {
            self.storage = try EncryptionPublicStorage(der: derRepresentation, algorithm: .x25519)
        }

        /// Imports a `PUBLIC KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            self.storage = try EncryptionPublicStorage(pem: pemRepresentation, algorithm: .x25519)
        }

        init(storage: EncryptionPublicStorage) { self.storage = storage }

        var encryptionStorage: EncryptionPublicStorage { storage }

        /// The 32-byte public key (the u-coordinate).
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The DER `SubjectPublicKeyInfo`.
        public var derRepresentation: [UInt8] { storage.der }

        /// Always throws `.unsupportedAlgorithm`: X25519 keys agree on secrets instead.
        public func encrypt(_ plaintext: [UInt8]) throws -> [UInt8] {
            throw CryptoError(.unsupportedAlgorithm, "X25519 keys do not encrypt")
        }
    }
}

extension P256.KeyAgreement {
    /// A P-256 ECDH private key: the recipient's half, which opens confidential envelopes.
    public struct PrivateKey: DecryptionKey {
        let storage: EncryptionPrivateStorage

        /// The public half, to publish on a trust list with `use: "enc"`.
        public let publicKey: PublicKey

        /// Always ``SocietyCore/EncryptionKeyAlgorithm/p256``.
        public var algorithm: EncryptionKeyAlgorithm { .p256 }

        /// Generates a fresh key from OpenSSL's secure random generator.
        public init() throws { try self.init(storage: EncryptionPrivateStorage(generating: .p256)) }

        /// Imports the 32-byte big-endian private scalar `d`; throws `.invalidKey` for a wrong length or value.
        public init(rawRepresentation: [UInt8]) throws {
            try self.init(storage: EncryptionPrivateStorage(raw: rawRepresentation, algorithm: .p256))
        }

        /// Imports a PKCS#8 DER private key; throws `.invalidKey` for another algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            try self.init(storage: EncryptionPrivateStorage(der: derRepresentation, algorithm: .p256))
        }

        /// Imports a `PRIVATE KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            try self.init(storage: EncryptionPrivateStorage(pem: pemRepresentation, algorithm: .p256))
        }

        init(storage: EncryptionPrivateStorage) {
            self.storage = storage
            self.publicKey = PublicKey(storage: storage.publicKey)
        }

        /// The 32-byte big-endian private scalar `d`. Secret.
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The PKCS#8 `PrivateKeyInfo` DER. Secret.
        public var derRepresentation: [UInt8] { storage.der }

        /// The PKCS#8 PEM (`PRIVATE KEY`) text. Secret.
        public var pemRepresentation: String { storage.pem }

        /// ``publicKey`` as the port's existential.
        public var encryptionPublicKey: any EncryptionPublicKey { publicKey }

        /// The shared secret `Z` with `peer` (32 bytes); throws `.invalidKey` for a peer of another
        /// algorithm or an invalid point.
        public func sharedSecret(with peer: any EncryptionPublicKey) throws -> [UInt8] {
            try storage.sharedSecret(with: peer)
        }

        /// Always throws `.unsupportedAlgorithm`: P-256 ECDH keys agree on secrets instead.
        public func decrypt(_ ciphertext: [UInt8]) throws -> [UInt8] {
            throw CryptoError(.unsupportedAlgorithm, "P-256 ECDH keys do not decrypt")
        }
    }

    /// A P-256 ECDH public key: what a sender encrypts to.
    public struct PublicKey: EncryptionPublicKey, EncryptionStorageHolder {
        let storage: EncryptionPublicStorage

        /// Always ``SocietyCore/EncryptionKeyAlgorithm/p256``.
        public var algorithm: EncryptionKeyAlgorithm { .p256 }

        /// Imports the uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted); throws `.invalidKey` for a wrong length or an invalid point.
        public init(rawRepresentation: [UInt8]) throws {
            self.storage = try EncryptionPublicStorage(raw: rawRepresentation, algorithm: .p256)
        }

        /// Imports a DER `SubjectPublicKeyInfo`; throws `.invalidKey` otherwise.
        public init(derRepresentation: [UInt8]) throws {
            self.storage = try EncryptionPublicStorage(der: derRepresentation, algorithm: .p256)
        }

        /// Imports a `PUBLIC KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            self.storage = try EncryptionPublicStorage(pem: pemRepresentation, algorithm: .p256)
        }

        init(storage: EncryptionPublicStorage) { self.storage = storage }

        var encryptionStorage: EncryptionPublicStorage { storage }

        /// The uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted).
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The DER `SubjectPublicKeyInfo`.
        public var derRepresentation: [UInt8] { storage.der }

        /// Always throws `.unsupportedAlgorithm`: P-256 ECDH keys agree on secrets instead.
        public func encrypt(_ plaintext: [UInt8]) throws -> [UInt8] {
            throw CryptoError(.unsupportedAlgorithm, "P-256 ECDH keys do not encrypt")
        }
    }
}

extension SM2.Encryption {
    /// A SM2 encryption private key: the recipient's half, which opens confidential envelopes.
    public struct PrivateKey: DecryptionKey {
        let storage: EncryptionPrivateStorage

        /// The public half, to publish on a trust list with `use: "enc"`.
        public let publicKey: PublicKey

        /// Always ``SocietyCore/EncryptionKeyAlgorithm/sm2``.
        public var algorithm: EncryptionKeyAlgorithm { .sm2 }

        /// Generates a fresh key from OpenSSL's secure random generator.
        public init() throws { try self.init(storage: EncryptionPrivateStorage(generating: .sm2)) }

        /// Imports the 32-byte big-endian private scalar `d`; throws `.invalidKey` for a wrong length or value.
        public init(rawRepresentation: [UInt8]) throws {
            try self.init(storage: EncryptionPrivateStorage(raw: rawRepresentation, algorithm: .sm2))
        }

        /// Imports a PKCS#8 DER private key; throws `.invalidKey` for another algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            try self.init(storage: EncryptionPrivateStorage(der: derRepresentation, algorithm: .sm2))
        }

        /// Imports a `PRIVATE KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            try self.init(storage: EncryptionPrivateStorage(pem: pemRepresentation, algorithm: .sm2))
        }

        init(storage: EncryptionPrivateStorage) {
            self.storage = storage
            self.publicKey = PublicKey(storage: storage.publicKey)
        }

        /// The 32-byte big-endian private scalar `d`. Secret.
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The PKCS#8 `PrivateKeyInfo` DER. Secret.
        public var derRepresentation: [UInt8] { storage.der }

        /// The PKCS#8 PEM (`PRIVATE KEY`) text. Secret.
        public var pemRepresentation: String { storage.pem }

        /// ``publicKey`` as the port's existential.
        public var encryptionPublicKey: any EncryptionPublicKey { publicKey }

        /// Always throws `.unsupportedAlgorithm`: SM2 encrypts the content key instead.
        public func sharedSecret(with peer: any EncryptionPublicKey) throws -> [UInt8] {
            throw CryptoError(.unsupportedAlgorithm, "SM2 encryption keys do not agree on secrets")
        }

        /// Decrypts a GM/T 0009 SM2 ciphertext; throws `.decryptionFailed` for another key or a change.
        public func decrypt(_ ciphertext: [UInt8]) throws -> [UInt8] { try storage.key.sm2Decrypt(ciphertext) }
    }

    /// A SM2 encryption public key: what a sender encrypts to.
    public struct PublicKey: EncryptionPublicKey, EncryptionStorageHolder {
        let storage: EncryptionPublicStorage

        /// Always ``SocietyCore/EncryptionKeyAlgorithm/sm2``.
        public var algorithm: EncryptionKeyAlgorithm { .sm2 }

        /// Imports the uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted); throws `.invalidKey` for a wrong length or an invalid point.
        public init(rawRepresentation: [UInt8]) throws {
            self.storage = try EncryptionPublicStorage(raw: rawRepresentation, algorithm: .sm2)
        }

        /// Imports a DER `SubjectPublicKeyInfo`; throws `.invalidKey` otherwise.
        public init(derRepresentation: [UInt8]) throws {
            self.storage = try EncryptionPublicStorage(der: derRepresentation, algorithm: .sm2)
        }

        /// Imports a `PUBLIC KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            self.storage = try EncryptionPublicStorage(pem: pemRepresentation, algorithm: .sm2)
        }

        init(storage: EncryptionPublicStorage) { self.storage = storage }

        var encryptionStorage: EncryptionPublicStorage { storage }

        /// The uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted).
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The DER `SubjectPublicKeyInfo`.
        public var derRepresentation: [UInt8] { storage.der }

        /// SM2 public-key encryption of `plaintext` (GM/T 0009 DER `SEQUENCE { x, y, hash, ciphertext }`).
        public func encrypt(_ plaintext: [UInt8]) throws -> [UInt8] { try storage.key.sm2Encrypt(plaintext) }
    }
}

// MARK: - JWK (RFC 7517) for the registered curves

extension X25519.KeyAgreement.PublicKey {
    /// The public JWK `{"kty":"OKP","crv":"X25519","x":…}` (RFC 8037 §2).
    public var jwk: JSONWebKey { JSONWebKey(kty: "OKP", crv: "X25519", x: Base64URL.encode(rawRepresentation)) }

    /// Imports a public `OKP`/`X25519` JWK.
    public init(jwk: JSONWebKey) throws { self.storage = try EncryptionPublicStorage(jwk: jwk, algorithm: .x25519) }
}

extension X25519.KeyAgreement.PrivateKey {
    /// The private JWK (with `d`). Secret.
    public var jwk: JSONWebKey {
        var jwk = publicKey.jwk
        jwk.d = Base64URL.encode(rawRepresentation)
        return jwk
    }

    /// Imports a private `OKP`/`X25519` JWK; throws `.invalidKey` if `x` does not match `d`.
    public init(jwk: JSONWebKey) throws {
        try self.init(storage: EncryptionPrivateStorage(jwk: jwk, algorithm: .x25519))
    }
}

extension P256.KeyAgreement.PublicKey {
    /// The public JWK `{"kty":"EC","crv":"P-256","x":…,"y":…}`.
    public var jwk: JSONWebKey {
        JSONWebKey(
            kty: "EC",
            crv: "P-256",
            x: Base64URL.encode(Array(rawRepresentation.prefix(32))),
            y: Base64URL.encode(Array(rawRepresentation.dropFirst(32)))
        )
    }

    /// Imports a public `EC`/`P-256` JWK; throws `.invalidKey` for a point not on the curve.
    public init(jwk: JSONWebKey) throws { self.storage = try EncryptionPublicStorage(jwk: jwk, algorithm: .p256) }
}

extension P256.KeyAgreement.PrivateKey {
    /// The private JWK (with `d`). Secret.
    public var jwk: JSONWebKey {
        var jwk = publicKey.jwk
        jwk.d = Base64URL.encode(rawRepresentation)
        return jwk
    }

    /// Imports a private `EC`/`P-256` JWK; throws `.invalidKey` if `x`, `y` do not match `d`.
    public init(jwk: JSONWebKey) throws { try self.init(storage: EncryptionPrivateStorage(jwk: jwk, algorithm: .p256)) }
}

/// AES Key Wrap (RFC 3394) with a 256-bit key-encryption key: JWE `A256KW` (RFC 7518 §4.4).
public enum AESKeyWrap {
    /// Wraps `key` (a multiple of 8 bytes, at least 16) under the 32-byte `keyEncryptionKey`.
    public static func wrap(_ key: [UInt8], using keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        try LibCryptoKeyWrap.wrap(key, keyEncryptionKey: keyEncryptionKey, encrypt: true)
    }

    /// Unwraps; throws `.decryptionFailed` when the RFC 3394 integrity check fails.
    public static func unwrap(_ wrapped: [UInt8], using keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        try LibCryptoKeyWrap.wrap(wrapped, keyEncryptionKey: keyEncryptionKey, encrypt: false)
    }
}
