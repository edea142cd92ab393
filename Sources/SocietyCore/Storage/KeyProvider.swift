/// What a symmetric key is for. Each purpose has its own key, so that one key's compromise or
/// rotation does not spread to the others.
public enum KeyPurpose: String, CaseIterable, Codable, Hashable, Sendable {
    /// Encrypting sensitive fields at rest (AEAD).
    case fieldEncryption
    /// Keyed hashes of sensitive record keys and searchable sensitive index values (HMAC).
    case searchableHash
    /// Keyed hashes of audit subjects, so an audit entry names a record without revealing it.
    case auditSubject
}

/// A symmetric key with the identifier stored beside everything it protects.
public struct SymmetricKey: Sendable, Hashable, CustomStringConvertible {
    /// A short identifier (at most 255 UTF-8 bytes) kept with each ciphertext, so that data
    /// written under an old key can still be read after the current key rotates.
    public let id: String
    /// The key bytes (32 for every algorithm the SDK uses).
    public let bytes: [UInt8]

    /// A key with its identifier.
    public init(id: String, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }

    /// The identifier only: key bytes never reach a log.
    public var description: String { "SymmetricKey(\(id))" }
}

/// The source of the store's symmetric keys: a port, so that keys can live in a key management
/// service, a hardware module or (for tests and demos) memory.
public protocol KeyProvider: Sendable {
    /// The key to use for new data of `purpose`.
    func currentKey(for purpose: KeyPurpose) throws -> SymmetricKey

    /// The key of `purpose` named `id`, to read data written under it; throws
    /// ``KeyProviderError/unknownKey(purpose:id:)`` when there is no such key.
    func key(for purpose: KeyPurpose, id: String) throws -> SymmetricKey
}

/// Why a key provider cannot hand out a key.
public enum KeyProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No key of that purpose has that identifier (it was retired, or the data is foreign).
    case unknownKey(purpose: KeyPurpose, id: String)
    /// No current key is configured for the purpose.
    case noCurrentKey(KeyPurpose)

    public var description: String {
        switch self {
        case .unknownKey(let purpose, let id): "no \(purpose.rawValue) key with id \"\(id)\""
        case .noCurrentKey(let purpose): "no current \(purpose.rawValue) key is configured"
        }
    }
}

/// Keys held in memory: for tests, demos and deployments whose keys arrive by configuration.
public struct StaticKeyProvider: KeyProvider {
    private let keys: [KeyPurpose: [String: SymmetricKey]]
    private let current: [KeyPurpose: String]

    /// A provider with the given keys per purpose; the last key of each list is current.
    public init(keys: [KeyPurpose: [SymmetricKey]]) {
        var table: [KeyPurpose: [String: SymmetricKey]] = [:]
        var current: [KeyPurpose: String] = [:]
        for (purpose, list) in keys {
            table[purpose] = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            current[purpose] = list.last?.id
        }
        self.keys = table
        self.current = current
    }

    /// A provider whose keys for every purpose are drawn once from `crypto`'s secure random
    /// source, all with the identifier `id`. Data written under them is unreadable once the
    /// provider is gone: for tests and throw-away stores.
    public static func random(using crypto: any CryptoProvider, id: String = "k1") throws -> StaticKeyProvider {
        var keys: [KeyPurpose: [SymmetricKey]] = [:]
        for purpose in KeyPurpose.allCases {
            keys[purpose] = [SymmetricKey(id: id, bytes: try crypto.randomBytes(count: 32))]
        }
        return StaticKeyProvider(keys: keys)
    }

    /// A provider that derives one key per purpose from a master secret, as
    /// `HMAC-digest(master, "DigitalSociety store key " ‖ purpose ‖ " " ‖ id)`, so that one
    /// secret (from a file or a secrets manager) configures a whole deployment.
    public static func derived(
        from master: [UInt8],
        id: String = "k1",
        digest: DigestAlgorithm = .sha256,
        using crypto: any CryptoProvider
    ) throws -> StaticKeyProvider {
        var keys: [KeyPurpose: [SymmetricKey]] = [:]
        for purpose in KeyPurpose.allCases {
            let label = Array("DigitalSociety store key \(purpose.rawValue) \(id)".utf8)
            let bytes = try crypto.authenticationCode(digest, key: master, data: label)
            keys[purpose] = [SymmetricKey(id: id, bytes: bytes)]
        }
        return StaticKeyProvider(keys: keys)
    }

    /// The last key listed for `purpose`.
    public func currentKey(for purpose: KeyPurpose) throws -> SymmetricKey {
        guard let id = current[purpose], let key = keys[purpose]?[id] else {
            throw KeyProviderError.noCurrentKey(purpose)
        }
        return key
    }

    /// The key listed for `purpose` under `id`.
    public func key(for purpose: KeyPurpose, id: String) throws -> SymmetricKey {
        guard let key = keys[purpose]?[id] else { throw KeyProviderError.unknownKey(purpose: purpose, id: id) }
        return key
    }
}

/// The algorithms a store uses, chosen per deployment.
public struct StorageCryptoProfile: Hashable, Sendable {
    /// Encrypts sensitive fields.
    public var aead: AEADAlgorithm
    /// Hashes the Merkle tree of the audit log and keys the HMACs of searchable values.
    public var digest: DigestAlgorithm

    /// Creates a profile from its algorithms.
    public init(aead: AEADAlgorithm, digest: DigestAlgorithm) {
        self.aead = aead
        self.digest = digest
    }

    /// AES-256-GCM and SHA-256 (HMAC-SHA-256): the default.
    public static let standard = StorageCryptoProfile(aead: .aes256GCM, digest: .sha256)
    /// Only national algorithms: SM4-CBC with HMAC-SM3 (encrypt-then-MAC, since OpenSSL 3.0 has no
    /// SM4-GCM) and SM3 (HMAC-SM3).
    public static let national = StorageCryptoProfile(aead: .sm4CBCHMACSM3, digest: .sm3)
}
