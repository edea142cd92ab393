import Foundation
import SocietyAssistance
import SocietyCore
import SocietyExchange
import SocietyJSON
import Testing

/// What a data-source department holds about one resident in its own store.
struct HeldFacts: Hashable, Sendable, Codable, StorableRecord {
    /// Whose facts.
    let resident: ResidentID
    /// The facts, as the department's data service returns them.
    let facts: JSONValue

    /// The table name.
    static let recordKind = "test_held_facts"
    /// Both fields are personal data.
    static let sensitiveFields: Set<String> = ["resident", "facts"]
    /// One record per resident.
    var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

/// The algorithms of a verification run: the standard profile or the national (SM2, SM3, SM4) one.
struct VerificationProfile: Sendable, CustomTestStringConvertible {
    let name: String
    let signature: SignatureAlgorithm
    let encryption: EncryptionKeyAlgorithm
    let storage: StorageCryptoProfile

    static let standard = VerificationProfile(
        name: "standard",
        signature: .ed25519,
        encryption: .x25519,
        storage: .standard
    )
    static let national = VerificationProfile(name: "national", signature: .sm2, encryption: .sm2, storage: .national)

    var testDescription: String { name }
}

/// Civil affairs and two data-source departments under one trust list, each with its own signing
/// and encryption keys, store and audit log: HR & social security answers ``VerificationService/labour``
/// (graded important, so requests and answers are encrypted) and natural resources answers
/// ``VerificationService/property`` (general: signed only).
struct VerificationCity<Store: RecordStore> {
    /// A party with its keys, store and audit log.
    struct Member {
        let party: Party
        let signingKey: any SigningKey
        let decryptionKey: any DecryptionKey
        let store: Store
        let log: any AuditLog

        var kid: String { "\(party.subsystem)-sig-1" }
        var encryptionKid: String { "\(party.subsystem)-enc-1" }
    }

    /// A request and the answer it got, as they crossed the exchange.
    struct Exchange {
        let service: String
        let request: String
        let answer: String
    }

    let crypto: any CryptoProvider
    let clock: FixedWallClock
    let keys: StaticKeyProvider
    let profile: VerificationProfile
    let trustList: TrustList
    let civilAffairs: Member
    /// The departments by the service they answer.
    let departments: [String: Member]
    let verification: EconomicVerification
    /// Civil affairs' sealer and opener, auditing into its store's log: what its services take.
    let civilExchange: ExchangePorts
    let responders: [String: VerificationResponder]

    /// The services the city's departments answer.
    static var services: [String] { [VerificationService.labour, VerificationService.property] }
    /// The day of the decisions.
    static var today: CalendarDate { CalendarDate(daysSinceEpoch: 20_786) }  // 2026-11-29

    /// Builds the parties, keys and trust list; `makeStore` opens a member's store (named after its
    /// subsystem, its audit entries naming the party) and returns it with its audit log.
    init(
        crypto: any CryptoProvider,
        profile: VerificationProfile = .standard,
        makeStore: (_ name: String, _ actor: Party, _ clock: FixedWallClock) throws -> (Store, any AuditLog)
    ) throws {
        // Everything is built in locals first: the helpers below must not capture `self` half-made.
        let clock = FixedWallClock(Self.today.startInstant.addingTimeInterval(36_000))
        let keys = try StaticKeyProvider.random(using: crypto)
        let now = clock.now()
        let division = try DivisionCode("321200")
        func member(_ index: Int, _ subsystem: String) throws -> Member {
            let code = try CreditCode(
                authority: .institutionalOrganization,
                type: "1",
                division: division,
                organizationBody: "0142" + DecimalText.padded(8710 + index * 7, width: 4)
            )
            let party = try Party(organization: code, subsystem: subsystem)
            let (store, log) = try makeStore(subsystem, party, clock)
            return Member(
                party: party,
                signingKey: try crypto.generateSigningKey(profile.signature),
                decryptionKey: try crypto.generateDecryptionKey(profile.encryption),
                store: store,
                log: log
            )
        }
        let civilAffairs = try member(0, "assistance")
        let labour = try member(1, "hrss")
        let property = try member(2, "nr")
        let departments = [VerificationService.labour: labour, VerificationService.property: property]

        let purpose = VerificationService.purpose
        var list = TrustList(
            version: 1,
            issuedAt: now.addingTimeInterval(-60),
            nextUpdate: now.addingTimeInterval(86_400)
        )
        for member in [civilAffairs, labour, property] {
            list.parties.append(
                TrustList.PartyEntry(
                    party: member.party,
                    name: member.party.subsystem,
                    keys: [
                        TrustedKey(
                            kid: member.kid,
                            algorithm: profile.signature,
                            publicKey: member.signingKey.publicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-3600),
                            validUntil: now.addingTimeInterval(86_400)
                        ),
                        TrustedKey(
                            kid: member.encryptionKid,
                            encryptionAlgorithm: profile.encryption,
                            publicKey: member.decryptionKey.encryptionPublicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-3600),
                            validUntil: now.addingTimeInterval(86_400)
                        ),
                    ]
                )
            )
        }
        list.services = [
            DataService(
                id: VerificationService.labour,
                provider: labour.party,
                fields: [.init(name: "monthlyWage", level: .important, sensitivity: .sensitivePersonal)],
                purposes: [purpose]
            ),
            DataService(
                id: VerificationService.property,
                provider: property.party,
                fields: [.init(name: "dwellings", level: .general, sensitivity: .personal)],
                purposes: [purpose]
            ),
        ]
        list.grants = Self.services.map { AccessGrant(consumer: civilAffairs.party, service: $0, purposes: [purpose]) }

