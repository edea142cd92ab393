public import Logging
public import SocietyCore

/// How a store is opened: durability, concurrency, encryption and auditing.
public struct SQLiteConfiguration: Sendable {
    /// What a committed transaction survives.
    ///
    /// The store always runs in WAL mode. With ``normal`` (`synchronous = NORMAL`) a commit is
    /// written to the WAL but not synced: it survives a crash of the application (the WAL is in
    /// the operating system's cache), but the last commits before a power loss or kernel crash can
    /// be lost; the database stays consistent either way. With ``full`` (`synchronous = FULL`)
    /// every commit is synced to disk before it returns: it survives power loss, at the cost of
    /// one `fsync` per commit (here ≈ 4.5k instead of 45k single-row commits per second).
    public enum Durability: String, Sendable, CaseIterable {
        /// Survives application crashes; the last commits may be lost on power loss. The default.
        case normal
        /// Survives power loss; one sync per commit.
        case full
    }

    /// Whether opening creates the file and the SDK's tables (`true`, the default) or requires a
    /// store that is already there (`false`): then a missing file throws
    /// ``SocietyCore/StoreError/notFound(_:)`` and a file without the SDK's tables
    /// ``SocietyCore/StoreError/notAStore(_:)``, and in either case nothing is created or
    /// changed. Read-only tools open this way, so that a mistyped path is an error, not a new store.
    public var createIfMissing = true

    /// `synchronous` NORMAL (default) or FULL.
    public var durability: Durability = .normal
    /// How long a connection waits for a lock held by another connection or process before it
    /// gives up with `SQLITE_BUSY`.
    public var busyTimeoutMilliseconds = 10_000
    /// How many reader connections serve concurrent reads.
    public var readerCount = 4
    /// The page cache of each connection, in KiB.
    public var cacheKibibytes = 16_384
    /// How many pages the WAL may hold before it is checkpointed into the database file (0: never;
    /// see ``checkpointsInBackground`` for where the checkpoint runs). Each checkpoint syncs the
    /// WAL and the database file; fewer, larger ones sync less often at the cost of a larger
    /// `-wal` file. Durability does not depend on it. SQLite's own default is 1,000 pages.
    public var walAutocheckpointPages = 1_000
    /// Whether that checkpoint runs on a thread of its own after the commit that filled the WAL
    /// (`true`, the default) or inside that commit, as SQLite does by itself (`false`). In the
    /// background a commit never waits for the checkpoint's copy and syncs: it is a passive
    /// checkpoint on a connection of its own, which blocks no writer or reader, and a WAL grown
    /// to four times the limit is truncated once it is all copied and no one is using the store.
    /// SQLite's way made one exchange in a hundred at the gateway five times slower than the rest.
    public var checkpointsInBackground = true
    /// Encryption of sensitive fields and keyed hashes of sensitive keys; required to store a
    /// record type that declares sensitive fields, a sensitive key or a searchable index.
    public var protection: RecordProtection?
    /// Who is audited as acting, when record changes and sensitive reads are to be audited.
    public var audit: StoreAuditing?

    /// The defaults: NORMAL durability, four readers, no protection, no audit.
    /// Where the store logs: opening, bulk loads, failed transactions and audit verification,
    /// with kinds, counts and SQLite codes as metadata — never a key or a field value. Silent
    /// unless the application passes its own logger: a library writes nowhere uninvited.
    public var logger = Logger(label: "digitalsociety.sqlite") { _ in SwiftLogNoOpLogHandler() }

    public init() {}

    /// A configuration that protects records and audits every change and sensitive read.
    public init(protection: RecordProtection?, audit: StoreAuditing? = nil, durability: Durability = .normal) {
        self.protection = protection
        self.audit = audit
        self.durability = durability
    }
}
