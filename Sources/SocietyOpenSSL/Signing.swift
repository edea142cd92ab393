public import SocietyCore

/// SM2 digital signatures with SM3 (GM/T 0003.2, GB/T 32918.2), the national-profile algorithm.
///
/// Every signature and verification uses the GM/T 0009 default identifier `1234567812345678`,
/// which OpenSSL 3.0 would otherwise leave empty, so that signatures interoperate with other
/// GM/T implementations.
public enum SM2 {
    /// SM2 signing keys.
    public enum Signing {}
}

/// Ed25519 signatures (RFC 8032), the standard profile's JWS `EdDSA` algorithm.
public enum Ed25519 {
    /// Ed25519 signing keys.
    public enum Signing {}
}

/// ECDSA on NIST P-256 with SHA-256, the JWS `ES256` algorithm.
public enum P256 {
    /// P-256 signing keys.
    public enum Signing {}
}

extension SM2.Signing {
    /// A SM2 private key: signs envelopes and trust lists for its holder.
    ///
    /// Create one with ``init()``, or import one from raw bytes, DER (PKCS#8) or PEM. The
    /// encodings are computed once at creation, so reading them never fails.
    public struct PrivateKey: SigningKey {
        let storage: PrivateKeyStorage

        /// The matching public key, to publish on a trust list.
        public let publicKey: PublicKey

        /// Always ``SocietyCore/SignatureAlgorithm/sm2``.
        public var algorithm: SignatureAlgorithm { .sm2 }

        /// Generates a fresh key from OpenSSL's secure random generator.
        public init() throws { try self.init(storage: PrivateKeyStorage(generating: .sm2)) }

        /// Imports the 32-byte big-endian private scalar `d`; throws `.invalidKey` for a wrong length or out-of-range value.
        public init(rawRepresentation: [UInt8]) throws {
            try self.init(storage: PrivateKeyStorage(raw: rawRepresentation, algorithm: .sm2))
        }

        /// Imports a PKCS#8 (or SEC1 for EC) DER private key; throws `.invalidKey` for malformed DER or
        /// a key of another algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            try self.init(storage: PrivateKeyStorage(der: derRepresentation, algorithm: .sm2))
        }

        /// Imports a `PRIVATE KEY` (or `EC PRIVATE KEY`) PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            try self.init(storage: PrivateKeyStorage(pem: pemRepresentation, algorithm: .sm2))
        }

        init(storage: PrivateKeyStorage) {
            self.storage = storage
            self.publicKey = PublicKey(storage: storage.publicKey)
        }

        /// The 32-byte big-endian private scalar `d`. Secret: store it only encrypted.
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The PKCS#8 `PrivateKeyInfo` DER. Secret: store it only encrypted.
        public var derRepresentation: [UInt8] { storage.der }

        /// The PKCS#8 PEM (`PRIVATE KEY`) text, as `openssl pkey` reads it. Secret.
        public var pemRepresentation: String { storage.pem }

        /// Signs `message`, returning a DER `SEQUENCE { r, s }`.
        public func signature(for message: [UInt8]) throws -> [UInt8] { try storage.signature(for: message) }
    }

    /// A SM2 public key: verifies signatures of the matching private key.
    public struct PublicKey: VerifyingKey {
        let storage: PublicKeyStorage

        /// Always ``SocietyCore/SignatureAlgorithm/sm2``.
        public var algorithm: SignatureAlgorithm { .sm2 }

        /// Imports the uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted); throws `.invalidKey` for a wrong length or a point not on the curve.
        public init(rawRepresentation: [UInt8]) throws {
            self.storage = try PublicKeyStorage(raw: rawRepresentation, algorithm: .sm2)
        }

        /// Imports a DER `SubjectPublicKeyInfo`; throws `.invalidKey` for malformed DER or another
        /// algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            self.storage = try PublicKeyStorage(der: derRepresentation, algorithm: .sm2)
        }

        /// Imports a `PUBLIC KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            self.storage = try PublicKeyStorage(pem: pemRepresentation, algorithm: .sm2)
        }

        init(storage: PublicKeyStorage) { self.storage = storage }

        /// The uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted).
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The DER `SubjectPublicKeyInfo`.
        public var derRepresentation: [UInt8] { storage.der }

        /// Whether `signature` (a DER `SEQUENCE { r, s }`) signs `message`; malformed signatures are invalid.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            storage.isValidSignature(signature, for: message)
        }
    }
}

