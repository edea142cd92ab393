import Foundation
import Logging
import OneCardTestSupport
import SQLiteTestSupport
import SocietyCertificates
import SocietyCore
import SocietyDraw
import SocietyEducation
import SocietyExchange
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyServices
import SocietyTesting
import Testing

/// The education service, its draw office and the one-card on one store, at 10:00 on 2027-06-01.
struct EducationWorld<Store: RecordStore> {
    let store: Store
    let service: EducationService
    let oneCard: OneCardService
    let clock: FixedWallClock
    let crypto: any CryptoProvider
    let drawKey: any SigningKey

    static func clock() throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: "2027-06-01").startInstant.addingTimeInterval(36_000))
    }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: FixedWallClock) throws {
        self.store = store
        self.clock = clock
        self.crypto = crypto
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        drawKey = try OpenSSLCryptoProvider().generateSigningKey(.ed25519)
        oneCard = try OneCardService(ports: ports)
        service = EducationService(
            ports: ports,
            draws: DrawService(ports: ports, signer: drawKey, kid: "edu-draw-1"),
            oneCard: oneCard
        )
    }

    func child(_ n: Int) throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: "2021-03-01"), sequence: n)
    }

    func school(places: Int, id: String = "S-SY") throws -> School {
        try School(id: id, name: "泰州市实验小学", district: DivisionCode("321202"), schoolDistrict: "海陵-实验", places: places)
    }
}

extension EducationWorld where Store == InMemoryStore {
    init() throws {
        let clock = try Self.clock()
        let store = try InMemoryStore(clock: clock, actor: "11321200014287102B/education")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}

@Suite("Sunshine enrolment (阳光招生)")
struct EnrolmentTests {
    typealias World = EducationWorld<InMemoryStore>

    @Test("classes in order; the oversubscribed class drawn by the committed lottery, which anyone re-runs")
    func lottery() async throws {
        let world = try World()
        try await world.service.register(try world.school(places: 40))
        let commitment = try await world.service.commitLottery(school: "S-SY")
        var n = 0
        func apply(_ count: Int, _ facts: Set<EnrolmentFact>) async throws {
            for _ in 0..<count {
                n += 1
                try await world.service.apply(
                    try EnrolmentApplication(
                        id: "E2027-" + DecimalText.padded(n, width: 4),
                        child: try world.child(n),
                        school: "S-SY",
                        facts: facts
                    )
                )
            }
        }
        try await apply(25, [.household, .property])
        try await apply(30, [.household])
        try await apply(5, [.property])
        try await apply(3, [])
        await #expect(throws: EducationError.duplicate("a current application for the child (E2027-0001)")) {
            try await world.service.apply(
                try EnrolmentApplication(id: "E2027-9999", child: try world.child(1), school: "S-SY", facts: [])
            )
        }
        let allocation = try await world.service.allocate(school: "S-SY")
        #expect(allocation.admitted.count == 40)
        #expect(allocation.referred.count == 23)
        let lottery = try #require(allocation.lottery)
        #expect(lottery.commitment == commitment.commitment)
        #expect(lottery.candidates.count == 30 && lottery.places == 15)
        // Anyone re-runs it from the revealed seed and the published list.
        try lottery.verify(with: world.drawKey.publicKey, crypto: world.crypto)
        let seed = try #require(lottery.seed)
        let bytes = try #require(Hex.decode(seed))
        #expect(
            try PublicDraw.order(seed: bytes, candidates: lottery.candidates, crypto: world.crypto) == lottery.order
        )
        #expect(Set(lottery.winners).isSubset(of: Set(allocation.admitted)))
        #expect(
            allocation.decision.checks.map(\.statement).first
                == "户房一致: 25 applicant(s), 40 place(s) left: all admitted"
        )
        let first = try await world.service.application("E2027-0001")
        #expect(first.outcome == .admitted && first.reason == "户房一致: all 25 admitted")
        let drawn = try await world.service.application(lottery.order[20])
        #expect(drawn.outcome == .referred && drawn.reason?.hasSuffix("drawn 21: referred") == true)
        #expect(try await world.service.application("E2027-0063").reason == "in no priority class")
        await #expect(throws: EducationError.illegal(move: "allocate S-SY", state: "allocated")) {
            try await world.service.allocate(school: "S-SY")
        }
        await #expect(throws: EducationError.self) {
            try await world.service.apply(
                try EnrolmentApplication(
                    id: "E2027-8888",
                    child: try world.child(900),
                    school: "S-SY",
                    facts: [.household]
                )
            )
        }
    }

    @Test("an oversubscribed school without a committed seed cannot draw; one with room needs no lottery")
    func commitmentFirst() async throws {
        let world = try World()
        try await world.service.register(try world.school(places: 2))
        try await world.service.register(try world.school(places: 10, id: "S-2"))
        for n in 1...3 {
            try await world.service.apply(
                try EnrolmentApplication(id: "A-\(n)", child: try world.child(n), school: "S-SY", facts: [.household])
            )
            try await world.service.apply(
                try EnrolmentApplication(
                    id: "B-\(n)",
                    child: try world.child(10 + n),
                    school: "S-2",
                    facts: [.household]
                )
            )
        }
        await #expect(
            throws: EducationError.illegal(
                move: "draw the lottery of S-SY",
                state: "not committed (commit before applications close)"
            )
        ) { try await world.service.allocate(school: "S-SY") }
        let roomy = try await world.service.allocate(school: "S-2")
        #expect(roomy.lottery == nil && roomy.admitted == ["B-1", "B-2", "B-3"])
        #expect(throws: EducationError.self) {
            try EnrolmentApplication(id: "张三", child: try world.child(1), school: "S-2", facts: [])
        }
    }
}

