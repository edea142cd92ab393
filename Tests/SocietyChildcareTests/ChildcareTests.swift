import Foundation
import Logging
import OneCardTestSupport
import SQLiteTestSupport
import SocietyChildcare
import SocietyCore
import SocietyHealth
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietyServices
import SocietyTesting
import Testing

/// The childcare service and the one-card on one store, at 10:00 on a day (2026-03-02, a Monday).
struct ChildcareWorld<Store: RecordStore> {
    let store: Store
    let service: ChildcareService
    let oneCard: OneCardService
    let today: CalendarDate

    static func clock(_ day: String) throws -> FixedWallClock {
        FixedWallClock(try CalendarDate(iso8601: day).startInstant.addingTimeInterval(36_000))
    }

    init(store: Store, keys: any KeyProvider, crypto: any CryptoProvider, clock: FixedWallClock) throws {
        self.store = store
        today = CalendarDate(clock.now())
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        oneCard = try OneCardService(ports: ports)
        service = ChildcareService(ports: ports, oneCard: oneCard, calendar: try PublishedCalendar.official())
    }

    /// A child born `months` months before today (and `days` days), number `n`.
    func child(_ n: Int, months: Int, days: Int = 0) throws -> ResidentID {
        try ResidentID(
            addressCode: DivisionCode("321202"),
            birthDate: today.adding(months: -months).adding(days: -days),
            sequence: 100 + n
        )
    }

    /// A parent, number `n`.
    func parent(_ n: Int) throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: "1992-05-01"), sequence: n)
    }

    /// An institution with `places`, filed.
    @discardableResult
    func filedInstitution(_ id: String = "91320214745555318W", places: Int = 100) async throws -> ChildcareProvider {
        try await service.submitFiling(
            ChildcareProvider(
                id: id,
                name: "海陵区阳光托育中心",
                kind: .institution,
                district: DivisionCode("321202"),
                premises: .owned,
                places: places,
                healthWorkers: 1,
                cctvDays: 90
            )
        )
        let (provider, decision) = try await service.reviewFiling(id)
        #expect(decision.isEligible)
        return provider
    }

    /// A fit health check done a week ago.
    var fit: AdmissionHealthCheck {
        AdmissionHealthCheck(date: today.adding(days: -7), fit: true, institution: "海陵区妇幼保健院")
    }

    /// `child`'s vaccination status today with every dose due by today given on time.
    func upToDate(_ child: ResidentID) throws -> ImmunisationStatus {
        let records = try ImmunisationSchedule.dosesOnTime(bornOn: child.birthDate, through: today).enumerated().map {
            index,
            given in
            try ImmunisationRecord(
                id: "r\(index)",
                child: child,
                vaccine: given.dose.vaccines[0],
                date: given.date,
                lot: "L",
                clinic: "c"
            )
        }
        return ImmunisationStatus(child: child, records: records, on: today)
    }

    /// Applies for and enrols `child` in `careClass`, with a fit check and an up-to-date record.
    func enrol(
        _ id: String,
        _ child: ResidentID,
        in careClass: String,
        parent: Int = 1
    ) async throws
        -> ChildcareEnrolment
    {
        try await service.apply(id: id, child: child, parent: try self.parent(parent), careClass: careClass)
        return try await service.enrol(id, healthCheck: fit, vaccination: try upToDate(child))
    }
}

extension ChildcareWorld where Store == InMemoryStore {
    init(today: String = "2026-03-02") throws {
        let clock = try Self.clock(today)
        let store = try InMemoryStore(clock: clock, actor: "12321200466000000X/childcare")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock)
    }
}

@Suite("Childcare filing (备案)")
struct FilingTests {
    typealias World = ChildcareWorld<InMemoryStore>

