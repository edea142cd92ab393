public import SocietyCore

/// SM3 (GB/T 32905), the national-profile digest.
public enum SM3 {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// The SM3 digest of `data`.
    public static func hash(data: [UInt8]) throws -> [UInt8] { try LibCryptoDigest.digest(.sm3, data) }
}

/// SHA-256 (FIPS 180-4), the standard-profile digest.
///
/// Named `SHA256Digest` rather than `SHA256` so that it never clashes with swift-crypto's or a
/// platform's `SHA256` in a module that imports both.
public enum SHA256Digest {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// The SHA-256 digest of `data`.
    public static func hash(data: [UInt8]) throws -> [UInt8] { try LibCryptoDigest.digest(.sha256, data) }
}

/// A streaming digest, for data that arrives in pieces (a file, a long scan).
///
/// It owns an `EVP_MD_CTX` and is `~Copyable`, so two copies can never feed the same context;
/// ``finalize()`` consumes it. Not `Sendable`: use one hasher per task.
public struct DigestHasher: ~Copyable {
    private let context: DigestContext
    private var failed = false

    /// Starts a digest with `algorithm`.
    public init(_ algorithm: DigestAlgorithm) throws { self.context = try DigestContext(algorithm) }

    /// The algorithm being computed.
    public var algorithm: DigestAlgorithm { context.algorithm }

    /// Feeds more bytes. A library failure is remembered and reported by ``finalize()``.
    public mutating func update(_ bytes: [UInt8]) {
        if !context.update(bytes) { failed = true }
    }

    /// The digest of everything fed so far; the hasher is used up.
    public consuming func finalize() throws -> [UInt8] {
        guard !failed else { throw ErrorQueue.error(.library, "EVP_DigestUpdate failed") }
        return try context.finalize()
    }
}

/// HMAC (RFC 2104) with SM3 or SHA-256, through OpenSSL's `EVP_MAC` "HMAC".
public enum HMAC {
    /// The authentication code of `data` under `key`.
    public static func authenticationCode(
        _ algorithm: DigestAlgorithm,
        key: [UInt8],
        data: [UInt8]
    ) throws -> [UInt8] {
        try LibCryptoDigest.hmac(algorithm, key: key, data: data)
    }

    /// Whether `code` is the authentication code of `data` under `key`, compared in constant time.
    public static func isValidAuthenticationCode(
        _ code: [UInt8],
        algorithm: DigestAlgorithm,
        key: [UInt8],
        data: [UInt8]
    ) throws -> Bool {
        ConstantTime.equals(code, try authenticationCode(algorithm, key: key, data: data))
    }
}

/// Comparison whose running time does not reveal where two secrets differ.
public enum ConstantTime {
    /// `CRYPTO_memcmp` equality; byte strings of different lengths are unequal (lengths are public).
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        LibCryptoUtility.constantTimeEquals(lhs, rhs)
    }
}

/// OpenSSL's DRBG (`RAND_bytes`) behind the SDK's ``SocietyCore/RandomSource`` port: the generator
/// for keys, nonces and envelope identifiers in production.
public struct OpenSSLRandomSource: RandomSource {
    /// Creates the source; OpenSSL seeds itself from the operating system.
    public init() {}

    /// `count` cryptographically secure random bytes; throws `.library` if the DRBG fails.
    public func bytes(count: Int) throws -> [UInt8] { try LibCryptoUtility.randomBytes(count: count) }
}
