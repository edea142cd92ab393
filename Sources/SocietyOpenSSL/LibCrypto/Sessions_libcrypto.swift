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
        let ciphertext = try context.process(plaintext, finalCode: .library)
        let tag = try context.tag(count: AEADAlgorithm.aes256GCM.tagByteCount)
        output += nonce
        output += ciphertext
        output += tag
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