    @Test("the receipt is due in 5 working days; the review files it, or returns it with the reasons")
    func filing() async throws {
        let world = try World()
        let provider = try ChildcareProvider(
            id: "91320214745555318W",
            name: "阳光托育",
            kind: .institution,
            district: DivisionCode("321202"),
            premises: .leased(until: try CalendarDate(iso8601: "2028-12-31")),
            places: 160,
            healthWorkers: 0,
            cctvDays: 30
        )
        let submitted = try await world.service.submitFiling(provider)
        // 2026-03-02 is a Monday: five working days later is Monday 2026-03-09.
        #expect(submitted.filing == .submitted(on: world.today, receiptDue: try CalendarDate(iso8601: "2026-03-09")))
        await #expect(throws: ChildcareError.duplicate("provider 91320214745555318W")) {
            try await world.service.submitFiling(provider)
        }
        #expect(
            try await world.service.overdueReceipts(on: try CalendarDate(iso8601: "2026-03-10")).map(\.id) == [
                provider.id
            ]
        )
        #expect(try await world.service.overdueReceipts(on: try CalendarDate(iso8601: "2026-03-09")).isEmpty)
        let (returned, decision) = try await world.service.reviewFiling(provider.id)
        #expect(!decision.isEligible)
        #expect(decision.checks.filter { !$0.passed }.map(\.rule) == ["premises", "cctv", "health-worker"])
        #expect(
            decision.explanation
                == "not eligible: premises leased until 2028-12-31 < 3 years (2029-03-02); CCTV kept 30 days < 90; 160 places ≥ 150: 0 full-time health worker(s), 1 needed"
        )
        guard case .returned(_, let reasons) = returned.filing else {
            Issue.record("not returned")
            return
        }
        #expect(reasons.count == 3)
        await #expect(throws: ChildcareError.illegal(move: "review the filing", state: "returned")) {
            try await world.service.reviewFiling(provider.id)
        }
        await #expect(throws: ChildcareError.illegal(move: "open a class", state: "returned")) {
            try await world.service.open(try CareClass(id: "c1", provider: provider.id, kind: .toddler, carers: 2))
        }
        // Fixed and submitted again: filed.
        try await world.service.submitFiling(
            try ChildcareProvider(
                id: provider.id,
                name: "阳光托育",
                kind: .institution,
                district: DivisionCode("321202"),
                premises: .leased(until: try CalendarDate(iso8601: "2030-12-31")),
                places: 160,
                healthWorkers: 1,
                cctvDays: 90
            )
        )
        #expect(try await world.service.reviewFiling(provider.id).0.isFiled)
    }

    @Test("a family point takes at most 5 children")
    func familyPoint() async throws {
        let world = try World()
        let point = try ChildcareProvider(
            id: "FP-321202-001",
            name: "王阿姨家庭托育点",
            kind: .familyPoint,
            district: DivisionCode("321202"),
            premises: .owned,
            places: 6,
            healthWorkers: 0,
            cctvDays: 90
        )
        let decision = world.service.filingChecks(point, on: world.today)
        #expect(decision.checks.map(\.rule) == ["premises", "cctv", "family-point-size"])
        #expect(decision.explanation == "not eligible: 6 places > 5 for a family point")
        #expect(throws: ChildcareError.invalid("a provider has an id, a name, places, and no negative counts")) {
            try ChildcareProvider(
                id: "x",
                name: "x",
                kind: .familyPoint,
                district: DivisionCode("321202"),
                premises: .owned,
                places: 0,
                healthWorkers: 0,
                cctvDays: 90
            )
        }
    }
}

@Suite("Enrolment under the class rules")
struct EnrolmentTests {
    typealias World = ChildcareWorld<InMemoryStore>

