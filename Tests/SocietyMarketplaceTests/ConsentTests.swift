import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyMarketplace
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting
import Testing

/// The consent manager (the big-data bureau), two accessibility apps, and the disabled persons'
/// federation answering its disability data service, under one trust list; the federation's
/// opener checks consents with a ``ConsentRegistry`` on its store.
struct ConsentWorld {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30 01:33 China Standard Time
    static let service = "dpf.disability-category"
    static let purpose = Purpose(constant: "marketplace.accessibility")

    let crypto = OpenSSLCryptoProvider()
    let clock = MovingClock(ConsentWorld.start)
    let manager: ConsentManager
    let registry: ConsentRegistry
    let trustList: TrustList
    let app: Party
    let otherApp: Party
    let federation: Party
    let bureau: Party
    let appKey: any SigningKey
    let otherKey: any SigningKey
    let managerKey: any SigningKey
    let federationKey: any SigningKey
    let resident: ResidentID
    let federationStore: any RecordStore
    /// The federation store's keys (its audit subjects are hashed with them).
    let federationKeys: any KeyProvider

    init(
        federationStore makeStore: (any WallClock) throws -> (any RecordStore, any KeyProvider) = { clock in
            let store = try InMemoryStore(clock: clock, actor: "113212000142871106/dpf")
            return (store, store.keys)
        }
    ) throws {
        bureau = try Party("113212000142871106/consent")
        federation = try Party("113212000142871106/dpf")
        app = try Party("91320214745555318W/access-app")
        otherApp = try Party("91320214745555318W/other-app")
        managerKey = try crypto.generateSigningKey(.ed25519)
        appKey = try crypto.generateSigningKey(.ed25519)
        otherKey = try crypto.generateSigningKey(.ed25519)
        federationKey = try crypto.generateSigningKey(.ed25519)
        resident = try ResidentID("321202196005010117")
        func key(_ kid: String, _ signing: any SigningKey) -> TrustedKey {
            TrustedKey(
                kid: kid,
                algorithm: .ed25519,
                publicKey: signing.publicKey.rawRepresentation,
                validFrom: Self.start.addingTimeInterval(-86_400),
                validUntil: Self.start.addingTimeInterval(400 * 86_400)
            )
        }
        let everyone = Set([Self.purpose])
        trustList = TrustList(
            version: 1,
            issuedAt: Self.start,
            nextUpdate: Self.start.addingTimeInterval(86_400 * 7),
            parties: [
                .init(party: bureau, name: "大数据局 consent manager", keys: [key("consent-1", managerKey)]),
                .init(party: app, name: "accessibility app", keys: [key("app-1", appKey)]),
                .init(party: otherApp, name: "another app", keys: [key("other-1", otherKey)]),
                .init(party: federation, name: "残联", keys: [key("dpf-1", federationKey)]),
            ],
            services: [
                DataService(id: Self.service, provider: federation, fields: [], purposes: everyone),
                DataService(id: "dpf.rehabilitation", provider: federation, fields: [], purposes: everyone),
            ],
            grants: [
                AccessGrant(consumer: app, service: Self.service, purposes: everyone),
                AccessGrant(consumer: app, service: "dpf.rehabilitation", purposes: everyone),
                AccessGrant(consumer: otherApp, service: Self.service, purposes: everyone),
            ]
        )
        let managerStore = try InMemoryStore(clock: clock, actor: bureau.text)
        manager = ConsentManager(
            ports: ServicePorts(store: managerStore, crypto: crypto, keys: managerStore.keys, clock: clock),
            party: bureau,
            key: managerKey,
            kid: "consent-1",
            pseudonymKey: try crypto.randomBytes(count: 32)
        )
        let keys: any KeyProvider
        (federationStore, keys) = try makeStore(clock)
        federationKeys = keys
        registry = ConsentRegistry(
            ports: ServicePorts(store: federationStore, crypto: crypto, keys: keys, clock: clock),
            trustList: trustList,
            manager: bureau,
            providers: [app, otherApp]
        )
    }

