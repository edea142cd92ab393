import Foundation
import Logging
import SocietyCommunity
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyJSON
import SocietyMarketplace
import SocietyOneCard
import Testing

/// Four parties of one deployment on real SQLite stores and OpenSSL keys: the community service
/// centre asks; the one network's consent desk records households' consents; civil affairs answers
/// its archive section and the dibao group; health answers its archive section.
struct ArchiveNetwork: Sendable {
    static let civilSection = "civil-affairs.archive"
    static let healthSection = "health.archive"

    let folder: URL
    let deployment: Deployment
    let community: Party
    let desk: Party
    let civil: Party
    let health: Party
    let trustList: TrustList
    let exchange: ExchangePorts
    let ports: ServicePorts
    let responders: [String: ExchangeResponder]
    let sent: Counter
    /// Identity numbers: two in the household, one outside it.
    let mother: ResidentID
    let child: ResidentID
    let outsider: ResidentID

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UUID().uuidString)")
        let deployment = try Deployment(DeploymentConfiguration(stateFolder: folder))
        self.deployment = deployment
        community = try Party("11321200014287102B/community")
        desk = try Party("113212000142871106/consent-desk")
        civil = try Party("113212000142871106/civil-affairs")
        health = try Party("91320214745555318W/health")
        let district = try DivisionCode("321202")
        mother = try ResidentID(addressCode: district, birthDate: CalendarDate(iso8601: "1990-03-15"), sequence: 2)
        child = try ResidentID(addressCode: district, birthDate: CalendarDate(iso8601: "2021-06-01"), sequence: 7)
        outsider = try ResidentID(addressCode: district, birthDate: CalendarDate(iso8601: "1960-01-01"), sequence: 9)
        var list = TrustList(version: 1, issuedAt: Date() - 60, nextUpdate: Date() + 86_400)
        list.parties = [
            try deployment.trustEntry(of: community, name: "社区综合服务中心", validFrom: Date() - 86_400),
            try deployment.trustEntry(of: desk, name: "一网通办 授权确认", validFrom: Date() - 86_400),
            try deployment.trustEntry(of: civil, name: "民政局", validFrom: Date() - 86_400),
            try deployment.trustEntry(of: health, name: "卫健委", validFrom: Date() - 86_400),
        ]
        list.services = [
            FamilyArchivePort.service(Self.civilSection, provider: civil, fields: ["dibao"]),
            FamilyArchivePort.service(Self.healthSection, provider: health, fields: ["familyDoctor"]),
            SpecialGroupPort.service(.dibao, provider: civil),
        ]
        list.grants = [
            AccessGrant(consumer: community, service: Self.civilSection, purposes: [FamilyArchivePort.purpose]),
            AccessGrant(consumer: community, service: Self.healthSection, purposes: [FamilyArchivePort.purpose]),
            AccessGrant(
                consumer: community,
                service: SpecialGroup.dibao.service,
                purposes: Set(GridPurpose.allCases.map(\.purpose))
            ),
        ]
        trustList = list
        let centre = try deployment.department("community", party: community)
        exchange = try centre.exchange(trustList: list)
        ports = centre.ports
        let crypto = deployment.crypto
        let clock = SystemWallClock()
        let (mother, outsider) = (mother, outsider)
        let civilHandlers: [any ExchangeHandler] = [
            FamilyArchivePort.handler(
                service: Self.civilSection,
                recorders: [desk],
                trustList: list,
                crypto: crypto,
                clock: clock
            ) { resident in resident == mother ? ["dibao": true, "since": "2024-03"] : nil },
            // Civil affairs' register answers with someone not asked about too: the port drops them.
            SpecialGroupPort.handler(.dibao) { residents in Set(residents.filter { $0 == mother }).union([outsider]) },
        ]
        let healthHandlers: [any ExchangeHandler] = [
            FamilyArchivePort.handler(
                service: Self.healthSection,
                recorders: [desk],
                trustList: list,
                crypto: crypto,
                clock: clock
            ) { _ in ["familyDoctor": "城东社区卫生服务中心 王医生团队"] }
        ]
        func responder(_ party: Party, _ store: String, _ handlers: [any ExchangeHandler]) throws -> ExchangeResponder {
            ExchangeResponder(
                exchange: try deployment.department(store, party: party).exchange(trustList: list),
                trustList: list,
                crypto: crypto,
                clock: clock,
                handlers: handlers
            )
        }
        let civilResponder = try responder(civil, "civil-affairs", civilHandlers)
        let healthResponder = try responder(health, "health", healthHandlers)
        responders = [
            Self.civilSection: civilResponder, SpecialGroup.dibao.service: civilResponder,
            Self.healthSection: healthResponder,
        ]
        sent = Counter()
    }

    /// Delivers a request in process, as the gateway would over HTTP.
    var send: @Sendable (String, String) async throws -> String {
        let (responders, sent) = (responders, sent)
        return { service, request in
            await sent.add()
            guard let responder = responders[service] else { throw ExchangeProblem.noService(service) }
            return try await responder.answer(request).response
        }
    }

    /// A consent of the household for `members` and `services`, signed by `signer` (the desk by default).
    func consent(
        _ id: String,
        members: [ResidentID],
        services: [String] = [civilSection, healthSection],
        signer: Party? = nil,
        validFrom: Date = Date() - 60,
        lifetime: TimeInterval = 86_400
    ) throws -> (text: String, salt: String) {
        let recorder = signer ?? desk
        let (consent, salt) = try ArchiveConsent.draft(
            id: id,
            household: "hh-0042",
            members: members,
            grantee: community,
            recorder: recorder,
            services: services,
            validFrom: validFrom,
            lifetime: lifetime,
            crypto: deployment.crypto
        )
        let signed = try SignedArchiveConsent.sign(
            consent,
            key: try deployment.signingKey(of: recorder),
            kid: deployment.signingKid(of: recorder)
        )
        return (signed.compact, salt)
    }

    var assembler: FamilyArchiveAssembler { FamilyArchiveAssembler(exchange: exchange, ports: ports) }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