extension Ed25519.Signing {
    /// A Ed25519 private key: signs envelopes and trust lists for its holder.
    ///
    /// Create one with ``init()``, or import one from raw bytes, DER (PKCS#8) or PEM. The
    /// encodings are computed once at creation, so reading them never fails.
    public struct PrivateKey: SigningKey {
        let storage: PrivateKeyStorage

        /// The matching public key, to publish on a trust list.
        public let publicKey: PublicKey

        /// Always ``SocietyCore/SignatureAlgorithm/ed25519``.
        public var algorithm: SignatureAlgorithm { .ed25519 }

        /// Generates a fresh key from OpenSSL's secure random generator.
        public init() throws { try self.init(storage: PrivateKeyStorage(generating: .ed25519)) }

        /// Imports the 32-byte private seed; throws `.invalidKey` for a wrong length or out-of-range value.
        public init(rawRepresentation: [UInt8]) throws {
            try self.init(storage: PrivateKeyStorage(raw: rawRepresentation, algorithm: .ed25519))
        }

        /// Imports a PKCS#8 (or SEC1 for EC) DER private key; throws `.invalidKey` for malformed DER or
        /// a key of another algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            try self.init(storage: PrivateKeyStorage(der: derRepresentation, algorithm: .ed25519))
        }

        /// Imports a `PRIVATE KEY` (or `EC PRIVATE KEY`) PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            try self.init(storage: PrivateKeyStorage(pem: pemRepresentation, algorithm: .ed25519))
        }

        init(storage: PrivateKeyStorage) {
            self.storage = storage
            self.publicKey = PublicKey(storage: storage.publicKey)
        }

        /// The 32-byte private seed. Secret: store it only encrypted.
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The PKCS#8 `PrivateKeyInfo` DER. Secret: store it only encrypted.
        public var derRepresentation: [UInt8] { storage.der }

        /// The PKCS#8 PEM (`PRIVATE KEY`) text, as `openssl pkey` reads it. Secret.
        public var pemRepresentation: String { storage.pem }

        /// Signs `message`, returning 64 bytes.
        public func signature(for message: [UInt8]) throws -> [UInt8] { try storage.signature(for: message) }
    }

    /// A Ed25519 public key: verifies signatures of the matching private key.
    public struct PublicKey: VerifyingKey {
        let storage: PublicKeyStorage

        /// Always ``SocietyCore/SignatureAlgorithm/ed25519``.
        public var algorithm: SignatureAlgorithm { .ed25519 }

        /// Imports the 32-byte public key; throws `.invalidKey` for a wrong length or a point not on the curve.
        public init(rawRepresentation: [UInt8]) throws {
            self.storage = try PublicKeyStorage(raw: rawRepresentation, algorithm: .ed25519)
        }

        /// Imports a DER `SubjectPublicKeyInfo`; throws `.invalidKey` for malformed DER or another
        /// algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            self.storage = try PublicKeyStorage(der: derRepresentation, algorithm: .ed25519)
        }

        /// Imports a `PUBLIC KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            self.storage = try PublicKeyStorage(pem: pemRepresentation, algorithm: .ed25519)
        }

        init(storage: PublicKeyStorage) { self.storage = storage }

        /// The 32-byte public key.
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The DER `SubjectPublicKeyInfo`.
        public var derRepresentation: [UInt8] { storage.der }

        /// Whether `signature` (64 bytes) signs `message`; malformed signatures are invalid.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            storage.isValidSignature(signature, for: message)
        }
    }
}