    /// The bureau's agreement with `provider`: both services for the accessibility purpose,
    /// `quota` calls a month each, a year, in `standing`.
    func agreement(
        for provider: Party? = nil,
        quota: Int = 1_000,
        standing: ProviderAgreement.Standing = .active,
        version: Int = 1,
        days: Double = 365
    ) throws -> SignedAgreement {
        let agreement = try ProviderAgreement(
            provider: provider ?? app,
            bureau: bureau,
            allowances: [
                try ProviderAgreement.Allowance(service: Self.service, purposes: [Self.purpose], monthlyQuota: quota),
                try ProviderAgreement.Allowance(
                    service: "dpf.rehabilitation",
                    purposes: [Self.purpose],
                    monthlyQuota: quota
                ),
            ],
            validFrom: Self.start,
            expires: Self.start.addingTimeInterval(days * 86_400),
            standing: standing,
            version: version,
            issuedAt: clock.now()
        )
        return try SignedAgreement.sign(agreement, key: managerKey, kid: "consent-1")
    }

    /// The federation's audit log.
    var federationAudit: any AuditLog {
        get throws {
            if let store = federationStore as? InMemoryStore { return store.auditLog }
            if let store = federationStore as? SQLiteStore { return store.auditLog }
            throw ConsentError.failed("no audit log")
        }
    }

    /// The federation as the signer of its statements and reports.
    var federationSigner: DocumentSigner { DocumentSigner(party: federation, key: federationKey, kid: "dpf-1") }

    /// The world with both apps' agreements accepted by the federation.
    func ready() async throws -> ConsentWorld {
        try await registry.acceptAgreement(try agreement().compact)
        try await registry.acceptAgreement(try agreement(for: otherApp).compact)
        return self
    }

    /// The request the resident consents to: category and level, six months, once a day, view only.
    func request(provider: Party? = nil) throws -> ConsentManager.Request {
        ConsentManager.Request(
            resident: resident,
            provider: provider ?? app,
            purpose: Self.purpose,
            scopes: [try ConsentArtefact.Scope(service: Self.service, fields: ["category", "level"])],
            mode: .view,
            frequency: try ConsentArtefact.Frequency(limit: 1, per: .day),
            days: 183
        )
    }

    /// A fetch by `provider` under `consent`, opened by the federation.
    @discardableResult
    func fetch(
        consent: String?,
        by provider: Party? = nil,
        service: String = ConsentWorld.service,
        purpose: Purpose = ConsentWorld.purpose,
        resident: String? = nil,
        fields: [String] = ["category", "level"]
    ) async throws -> OpenedEnvelope {
        let sender = provider ?? app
        let sealer = EnvelopeSealer(
            issuer: sender,
            key: sender == app ? appKey : otherKey,
            kid: sender == app ? "app-1" : "other-1",
            crypto: crypto,
            clock: clock
        )
        let text = try await sealer.seal(
            EnvelopeDraft(
                audience: federation,
                service: service,
                purpose: purpose,
                data: [
                    "resident": .string(try resident ?? manager.pseudonym(of: self.resident, for: sender)),
                    "fields": .array(fields.map(JSONValue.string)),
                ],
                consent: consent
            )
        )
        return try await opener.open(text)
    }

    var opener: EnvelopeOpener {
        EnvelopeOpener(
            me: federation,
            trustList: trustList,
            crypto: crypto,
            clock: clock,
            replayGuard: InMemoryReplayGuard(),
            consentCheck: registry
        )
    }
}

/// Expects `body` to be refused by the consent check with `refusal`.
func expectRefusal(
    _ refusal: ConsentRefusal,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    await #expect(throws: EnvelopeError.consent(refusal), sourceLocation: sourceLocation) { try await body() }
}