@Suite("Exam scores, student aid, meals, resources")
struct CampusTests {
    typealias World = EducationWorld<InMemoryStore>

    @Test("exam scores issued as an SD-JWT e-certificate: the total computed, each subject disclosable alone")
    func scores() async throws {
        let world = try World()
        let crypto = OpenSSLCryptoProvider()
        let issuer = CertificateIssuer(
            party: try Party("11321200014287102B/education"),
            key: try crypto.generateSigningKey(.ed25519),
            kid: "edu-1",
            crypto: crypto,
            random: OpenSSLRandomSource(),
            clock: world.clock,
            store: InMemoryStatusStateStore()
        )
        let wallet = try crypto.generateSigningKey(.ed25519)
        let holderKey = try JSONWebKey(algorithm: .ed25519, publicKey: wallet.publicKey.rawRepresentation)
        let subjects: [String: Double] = [
            "chinese": 128, "mathematics": 140, "english": 132, "physics": 95, "chemistry": 68, "politics_history": 85,
            "physical_education": 40,
        ]
        let student = try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(iso8601: "2012-04-01"),
            sequence: 31
        )
        let issued = try await world.service.issueExamScores(
            student: student,
            name: try PersonName("李明"),
            examNumber: "2027321202001",
            year: 2027,
            scores: subjects,
            issuer: issuer,
            holderKey: holderKey
        )
        #expect(issued.certificate.claims["total"]?.doubleValue == 688)
        let shown = try issued.sdJWT.presenting(
            ["total"],
            holderKey: wallet,
            audience: "school",
            nonce: "n-1",
            issuedAt: world.clock.now(),
            crypto: crypto
        )
        #expect(shown.disclosures.compactMap(\.name) == ["total"])
        await #expect(throws: EducationError.self) {
            try await world.service.issueExamScores(
                student: student,
                name: try PersonName("李明"),
                examNumber: "2027321202001",
                year: 2027,
                scores: ["chinese": 128],
                issuer: issuer,
                holderKey: holderKey
            )
        }
    }

    @Test("student aid: decided on civil affairs' verification envelope, paid once through the one-card")
    func aid() async throws {
        let world = try World()
        let student = try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(iso8601: "2010-09-01"),
            sequence: 41
        )
        try await world.oneCard.activatedCard(for: student, 41, issued: try CalendarDate(iso8601: "2027-01-05"))
        let exchange = ExchangeFixture(clock: world.clock)
        func verification(_ status: String) async throws -> OpenedEnvelope {
            try await exchange.delivered(
                from: "113212000142871106/assistance",
                to: "11321200014287102B/education",
                service: "civil.facts",
                purpose: "education.aid",
                data: ["facts": .object(JSONObject([student.unmasked: .object(["assistance": .string(status)])]))]
            )
        }
        let rejected = try await world.service.decideAid(
            id: "aid-0",
            student: student,
            year: 2026,
            seniorSecondary: true,
            verification: try await verification("none")
        )
        #expect(rejected.lifecycle.state == .completed(result: "rejected") && rejected.amount == .zero)
        #expect(
            rejected.paidBy == nil && rejected.decision.explanation.hasPrefix("not eligible: household assistance none")
        )
        let granted = try await world.service.decideAid(
            id: "aid-1",
            student: student,
            year: 2027,
            seniorSecondary: true,
            verification: try await verification("minimumLiving")
        )
        #expect(granted.amount == Money(fen: 230_000) && granted.paidBy == "aid-aid-1")
        #expect(granted.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])
        #expect(
            granted.decision.checks.last?.statement
                == "household assistance minimumLiving (verified by 113212000142871106/assistance)"
        )
        await #expect(throws: EducationError.duplicate("a grant for the student for 2027 (aid-1)")) {
            try await world.service.decideAid(
                id: "aid-2",
                student: student,
                year: 2027,
                seniorSecondary: true,
                verification: try await verification("minimumLiving")
            )
        }
        let totals = try await world.oneCard.totals(programme: .studentAid)
        #expect(totals.records == 1)
    }

    @Test("a meal batch's hash chain, in order; a changed event is found; a recall names the schools")
    func meals() async throws {
        let world = try World()
        let start = world.clock.now()
        let steps: [(MealStep, String, String)] = [
            (.supplied, "91320214745555318W", "青菜 50kg, 检疫证 2027-0601-01"), (.cooked, "KITCHEN-01", "青菜炒香菇"),
            (.delivered, "KITCHEN-01", "封签 F-88, 68℃"), (.received, "S-SY", "验收 65℃"), (.served, "S-SY", "412 份"),
        ]
        for (index, step) in steps.enumerated() {
            try await world.service.record(
                step.0,
                batch: "B20270601-01",
                actor: step.1,
                at: start.addingTimeInterval(Double(index) * 1_800),
                detail: step.2
            )
        }
        await #expect(throws: EducationError.illegal(move: "record cooked for batch B20270601-01", state: "served")) {
            try await world.service.record(
                .cooked,
                batch: "B20270601-01",
                actor: "KITCHEN-01",
                at: start,
                detail: "again"
            )
        }
        await #expect(throws: EducationError.illegal(move: "record cooked for batch B20270601-02", state: "empty")) {
            try await world.service.record(.cooked, batch: "B20270601-02", actor: "KITCHEN-01", at: start, detail: "")
        }
        let chain = try await world.service.trace(batch: "B20270601-01")
        #expect(chain.map(\.step) == MealStep.allCases)
        #expect(chain[1].previous == chain[0].digest)
        try await world.service.record(
            .supplied,
            batch: "B20270601-02",
            actor: "91320214745555318W",
            at: start,
            detail: "鸡蛋"
        )
        #expect(
            try await world.service.recall(actor: "91320214745555318W") == [
                "B20270601-01": ["S-SY"], "B20270601-02": [],
            ]
        )

        // An event rewritten in the store breaks the chain.
        var changed = chain
        let forged = MealEvent(
            batch: chain[3].batch,
            sequence: 3,
            step: .received,
            actor: "S-SY",
            at: chain[3].at,
            detail: "验收 45℃",
            previous: chain[3].previous,
            digest: chain[3].digest
        )
        changed[3] = forged
        #expect(throws: EducationError.broken("event 3 was changed")) {
            try EducationService.verify(changed, crypto: world.crypto)
        }
        #expect(throws: EducationError.broken("event 2 is missing")) {
            try EducationService.verify(Array(chain.prefix(2)) + Array(chain.suffix(2)), crypto: world.crypto)
        }
    }

    @Test("the course-resource catalogue and the smart-campus indicator")
    func resources() async throws {
        let world = try World()
        try await world.service.add(
            try CourseResource(
                id: "R1",
                subject: "数学",
                grade: 7,
                title: "一元一次方程",
                provider: "泰州市教研室",
                licence: "CC BY 4.0"
            )
        )
        try await world.service.add(
            try CourseResource(id: "R2", subject: "数学", grade: 1, title: "认识数字", provider: "实验小学", licence: "CC BY 4.0")
        )
        #expect(try await world.service.resources(subject: "数学").map(\.id) == ["R2", "R1"])
        #expect(throws: EducationError.self) {
            try CourseResource(id: "R3", subject: "数学", grade: 13, title: "x", provider: "p", licence: "l")
        }
        try await world.service.report(
            SmartCampusReport(
                school: "S-1",
                classroomNetwork: true,
                teachingPlatform: true,
                mealTraceability: true,
                onlineEnrolment: true
            )
        )
        try await world.service.report(
            SmartCampusReport(
                school: "S-2",
                classroomNetwork: true,
                teachingPlatform: false,
                mealTraceability: true,
                onlineEnrolment: true
            )
        )
        let indicator = try await world.service.smartCampus()
        #expect(indicator.smart == 1 && indicator.reporting == 2)
    }
}

