public import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
import SocietyOpenSSL
import Synchronization

/// Why a deployment could not be put together. Names files and stores, never key material.
public enum DeploymentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A store name that is not lowercase letters, digits and `-` (1–48 characters).
    case invalidName(String)
    /// The state folder cannot be used.
    case stateFolder(path: String, reason: String)
    /// A key file is unreadable, malformed or cannot be written.
    case keyFile(path: String, reason: String)
    /// The factory could not open a store.
    case store(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let name): "\"\(name)\" is not a store name (lowercase letters, digits and -; at most 48)"
        case .stateFolder(let path, let reason): "the state folder \(path) cannot be used: \(reason)"
        case .keyFile(let path, let reason): "key file \(path): \(reason)"
        case .store(let name, let reason): "store \(name) cannot be opened: \(reason)"
        }
    }
}

/// The composition root: turns one ``DeploymentConfiguration`` into ready departments — each with
/// its encrypted, audited store, its keys, and the sealer and opener of its exchanges — from which
/// every domain service is built.
///
/// ```swift
/// let deployment = try Deployment(DeploymentConfiguration(profile: .national))
/// let civil = try deployment.department("civil-affairs", party: try Party("11321200MB0000001X/assistance"))
/// let oneCard = try OneCardService(ports: civil.ports)
/// ```
///
/// A deployment opens each department once and hands out the same one afterwards; it creates the
/// state folder and the files it names there (stores, key files), nothing else.
public final class Deployment: Sendable {
    /// The configuration it was made from.
    public let configuration: DeploymentConfiguration
    /// The cryptography (OpenSSL 3).
    public let crypto: any CryptoProvider
    private let departments = Mutex<[String: OpenedDepartment]>([:])
    private let partyKeys: PartyKeyFiles

    /// Makes the state folder if it does not exist.
    public init(_ configuration: DeploymentConfiguration = DeploymentConfiguration()) throws(DeploymentError) {
        self.configuration = configuration
        let crypto = OpenSSLCryptoProvider()
        self.crypto = crypto
        let folder = configuration.stateFolder
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .stateFolder(path: folder.path, reason: "\(error)")
        }
        partyKeys = PartyKeyFiles(folder: folder.appendingPathComponent("keys"), crypto: crypto)
        configuration.logger.debug(
            "deployment opened",
            metadata: ["profile": "\(configuration.profile.rawValue)", "component": "deployment"]
        )
    }

    /// The crypto profile.
    public var profile: CryptoProfile { configuration.profile }

    /// The department whose store is `name`, acting as `party`: opened on first use (store,
    /// audit log, replay guard, keys), the same one afterwards.
    ///
    /// With `access: .existing` the store and its key file must already be there: nothing is
    /// created, and a missing or foreign store throws ``DeploymentError/store(name:reason:)``
    /// (``DeploymentError/keyFile(path:reason:)`` for a missing key file).
    public func department(
        _ name: String,
        party: Party,
        access: StoreAccess = .createIfMissing
    ) throws(DeploymentError) -> OpenedDepartment {
        if let known = departments.withLock({ $0[name] }) { return known }
        try Deployment.check(name)
        let keys: any KeyProvider
        do {
            switch configuration.keys {
            case .stateFolder:
                let keyFile = configuration.stateFolder.appendingPathComponent("\(name).sqlite.key")
                if access == .existing {
                    // The store is checked first: no store is the clearer message than no key file.
                    let store = configuration.stateFolder.appendingPathComponent("\(name).sqlite")
                    guard
                        !(configuration.stores is SQLiteStoreFactory)
                            || FileManager.default.fileExists(atPath: store.path)
                    else { throw DeploymentError.store(name: name, reason: "\(StoreError.notFound(store.path))") }
                    guard FileManager.default.fileExists(atPath: keyFile.path) else {
                        throw DeploymentError.keyFile(path: keyFile.path, reason: "missing: the store cannot be read")
                    }
                }
                keys = try StaticKeyProvider.derived(
                    from: try masterSecret(at: keyFile),
                    digest: configuration.profile.storage.digest,
                    using: crypto
                )
            case .provider(let provide):
                keys = try provide(name)
            }
        } catch let error as DeploymentError {
            throw error
        } catch {
            throw .keyFile(path: name, reason: "\(error)")
        }
        var logger = configuration.logger
        logger[metadataKey: "department"] = .string(party.text)
        var request = StoreRequest(
            name: name,
            actor: party.text,
            origin: "digitalsociety/\(name)",
            stateFolder: configuration.stateFolder,
            crypto: crypto,
            keys: keys,
            profile: configuration.profile.storage,
            clock: configuration.clock,
            logger: logger
        )
        request.access = access
        let opened: OpenedStore
        do {
            opened = try configuration.stores.open(request)
        } catch {
            throw .store(name: name, reason: "\(error)")
        }
        let department = OpenedDepartment(
            name: name,
            party: party,
            ports: ServicePorts(
                store: opened.store,
                crypto: crypto,
                keys: keys,
                clock: configuration.clock,
                profile: configuration.profile.storage,
                logger: logger
            ),
            auditLog: opened.auditLog,
            replayGuard: opened.replayGuard,
            profile: configuration.profile,
            keyFiles: partyKeys
        )
        return departments.withLock { table in
            if let raced = table[name] { return raced }
            table[name] = department
            return department
        }
    }

    /// The signing key of `party` (generated into the state folder on first use).
    public func signingKey(of party: Party) throws(DeploymentError) -> any SigningKey {
        try partyKeys.signingKey(of: party, algorithm: profile.signature)
    }

    /// The key id under which `party`'s signing key from ``signingKey(of:)`` appears on the trust
    /// list (the one ``trustEntry(of:name:validFrom:lifetime:)`` gives it).
    public func signingKid(of party: Party) -> String { PartyKeyFiles.signingKid(party) }

    /// The trust-list entry of `party`: its signing and encryption public keys, valid from
    /// `validFrom` for `lifetime` seconds (a year by default).
    public func trustEntry(
        of party: Party,
        name: String,
        validFrom: Date? = nil,
        lifetime: TimeInterval = 365 * 86_400
    ) throws(DeploymentError) -> TrustList.PartyEntry {
        let start = validFrom ?? configuration.clock.now().addingTimeInterval(-60)
        let signing = try partyKeys.signingKey(of: party, algorithm: profile.signature)
        let decryption = try partyKeys.decryptionKey(of: party, algorithm: profile.encryption)
        return TrustList.PartyEntry(
            party: party,
            name: name,
            keys: [
                TrustedKey(
                    kid: PartyKeyFiles.signingKid(party),
                    algorithm: profile.signature,
                    publicKey: signing.publicKey.rawRepresentation,
                    validFrom: start,
                    validUntil: start.addingTimeInterval(lifetime)
                ),
                TrustedKey(
                    kid: PartyKeyFiles.encryptionKid(party),
                    encryptionAlgorithm: profile.encryption,
                    publicKey: decryption.encryptionPublicKey.rawRepresentation,
                    validFrom: start,
                    validUntil: start.addingTimeInterval(lifetime)
                ),
            ]
        )
    }

    /// A 32-byte secret of the deployment named `name` (lowercase letters, digits and `-`), kept
    /// in `keys/NAME.secret` (mode 0600) and generated there on first use — for secrets a service
    /// holds that are not a store's, such as the consent manager's pseudonym key. The same name
    /// gives the same secret on every run.
    public func secret(named name: String) throws(DeploymentError) -> [UInt8] {
        try Self.check(name)
        let folder = configuration.stateFolder.appendingPathComponent("keys", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try masterSecret(at: folder.appendingPathComponent("\(name).secret"))
        } catch let error as DeploymentError {
            throw error
        } catch {
            throw .keyFile(path: folder.appendingPathComponent("\(name).secret").path, reason: "\(error)")
        }
    }

    private func masterSecret(at url: URL) throws -> [UInt8] {
        if FileManager.default.fileExists(atPath: url.path) {
            let text = try String(contentsOf: url, encoding: .utf8)
            guard let bytes = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
            else { throw DeploymentError.keyFile(path: url.path, reason: "not a DigitalSociety key file") }
            return bytes
        }
        let bytes = try crypto.randomBytes(count: 32)
        try PartyKeyFiles.writeSecret(Data((Base64URL.encode(bytes) + "\n").utf8), to: url)
        return bytes
    }

    static func check(_ name: String) throws(DeploymentError) {
        let utf8 = Array(name.utf8)
        guard (1...48).contains(utf8.count),
            utf8.allSatisfy({
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "-")
            })
        else { throw .invalidName(name) }
    }
}

