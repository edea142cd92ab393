import Foundation
import Logging
import OneCardTestSupport
import SQLiteTestSupport
import SocietyCertificates
import SocietyCore
import SocietyElderlyCare
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyServices
import SocietyTesting
import Testing

/// Item scores adding up to `total`: full marks, less points taken item by item in the standard's
/// order until the total is reached.
func scores(total: Int) -> [CapabilityItem: Int] {
    var items = Dictionary(uniqueKeysWithValues: CapabilityItem.allCases.map { ($0, $0.maximum) })
    var missing = 90 - total
    for item in CapabilityItem.allCases where missing > 0 {
        let taken = min(item.maximum, missing)
        items[item] = item.maximum - taken
        missing -= taken
    }
    return items
}

@Suite("Capability assessment (GB/T 42195-2022)")
struct CapabilityTests {
    @Test("26 items in 4 dimensions: 32 + 15 + 28 + 15 = 90; numbered B.1.1 … B.4.5")
    func items() {
        #expect(CapabilityItem.allCases.count == 26)
        #expect(CapabilityDimension.allCases.map(\.maximum) == [32, 15, 28, 15])
        #expect(CapabilityItem.allCases.reduce(0) { $0 + $1.maximum } == 90)
        #expect(CapabilityItem.eating.code == "B.1.1" && CapabilityItem.stairs.code == "B.2.4")
        #expect(CapabilityItem.consciousness.code == "B.3.9" && CapabilityItem.socialInteraction.code == "B.4.5")
        #expect(CapabilityItem.allCases.filter { $0.dimension == .mentalState }.count == 9)
    }

    @Test(
        "every level boundary of the table",
        arguments: [
            (90, CapabilityLevel.intact), (89, .mild), (66, .mild), (65, .moderate), (46, .moderate), (45, .severe),
            (30, .severe), (29, .complete), (0, .complete),
        ]
    )
    func boundaries(total: Int, level: CapabilityLevel) throws {
        let score = try CapabilityScore(items: scores(total: total))
        #expect(score.total == total)
        #expect(score.preliminary == level)
        #expect(score.level == level)
    }

    @Test("a worked example: the dimensions, the level, explained")
    func explained() throws {
        var items = scores(total: 90)
        items[.bathing] = 1
        items[.stairs] = 0
        items[.memory] = 2
        items[.transport] = 1
        let score = try CapabilityScore(items: items)
        #expect(
            score.dimensions == [.selfCare: 29, .basicMovement: 12, .mentalState: 26, .perceptionAndParticipation: 13]
        )
        #expect(score.total == 80 && score.level == .mild)
        #expect(
            score.decision.explanation
                == "eligible: 80 of 90 (自理能力 29/32, 基础运动能力 12/15, 精神状态 26/28, 感知觉与社会参与 13/15): 能力轻度受损（轻度失能）"
        )
    }

    @Test("the rules that raise a level: coma, diagnoses, risk events — one level, never past complete loss")
    func raised() throws {
        #expect(try CapabilityScore(items: scores(total: 90), facts: AssessmentFacts(coma: true)).level == .complete)
        #expect(
            try CapabilityScore(items: scores(total: 70), facts: AssessmentFacts(dementia: true)).level == .moderate
        )
        #expect(
            try CapabilityScore(items: scores(total: 40), facts: AssessmentFacts(psychiatric: true)).level == .complete
        )
        #expect(
            try CapabilityScore(items: scores(total: 89), facts: AssessmentFacts(riskEvents30Days: 2)).level
                == .moderate
        )
        #expect(
            try CapabilityScore(items: scores(total: 89), facts: AssessmentFacts(riskEvents30Days: 1)).level == .mild
        )
        #expect(
            try CapabilityScore(items: scores(total: 10), facts: AssessmentFacts(dementia: true)).level == .complete
        )
        let both = try CapabilityScore(
            items: scores(total: 90),
            facts: AssessmentFacts(dementia: true, riskEvents30Days: 3)
        )
        #expect(both.level == .mild)
        #expect(
            both.decision.checks.last?.statement
                == "a dementia diagnosis, 3 care-risk events in 30 days (≥ 2): one level up, 能力轻度受损（轻度失能）"
        )
    }

    @Test("a missing or out-of-range item is refused")
    func invalid() {
        var items = scores(total: 90)
        items[.walking] = nil
        #expect(throws: ElderlyCareError.invalid("no score for B.2.3 平地行走")) { try CapabilityScore(items: items) }
        items[.walking] = 4
        items[.stairs] = 4
        #expect(throws: ElderlyCareError.invalid("B.2.4 上下楼梯: 4 is outside 0–3")) { try CapabilityScore(items: items) }
    }
}

