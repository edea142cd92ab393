public import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
import SocietyJSON
public import SocietyServices

/// A third-party provider as the big-data bureau keeps it: the application on the shared life cycle
/// (``lifecycle``), what it asked for, the qualification verified, its keys, the agreement in force
/// and its standing, and — when it left — its signed deletion attestation.
public struct ProviderRecord: Hashable, Sendable, Codable {
    /// The application id.
    public let id: String
    /// The provider's party.
    public let party: Party
    /// Its name.
    public let name: String
    /// The services, purposes and quotas it asked for.
    public let requested: [RequestedAllowance]
    /// The data-security officer (数据安全负责人): a person, encrypted at rest.
    public let securityOfficer: String
    /// The digest of the data-use terms it accepted.
    public let termsDigest: String
    /// The number of the provider-qualification e-certificate verified at application.
    public let qualification: String
    /// Its keys (signing, and encryption if it registered any), for the trust list.
    public let keys: [TrustedKey]
    /// The division its credit code was registered in, where the desk counts its application.
    public let district: DivisionCode
    /// The application on the shared life cycle: 受理 at application, 审核 by the bureau, 办结 with
    /// the agreement (or a refusal).
    public internal(set) var lifecycle: ServiceApplication
    /// The agreement in force (its signed text), once approved.
    public internal(set) var agreement: String?
    /// The provider's deletion attestation (signed text), once it exited.
    public internal(set) var deletionAttestation: String?

    /// A requested allowance (``ProviderAgreement/Allowance`` is what is granted).
    public struct RequestedAllowance: Hashable, Sendable, Codable {
        /// The data service.
        public let service: String
        /// The purposes, as codes.
        public let purposes: [String]
        /// Calls a month.
        public let monthlyQuota: Int

        /// A request for `service`.
        public init(service: String, purposes: [Purpose], monthlyQuota: Int) {
            self.service = service
            self.purposes = purposes.map(\.code).sorted()
            self.monthlyQuota = monthlyQuota
        }
    }

    /// The agreement in force, read from its signed text.
    public var currentAgreement: ProviderAgreement? {
        agreement.flatMap { try? SignedAgreement(parsing: $0).agreement }
    }
}

extension ProviderRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "marketplace_provider"
    /// The security officer is a person.
    public static let sensitiveFields: Set<String> = ["securityOfficer"]
    /// Providers by party.
    public static let indexes: [RecordIndex<ProviderRecord>] = [RecordIndex("party") { .text($0.party.text) }]
    /// The application id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// Why a provider operation was refused or failed; a refusal changes nothing.
public enum ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The application is incomplete or inconsistent.
    case invalid(String)
    /// No provider application with this id.
    case unknownProvider(String)
    /// The party already has an application that has not ended in exit or refusal.
    case alreadyApplied(party: Party, application: String)
    /// The qualification e-certificate did not verify.
    case qualification(String)
    /// The life cycle refused the move.
    case move(ServiceApplication.MoveError)
    /// The move is not allowed in the provider's standing (suspending one not active, …).
    case illegal(move: String, standing: String)
    /// The deletion attestation is not the provider's, or does not say what it must.
    case attestation(String)
    /// An allowance names a service the trust list does not have.
    case unknownService(String)
    /// Signing or reading a signed document failed.
    case document(ConsentError)
    /// The store refused or failed.
    case store(StoreError)
    /// Something else failed.
    case failed(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid provider application: \(reason)"
        case .unknownProvider(let id): "no provider application \(id)"
        case .alreadyApplied(let party, let id): "\(party) already applied (\(id))"
        case .qualification(let reason): "the qualification e-certificate cannot be accepted: \(reason)"
        case .move(let error): "\(error)"
        case .illegal(let move, let standing): "a provider that is \(standing) cannot \(move)"
        case .attestation(let reason): "deletion attestation refused: \(reason)"
        case .unknownService(let service): "the trust list has no service \(service)"
        case .document(let error): "\(error)"
        case .store(let error): "store: \(error)"
        case .failed(let reason): reason
        }
    }

    /// The case's name, for logs.
    public var name: String {
        switch self {
        case .invalid: "invalid"
        case .unknownProvider: "unknownProvider"
        case .alreadyApplied: "alreadyApplied"
        case .qualification: "qualification"
        case .move: "move"
        case .illegal: "illegal"
        case .attestation: "attestation"
        case .unknownService: "unknownService"
        case .document: "document"
        case .store: "store"
        case .failed: "failed"
        }
    }

    init(_ error: any Error) {
        switch error {
        case let error as ProviderError: self = error
        case let error as ServiceApplication.MoveError: self = .move(error)
        case let error as ConsentError: self = .document(error)
        case let error as StoreError: self = .store(error)
        default: self = .failed("\(error)")
        }
    }
}

