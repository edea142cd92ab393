// What any record store applies to the records it keeps: the protection of sensitive data and the
// audit settings. Every adapter (SQLite, PostgreSQL, the in-memory twin) takes the same values.

/// The cryptography a store applies to sensitive data.
public struct RecordProtection: Sendable {
    /// Performs the encryption and hashing.
    public var crypto: any CryptoProvider
    /// Supplies the keys, by purpose and identifier.
    public var keys: any KeyProvider
    /// The algorithms: ``StorageCryptoProfile/standard`` or ``StorageCryptoProfile/national``.
    public var profile: StorageCryptoProfile

    /// Creates the protection settings.
    public init(crypto: any CryptoProvider, keys: any KeyProvider, profile: StorageCryptoProfile = .standard) {
        self.crypto = crypto
        self.keys = keys
        self.profile = profile
    }
}

/// Who the store names in the audit entries it writes, and when.
public struct StoreAuditing: Sendable {
    /// The acting party, e.g. `12321200MB1234567X/assistance`.
    public var actor: String
    /// The log's name in checkpoints, e.g. `taizhou.gov.cn/audit/civil-affairs`.
    public var origin: String
    /// The clock that dates entries.
    public var clock: any WallClock

    /// Creates the audit settings.
    public init(actor: String, origin: String, clock: any WallClock = SystemWallClock()) {
        self.actor = actor
        self.origin = origin
        self.clock = clock
    }
}