/// The service and the one-card on one store, at 10:00 on 2026-12-01.
struct ElderlyWorld<Store: RecordStore> {
    let store: Store
    let service: ElderlyCareService
    let oneCard: OneCardService
    let clock: FixedWallClock

    static func clock() throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: "2026-12-01").startInstant.addingTimeInterval(36_000))
    }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: FixedWallClock) throws {
        self.store = store
        self.clock = clock
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        oneCard = try OneCardService(ports: ports)
        service = ElderlyCareService(ports: ports, oneCard: oneCard)
    }

    func elder(_ n: Int, born: String = "1945-06-01") throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: born), sequence: n)
    }

    func card(_ holder: ResidentID, _ n: Int) async throws {
        try await oneCard.activatedCard(for: holder, n, issued: try CalendarDate(iso8601: "2026-01-05"))
    }

    var provider: HomeCareProvider {
        get throws {
            try HomeCareProvider(
                id: "91320214745555318W",
                name: "海陵区颐康居家养老服务中心",
                district: DivisionCode("321202"),
                kinds: [.dailyLiving, .meals, .cleaning, .bathing]
            )
        }
    }
}

extension ElderlyWorld where Store == InMemoryStore {
    init() throws {
        let clock = try Self.clock()
        let store = try InMemoryStore(clock: clock, actor: "11321200014287102B/elderly-care")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}

@Suite("Elderly care: assessment → care plan → home-care order")
struct ElderlyCareFlowTests {
    typealias World = ElderlyWorld<InMemoryStore>

    @Test("assess, plan by level, place and carry out an order, rate it; illegal moves throw and change nothing")
    func flow() async throws {
        let world = try World()
        let elder = try world.elder(1)
        await #expect(throws: ElderlyCareError.invalid("the person is 36, under 60")) {
            try await world.service.assess(
                id: "young",
                elder: try world.elder(2, born: "1990-01-01"),
                assessor: "A01",
                items: scores(total: 90)
            )
        }
        let assessment = try await world.service.assess(
            id: "as-1",
            elder: elder,
            assessor: "A01",
            items: scores(total: 55)
        )
        #expect(assessment.level == .moderate)
        await #expect(throws: ElderlyCareError.duplicate("assessment as-1")) {
            try await world.service.assess(id: "as-1", elder: elder, assessor: "A01", items: scores(total: 55))
        }
        let plan = try await world.service.makePlan(id: "plan-1", from: "as-1")
        #expect(plan.level == .moderate)
        #expect(plan.services.map(\.kind) == [.dailyLiving, .bathing, .healthMonitoring])
        #expect(plan.services.first?.visitsPerWeek == 5)

