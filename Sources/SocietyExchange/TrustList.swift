public import Foundation
public import SocietyCore

/// The big-data bureau's signed list of who takes part in the exchange: parties, their keys, the
/// data-service catalogue and the access rights.
///
/// A verifier needs only this list (and the bureau's root public key) to open envelopes offline.
/// Unlike X-Road's global configuration, a key's status and validity window are part of the signed
/// list, so a revoked key is refused even for messages that claim to predate the revocation.
public struct TrustList: Hashable, Sendable, Codable {
    /// Monotonic version: a verifier refuses a list older than one it already accepted.
    public var version: Int
    /// When the bureau issued this version.
    public var issuedAt: Date
    /// When the next version is due; verifiers refuse the list after its maximum age.
    public var nextUpdate: Date
    /// The participants and their keys.
    public var parties: [PartyEntry]
    /// The data-service catalogue.
    public var services: [DataService]
    /// Who may call which service for which purposes.
    public var grants: [AccessGrant]

    /// One participant.
    public struct PartyEntry: Hashable, Sendable, Codable {
        /// The party.
        public var party: Party
        /// A human-readable name, e.g. `泰州市民政局 社会救助系统`.
        public var name: String
        /// The party's signing keys, past and present.
        public var keys: [TrustedKey]

        /// Creates an entry.
        public init(party: Party, name: String, keys: [TrustedKey] = []) {
            self.party = party
            self.name = name
            self.keys = keys
        }
    }

    /// Creates a list.
    public init(
        version: Int,
        issuedAt: Date,
        nextUpdate: Date,
        parties: [PartyEntry] = [],
        services: [DataService] = [],
        grants: [AccessGrant] = []
    ) {
        self.version = version
        self.issuedAt = issuedAt
        self.nextUpdate = nextUpdate
        self.parties = parties
        self.services = services
        self.grants = grants
    }

    /// The key with identifier `kid` and the party that owns it.
    public func key(withID kid: String) -> (party: Party, key: TrustedKey)? {
        for entry in parties {
            if let key = entry.keys.first(where: { $0.kid == kid }) { return (entry.party, key) }
        }
        return nil
    }

    /// The catalogue entry for a service id.
    public func service(withID id: String) -> DataService? { services.first { $0.id == id } }

    /// Whether `consumer` may call `service` for `purpose`: the grant must name the purpose and the
    /// service must allow it.
    public func allows(_ consumer: Party, toCall service: String, for purpose: Purpose) -> Bool {
        guard let entry = self.service(withID: service), entry.purposes.contains(purpose) else { return false }
        return grants.contains { $0.consumer == consumer && $0.service == service && $0.purposes.contains(purpose) }
    }
}

/// A public key on the trust list, with its use and life cycle.
///
/// A key has one use, as in a JWK (RFC 7517 §4.2): `sig` keys sign envelopes, `enc` keys receive
/// confidential envelopes. In the file, `use` is absent for signing keys (so lists written before
/// encryption keys existed stay valid) and `alg` names the algorithm of that use.
public struct TrustedKey: Hashable, Sendable, Codable {
    /// The key identifier, unique across the list: the JWS or JWE `kid`.
    public var kid: String
    /// What the key is for.
    public var use: KeyUse
    /// The signature algorithm of a `sig` key; `nil` for an `enc` key.
    public var algorithm: SignatureAlgorithm?
    /// The algorithm of an `enc` key; `nil` for a `sig` key.
    public var encryptionAlgorithm: EncryptionKeyAlgorithm?
    /// The raw public key (``VerifyingKey/rawRepresentation`` or
    /// ``EncryptionPublicKey/rawRepresentation``), base64url.
    public var publicKey: String
    /// First instant the key may be used.
    public var validFrom: Date
    /// Last instant the key may be used.
    public var validUntil: Date
    /// Active, retired (no longer signs, old signatures still verify) or revoked.
    public var status: Status
    /// When a revoked key was revoked.
    public var revokedAt: Date?

