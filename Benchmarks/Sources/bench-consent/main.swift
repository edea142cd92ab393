// bench-consent: what the consent check (check 10, issue 20) adds to opening a provider's request,
// against the same opens without it, in the same run: Ed25519 envelopes, the SQLite replay guard,
// and the department's consent registry on an encrypted, audited SQLite store — the agreement and
// the consent looked up, the revocation list consulted, and the frequency counter, the monthly meter
// and the call record written durably in one transaction per fetch.
//
// Run: cd Benchmarks && swift run -c release bench-consent [N envelopes per run, default 1000] [RUNS, default 7]
//      [CALLS in the usage statement, default 1000000]

import BenchSupport
import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyMarketplace
import SocietyOpenSSL
import SocietySQLite
import SocietyTesting

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 7 : 7
let crypto = OpenSSLCryptoProvider()
let now = Date()
let clock = FixedWallClock(now)
let bureau = try Party("113212000142871106/consent")
let federation = try Party("113212000142871106/dpf")
let app = try Party("91320214745555318W/access-app")
let purpose = Purpose(constant: "marketplace.accessibility")
let service = "dpf.disability-category"
let (managerKey, appKey) = (try crypto.generateSigningKey(.ed25519), try crypto.generateSigningKey(.ed25519))
func trusted(_ kid: String, _ key: any SigningKey) -> TrustedKey {
    TrustedKey(
        kid: kid,
        algorithm: .ed25519,
        publicKey: key.publicKey.rawRepresentation,
        validFrom: now.addingTimeInterval(-3600),
        validUntil: now.addingTimeInterval(86_400)
    )
}
let list = TrustList(
    version: 1,
    issuedAt: now,
    nextUpdate: now.addingTimeInterval(86_400),
    parties: [
        .init(party: bureau, name: "consent manager", keys: [trusted("consent-1", managerKey)]),
        .init(party: app, name: "app", keys: [trusted("app-1", appKey)]),
        .init(party: federation, name: "federation"),
    ],
    services: [DataService(id: service, provider: federation, fields: [], purposes: [purpose])],
    grants: [AccessGrant(consumer: app, service: service, purposes: [purpose])]
)
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-consent-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let keys = try StaticKeyProvider.random(using: crypto)
let store = try SQLiteStore(
    path: folder.appendingPathComponent("dpf.sqlite").path,
    configuration: SQLiteConfiguration(
        protection: RecordProtection(crypto: crypto, keys: keys),
        audit: StoreAuditing(actor: federation.text, origin: "bench", clock: clock)
    )
)
let managerStore = try InMemoryStore(clock: clock, actor: bureau.text)
let manager = ConsentManager(
    ports: ServicePorts(store: managerStore, crypto: crypto, keys: managerStore.keys, clock: clock),
    party: bureau,
    key: managerKey,
    kid: "consent-1",
    pseudonymKey: try crypto.randomBytes(count: 32)
)
let registry = ConsentRegistry(
    ports: ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock),
    trustList: list,
    manager: bureau,
    providers: [app]
)
let agreement = try ProviderAgreement(
    provider: app,
    bureau: bureau,
    allowances: [try .init(service: service, purposes: [purpose], monthlyQuota: 100_000_000)],
    validFrom: now.addingTimeInterval(-60),
    expires: now.addingTimeInterval(86_400),
    standing: .active,
    version: 1,
    issuedAt: now
)
try await registry.acceptAgreement(try SignedAgreement.sign(agreement, key: managerKey, kid: "consent-1").compact)
let resident = try ResidentID("321202196005010117")
let consent = try await manager.grant(
    ConsentManager.Request(
        resident: resident,
        provider: app,
        purpose: purpose,
        scopes: [try ConsentArtefact.Scope(service: service, fields: ["category", "level"])],
        mode: .view,
        frequency: try ConsentArtefact.Frequency(limit: 1_000_000, per: .consent),
        days: 1
    )
)
try await registry.register(consent.compact, resident: consent.resident, salt: consent.salt)
try await registry.accept(try await manager.statusList())