        try await world.service.register(try world.provider)
        try await world.service.register(
            try CareWorker(id: "W1", provider: "91320214745555318W", person: try world.elder(3, born: "1980-02-02"))
        )
        await #expect(throws: ElderlyCareError.notFound("provider 91320000000000000X")) {
            try await world.service.register(
                try CareWorker(id: "W2", provider: "91320000000000000X", person: try world.elder(4, born: "1980-02-02"))
            )
        }
        await #expect(throws: ElderlyCareError.invalid("海陵区颐康居家养老服务中心 does not offer nursing")) {
            try await world.service.place(
                try HomeCareOrder(
                    id: "o-0",
                    elder: elder,
                    provider: "91320214745555318W",
                    kind: .nursing,
                    date: try CalendarDate(iso8601: "2026-12-02")
                )
            )
        }
        try await world.service.place(
            try HomeCareOrder(
                id: "o-1",
                elder: elder,
                provider: "91320214745555318W",
                kind: .dailyLiving,
                date: try CalendarDate(iso8601: "2026-12-02"),
                plan: plan.id
            )
        )
        await #expect(throws: ElderlyCareError.illegal(move: "rate", state: "placed")) {
            try await world.service.apply(.rate(stars: 5, comment: ""), to: "o-1")
        }
        await #expect(throws: ElderlyCareError.invalid("worker W9 does not work for 91320214745555318W")) {
            try await world.service.apply(.assign(worker: "W9"), to: "o-1")
        }
        try await world.service.apply(.assign(worker: "W1"), to: "o-1")
        let start = world.clock.now()
        try await world.service.apply(.checkIn(at: start), to: "o-1")
        await #expect(throws: ElderlyCareError.invalid("check-out comes after check-in")) {
            try await world.service.apply(.checkOut(at: start.addingTimeInterval(-60), note: ""), to: "o-1")
        }
        await #expect(throws: ElderlyCareError.illegal(move: "cancel", state: "inService")) {
            try await world.service.apply(.cancel(reason: "late"), to: "o-1")
        }
        let done = try await world.service.apply(
            .checkOut(at: start.addingTimeInterval(3_600), note: "协助洗漱、更衣、午餐"),
            to: "o-1"
        )
        #expect(done.minutes == 60 && done.state == .completed)
        await #expect(throws: ElderlyCareError.invalid("a rating is 1 to 5 stars, not 6")) {
            try await world.service.apply(.rate(stars: 6, comment: ""), to: "o-1")
        }
        #expect(try await world.service.order("o-1").state == .completed)
        try await world.service.apply(.rate(stars: 4, comment: "准时"), to: "o-1")
        try await world.service.place(
            try HomeCareOrder(
                id: "o-2",
                elder: elder,
                provider: "91320214745555318W",
                kind: .meals,
                date: try CalendarDate(iso8601: "2026-12-03")
            )
        )
        try await world.service.apply(.cancel(reason: "住院"), to: "o-2")
        let quality = try await world.service.quality(of: "91320214745555318W")
        #expect(quality.completed == 1 && quality.rated == 1 && quality.meanStars == 4 && quality.cancelled == 1)
    }

    @Test("the result issued as an e-certificate with the level, the total and the day")
    func certificate() async throws {
        let world = try World()
        let elder = try world.elder(5)
        try await world.service.assess(
            id: "as-5",
            elder: elder,
            assessor: "A01",
            items: scores(total: 40),
            facts: AssessmentFacts(dementia: true)
        )
        let crypto = OpenSSLCryptoProvider()
        let issuer = CertificateIssuer(
            party: try Party("11321200014287102B/elderly-care"),
            key: try crypto.generateSigningKey(.ed25519),
            kid: "ec-1",
            crypto: crypto,
            random: OpenSSLRandomSource(),
            clock: world.clock,
            store: InMemoryStatusStateStore()
        )
        let wallet = try crypto.generateSigningKey(.ed25519)
        let issued = try await world.service.issueCertificate(
            "as-5",
            name: try PersonName("王桂英"),
            issuer: issuer,
            holderKey: try JSONWebKey(algorithm: .ed25519, publicKey: wallet.publicKey.rawRepresentation)
        )
        #expect(issued.certificate.type.code == "elderly-capability")
        #expect(issued.certificate.claims["level"]?.stringValue == "complete")
        #expect(issued.certificate.claims["total"]?.doubleValue == 40)
        #expect(issued.certificate.claims["assessed_on"]?.stringValue == "2026-12-01")
        await #expect(throws: ElderlyCareError.notFound("assessment as-9")) {
            try await world.service.issueCertificate(
                "as-9",
                name: try PersonName("王桂英"),
                issuer: issuer,
                holderKey: try JSONWebKey(algorithm: .ed25519, publicKey: wallet.publicKey.rawRepresentation)
            )
        }
    }

    @Test("the subsidy: explained, paid once a month through the one-card, refused when a rule fails")
    func subsidy() async throws {
        let world = try World()
        let elder = try world.elder(6)
        try await world.card(elder, 6)
        let month = try PayPeriod("2026-12")
        await #expect(throws: ElderlyCareError.self) {
            try await world.service.paySubsidy(to: elder, month: month, economicDifficulty: true)
        }
        try await world.service.assess(id: "as-6", elder: elder, assessor: "A01", items: scores(total: 35))
        let (notPoor, _) = try await world.service.subsidyDecision(for: elder, month: month, economicDifficulty: false)
        #expect(notPoor.explanation == "not eligible: not in economic difficulty")
        let paid = try await world.service.paySubsidy(to: elder, month: month, economicDifficulty: true)
        #expect(paid.amount == Money(fen: 30_000))
        #expect(paid.decision.checks.map(\.rule) == ["age", "economic-difficulty", "assessment", "level"])
        #expect(try await world.service.paySubsidy(to: elder, month: month, economicDifficulty: true) == paid)
        let totals = try await world.oneCard.totals(programme: .elderlyCareSubsidy)
        #expect(totals.records == 1 && totals.total == Money(fen: 30_000))
        #expect(!paid.id.contains(elder.unmasked))

        let mild = try world.elder(7)
        try await world.service.assess(id: "as-7", elder: mild, assessor: "A01", items: scores(total: 80))
        let (decision, amount) = try await world.service.subsidyDecision(
            for: mild,
            month: month,
            economicDifficulty: true
        )
        #expect(decision.explanation == "not eligible: mild: no subsidy at this level" && amount == .zero)
    }

    @Test("institutions graded by GB/T 37276-2018: five levels, none after a serious incident")
    func institutions() throws {
        let grading = InstitutionGrading()
        let (level, decision) = try grading.grade(
            scores: ["环境": 110, "设施设备": 120, "运营管理": 140, "服务": 540],
            seriousIncident: false
        )
        #expect(level == 5 && decision.explanation == "eligible: 910 of 1000 points: level 5")
        #expect(
            try grading.grade(scores: ["环境": 100, "设施设备": 100, "运营管理": 100, "服务": 450], seriousIncident: false).0 == 3
        )
        #expect(
            try grading.grade(scores: ["环境": 110, "设施设备": 120, "运营管理": 140, "服务": 540], seriousIncident: true).0 == 0
        )
        #expect(try grading.grade(scores: ["环境": 10, "设施设备": 10, "运营管理": 10, "服务": 10], seriousIncident: false).0 == 0)
        #expect(throws: ElderlyCareError.invalid("服务: 601 is outside 0–600")) {
            try grading.grade(scores: ["环境": 1, "设施设备": 1, "运营管理": 1, "服务": 601], seriousIncident: false)
        }
    }

    @Test("the public port answers only the fields asked for, for the resident the consent names")
    func port() async throws {
        let world = try World()
        let elder = try world.elder(8)
        try await world.service.assess(id: "as-8", elder: elder, assessor: "A01", items: scores(total: 50))
        try await world.service.makePlan(id: "plan-8", from: "as-8")
        let services = ElderlyCarePort.services(
            provider: try Party("11321200014287102B/elderly-care"),
            purposes: [Purpose(constant: "elderly.home-care")]
        )
        #expect(services.map(\.id) == ["elderly.capability"] && services[0].level == .important)
        let handler = ElderlyCarePort.handler(world.service) { _ in elder }
        let exchange = ExchangeFixture(clock: world.clock)
        let request = try await exchange.delivered(
            from: "91320214745555318W/care-app",
            to: "11321200014287102B/elderly-care",
            service: ElderlyCarePort.capability,
            purpose: "elderly.home-care",
            data: ["fields": ["level", "planServices"]]
        )
        let answer = try await handler.handle(request)
        #expect(answer["level"]?.stringValue == "moderate")
        #expect(answer["planServices"]?.arrayValue?.count == 3)
        #expect(answer["levelName"] == nil)
        #expect(!(try answer.canonicalString()).contains(elder.unmasked))
        let unknown = try await exchange.delivered(
            from: "91320214745555318W/care-app",
            to: "11321200014287102B/elderly-care",
            service: ElderlyCarePort.capability,
            purpose: "elderly.home-care",
            data: ["fields": ["income"]]
        )
        await #expect(throws: ExchangeProblem.self) { try await handler.handle(unknown) }
        let nobody = ElderlyCarePort.handler(world.service) { _ in try world.elder(9) }
        await #expect(throws: ExchangeProblem.self) { try await nobody.handle(request) }
    }
}

