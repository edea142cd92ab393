import Foundation
import SocietyCertificates
import SocietyCore
import SocietyDraw
import SocietyExchange
import SocietyJSON
import SocietyMarketSupervision
import SocietyOpenSSL
import SocietyServices
import SocietyTesting
import Testing

@Suite("Market entities and licences")
struct LicenceTests {
    typealias World = MarketWorld<InMemoryStore>

    @Test("a food business licence number: JY and 14 digits, its parts; the check digit is not verified")
    func foodNumber() throws {
        let number = try FoodBusinessLicenceNumber("JY13212020012345")
        #expect(number.businessType == "1")
        #expect(number.area == "321202")
        #expect(number.sequence == "001234")
        #expect(number.checkDigit == "5")
        #expect(try FoodBusinessLicenceNumber("JY13212020012346").checkDigit == "6")
        for bad in [
            "JY1321202001234", "JY132120200123456", "JX13212020012345", "jy13212020012345",
            "JY1321202O012345", "JY１3212020012345", "",
        ] {
            #expect(throws: MarketSupervisionError.invalid("a food business licence number is JY and 14 digits")) {
                try FoodBusinessLicenceNumber(bad)
            }
        }
    }

    @Test("licence numbers by kind: the business licence's is the credit code; bad ones are refused")
    func licenceNumbers() throws {
        let code = try World.code(1)
        let validity = try ValidityPeriod(from: CalendarDate(iso8601: "2026-01-01"), until: nil)
        #expect(
            try Licence(number: code.value, kind: .business, holder: code, scope: "食品销售", validity: validity)
                .state == .valid
        )
        #expect(throws: MarketSupervisionError.invalid("a business licence's number is the holder's credit code")) {
            try Licence(number: World.code(2).value, kind: .business, holder: code, scope: "食品销售", validity: validity)
        }
        #expect(throws: MarketSupervisionError.self) {
            try Licence(number: "JY1", kind: .foodBusiness, holder: code, scope: "预包装食品", validity: validity)
        }
        #expect(throws: MarketSupervisionError.self) {
            try Licence(number: "苏 AA523", kind: .drugBusiness, holder: code, scope: "中成药", validity: validity)
        }
        #expect(LicenceKind.allCases.map(\.name) == ["营业执照", "食品经营许可证", "药品经营许可证", "医疗器械经营许可证"])
    }

    @Test("register, grant, refuse bad input with nothing changed, issue an e-certificate verified offline")
    func certificate() async throws {
        let world = try World()
        let entity = try await world.entity(1)
        await #expect(throws: MarketSupervisionError.duplicate("entity \(entity.code)")) {
            try await world.service.register(entity)
        }
        let validity = try ValidityPeriod(from: world.date("2026-01-01"), until: world.date("2030-12-31"))
        let food = try Licence(
            number: "JY13212020012345",
            kind: .foodBusiness,
            holder: entity.code,
            scope: "预包装食品销售",
            validity: validity
        )
        let stranger = try Licence(
            number: "JY13212020099999",
            kind: .foodBusiness,
            holder: World.code(99),
            scope: "预包装食品销售",
            validity: validity
        )
        await #expect(throws: MarketSupervisionError.notFound("entity \(try World.code(99))")) {
            try await world.service.grant(stranger)
        }
        #expect(try await world.service.licences(of: World.code(99)).isEmpty)
        try await world.service.grant(food)
        await #expect(throws: MarketSupervisionError.duplicate("food-business licence JY13212020012345")) {
            try await world.service.grant(food)
        }
        #expect(try await world.service.licences(of: entity.code).map(\.number) == ["JY13212020012345"])

        // The issuer (the department's e-certificate system) on a trust list; the verifier offline.
        let crypto = OpenSSLCryptoProvider()
        let party = try Party("11321200014287102B/market-ecert")
        let key = try crypto.generateSigningKey(.ed25519)
        let issuer = CertificateIssuer(
            party: party,
            key: key,
            kid: "market-ecert-1",
            crypto: crypto,
            random: OpenSSLRandomSource(),
            clock: world.clock,
            store: InMemoryStatusStateStore()
        )
        let wallet = try crypto.generateSigningKey(.ed25519)
        let holderKey = try JSONWebKey(algorithm: .ed25519, publicKey: wallet.publicKey.rawRepresentation)
        let issued = try await world.service.issueLicenceCertificate(
            .foodBusiness,
            number: "JY13212020012345",
            issuer: issuer,
            holderKey: holderKey
        )
        #expect(issued.certificate.type.code == "market-licence")
        #expect(issued.certificate.holder == .organization(entity.code))
        #expect(issued.certificate.claims["licence_number"]?.stringValue == "JY13212020012345")
        #expect(issued.certificate.claims["valid_until"]?.stringValue == "2030-12-31")

        let now = world.clock.instant
        var trust = TrustList(
            version: 1,
            issuedAt: now.addingTimeInterval(-3_600),
            nextUpdate: now.addingTimeInterval(86_400)
        )
        trust.parties = [
            TrustList.PartyEntry(
                party: party,
                name: "泰州市市场监督管理局 电子证照",
                keys: [
                    TrustedKey(
                        kid: "market-ecert-1",
                        algorithm: .ed25519,
                        publicKey: key.publicKey.rawRepresentation,
                        validFrom: now.addingTimeInterval(-86_400),
                        validUntil: now.addingTimeInterval(86_400 * 365)
                    )
                ]
            )
        ]
        var registry = CertificateTypeRegistry.standard
        registry.register(.marketLicence)
        let verifier = CertificateVerifier(
            trustList: trust,
            statusLists: StatusListSnapshot(try await issuer.publish()),
            registry: registry,
            crypto: crypto,
            clock: world.clock
        )
        let verified = try verifier.verifyIssuance(issued.sdJWT.compact)
        #expect(verified.type?.code == "market-licence")
        #expect(verified.claims["entity_name"]?.stringValue == entity.name)
        #expect(verified.claims["licence_kind"]?.stringValue == "food-business")

        // Revoked: no certificate, and a major-penalty credit event.
        try await world.service.revoke(.foodBusiness, number: "JY13212020012345", reason: "超范围经营")
        await #expect(throws: MarketSupervisionError.illegal(move: "issue a certificate", state: "revoked")) {
            try await world.service.issueLicenceCertificate(
                .foodBusiness,
                number: "JY13212020012345",
                issuer: issuer,
                holderKey: holderKey
            )
        }
        #expect(try await world.service.events(of: entity.code).map(\.kind) == [.majorPenalty])
    }
}

