public import Foundation
import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyExchange
import SocietyJSON

/// A consent as a department holds it: the signed text, verified when registered.
public struct RegisteredConsent: Hashable, Sendable, Codable {
    /// The consent's id.
    public let id: String
    /// The provider it was granted to.
    public let provider: Party
    /// The signed text (it names the resident: encrypted at rest).
    public let text: String
}

extension RegisteredConsent: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_registered_consent"
    /// The text names the resident.
    public static let sensitiveFields: Set<String> = ["text"]
    /// Consents by provider.
    public static let indexes: [RecordIndex<RegisteredConsent>] = [RecordIndex("provider") { .text($0.provider.text) }]
    /// The consent's id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The consent manager's revocation list as a department last accepted it: its version and the
/// revoked indexes.
public struct ConsentRevocations: Hashable, Sendable, Codable {
    /// The consent manager.
    public let manager: Party
    /// The list's publication number: an older one is refused.
    public let version: Int
    /// When it was published.
    public let validFrom: Date
    /// The revoked status indexes, sorted.
    public let revoked: [Int]
}

extension ConsentRevocations: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_consent_revocations"
    /// One record per manager.
    public var recordKey: RecordKey { RecordKey(manager.text) }
}

/// How many fetches a consent has had in one period: the durable counter its frequency is
/// checked against.
public struct ConsentUse: Hashable, Sendable, Codable {
    /// The consent's id.
    public let consent: String
    /// The period's key (`2026-12-07`, `2026-12` or `all`).
    public let period: String
    /// The fetches counted.
    public var count: Int
}

extension ConsentUse: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_consent_use"
    /// Uses by consent.
    public static let indexes: [RecordIndex<ConsentUse>] = [RecordIndex("consent") { .text($0.consent) }]
    /// One counter per consent and period.
    public var recordKey: RecordKey { RecordKey("\(consent)@\(period)") }
}

/// A department's register of residents' consents, and the ``SocietyExchange/ConsentCheck`` its
/// envelope opener runs (check 10): every request from one of ``providers`` must name a consent
/// that is registered here, granted to that provider by ``manager``, valid now, not revoked on the
/// latest revocation list accepted, and covers the request's service, purpose, resident and every
/// field it asks for — and the fetch must be within the consent's frequency, counted durably in
/// the department's store in the same transaction that lets it through.
///
/// A consented request carries in its `data` the resident it is about and the fields it asks for:
/// `{"resident": "<identity number>", "fields": ["category", "level"]}`.
///
/// Built from the department's ``SocietyCore/ServicePorts`` (the service recipe), the trust list the
/// consents' signatures are checked against, the consent manager's party and the providers whose
/// requests need a consent. Every transaction is opened with one of ``Purposes``, so the
/// department's audit log records each consent registered and each fetch let through.
public struct ConsentRegistry: ConsentCheck {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Registering consents and revocation lists.
        public static let registry = Purpose(constant: "marketplace.consent-registry")
        /// Checking and counting a provider's fetch.
        public static let check = Purpose(constant: "marketplace.consent-check")