@Suite("Consent artefacts")
struct ConsentArtefactTests {
    @Test("a consent is signed, read back the same, and verifies only against the manager's key")
    func signAndVerify() async throws {
        let world = try await ConsentWorld().ready()
        let signed = try await world.manager.grant(try world.request())
        let read = try SignedConsent(parsing: signed.compact)
        #expect(read.artefact == signed.artefact)
        try read.verify(trustList: world.trustList, crypto: world.crypto)
        #expect(signed.artefact.provider == world.app)
        #expect(signed.artefact.scopes.map(\.fields) == [["category", "level"]])
        #expect(signed.artefact.expires.timeIntervalSince(signed.artefact.validFrom) == 183 * 86_400)
        #expect(!"\(signed.artefact)".contains(world.resident.unmasked))
        // The provider sees a pseudonym, its own, never the identity number.
        #expect(!String(decoding: read.jws.payload, as: UTF8.self).contains(world.resident.unmasked))
        #expect(signed.artefact.subject == (try world.manager.pseudonym(of: world.resident, for: world.app)))
        let other = try await world.manager.grant(try world.request(provider: world.otherApp))
        #expect(other.artefact.subject != signed.artefact.subject)
        #expect(other.artefact.subject.hasPrefix("psn-") && other.artefact.subject.count == 36)
        let again = try await world.manager.grant(try world.request())
        #expect(again.artefact.subject == signed.artefact.subject)
        #expect(again.artefact.commitment != signed.artefact.commitment)

        // Altered after signing: the payload's level field list widened.
        let parts = signed.compact.split(separator: ".").map(String.init)
        var object = signed.artefact.jsonObject
        object["scopes"] = [["svc": .string(ConsentWorld.service), "fields": ["category", "level", "name"]]]
        let altered = [parts[0], Base64URL.encode(try JSONValue.object(object).canonicalBytes()), parts[2]]
            .joined(separator: ".")
        #expect(throws: ConsentError.forged(signed.artefact.id)) {
            try SignedConsent(parsing: altered).verify(trustList: world.trustList, crypto: world.crypto)
        }
        // Signed by a key the trust list does not give the manager (the app's own key).
        let forged = try SignedConsent.sign(signed.artefact, key: world.appKey, kid: "app-1")
        #expect(throws: ConsentError.forged(signed.artefact.id)) {
            try forged.verify(trustList: world.trustList, crypto: world.crypto)
        }
    }

    @Test("a consent that could not be honoured is refused when made")
    func invalid() async throws {
        let world = try await ConsentWorld().ready()
        let scope = try ConsentArtefact.Scope(service: ConsentWorld.service, fields: ["category"])
        let daily = try ConsentArtefact.Frequency(limit: 1, per: .day)
        func make(
            id: String = "cns-0000000001",
            scopes: [ConsentArtefact.Scope]? = nil,
            mode: ConsentArtefact.Mode = .view,
            life: Int = 0,
            days: Double = 30
        ) throws(ConsentError) -> ConsentArtefact {
            try ConsentArtefact(
                id: id,
                subject: "psn-00112233445566778899aabbccddeeff",
                commitment: "sha256:" + Base64URL.encode([UInt8](repeating: 7, count: 32)),
                provider: world.app,
                manager: world.bureau,
                purpose: ConsentWorld.purpose,
                scopes: scopes ?? [scope],
                mode: mode,
                dataLifeDays: life,
                frequency: daily,
                validFrom: ConsentWorld.start,
                expires: ConsentWorld.start.addingTimeInterval(days * 86_400),
                statusIndex: 7
            )
        }
        _ = try make()
        #expect(throws: ConsentError.self) { try make(id: "short") }
        #expect(throws: ConsentError.self) { try make(scopes: []) }
        #expect(throws: ConsentError.self) { try make(scopes: [scope, scope]) }
        #expect(throws: ConsentError.self) { try make(life: 30) }  // view keeps nothing
        #expect(throws: ConsentError.self) { try make(mode: .store, life: 0) }
        #expect(throws: ConsentError.self) { try make(days: 0) }
        #expect(throws: ConsentError.self) { try make(days: 400) }
        #expect(throws: ConsentError.self) { try ConsentArtefact.Frequency(limit: 0, per: .day) }
        #expect(throws: ConsentError.self) { try ConsentArtefact.Scope(service: ConsentWorld.service, fields: []) }
    }

    @Test("a signed consent changed anywhere never crashes the parser and never verifies as something else")
    func fuzz() async throws {
        let world = try await ConsentWorld().ready()
        let signed = try await world.manager.grant(try world.request())
        let original = Array(signed.compact.utf8)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~".utf8)
        var random = SeededRandomSource(seed: 20_261_207)
        var parsed = 0
        for _ in 0..<2_000 {
            var bytes = original
            let word = random.next()
            let draw = (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
            let position = (Int(draw[1]) << 8 | Int(draw[2])) % bytes.count
            let character = alphabet[Int(draw[3]) % alphabet.count]
            switch draw[0] % 3 {
            case 0: bytes[position] = character
            case 1: bytes = Array(bytes.prefix(position))
            default: bytes.insert(character, at: position)
            }
            guard let candidate = try? SignedConsent(parsing: String(decoding: bytes, as: UTF8.self)) else { continue }
            parsed += 1
            if (try? candidate.verify(trustList: world.trustList, crypto: world.crypto)) != nil {
                // Only a change that decodes to the same bytes (a base64url character's unused bits) verifies.
                #expect(
                    candidate.jws.payload == signed.consent.jws.payload
                        && candidate.jws.signature == signed.consent.jws.signature
                )
                #expect(candidate.artefact == signed.artefact)
            }
        }
        #expect(parsed > 0)
    }
}