extension P256.Signing {
    /// A P-256 private key: signs envelopes and trust lists for its holder.
    ///
    /// Create one with ``init()``, or import one from raw bytes, DER (PKCS#8) or PEM. The
    /// encodings are computed once at creation, so reading them never fails.
    public struct PrivateKey: SigningKey {
        let storage: PrivateKeyStorage

        /// The matching public key, to publish on a trust list.
        public let publicKey: PublicKey

        /// Always ``SocietyCore/SignatureAlgorithm/p256``.
        public var algorithm: SignatureAlgorithm { .p256 }

        /// Generates a fresh key from OpenSSL's secure random generator.
        public init() throws { try self.init(storage: PrivateKeyStorage(generating: .p256)) }

        /// Imports the 32-byte big-endian private scalar `d`; throws `.invalidKey` for a wrong length or out-of-range value.
        public init(rawRepresentation: [UInt8]) throws {
            try self.init(storage: PrivateKeyStorage(raw: rawRepresentation, algorithm: .p256))
        }

        /// Imports a PKCS#8 (or SEC1 for EC) DER private key; throws `.invalidKey` for malformed DER or
        /// a key of another algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            try self.init(storage: PrivateKeyStorage(der: derRepresentation, algorithm: .p256))
        }

        /// Imports a `PRIVATE KEY` (or `EC PRIVATE KEY`) PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            try self.init(storage: PrivateKeyStorage(pem: pemRepresentation, algorithm: .p256))
        }

        init(storage: PrivateKeyStorage) {
            self.storage = storage
            self.publicKey = PublicKey(storage: storage.publicKey)
        }

        /// The 32-byte big-endian private scalar `d`. Secret: store it only encrypted.
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The PKCS#8 `PrivateKeyInfo` DER. Secret: store it only encrypted.
        public var derRepresentation: [UInt8] { storage.der }

        /// The PKCS#8 PEM (`PRIVATE KEY`) text, as `openssl pkey` reads it. Secret.
        public var pemRepresentation: String { storage.pem }

        /// Signs `message`, returning raw `r‖s` (64 bytes), as JWS ES256 requires.
        public func signature(for message: [UInt8]) throws -> [UInt8] { try storage.signature(for: message) }
    }

    /// A P-256 public key: verifies signatures of the matching private key.
    public struct PublicKey: VerifyingKey {
        let storage: PublicKeyStorage

        /// Always ``SocietyCore/SignatureAlgorithm/p256``.
        public var algorithm: SignatureAlgorithm { .p256 }

        /// Imports the uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted); throws `.invalidKey` for a wrong length or a point not on the curve.
        public init(rawRepresentation: [UInt8]) throws {
            self.storage = try PublicKeyStorage(raw: rawRepresentation, algorithm: .p256)
        }

        /// Imports a DER `SubjectPublicKeyInfo`; throws `.invalidKey` for malformed DER or another
        /// algorithm or curve.
        public init(derRepresentation: [UInt8]) throws {
            self.storage = try PublicKeyStorage(der: derRepresentation, algorithm: .p256)
        }

        /// Imports a `PUBLIC KEY` PEM block; throws `.invalidKey` otherwise.
        public init(pemRepresentation: String) throws {
            self.storage = try PublicKeyStorage(pem: pemRepresentation, algorithm: .p256)
        }

        init(storage: PublicKeyStorage) { self.storage = storage }

        /// The uncompressed point `X‖Y` (64 bytes; `04‖X‖Y` is also accepted).
        public var rawRepresentation: [UInt8] { storage.raw }

        /// The DER `SubjectPublicKeyInfo`.
        public var derRepresentation: [UInt8] { storage.der }

        /// Whether `signature` (raw `r‖s` (64 bytes), as JWS ES256 requires) signs `message`; malformed signatures are invalid.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            storage.isValidSignature(signature, for: message)
        }
    }
}

// MARK: - JWK (RFC 7517) for the algorithms JOSE registers

