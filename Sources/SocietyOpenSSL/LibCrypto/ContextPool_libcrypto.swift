internal import COpenSSL
import Foundation
import SocietyCore

/// Keyed OpenSSL contexts kept for reuse, so that repeated AES-256-GCM and HMAC calls under the
/// same key (a store sealing and hashing a million records) skip creating and freeing a context,
/// fetching the algorithm and expanding the key each time.
///
/// A caller takes a context out of the pool, uses it alone, and gives it back only when the call
/// succeeded (a context that saw an error is freed, never reused). Each context remembers the key
/// it was keyed with; ``take(key:)`` prefers one keyed with the same key (compared with
/// `CRYPTO_memcmp`) and otherwise hands out any idle one, which the caller re-keys. At most
/// `capacity` idle contexts are kept per shard; a key's copy lives only as long as its context.
///
/// The idle contexts are split into shards, one picked per thread: threads sealing and hashing
/// in parallel (a bulk load prepares rows on every core) would otherwise take turns on one lock
/// whose cache line moves between cores on every call.
///
/// `@unchecked Sendable`: each shard's `idle` is read and written only while that shard's `lock`
/// is held, and a context taken out of `idle` is referenced only by the one caller that took it
/// until it is given back. The locks are `NSLock`s (pthread mutexes) so that ThreadSanitizer sees
/// the hand-over.
final class KeyedContextPool<Context: AnyObject>: @unchecked Sendable {
    private final class Shard {
        let lock = NSLock()
        var idle: [(key: [UInt8], context: Context)] = []
    }

    private static var shardCount: Int { 8 }
    private let shards: [Shard]
    private let capacity: Int

    /// At most `capacity` idle contexts per shard.
    init(capacity: Int = 4) {
        self.capacity = capacity
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    /// The calling thread's shard: its pthread id, mixed (thread ids are aligned addresses).
    private var shard: Shard {
        let mixed = UInt64(UInt(pthread_self())) &* 0x9E37_79B9_7F4A_7C15
        return shards[Int(truncatingIfNeeded: mixed >> 61) % shards.count]
    }

    /// An idle context and whether it is already keyed with `key`, or `nil` when none is idle.
    func take(key: [UInt8]) -> (context: Context, isKeyed: Bool)? {
        let shard = self.shard
        return shard.lock.withLock {
            // A caller that passes the very array it keyed the context with (a store's pinned
            // key) is recognised by identity, without comparing the key's bytes.
            if let last = shard.idle.last, Self.sameStorage(last.key, key) {
                return (shard.idle.removeLast().context, true)
            }
            if let index = shard.idle.lastIndex(where: { LibCryptoUtility.constantTimeEquals($0.key, key) }) {
                return (shard.idle.remove(at: index).context, true)
            }
            guard let last = shard.idle.popLast() else { return nil }
            return (last.context, false)
        }
    }

    /// Whether two arrays share one buffer (and so hold the same bytes). Reveals nothing about
    /// the bytes themselves, so it needs no constant-time comparison.
    private static func sameStorage(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count
            && a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress } }
    }

    /// Returns `context`, keyed with `key`, for reuse; dropped (and freed) when the shard is full.
    func give(_ context: Context, key: [UInt8]) {
        let shard = self.shard
        shard.lock.withLock {
            guard shard.idle.count < capacity else { return }
            shard.idle.append((key, context))
        }
    }
}

/// One `EVP_MAC_CTX` for HMAC with one digest; freed in `deinit`.
final class MACContext {
    let pointer: OpaquePointer
    let algorithm: DigestAlgorithm

    init(_ algorithm: DigestAlgorithm) throws {
        _ = try algorithm.fetched()
        guard let mac = FetchedMAC.hmac else { throw CryptoError(.unsupportedAlgorithm, "OpenSSL has no HMAC") }
        guard let pointer = EVP_MAC_CTX_new(mac.pointer) else {
            throw ErrorQueue.error(.library, "EVP_MAC_CTX_new")
        }
        self.pointer = pointer
        self.algorithm = algorithm
        var name = Array(algorithm.openSSLName.utf8CString)
        let result = name.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var params = [
                OSSL_PARAM_construct_utf8_string("digest", buffer.baseAddress, 0),
                OSSL_PARAM_construct_end(),
            ]
            return EVP_MAC_CTX_set_params(pointer, &params)
        }
        guard result == 1 else {
            EVP_MAC_CTX_free(pointer)
            throw ErrorQueue.error(.library, "EVP_MAC_CTX_set_params HMAC-\(algorithm)")
        }
    }

    deinit { EVP_MAC_CTX_free(pointer) }

    /// Starts a new code: with `key`, or (`key == nil`) with the key of the previous start, whose
    /// inner and outer pads OpenSSL keeps.
    func start(key: [UInt8]?) throws {
        let result: Int32
        if let key {
            result = key.withNonNullBytes { EVP_MAC_init(pointer, $0, $1, nil) }
        } else {
            result = EVP_MAC_init(pointer, nil, 0, nil)
        }
        try ErrorQueue.check(result, "EVP_MAC_init HMAC-\(algorithm)")
    }

    /// Feeds `data` and returns the code.
    func code(of data: [UInt8]) throws -> [UInt8] {
        try ErrorQueue.check(data.withNonNullBytes { EVP_MAC_update(pointer, $0, $1) }, "EVP_MAC_update")
        return try [UInt8].filled(capacity: Int(EVP_MAX_MD_SIZE)) { output in
            var length = 0
            try ErrorQueue.check(EVP_MAC_final(pointer, output, &length, Int(EVP_MAX_MD_SIZE)), "EVP_MAC_final")
            return length
        }
    }
}

/// The pools the one-shot functions draw from.
enum ContextPools {
    /// AES-256-GCM contexts for sealing.
    static let gcmSeal = KeyedContextPool<CipherContext>()
    /// AES-256-GCM contexts for opening.
    static let gcmOpen = KeyedContextPool<CipherContext>()
    /// HMAC-SHA-256 contexts.
    static let hmacSHA256 = KeyedContextPool<MACContext>()
    /// HMAC-SM3 contexts.
    static let hmacSM3 = KeyedContextPool<MACContext>()

    static func hmac(_ algorithm: DigestAlgorithm) -> KeyedContextPool<MACContext> {
        switch algorithm {
        case .sha256: hmacSHA256
        case .sm3: hmacSM3
        }
    }
}