@Suite("Consent at the department's boundary")
struct ConsentBoundaryTests {
    @Test("a consented fetch opens; a second the same day is over frequency; the next day opens again")
    func frequency() async throws {
        let world = try await ConsentWorld().ready()
        let consent = try await world.manager.grant(try world.request())
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        let opened = try await world.fetch(consent: consent.artefact.id)
        #expect(opened.claims.consent == consent.artefact.id)
        #expect(try await world.registry.uses(of: consent.artefact.id, at: world.clock.now()) == 1)
        await expectRefusal(.overFrequency(consent.artefact.id, limit: 1, period: "a day")) {
            try await world.fetch(consent: consent.artefact.id)
        }
        #expect(try await world.registry.uses(of: consent.artefact.id, at: world.clock.now()) == 1)
        world.clock.advance(days: 1)
        try await world.fetch(consent: consent.artefact.id)
    }

    @Test("each refusal is its own typed error and counts nothing")
    func refusals() async throws {
        let world = try await ConsentWorld().ready()
        let consent = try await world.manager.grant(try world.request())
        let id = consent.artefact.id
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        let others = try await world.manager.grant(try world.request(provider: world.otherApp))
        try await world.registry.register(others.compact, resident: others.resident, salt: others.salt)

        await expectRefusal(.missing(consumer: world.app, service: ConsentWorld.service)) {
            try await world.fetch(consent: nil)
        }
        await expectRefusal(.unknown("cns-000000000000")) { try await world.fetch(consent: "cns-000000000000") }
        await expectRefusal(.otherProvider(others.artefact.id, grantedTo: world.otherApp)) {
            try await world.fetch(consent: others.artefact.id)
        }
        await expectRefusal(.fieldNotCovered(id, field: "name")) {
            try await world.fetch(consent: id, fields: ["category", "name"])
        }
        await expectRefusal(.serviceNotCovered(id, service: "dpf.rehabilitation")) {
            try await world.fetch(consent: id, service: "dpf.rehabilitation")
        }
        await expectRefusal(.otherResident(id)) { try await world.fetch(consent: id, resident: "11010519491231002X") }
        await expectRefusal(
            .malformedRequest(id, reason: "the data must name the resident and a non-empty list of fields")
        ) {
            try await world.fetch(consent: id, fields: [])
        }
        #expect(try await world.registry.uses(of: id, at: world.clock.now()) == 0)
        // After every refusal the one fetch of the day is still there.
        try await world.fetch(consent: id)

        // A department's own envelope (not from a provider) needs no consent: the check lets it by.
        let notProvider = try Party("113212000142871106/civil-affairs")
        try await world.registry.check(
            EnvelopeClaims(
                issuer: notProvider,
                audience: world.federation,
                issuedAt: world.clock.now(),
                expiresAt: world.clock.now().addingTimeInterval(300),
                id: "x1",
                service: ConsentWorld.service,
                purpose: ConsentWorld.purpose,
                level: .general,
                reference: nil,
                data: [:]
            ),
            consumer: notProvider,
            now: world.clock.now()
        )
    }

