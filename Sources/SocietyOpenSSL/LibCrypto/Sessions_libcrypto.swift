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
