/// A signature algorithm the SDK can sign and verify with.
///
/// The port speaks these identifiers rather than types so that a pure module can choose an algorithm
/// from configuration (a deployment's "standard" or "national" profile) and from a JWS header.
public enum SignatureAlgorithm: String, CaseIterable, Codable, Hashable, Sendable {
    /// SM2 signature with SM3 (GM/T 0003.2, GM/T 0009) and the default distinguishing identifier
    /// ``SignatureAlgorithm/sm2DefaultIdentifier``. Signatures are DER `SEQUENCE { r, s }`.
    case sm2
    /// Ed25519 (RFC 8032), pure mode. Signatures are 64 bytes.
    case ed25519
    /// ECDSA on NIST P-256 with SHA-256. Signatures are raw `r‖s` (64 bytes), as JWS `ES256`
    /// requires (RFC 7518 §3.4).
    case p256

    /// The GM/T 0009 default user identifier, `"1234567812345678"`, used for every SM2 signature.
    ///
    /// OpenSSL 3.0 silently uses an empty identifier when none is set, which other GM/T
    /// implementations reject; adapters must set this one explicitly.
    public static let sm2DefaultIdentifier: [UInt8] = Array("1234567812345678".utf8)

    /// The JWS `alg` header value (RFC 7518 §3.1, RFC 8037 §3.1).
    ///
    /// SM2 has no registered JWS name. The SDK uses `"SM2-SM3"`: it names both the curve and the
    /// digest, like the registered `RSA-OAEP-256`, and a standard JOSE library rejects it as unknown
    /// instead of mistaking it for ECDSA.
    public var jwsName: String {
        switch self {
        case .sm2: "SM2-SM3"
        case .ed25519: "EdDSA"
        case .p256: "ES256"
        }
    }

    /// The algorithm a JWS `alg` header value names, or `nil` when the SDK does not support it.
    public init?(jwsName: String) {
        guard let match = Self.allCases.first(where: { $0.jwsName == jwsName }) else { return nil }
        self = match
    }

    /// The length of a raw private key (the scalar or seed) in bytes.
    public var privateKeyByteCount: Int { 32 }

    /// The length of ``VerifyingKey/rawRepresentation`` in bytes: 32 for Ed25519, `X‖Y` (64) for the
    /// elliptic curves.
    public var publicKeyByteCount: Int { self == .ed25519 ? 32 : 64 }
}

/// A message digest algorithm.
public enum DigestAlgorithm: String, CaseIterable, Codable, Hashable, Sendable {
    /// SM3 (GB/T 32905, GM/T 0004), the national-profile digest.
    case sm3
    /// SHA-256 (FIPS 180-4), the standard-profile digest.
    case sha256

    /// The digest length in bytes (32 for both).
    public var byteCount: Int { 32 }

    /// The HMAC block length in bytes (64 for both).
    public var blockByteCount: Int { 64 }
}

/// An authenticated encryption algorithm (AEAD): confidentiality and integrity in one operation.
public enum AEADAlgorithm: String, CaseIterable, Codable, Hashable, Sendable {
    /// AES-256 in Galois/Counter Mode (NIST SP 800-38D): 32-byte key, 12-byte nonce, 16-byte tag.
    case aes256GCM
    /// The national profile: SM4-CBC with PKCS#7 padding, then HMAC-SM3 over
    /// `AAD ‖ IV ‖ ciphertext ‖ AL` truncated to 16 bytes (encrypt-then-MAC, built like RFC 7518
    /// §5.2 AES_CBC_HMAC_SHA2 because OpenSSL 3.0 has no SM4-GCM). The 32-byte key is
    /// `MAC key (16) ‖ encryption key (16)`; the nonce is the 16-byte IV.
    case sm4CBCHMACSM3

    /// The key length in bytes (32 for both).
    public var keyByteCount: Int { 32 }

    /// The nonce (IV) length in bytes.
    public var nonceByteCount: Int {
        switch self {
        case .aes256GCM: 12
        case .sm4CBCHMACSM3: 16
        }
    }

    /// The authentication tag length in bytes (16 for both).
    public var tagByteCount: Int { 16 }
}

/// How key bytes handed to ``CryptoProvider`` are encoded.
public enum KeyEncoding: String, CaseIterable, Codable, Hashable, Sendable {
    /// The bare key: a 32-byte scalar or seed for private keys; for public keys 32 bytes (Ed25519),
    /// or `X‖Y` (64 bytes) or `04‖X‖Y` (65 bytes) for the elliptic curves.
    case raw
    /// DER: PKCS#8 `PrivateKeyInfo` for private keys, `SubjectPublicKeyInfo` for public keys.
    case der
    /// PEM (RFC 7468) text of the DER form, as UTF-8 bytes.
    case pem
    /// A JSON Web Key (RFC 7517) as UTF-8 JSON bytes; Ed25519 and P-256 only.
    case jwk
}