let sealer = EnvelopeSealer(issuer: app, key: appKey, kid: "app-1", crypto: crypto, clock: clock)
let draft = EnvelopeDraft(
    audience: federation,
    service: service,
    purpose: purpose,
    data: ["resident": .string(consent.artefact.subject), "fields": ["category", "level"]],
    consent: consent.artefact.id
)
/// `count` fresh envelopes for each timed run and the warm-up: the replay guard refuses a second open.
func pool() async throws -> [[String]] {
    var batches: [[String]] = []
    for _ in 0...runs {
        var batch: [String] = []
        for _ in 0..<count { batch.append(try await sealer.seal(draft)) }
        batches.append(batch)
    }
    return batches
}
var checked = try await pool()
var plain = try await pool()
let guardPath = folder.appendingPathComponent("replay.sqlite").path
let withConsent = EnvelopeOpener(
    me: federation,
    trustList: list,
    crypto: crypto,
    clock: clock,
    replayGuard: try SQLiteReplayGuard(path: guardPath),
    consentCheck: registry
)
let without = EnvelopeOpener(
    me: federation,
    trustList: list,
    crypto: crypto,
    clock: clock,
    replayGuard: try SQLiteReplayGuard(path: folder.appendingPathComponent("replay-plain.sqlite").path)
)

print(
    "bench-consent: \(count) Ed25519 envelopes per run, \(runs) alternating runs; SQLite replay guard; consent registry on SQLite"
)
let (subject, baseline) = try await measurePairAsync(
    "open with the consent check",
    against: "open without it",
    operations: count,
    runs: runs,
    subject: {
        for envelope in checked.removeLast() { _ = try await withConsent.open(envelope) }
    },
    baseline: {
        for envelope in plain.removeLast() { _ = try await without.open(envelope) }
    }
)
report(subject, against: baseline, goal: 1 / 1.1)
print(
    String(
        format: "the consent check adds %.0f µs to an open of %.0f µs (medians): +%.0f %%",
        (1 / subject.rate - 1 / baseline.rate) * 1e6,
        1e6 / baseline.rate,
        (baseline.rate / subject.rate - 1) * 100
    )
)
let counted = try await registry.uses(of: consent.artefact.id, at: now)
print("fetches counted under the consent: \(counted) (every timed and warm-up open: \((runs + 1) * count))")

// Part 2: the monthly usage statement over 1,000,000 calls (goal ≤ 10 s): the calls loaded into
// a department's store (untimed), then the statement read, grouped, hashed and signed (timed).
let calls = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000
let big = try SQLiteStore(
    path: folder.appendingPathComponent("calls.sqlite").path,
    configuration: SQLiteConfiguration(
        protection: RecordProtection(crypto: crypto, keys: keys),
        audit: StoreAuditing(actor: federation.text, origin: "bench", clock: clock)
    )
)
let month = String(CalendarDate(now).iso8601.prefix(7))
var loaded = 0
while loaded < calls {
    let batch = (loaded..<min(calls, loaded + 50_000)).map { index in
        MeteredCall(
            provider: app,
            envelope: String(format: "env-%010d", index),
            consent: consent.artefact.id,
            service: index % 4 == 0 ? "dpf.rehabilitation" : service,
            purpose: purpose,
            month: month,
            at: now
        )
    }
    try await big.write(purpose: ConsentRegistry.Purposes.check) { db in try await db.put(contentsOf: batch) }
    loaded += batch.count
}
let meter = ConsentRegistry(
    ports: ServicePorts(store: big, crypto: crypto, keys: keys, clock: clock),
    trustList: list,
    manager: bureau,
    providers: [app]
)
let signer = DocumentSigner(party: federation, key: appKey, kid: "app-1")
var statementCalls = 0
let statement = try await measureAsync("usage statement over \(calls) calls", operations: 1, runs: 3, warmup: 0) {
    statementCalls = try await meter.statement(for: app, month: month, signer: signer, auditLog: big.auditLog)
        .statement.calls
}
print(
    String(
        format: "statement of %d calls: median %.2f s (goal ≤ 10 s: %@)",
        statementCalls,
        statement.median,
        statement.median <= 10 ? "met" : "NOT met"
    )
)
