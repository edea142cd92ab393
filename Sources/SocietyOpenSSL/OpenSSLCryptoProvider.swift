import Foundation
public import SocietyCore

/// The ``SocietyCore/CryptoProvider`` port implemented with OpenSSL 3 (libcrypto): what a
/// deployment passes to its services.
///
/// Keys it returns are the concrete ``SM2``, ``Ed25519`` and ``P256`` types behind
/// `any SigningKey` / `any VerifyingKey`.
public struct OpenSSLCryptoProvider: CryptoProvider {
    /// Where nonces for ``seal(_:_:key:nonce:associatedData:)`` and ``randomBytes(count:)`` come
    /// from. Key generation always uses OpenSSL's own generator.
    public let random: any RandomSource

    /// Creates a provider drawing nonces from `random` (OpenSSL's generator by default; a seeded
    /// source makes sealed output reproducible in tests).
    public init(random: any RandomSource = OpenSSLRandomSource()) { self.random = random }

    /// A fresh key from OpenSSL's generator.
    public func generateSigningKey(_ algorithm: SignatureAlgorithm) throws -> any SigningKey {
        switch algorithm {
        case .sm2: try SM2.Signing.PrivateKey()
        case .ed25519: try Ed25519.Signing.PrivateKey()
        case .p256: try P256.Signing.PrivateKey()
        }
    }

