public import Foundation
import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyExchange
import SocietyJSON
import Synchronization

/// A consent as a department holds it: the signed text, verified when registered.
public struct RegisteredConsent: Hashable, Sendable, Codable {
    /// The consent's id.
    public let id: String
    /// The provider it was granted to.
    public let provider: Party
    /// The resident who consented (encrypted at rest), for the department's answer.
    public let resident: ResidentID
    /// The signed text (it names the resident by their pseudonym only).
    public let text: String
}

extension RegisteredConsent: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_registered_consent"
    /// The resident is personal data.
    public static let sensitiveFields: Set<String> = ["resident"]
    /// Consents by provider and, through a keyed hash, by resident.
    public static let indexes: [RecordIndex<RegisteredConsent>] = [
        RecordIndex("provider") { .text($0.provider.text) },
        RecordIndex(searchable: "resident") { .text($0.resident.unmasked) },
    ]
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

/// The latest agreement a department accepted for a provider.
public struct AgreementRecord: Hashable, Sendable, Codable {
    /// The provider.
    public let provider: Party
    /// The agreement's version.
    public let version: Int
    /// The signed text.
    public let text: String
}

extension AgreementRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_agreement"
    /// One record per provider.
    public var recordKey: RecordKey { RecordKey(provider.text) }
}

/// The calls a provider made to one service in one calendar month, as the department meters them:
/// what quotas are checked against and usage statements report.
public struct ProviderUsage: Hashable, Sendable, Codable {
    /// The provider.
    public let provider: Party
    /// The data service.
    public let service: String
    /// The month, `YYYY-MM`.
    public let month: String
    /// The calls let through.
    public var count: Int
}

extension ProviderUsage: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_usage"
    /// Usage by provider and by month.
    public static let indexes: [RecordIndex<ProviderUsage>] = [
        RecordIndex("provider") { .text($0.provider.text) },
        RecordIndex("month") { .text($0.month) },
    ]
    /// One counter per provider, service and month.
    public var recordKey: RecordKey { RecordKey("\(provider.text)@\(service)@\(month)") }
}

