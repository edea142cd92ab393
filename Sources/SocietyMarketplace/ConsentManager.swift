public import Foundation
import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyExchange

/// A consent as the consent manager keeps it: the signed text (it names the resident, so it is
/// encrypted at rest), found by provider and, through a keyed hash, by resident.
public struct GrantedConsent: Hashable, Sendable, Codable {
    /// The consent's id.
    public let id: String
    /// The provider it was granted to.
    public let provider: Party
    /// The resident (encrypted; indexed by keyed hash).
    public let resident: ResidentID
    /// The salt of the consent's commitment to the resident (encrypted).
    public let salt: String
    /// The signed consent's compact text.
    public let text: String
}

/// What granting a consent produces: the signed consent — for the provider and, as their receipt,
/// the resident — and what a department needs besides to register it: the resident's number and
/// the salt of the consent's commitment to it (sent to departments only, by confidential envelope).
public struct ConsentGrant: Hashable, Sendable {
    /// The signed consent.
    public let consent: SignedConsent
    /// The resident.
    public let resident: ResidentID
    /// The commitment's salt, base64url.
    public let salt: String

    /// The consent.
    public var artefact: ConsentArtefact { consent.artefact }
    /// The signed consent's compact text.
    public var compact: String { consent.compact }
}

extension GrantedConsent: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_consent"
    /// The resident and the salt that binds the consent to them are personal data.
    public static let sensitiveFields: Set<String> = ["resident", "salt"]
    /// Consents by provider and by resident (keyed hash).
    public static let indexes: [RecordIndex<GrantedConsent>] = [
        RecordIndex("provider") { .text($0.provider.text) },
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
    ]
    /// The consent's id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// The consent manager (the big-data bureau's, or an accredited one): grants residents' consents
