internal import COpenSSL
import SocietyCore

extension DigestAlgorithm {
    /// The fetched implementation, or `.unsupportedAlgorithm` when the provider lacks it.
    func fetched() throws -> FetchedDigest {
        let fetched: FetchedDigest? =
            switch self {
            case .sm3: FetchedDigest.sm3
            case .sha256: FetchedDigest.sha256
            }
        guard let fetched else { throw CryptoError(.unsupportedAlgorithm, "OpenSSL has no \(self) digest") }
        return fetched
    }

    /// OpenSSL's name for the digest, as the HMAC "digest" parameter expects it.
    var openSSLName: String {
        switch self {
        case .sm3: "SM3"
        case .sha256: "SHA256"
        }
    }
}

/// One-shot digests and HMAC through `EVP_Digest` and `EVP_Q_mac`.
enum LibCryptoDigest {
    /// `EVP_Digest` of `data`.
    static func digest(_ algorithm: DigestAlgorithm, _ data: [UInt8]) throws -> [UInt8] {
        let md = try algorithm.fetched()
        return try [UInt8].filled(capacity: Int(EVP_MAX_MD_SIZE)) { output in
            var length: UInt32 = 0
            let result = data.withNonNullBytes { bytes, count in
                EVP_Digest(bytes, count, output, &length, md.pointer, nil)
            }
            try ErrorQueue.check(result, "EVP_Digest \(algorithm)")
            return Int(length)
        }
    }

    /// HMAC of `data` under `key` with `algorithm`'s digest.
    ///
    /// Uses an `EVP_MAC_CTX` from ``ContextPools/hmac(_:)``: one last keyed with the same key
    /// restarts from the inner and outer pads OpenSSL kept; any other is re-keyed. A context goes
    /// back to the pool only after a call that succeeded.
    static func hmac(_ algorithm: DigestAlgorithm, key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        let pool = ContextPools.hmac(algorithm)
        let context: MACContext
        if let (idle, isKeyed) = pool.take(key: key) {
            context = idle
            try context.start(key: isKeyed ? nil : key)
        } else {
            context = try MACContext(algorithm)
            try context.start(key: key)
        }
        let code = try context.code(of: data)
        pool.give(context, key: key)
        return code
    }

    /// `EVP_Q_mac("HMAC", digest)` of `data` under `key`: the one-shot reference the pooled
    /// ``hmac(_:key:data:)`` is tested against.
    static func oneShotHMAC(_ algorithm: DigestAlgorithm, key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        _ = try algorithm.fetched()
        return try [UInt8].filled(capacity: Int(EVP_MAX_MD_SIZE)) { output in
            var length = 0
            let result = key.withNonNullBytes { keyBytes, keyCount in
                data.withNonNullBytes { dataBytes, dataCount in
                    EVP_Q_mac(
                        nil,
                        "HMAC",
                        nil,
                        algorithm.openSSLName,
                        nil,
                        keyBytes,
                        keyCount,
                        dataBytes,
                        dataCount,
                        output,
                        Int(EVP_MAX_MD_SIZE),
                        &length
                    )
                }
            }
            guard result != nil else { throw ErrorQueue.error(.library, "EVP_Q_mac HMAC-\(algorithm)") }
            return length
        }
    }
}

/// Owns one `EVP_MD_CTX` for a streaming digest; freed in `deinit`.
final class DigestContext {
    private let pointer: OpaquePointer
    let algorithm: DigestAlgorithm

    init(_ algorithm: DigestAlgorithm) throws {
        let md = try algorithm.fetched()
        guard let pointer = EVP_MD_CTX_new() else { throw ErrorQueue.error(.library, "EVP_MD_CTX_new") }
        self.pointer = pointer
        self.algorithm = algorithm
        try ErrorQueue.check(EVP_DigestInit_ex2(pointer, md.pointer, nil), "EVP_DigestInit_ex2")
    }

    deinit { EVP_MD_CTX_free(pointer) }

    /// Feeds `bytes`; returns false if OpenSSL refused them.
    func update(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        return bytes.withNonNullBytes { EVP_DigestUpdate(pointer, $0, $1) } == 1
    }

    /// Finishes the digest.
    func finalize() throws -> [UInt8] {
        try [UInt8].filled(capacity: Int(EVP_MAX_MD_SIZE)) { output in
            var length: UInt32 = 0
            try ErrorQueue.check(EVP_DigestFinal_ex(pointer, output, &length), "EVP_DigestFinal_ex")
            return Int(length)
        }
    }
}

/// Constant-time comparison and random bytes.
enum LibCryptoUtility {
    /// `CRYPTO_memcmp` over equal lengths; unequal lengths are unequal (length is not secret).
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withNonNullBytes { left, count in
            rhs.withNonNullBytes { right, _ in CRYPTO_memcmp(left, right, count) == 0 }
        }
    }

    /// `RAND_bytes` from OpenSSL's DRBG.
    static func randomBytes(count: Int) throws -> [UInt8] {
        guard count >= 0, count <= Int(Int32.max) else {
            throw CryptoError(.invalidParameter, "random byte count \(count) out of range")
        }
        return try [UInt8].filled(capacity: count) { output in
            try ErrorQueue.check(RAND_bytes(output, Int32(count)), "RAND_bytes")
            return count
        }
    }
}