/// One department of a deployment: its party, the ports its services are built from, its audit
/// log and replay guard, and its exchanges.
public struct OpenedDepartment: Sendable {
    /// The store's name in the deployment.
    public let name: String
    /// The department in the exchange.
    public let party: Party
    /// What its services are built from (``SocietyCore/ServicePorts``).
    public let ports: ServicePorts
    /// The audit log of its store and its exchanges.
    public let auditLog: any AuditLog
    /// The envelope ids it has seen.
    public let replayGuard: any ReplayGuard
    let profile: CryptoProfile
    let keyFiles: PartyKeyFiles

    /// The sealer and opener of this department's exchanges under `trustList`: signed with its
    /// key, decrypting with its encryption key, refusing replays across restarts, and recording
    /// every envelope sealed, opened or refused in its audit log; checking providers' requests
    /// against residents' consents with `consentCheck` when given (the marketplace's
    /// `ConsentRegistry` on this department's ports).
    public func exchange(
        trustList: TrustList,
        allowedClockSkew: TimeInterval = 60,
        consentCheck: (any ConsentCheck)? = nil
    ) throws(DeploymentError)
        -> ExchangePorts
    {
        let signing = try keyFiles.signingKey(of: party, algorithm: profile.signature)
        let decryption = try keyFiles.decryptionKey(of: party, algorithm: profile.encryption)
        let audit: ExchangeAudit
        do {
            audit = ExchangeAudit(
                log: auditLog,
                subjects: AuditSubjectHasher(
                    key: try ports.keys.currentKey(for: .auditSubject),
                    digest: ports.profile.digest,
                    crypto: ports.crypto
                ),
                digest: ports.profile.digest,
                crypto: ports.crypto,
                clock: ports.clock
            )
        } catch {
            throw .keyFile(path: name, reason: "\(error)")
        }
        return ExchangePorts(
            sealer: EnvelopeSealer(
                issuer: party,
                key: signing,
                kid: PartyKeyFiles.signingKid(party),
                crypto: ports.crypto,
                clock: ports.clock,
                audit: audit
            ),
            opener: EnvelopeOpener(
                me: party,
                trustList: trustList,
                crypto: ports.crypto,
                clock: ports.clock,
                replayGuard: replayGuard,
                allowedClockSkew: allowedClockSkew,
                decryptionKeys: [PartyKeyFiles.encryptionKid(party): decryption],
                audit: audit,
                consentCheck: consentCheck
            )
        )
    }
}