    @Test("an infant class of one carer takes 3; the fourth is refused, explained; a second carer makes room")
    func ratio() async throws {
        let world = try World()
        try await world.filedInstitution()
        try await world.service.open(try CareClass(id: "乳1", provider: "91320214745555318W", kind: .infant, carers: 1))
        for n in 1...3 {
            #expect(
                try await world.enrol("a\(n)", try world.child(n, months: 8), in: "乳1", parent: n).state == .enrolled
            )
        }
        let fourth = try await world.enrol("a4", try world.child(4, months: 9), in: "乳1", parent: 4)
        #expect(fourth.state == .refused)
        let decision = try #require(fourth.decision)
        #expect(decision.checks.filter { !$0.passed }.map(\.rule) == ["carer-ratio"])
        #expect(decision.explanation == "not eligible: 4 children for 1 carer(s) at 1:3 > 3")
        #expect(try await world.service.search(district: DivisionCode("321202"), kind: .infant).isEmpty)
        // A refused application cannot be enrolled again.
        await #expect(throws: ChildcareError.illegal(move: "enrol", state: "refused")) {
            try await world.service.enrol(
                "a4",
                healthCheck: world.fit,
                vaccination: try world.upToDate(try world.child(4, months: 9))
            )
        }
    }

    @Test("a full toddler class (15) refuses by size; age bands, health check and vaccination are checked")
    func sizeAndChecks() async throws {
        let world = try World()
        try await world.filedInstitution()
        try await world.service.open(
            try CareClass(id: "托小1", provider: "91320214745555318W", kind: .toddler, carers: 4)
        )
        for n in 1...15 {
            _ = try await world.enrol("t\(n)", try world.child(n, months: 14), in: "托小1", parent: n)
        }
        let offers = try await world.service.search(district: DivisionCode("321202"))
        #expect(offers.isEmpty)
        let full = try await world.enrol("t16", try world.child(16, months: 15), in: "托小1", parent: 16)
        #expect(full.decision?.explanation == "not eligible: 16 in 托小1 > 15 for 托小班")
        try await world.service.open(
            try CareClass(id: "托小2", provider: "91320214745555318W", kind: .toddler, carers: 1)
        )
        #expect(try await world.service.search(district: DivisionCode("321202")).map(\.free) == [5])

        // Too young for the class; no health check; an overdue vaccination.
        let young = try world.child(20, months: 10)
        try await world.service.apply(id: "y1", child: young, parent: try world.parent(20), careClass: "托小2")
        let overdue = ImmunisationStatus(child: young, records: [], on: world.today)
        let refused = try await world.service.enrol("y1", healthCheck: nil, vaccination: overdue)
        #expect(
            refused.decision?.checks.filter { !$0.passed }.map(\.rule) == ["class-age", "health-check", "vaccination"]
        )
        #expect(
            refused.decision?.checks.first { $0.rule == "vaccination" }?.statement
                == "vaccination: catch up HepB-1, BCG-1 first"
        )
        // A second current application for an enrolled child is refused and changes nothing.
        await #expect(throws: ChildcareError.self) {
            try await world.service.apply(
                id: "t1-again",
                child: try world.child(1, months: 14),
                parent: try world.parent(1),
                careClass: "托小2"
            )
        }
    }

    @Test("a mixed class takes the ratio of its youngest child's band")
    func mixed() async throws {
        let world = try World()
        try await world.filedInstitution()
        try await world.service.open(try CareClass(id: "混1", provider: "91320214745555318W", kind: .mixed, carers: 1))
        for n in 1...5 { _ = try await world.enrol("m\(n)", try world.child(n, months: 19), in: "混1", parent: n) }
        // Six children, the youngest 19 months (托小班's 1:5): refused.
        let sixth = try await world.enrol("m6", try world.child(6, months: 30), in: "混1", parent: 6)
        #expect(sixth.decision?.explanation == "not eligible: 6 children for 1 carer(s) at 1:5 > 5")
    }

    @Test("twenty parents race for the last place: exactly one gets it")
    func race() async throws {
        let world = try World()
        try await world.filedInstitution()
        try await world.service.open(try CareClass(id: "大1", provider: "91320214745555318W", kind: .older, carers: 1))
        for n in 1...6 { _ = try await world.enrol("o\(n)", try world.child(n, months: 26), in: "大1", parent: n) }
        let service = world.service
        let children = try (7..<27).map { try world.child($0, months: 27) }
        for (index, child) in children.enumerated() {
            try await service.apply(
                id: "r\(index)",
                child: child,
                parent: try world.parent(50 + index),
                careClass: "大1"
            )
        }
        let checks = try children.map { try world.upToDate($0) }
        let fit = world.fit
        let enrolled = await withTaskGroup(of: Bool.self) { group in
            for index in children.indices {
                group.addTask {
                    (try? await service.enrol("r\(index)", healthCheck: fit, vaccination: checks[index]).state)
                        == .enrolled
                }
            }
            var count = 0
            for await won in group where won { count += 1 }
            return count
        }
        #expect(enrolled == 1)
    }

    @Test("attendance: back after more than 3 months away needs a new health check")
    func attendance() async throws {
        let world = try World()
        try await world.filedInstitution()
        try await world.service.open(try CareClass(id: "大1", provider: "91320214745555318W", kind: .older, carers: 2))
        let child = try world.child(1, months: 30)
        _ = try await world.enrol("e1", child, in: "大1")
        // A world 100 days later, on the same store.
        let later = try ChildcareWorld(
            store: world.store,
            keys: world.store.keys,
            crypto: world.store.crypto,
            clock: try ChildcareWorld<InMemoryStore>.clock("2026-06-10")
        )
        let day = try CalendarDate(iso8601: "2026-06-10")
        await #expect(throws: ChildcareError.recheckRequired(daysAway: 100)) {
            try await later.service.attend("e1", on: day, present: true)
        }
        try await later.service.attend(
            "e1",
            on: day,
            present: true,
            healthCheck: AdmissionHealthCheck(date: day.adding(days: -2), fit: true, institution: "妇幼保健院")
        )
        try await later.service.recordHealth("e1", on: day, note: "晨检: 体温 36.6℃")
        let days = try await later.service.days(of: "e1")
        #expect(days.map(\.kind) == [.present, .health])
        #expect(try await later.service.enrolment("e1").lastAttended == day)
        try await later.service.leave("e1")
        await #expect(throws: ChildcareError.illegal(move: "attend", state: "left")) {
            try await later.service.attend("e1", on: day, present: true)
        }
    }
}

