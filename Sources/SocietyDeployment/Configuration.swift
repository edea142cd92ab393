public import Foundation
public import Logging
public import SocietyCore

/// The algorithms of a deployment, chosen once: the plan's national algorithms or the
/// international standard ones.
public enum CryptoProfile: String, CaseIterable, Hashable, Sendable {
    /// Ed25519 signatures, X25519 key agreement, AES-256-GCM and SHA-256.
    case standard
    /// SM2 signatures and encryption, SM4 and SM3 only.
    case national

    /// The algorithm of the parties' signing keys.
    public var signature: SignatureAlgorithm { self == .national ? .sm2 : .ed25519 }
    /// The algorithm of the parties' encryption keys.
    public var encryption: EncryptionKeyAlgorithm { self == .national ? .sm2 : .x25519 }
    /// The algorithms of the stores (field encryption, hashes, the audit tree).
    public var storage: StorageCryptoProfile { self == .national ? .national : .standard }
}

/// Where a deployment's stores get their symmetric keys.
public enum KeySource: Sendable {
    /// A 32-byte master secret per store in the state folder (`NAME.sqlite.key`, mode 600),
    /// created on first use; each purpose's key is derived from it. For one machine.
    case stateFolder
    /// A provider per store name, from a key management service or a hardware module.
    case provider(@Sendable (String) throws -> any KeyProvider)
}

/// Everything a ``Deployment`` is made from.
public struct DeploymentConfiguration: Sendable {
    /// The folder that holds the deployment's keys, trust lists and stores (default `./.taizhou/`).
    /// Only files the deployment itself names are created in it; nothing else is touched.
    public var stateFolder: URL
    /// National or standard algorithms.
    public var profile: CryptoProfile
    /// Where store keys come from.
    public var keys: KeySource
    /// The time of every record, envelope and audit entry.
    public var clock: any WallClock
    /// Where services and adapters log (each adds its `component`); never a personal value.
    public var logger: Logger
    /// Opens a department's store, audit log and replay guard: SQLite unless told otherwise.
    public var stores: any StoreFactory

    /// A configuration; every part but the folder has a default.
    public init(
        stateFolder: URL = URL(fileURLWithPath: ".taizhou", isDirectory: true),
        profile: CryptoProfile = .standard,
        keys: KeySource = .stateFolder,
        clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "digitalsociety") { _ in SwiftLogNoOpLogHandler() },
        stores: any StoreFactory = SQLiteStoreFactory()
    ) {
        self.stateFolder = stateFolder
        self.profile = profile
        self.keys = keys
        self.clock = clock
        self.logger = logger
        self.stores = stores
    }
}