        func audit(_ member: Member) throws -> ExchangeAudit {
            ExchangeAudit(
                log: member.log,
                subjects: AuditSubjectHasher(
                    key: try keys.currentKey(for: .auditSubject),
                    digest: profile.storage.digest,
                    crypto: crypto
                ),
                digest: profile.storage.digest,
                crypto: crypto,
                clock: clock
            )
        }
        func sealer(_ member: Member) throws -> EnvelopeSealer {
            EnvelopeSealer(
                issuer: member.party,
                key: member.signingKey,
                kid: member.kid,
                crypto: crypto,
                clock: clock,
                audit: try audit(member)
            )
        }
        func opener(_ member: Member) throws -> EnvelopeOpener {
            EnvelopeOpener(
                me: member.party,
                trustList: list,
                crypto: crypto,
                clock: clock,
                replayGuard: InMemoryReplayGuard(),
                decryptionKeys: [member.encryptionKid: member.decryptionKey],
                audit: try audit(member)
            )
        }
        let verification = EconomicVerification(
            sealer: try sealer(civilAffairs),
            opener: try opener(civilAffairs),
            trustList: list,
            crypto: crypto,
            clock: clock
        )
        let civilExchange = ExchangePorts(sealer: try sealer(civilAffairs), opener: try opener(civilAffairs))
        var responders: [String: VerificationResponder] = [:]
        for (service, department) in departments {
            let store = department.store
            responders[service] = VerificationResponder(
                service: service,
                opener: try opener(department),
                sealer: try sealer(department),
                trustList: list,
                crypto: crypto,
                clock: clock
            ) { residents in
                try await store.read(purpose: VerificationService.purpose) { db in
                    var found: [ResidentID: JSONObject] = [:]
                    for resident in residents {
                        if let record = try await db.get(HeldFacts.self, key: RecordKey(sensitive: resident.unmasked)),
                            let object = record.facts.objectValue
                        {
                            found[resident] = object
                        }
                    }
                    return found
                }
            }
        }
        self.crypto = crypto
        self.clock = clock
        self.keys = keys
        self.profile = profile
        self.trustList = list
        self.civilAffairs = civilAffairs
        self.departments = departments
        self.verification = verification
        self.civilExchange = civilExchange
        self.responders = responders
    }

    /// Stores what the department answering `service` knows about each resident.
    func hold(_ facts: [ResidentID: JSONObject], for service: String) async throws {
        guard let department = departments[service] else { throw VerificationError.noResponder(service) }
        let records = facts.map { HeldFacts(resident: $0.key, facts: .object($0.value)) }
        try await department.store.write(purpose: Purpose(constant: "department.register")) { db in
            try await db.put(contentsOf: records)
        }
    }

    /// Delivers a request to the department answering `service`, in process, and returns its answer:
    /// the `send` of ``AssistanceService/verify(_:send:)``.
    func deliver(_ service: String, _ request: String) async throws -> String {
        guard let responder = responders[service] else { throw VerificationError.noResponder(service) }
        return try await responder.answer(request)
    }

    /// Verifies `members`' household through the responders, in process, and returns the facts with
    /// every envelope that crossed.
    func verify(
        _ members: [ResidentID],
        services: [String] = VerificationCity.services
    ) async throws -> (facts: HouseholdFacts, exchanges: [Exchange]) {
        var exchanges: [Exchange] = []
        let facts = try await verification.verify(
            household: try Identifier("hh-1"),
            members: members,
            application: try Identifier("app-1"),
            services: services
        ) { service, request in
            guard let responder = responders[service] else { throw VerificationError.noResponder(service) }
            let answer = try await responder.answer(request)
            exchanges.append(Exchange(service: service, request: request, answer: answer))
            return answer
        }
        return (facts, exchanges)
    }

    /// The entries of `member`'s audit log, in order.
    func auditEntries(of member: Member) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for index in 0..<(try await member.log.size()) { entries.append(try await member.log.entry(at: index)) }
        return entries
    }

    /// The low-income family of three of the eligibility tests: one wage of ¥1,800, one dwelling.
    static func family() throws -> [ResidentID] {
        try ["321202198001010012", "321202198003030025", "321202201505050039"].map {
            try ResidentID($0, today: today)
        }
    }
}
