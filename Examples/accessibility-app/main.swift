// A private accessibility-services app on the marketplace (plan item 17): it onboards with the
// big-data bureau, a resident consents to share their disability category, level and district for
// six months at most once a day, the app fetches them through the disabled persons' federation's
// gateway, the resident revokes, the next fetch is refused, and the resident's data-use report
// lists every use. Run: swift run accessibility-app
import Foundation
import Logging
import ServiceLifecycle
import SocietyCertificates
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyExchangeClient
import SocietyGateway
import SocietyJSON
import SocietyMarketplace
import SocietyServices

/// The federation's record of a disabled resident, keyed (as a keyed hash) by their number.
struct DisabilityProfile: StorableRecord, Hashable {
    static let recordKind = "dpf_profile"
    static let sensitiveFields: Set<String> = ["resident", "category", "level"]
    let resident: ResidentID
    let category: String
    let level: String
    let district: String
    var recordKey: RecordKey { RecordKey(sensitive: resident.unmasked) }
}

// 1. A deployment (keys and stores in a fresh state folder), three parties, one data service.
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("accessibility-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: folder) }
let deployment = try Deployment(DeploymentConfiguration(stateFolder: folder, profile: .standard))
let crypto = deployment.crypto
let bureau = try Party("113212000142871106/bigdata")  // consent manager, provider registry, e-certificates
let federation = try Party("113212000142871106/dpf")  // holds the disability data
let app = try Party("91320214745555318W/access-app")  // the third-party provider
let purpose = Purpose(constant: "marketplace.accessibility")
let service = "dpf.disability-profile"
let now = Date()
let bureauEntry = try deployment.trustEntry(of: bureau, name: "泰州市大数据局")
let federationEntry = try deployment.trustEntry(of: federation, name: "泰州市残联")
var trust = TrustList(version: 1, issuedAt: now.addingTimeInterval(-60), nextUpdate: now.addingTimeInterval(7 * 86_400))
trust.parties = [bureauEntry, federationEntry]
trust.services = [DataService(id: service, provider: federation, fields: [], purposes: [purpose])]

// 2. The bureau issues the app its qualification e-certificate; the app applies, presenting it.
let bureauDepartment = try deployment.department("bigdata", party: bureau)
let (bureauKey, bureauKid) = (try deployment.signingKey(of: bureau), deployment.signingKid(of: bureau))
let issuer = CertificateIssuer(ports: bureauDepartment.ports, party: bureau, key: bureauKey, kid: bureauKid)
let wallet = try crypto.generateSigningKey(.p256)
let qualification = try await issuer.issue(
    .providerQualification,
    to: .organization(app.organization),
    holderKey: try JSONWebKey(algorithm: .p256, publicKey: wallet.publicKey.rawRepresentation),
    claims: ["organisation_name": "无障碍出行科技有限公司", "service_fields": "accessibility", "protection_level": "3"]
)
let verifier = CertificateVerifier(
    trustList: trust,
    statusLists: StatusListSnapshot(try await issuer.publish()),
    crypto: crypto,
    clock: SystemWallClock()
)
let providers = ProviderService(
    ports: bureauDepartment.ports,
    bureau: bureau,
    key: bureauKey,
    kid: bureauKid,
    service: try ProviderService.serviceEntry(timeLimit: TimeLimit(statutory: 20, promised: 10)),
    qualificationVerifier: CertificateMaterialVerifier(verifier: verifier, audience: bureau)
)
let appEntry = try deployment.trustEntry(of: app, name: "无障碍出行 app")
let terms = "sha256:" + Hex.encode(try crypto.digest(.sha256, of: Array("data-use terms v1".utf8)))
try await providers.apply(
    ProviderService.Application(
        id: "provider-2026-001",
        party: app,
        name: "无障碍出行 app",
        requested: [ProviderRecord.RequestedAllowance(service: service, purposes: [purpose], monthlyQuota: 10_000)],
        securityOfficer: "王五",
        termsDigest: terms,
        appointmentDigest: terms,
        keys: appEntry.keys.filter { $0.use == .signature },
        qualification: try qualification.sdJWT.presenting(
            ["organisation_name", "holder", "number"],
            holderKey: wallet,
            audience: bureau.text,
            nonce: "provider-2026-001",
            issuedAt: Date(),
            crypto: crypto
        ).compact
    )
)
try await providers.review("provider-2026-001", by: "bureau-reviewer")
let agreement = try await providers.approve("provider-2026-001", days: 365, by: "bureau-director")
trust = try await providers.trustList(from: trust)
trust.parties.removeAll { $0.party == app }
trust.parties.append(appEntry)  // its signing and encryption keys, as the deployment made them
print("1. \(app) onboarded: agreement v\(agreement.agreement.version), trust list v\(trust.version)")

// 3. The resident consents; the federation registers the consent and holds the resident's record.
let resident = try ResidentID("321202196005010117")
let manager = ConsentManager(
    ports: bureauDepartment.ports,
    party: bureau,
    key: bureauKey,
    kid: bureauKid,
    pseudonymKey: try crypto.randomBytes(count: 32)
)
let consent = try await manager.grant(
    ConsentManager.Request(
        resident: resident,
        provider: app,
        purpose: purpose,
        scopes: [try ConsentArtefact.Scope(service: service, fields: ["category", "level", "district"])],
        mode: .view,
        frequency: try ConsentArtefact.Frequency(limit: 1, per: .day),
        days: 183
    )
)
let dpf = try deployment.department("dpf", party: federation)
let registry = ConsentRegistry(ports: dpf.ports, trustList: trust, manager: bureau, providers: [app])
try await registry.acceptAgreement(agreement.compact)
try await registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
try await registry.accept(try await manager.statusList())
try await dpf.ports.store.write(purpose: Purpose(constant: "dpf.registry")) { db in
    try await db.put(DisabilityProfile(resident: resident, category: "physical", level: "2", district: "321202"))
}
print("2. \(resident.masked) consented: \(consent.artefact.id), the app knows them as \(consent.artefact.subject)")

// 4. The federation's gateway answers the fields asked for, about the consent's resident.
let profiles = ClosureHandler(service: service) { request in
    let person = try await registry.resident(of: request.claims.consent ?? "")
    let profile = try await dpf.ports.store.read(purpose: Purpose(constant: "dpf.answer")) { db in
        try await db.get(DisabilityProfile.self, key: RecordKey(sensitive: person.unmasked))
    }
    guard let profile else { throw ExchangeProblem.notFound("no profile") }
    let all: JSONObject = [
        "category": .string(profile.category), "level": .string(profile.level), "district": .string(profile.district),
    ]
    var answer = JSONObject()
    for case .string(let field) in request.claims.data["fields"]?.arrayValue ?? [] { answer[field] = all[field] }
    return .object(answer)
}
let gateway = ExchangeGateway(
    responder: ExchangeResponder(
        exchange: try dpf.exchange(trustList: trust, consentCheck: registry),
        trustList: trust,
        crypto: crypto,
        clock: SystemWallClock(),
        handlers: [profiles]
    ),
    responses: ResponseCache(store: dpf.ports.store, crypto: crypto, clock: SystemWallClock()),
    auditLog: dpf.auditLog,
    crypto: crypto,
    logger: Logger(label: "gateway") { _ in SwiftLogNoOpLogHandler() }
)
let (bound, boundSink) = AsyncStream.makeStream(of: Int.self)
let server = GatewayServer.application(
    gateway: gateway,
    port: 0,
    logger: Logger(label: "gateway") { _ in
        SwiftLogNoOpLogHandler()
    }
) { port in boundSink.yield(port) }
let group = ServiceGroup(services: [server, gateway], logger: Logger(label: "group") { _ in SwiftLogNoOpLogHandler() })
let running: Task<Void, any Error> = Task { try await group.run() }
var url = ""
for await port in bound {
    url = "http://127.0.0.1:\(port)"
    break
}

// 5. The app fetches through the gateway, under the consent, naming the resident by pseudonym.
let client = ExchangeClient(
    exchange: try deployment.department("access-app", party: app).exchange(trustList: trust),
    trustList: trust,
    crypto: crypto,
    clock: SystemWallClock()
)
let draft = EnvelopeDraft(
    audience: federation,
    service: service,
    purpose: purpose,
    data: ["resident": .string(consent.artefact.subject), "fields": ["category", "level", "district"]],
    consent: consent.artefact.id
)
let answer = try await client.call(url, draft)
print("3. the app fetched through \(url): \(answer.claims.data)")

// 6. The resident revokes; the federation takes the new revocation list; the next fetch is refused.
try await registry.accept(try await manager.revoke(consent.artefact.id))
do {
    _ = try await client.call(url, draft)
    print("4. the fetch after revocation was NOT refused")
} catch {
    print("4. after revocation: \(error)")
}

// 7. The resident's data-use report from the federation, and the app's usage statement.
let federationSigner = DocumentSigner(
    party: federation,
    key: try deployment.signingKey(of: federation),
    kid: deployment.signingKid(of: federation)
)
let (report, _) = try await registry.dataUses(
    of: resident,
    kinds: [DisabilityProfile.recordKind],
    auditLog: dpf.auditLog,
    signer: federationSigner
)
print("5. who used \(resident.masked)'s data at the federation:")
for use in report.uses {
    let detail = use.consent.map { " under \($0) (\(use.service ?? ""))" } ?? ""
    print("   \(use.party) \(use.action) for \(use.purpose)\(detail)")
}
let month = String(CalendarDate(Date()).iso8601.prefix(7))
let statement = try await registry.statement(for: app, month: month, signer: federationSigner, auditLog: dpf.auditLog)
print("6. usage statement for \(app), \(month): \(statement.statement.calls) call(s), signed by \(federation)")
try await client.shutdown()
await group.triggerGracefulShutdown()
try await running.value