    @Test("a provider calling faster than the rate limit is refused with 429 before anything is read")
    func rateLimit() async throws {
        let world = try await ConsentWorld().ready()
        var request = try world.request()
        request.frequency = try ConsentArtefact.Frequency(limit: 10, per: .day)
        let consent = try await world.manager.grant(request)
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        let limited = ConsentRegistry(
            ports: ServicePorts(
                store: world.federationStore,
                crypto: world.crypto,
                keys: world.federationKeys,
                clock: world.clock
            ),
            trustList: world.trustList,
            manager: world.bureau,
            providers: [world.app],
            rateLimit: 2
        )
        func claims(_ id: String) throws -> EnvelopeClaims {
            EnvelopeClaims(
                issuer: world.app,
                audience: world.federation,
                issuedAt: world.clock.now(),
                expiresAt: world.clock.now().addingTimeInterval(300),
                id: id,
                service: ConsentWorld.service,
                purpose: ConsentWorld.purpose,
                level: .general,
                reference: nil,
                consent: consent.artefact.id,
                data: [
                    "resident": .string(try world.manager.pseudonym(of: world.resident, for: world.app)),
                    "fields": ["category"],
                ]
            )
        }
        let now = world.clock.now()
        try await limited.check(try claims("r1"), consumer: world.app, now: now)
        try await limited.check(try claims("r2"), consumer: world.app, now: now)
        await #expect(throws: ConsentRefusal.rateLimited(world.app, limit: 2)) {
            try await limited.check(try claims("r3"), consumer: world.app, now: now)
        }
        // The refused call was not counted; half a second later one token is back.
        #expect(try await world.registry.uses(of: consent.artefact.id, at: now) == 2)
        try await limited.check(try claims("r4"), consumer: world.app, now: now.addingTimeInterval(0.5))
        await #expect(throws: ConsentRefusal.rateLimited(world.app, limit: 2)) {
            try await limited.check(try claims("r5"), consumer: world.app, now: now.addingTimeInterval(0.5))
        }
        #expect(ExchangeProblem(refusal: .consent(.rateLimited(world.app, limit: 2))).status == 429)
    }

    @Test("a purpose the consent does not name is refused")
    func otherPurpose() async throws {
        let world = try await ConsentWorld().ready()
        let consent = try await world.manager.grant(try world.request())
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        // The trust list must allow the purpose first (check 9), so widen the app's grant.
        var list = world.trustList
        let marketing = try Purpose("marketplace.marketing")
        list.services = list.services.map {
            DataService(id: $0.id, provider: $0.provider, fields: $0.fields, purposes: $0.purposes.union([marketing]))
        }
        list.grants.append(AccessGrant(consumer: world.app, service: ConsentWorld.service, purposes: [marketing]))
        let registry = ConsentRegistry(
            ports: ServicePorts(
                store: world.federationStore,
                crypto: world.crypto,
                keys: world.federationKeys,
                clock: world.clock
            ),
            trustList: list,
            manager: world.bureau,
            providers: [world.app]
        )
        let wider = try ProviderAgreement(
            provider: world.app,
            bureau: world.bureau,
            allowances: [
                try ProviderAgreement.Allowance(
                    service: ConsentWorld.service,
                    purposes: [ConsentWorld.purpose, marketing],
                    monthlyQuota: 100
                )
            ],
            validFrom: ConsentWorld.start,
            expires: ConsentWorld.start.addingTimeInterval(86_400 * 365),
            standing: .active,
            version: 2,
            issuedAt: world.clock.now()
        )
        try await registry.acceptAgreement(
            try SignedAgreement.sign(wider, key: world.managerKey, kid: "consent-1").compact
        )
        let claims = EnvelopeClaims(
            issuer: world.app,
            audience: world.federation,
            issuedAt: world.clock.now(),
            expiresAt: world.clock.now().addingTimeInterval(300),
            id: "x2",
            service: ConsentWorld.service,
            purpose: marketing,
            level: .general,
            reference: nil,
            consent: consent.artefact.id,
            data: ["resident": .string(world.resident.unmasked), "fields": ["category"]]
        )
        await #expect(throws: ConsentRefusal.purposeNotCovered(consent.artefact.id, purpose: marketing)) {
            try await registry.check(claims, consumer: world.app, now: world.clock.now())
        }
    }

    @Test(
        "revoked by the resident: refused from the next fetch once the department holds the new list; an older list is refused"
    )
    func revocation() async throws {
        let world = try await ConsentWorld().ready()
        let consent = try await world.manager.grant(try world.request())
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        let before = try await world.manager.statusList()
        try await world.registry.accept(before)
        try await world.fetch(consent: consent.artefact.id)
        let revoked = try await world.manager.revoke(consent.artefact.id)
        try await world.registry.accept(revoked)
        world.clock.advance(days: 1)
        await expectRefusal(.revoked(consent.artefact.id)) { try await world.fetch(consent: consent.artefact.id) }
        // Rolling back to the list before the revocation is refused.
        await #expect(throws: ConsentError.self) { try await world.registry.accept(before) }
        await expectRefusal(.revoked(consent.artefact.id)) { try await world.fetch(consent: consent.artefact.id) }
    }

    @Test("an expired consent is refused")
    func validity() async throws {
        let world = try await ConsentWorld().ready()
        let consent = try await world.manager.grant(try world.request())
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        world.clock.advance(days: 184)
        await expectRefusal(.expired(consent.artefact.id, at: consent.artefact.expires)) {
            try await world.fetch(consent: consent.artefact.id)
        }
    }

    @Test("a forged or altered consent is not registered, nor one for another resident")
    func forgedRegistration() async throws {
        let world = try await ConsentWorld().ready()
        let consent = try await world.manager.grant(try world.request())
        let someone = try ResidentID("11010519491231002X")
        await #expect(throws: ConsentError.notTheResident(consent.artefact.id)) {
            try await world.registry.register(consent.compact, resident: someone, salt: consent.salt)
        }
        let otherSalt = Base64URL.encode([UInt8](repeating: 1, count: 16))
        await #expect(throws: ConsentError.notTheResident(consent.artefact.id)) {
            try await world.registry.register(consent.compact, resident: consent.resident, salt: otherSalt)
        }
        let forged = try SignedConsent.sign(consent.artefact, key: world.appKey, kid: "app-1")
        await #expect(throws: ConsentError.forged(consent.artefact.id)) {
            try await world.registry.register(forged.compact, resident: consent.resident, salt: consent.salt)
        }
        await expectRefusal(.unknown(consent.artefact.id)) { try await world.fetch(consent: consent.artefact.id) }
    }

    @Test("on SQLite: the frequency counter survives a restart of the department")
    func sqlite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-consent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let crypto = OpenSSLCryptoProvider()
        let keys = try StaticKeyProvider.random(using: crypto)
        let path = directory.appendingPathComponent("dpf.sqlite").path
        func open(_ clock: any WallClock) throws -> any RecordStore {
            try SQLiteStore(
                path: path,
                configuration: SQLiteConfiguration(
                    protection: RecordProtection(crypto: crypto, keys: keys),
                    audit: StoreAuditing(actor: "113212000142871106/dpf", origin: "test", clock: clock)
                )
            )
        }
        let world = try await ConsentWorld { clock in (try open(clock), keys) }.ready()
        let consent = try await world.manager.grant(try world.request())
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        try await world.fetch(consent: consent.artefact.id)
        // A new process on the same file: the day's fetch is already counted.
        let restarted = ConsentRegistry(
            ports: ServicePorts(store: try open(world.clock), crypto: crypto, keys: keys, clock: world.clock),
            trustList: world.trustList,
            manager: world.bureau,
            providers: [world.app]
        )
        #expect(try await restarted.uses(of: consent.artefact.id, at: world.clock.now()) == 1)
        // The resident's number is nowhere in the file in clear.
        let bytes = StoreFiles.bytes(of: path)
        #expect(bytes.range(of: Data(world.resident.unmasked.utf8)) == nil)
    }
}

