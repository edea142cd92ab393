import Foundation
import SocietyCore
import SocietyExchange
import SocietyHealth
import SocietyJSON
import SocietyOpenSSL
import SocietySQLite

/// A family-doctor service on a real SQLite file with real OpenSSL keys and auditing.
struct HealthFixture {
    let directory: URL
    let store: SQLiteStore
    let service: FamilyDoctorService
    let crypto = OpenSSLCryptoProvider()
    let clock: FixedWallClock
    let today: CalendarDate
    let institution: Organization

    init(today: String = "2026-11-29") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.today = try CalendarDate(iso8601: today)
        clock = FixedWallClock(self.today.startInstant.addingTimeInterval(36_000))
        let keys = try StaticKeyProvider.random(using: crypto)
        store = try SQLiteStore(
            path: directory.appendingPathComponent("health.sqlite").path,
            configuration: SQLiteConfiguration(
                protection: RecordProtection(crypto: crypto, keys: keys),
                audit: StoreAuditing(actor: "12321200000000000X/family-doctor", origin: "test", clock: clock)
            )
        )
        service = try FamilyDoctorService(store: store, crypto: crypto, keys: keys, clock: clock)
        institution = Organization(
            creditCode: try CreditCode("91320214745555318W"),
            name: "海陵区城东社区卫生服务中心",
            kind: .hospital,
            division: try DivisionCode("321202")
        )
        try service.register(try ServicePackage.basic)
        try service.register(try ServicePackage.chronicDisease)
    }

    /// A resident born on `birth` (YYYY-MM-DD), number `n`.
    func resident(_ n: Int, born birth: String = "1950-03-01") throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: birth), sequence: n % 1000)
    }

    /// A registered team with a GP, a nurse and a public-health doctor.
    @discardableResult
    func team(_ id: String = "team-1", capacity: Int = 10) throws -> DoctorTeam {
        let team = try DoctorTeam(
            id: Identifier(id),
            name: "城东 1 号团队",
            institution: institution,
            members: [
                TeamMember(number: 1, name: PersonName("王建国"), role: .generalPractitioner),
                TeamMember(number: 2, name: PersonName("李敏"), role: .nurse),
                TeamMember(number: 3, name: PersonName("陈静"), role: .publicHealthDoctor),
            ],
            capacity: capacity
        )
        try service.register(team)
        return team
    }

    func date(_ text: String) throws -> CalendarDate { try CalendarDate(iso8601: text) }

    var basic: Identifier<ServicePackage> { get throws { try Identifier("basic") } }

    /// An opened envelope from civil affairs carrying `data`, as the exchange would deliver it.
    func notice(service: String, data: JSONValue) throws -> OpenedEnvelope {
        let civil = try Party("113212000142871106/assistance")
        let me = try Party("91320214745555318W/family-doctor")
        let purpose = try Purpose("health.family-doctor")
        let key = try crypto.generateSigningKey(.ed25519)
        let now = clock.now()
        let list = TrustList(
            version: 1,
            issuedAt: now,
            nextUpdate: now.addingTimeInterval(86_400),
            parties: [
                .init(
                    party: civil,
                    name: "民政 救助",
                    keys: [
                        TrustedKey(
                            kid: "ca-1",
                            algorithm: .ed25519,
                            publicKey: key.publicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-60),
                            validUntil: now.addingTimeInterval(3600)
                        )
                    ]
                ), .init(party: me, name: "家庭医生"),
            ],
            services: [DataService(id: service, provider: civil, fields: [], purposes: [purpose])],
            grants: [AccessGrant(consumer: me, service: service, purposes: [purpose])]
        )
        let sealer = EnvelopeSealer(issuer: civil, key: key, kid: "ca-1", crypto: crypto, clock: clock)
        let text = try sealer.seal(EnvelopeDraft(audience: me, service: service, purpose: purpose, data: data))
        return try EnvelopeOpener(
            me: me,
            trustList: list,
            crypto: crypto,
            clock: clock,
            replayGuard: InMemoryReplayGuard()
        )
        .open(text)
    }
}