    /// A key's life-cycle state.
    public enum Status: String, Codable, Hashable, Sendable {
        /// Signs and verifies within its window.
        case active
        /// Rotated out: signatures made within its window still verify.
        case retired
        /// Compromised or withdrawn: nothing it signed is accepted any more.
        case revoked
    }

    /// Creates a signing-key entry.
    public init(
        kid: String,
        algorithm: SignatureAlgorithm,
        publicKey: [UInt8],
        validFrom: Date,
        validUntil: Date,
        status: Status = .active,
        revokedAt: Date? = nil
    ) {
        self.kid = kid
        self.use = .signature
        self.algorithm = algorithm
        self.encryptionAlgorithm = nil
        self.publicKey = Base64URL.encode(publicKey)
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.status = status
        self.revokedAt = revokedAt
    }

    /// Creates an encryption-key entry (`use: "enc"`).
    public init(
        kid: String,
        encryptionAlgorithm: EncryptionKeyAlgorithm,
        publicKey: [UInt8],
        validFrom: Date,
        validUntil: Date,
        status: Status = .active,
        revokedAt: Date? = nil
    ) {
        self.kid = kid
        self.use = .encryption
        self.algorithm = nil
        self.encryptionAlgorithm = encryptionAlgorithm
        self.publicKey = Base64URL.encode(publicKey)
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.status = status
        self.revokedAt = revokedAt
    }

    /// The algorithm's name as the file writes it (`alg`).
    public var algorithmName: String { algorithm?.rawValue ?? encryptionAlgorithm?.rawValue ?? "" }

    private enum CodingKeys: String, CodingKey {
        case kid, use
        case algorithm = "alg"
        case publicKey = "pub"
        case validFrom, validUntil, status, revokedAt
    }

    /// Reads a key; `use` defaults to `sig`, and `alg` must be an algorithm of that use.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kid = try container.decode(String.self, forKey: .kid)
        use = try container.decodeIfPresent(KeyUse.self, forKey: .use) ?? .signature
        let name = try container.decode(String.self, forKey: .algorithm)
        switch use {
        case .signature:
            guard let algorithm = SignatureAlgorithm(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .algorithm,
                    in: container,
                    debugDescription: "\(name) is not a signature algorithm"
                )
            }
            self.algorithm = algorithm
            self.encryptionAlgorithm = nil
        case .encryption:
            guard let algorithm = EncryptionKeyAlgorithm(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .algorithm,
                    in: container,
                    debugDescription: "\(name) is not an encryption key algorithm"
                )
            }
            self.algorithm = nil
            self.encryptionAlgorithm = algorithm
        }
        publicKey = try container.decode(String.self, forKey: .publicKey)
        validFrom = try container.decode(Date.self, forKey: .validFrom)
        validUntil = try container.decode(Date.self, forKey: .validUntil)
        status = try container.decode(Status.self, forKey: .status)
        revokedAt = try container.decodeIfPresent(Date.self, forKey: .revokedAt)
    }

    /// Writes a key; `use` only for encryption keys, so signing keys are written as before.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kid, forKey: .kid)
        if use == .encryption { try container.encode(use, forKey: .use) }
        try container.encode(algorithmName, forKey: .algorithm)
        try container.encode(publicKey, forKey: .publicKey)
        try container.encode(validFrom, forKey: .validFrom)
        try container.encode(validUntil, forKey: .validUntil)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(revokedAt, forKey: .revokedAt)
    }

    /// Whether the key may have been used at `instant`: inside its window, and not revoked.
    ///
    /// A revoked key is refused whatever `instant` is, because the instant comes from the
    /// signer's own claim (`iat`), which a thief of the key can set to any value.
    public func mayHaveSigned(at instant: Date) -> Bool {
        status != .revoked && instant >= validFrom && instant <= validUntil
    }
}