@Suite("Education on SQLite")
struct EducationSQLiteTests {
    @Test("enrolment with a lottery: no identity number in clear, the log verifies")
    func sqlite() async throws {
        let clock = try EducationWorld<SQLiteStore>.clock()
        let sqlite = try EncryptedSQLiteStore("edu", actor: "11321200014287102B/education", clock: clock)
        defer { sqlite.remove() }
        let (store, keys, crypto, path) = (sqlite.store, sqlite.keys, sqlite.crypto, sqlite.path)
        let world = try EducationWorld(store: store, keys: keys, crypto: crypto, clock: clock)
        try await world.service.register(try world.school(places: 3))
        _ = try await world.service.commitLottery(school: "S-SY")
        var children: [ResidentID] = []
        for n in 1...6 {
            let child = try world.child(n)
            children.append(child)
            try await world.service.apply(
                try EnrolmentApplication(id: "E-\(n)", child: child, school: "S-SY", facts: [.household])
            )
        }
        let allocation = try await world.service.allocate(school: "S-SY")
        #expect(allocation.admitted.count == 3)
        try allocation.lottery?.verify(with: world.drawKey.publicKey, crypto: crypto)
        let bytes = StoreFiles.bytes(of: path)
        for child in children { #expect(bytes.range(of: Data(child.unmasked.utf8)) == nil) }
        #expect(try await store.auditLog.verify().isValid)
    }
}