        /// Every purpose above.
        public static let all = [registry, check]
    }

    /// The consent manager whose consents and revocation lists are accepted.
    public let manager: Party
    /// The parties whose requests need a consent.
    public let providers: Set<Party>
    /// The trust list signatures are checked against.
    public let trustList: TrustList
    private let ports: ServicePorts

    /// A registry on the department's `ports`.
    public init(ports: ServicePorts, trustList: TrustList, manager: Party, providers: Set<Party>) {
        self.ports = ports.logging(as: "marketplace")
        self.trustList = trustList
        self.manager = manager
        self.providers = providers
    }

    /// Registers a signed consent sent by the consent manager: refused as
    /// ``ConsentError/forged(_:)`` when its signature does not verify or it was altered, and as
    /// invalid when another manager signed it. Registering it again changes nothing.
    @discardableResult
    public func register(_ text: String) async throws(ConsentError) -> ConsentArtefact {
        let signed: SignedConsent
        do {
            signed = try SignedConsent(parsing: text)
            try signed.verify(trustList: trustList, crypto: ports.crypto)
            guard signed.artefact.manager == manager else {
                throw ConsentError.invalid("consent \(signed.artefact.id) was signed by \(signed.artefact.manager)")
            }
            let record = RegisteredConsent(
                id: signed.artefact.id,
                provider: signed.artefact.provider,
                text: signed.compact
            )
            try await ports.store.write(purpose: Purposes.registry) { db in try await db.put(record) }
        } catch {
            throw failed("register", ConsentError(error))
        }
        ports.logger.info("consent registered", metadata: ["consent": "\(signed.artefact.id)"])
        return signed.artefact
    }

    /// Accepts the consent manager's revocation list: signed by the manager's key on the trust
    /// list, its revocation list, and newer than the one held (an older list would bring a revoked
    /// consent back). The revocations take effect at the next check.
    public func accept(_ list: SignedStatusList) async throws(ConsentError) {
        do {
            guard list.issuer == manager, list.purpose == .revocation else {
                throw ConsentError.statusListRejected("not \(manager)'s revocation list")
            }
            guard let kid = list.jws.header["kid"]?.stringValue, let (owner, trusted) = trustList.key(withID: kid),
                owner == manager, trusted.use == .signature, trusted.status != .revoked,
                trusted.mayHaveSigned(at: list.validFrom), let algorithm = trusted.algorithm,
                algorithm.jwsName == list.jws.header["alg"]?.stringValue,
                let raw = Base64URL.decode(trusted.publicKey),
                let key = try? ports.crypto.importVerifyingKey(algorithm, from: raw, encoding: .raw),
                key.isValidSignature(list.jws.signature, for: list.jws.signingInput)
            else { throw ConsentError.statusListRejected("the signature does not verify") }
            var revoked: [Int] = []
            for index in 0..<list.list.size where try list.list.isSet(index) { revoked.append(index) }
            let accepted = ConsentRevocations(
                manager: manager,
                version: list.version,
                validFrom: list.validFrom,
                revoked: revoked
            )
            try await ports.store.write(purpose: Purposes.registry) { db in
                if let held = try await db.get(ConsentRevocations.self, key: accepted.recordKey) {
                    guard accepted.version >= held.version else {
                        throw ConsentError.statusListRejected(
                            "version \(accepted.version) is older than the one held (\(held.version))"
                        )
                    }
                }
                try await db.put(accepted)
            }
            ports.logger.info(
                "consent revocations accepted",
                metadata: ["version": "\(list.version)", "revoked": "\(revoked.count)"]
            )
        } catch {
            throw failed("accept status list", ConsentError(error))
        }
    }

    /// The fetches counted under a consent in the period `instant` falls in.
    public func uses(of id: String, at instant: Date) async throws(ConsentError) -> Int {
        do {
            return try await ports.store.read(purpose: Purposes.check) { db in
                guard let record = try await db.get(RegisteredConsent.self, key: RecordKey(id)) else {
                    throw ConsentError.unknownConsent(id)
                }
                let artefact = try SignedConsent(parsing: record.text).artefact
                let key = RecordKey("\(id)@\(artefact.frequency.periodKey(at: instant))")
                return try await db.get(ConsentUse.self, key: key)?.count ?? 0
            }
        } catch {
            throw failed("uses", ConsentError(error))
        }
    }

    /// Check 10 of the envelope opener: see the type's description. Nothing is counted unless
    /// every check passes.
    public func check(_ claims: EnvelopeClaims, consumer: Party, now: Date) async throws(ConsentRefusal) {
        guard providers.contains(consumer) else { return }
        guard let id = claims.consent else { throw .missing(consumer: consumer, service: claims.service) }
        let manager = manager
        do {
            try await ports.store.write(purpose: Purposes.check) { db in
                guard let record = try await db.get(RegisteredConsent.self, key: RecordKey(id)) else {
                    throw ConsentRefusal.unknown(id)
                }
                let artefact: ConsentArtefact
                do {
                    artefact = try SignedConsent(parsing: record.text).artefact
                } catch {
                    throw ConsentRefusal.forged(id)
                }
                guard artefact.provider == consumer else {
                    throw ConsentRefusal.otherProvider(id, grantedTo: artefact.provider)
                }
                guard now >= artefact.validFrom else { throw ConsentRefusal.notYetValid(id, from: artefact.validFrom) }
                guard now < artefact.expires else { throw ConsentRefusal.expired(id, at: artefact.expires) }
                if let revocations = try await db.get(ConsentRevocations.self, key: RecordKey(manager.text)),
                    Self.contains(revocations.revoked, artefact.statusIndex)
                {
                    throw ConsentRefusal.revoked(id)
                }
                guard let scope = artefact.scope(of: claims.service) else {
                    throw ConsentRefusal.serviceNotCovered(id, service: claims.service)
                }
                guard claims.purpose == artefact.purpose else {
                    throw ConsentRefusal.purposeNotCovered(id, purpose: claims.purpose)
                }
                let (resident, fields) = try Self.request(claims.data, consent: id)
                guard resident == artefact.resident.unmasked else { throw ConsentRefusal.otherResident(id) }
                for field in fields where !scope.fields.contains(field) {
                    throw ConsentRefusal.fieldNotCovered(id, field: field)
                }
                let period = artefact.frequency.periodKey(at: now)
                var use =
                    try await db.get(ConsentUse.self, key: RecordKey("\(id)@\(period)"))
                    ?? ConsentUse(consent: id, period: period, count: 0)
                guard use.count < artefact.frequency.limit else {
                    throw ConsentRefusal.overFrequency(
                        id,
                        limit: artefact.frequency.limit,
                        period: artefact.frequency.phrase
                    )
                }
                use.count += 1
                try await db.put(use)
            }
        } catch let refusal as ConsentRefusal {
            ports.logger.info(
                "consent refused",
                metadata: ["consent": "\(id)", "provider": "\(consumer.text)", "refusal": "\(refusal.name)"]
            )
            throw refusal
        } catch {
            ports.logger.error("consent check failed", metadata: ["consent": "\(id)"])
            throw .unavailable("\(error)")
        }
    }

    /// The resident and fields a consented request's data names.
    static func request(_ data: JSONValue, consent id: String) throws(ConsentRefusal) -> (String, [String]) {
        guard let resident = data["resident"]?.stringValue, case .array(let items)? = data["fields"], !items.isEmpty
        else {
            throw .malformedRequest(id, reason: "the data must name the resident and a non-empty list of fields")
        }
        var fields: [String] = []
        for item in items {
            guard let field = item.stringValue else { throw .malformedRequest(id, reason: "a field is text") }
            fields.append(field)
        }
        return (resident, fields)
    }

    /// Binary search in sorted indexes.
    static func contains(_ sorted: [Int], _ index: Int) -> Bool {
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < index { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == index
    }

    private func failed(_ operation: String, _ error: ConsentError) -> ConsentError {
        let metadata: Logger.Metadata = ["operation": "\(operation)", "error": "\(error.name)"]
        switch error {
        case .store, .failed: ports.logger.error("operation failed", metadata: metadata)
        default: ports.logger.info("operation refused", metadata: metadata)
        }
        return error
    }
}