@Suite("Practitioners' credit and quality grading")
struct QualityTests {
    typealias World = ChildcareWorld<InMemoryStore>

    @Test("events raise and lower the score, explained; abuse bars; old events drop out")
    func credit() async throws {
        let world = try World()
        try await world.filedInstitution()
        try await world.service.register(
            try Practitioner(id: "P1", person: try world.parent(7), provider: "91320214745555318W", role: .carer)
        )
        func event(_ id: String, _ kind: CreditEventKind, _ date: String) throws -> CreditEvent {
            CreditEvent(id: id, practitioner: "P1", kind: kind, date: try CalendarDate(iso8601: date), note: id)
        }
        try await world.service.record(try event("e1", .trainingCompleted, "2025-12-01"))
        try await world.service.record(try event("e2", .complaintVerified, "2026-01-15"))
        try await world.service.record(try event("e3", .careRuleBroken, "2026-02-20"))
        try await world.service.record(try event("e0", .commended, "2022-06-01"))  // older than 3 years
        let credit = try await world.service.credit(of: "P1")
        #expect(credit.score == 72)
        #expect(credit.level == "C")
        #expect(!credit.barred)
        #expect(
            credit.explanation == [
                "base 100", "2025-12-01 trainingCompleted +2: e1", "2026-01-15 complaintVerified -10: e2",
                "2026-02-20 careRuleBroken -20: e3", "score 72, level C",
            ]
        )
        try await world.service.record(try event("e4", .abuse, "2026-03-01"))
        let barred = try await world.service.credit(of: "P1")
        #expect(barred.barred && barred.score == 0 && barred.level == "D")
        await #expect(throws: ChildcareError.notFound("practitioner P9")) { try await world.service.credit(of: "P9") }
        await #expect(throws: ChildcareError.invalid("a credit event on 2026-03-03, after today")) {
            try await world.service.record(try event("e5", .commended, "2026-03-03"))
        }
    }

    @Test("WS/T 821-2023 grading: 1,000 points in 7 dimensions, a veto makes it D")
    func grading() throws {
        let grading = QualityGrading()
        #expect(grading.dimensions.count == 7)
        #expect(grading.dimensions.reduce(0) { $0 + $1.maximum } == 1_000)
        let scores = Dictionary(uniqueKeysWithValues: grading.dimensions.map { ($0.name, $0.maximum * 9 / 10) })
        let good = try grading.grade(scores: scores, vetoes: [])
        #expect(QualityGrading.letter(of: good) == "A" && good.isEligible)
        #expect(good.explanation == "eligible: 900 of 1000 points: grade A")
        let vetoed = try grading.grade(scores: scores, vetoes: ["CCTV kept under 90 days"])
        #expect(QualityGrading.letter(of: vetoed) == "D" && !vetoed.isEligible)
        #expect(vetoed.explanation == "not eligible: veto: CCTV kept under 90 days — graded D")
        var low = scores
        low["保育照护"] = 0
        #expect(QualityGrading.letter(of: try grading.grade(scores: low, vetoes: [])) == "C")
        #expect(throws: ChildcareError.invalid("保育照护: 201 is outside 0–200")) {
            var bad = scores
            bad["保育照护"] = 201
            return try grading.grade(scores: bad, vetoes: [])
        }
        #expect(throws: ChildcareError.invalid("no veto item unknown")) {
            try grading.grade(scores: scores, vetoes: ["unknown"])
        }
    }
}

