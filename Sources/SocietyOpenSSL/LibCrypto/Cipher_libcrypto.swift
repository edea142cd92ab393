internal import COpenSSL
import SocietyCore

/// Owns one `EVP_CIPHER_CTX`; freed in `deinit`.
final class CipherContext {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = EVP_CIPHER_CTX_new() else { throw ErrorQueue.error(.library, "EVP_CIPHER_CTX_new") }
        self.pointer = pointer
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }

    /// Initialises for `cipher`, direction `encrypt`, with `key` and `iv` (lengths checked by the
    /// caller against the cipher).
    func initialize(_ cipher: FetchedCipher, encrypt: Bool, key: [UInt8], iv: [UInt8]?, padding: Bool) throws {
        let result = key.withNonNullBytes { keyBytes, _ in
            if let iv {
                return iv.withNonNullBytes { ivBytes, _ in
                    EVP_CipherInit_ex2(pointer, cipher.pointer, keyBytes, ivBytes, encrypt ? 1 : 0, nil)
                }
            }
            return EVP_CipherInit_ex2(pointer, cipher.pointer, keyBytes, nil, encrypt ? 1 : 0, nil)
        }
        try ErrorQueue.check(result, "EVP_CipherInit_ex2")
        try ErrorQueue.check(EVP_CIPHER_CTX_set_padding(pointer, padding ? 1 : 0), "EVP_CIPHER_CTX_set_padding")
    }

    /// Restarts with a new `iv`, keeping the cipher, direction and key of the last
    /// ``initialize(_:encrypt:key:iv:padding:)`` (and the key schedule derived from it).
    func restart(encrypt: Bool, iv: [UInt8]) throws {
        let result = iv.withNonNullBytes { ivBytes, _ in
            EVP_CipherInit_ex2(pointer, nil, nil, ivBytes, encrypt ? 1 : 0, nil)
        }
        try ErrorQueue.check(result, "EVP_CipherInit_ex2 (new IV)")
    }

    /// Feeds associated data (output-less update), as GCM requires before the text.
    func authenticate(_ associatedData: [UInt8]) throws {
        guard !associatedData.isEmpty else { return }
        var ignored: Int32 = 0
        let result = associatedData.withNonNullBytes { EVP_CipherUpdate(pointer, nil, &ignored, $0, Int32($1)) }
        try ErrorQueue.check(result, "EVP_CipherUpdate (AAD)")
    }

    /// Processes `input` and finishes; a failing final is reported with `finalCode`.
    func process(_ input: [UInt8], finalCode: CryptoError.Code) throws -> [UInt8] {
        guard input.count < Int(Int32.max) - 64 else { throw CryptoError(.invalidParameter, "input too large") }
        let blockSize = Int(EVP_CIPHER_CTX_get_block_size(pointer))
        return try [UInt8].filled(capacity: input.count + blockSize + 1) { output in
            var written: Int32 = 0
            let update = input.withNonNullBytes { EVP_CipherUpdate(pointer, output, &written, $0, Int32($1)) }
            try ErrorQueue.check(update, "EVP_CipherUpdate")
            var finalWritten: Int32 = 0
            let final = EVP_CipherFinal_ex(pointer, output + Int(written), &finalWritten)
            try ErrorQueue.check(final, "EVP_CipherFinal_ex", code: finalCode)
            return Int(written + finalWritten)
        }
    }

    /// Reads the GCM tag after encryption.
    func tag(count: Int) throws -> [UInt8] {
        try [UInt8].filled(capacity: count) { output in
            let result = EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_GCM_GET_TAG, Int32(count), output)
            try ErrorQueue.check(result, "EVP_CTRL_GCM_GET_TAG")
            return count
        }
    }

    /// Sets the expected GCM tag before decryption's final step.
    func setTag(_ tag: [UInt8]) throws {
        var copy = tag
        let result = copy.withUnsafeMutableBytes { buffer in
            EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_GCM_SET_TAG, Int32(buffer.count), buffer.baseAddress)
        }
        try ErrorQueue.check(result, "EVP_CTRL_GCM_SET_TAG")
    }
}