/// A department's register of residents' consents, and the ``SocietyExchange/ConsentCheck`` its
/// envelope opener runs (check 10): every request from one of ``providers`` must come from a
/// provider with an agreement in force (accepted from the bureau, ``acceptAgreement(_:)``): not
/// suspended or exited, the service and purpose within it, the month's quota not used up; and it
/// must name a consent
/// that is registered here, granted to that provider by ``manager``, valid now, not revoked on the
/// latest revocation list accepted, and covers the request's service, purpose, resident and every
/// field it asks for — and the fetch must be within the consent's frequency, counted durably in
/// the department's store in the same transaction that lets it through.
///
/// A consented request carries in its `data` the resident it is about — by the pairwise pseudonym
/// the consent names, never the identity number — and the fields it asks for:
/// `{"resident": "psn-…", "fields": ["category", "level"]}`.
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
    /// The bureau whose provider agreements are accepted.
    public let bureau: Party
    /// The parties whose requests need a consent.
    public let providers: Set<Party>
    /// The trust list signatures are checked against.
    public let trustList: TrustList
    /// At most this many calls a second from each provider (with a burst of as many), counted in
    /// this process before anything is read; `nil` for no rate limit.
    public let rateLimit: Int?
    private let limiter: CallRateLimiter?
    private let ports: ServicePorts
    /// Consents and agreements already read, by their signed text: the check reads the records
    /// every time (another process may have changed them) but parses each text once.
    private let parsed = ParsedDocuments()

    /// A registry on the department's `ports`, accepting consents from `manager` and provider
    /// agreements from `bureau` (the manager's party unless given), refusing a provider's calls
    /// beyond `rateLimit` a second when given.
    public init(
        ports: ServicePorts,
        trustList: TrustList,
        manager: Party,
        bureau: Party? = nil,
        providers: Set<Party>,
        rateLimit: Int? = nil
    ) {
        self.ports = ports.logging(as: "marketplace")
        self.trustList = trustList
        self.manager = manager
        self.bureau = bureau ?? manager
        self.providers = providers
        let rate = rateLimit.map { max(1, $0) }
        self.rateLimit = rate
        self.limiter = rate.map(CallRateLimiter.init(perSecond:))
    }

    /// Registers a signed consent sent by the consent manager with the resident's number and the
    /// salt of the consent's commitment to it: refused as ``ConsentError/forged(_:)`` when its
    /// signature does not verify or it was altered, as ``ConsentError/notTheResident(_:)`` when it
    /// does not commit to that resident, and as invalid when another manager signed it.
    /// Registering it again changes nothing.
    @discardableResult
    public func register(
        _ text: String,
        resident: ResidentID,
        salt: String
    ) async throws(ConsentError) -> ConsentArtefact {
        let signed: SignedConsent
        do {
            signed = try SignedConsent(parsing: text)
            try signed.verify(trustList: trustList, crypto: ports.crypto)
            guard signed.artefact.manager == manager else {
                throw ConsentError.invalid("consent \(signed.artefact.id) was signed by \(signed.artefact.manager)")
            }
            guard
                ResidentCommitment.matches(
                    signed.artefact.commitment,
                    resident: resident,
                    salt: salt,
                    crypto: ports.crypto
                )
            else { throw ConsentError.notTheResident(signed.artefact.id) }
            let record = RegisteredConsent(
                id: signed.artefact.id,
                provider: signed.artefact.provider,
                resident: resident,
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
            guard
                SignedDocument.isSigned(
                    list.jws,
                    by: manager,
                    at: list.validFrom,
                    trustList: trustList,
                    crypto: ports.crypto
                )
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

    /// Accepts a provider's agreement signed by the bureau: a newer version replaces the one held
    /// (a suspension, a reinstatement, an exit); an older one is refused.
    @discardableResult
    public func acceptAgreement(_ text: String) async throws(ConsentError) -> ProviderAgreement {
        let signed: SignedAgreement
        do {
            signed = try SignedAgreement(parsing: text)
            guard signed.agreement.bureau == bureau else {
                throw ConsentError.invalid("the agreement was signed by \(signed.agreement.bureau), not \(bureau)")
            }
            try signed.verify(trustList: trustList, crypto: ports.crypto)
            let record = AgreementRecord(
                provider: signed.agreement.provider,
                version: signed.agreement.version,
                text: signed.compact
            )
            try await ports.store.write(purpose: Purposes.registry) { db in
                if let held = try await db.get(AgreementRecord.self, key: record.recordKey),
                    held.version > record.version
                {
                    throw ConsentError.invalid("version \(record.version) is older than the one held (\(held.version))")
                }
                try await db.put(record)
            }
        } catch {
            throw failed("accept agreement", ConsentError(error))
        }
        ports.logger.info(
            "agreement accepted",
            metadata: [
                "provider": "\(signed.agreement.provider.text)", "version": "\(signed.agreement.version)",
                "standing": "\(signed.agreement.standing.rawValue)",
            ]
        )
        return signed.agreement
    }

    /// The calls `provider` made to each service in `month` (`YYYY-MM`), by service.
    public func usage(of provider: Party, month: String) async throws(ConsentError) -> [String: Int] {
        do {
            let counters = try await ports.store.read(purpose: Purposes.check) { db in
                try await db.fetch(RecordQuery<ProviderUsage>.filter("provider", equals: .text(provider.text)))
            }
            var usage: [String: Int] = [:]
            for counter in counters where counter.month == month { usage[counter.service, default: 0] += counter.count }
            return usage
        } catch {
            throw failed("usage", ConsentError(error))
        }
    }

    /// The department's signed statement of `provider`'s calls in `month` (`YYYY-MM`): per service,
    /// the calls and the Merkle root of their envelope ids; and the audit log's tree head.
    public func statement(
        for provider: Party,
        month: String,
        signer: DocumentSigner,
        auditLog: any AuditLog
    ) async throws(ConsentError) -> SignedUsageStatement {
        do {
            let envelopes = try await ports.store.read(purpose: Purposes.check) { db in
                var envelopes: [String: [String]] = [:]
                try await db.forEach(
                    RecordQuery<MeteredCall>.filter("provider_month", equals: .text("\(provider.text)@\(month)"))
                ) { call in
                    envelopes[call.service, default: []].append(call.envelope)
                    return true
                }
                return envelopes
            }
            var lines: [UsageStatement.Line] = []
            for service in envelopes.keys.sorted() {
                lines.append(
                    try UsageStatement.line(service: service, envelopes: envelopes[service] ?? [], crypto: ports.crypto)
                )
            }
            let head = try await auditLog.treeHead()
            let statement = UsageStatement(
                department: signer.party,
                provider: provider,
                month: month,
                lines: lines,
                auditSize: head.size,
                auditRoot: Base64URL.encode(head.rootHash),
                issuedAt: Date(timeIntervalSince1970: ports.clock.now().timeIntervalSince1970.rounded(.down))
            )
            let signed = try SignedUsageStatement.sign(statement, key: signer.key, kid: signer.kid)
            return signed
        } catch {
            throw failed("statement", ConsentError(error))
        }
    }

    /// Every use of `resident`'s data this department recorded: each audit-log entry about one of
    /// the resident's records — the records of `kinds` keyed by the resident's identity number —
    /// and each provider call under the resident's consents, oldest first, signed by `signer`.
    public func dataUses(
        of resident: ResidentID,
        kinds: [String],
        auditLog: any AuditLog,
        signer: DocumentSigner
    ) async throws(ConsentError) -> (report: DataUseReport, signed: String) {
        do {
            let hasher = AuditSubjectHasher(
                key: try ports.keys.currentKey(for: .auditSubject),
                digest: ports.profile.digest,
                crypto: ports.crypto
            )
            let subjects = Set(try kinds.map { try hasher.subject(kind: $0, id: resident.unmasked) })
            var uses: [DataUse] = []
            let size = try await auditLog.size()
            for index in 0..<size {
                let entry = try await auditLog.entry(at: index)
                guard subjects.contains(entry.subject) else { continue }
                uses.append(
                    DataUse(
                        party: entry.actor,
                        action: entry.action,
                        purpose: entry.purpose,
                        consent: nil,
                        service: nil,
                        at: entry.time
                    )
                )
            }
            let calls = try await ports.store.read(purpose: Purposes.check) { db in
                let consents = try await db.fetch(
                    RecordQuery<RegisteredConsent>.filter("resident", equals: .text(resident.unmasked))
                )
                var calls: [MeteredCall] = []
                for consent in consents {
                    calls += try await db.fetch(RecordQuery<MeteredCall>.filter("consent", equals: .text(consent.id)))
                }
                return calls
            }
            for call in calls {
                uses.append(
                    DataUse(
                        party: call.provider.text,
                        action: "provider call",
                        purpose: call.purpose.code,
                        consent: call.consent,
                        service: call.service,
                        at: call.at
                    )
                )
            }
            // Oldest first; uses at the same instant keep their order (the log's, then the calls').
            uses = uses.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
            let report = DataUseReport(
                department: signer.party,
                uses: uses,
                auditSize: size,
                issuedAt: Date(timeIntervalSince1970: ports.clock.now().timeIntervalSince1970.rounded(.down))
            )
            return (report, try report.signed(by: signer))
        } catch {
            throw failed("data uses", ConsentError(error))
        }
    }

    /// The resident a registered consent is about: what the department's responder answers about,
    /// the request naming them only by the provider's pseudonym.
    public func resident(of id: String) async throws(ConsentError) -> ResidentID {
        do {
            let record = try await ports.store.read(purpose: Purposes.check) { db in
                try await db.get(RegisteredConsent.self, key: RecordKey(id))
            }
            guard let record else { throw ConsentError.unknownConsent(id) }
            return record.resident
        } catch {
            throw failed("resident", ConsentError(error))
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
        let id = claims.consent ?? ""
        // The rate first, before any read: a provider flooding the gateway costs no store work.
        if let limiter, let rateLimit, !limiter.admit(consumer, at: now) {
            ports.logger.info(
                "consent refused",
                metadata: ["consent": "\(id)", "provider": "\(consumer.text)", "refusal": "rate-limited"]
            )
            throw .rateLimited(consumer, limit: rateLimit)
        }
        let manager = manager
        let month = String(CalendarDate(now).iso8601.prefix(7))
        do {
            try await ports.store.write(purpose: Purposes.check) { db in
                // The provider's standing first: nothing about a resident is looked at for a
                // provider that may not call at all.
                guard let held = try await db.get(AgreementRecord.self, key: RecordKey(consumer.text)),
                    let agreement = parsed.agreement(held.text)
                else { throw ConsentRefusal.noAgreement(consumer) }
                switch agreement.standing {
                case .active: break
                case .suspended: throw ConsentRefusal.providerSuspended(consumer)
                case .exited: throw ConsentRefusal.providerExited(consumer)
                }
                guard now >= agreement.validFrom, now < agreement.expires else {
                    throw ConsentRefusal.agreementExpired(consumer, at: agreement.expires)
                }
                guard let allowance = agreement.allowance(for: claims.service),
                    allowance.purposes.contains(claims.purpose)
                else { throw ConsentRefusal.serviceNotAgreed(consumer, service: claims.service) }
                var usage =
                    try await db.get(
                        ProviderUsage.self,
                        key: RecordKey("\(consumer.text)@\(claims.service)@\(month)")
                    ) ?? ProviderUsage(provider: consumer, service: claims.service, month: month, count: 0)
                guard usage.count < allowance.monthlyQuota else {
                    throw ConsentRefusal.quotaExceeded(consumer, service: claims.service, limit: allowance.monthlyQuota)
                }
                guard claims.consent != nil else {
                    throw ConsentRefusal.missing(consumer: consumer, service: claims.service)
                }
                guard let record = try await db.get(RegisteredConsent.self, key: RecordKey(id)) else {
                    throw ConsentRefusal.unknown(id)
                }
                guard let artefact = parsed.consent(record.text) else { throw ConsentRefusal.forged(id) }
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
                guard resident == artefact.subject else { throw ConsentRefusal.otherResident(id) }
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
                usage.count += 1
                try await db.put(use)
                try await db.put(usage)
                try await db.put(
                    MeteredCall(
                        provider: consumer,
                        envelope: claims.id,
                        consent: id,
                        service: claims.service,
                        purpose: claims.purpose,
                        month: month,
                        at: now
                    )
                )
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

/// Parsed consents and agreements by their signed text, at most a bounded number of each.
final class ParsedDocuments: Sendable {
    private static let limit = 4_096
    private let consents = Mutex<[String: ConsentArtefact]>([:])
    private let agreements = Mutex<[String: ProviderAgreement]>([:])

    func consent(_ text: String) -> ConsentArtefact? {
        if let known = consents.withLock({ $0[text] }) { return known }
        guard let artefact = try? SignedConsent(parsing: text).artefact else { return nil }
        consents.withLock { cache in
            if cache.count >= Self.limit { cache.removeAll(keepingCapacity: true) }
            cache[text] = artefact
        }
        return artefact
    }

    func agreement(_ text: String) -> ProviderAgreement? {
        if let known = agreements.withLock({ $0[text] }) { return known }
        guard let agreement = try? SignedAgreement(parsing: text).agreement else { return nil }
        agreements.withLock { cache in
            if cache.count >= Self.limit { cache.removeAll(keepingCapacity: true) }
            cache[text] = agreement
        }
        return agreement
    }
}

/// A token bucket per provider: `perSecond` tokens, refilled continuously at `perSecond` a second.
/// In memory, per process: a rate limit protects this gateway from bursts; the durable monthly
/// quota is what the agreement counts.
final class CallRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var at: Date
    }

    private let perSecond: Double
    private let buckets = Mutex<[Party: Bucket]>([:])

    init(perSecond: Int) { self.perSecond = Double(perSecond) }

    /// Takes a token for `provider` at `now`; `false` when there is none.
    func admit(_ provider: Party, at now: Date) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[provider] ?? Bucket(tokens: perSecond, at: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.at))
            bucket.tokens = min(perSecond, bucket.tokens + elapsed * perSecond)
            bucket.at = max(bucket.at, now)
            guard bucket.tokens >= 1 else {
                buckets[provider] = bucket
                return false
            }
            bucket.tokens -= 1
            buckets[provider] = bucket
            return true
        }
    }
}