/// The big-data bureau's provider life cycle (plan item 17, marketisation): a provider applies
/// with its qualification e-certificate (verified offline), the services and purposes it wants,
/// its data-security officer, the data-use terms it accepts and its keys; the bureau reviews it and
/// approves an agreement with scope, quotas and expiry (or refuses); the provider's keys and grants
/// go on the next trust-list version; it may be suspended and reinstated; it exits with a signed
/// deletion attestation, its keys revoked and grants withdrawn.
///
/// The application runs on the shared life cycle of resident services (``SocietyServices``): the
/// record keeps a `ServiceApplication` and each transaction writes the desk's `ApplicationRecord`
/// beside it, so the bureau's desk counts provider applications and warns of overdue reviews.
/// Every operation is one write transaction under ``Purposes/providers``, audited by the store.
public struct ProviderService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Receiving, reviewing and managing providers.
        public static let providers = Purpose(constant: "marketplace.providers")

        /// Every purpose above.
        public static let all = [providers]
    }

    /// The catalogue code provider applications are made under.
    public static let serviceCode = "marketplace-provider"
    /// The review step the life cycle records.
    public static let reviewStep = "bureau review"

    /// The bureau's party.
    public let bureau: Party
    /// The catalogue entry applications are made under.
    public let service: ServiceEntry
    private let ports: ServicePorts
    private let key: any SigningKey
    private let kid: String
    private let qualificationVerifier: any MaterialVerifier

    /// The bureau's service, signing agreements with `key` (named `kid` on the trust list) and
    /// checking qualification e-certificates with `qualificationVerifier`.
    public init(
        ports: ServicePorts,
        bureau: Party,
        key: any SigningKey,
        kid: String,
        service: ServiceEntry,
        qualificationVerifier: any MaterialVerifier
    ) {
        self.ports = ports.logging(as: "marketplace")
        self.bureau = bureau
        self.key = key
        self.kid = kid
        self.service = service
        self.qualificationVerifier = qualificationVerifier
    }

    /// The catalogue entry of a provider application as this module declares it: the qualification
    /// e-certificate instead of paper credentials, the data-use terms and the officer's appointment
    /// as documents; the outcome is a decision (the agreement).
    public static func serviceEntry(
        timeLimit: TimeLimit,
        department: String = "big-data-bureau"
    ) throws(CatalogueError) -> ServiceEntry {
        try ServiceEntry(
            code: serviceCode,
            name: "第三方服务机构接入 (third-party provider onboarding)",
            department: department,
            legalBasis: ["数据安全法", "个人信息保护法"],
            applicant: .organisation,
            materials: [
                .certificate(type: "provider-qualification", replaces: "qualification documents"),
                .document(name: "data-use terms"),
                .document(name: "data-security officer appointment"),
            ],
            channels: [.online],
            timeLimit: timeLimit,
            outcome: .decision
        )
    }

    /// What a provider hands in.
    public struct Application: Sendable {
        /// The application id (letters, digits and `-`, 3–64), chosen by the provider's portal.
        public var id: String
        /// The provider's party (its credit code and subsystem).
        public var party: Party
        /// Its name.
        public var name: String
        /// The services, purposes and quotas it asks for.
        public var requested: [ProviderRecord.RequestedAllowance]
        /// Its data-security officer's name.
        public var securityOfficer: String
        /// The digest of the data-use terms (`sha256:` + 64 hex digits).
        public var termsDigest: String
        /// The digest of the officer's appointment.
        public var appointmentDigest: String
        /// Its keys: at least one signing key; encryption keys for confidential answers, if any.
        public var keys: [TrustedKey]
        /// The presentation of its provider-qualification e-certificate, bound to `id` as nonce.
        public var qualification: String

        /// An application.
        public init(
            id: String,
            party: Party,
            name: String,
            requested: [ProviderRecord.RequestedAllowance],
            securityOfficer: String,
            termsDigest: String,
            appointmentDigest: String,
            keys: [TrustedKey],
            qualification: String
        ) {
            self.id = id
            self.party = party
            self.name = name
            self.requested = requested
            self.securityOfficer = securityOfficer
            self.termsDigest = termsDigest
            self.appointmentDigest = appointmentDigest
            self.keys = keys
            self.qualification = qualification
        }
    }

    /// Receives and accepts (受理) an application, after checking it is complete and verifying the
    /// qualification e-certificate offline (held by the provider's organisation, bound to the
    /// application's id). A party has one application at a time until it exits or is refused.
    @discardableResult
    public func apply(_ form: Application) async throws(ProviderError) -> ProviderRecord {
        let today = CalendarDate(ports.clock.now())
        try Self.check(form)
        guard let district = form.party.organization.division else {
            throw failed("apply", .invalid("the credit code's registration division is not a division code"))
        }
        let number: String
        do {
            number = try await qualificationVerifier.verifyCertificate(
                form.qualification,
                type: "provider-qualification",
                holder: .organisation(form.party.organization),
                nonce: form.id
            )
        } catch {
            throw failed("apply", .qualification("\(error)"))
        }
        var lifecycle = ServiceApplication(
            id: form.id,
            serviceCode: service.code,
            timeLimit: service.timeLimit,
            submitted: today,
            by: "provider"
        )
        do {
            try lifecycle.accept(on: today, by: service.department)
        } catch {
            throw failed("apply", .move(error))
        }
        let record = ProviderRecord(
            id: form.id,
            party: form.party,
            name: form.name,
            requested: form.requested,
            securityOfficer: form.securityOfficer,
            termsDigest: form.termsDigest,
            qualification: number,
            keys: form.keys,
            district: district,
            lifecycle: lifecycle,
            agreement: nil,
            deletionAttestation: nil
        )
        let materials: [KeptMaterial] = [
            .certificate(type: "provider-qualification", number: number),
            .document(name: "data-use terms", digest: form.termsDigest),
            .document(name: "data-security officer appointment", digest: form.appointmentDigest),
        ]
        let stored = try await writing("apply") { db in
            if let existing = try await db.get(ProviderRecord.self, key: record.recordKey) {
                guard existing.party == record.party else {
                    throw ProviderError.invalid("application id \(form.id) is taken")
                }
                return existing
            }
            let others = try await db.fetch(RecordQuery<ProviderRecord>.filter("party", equals: .text(form.party.text)))
            if let open = others.first(where: { !Self.hasEnded($0) }) {
                throw ProviderError.alreadyApplied(party: form.party, application: open.id)
            }
            try await keep(record, materials: materials, in: db)
            return record
        }
        log("provider application accepted", stored)
        return stored
    }

    /// 审核: the bureau starts reviewing the application.
    @discardableResult
    public func review(_ id: String, by actor: String) async throws(ProviderError) -> ProviderRecord {
        let day = CalendarDate(ports.clock.now())
        return try await moving("review", id) { record throws(ProviderError) in
            do throws(ServiceApplication.MoveError) {
                try record.lifecycle.review(step: Self.reviewStep, on: day, by: actor)
            } catch {
                throw .move(error)
            }
        }
    }

    /// 办结 with an agreement: the allowances granted (the requested ones unless narrowed), valid
    /// `days` days from now. Returns the signed agreement to send to the departments.
    public func approve(
        _ id: String,
        allowances: [ProviderAgreement.Allowance]? = nil,
        days: Int,
        by actor: String
    ) async throws(ProviderError) -> SignedAgreement {
        let now = Date(timeIntervalSince1970: ports.clock.now().timeIntervalSince1970.rounded(.down))
        let (bureau, key, kid) = (bureau, key, kid)
        let record = try await moving("approve", id) { record throws(ProviderError) in
            guard case .underReview = record.lifecycle.state else {
                throw .illegal(move: "approve", standing: record.lifecycle.state.name)
            }
            do {
                let granted = try allowances ?? Self.allowances(requested: record.requested)
                let agreement = try ProviderAgreement(
                    provider: record.party,
                    bureau: bureau,
                    allowances: granted,
                    validFrom: now,
                    expires: now.addingTimeInterval(Double(days) * 86_400),
                    standing: .active,
                    version: 1,
                    issuedAt: now
                )
                record.agreement = try SignedAgreement.sign(agreement, key: key, kid: kid).compact
                try record.lifecycle.complete(result: "agreement", on: CalendarDate(now), by: actor)
            } catch let error as ProviderError {
                throw error
            } catch let error as ConsentError {
                throw .document(error)
            } catch let error as ServiceApplication.MoveError {
                throw .move(error)
            } catch {
                throw .failed("\(error)")
            }
        }
        return try Self.signedAgreement(record)
    }

    /// 办结 with a refusal, and the reason the provider is told.
    @discardableResult
    public func refuse(_ id: String, reason: String, by actor: String) async throws(ProviderError) -> ProviderRecord {
        let day = CalendarDate(ports.clock.now())
        return try await moving("refuse", id) { record throws(ProviderError) in
            guard !reason.isEmpty else { throw .invalid("a refusal needs its reason") }
            do throws(ServiceApplication.MoveError) {
                try record.lifecycle.complete(result: "refused: \(reason)", on: day, by: actor)
            } catch {
                throw .move(error)
            }
        }
    }

    /// Suspends an active provider: a new version of its agreement, to send to the departments,
    /// whose registries refuse its calls from then on.
    public func suspend(_ id: String) async throws(ProviderError) -> SignedAgreement {
        try await restanding("suspend", id, from: [.active], to: .suspended)
    }

    /// Reinstates a suspended provider.
    public func reinstate(_ id: String) async throws(ProviderError) -> SignedAgreement {
        try await restanding("reinstate", id, from: [.suspended], to: .active)
    }

    /// The provider leaves: its deletion attestation — a compact JWS of `typ`
    /// ``deletionAttestationType`` signed with one of its own keys, whose payload names the provider
    /// (`sub`) and when it deleted what it held (`deletedAt`) — is checked and kept, and a final
    /// version of its agreement (exited) is signed; the next trust list revokes its keys.
    public func exit(_ id: String, attestation: String) async throws(ProviderError) -> SignedAgreement {
        let crypto = ports.crypto
        return try await restanding("exit", id, from: [.active, .suspended], to: .exited) {
            record throws(ProviderError) in
            let (jws, object): (JWS, JSONObject)
            do {
                (jws, object) = try SignedDocument.parse(attestation, type: Self.deletionAttestationType)
            } catch {
                throw .attestation("\(error)")
            }
            guard object["sub"]?.stringValue == record.party.text else {
                throw .attestation("it does not name \(record.party)")
            }
            guard object["deletedAt"]?.doubleValue != nil else { throw .attestation("it does not say when") }
            guard SignedDocument.isSigned(jws, byOneOf: record.keys, crypto: crypto) else {
                throw .attestation("it is not signed with one of the provider's keys")
            }
            record.deletionAttestation = jws.compact
        }
    }

    /// The JWS `typ` of a provider's deletion attestation.
    public static let deletionAttestationType = "ds-deletion+jwt"

    /// The provider's side of ``exit(_:attestation:)``: a deletion attestation that `provider`
    /// deleted everything it held at `deletedAt`, in its own words (`statement`), signed with one
    /// of the keys it applied with (`kid` as on its application).
    public static func deletionAttestation(
        provider: Party,
        deletedAt: Date,
        statement: String,
        key: any SigningKey,
        kid: String
    ) throws(ProviderError) -> String {
        let payload: JSONObject = [
            "sub": .string(provider.text), "deletedAt": .number(deletedAt.timeIntervalSince1970.rounded(.down)),
            "statement": .string(statement),
        ]
        do {
            return try SignedDocument.sign(payload, type: deletionAttestationType, key: key, kid: kid).compact
        } catch {
            throw .document(error)
        }
    }

    /// The provider application `id`.
    public func provider(_ id: String) async throws(ProviderError) -> ProviderRecord {
        do {
            let record = try await ports.store.read(purpose: Purposes.providers) { db in
                try await db.get(ProviderRecord.self, key: RecordKey(id))
            }
            guard let record else { throw ProviderError.unknownProvider(id) }
            return record
        } catch {
            throw failed("provider", ProviderError(error))
        }
    }

    /// The next trust list: `current` with every approved provider's party entry and keys, and grants
    /// for its allowances while it is active; a suspended provider keeps its keys but loses its
    /// grants; an exited one's keys are revoked. The version is `current`'s plus one, issued now; the
    /// bureau signs it (`SignedTrustList.sign`) and publishes it.
    public func trustList(from current: TrustList) async throws(ProviderError) -> TrustList {
        let now = ports.clock.now()
        let records: [ProviderRecord]
        do {
            records = try await ports.store.read(purpose: Purposes.providers) { db in
                try await db.fetch(RecordQuery<ProviderRecord>.all)
            }
        } catch {
            throw failed("trust list", ProviderError(error))
        }
        var list = current
        list.version += 1
        list.issuedAt = now
        list.nextUpdate = max(current.nextUpdate, now.addingTimeInterval(86_400))
        for record in records.sorted(by: { $0.id < $1.id }) {
            guard let agreement = record.currentAgreement else { continue }
            list.grants.removeAll { $0.consumer == record.party }
            var keys = record.keys
            if agreement.standing == .exited {
                for index in keys.indices {
                    keys[index].status = .revoked
                    keys[index].revokedAt = agreement.issuedAt
                }
            }
            let entry = TrustList.PartyEntry(party: record.party, name: record.name, keys: keys)
            if let index = list.parties.firstIndex(where: { $0.party == record.party }) {
                list.parties[index] = entry
            } else {
                list.parties.append(entry)
            }
            guard agreement.standing == .active else { continue }
            for allowance in agreement.allowances {
                guard list.service(withID: allowance.service) != nil else {
                    throw failed("trust list", .unknownService(allowance.service))
                }
                list.grants.append(
                    AccessGrant(consumer: record.party, service: allowance.service, purposes: Set(allowance.purposes))
                )
            }
        }
        return list
    }

    // MARK: Helpers

    /// The allowances a provider asked for, as granted unchanged.
    static func allowances(requested: [ProviderRecord.RequestedAllowance]) throws -> [ProviderAgreement.Allowance] {
        try requested.map { requested in
            try ProviderAgreement.Allowance(
                service: requested.service,
                purposes: try requested.purposes.map { try Purpose($0) },
                monthlyQuota: requested.monthlyQuota
            )
        }
    }

    static func check(_ form: Application) throws(ProviderError) {
        guard ServiceEntry.isValidCode(form.id) else { throw .invalid("the id must be 3–64 letters, digits or '-'") }
        guard !form.name.isEmpty else { throw .invalid("the provider's name is empty") }
        guard !form.securityOfficer.isEmpty else { throw .invalid("a provider names its data-security officer") }
        guard !form.requested.isEmpty else { throw .invalid("a provider asks for at least one service") }
        for requested in form.requested {
            guard !requested.service.isEmpty, !requested.purposes.isEmpty, requested.monthlyQuota >= 1 else {
                throw .invalid("each requested service needs a purpose and a monthly quota of at least 1")
            }
        }
        for digest in [form.termsDigest, form.appointmentDigest] {
            let parts = digest.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "sha256" || parts[0] == "sm3", parts[1].utf8.count == 64,
                parts[1].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
            else { throw .invalid("a document is handed in by its sha256: or sm3: digest") }
        }
        // Signing keys for its requests; encryption keys, if it registers any, for confidential answers.
        guard form.keys.contains(where: { $0.use == .signature && $0.algorithm != nil }),
            form.keys.allSatisfy({
                ($0.use == .signature && $0.algorithm != nil)
                    || ($0.use == .encryption && $0.encryptionAlgorithm != nil)
            })
        else {
            throw .invalid("a provider registers at least one signing key (and its encryption keys, if any)")
        }
    }

    /// Whether an application has ended in a refusal or an exit, so the party may apply again.
    static func hasEnded(_ record: ProviderRecord) -> Bool {
        if case .completed(let result) = record.lifecycle.state, result.hasPrefix("refused") { return true }
        if case .notAccepted = record.lifecycle.state { return true }
        if case .withdrawn = record.lifecycle.state { return true }
        return record.currentAgreement?.standing == .exited
    }

    static func signedAgreement(_ record: ProviderRecord) throws(ProviderError) -> SignedAgreement {
        guard let text = record.agreement else { throw .illegal(move: "have an agreement", standing: "not approved") }
        do {
            return try SignedAgreement(parsing: text)
        } catch {
            throw .document(error)
        }
    }

    private func restanding(
        _ move: String,
        _ id: String,
        from: Set<ProviderAgreement.Standing>,
        to standing: ProviderAgreement.Standing,
        also: @escaping @Sendable (inout ProviderRecord) throws(ProviderError) -> Void = { _ throws(ProviderError) in }
    ) async throws(ProviderError) -> SignedAgreement {
        let now = Date(timeIntervalSince1970: ports.clock.now().timeIntervalSince1970.rounded(.down))
        let (key, kid) = (key, kid)
        let record = try await moving(move, id) { record throws(ProviderError) in
            let current = try Self.signedAgreement(record).agreement
            guard from.contains(current.standing) else {
                throw .illegal(move: move, standing: current.standing.rawValue)
            }
            try also(&record)
            do throws(ConsentError) {
                let next = try ProviderAgreement(
                    provider: current.provider,
                    bureau: current.bureau,
                    allowances: current.allowances,
                    validFrom: current.validFrom,
                    expires: current.expires,
                    standing: standing,
                    version: current.version + 1,
                    issuedAt: now
                )
                record.agreement = try SignedAgreement.sign(next, key: key, kid: kid).compact
            } catch {
                throw .document(error)
            }
        }
        return try Self.signedAgreement(record)
    }

    /// One change in one write transaction: read, change (which throws and changes nothing when
    /// refused), store with the desk's record.
    private func moving(
        _ operation: String,
        _ id: String,
        _ change: @escaping @Sendable (inout ProviderRecord) throws(ProviderError) -> Void
    ) async throws(ProviderError) -> ProviderRecord {
        let record = try await writing(operation) { db in
            guard var record = try await db.get(ProviderRecord.self, key: RecordKey(id)) else {
                throw ProviderError.unknownProvider(id)
            }
            try change(&record)
            try await keep(record, materials: nil, in: db)
            return record
        }
        log("provider \(operation)", record)
        return record
    }

    /// Puts the record and, beside it, the desk's record of its application (materials kept from
    /// the application when `materials` is `nil`).
    private func keep(_ record: ProviderRecord, materials: [KeptMaterial]?, in db: any RecordWriting) async throws {
        try await db.put(record)
        var kept = materials ?? []
        if materials == nil, let desk = try await db.get(ApplicationRecord.self, key: RecordKey(record.id)) {
            kept = desk.materials
        }
        try await db.put(
            ApplicationRecord(
                application: record.lifecycle,
                applicant: .organisation(record.party.organization),
                department: service.department,
                district: record.district,
                materials: kept
            )
        )
    }

    private func writing<T: Sendable>(
        _ operation: String,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(ProviderError) -> T {
        do {
            return try await ports.store.write(purpose: Purposes.providers, body)
        } catch {
            throw failed(operation, ProviderError(error))
        }
    }

    private func log(_ message: Logger.Message, _ record: ProviderRecord) {
        ports.logger.info(
            message,
            metadata: [
                "application": "\(record.id)", "provider": "\(record.party.text)",
                "state": "\(record.lifecycle.state.name)",
                "standing": "\(record.currentAgreement?.standing.rawValue ?? "none")",
            ]
        )
    }

    private func failed(_ operation: String, _ error: ProviderError) -> ProviderError {
        let metadata: Logger.Metadata = ["operation": "\(operation)", "error": "\(error.name)"]
        switch error {
        case .store, .failed: ports.logger.error("operation failed", metadata: metadata)
        default: ports.logger.info("operation refused", metadata: metadata)
        }
        return error
    }
}