/// AES-256-GCM and SM4 through `EVP_CIPHER`.
enum LibCryptoCipher {
    static func cipher(_ fetched: FetchedCipher?, _ name: String) throws -> FetchedCipher {
        guard let fetched else { throw CryptoError(.unsupportedAlgorithm, "OpenSSL has no \(name)") }
        return fetched
    }

    /// A context for AES-256-GCM in direction `encrypt`, keyed with `key` and started with
    /// `nonce`: an idle one from `pool` when there is one (re-keyed only when its key differs).
    private static func gcmContext(
        _ pool: KeyedContextPool<CipherContext>,
        encrypt: Bool,
        key: [UInt8],
        nonce: [UInt8]
    ) throws -> CipherContext {
        if let (context, isKeyed) = pool.take(key: key) {
            if isKeyed {
                try context.restart(encrypt: encrypt, iv: nonce)
            } else {
                try context.initialize(
                    cipher(FetchedCipher.aes256GCM, "AES-256-GCM"),
                    encrypt: encrypt,
                    key: key,
                    iv: nonce,
                    padding: false
                )
            }
            return context
        }
        let context = try CipherContext()
        try context.initialize(
            cipher(FetchedCipher.aes256GCM, "AES-256-GCM"),
            encrypt: encrypt,
            key: key,
            iv: nonce,
            padding: false
        )
        return context
    }

    /// AES-256-GCM encryption with a 12-byte nonce: returns ciphertext and 16-byte tag.
    ///
    /// Contexts are reused through ``ContextPools/gcmSeal``: a context goes back to the pool only
    /// after a call that succeeded.
    static func aesGCMSeal(
        key: [UInt8],
        nonce: [UInt8],
        plaintext: [UInt8],
        associatedData: [UInt8]
    ) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let context = try gcmContext(ContextPools.gcmSeal, encrypt: true, key: key, nonce: nonce)
        try context.authenticate(associatedData)
        let ciphertext = try context.process(plaintext, finalCode: .library)
        let tag = try context.tag(count: 16)
        ContextPools.gcmSeal.give(context, key: key)
        return (ciphertext, tag)
    }

    /// AES-256-GCM decryption; any modification gives `.decryptionFailed`.
    ///
    /// Contexts are reused through ``ContextPools/gcmOpen``; one whose tag check failed is freed.
    static func aesGCMOpen(
        key: [UInt8],
        nonce: [UInt8],
        ciphertext: [UInt8],
        tag: [UInt8],
        associatedData: [UInt8]
    ) throws -> [UInt8] {
        let context = try gcmContext(ContextPools.gcmOpen, encrypt: false, key: key, nonce: nonce)
        try context.authenticate(associatedData)
        try context.setTag(tag)
        let plaintext: [UInt8]
        do {
            plaintext = try context.process(ciphertext, finalCode: .decryptionFailed)
        } catch let error as CryptoError where error.code == .decryptionFailed {
            ErrorQueue.clear()
            throw CryptoError(.decryptionFailed, "AES-256-GCM authentication failed")
        }
        ContextPools.gcmOpen.give(context, key: key)
        return plaintext
    }

    /// SM4-CBC with PKCS#7 padding, 16-byte key and IV.
    static func sm4CBC(encrypt: Bool, key: [UInt8], iv: [UInt8], input: [UInt8]) throws -> [UInt8] {
        let context = try CipherContext()
        try context.initialize(
            cipher(FetchedCipher.sm4CBC, "SM4-CBC"),
            encrypt: encrypt,
            key: key,
            iv: iv,
            padding: true
        )
        return try context.process(input, finalCode: encrypt ? .library : .decryptionFailed)
    }

    /// One SM4 block in ECB mode, for the GB/T 32907 known answer.
    static func sm4ECBBlock(key: [UInt8], block: [UInt8]) throws -> [UInt8] {
        let context = try CipherContext()
        try context.initialize(
            cipher(FetchedCipher.sm4ECB, "SM4-ECB"),
            encrypt: true,
            key: key,
            iv: nil,
            padding: false
        )
        return try context.process(block, finalCode: .library)
    }
}
