import Foundation
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyMarketplace
import SocietyOpenSSL
import SocietyServices
import SocietyTesting
import Testing

@Suite("Provider standing at the department's boundary")
struct ProviderStandingTests {
    @Test(
        "without an agreement, suspended, exited, expired or out of scope: each refused before any consent is looked at"
    )
    func standing() async throws {
        let bare = try ConsentWorld()
        let consent = try await bare.manager.grant(try bare.request())
        try await bare.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        let id = consent.artefact.id
        await expectRefusal(.noAgreement(bare.app)) { try await bare.fetch(consent: id) }

        try await bare.registry.acceptAgreement(try bare.agreement(standing: .suspended, version: 2).compact)
        await expectRefusal(.providerSuspended(bare.app)) { try await bare.fetch(consent: id) }
        // An older version (the active one before the suspension) is refused: no way back by replay.
        await #expect(throws: ConsentError.self) {
            try await bare.registry.acceptAgreement(try bare.agreement(version: 1).compact)
        }
        await expectRefusal(.providerSuspended(bare.app)) { try await bare.fetch(consent: id) }
        try await bare.registry.acceptAgreement(try bare.agreement(standing: .exited, version: 3).compact)
        await expectRefusal(.providerExited(bare.app)) { try await bare.fetch(consent: id) }

        let short = try ConsentWorld()
        let granted = try await short.manager.grant(try short.request())
        try await short.registry.register(granted.compact, resident: granted.resident, salt: granted.salt)
        let agreement = try short.agreement(days: 1)
        try await short.registry.acceptAgreement(agreement.compact)
        short.clock.advance(days: 2)
        await expectRefusal(.agreementExpired(short.app, at: agreement.agreement.expires)) {
            try await short.fetch(consent: granted.artefact.id)
        }
        // Nothing was counted for any refusal.
        #expect(try await bare.registry.usage(of: bare.app, month: "2026-11").isEmpty)
    }

    @Test("a service outside the agreement, and the monthly quota: metered per provider, service and month")
    func quota() async throws {
        let world = try ConsentWorld()
        let narrow = try ProviderAgreement(
            provider: world.app,
            bureau: world.bureau,
            allowances: [
                try ProviderAgreement.Allowance(
                    service: ConsentWorld.service,
                    purposes: [ConsentWorld.purpose],
                    monthlyQuota: 2
                )
            ],
            validFrom: ConsentWorld.start,
            expires: ConsentWorld.start.addingTimeInterval(86_400 * 365),
            standing: .active,
            version: 1,
            issuedAt: world.clock.now()
        )
        try await world.registry.acceptAgreement(
            try SignedAgreement.sign(narrow, key: world.managerKey, kid: "consent-1").compact
        )
        var request = try world.request()
        request.frequency = try ConsentArtefact.Frequency(limit: 10, per: .day)
        request.scopes.append(try ConsentArtefact.Scope(service: "dpf.rehabilitation", fields: ["plan"]))
        let consent = try await world.manager.grant(request)
        try await world.registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        let id = consent.artefact.id

        await expectRefusal(.serviceNotAgreed(world.app, service: "dpf.rehabilitation")) {
            try await world.fetch(consent: id, service: "dpf.rehabilitation", fields: ["plan"])
        }
        try await world.fetch(consent: id)
        try await world.fetch(consent: id)
        await expectRefusal(.quotaExceeded(world.app, service: ConsentWorld.service, limit: 2)) {
            try await world.fetch(consent: id)
        }
        #expect(try await world.registry.usage(of: world.app, month: "2026-11") == [ConsentWorld.service: 2])
        #expect(try await world.registry.uses(of: id, at: world.clock.now()) == 2)
        // A new month is a new quota.
        world.clock.advance(days: 3)
        try await world.fetch(consent: id)
        #expect(try await world.registry.usage(of: world.app, month: "2026-12") == [ConsentWorld.service: 1])
        // The gateway answers a used-up quota with 429.
        #expect(
            ExchangeProblem(refusal: .consent(.quotaExceeded(world.app, service: ConsentWorld.service, limit: 2)))
                .status
                == 429
        )
        #expect(ExchangeProblem(refusal: .consent(.providerSuspended(world.app))).status == 403)
    }
}

/// The bureau's provider life cycle, with a real provider-qualification e-certificate issued by the
/// bureau and presented by the provider's wallet.
@Suite("Provider life cycle")
struct ProviderLifecycleTests {
    struct Bureau {
        let world: ConsentWorld
        let service: ProviderService
        let issued: IssuedCertificate
        let wallet: any SigningKey
        let store: InMemoryStore
    }