@Suite("The digital family archive, by envelope with the household's consent")
struct ArchiveTests {
    @Test("assembled from both departments under the desk's consent; only the assembly is kept")
    func assemble() async throws {
        let network = try ArchiveNetwork()
        defer { network.remove() }
        let (text, salt) = try network.consent("c-1", members: [network.mother, network.child])
        let archive = try await network.assembler.assemble(
            consent: text,
            salt: salt,
            members: [network.mother, network.child],
            send: network.send
        )
        #expect(
            archive.missing.isEmpty && archive.sections.map(\.service) == ["civil-affairs.archive", "health.archive"]
        )
        #expect(archive.entry("civil-affairs.archive", of: network.mother)?["dibao"] == .bool(true))
        #expect(archive.entry("civil-affairs.archive", of: network.child) == Optional<JSONValue>.none)
        #expect(
            archive.entry("health.archive", of: network.child)?["familyDoctor"]?.stringValue?.hasSuffix("王医生团队") == true
        )
        #expect(archive.sections.allSatisfy { $0.evidence.hasPrefix("sha256:") })
        #expect(
            archive.description
                == "family archive (2 members, consent c-1): civil-affairs.archive: 1 of 2; health.archive: 2 of 2"
        )
        let kept = try await network.assembler.assemblies(of: "hh-0042")
        #expect(
            kept.count == 1 && kept[0].consent == "c-1"
                && kept[0].evidence.keys.sorted() == archive.sections.map(\.service)
        )
        #expect(kept[0].household != "hh-0042")
        #expect(try await network.assembler.assemblies(of: "hh-0043").isEmpty)
    }

    @Test("a member the consent does not cover, an expired or altered consent: refused before anything is sent")
    func refusedLocally() async throws {
        let network = try ArchiveNetwork()
        defer { network.remove() }
        let (text, salt) = try network.consent("c-2", members: [network.mother])
        await #expect(throws: CommunityError.self) {
            try await network.assembler.assemble(
                consent: text,
                salt: salt,
                members: [network.mother, network.outsider],
                send: network.send
            )
        }
        let expired = try network.consent("c-3", members: [network.mother], validFrom: Date() - 7_200, lifetime: 3_600)
        await #expect(throws: CommunityError.forbidden("consent c-3 is not valid now")) {
            try await network.assembler.assemble(
                consent: expired.text,
                salt: expired.salt,
                members: [network.mother],
                send: network.send
            )
        }
        // The payload changed after signing: the signature no longer verifies.
        let parts = text.split(separator: ".").map(String.init)
        var payload = try JSONParser().parse(Base64URL.decode(parts[1]) ?? []).objectValue ?? [:]
        payload["services"] = ["civil-affairs.archive", "health.archive", "tax.archive"]
        let altered = [parts[0], Base64URL.encode(try JSONValue.object(payload).canonicalBytes()), parts[2]].joined(
            separator: "."
        )
        await #expect(throws: CommunityError.self) {
            try await network.assembler.assemble(
                consent: altered,
                salt: salt,
                members: [network.mother],
                send: network.send
            )
        }
        #expect(await network.sent.value == 0)
        #expect(try await network.assembler.assemblies(of: "hh-0042").isEmpty)
    }

    @Test("the departments check the consent themselves: its recorder, its services, its members")
    func refusedByDepartments() async throws {
        let network = try ArchiveNetwork()
        defer { network.remove() }
        // A consent the centre signed itself verifies, but no department accepts it.
        let own = try network.consent("c-4", members: [network.mother], signer: network.community)
        let archive = try await network.assembler.assemble(
            consent: own.text,
            salt: own.salt,
            members: [network.mother],
            send: network.send
        )
        #expect(archive.sections.isEmpty && archive.missing.count == 2)
        #expect(
            archive.missing["health.archive"]
                == "consent: consent c-4 was not recorded by a party this department accepts consents from"
        )
        #expect(try await network.assembler.assemblies(of: "hh-0042").first?.missing.count == 2)
        // Sent straight to health with a consent for civil affairs only, or for another member.
        let civilOnly = try network.consent("c-5", members: [network.mother], services: [ArchiveNetwork.civilSection])
        func ask(_ consent: (text: String, salt: String), about resident: ResidentID) async throws -> String {
            let recipient = try EnvelopeRecipient(
                party: network.health,
                trustList: network.trustList,
                crypto: network.deployment.crypto,
                at: Date()
            )
            let request = try await network.exchange.sealer.seal(
                EnvelopeDraft(
                    audience: network.health,
                    service: ArchiveNetwork.healthSection,
                    purpose: FamilyArchivePort.purpose,
                    level: .important,
                    data: [
                        "consent": .string(consent.text), "salt": .string(consent.salt),
                        "residents": [.string(resident.unmasked)],
                    ]
                ),
                encryptingTo: recipient
            )
            return try await network.send(ArchiveNetwork.healthSection, request)
        }
        do {
            _ = try await ask(civilOnly, about: network.mother)
            Issue.record("health answered under a consent for civil affairs")
        } catch let problem as ExchangeProblem {
            #expect(problem.status == 403 && problem.detail == "consent c-5 does not cover health.archive")
        }
        let both = try network.consent("c-6", members: [network.mother])
        do {
            _ = try await ask(both, about: network.child)
            Issue.record("health answered about a member the consent does not cover")
        } catch let problem as ExchangeProblem {
            #expect(problem.status == 403 && problem.detail == "consent c-6 does not cover one of the residents")
        }
        #expect(try await ask(both, about: network.mother).isEmpty == false)
    }

    @Test("a grid's dibao members asked of civil affairs by envelope; the answer holds only those asked about")
    func groupsByEnvelope() async throws {
        let network = try ArchiveNetwork()
        defer { network.remove() }
        let oneCard = try OneCardService(ports: network.ports)
        let community = CommunityService(ports: network.ports, oneCard: oneCard)
        try await community.open(
            try Grid(id: "G-07", name: "第7网格", district: DivisionCode("321202"), workers: ["W0701"])
        )
        try await community.assign(network.mother, to: "G-07", household: "hh-0042")
        try await community.assign(network.child, to: "G-07", household: "hh-0042")
        let source = EnvelopeGroupSource(
            .dibao,
            exchange: network.exchange,
            crypto: network.deployment.crypto,
            clock: SystemWallClock(),
            send: network.send
        )
        let roster = try await community.specialGroups(
            in: "G-07",
            worker: "W0701",
            purpose: .assistance,
            sources: [source]
        )
        #expect(roster.entries.map(\.resident) == [network.mother] && roster.unavailable.isEmpty)
        // A group no department serves on the trust list is unavailable, with the reason.
        let unserved = EnvelopeGroupSource(
            .unemployed,
            exchange: network.exchange,
            crypto: network.deployment.crypto,
            clock: SystemWallClock(),
            send: network.send
        )
        let partial = try await community.specialGroups(
            in: "G-07",
            worker: "W0701",
            purpose: .visit,
            sources: [source, unserved]
        )
        #expect(partial.unavailable == [.unemployed: "exchange: community.group.unemployed is not on the trust list"])
    }
}
