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

/// A public key on the trust list, with its life cycle.
public struct TrustedKey: Hashable, Sendable, Codable {
    /// The key identifier, unique across the list: the JWS `kid`.
    public var kid: String
    /// The signature algorithm.
    public var algorithm: SignatureAlgorithm
    /// The raw public key (``VerifyingKey/rawRepresentation``), base64url.
    public var publicKey: String
    /// First instant the key may sign.
    public var validFrom: Date
    /// Last instant the key may sign.
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

    /// Creates a key entry.
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
        self.algorithm = algorithm
        self.publicKey = Base64URL.encode(publicKey)
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.status = status
        self.revokedAt = revokedAt
    }

    private enum CodingKeys: String, CodingKey {
        case kid
        case algorithm = "alg"
        case publicKey = "pub"
        case validFrom, validUntil, status, revokedAt
    }

    /// Whether the key may have signed at `instant`: inside its window, and not revoked.
    ///
    /// A revoked key is refused whatever `instant` is, because the instant comes from the
    /// signer's own claim (`iat`), which a thief of the key can set to any value.
    public func mayHaveSigned(at instant: Date) -> Bool {
        status != .revoked && instant >= validFrom && instant <= validUntil
    }
}