@Suite("Credit supervision")
struct CreditTests {
    typealias World = MarketWorld<InMemoryStore>

    @Test("classes from events, explained, with their effects; old events fall out of the window")
    func classes() async throws {
        let world = try World()
        let code = try World.code(3)
        try await world.entity(3)
        #expect(try await world.service.classify(code).creditClass == .a)
        try await world.service.record(
            CreditEvent(id: "e-1", entity: code, kind: .minorPenalty, date: world.date("2026-03-02"), detail: "标签不合格")
        )
        try await world.service.record(
            CreditEvent(id: "e-2", entity: code, kind: .complaint, date: world.date("2026-05-10"), detail: "投诉属实")
        )
        try await world.service.record(
            CreditEvent(id: "e-0", entity: code, kind: .majorPenalty, date: world.date("2022-01-10"), detail: "旧处罚")
        )
        let classified = try await world.service.classify(code)
        #expect(classified.score == 75)
        #expect(classified.creditClass == .b)
        #expect(classified.effect == CreditClassEffect(drawPercent: 5, inspectionsPerYear: 1))
        #expect(
            classified.decision.checks.map(\.statement) == [
                "major-penalty 2022-01-10: outside the 1095-day window", "minor-penalty 2026-03-02: −20",
                "complaint 2026-05-10: −5", "score 75 → class B: drawn at 5 %, 1 routine inspection(s) a year",
            ]
        )
        await #expect(throws: MarketSupervisionError.duplicate("credit event e-1")) {
            try await world.service.record(
                CreditEvent(id: "e-1", entity: code, kind: .complaint, date: world.date("2026-06-01"), detail: "重复")
            )
        }
        await #expect(throws: MarketSupervisionError.notFound("entity \(try World.code(98))")) {
            try await world.service.record(
                CreditEvent(
                    id: "e-9",
                    entity: World.code(98),
                    kind: .complaint,
                    date: world.date("2026-06-01"),
                    detail: "x"
                )
            )
        }
        let policy = CreditPolicy()
        #expect([100, 90, 89, 70, 69, 50, 49, 0].map(policy.creditClass(score:)) == [.a, .a, .b, .b, .c, .c, .d, .d])
    }

    @Test("credit repair: refused, explained, before the waiting period or after a newer event; granted after")
    func repair() async throws {
        let world = try World()
        let code = try World.code(4)
        try await world.entity(4)
        try await world.service.record(
            CreditEvent(id: "p-1", entity: code, kind: .minorPenalty, date: world.date("2026-08-01"), detail: "警告")
        )
        do {
            try await world.service.repair(event: "p-1", proof: "整改报告 2026-08-20")
            Issue.record("repaired too early")
        } catch {
            guard case .refused(let decision) = error else { throw error }
            #expect(decision.checks.map(\.passed) == [false, true, true])
            #expect(decision.explanation == "not eligible: 51 day(s) since 2026-08-01 < 90")
        }
        #expect(try await world.service.events(of: code).first?.repaired == nil)
        let later = try world.on("2026-11-02")
        await #expect(throws: MarketSupervisionError.self) { try await later.service.repair(event: "p-1", proof: "") }
        let repaired = try await later.service.repair(event: "p-1", proof: "整改报告 2026-08-20")
        #expect(repaired.repaired == (try world.date("2026-11-02")))
        #expect(try await later.service.classify(code).creditClass == .a)
        await #expect(throws: MarketSupervisionError.illegal(move: "repair", state: "repaired")) {
            try await later.service.repair(event: "p-1", proof: "again")
        }

        try await world.service.record(
            CreditEvent(id: "p-2", entity: code, kind: .minorPenalty, date: world.date("2026-01-05"), detail: "警告")
        )
        try await world.service.record(
            CreditEvent(id: "c-1", entity: code, kind: .complaint, date: world.date("2026-06-05"), detail: "投诉")
        )
        do {
            try await later.service.repair(event: "p-2", proof: "整改报告")
            Issue.record("repaired despite a newer event")
        } catch {
            guard case .refused(let decision) = error else { throw error }
            #expect(decision.checks.map(\.rule) == ["waiting-period", "no-newer-event", "proof"])
            #expect(decision.checks.map(\.passed) == [true, false, true])
        }
    }
}