/// as signed artefacts, keeps them, revokes them through a revocation status list — the same
/// Bitstring Status List e-certificates use — and publishes that list to the departments.
///
/// Built from the manager's ``SocietyCore/ServicePorts`` and its signing key (named `kid` on the trust
/// list, under the manager's party); each operation is one or two write transactions under
/// ``Purposes/consents``, audited by the store. The status state is kept as e-certificates' is
/// (`RecordStoreStatusState`), under the manager's party.
public struct ConsentManager: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Granting, revoking and reading consents.
        public static let consents = Purpose(constant: "marketplace.consents")

        /// Every purpose above.
        public static let all = [consents]
    }

    /// How long a published status list is valid.
    public static let statusListLifetime: TimeInterval = 86_400

    /// The manager's party.
    public let party: Party
    private let ports: ServicePorts
    private let key: any SigningKey
    private let kid: String
    private let status: RecordStoreStatusState
    private let pseudonymKey: [UInt8]

    /// A manager for `party`, signing with `key` (named `kid` on the trust list) and deriving
    /// residents' pairwise pseudonyms with `pseudonymKey` (a deployment secret of at least 32
    /// bytes, kept as long as the pseudonyms must stay stable).
    public init(ports: ServicePorts, party: Party, key: any SigningKey, kid: String, pseudonymKey: [UInt8]) {
        self.ports = ports.logging(as: "marketplace")
        self.pseudonymKey = pseudonymKey
        self.party = party
        self.key = key
        self.kid = kid
        self.status = RecordStoreStatusState(store: ports.store, purpose: Purposes.consents)
    }

    /// What a resident consents to; the manager adds the id, itself as signer, the validity and
    /// the status index.
    public struct Request: Hashable, Sendable {
        /// The resident.
        public var resident: ResidentID
        /// The provider.
        public var provider: Party
        /// The purpose.
        public var purpose: Purpose
        /// The services and fields.
        public var scopes: [ConsentArtefact.Scope]
        /// View or store.
        public var mode: ConsentArtefact.Mode
        /// Days the provider may keep the data (0 for view).
        public var dataLifeDays: Int
        /// How often the provider may fetch.
        public var frequency: ConsentArtefact.Frequency
        /// How long the consent lasts from now, in days (at most 366).
        public var days: Int
        /// The first day of data covered, if limited.
        public var dataFrom: CalendarDate?
        /// The last day of data covered, if limited.
        public var dataUntil: CalendarDate?

        /// A request; the data range is unlimited unless set.
        public init(
            resident: ResidentID,
            provider: Party,
            purpose: Purpose,
            scopes: [ConsentArtefact.Scope],
            mode: ConsentArtefact.Mode,
            dataLifeDays: Int = 0,
            frequency: ConsentArtefact.Frequency,
            days: Int,
            dataFrom: CalendarDate? = nil,
            dataUntil: CalendarDate? = nil
        ) {
            self.resident = resident
            self.provider = provider
            self.purpose = purpose
            self.scopes = scopes
            self.mode = mode
            self.dataLifeDays = dataLifeDays
            self.frequency = frequency
            self.days = days
            self.dataFrom = dataFrom
            self.dataUntil = dataUntil
        }
    }

    /// The resident's pairwise pseudonym for `provider`: `psn-` and 32 hex digits of a keyed hash
    /// of both, stable for the pair and unlinkable across providers.
    public func pseudonym(of resident: ResidentID, for provider: Party) throws(ConsentError) -> String {
        guard pseudonymKey.count >= 32 else { throw .signing("the pseudonym key must have at least 32 bytes") }
        do {
            let mac = try ports.crypto.authenticationCode(
                ports.profile.digest,
                key: pseudonymKey,
                data: Array("ds-pairwise-pseudonym-v1|\(provider.text)|\(resident.unmasked)".utf8)
            )
            return "psn-" + Hex.encode(Array(mac.prefix(16)))
        } catch {
            throw .signing("\(error)")
        }
    }

    /// Grants a consent: checks it, draws its id, status index and commitment salt, signs it and
    /// keeps it. The signed consent names the resident by their pseudonym for the provider; it goes
    /// to the resident (their receipt) and the provider, and, with the resident's number and the
    /// salt, to each department holding the data (``ConsentRegistry/register(_:resident:salt:)``).
    public func grant(_ request: Request) async throws(ConsentError) -> ConsentGrant {
        let now = Date(timeIntervalSince1970: ports.clock.now().timeIntervalSince1970.rounded(.down))
        let party = party
        let signed: SignedConsent
        let saltText: String
        let subject = try pseudonym(of: request.resident, for: request.provider)
        do {
            let id = "cns-" + Hex.encode(try ports.crypto.randomBytes(count: 12))
            let salt = try ports.crypto.randomBytes(count: 16)
            saltText = Base64URL.encode(salt)
            let random = try ports.crypto.randomBytes(count: 8)
            let index = try await status.update(
                issuer: party,
                initial: { IssuerStatusState(issuer: party, randomBytes: random) },
                { state in try state.allocate() }
            )
            let artefact = try ConsentArtefact(
                id: id,
                subject: subject,
                commitment: try ResidentCommitment.make(
                    request.resident,
                    salt: salt,
                    digest: ports.profile.digest,
                    crypto: ports.crypto
                ),
                provider: request.provider,
                manager: party,
                purpose: request.purpose,
                scopes: request.scopes,
                dataFrom: request.dataFrom,
                dataUntil: request.dataUntil,
                mode: request.mode,
                dataLifeDays: request.dataLifeDays,
                frequency: request.frequency,
                validFrom: now,
                expires: now.addingTimeInterval(Double(max(0, request.days)) * 86_400),
                statusIndex: index
            )
            signed = try SignedConsent.sign(artefact, key: key, kid: kid)
            let record = GrantedConsent(
                id: id,
                provider: request.provider,
                resident: request.resident,
                salt: saltText,
                text: signed.compact
            )
            try await ports.store.write(purpose: Purposes.consents) { db in try await db.put(record) }
        } catch {
            throw failed("grant", ConsentError(error))
        }
        ports.logger.info(
            "consent granted",
            metadata: [
                "consent": "\(signed.artefact.id)", "provider": "\(request.provider.text)",
                "purpose": "\(request.purpose.code)",
            ]
        )
        return ConsentGrant(consent: signed, resident: request.resident, salt: saltText)
    }

    /// The consent with `id`.
    public func consent(_ id: String) async throws(ConsentError) -> SignedConsent {
        do {
            let record = try await ports.store.read(purpose: Purposes.consents) { db in
                try await db.get(GrantedConsent.self, key: RecordKey(id))
            }
            guard let record else { throw ConsentError.unknownConsent(id) }
            return try SignedConsent(parsing: record.text)
        } catch {
            throw failed("consent", ConsentError(error))
        }
    }

    /// Every consent the resident gave, in id order: what their consent page lists.
    public func consents(of resident: ResidentID) async throws(ConsentError) -> [SignedConsent] {
        do {
            let records = try await ports.store.read(purpose: Purposes.consents) { db in
                try await db.fetch(
                    RecordQuery<GrantedConsent>.filter("resident", equals: .text(resident.unmasked))
                )
            }
            return try records.sorted { $0.id < $1.id }.map { try SignedConsent(parsing: $0.text) }
        } catch {
            throw failed("consents", ConsentError(error))
        }
    }

    /// Revokes the consent `id` (the resident withdrew it) and returns the new revocation list to
    /// send to the departments; revocation takes effect at their next check after they accept it.
    /// Revoking twice publishes the same bits again.
    @discardableResult
    public func revoke(_ id: String) async throws(ConsentError) -> SignedStatusList {
        let consent = try await consent(id)
        return try await publishing("revoke") { state in
            try state.revocation.set(consent.artefact.statusIndex, to: true)
        }
    }

    /// The current revocation list, signed anew.
    public func statusList() async throws(ConsentError) -> SignedStatusList {
        try await publishing("publish") { _ in }
    }

    private func publishing(
        _ operation: String,
        _ change: @escaping @Sendable (inout IssuerStatusState) throws -> Void
    ) async throws(ConsentError) -> SignedStatusList {
        let now = ports.clock.now()
        let (party, key, kid) = (party, key, kid)
        do {
            let random = try ports.crypto.randomBytes(count: 8)
            let list = try await status.update(
                issuer: party,
                initial: { IssuerStatusState(issuer: party, randomBytes: random) },
                { state in
                    try change(&state)
                    state.version += 1
                    return try SignedStatusList.sign(
                        state.revocation,
                        purpose: .revocation,
                        issuer: party,
                        version: state.version,
                        validFrom: now,
                        validUntil: now.addingTimeInterval(Self.statusListLifetime),
                        key: key,
                        kid: kid
                    )
                }
            )
            ports.logger.info("consent status published", metadata: ["operation": "\(operation)"])
            return list
        } catch {
            throw failed(operation, ConsentError(error))
        }
    }

    /// Logs a refusal at `info`, a port's failure at `error`, by the case's name only.
    private func failed(_ operation: String, _ error: ConsentError) -> ConsentError {
        let metadata: Logger.Metadata = ["operation": "\(operation)", "error": "\(error.name)"]
        switch error {
        case .store, .failed, .signing: ports.logger.error("operation failed", metadata: metadata)
        default: ports.logger.info("operation refused", metadata: metadata)
        }
        return error
    }
}

extension ConsentManager {
    /// The resident's receipt of consent `id`.
    public func receipt(_ id: String) async throws(ConsentError) -> ConsentReceipt {
        let consent = try await consent(id)
        do {
            let record = try await ports.store.read(purpose: Purposes.consents) { db in
                try await db.get(GrantedConsent.self, key: RecordKey(id))
            }
            guard let record else { throw ConsentError.unknownConsent(id) }
            return ConsentReceipt(consent: consent, resident: record.resident)
        } catch {
            throw ConsentError(error)
        }
    }
}