    /// Reads a private key; `.jwk` expects UTF-8 JSON and is not available for SM2.
    public func importSigningKey(
        _ algorithm: SignatureAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any SigningKey {
        let storage: PrivateKeyStorage =
            switch encoding {
            case .raw: try PrivateKeyStorage(raw: bytes, algorithm: algorithm)
            case .der: try PrivateKeyStorage(der: bytes, algorithm: algorithm)
            case .pem: try PrivateKeyStorage(pem: Self.text(bytes), algorithm: algorithm)
            case .jwk: try PrivateKeyStorage(jwk: Self.jwk(bytes), algorithm: algorithm)
            }
        return switch algorithm {
        case .sm2: SM2.Signing.PrivateKey(storage: storage)
        case .ed25519: Ed25519.Signing.PrivateKey(storage: storage)
        case .p256: P256.Signing.PrivateKey(storage: storage)
        }
    }

    /// Reads a public key; `.jwk` expects UTF-8 JSON and is not available for SM2.
    public func importVerifyingKey(
        _ algorithm: SignatureAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any VerifyingKey {
        let storage: PublicKeyStorage =
            switch encoding {
            case .raw: try PublicKeyStorage(raw: bytes, algorithm: algorithm)
            case .der: try PublicKeyStorage(der: bytes, algorithm: algorithm)
            case .pem: try PublicKeyStorage(pem: Self.text(bytes), algorithm: algorithm)
            case .jwk: try PublicKeyStorage(jwk: Self.jwk(bytes), algorithm: algorithm)
            }
        return switch algorithm {
        case .sm2: SM2.Signing.PublicKey(storage: storage)
        case .ed25519: Ed25519.Signing.PublicKey(storage: storage)
        case .p256: P256.Signing.PublicKey(storage: storage)
        }
    }

    /// A fresh ``X25519/KeyAgreement``, ``P256/KeyAgreement`` or ``SM2/Encryption`` private key.
    public func generateDecryptionKey(_ algorithm: EncryptionKeyAlgorithm) throws -> any DecryptionKey {
        Self.decryptionKey(try EncryptionPrivateStorage(generating: algorithm))
    }

    /// Reads a private encryption key; `.jwk` expects UTF-8 JSON and is not available for SM2.
    public func importDecryptionKey(
        _ algorithm: EncryptionKeyAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any DecryptionKey {
        let storage: EncryptionPrivateStorage =
            switch encoding {
            case .raw: try EncryptionPrivateStorage(raw: bytes, algorithm: algorithm)
            case .der: try EncryptionPrivateStorage(der: bytes, algorithm: algorithm)
            case .pem: try EncryptionPrivateStorage(pem: Self.text(bytes), algorithm: algorithm)
            case .jwk: try EncryptionPrivateStorage(jwk: Self.jwk(bytes), algorithm: algorithm)
            }
        return Self.decryptionKey(storage)
    }

    /// Reads a public encryption key; `.jwk` expects UTF-8 JSON and is not available for SM2.
    public func importEncryptionKey(
        _ algorithm: EncryptionKeyAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any EncryptionPublicKey {
        let storage: EncryptionPublicStorage =
            switch encoding {
            case .raw: try EncryptionPublicStorage(raw: bytes, algorithm: algorithm)
            case .der: try EncryptionPublicStorage(der: bytes, algorithm: algorithm)
            case .pem: try EncryptionPublicStorage(pem: Self.text(bytes), algorithm: algorithm)
            case .jwk: try EncryptionPublicStorage(jwk: Self.jwk(bytes), algorithm: algorithm)
            }
        return switch algorithm {
        case .x25519: X25519.KeyAgreement.PublicKey(storage: storage)
        case .p256: P256.KeyAgreement.PublicKey(storage: storage)
        case .sm2: SM2.Encryption.PublicKey(storage: storage)
        }
    }

    /// ``AESKeyWrap/wrap(_:using:)``.
    public func wrapKey(_ key: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        try AESKeyWrap.wrap(key, using: keyEncryptionKey)
    }

    /// ``AESKeyWrap/unwrap(_:using:)``.
    public func unwrapKey(_ wrapped: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        try AESKeyWrap.unwrap(wrapped, using: keyEncryptionKey)
    }

    private static func decryptionKey(_ storage: EncryptionPrivateStorage) -> any DecryptionKey {
        switch storage.key.algorithm {
        case .x25519: X25519.KeyAgreement.PrivateKey(storage: storage)
        case .p256: P256.KeyAgreement.PrivateKey(storage: storage)
        case .sm2: SM2.Encryption.PrivateKey(storage: storage)
        }
    }

    /// `EVP_Digest` with SM3 or SHA-256.
    public func digest(_ algorithm: DigestAlgorithm, of data: [UInt8]) throws -> [UInt8] {
        try LibCryptoDigest.digest(algorithm, data)
    }

    /// HMAC through `EVP_MAC`.
    public func authenticationCode(_ algorithm: DigestAlgorithm, key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try HMAC.authenticationCode(algorithm, key: key, data: data)
    }

    /// A session that keeps one keyed AES-256-GCM context (see `AEADSealingSession`); SM4-CBC with
    /// HMAC-SM3 seals value by value.
    public func makeSealingSession(_ algorithm: AEADAlgorithm, key: [UInt8]) throws -> any AEADSealingSession {
        switch algorithm {
        case .aes256GCM: try GCMSealingSession(key: key)
        case .sm4CBCHMACSM3: ProviderSealingSession(provider: self, algorithm: algorithm, key: key)
        }
    }

    /// A session that keeps one keyed HMAC context (see `MACSession`).
    public func makeMACSession(_ algorithm: DigestAlgorithm, key: [UInt8]) throws -> any MACSession {
        try HMACSession(algorithm, key: key)
    }

    /// A session that keeps one digest context (see `DigestSession`).
    public func makeDigestSession(_ algorithm: DigestAlgorithm) throws -> any DigestSession {
        try LibCryptoDigestSession(algorithm)
    }

    /// ``AES256GCM`` or ``SM4CBCHMACSM3``, with a nonce from ``random`` when `nonce` is `nil`.
    public func seal(
        _ algorithm: AEADAlgorithm,
        _ plaintext: [UInt8],
        key: [UInt8],
        nonce: [UInt8]?,
        associatedData: [UInt8]
    ) throws -> AEADSealedBox {
        let nonce = try nonce ?? random.bytes(count: algorithm.nonceByteCount)
        return switch algorithm {
        case .aes256GCM: try AES256GCM.seal(plaintext, key: key, nonce: nonce, authenticating: associatedData)
        case .sm4CBCHMACSM3: try SM4CBCHMACSM3.seal(plaintext, key: key, iv: nonce, authenticating: associatedData)
        }
    }

    /// ``AES256GCM/open(_:key:authenticating:)`` or ``SM4CBCHMACSM3/open(_:key:authenticating:)``.
    public func open(
        _ algorithm: AEADAlgorithm,
        _ box: AEADSealedBox,
        key: [UInt8],
        associatedData: [UInt8]
    ) throws -> [UInt8] {
        switch algorithm {
        case .aes256GCM: try AES256GCM.open(box, key: key, authenticating: associatedData)
        case .sm4CBCHMACSM3: try SM4CBCHMACSM3.open(box, key: key, authenticating: associatedData)
        }
    }

    /// Bytes from ``random``.
    public func randomBytes(count: Int) throws -> [UInt8] { try random.bytes(count: count) }

    /// `CRYPTO_memcmp` equality.
    public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool { ConstantTime.equals(lhs, rhs) }

    private static func text(_ bytes: [UInt8]) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CryptoError(.invalidKey, "PEM is not UTF-8")
        }
        return text
    }

    private static func jwk(_ bytes: [UInt8]) throws -> JSONWebKey {
        do {
            return try JSONDecoder().decode(JSONWebKey.self, from: Data(bytes))
        } catch {
            throw CryptoError(.invalidKey, "not a JWK: \(error)")
        }
    }
}