@Suite("Special equipment")
struct SpecialEquipmentTests {
    typealias World = MarketWorld<InMemoryStore>

    @Test("the eight categories of the Special Equipment Safety Law")
    func categories() {
        #expect(SpecialEquipmentCategory.allCases.count == 8)
        #expect(
            Set(SpecialEquipmentCategory.allCases.map(\.name)) == [
                "锅炉", "压力容器", "压力管道", "电梯", "起重机械", "客运索道", "大型游乐设施", "场（厂）内专用机动车辆",
            ]
        )
        #expect(SpecialEquipmentPolicy().interval(of: .elevator) == 12)
    }

    @Test("registration within 30 days (later is flagged); due dates; request a month before; warnings")
    func warnings() async throws {
        let world = try World()
        let user = try World.code(5)
        try await world.entity(5, industry: "property")
        let onTime = try await world.service.register(
            equipment: "EL-001",
            category: .elevator,
            user: user,
            location: "海陵区凤凰路 1 号 1 幢",
            inUseSince: world.date("2026-08-22"),
            lastInspection: world.date("2026-08-20")
        )
        #expect(!onTime.registeredLate)
        #expect(onTime.nextInspection == (try world.date("2027-08-20")))
        #expect(world.service.requestDue(for: onTime.nextInspection) == (try world.date("2027-07-20")))
        let late = try await world.service.register(
            equipment: "PV-001",
            category: .pressureVessel,
            user: user,
            location: "锅炉房",
            inUseSince: world.date("2026-08-21"),
            lastInspection: world.date("2023-10-10")
        )
        #expect(late.registeredLate)
        #expect(late.nextInspection == (try world.date("2026-10-10")))
        try await world.service.register(
            equipment: "BO-001",
            category: .boiler,
            user: user,
            location: "锅炉房",
            inUseSince: world.date("2025-01-10"),
            lastInspection: world.date("2025-09-01")
        )
        try await world.service.register(
            equipment: "CR-001",
            category: .liftingMachinery,
            user: user,
            location: "仓库",
            inUseSince: world.date("2024-01-10"),
            lastInspection: world.date("2024-10-22")
        )
        await #expect(throws: MarketSupervisionError.duplicate("equipment EL-001")) {
            try await world.service.register(
                equipment: "EL-001",
                category: .elevator,
                user: user,
                location: "x",
                inUseSince: world.date("2026-08-22"),
                lastInspection: world.date("2026-08-20")
            )
        }
        await #expect(throws: MarketSupervisionError.notFound("entity \(try World.code(97))")) {
            try await world.service.register(
                equipment: "EL-002",
                category: .elevator,
                user: World.code(97),
                location: "x",
                inUseSince: world.date("2026-08-22"),
                lastInspection: world.date("2026-08-20")
            )
        }
        let warnings = try await world.service.equipmentWarnings(on: world.date("2026-09-21"))
        #expect(warnings.map(\.equipment) == ["BO-001", "PV-001"])
        #expect(warnings.map(\.level) == [.overdue, .requestDue])
        #expect(warnings.map(\.daysLeft) == [-20, 19])
        #expect(try await world.service.equipmentWarnings(on: world.date("2026-09-21"), overdueOnly: true).count == 1)
        #expect(try await world.service.overdueEquipmentCount(on: world.date("2026-09-21")) == 1)

        let failed = try await world.service.recordEquipmentInspection(
            "BO-001",
            on: world.date("2026-09-18"),
            passed: false
        )
        #expect(failed.nextInspection == (try world.date("2026-09-01")))
        let passed = try await world.service.recordEquipmentInspection(
            "BO-001",
            on: world.date("2026-09-21"),
            passed: true
        )
        #expect(passed.nextInspection == (try world.date("2027-09-21")))
        #expect(try await world.service.overdueEquipmentCount(on: world.date("2026-09-21")) == 0)
        await #expect(throws: MarketSupervisionError.self) {
            try await world.service.recordEquipmentInspection("BO-001", on: world.date("2026-09-01"), passed: true)
        }
        #expect(try await world.service.equipment("BO-001").lastInspection == (try world.date("2026-09-21")))
        let nextYear = try await world.service.equipmentWarnings(on: world.date("2026-10-11"))
        #expect(nextYear.map(\.equipment) == ["PV-001", "CR-001"])
    }
}

