internal import COpenSSL
import SocietyCore

extension EncryptionKeyAlgorithm {
    /// The signature algorithm whose `EVP_PKEY` type and curve are the same (P-256 and SM2), so that
    /// the EC import and export code of ``EVPKey`` serves both uses; `nil` for X25519.
    var sameCurveSignatureAlgorithm: SignatureAlgorithm? {
        switch self {
        case .x25519: nil
        case .p256: .p256
        case .sm2: .sm2
        }
    }
}

/// Owns one `EVP_PKEY` used for encryption: X25519 directly, P-256 and SM2 through an ``EVPKey``
/// of the same curve (which frees it).
///
/// `@unchecked Sendable` for the reason ``EVPKey`` gives: never mutated after creation, and every
/// operation creates its own `EVP_PKEY_CTX`.
final class EncryptionEVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    let algorithm: EncryptionKeyAlgorithm
    /// For P-256 and SM2, the owner of ``pointer``; `nil` when this object frees it.
    private let curveKey: EVPKey?

    private init(x25519 pointer: OpaquePointer) throws {
        self.pointer = pointer
        self.algorithm = .x25519
        self.curveKey = nil
        guard EVP_PKEY_is_a(pointer, "X25519") == 1 else {
            throw CryptoError(.invalidKey, "the key is not an X25519 key")
        }
    }

    private init(curveKey: EVPKey, algorithm: EncryptionKeyAlgorithm) {
        self.pointer = curveKey.pointer
        self.algorithm = algorithm
        self.curveKey = curveKey
    }

    deinit { if curveKey == nil { EVP_PKEY_free(pointer) } }

    // MARK: Generation and import

    static func generate(_ algorithm: EncryptionKeyAlgorithm) throws -> EncryptionEVPKey {
        if let curve = algorithm.sameCurveSignatureAlgorithm {
            return EncryptionEVPKey(curveKey: try EVPKey.generate(curve), algorithm: algorithm)
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "X25519", nil) else {
            throw ErrorQueue.error(.unsupportedAlgorithm, "no key management for X25519")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        var key: OpaquePointer?
        try ErrorQueue.check(EVP_PKEY_generate(context, &key), "EVP_PKEY_generate")
        guard let key else { throw ErrorQueue.error(.library, "EVP_PKEY_generate returned no key") }
        return try EncryptionEVPKey(x25519: key)
    }

    static func privateKey(raw: [UInt8], algorithm: EncryptionKeyAlgorithm) throws -> EncryptionEVPKey {
        if let curve = algorithm.sameCurveSignatureAlgorithm {
            return EncryptionEVPKey(curveKey: try EVPKey.privateKey(raw: raw, algorithm: curve), algorithm: algorithm)
        }
        guard raw.count == 32 else { throw CryptoError(.invalidKey, "raw X25519 private key must be 32 bytes") }
        let key = raw.withNonNullBytes { EVP_PKEY_new_raw_private_key_ex(nil, "X25519", nil, $0, $1) }
        guard let key else { throw ErrorQueue.error(.invalidKey, "X25519 raw private key") }
        return try EncryptionEVPKey(x25519: key)
    }

    static func publicKey(raw: [UInt8], algorithm: EncryptionKeyAlgorithm) throws -> EncryptionEVPKey {
        if let curve = algorithm.sameCurveSignatureAlgorithm {
            return EncryptionEVPKey(curveKey: try EVPKey.publicKey(raw: raw, algorithm: curve), algorithm: algorithm)
        }
        guard raw.count == 32 else { throw CryptoError(.invalidKey, "X25519 public key must be 32 bytes") }
        let key = raw.withNonNullBytes { EVP_PKEY_new_raw_public_key_ex(nil, "X25519", nil, $0, $1) }
        guard let key else { throw ErrorQueue.error(.invalidKey, "X25519 raw public key") }
        return try EncryptionEVPKey(x25519: key)
    }

    static func privateKey(der: [UInt8], algorithm: EncryptionKeyAlgorithm) throws -> EncryptionEVPKey {
        if let curve = algorithm.sameCurveSignatureAlgorithm {
            return EncryptionEVPKey(curveKey: try EVPKey.privateKey(der: der, algorithm: curve), algorithm: algorithm)
        }
        let key: OpaquePointer? = der.withNonNullBytes { bytes, count in
            var cursor: UnsafePointer<UInt8>? = bytes
            guard let key = d2i_AutoPrivateKey(nil, &cursor, count) else { return nil }
            guard cursor == bytes + count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let key else { throw ErrorQueue.error(.invalidKey, "DER is not a private key (or has trailing bytes)") }
        return try EncryptionEVPKey(x25519: key)
    }

    static func publicKey(der: [UInt8], algorithm: EncryptionKeyAlgorithm) throws -> EncryptionEVPKey {
        if let curve = algorithm.sameCurveSignatureAlgorithm {
            return EncryptionEVPKey(curveKey: try EVPKey.publicKey(der: der, algorithm: curve), algorithm: algorithm)
        }
        let key: OpaquePointer? = der.withNonNullBytes { bytes, count in
            var cursor: UnsafePointer<UInt8>? = bytes
            guard let key = d2i_PUBKEY(nil, &cursor, count) else { return nil }
            guard cursor == bytes + count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let key else { throw ErrorQueue.error(.invalidKey, "DER is not a public key (or has trailing bytes)") }
        return try EncryptionEVPKey(x25519: key)
    }

    // MARK: Export

    func rawPrivateKey() throws -> [UInt8] {
        if let curveKey { return try curveKey.rawPrivateKey() }
        return try [UInt8].filled(capacity: 32) { output in
            var length = 32
            try ErrorQueue.check(EVP_PKEY_get_raw_private_key(pointer, output, &length), "raw private key")
            return length
        }
    }

    func rawPublicKey() throws -> [UInt8] {
        if let curveKey { return try curveKey.rawPublicKey() }
        return try [UInt8].filled(capacity: 32) { output in
            var length = 32
            try ErrorQueue.check(EVP_PKEY_get_raw_public_key(pointer, output, &length), "raw public key")
            return length
        }
    }

    func pkcs8DER() throws -> [UInt8] {
        if let curveKey { return try curveKey.pkcs8DER() }
        guard let info = EVP_PKEY2PKCS8(pointer) else { throw ErrorQueue.error(.library, "EVP_PKEY2PKCS8") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        let length = i2d_PKCS8_PRIV_KEY_INFO(info, nil)
        guard length > 0 else { throw ErrorQueue.error(.library, "i2d_PKCS8_PRIV_KEY_INFO") }
        return try [UInt8].filled(capacity: Int(length)) { output in
            var cursor: UnsafeMutablePointer<UInt8>? = output
            return Int(i2d_PKCS8_PRIV_KEY_INFO(info, &cursor))
        }
    }

    func spkiDER() throws -> [UInt8] {
        if let curveKey { return try curveKey.spkiDER() }
        let length = i2d_PUBKEY(pointer, nil)
        guard length > 0 else { throw ErrorQueue.error(.library, "i2d_PUBKEY") }
        return try [UInt8].filled(capacity: Int(length)) { output in
            var cursor: UnsafeMutablePointer<UInt8>? = output
            return Int(i2d_PUBKEY(pointer, &cursor))
        }
    }

    // MARK: Operations

    /// `EVP_PKEY_derive` with `peer` (X25519 or ECDH P-256); the peer is checked by OpenSSL
    /// (`EVP_PKEY_derive_set_peer_ex` with validation), and an all-zero X25519 output is refused.
    func derive(with peer: EncryptionEVPKey) throws -> [UInt8] {
        guard algorithm.isKeyAgreement, peer.algorithm == algorithm else {
            throw CryptoError(.invalidKey, "cannot agree a \(algorithm) key with a \(peer.algorithm) key")
        }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw ErrorQueue.error(.library, "EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_derive_init(context), "EVP_PKEY_derive_init")
        try ErrorQueue.check(
            EVP_PKEY_derive_set_peer_ex(context, peer.pointer, 1),
            "EVP_PKEY_derive_set_peer_ex",
            code: .invalidKey
        )
        var length = 0
        try ErrorQueue.check(EVP_PKEY_derive(context, nil, &length), "EVP_PKEY_derive (length)")
        return try [UInt8].filled(capacity: length) { output in
            var written = length
            try ErrorQueue.check(EVP_PKEY_derive(context, output, &written), "EVP_PKEY_derive", code: .invalidKey)
            return written
        }
    }

    /// SM2 public-key encryption (`EVP_PKEY_encrypt`; SM3, GM/T 0009 DER output).
    func sm2Encrypt(_ plaintext: [UInt8]) throws -> [UInt8] {
        guard algorithm == .sm2 else { throw CryptoError(.unsupportedAlgorithm, "\(algorithm) does not encrypt") }
        guard !plaintext.isEmpty else { throw CryptoError(.invalidParameter, "nothing to encrypt") }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw ErrorQueue.error(.library, "EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_encrypt_init(context), "EVP_PKEY_encrypt_init")
        var length = 0
        try ErrorQueue.check(
            plaintext.withNonNullBytes { EVP_PKEY_encrypt(context, nil, &length, $0, $1) },
            "EVP_PKEY_encrypt (length)"
        )
        return try [UInt8].filled(capacity: length) { output in
            var written = length
            try ErrorQueue.check(
                plaintext.withNonNullBytes { EVP_PKEY_encrypt(context, output, &written, $0, $1) },
                "EVP_PKEY_encrypt SM2"
            )
            return written
        }
    }

    /// SM2 decryption; any failure (another key, a modified ciphertext) is `.decryptionFailed`.
    func sm2Decrypt(_ ciphertext: [UInt8]) throws -> [UInt8] {
        guard algorithm == .sm2 else { throw CryptoError(.unsupportedAlgorithm, "\(algorithm) does not decrypt") }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw ErrorQueue.error(.library, "EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try ErrorQueue.check(EVP_PKEY_decrypt_init(context), "EVP_PKEY_decrypt_init")
        var length = 0
        let sized = ciphertext.withNonNullBytes { EVP_PKEY_decrypt(context, nil, &length, $0, $1) }
        guard sized == 1, length > 0 else {
            ErrorQueue.clear()
            throw CryptoError(.decryptionFailed, "not an SM2 ciphertext")
        }
        do {
            return try [UInt8].filled(capacity: length) { output in
                var written = length
                try ErrorQueue.check(
                    ciphertext.withNonNullBytes { EVP_PKEY_decrypt(context, output, &written, $0, $1) },
                    "EVP_PKEY_decrypt SM2",
                    code: .decryptionFailed
                )
                return written
            }
        } catch let error as CryptoError where error.code == .decryptionFailed {
            throw CryptoError(.decryptionFailed, "SM2 decryption failed")
        }
    }
}

/// AES Key Wrap (RFC 3394) with a 256-bit key-encryption key, through `EVP_CIPHER` "AES-256-WRAP".
enum LibCryptoKeyWrap {
    static func wrap(_ key: [UInt8], keyEncryptionKey: [UInt8], encrypt: Bool) throws -> [UInt8] {
        guard keyEncryptionKey.count == 32 else { throw CryptoError(.invalidParameter, "A256KW key must be 32 bytes") }
        guard key.count >= (encrypt ? 16 : 24), key.count % 8 == 0 else {
            throw CryptoError(
                encrypt ? .invalidParameter : .decryptionFailed,
                "AES key wrap input must be a multiple of 8 bytes, at least \(encrypt ? 16 : 24)"
            )
        }
        let cipher = try LibCryptoCipher.cipher(FetchedCipher.aes256Wrap, "AES-256-WRAP")
        let context = try CipherContext()
        EVP_CIPHER_CTX_set_flags(context.pointer, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW)
        try context.initialize(cipher, encrypt: encrypt, key: keyEncryptionKey, iv: nil, padding: false)
        let capacity = key.count + 16
        return try [UInt8].filled(capacity: capacity) { output in
            var written: Int32 = 0
            let update = key.withNonNullBytes { EVP_CipherUpdate(context.pointer, output, &written, $0, Int32($1)) }
            guard update == 1, written > 0 else {
                if encrypt { throw ErrorQueue.error(.library, "AES-256-WRAP") }
                ErrorQueue.clear()
                throw CryptoError(.decryptionFailed, "AES key unwrap integrity check failed")
            }
            var finalWritten: Int32 = 0
            let final = EVP_CipherFinal_ex(context.pointer, output + Int(written), &finalWritten)
            guard final == 1 else {
                ErrorQueue.clear()
                throw CryptoError(encrypt ? .library : .decryptionFailed, "AES key wrap final step failed")
            }
            return Int(written + finalWritten)
        }
    }
}
