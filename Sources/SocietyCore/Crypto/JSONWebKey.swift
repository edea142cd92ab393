/// A JSON Web Key (RFC 7517) for the algorithms JOSE registers: Ed25519 (`OKP`, RFC 8037) and
/// P-256 (`EC`, RFC 7518 §6.2). SM2 has no registered JWK form; use DER or PEM for it.
///
/// Encode it with `JSONEncoder` (absent members are omitted) or read ``members`` for a plain
/// dictionary.
public struct JSONWebKey: Codable, Hashable, Sendable {
    /// The key type: `OKP` or `EC`.
    public var kty: String
    /// The curve: `Ed25519` or `P-256`.
    public var crv: String
    /// The public key (Ed25519) or its X coordinate (P-256), base64url.
    public var x: String
    /// The Y coordinate (P-256 only), base64url.
    public var y: String?
    /// The private key (seed or scalar), base64url; present only in private JWKs.
    public var d: String?
    /// An optional key identifier.
    public var kid: String?

    /// Creates a JWK from its members.
    public init(kty: String, crv: String, x: String, y: String? = nil, d: String? = nil, kid: String? = nil) {
        self.kty = kty
        self.crv = crv
        self.x = x
        self.y = y
        self.d = d
        self.kid = kid
    }

    /// The JWK of a raw public key (``VerifyingKey/rawRepresentation``), with the private key when
    /// `privateKey` is given; throws `.unsupportedAlgorithm` for SM2 and `.invalidKey` for wrong sizes.
    public init(algorithm: SignatureAlgorithm, publicKey: [UInt8], privateKey: [UInt8]? = nil) throws {
        guard publicKey.count == algorithm.publicKeyByteCount else {
            throw CryptoError(.invalidKey, "public key must be \(algorithm.publicKeyByteCount) bytes")
        }
        if let privateKey, privateKey.count != algorithm.privateKeyByteCount {
            throw CryptoError(.invalidKey, "private key must be \(algorithm.privateKeyByteCount) bytes")
        }
        let d = privateKey.map(Base64URL.encode)
        switch algorithm {
        case .ed25519:
            self.init(kty: "OKP", crv: "Ed25519", x: Base64URL.encode(publicKey), d: d)
        case .p256:
            self.init(
                kty: "EC",
                crv: "P-256",
                x: Base64URL.encode(Array(publicKey[..<32])),
                y: Base64URL.encode(Array(publicKey[32...])),
                d: d
            )
        case .sm2:
            throw CryptoError(.unsupportedAlgorithm, "SM2 has no registered JWK form")
        }
    }

    /// The algorithm this JWK's key type and curve designate; throws `.unsupportedAlgorithm` for any
    /// other key type or curve.
    public var algorithm: SignatureAlgorithm {
        get throws {
            switch (kty, crv) {
            case ("OKP", "Ed25519"): return .ed25519
            case ("EC", "P-256"): return .p256
            default: throw CryptoError(.unsupportedAlgorithm, "JWK kty \(kty) crv \(crv)")
            }
        }
    }

    /// The raw public key (32 bytes, or `X‖Y`), checked for length; throws `.invalidKey`.
    public func rawPublicKey() throws -> [UInt8] {
        let algorithm = try self.algorithm
        let expected = 32
        guard let x = Base64URL.decode(x), x.count == expected else {
            throw CryptoError(.invalidKey, "JWK x is not \(expected) base64url bytes")
        }
        guard algorithm == .p256 else {
            guard y == nil else { throw CryptoError(.invalidKey, "OKP JWK has a y member") }
            return x
        }
        guard let yText = y, let y = Base64URL.decode(yText), y.count == 32 else {
            throw CryptoError(.invalidKey, "JWK y is not 32 base64url bytes")
        }
        return x + y
    }

    /// The raw private key (32 bytes), or `nil` for a public JWK; throws `.invalidKey` when `d` is
    /// malformed.
    public func rawPrivateKey() throws -> [UInt8]? {
        guard let d else { return nil }
        guard let bytes = Base64URL.decode(d), bytes.count == 32 else {
            throw CryptoError(.invalidKey, "JWK d is not 32 base64url bytes")
        }
        return bytes
    }

    /// The members as a plain string dictionary, absent members left out.
    public var members: [String: String] {
        var result = ["kty": kty, "crv": crv, "x": x]
        result["y"] = y
        result["d"] = d
        result["kid"] = kid
        return result
    }

    /// A JWK from a string dictionary such as ``members``; throws `.invalidKey` if a required
    /// member is missing.
    public init(members: [String: String]) throws {
        guard let kty = members["kty"], let crv = members["crv"], let x = members["x"] else {
            throw CryptoError(.invalidKey, "JWK lacks kty, crv or x")
        }
        self.init(kty: kty, crv: crv, x: x, y: members["y"], d: members["d"], kid: members["kid"])
    }

    /// The public JWK: the same key without `d`, safe to publish.
    public var publicKeyOnly: JSONWebKey {
        var copy = self
        copy.d = nil
        return copy
    }
}