@Suite("The food and drug chain")
struct TraceabilityTests {
    typealias World = MarketWorld<InMemoryStore>

    @Test("a batch traced producer → distributors → retailers; a recall finds every downstream holder")
    func recall() async throws {
        let world = try World()
        for n in 20...26 { try await world.entity(n) }
        let (producer, d1, d2, r1, r2, r3, r4) = (
            try World.code(20), try World.code(21), try World.code(22), try World.code(23), try World.code(24),
            try World.code(25), try World.code(26)
        )
        try await world.service.produce(
            ProductBatch(
                id: "MILK-20260901",
                product: "纯牛奶 250ml",
                kind: .food,
                producer: producer,
                produced: world.date("2026-09-01"),
                quantity: 1_000
            )
        )
        try await world.service.transfer(batch: "MILK-20260901", from: producer, to: d1, quantity: 600)
        try await world.service.transfer(batch: "MILK-20260901", from: producer, to: d2, quantity: 300)
        try await world.service.transfer(batch: "MILK-20260901", from: d1, to: r1, quantity: 200)
        try await world.service.transfer(batch: "MILK-20260901", from: d1, to: r2, quantity: 250)
        try await world.service.transfer(batch: "MILK-20260901", from: d2, to: r2, quantity: 50)
        try await world.service.transfer(batch: "MILK-20260901", from: r2, to: r3, quantity: 20)
        await #expect(throws: MarketSupervisionError.invalid("\(d2) holds 250 of batch MILK-20260901, not 251")) {
            try await world.service.transfer(batch: "MILK-20260901", from: d2, to: r1, quantity: 251)
        }
        await #expect(throws: MarketSupervisionError.invalid("\(r4) holds 0 of batch MILK-20260901, not 1")) {
            try await world.service.transfer(batch: "MILK-20260901", from: r4, to: r1, quantity: 1)
        }
        await #expect(throws: MarketSupervisionError.notFound("entity \(try World.code(96))")) {
            try await world.service.transfer(batch: "MILK-20260901", from: d2, to: World.code(96), quantity: 1)
        }
        #expect(try await world.service.trace(batch: "MILK-20260901").count == 6)

        let recall = try await world.service.recall(batch: "MILK-20260901", reason: "菌落总数超标")
        #expect(recall.holders.map(\.entity) == [d1, d2, r1, r2, r3])
        #expect(recall.holders.map(\.depth) == [1, 1, 2, 2, 3])
        #expect(recall.holders.map(\.received) == [600, 300, 200, 300, 20])
        #expect(recall.holders.map(\.held) == [150, 250, 200, 280, 20])
        #expect(recall.holders.first { $0.entity == r3 }?.via == r2)
        #expect(!recall.holders.contains { $0.entity == r4 })
        #expect(try await world.service.recallOf(batch: "MILK-20260901") == recall)
        await #expect(throws: MarketSupervisionError.illegal(move: "transfer", state: "recalled")) {
            try await world.service.transfer(batch: "MILK-20260901", from: d2, to: r4, quantity: 1)
        }
        await #expect(throws: MarketSupervisionError.duplicate("recall of batch MILK-20260901")) {
            try await world.service.recall(batch: "MILK-20260901", reason: "again")
        }
        #expect(try await world.service.trace(batch: "MILK-20260901").count == 6)
        #expect(throws: MarketSupervisionError.invalid("a batch has a positive quantity, not 0")) {
            try ProductBatch(
                id: "X",
                product: "x",
                kind: .drug,
                producer: producer,
                produced: world.date("2026-09-01"),
                quantity: 0
            )
        }
    }
}