extension Ed25519.Signing.PrivateKey {
    /// Imports a private `OKP`/`Ed25519` JWK; throws `.invalidKey` if `d` is absent or `x` does not
    /// match it.
    public init(jwk: JSONWebKey) throws { try self.init(storage: PrivateKeyStorage(jwk: jwk, algorithm: .ed25519)) }

    /// The private JWK (with `d`). Secret; publish ``PublicKey/jwk`` instead.
    public var jwk: JSONWebKey {
        JSONWebKey(kty: "OKP", crv: "Ed25519", x: publicKey.jwk.x, d: Base64URL.encode(rawRepresentation))
    }
}

extension Ed25519.Signing.PublicKey {
    /// Imports a public `OKP`/`Ed25519` JWK (a `d` member is ignored).
    public init(jwk: JSONWebKey) throws { self.storage = try PublicKeyStorage(jwk: jwk, algorithm: .ed25519) }

    /// The public JWK (RFC 8037).
    public var jwk: JSONWebKey { JSONWebKey(kty: "OKP", crv: "Ed25519", x: Base64URL.encode(rawRepresentation)) }
}

extension P256.Signing.PrivateKey {
    /// Imports a private `EC`/`P-256` JWK; throws `.invalidKey` if `d` is absent or `x`, `y` do not
    /// match it.
    public init(jwk: JSONWebKey) throws { try self.init(storage: PrivateKeyStorage(jwk: jwk, algorithm: .p256)) }

    /// The private JWK (with `d`). Secret; publish ``PublicKey/jwk`` instead.
    public var jwk: JSONWebKey {
        var jwk = publicKey.jwk
        jwk.d = Base64URL.encode(rawRepresentation)
        return jwk
    }
}

extension P256.Signing.PublicKey {
    /// Imports a public `EC`/`P-256` JWK (a `d` member is ignored); throws `.invalidKey` for a point
    /// not on the curve.
    public init(jwk: JSONWebKey) throws { self.storage = try PublicKeyStorage(jwk: jwk, algorithm: .p256) }

    /// The public JWK (RFC 7518 §6.2).
    public var jwk: JSONWebKey {
        JSONWebKey(
            kty: "EC",
            crv: "P-256",
            x: Base64URL.encode(Array(rawRepresentation.prefix(32))),
            y: Base64URL.encode(Array(rawRepresentation.dropFirst(32)))
        )
    }
}

// MARK: - Uncompressed points and signature conversion for the elliptic curves

extension SM2.Signing.PublicKey {
    /// The uncompressed SEC 1 point `04‖X‖Y` (65 bytes), the form in the SPKI bit string.
    public var x963Representation: [UInt8] { [0x04] + rawRepresentation }
}

extension P256.Signing.PublicKey {
    /// The uncompressed SEC 1 point `04‖X‖Y` (65 bytes), the form in the SPKI bit string.
    public var x963Representation: [UInt8] { [0x04] + rawRepresentation }
}

/// Conversions between the two encodings of an ECDSA-style `(r, s)` signature.
///
/// JWS (RFC 7518 §3.4) wants raw `r‖s`; X.509, CMS and OpenSSL want DER. SM2 signatures use the
/// same `(r, s)` structure, so the conversions apply to them too.
public enum ECSignatureEncoding {
    /// DER `SEQUENCE { r, s }` → raw `r‖s` with each integer left-padded to 32 bytes; throws
    /// `.invalidSignatureEncoding` for malformed DER or integers longer than 32 bytes.
    public static func raw(fromDER der: [UInt8]) throws -> [UInt8] { try ECMath.rawSignature(fromDER: der) }

    /// Raw `r‖s` (64 bytes) → minimal DER `SEQUENCE { r, s }`; throws `.invalidSignatureEncoding`
    /// for any other length.
    public static func der(fromRaw raw: [UInt8]) throws -> [UInt8] { try ECMath.derSignature(fromRaw: raw) }
}
