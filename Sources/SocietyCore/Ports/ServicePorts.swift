public import Logging

/// What every domain service is built from: the ports of one department's deployment.
///
/// The service recipe (Architecture.md): a service's initialiser takes a `ServicePorts` (and, if
/// it exchanges envelopes, the exchange's sealer and opener), keeps what it uses, and reaches for
/// nothing global. `SocietyDeployment` makes them for each department; tests make them over the
/// in-memory store of `SocietyTesting`.
public struct ServicePorts: Sendable {
    /// The department's store: every record the service keeps goes through it.
    public var store: any RecordStore
    /// Cryptography (signatures, digests, HMAC, AEAD, random bytes).
    public var crypto: any CryptoProvider
    /// The department's symmetric keys (pseudonyms use the searchable-hash key).
    public var keys: any KeyProvider
    /// The time of every decision and record.
    public var clock: any WallClock
    /// The deployment's algorithms (national or standard): digests that name envelopes and
    /// pseudonyms follow ``StorageCryptoProfile/digest``.
    public var profile: StorageCryptoProfile
    /// Where the service logs: metadata only, never a personal value. Silent unless given one.
    public var logger: Logger

    /// Ports from their parts.
    public init(
        store: any RecordStore,
        crypto: any CryptoProvider,
        keys: any KeyProvider,
        clock: any WallClock,
        profile: StorageCryptoProfile = .standard,
        logger: Logger = Logger(label: "digitalsociety") { _ in SwiftLogNoOpLogHandler() }
    ) {
        self.store = store
        self.crypto = crypto
        self.keys = keys
        self.clock = clock
        self.profile = profile
        self.logger = logger
    }

    /// The same ports whose logger carries the metadata `component` (`"onecard"`, `"health"`, …),
    /// so every line says where it came from; the logger's handler and level are kept.
    public func logging(as component: String) -> ServicePorts {
        var copy = self
        copy.logger[metadataKey: "component"] = .string(component)
        return copy
    }
}

extension ServicePorts {
    /// Runs `body` in a write transaction of the store under `purpose`, throwing the service's own
    /// error type: whatever the body or the store throws becomes `wrap(error)` (a service's
    /// `init(wrapping:)` passes its own errors through unchanged).
    public func write<T: Sendable, Failure: Error>(
        _ purpose: Purpose,
        wrapping wrap: (any Error) -> Failure,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(Failure) -> T {
        do {
            return try await store.write(purpose: purpose, body)
        } catch {
            throw wrap(error)
        }
    }

    /// Runs `body` in a read transaction of the store under `purpose`, throwing the service's own
    /// error type (see ``write(_:wrapping:_:)``).
    public func read<T: Sendable, Failure: Error>(
        _ purpose: Purpose,
        wrapping wrap: (any Error) -> Failure,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(Failure) -> T {
        do {
            return try await store.read(purpose: purpose, body)
        } catch {
            throw wrap(error)
        }
    }
}

extension ServicePorts {
    /// `id`'s keyed hash as a `kind` subject, hex: the pseudonym a service names a person by where
    /// an identity number must not appear (record keys, exports, passes). The key is the current
    /// ``KeyPurpose/searchableHash`` key; the digest the profile's.
    public func pseudonym(kind: String, of id: String) throws -> String {
        let hasher = AuditSubjectHasher(
            key: try keys.currentKey(for: .searchableHash),
            digest: profile.digest,
            crypto: crypto
        )
        return Hex.encode(try hasher.subject(kind: kind, id: id))
    }
}
