/// Every cryptographic operation the SDK needs, behind one port.
///
/// A deployment builds one provider (the OpenSSL adapter's `OpenSSLCryptoProvider` in production)
/// and hands it to the services, so that pure modules sign, verify, hash and encrypt without
/// importing a C library. All inputs and outputs are algorithm identifiers and bytes.
public protocol CryptoProvider: Sendable {
    /// Generates a fresh signing key for `algorithm` from the provider's secure random source.
    func generateSigningKey(_ algorithm: SignatureAlgorithm) throws -> any SigningKey

    /// Reads a private key of `algorithm` from `bytes` in `encoding`; throws `.invalidKey` when the
    /// bytes are not such a key (including a key of another algorithm).
    func importSigningKey(
        _ algorithm: SignatureAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any SigningKey

    /// Reads a public key of `algorithm` from `bytes` in `encoding`; throws `.invalidKey` when the
    /// bytes are not such a key or the point is not on the curve.
    func importVerifyingKey(
        _ algorithm: SignatureAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any VerifyingKey

    /// The digest of `data`.
    func digest(_ algorithm: DigestAlgorithm, of data: [UInt8]) throws -> [UInt8]

    /// The HMAC (RFC 2104) of `data` under `key` with the digest `algorithm`.
    func authenticationCode(_ algorithm: DigestAlgorithm, key: [UInt8], data: [UInt8]) throws -> [UInt8]

    /// Encrypts and authenticates `plaintext` and authenticates `associatedData`.
    ///
    /// - Parameter nonce: `nil` draws a fresh random nonce, which is what callers should almost
    ///   always do; an explicit nonce exists for known-answer tests and must never repeat per key.
    func seal(
        _ algorithm: AEADAlgorithm,
        _ plaintext: [UInt8],
        key: [UInt8],
        nonce: [UInt8]?,
        associatedData: [UInt8]
    ) throws -> AEADSealedBox

    /// A session sealing many values under `key` on one thread (see ``AEADSealingSession``).
    /// Defaults to one ``seal(_:_:key:nonce:associatedData:)`` call per value.
    func makeSealingSession(_ algorithm: AEADAlgorithm, key: [UInt8]) throws -> any AEADSealingSession

    /// A session computing many HMACs under `key` on one thread (see ``MACSession``). Defaults to
    /// one ``authenticationCode(_:key:data:)`` call per value.
    func makeMACSession(_ algorithm: DigestAlgorithm, key: [UInt8]) throws -> any MACSession

    /// A session computing many digests on one thread (see ``DigestSession``). Defaults to one
    /// ``digest(_:of:)`` call per value.
    func makeDigestSession(_ algorithm: DigestAlgorithm) throws -> any DigestSession

    /// Checks and decrypts `box`; throws `.decryptionFailed` if anything was modified.
    func open(
        _ algorithm: AEADAlgorithm,
        _ box: AEADSealedBox,
        key: [UInt8],
        associatedData: [UInt8]
    ) throws -> [UInt8]

    /// A fresh encryption key pair (for confidential envelopes). Defaults to `.unsupportedAlgorithm`.
    func generateDecryptionKey(_ algorithm: EncryptionKeyAlgorithm) throws -> any DecryptionKey

    /// Reads a private encryption key of `algorithm`; throws `.invalidKey` for anything else.
    func importDecryptionKey(
        _ algorithm: EncryptionKeyAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any DecryptionKey

    /// Reads a public encryption key of `algorithm`; throws `.invalidKey` for anything else.
    func importEncryptionKey(
        _ algorithm: EncryptionKeyAlgorithm,
        from bytes: [UInt8],
        encoding: KeyEncoding
    ) throws -> any EncryptionPublicKey

    /// AES Key Wrap (RFC 3394, JWE `A256KW`) of `key` under a 32-byte key-encryption key.
    func wrapKey(_ key: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8]

    /// Unwraps an `A256KW` key; throws `.decryptionFailed` when its integrity check fails.
    func unwrapKey(_ wrapped: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8]

    /// `count` bytes from a cryptographically secure generator.
    func randomBytes(count: Int) throws -> [UInt8]

    /// Compares two byte strings in time that does not depend on where they differ, for tags and
    /// tokens. Different lengths compare unequal.
    func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool
}