@Suite("The childcare subsidy (育儿补贴)")
struct SubsidyTests {
    typealias World = ChildcareWorld<InMemoryStore>

    @Test("3,600 yuan a year under 3, by months in a part year, from 2025")
    func amounts() throws {
        let policy = ChildcareSubsidyPolicy()
        let born = try CalendarDate(iso8601: "2024-07-15")
        #expect(policy.months(bornOn: born, in: 2025) == 12)
        #expect(policy.amount(bornOn: born, in: 2025) == Money(fen: 360_000))
        #expect(policy.months(bornOn: born, in: 2027) == 7)  // turns 3 on 2027-07-15: January–July
        #expect(policy.amount(bornOn: born, in: 2027) == Money(fen: 210_000))
        #expect(policy.months(bornOn: born, in: 2024) == 0)  // before the scheme
        let late = try CalendarDate(iso8601: "2026-10-31")
        #expect(policy.months(bornOn: late, in: 2026) == 3)  // October–December
    }

    @Test("paid once through the one-card; a second claim for the child and year is refused")
    func payment() async throws {
        let world = try World()
        let parent = try world.parent(3)
        try await world.oneCard.activatedCard(for: parent, 1, issued: try CalendarDate(iso8601: "2026-01-05"))
        let child = try world.child(1, months: 20)
        let claim = try await world.service.claimSubsidy(id: "cs-1", child: child, parent: parent, year: 2026)
        #expect(claim.amount == Money(fen: 360_000) && claim.paidBy == "cs-cs-1")
        #expect(try await world.service.claimSubsidy(id: "cs-1", child: child, parent: parent, year: 2026) == claim)
        await #expect(throws: ChildcareError.duplicate("a claim for the child for 2026 (cs-1)")) {
            try await world.service.claimSubsidy(id: "cs-2", child: child, parent: parent, year: 2026)
        }
        let totals = try await world.oneCard.totals(programme: .childcareSubsidy)
        #expect(totals.records == 1 && totals.total == Money(fen: 360_000))
        await #expect(throws: ChildcareError.self) {
            try await world.service.claimSubsidy(
                id: "cs-3",
                child: try world.child(2, months: 40),
                parent: parent,
                year: 2026
            )
        }
    }
}

@Suite("Childcare on SQLite")
struct ChildcareSQLiteTests {
    @Test("filing, enrolment, the refusal, attendance: nothing personal in clear, the log verifies")
    func sqlite() async throws {
        let clock = try ChildcareWorld<SQLiteStore>.clock("2026-03-02")
        let sqlite = try EncryptedSQLiteStore("care", actor: "12321200466000000X/childcare", clock: clock)
        defer { sqlite.remove() }
        let (store, keys, crypto, path) = (sqlite.store, sqlite.keys, sqlite.crypto, sqlite.path)
        let world = try ChildcareWorld(store: store, keys: keys, crypto: crypto, clock: clock)
        try await world.filedInstitution()
        try await world.service.open(try CareClass(id: "乳1", provider: "91320214745555318W", kind: .infant, carers: 1))
        var children: [ResidentID] = []
        for n in 1...4 {
            let child = try world.child(n, months: 7)
            children.append(child)
            _ = try await world.enrol("s\(n)", child, in: "乳1", parent: n)
        }
        #expect(try await world.service.enrolment("s4").state == .refused)
        try await world.service.attend("s1", on: world.today, present: false)
        try await world.service.recordHealth("s1", on: world.today, note: "发热 38.2℃, 通知家长")
        #expect(try await world.service.days(of: "s1").count == 2)
        let bytes = StoreFiles.bytes(of: path)
        for child in children { #expect(bytes.range(of: Data(child.unmasked.utf8)) == nil) }
        #expect(bytes.range(of: Data("发热".utf8)) == nil)
        #expect(bytes.range(of: Data("海陵区阳光托育中心".utf8)) != nil)
        #expect(try await store.auditLog.verify().isValid)
    }
}