    func bureau() async throws -> Bureau {
        let world = try await ConsentWorld().ready()
        let wallet = try world.crypto.generateSigningKey(.p256)
        let issuer = CertificateIssuer(
            party: world.bureau,
            key: world.managerKey,
            kid: "consent-1",
            crypto: world.crypto,
            random: OpenSSLRandomSource(),
            clock: world.clock,
            store: InMemoryStatusStateStore()
        )
        let issued = try await issuer.issue(
            .providerQualification,
            to: .organization(world.app.organization),
            holderKey: try JSONWebKey(algorithm: .p256, publicKey: wallet.publicKey.rawRepresentation),
            claims: ["organisation_name": "无障碍出行科技有限公司", "service_fields": "accessibility", "protection_level": "3"]
        )
        let lists = try await issuer.publish()
        let verifier = CertificateMaterialVerifier(
            verifier: CertificateVerifier(
                trustList: world.trustList,
                statusLists: StatusListSnapshot(lists),
                crypto: world.crypto,
                clock: world.clock
            ),
            audience: world.bureau
        )
        let store = try InMemoryStore(clock: world.clock, actor: world.bureau.text)
        let service = ProviderService(
            ports: ServicePorts(store: store, crypto: world.crypto, keys: store.keys, clock: world.clock),
            bureau: world.bureau,
            key: world.managerKey,
            kid: "consent-1",
            service: try ProviderService.serviceEntry(timeLimit: TimeLimit(statutory: 20, promised: 10)),
            qualificationVerifier: verifier
        )
        return Bureau(world: world, service: service, issued: issued, wallet: wallet, store: store)
    }

    func application(_ bureau: Bureau, id: String = "p-1", nonce: String? = nil) throws -> ProviderService.Application {
        let presentation = try bureau.issued.sdJWT.presenting(
            ["organisation_name", "holder", "number"],
            holderKey: bureau.wallet,
            audience: bureau.world.bureau.text,
            nonce: nonce ?? id,
            issuedAt: bureau.world.clock.now(),
            crypto: bureau.world.crypto
        ).compact
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        return ProviderService.Application(
            id: id,
            party: bureau.world.app,
            name: "accessibility app",
            requested: [
                ProviderRecord.RequestedAllowance(
                    service: ConsentWorld.service,
                    purposes: [ConsentWorld.purpose],
                    monthlyQuota: 500
                )
            ],
            securityOfficer: "李四",
            termsDigest: digest,
            appointmentDigest: digest,
            keys: [
                TrustedKey(
                    kid: "app-2",
                    algorithm: .ed25519,
                    publicKey: bureau.world.appKey.publicKey.rawRepresentation,
                    validFrom: ConsentWorld.start,
                    validUntil: ConsentWorld.start.addingTimeInterval(365 * 86_400)
                )
            ],
            qualification: presentation
        )
    }