@Suite("Elderly care on SQLite")
struct ElderlyCareSQLiteTests {
    @Test("assessment, plan, order: nothing personal in clear, the log verifies")
    func sqlite() async throws {
        let clock = try ElderlyWorld<SQLiteStore>.clock()
        let sqlite = try EncryptedSQLiteStore("elder", actor: "11321200014287102B/elderly-care", clock: clock)
        defer { sqlite.remove() }
        let (store, keys, crypto, path) = (sqlite.store, sqlite.keys, sqlite.crypto, sqlite.path)
        let world = try ElderlyWorld(store: store, keys: keys, crypto: crypto, clock: clock)
        let elder = try world.elder(1)
        try await world.service.assess(
            id: "as-1",
            elder: elder,
            assessor: "A01",
            items: scores(total: 44),
            facts: AssessmentFacts(dementia: true)
        )
        try await world.service.makePlan(id: "plan-1", from: "as-1")
        try await world.service.register(try world.provider)
        try await world.service.place(
            try HomeCareOrder(
                id: "o-1",
                elder: elder,
                provider: "91320214745555318W",
                kind: .bathing,
                date: try CalendarDate(iso8601: "2026-12-02")
            )
        )
        #expect(try await world.service.latestAssessment(of: elder)?.level == .complete)
        #expect(try await world.service.plans(of: elder).first?.services.count == 3)
        let bytes = StoreFiles.bytes(of: path)
        #expect(bytes.range(of: Data(elder.unmasked.utf8)) == nil)
        #expect(bytes.range(of: Data("dementia".utf8)) == nil)
        #expect(bytes.range(of: Data("海陵区颐康居家养老服务中心".utf8)) != nil)
        #expect(try await store.auditLog.verify().isValid)
    }
}
