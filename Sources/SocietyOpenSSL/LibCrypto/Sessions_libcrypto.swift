internal import COpenSSL
import SocietyCore

/// AES-256-GCM sealing with one context keyed once: each value only restarts it with its nonce.
/// The pooled one-shot path looks a context up (a lock and a key comparison) and builds a sealed
/// box per value; a bulk load sealing a field of every record does neither.
final class GCMSealingSession: AEADSealingSession {
    private let context: CipherContext
    private let key: [UInt8]
    private var isKeyed = false

    init(key: [UInt8]) throws {
        guard key.count == AEADAlgorithm.aes256GCM.keyByteCount else {
            throw CryptoError(.invalidKey, "AES-256-GCM needs a 32-byte key")
        }
        context = try CipherContext()
        self.key = key
    }

    func seal(
        _ plaintext: [UInt8],
        nonce: [UInt8],
        associatedData: [UInt8],
        appendingTo output: inout [UInt8]
    )
        throws
    {
        guard nonce.count == AEADAlgorithm.aes256GCM.nonceByteCount else {
            throw CryptoError(.invalidParameter, "AES-256-GCM needs a 12-byte nonce")
        }
        if isKeyed {
            try context.restart(encrypt: true, iv: nonce)
        } else {
            try context.initialize(
                LibCryptoCipher.cipher(FetchedCipher.aes256GCM, "AES-256-GCM"),
                encrypt: true,
                key: key,
                iv: nonce,
                padding: false
            )
            isKeyed = true
        }
        try context.authenticate(associatedData)
        guard plaintext.count < Int(Int32.max) - 64 else { throw CryptoError(.invalidParameter, "input too large") }
        // The ciphertext and tag go straight into `output` (GCM's ciphertext is as long as the
        // text and its final step writes nothing): a record field of twenty bytes otherwise paid
        // for two arrays of its own, more than the cipher itself (bulk-load profile, 2026-12-07).
        let tagCount = AEADAlgorithm.aes256GCM.tagByteCount
        output += nonce
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: plaintext.count + tagCount))
        let pointer = context.pointer
        let result = output.withUnsafeMutableBufferPointer { buffer -> (Int32, Int32, Int32) in
            guard let base = buffer.baseAddress else { return (0, 0, 0) }
            let text = base + start
            var written: Int32 = 0
            let update = plaintext.withNonNullBytes { EVP_CipherUpdate(pointer, text, &written, $0, Int32($1)) }
            guard update == 1, Int(written) == plaintext.count else { return (update == 1 ? 0 : update, 1, 1) }
            var finalWritten: Int32 = 0
            let final = EVP_CipherFinal_ex(pointer, text + Int(written), &finalWritten)
            guard final == 1, finalWritten == 0 else { return (1, final == 1 ? 0 : final, 1) }
            let tag = EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagCount), text + plaintext.count)
            return (1, 1, tag)
        }
        guard result == (1, 1, 1) else {
            output.removeSubrange((start - nonce.count)...)
            try ErrorQueue.check(result.0, "EVP_CipherUpdate")
            try ErrorQueue.check(result.1, "EVP_CipherFinal_ex")
            try ErrorQueue.check(result.2, "EVP_CTRL_GCM_GET_TAG")
            throw CryptoError(.library, "AES-256-GCM wrote an unexpected length")
        }
    }
}

/// HMAC with one context keyed once: each value restarts it from the kept key pads.
final class HMACSession: MACSession {
    private let context: MACContext

    init(_ algorithm: DigestAlgorithm, key: [UInt8]) throws {
        context = try MACContext(algorithm)
        try context.start(key: key)
    }

    func authenticationCode(of data: [UInt8]) throws -> [UInt8] {
        try context.start(key: nil)
        return try context.code(of: data)
    }
}

/// Digests with one `EVP_MD_CTX` kept for the session, each written into the caller's buffer.
/// The one-shot `EVP_Digest` path allocates and frees a context and an output array per value,
/// which cost more than hashing an audit entry of a few hundred bytes (audit-walk profile,
/// 2026-12-07).
final class LibCryptoDigestSession: DigestSession {
    private let context: OpaquePointer
    private let md: FetchedDigest
    private let size: Int

    init(_ algorithm: DigestAlgorithm) throws {
        md = try algorithm.fetched()
        guard let context = EVP_MD_CTX_new() else { throw ErrorQueue.error(.library, "EVP_MD_CTX_new") }
        self.context = context
        size = Int(EVP_MD_get_size(md.pointer))
        guard size > 0, size <= Int(EVP_MAX_MD_SIZE) else {
            EVP_MD_CTX_free(context)
            throw CryptoError(.library, "\(algorithm) reports a digest size of \(size)")
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    func digest(of data: [UInt8], into output: inout [UInt8]) throws {
        if output.count != size {
            output.removeAll(keepingCapacity: true)
            output.append(contentsOf: repeatElement(0, count: size))
        }
        let context = self.context
        let md = self.md.pointer
        let result = output.withUnsafeMutableBufferPointer { buffer -> (Int32, Int32, Int32) in
            guard let base = buffer.baseAddress else { return (0, 1, 1) }
            // Re-initialising with the same digest keeps the context's provider state.
            let start = EVP_DigestInit_ex2(context, md, nil)
            guard start == 1 else { return (start, 1, 1) }
            let update = data.withNonNullBytes { EVP_DigestUpdate(context, $0, $1) }
            guard update == 1 else { return (1, update, 1) }
            var length: UInt32 = 0
            let final = EVP_DigestFinal_ex(context, base, &length)
            return (1, 1, final == 1 && Int(length) == buffer.count ? 1 : 0)
        }
        guard result == (1, 1, 1) else {
            try ErrorQueue.check(result.0, "EVP_DigestInit_ex2")
            try ErrorQueue.check(result.1, "EVP_DigestUpdate")
            try ErrorQueue.check(result.2, "EVP_DigestFinal_ex")
            throw CryptoError(.library, "the digest wrote an unexpected length")
        }
    }
}