    func deletion(_ bureau: Bureau, key: any SigningKey, kid: String) throws -> String {
        let payload: JSONObject = [
            "sub": .string(bureau.world.app.text), "deletedAt": .number(bureau.world.clock.now().timeIntervalSince1970),
            "statement": "all residents' data received under consents deleted",
        ]
        let header: JSONObject = [
            "alg": .string(key.algorithm.jwsName), "kid": .string(kid),
            "typ": .string(ProviderService.deletionAttestationType),
        ]
        let encode = { (object: JSONObject) throws -> String in
            Base64URL.encode(try JSONValue.object(object).canonicalBytes())
        }
        let input = try encode(header) + "." + (try encode(payload))
        let signature = try key.signature(for: Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    @Test("apply with a verified qualification, review, approve an agreement, keys and grants on the next trust list")
    func onboarding() async throws {
        let bureau = try await bureau()
        let service = bureau.service
        let applied = try await service.apply(try application(bureau))
        #expect(applied.lifecycle.state == .accepted)
        #expect(applied.qualification == bureau.issued.certificate.number)
        try await service.review("p-1", by: "bureau-reviewer")
        let signed = try await service.approve("p-1", days: 365, by: "bureau-head")
        #expect(signed.agreement.standing == .active)
        #expect(signed.agreement.allowances.map(\.monthlyQuota) == [500])
        try signed.verify(trustList: bureau.world.trustList, crypto: bureau.world.crypto)
        let record = try await service.provider("p-1")
        #expect(record.lifecycle.state == .completed(result: "agreement"))
        #expect(record.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])

        // The bureau's desk counts the application like any resident service's, its materials kept.
        let desk = ApplicationService(
            ports: ServicePorts(
                store: bureau.store,
                crypto: bureau.world.crypto,
                keys: bureau.store.keys,
                clock: bureau.world.clock
            ),
            catalogue: try ServiceCatalogue([service.service]),
            calendar: try PublishedCalendar.official()
        )
        #expect(try await desk.counts().map(\.completedOnTime) == [1])
        #expect(try await desk.application("p-1").materials.count == 3)

        // The next trust list carries the provider's keys and grants.
        let next = try await service.trustList(from: bureau.world.trustList)
        #expect(next.version == bureau.world.trustList.version + 1)
        #expect(next.parties.first { $0.party == bureau.world.app }?.keys.map(\.kid) == ["app-2"])
        #expect(next.allows(bureau.world.app, toCall: ConsentWorld.service, for: ConsentWorld.purpose))
        #expect(!next.allows(bureau.world.app, toCall: "dpf.rehabilitation", for: ConsentWorld.purpose))
    }

    @Test("suspend, reinstate, exit with a deletion attestation; each agreement version reaches the department")
    func standing() async throws {
        let bureau = try await bureau()
        let service = bureau.service
        try await service.apply(try application(bureau))
        await #expect(throws: ProviderError.illegal(move: "approve", standing: "accepted")) {
            try await service.approve("p-1", days: 365, by: "bureau-head")
        }
        try await service.review("p-1", by: "bureau-reviewer")
        let approved = try await service.approve("p-1", days: 365, by: "bureau-head")
        let registry = bureau.world.registry
        try await registry.acceptAgreement(approved.compact)
        let consent = try await bureau.world.manager.grant(try bureau.world.request())
        try await registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
        try await bureau.world.fetch(consent: consent.artefact.id)

        let suspended = try await service.suspend("p-1")
        #expect(suspended.agreement.version == 2)
        try await registry.acceptAgreement(suspended.compact)
        bureau.world.clock.advance(days: 1)
        await expectRefusal(.providerSuspended(bureau.world.app)) {
            try await bureau.world.fetch(consent: consent.artefact.id)
        }
        #expect(
            !(try await service.trustList(from: bureau.world.trustList)).allows(
                bureau.world.app,
                toCall: ConsentWorld.service,
                for: ConsentWorld.purpose
            )
        )
        await #expect(throws: ProviderError.illegal(move: "suspend", standing: "suspended")) {
            try await service.suspend("p-1")
        }

        try await registry.acceptAgreement(try await service.reinstate("p-1").compact)
        try await bureau.world.fetch(consent: consent.artefact.id)

        // An attestation signed with a key that is not the provider's is refused; its own is kept.
        let stranger = try bureau.world.crypto.generateSigningKey(.ed25519)
        await #expect {
            try await service.exit("p-1", attestation: try deletion(bureau, key: stranger, kid: "app-2"))
        } throws: { error in
            guard case .attestation = error as? ProviderError else { return false }
            return true
        }
        let exited = try await service.exit(
            "p-1",
            attestation: try deletion(bureau, key: bureau.world.appKey, kid: "app-2")
        )
        #expect(exited.agreement.standing == .exited)
        #expect(try await service.provider("p-1").deletionAttestation != nil)
        try await registry.acceptAgreement(exited.compact)
        bureau.world.clock.advance(days: 1)
        await expectRefusal(.providerExited(bureau.world.app)) {
            try await bureau.world.fetch(consent: consent.artefact.id)
        }
        let last = try await service.trustList(from: bureau.world.trustList)
        #expect(last.parties.first { $0.party == bureau.world.app }?.keys.allSatisfy { $0.status == .revoked } == true)
        #expect(!last.grants.contains { $0.consumer == bureau.world.app })
        await #expect(throws: ProviderError.illegal(move: "reinstate", standing: "exited")) {
            try await service.reinstate("p-1")
        }
    }

    @Test(
        "an application refused: a qualification shown for another application, a second open application, a document without a digest"
    )
    func refusals() async throws {
        let bureau = try await bureau()
        let service = bureau.service
        await #expect {
            try await service.apply(try application(bureau, id: "p-1", nonce: "p-0"))
        } throws: { error in
            guard case .qualification(let reason) = error as? ProviderError else { return false }
            return reason.contains("nonce")
        }
        await #expect(throws: ProviderError.unknownProvider("p-1")) { try await service.provider("p-1") }
        var undigested = try application(bureau)
        undigested.termsDigest = "terms.pdf"
        await #expect(throws: ProviderError.invalid("a document is handed in by its sha256: or sm3: digest")) {
            try await service.apply(undigested)
        }
        try await service.apply(try application(bureau))
        await #expect(throws: ProviderError.alreadyApplied(party: bureau.world.app, application: "p-1")) {
            try await service.apply(try application(bureau, id: "p-3"))
        }
        // A review-stage refusal completes the application; the party may then apply again.
        try await service.review("p-1", by: "bureau-reviewer")
        try await service.refuse("p-1", reason: "protection level below what the services need", by: "bureau-head")
        try await service.apply(try application(bureau, id: "p-3"))
    }
}