@Suite("The resident's side of a consent")
struct ResidentSideTests {
    @Test(
        "the resident countersigns with their wallet key; another key, another consent or an altered text does not verify"
    )
    func countersignature() async throws {
        let world = try await ConsentWorld().ready()
        let grant = try await world.manager.grant(try world.request())
        let wallet = try world.crypto.generateSigningKey(.p256)
        let walletJWK = try JSONWebKey(algorithm: .p256, publicKey: wallet.publicKey.rawRepresentation)
        let countersignature = try grant.consent.countersigned(with: wallet, crypto: world.crypto)
        try grant.consent.verifyCountersignature(countersignature, walletKey: walletJWK, crypto: world.crypto)

        let stranger = try world.crypto.generateSigningKey(.p256)
        let strangerJWK = try JSONWebKey(algorithm: .p256, publicKey: stranger.publicKey.rawRepresentation)
        #expect(throws: ConsentError.self) {
            try grant.consent.verifyCountersignature(countersignature, walletKey: strangerJWK, crypto: world.crypto)
        }
        let other = try await world.manager.grant(try world.request())
        #expect(throws: ConsentError.self) {
            try other.consent.verifyCountersignature(countersignature, walletKey: walletJWK, crypto: world.crypto)
        }
        #expect(throws: ConsentError.self) {
            try grant.consent.verifyCountersignature(
                countersignature.replacingOccurrences(of: ".", with: ".x", options: [], range: nil),
                walletKey: walletJWK,
                crypto: world.crypto
            )
        }
    }

    @Test("the receipt says who may use which data for what, until when, and how to withdraw — with the number masked")
    func receipt() async throws {
        let world = try await ConsentWorld().ready()
        let grant = try await world.manager.grant(try world.request())
        let receipt = try await world.manager.receipt(grant.artefact.id)
        #expect(receipt.lines.first == "Consent \(grant.artefact.id), given by \(world.resident.masked)")
        #expect(receipt.lines.contains("Data: \(ConsentWorld.service): category, level"))
        #expect(receipt.lines.contains("How: shown to you, not kept; at most 1 fetch(es) a day"))
        #expect(receipt.lines.contains("From 2026-11-30 until 2027-06-01"))
        #expect(!receipt.lines.joined().contains(world.resident.unmasked))
        #expect(receipt.jsonObject["signedConsent"]?.stringValue == grant.compact)
        #expect(receipt.jsonObject["pseudonym"]?.stringValue == grant.artefact.subject)
        // The manager lists the resident's consents by a keyed hash of their number.
        #expect(try await world.manager.consents(of: world.resident).map(\.artefact.id) == [grant.artefact.id])
        await #expect(throws: ConsentError.unknownConsent("cns-nope-0000")) {
            try await world.manager.receipt("cns-nope-0000")
        }
    }
}
