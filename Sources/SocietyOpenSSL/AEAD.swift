public import SocietyCore

/// AES-256 in Galois/Counter Mode (NIST SP 800-38D): the standard profile's authenticated encryption.
public enum AES256GCM {
    /// Encrypts `plaintext` and authenticates it with `associatedData`.
    ///
    /// - Parameters:
    ///   - key: 32 bytes.
    ///   - nonce: 12 bytes that must never repeat for a key; `nil` (the default) draws them from
    ///     OpenSSL's generator.
    /// - Throws: `.invalidParameter` for a wrong key or nonce length.
    public static func seal(
        _ plaintext: [UInt8],
        key: [UInt8],
        nonce: [UInt8]? = nil,
        authenticating associatedData: [UInt8] = []
    ) throws -> AEADSealedBox {
        try AEADParameters.check(key: key, algorithm: .aes256GCM)
        let nonce = try nonce ?? LibCryptoUtility.randomBytes(count: 12)
        guard nonce.count == 12 else { throw CryptoError(.invalidParameter, "AES-GCM nonce must be 12 bytes") }
        let (ciphertext, tag) = try LibCryptoCipher.aesGCMSeal(
            key: key,
            nonce: nonce,
            plaintext: plaintext,
            associatedData: associatedData
        )
        return AEADSealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
    }

    /// Checks and decrypts `box`.
    ///
    /// - Throws: `.decryptionFailed` if the key is wrong or the nonce, ciphertext, tag or associated
    ///   data were modified; `.invalidParameter` for a wrong key length.
    public static func open(
        _ box: AEADSealedBox,
        key: [UInt8],
        authenticating associatedData: [UInt8] = []
    ) throws -> [UInt8] {
        try AEADParameters.check(key: key, algorithm: .aes256GCM)
        guard box.nonce.count == 12, box.tag.count == 16 else {
            throw CryptoError(.decryptionFailed, "AES-GCM nonce or tag has the wrong length")
        }
        return try LibCryptoCipher.aesGCMOpen(
            key: key,
            nonce: box.nonce,
            ciphertext: box.ciphertext,
            tag: box.tag,
            associatedData: associatedData
        )
    }
}

/// The national profile's authenticated encryption: SM4-CBC then HMAC-SM3 (encrypt-then-MAC).
///
/// OpenSSL 3.0 has no SM4-GCM, so integrity is built the way RFC 7518 §5.2 builds
/// `A128CBC-HS256`: the 32-byte key is `MAC key (16) ‖ encryption key (16)`, the plaintext is
/// SM4-CBC encrypted with PKCS#7 padding under a random 16-byte IV, and the tag is the first 16
/// bytes of `HMAC-SM3(MAC key, AAD ‖ IV ‖ ciphertext ‖ AL)`, `AL` being the AAD length in bits as a
/// 64-bit big-endian integer. The tag is checked (in constant time) before anything is decrypted.
public enum SM4CBCHMACSM3 {
    /// Encrypts `plaintext` and authenticates it with `associatedData`.
    ///
    /// - Parameters:
    ///   - key: 32 bytes.
    ///   - iv: 16 unpredictable bytes; `nil` (the default) draws them from OpenSSL's generator.
    /// - Throws: `.invalidParameter` for a wrong key or IV length.
    public static func seal(
        _ plaintext: [UInt8],
        key: [UInt8],
        iv: [UInt8]? = nil,
        authenticating associatedData: [UInt8] = []
    ) throws -> AEADSealedBox {
        try AEADParameters.check(key: key, algorithm: .sm4CBCHMACSM3)
        let iv = try iv ?? LibCryptoUtility.randomBytes(count: 16)
        guard iv.count == 16 else { throw CryptoError(.invalidParameter, "SM4-CBC IV must be 16 bytes") }
        let ciphertext = try LibCryptoCipher.sm4CBC(
            encrypt: true,
            key: Array(key[16...]),
            iv: iv,
            input: plaintext
        )
        let tag = try self.tag(key: key, iv: iv, ciphertext: ciphertext, associatedData: associatedData)
        return AEADSealedBox(nonce: iv, ciphertext: ciphertext, tag: tag)
    }

    /// Checks the tag, then decrypts `box`.
    ///
    /// - Throws: `.decryptionFailed` if the key is wrong or anything was modified;
    ///   `.invalidParameter` for a wrong key length.
    public static func open(
        _ box: AEADSealedBox,
        key: [UInt8],
        authenticating associatedData: [UInt8] = []
    ) throws -> [UInt8] {
        try AEADParameters.check(key: key, algorithm: .sm4CBCHMACSM3)
        guard box.nonce.count == 16, box.tag.count == 16, box.ciphertext.count % 16 == 0, !box.ciphertext.isEmpty
        else { throw CryptoError(.decryptionFailed, "SM4-CBC-HMAC-SM3 box has the wrong shape") }
        let expected = try tag(key: key, iv: box.nonce, ciphertext: box.ciphertext, associatedData: associatedData)
        guard ConstantTime.equals(expected, box.tag) else {
            throw CryptoError(.decryptionFailed, "SM4-CBC-HMAC-SM3 tag mismatch")
        }
        do {
            return try LibCryptoCipher.sm4CBC(
                encrypt: false,
                key: Array(key[16...]),
                iv: box.nonce,
                input: box.ciphertext
            )
        } catch let error as CryptoError where error.code == .decryptionFailed {
            throw CryptoError(.decryptionFailed, "SM4-CBC padding invalid")
        }
    }

    /// `HMAC-SM3(key[0..<16], AAD ‖ IV ‖ C ‖ AL)` truncated to 16 bytes.
    static func tag(key: [UInt8], iv: [UInt8], ciphertext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        let bitLength = UInt64(associatedData.count) &* 8
        let lengthBlock = (0..<8).reversed().map { UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64($0))) }
        let input = associatedData + iv + ciphertext + lengthBlock
        let code = try HMAC.authenticationCode(.sm3, key: Array(key[..<16]), data: input)
        return Array(code.prefix(16))
    }
}

/// SM4 (GB/T 32907) single-block encryption, for the standard's known-answer test only: ECB mode is
/// never used to protect data.
package enum SM4 {
    /// Encrypts one 16-byte block under a 16-byte key.
    package static func encryptBlock(_ block: [UInt8], key: [UInt8]) throws -> [UInt8] {
        guard block.count == 16, key.count == 16 else {
            throw CryptoError(.invalidParameter, "SM4 block and key are 16 bytes")
        }
        return try LibCryptoCipher.sm4ECBBlock(key: key, block: block)
    }
}

enum AEADParameters {
    static func check(key: [UInt8], algorithm: AEADAlgorithm) throws {
        guard key.count == algorithm.keyByteCount else {
            throw CryptoError(.invalidParameter, "\(algorithm) key must be \(algorithm.keyByteCount) bytes")
        }
    }
}
