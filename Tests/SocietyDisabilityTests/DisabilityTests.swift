import Foundation
import Logging
import OneCardTestSupport
import SQLiteTestSupport
import SocietyCertificates
import SocietyCore
import SocietyDisability
import SocietyOneCard
import SocietyServices
import SocietyTesting
import Testing

/// The disability service and the one-card on one store at 10:00 on 2026-12-01.
struct DisabilityWorld<Store: RecordStore> {
    let store: Store
    let service: DisabilityService
    let oneCard: OneCardService

    static func clock() throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: "2026-12-01").startInstant.addingTimeInterval(36_000))
    }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: FixedWallClock) throws {
        self.store = store
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
        )
        oneCard = try OneCardService(ports: ports)
        service = DisabilityService(ports: ports, oneCard: oneCard)
    }

    func person(_ n: Int, born: String = "1970-02-01") throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: born), sequence: n)
    }

    func card(_ holder: ResidentID, _ n: Int) async throws {
        try await oneCard.activatedCard(for: holder, n, issued: try CalendarDate(iso8601: "2026-01-05"))
    }
}

extension DisabilityWorld where Store == InMemoryStore {
    init() throws {
        let clock = try Self.clock()
        let store = try InMemoryStore(clock: clock, actor: "51321200MJ0000000X/disability")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}

@Suite("The disabled-population register")
struct RegisterTests {
    typealias World = DisabilityWorld<InMemoryStore>

    @Test("issue, re-assess with a change of level (a new number), cancel; illegal moves refused")
    func register() async throws {
        let world = try World()
        let person = try world.person(1)
        let record = try await world.service.register(person, category: .physical, level: .second)
        #expect(record.certificate == person.unmasked + "42")
        #expect(record.reassessBy == (try CalendarDate(iso8601: "2031-12-01")))
        await #expect(throws: DisabilityError.duplicate("an active registration of the person")) {
            try await world.service.register(person, category: .physical, level: .second)
        }
        let changed = try await world.service.reassess(person, level: .first)
        #expect(changed.certificate == person.unmasked + "41" && changed.history.map(\.what).last == "level 2 → 1")
        try await world.service.cancel(person, reason: "迁出")
        await #expect(throws: DisabilityError.illegal(move: "reassess", state: "cancelled")) {
            try await world.service.reassess(person, level: .third)
        }
        // Registered again after a cancellation: a new active record.
        #expect(try await world.service.register(person, category: .physical, level: .first).state == .active)
    }
}

@Suite("The two subsidies (苏民规〔2022〕4号)")
struct SubsidyRuleTests {
    typealias World = DisabilityWorld<InMemoryStore>
    let policy = TwoSubsidiesPolicy()

    func person(_ category: DisabilityCategory, _ level: DisabilityLevel) throws -> DisabledPerson {
        let id = try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: CalendarDate(iso8601: "1970-02-01"),
            sequence: 9
        )
        return DisabledPerson(
            person: id,
            category: category,
            level: level,
            reassessBy: try CalendarDate(iso8601: "2030-01-01")
        )
    }

    @Test("care subsidy: severe only, 130 urban / 90 rural, not with a work-injury care allowance")
    func care() throws {
        let severe = try person(.physical, .second)
        #expect(TwoSubsidies(person: severe, facts: HouseholdFacts(), policy: policy).care == Money(fen: 13_000))
        #expect(
            TwoSubsidies(person: severe, facts: HouseholdFacts(rural: true), policy: policy).care == Money(fen: 9_000)
        )
        let injury = TwoSubsidies(person: severe, facts: HouseholdFacts(workInjuryCare: true), policy: policy)
        #expect(
            injury.care == .zero
                && injury.careDecision.explanation == "not eligible: receives a work-injury care allowance"
        )
        #expect(
            TwoSubsidies(person: try person(.physical, .third), facts: HouseholdFacts(), policy: policy).care == .zero
        )
        #expect(
            TwoSubsidies(person: try person(.intellectual, .third), facts: HouseholdFacts(), policy: policy).care
                == Money(fen: 13_000)
        )
    }

    @Test("living subsidy: shares of the dibao line by the household's situation; extreme poverty excluded")
    func living() throws {
        let severe = try person(.visual, .first)
        let other = try person(.hearing, .fourth)
        #expect(
            TwoSubsidies(person: severe, facts: HouseholdFacts(dibao: true), policy: policy).living
                == Money(fen: 28_800)
        )
        #expect(
            TwoSubsidies(person: other, facts: HouseholdFacts(dibao: true), policy: policy).living == Money(fen: 24_000)
        )
        #expect(
            TwoSubsidies(person: other, facts: HouseholdFacts(dibao: true, disabledMembers: 2), policy: policy).living
                == Money(fen: 57_600)
        )
        #expect(
            TwoSubsidies(person: severe, facts: HouseholdFacts(fixedIncome: false), policy: policy).living
                == Money(fen: 96_000)
        )
        let poor = TwoSubsidies(
            person: severe,
            facts: HouseholdFacts(dibao: true, extremePoverty: true),
            policy: policy
        )
        #expect(poor.living == .zero && poor.livingDecision.explanation.contains("an extreme-poverty recipient"))
        let neither = TwoSubsidies(person: other, facts: HouseholdFacts(), policy: policy)
        #expect(
            neither.livingDecision.explanation
                == "not eligible: neither a dibao family nor severe without a fixed income"
        )
    }

    @Test("paid through the one-card exactly once a month; a person granted neither is refused")
    func payment() async throws {
        let world = try World()
        let person = try world.person(2)
        try await world.card(person, 2)
        try await world.service.register(person, category: .physical, level: .first)
        let month = try PayPeriod("2026-12")
        let facts = HouseholdFacts(dibao: true)
        let paid = try await world.service.paySubsidies(to: person, month: month, facts: facts)
        #expect(
            paid.map(\.kind) == ["care", "living"] && paid.map(\.amount) == [Money(fen: 13_000), Money(fen: 28_800)]
        )
        #expect(try await world.service.paySubsidies(to: person, month: month, facts: facts) == paid)
        let totals = try await world.oneCard.totals(programme: .fiscalSubsidy)
        #expect(totals.records == 2 && totals.total == Money(fen: 41_800))
        for payment in paid { #expect(!payment.id.contains(person.unmasked)) }
        let mild = try world.person(3)
        try await world.service.register(mild, category: .hearing, level: .fourth)
        await #expect(throws: DisabilityError.self) {
            try await world.service.paySubsidies(to: mild, month: month, facts: HouseholdFacts())
        }
    }
}

@Suite("Rehabilitation and renovation on the shared life cycle")
struct ServicesTests {
    typealias World = DisabilityWorld<InMemoryStore>

    @Test(
        "children's rehabilitation: ages by category (Jiangsu's 7–14 for physical and autism), designated institutions, supervision"
    )
    func rehabilitation() async throws {
        let world = try World()
        try await world.service.designate(
            try RehabilitationInstitution(id: "R1", name: "泰州市残疾人康复中心", categories: [.autism, .physical, .speech])
        )
        try await world.service.supervise(
            SupervisionRecord(
                id: "v1",
                institution: "R1",
                date: try CalendarDate(iso8601: "2026-10-01"),
                passed: true,
                findings: "合格"
            )
        )
        let autistic = try world.person(11, born: "2016-05-01")  // 10 years old
        let approved = try await world.service.applyForRehabilitation(
            id: "rh-1",
            child: autistic,
            category: .autism,
            institution: "R1"
        )
        #expect(approved.lifecycle.state == .completed(result: "approved"))
        #expect(approved.decision?.checks.first?.statement == "aged 10 ≤ 14 for autism (Jiangsu's extension)")
        let speech = try await world.service.applyForRehabilitation(
            id: "rh-2",
            child: try world.person(12, born: "2016-05-01"),
            category: .speech,
            institution: "R1"
        )
        #expect(speech.lifecycle.state == .completed(result: "rejected"))
        #expect(speech.decision?.explanation == "not eligible: aged 10 > 6 for speech")
        let elsewhere = try await world.service.applyForRehabilitation(
            id: "rh-3",
            child: try world.person(13, born: "2023-01-01"),
            category: .hearing,
            institution: "R1"
        )
        #expect(elsewhere.decision?.explanation == "not eligible: 泰州市残疾人康复中心 is designated for hearing: no")
        try await world.service.supervise(
            SupervisionRecord(
                id: "v2",
                institution: "R1",
                date: try CalendarDate(iso8601: "2026-11-20"),
                passed: false,
                findings: "康复师不足"
            )
        )
        let failed = try await world.service.applyForRehabilitation(
            id: "rh-4",
            child: try world.person(14, born: "2022-01-01"),
            category: .physical,
            institution: "R1"
        )
        #expect(failed.decision?.explanation == "not eligible: latest supervision 2026-11-20: failed")
        await #expect(throws: DisabilityError.duplicate("application rh-1")) {
            try await world.service.applyForRehabilitation(
                id: "rh-1",
                child: autistic,
                category: .autism,
                institution: "R1"
            )
        }
        #expect(try await world.service.supervision(of: "R1").map(\.id) == ["v2", "v1"])
    }

    @Test("home renovation: requested by a registered person, accepted, surveyed, completed; illegal moves refused")
    func renovation() async throws {
        let world = try World()
        let person = try world.person(21)
        await #expect(throws: DisabilityError.notFound("registration of the person")) {
            try await world.service.requestRenovation(id: "rn-1", for: person, needs: "卫生间扶手")
        }
        try await world.service.register(person, category: .physical, level: .second)
        try await world.service.requestRenovation(id: "rn-1", for: person, needs: "卫生间扶手、坡道")
        await #expect(throws: DisabilityError.self) { try await world.service.move("rn-1", .complete("done")) }
        try await world.service.move("rn-1", .accept)
        try await world.service.move("rn-1", .survey)
        let done = try await world.service.move("rn-1", .complete("扶手两处、坡道一处"))
        #expect(done.lifecycle.state == .completed(result: "扶手两处、坡道一处"))
        #expect(done.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])
    }
}

@Suite("Disability on SQLite")
struct DisabilitySQLiteTests {
    @Test("register, subsidies, rehabilitation: no identity or certificate number in clear, the log verifies")
    func sqlite() async throws {
        let clock = try DisabilityWorld<InMemoryStore>.clock()
        let sqlite = try EncryptedSQLiteStore("disability", actor: "51321200MJ0000000X/disability", clock: clock)
        defer { sqlite.remove() }
        let world = try DisabilityWorld(store: sqlite.store, keys: sqlite.keys, crypto: sqlite.crypto, clock: clock)
        let person = try world.person(31)
        try await world.card(person, 31)
        try await world.service.register(person, category: .intellectual, level: .third)
        _ = try await world.service.paySubsidies(
            to: person,
            month: try PayPeriod("2026-12"),
            facts: HouseholdFacts(dibao: true)
        )
        try await world.service.requestRenovation(id: "rn-9", for: person, needs: "坡道")
        #expect(try await world.service.registration(of: person).level == .third)
        #expect(!sqlite.contains(person.unmasked))
        #expect(!sqlite.contains(person.unmasked + "53"))
        #expect(try await sqlite.store.auditLog.verify().isValid)
    }
}
