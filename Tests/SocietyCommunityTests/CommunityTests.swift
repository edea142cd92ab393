import Foundation
import Logging
import OneCardTestSupport
import SQLiteTestSupport
import SocietyCommunity
import SocietyCore
import SocietyOneCard
import SocietyServices
import SocietyTesting
import Testing

/// The community service and the one-card on one store, at 10:00 on 2026-12-01 (a moving clock,
/// for the rural monitoring's months).
struct CommunityWorld<Store: RecordStore> {
    let store: Store
    let clock: MovingClock
    let service: CommunityService
    let oneCard: OneCardService

    static func start() throws -> Date {
        try CalendarDate(iso8601: "2026-12-01").startInstant.addingTimeInterval(36_000)
    }

    init(
        store: Store,
        keys: any KeyProvider,
        crypto: any CryptoProvider,
        clock: MovingClock,
        gridPolicy: GridPolicy = GridPolicy()
    ) throws {
        self.store = store
        self.clock = clock
        let ports = ServicePorts(
            store: store,
            crypto: crypto,
            keys: keys,
            clock: clock,
            logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
        )
        oneCard = try OneCardService(ports: ports)
        service = CommunityService(ports: ports, oneCard: oneCard, gridPolicy: gridPolicy)
    }

    func person(_ n: Int, born: String = "1950-03-01") throws -> ResidentID {
        try ResidentID(addressCode: DivisionCode("321202"), birthDate: CalendarDate(iso8601: born), sequence: n)
    }

    /// Grid `G-01` in 321202 with worker `W0101`, residents 1…n in households of two.
    func grid(residents n: Int) async throws -> [ResidentID] {
        try await service.open(
            try Grid(id: "G-01", name: "凤凰社区第1网格", district: DivisionCode("321202"), workers: ["W0101"])
        )
        var people: [ResidentID] = []
        for index in 1...n {
            let person = try person(index)
            try await service.assign(person, to: "G-01", household: "hh-\((index + 1) / 2)")
            people.append(person)
        }
        return people
    }
}

extension CommunityWorld where Store == InMemoryStore {
    init(gridPolicy: GridPolicy = GridPolicy()) throws {
        let clock = MovingClock(try Self.start())
        let store = try InMemoryStore(clock: clock, actor: "11321200014287102B/community")
        try self.init(store: store, keys: store.keys, crypto: store.crypto, clock: clock, gridPolicy: gridPolicy)
    }
}

struct SourceFailure: Error, CustomStringConvertible {
    var description: String { "civil affairs did not answer" }
}

@Suite("Grids and special groups")
struct GridTests {
    typealias World = CommunityWorld<InMemoryStore>

    @Test(
        "a grid's worker sees the groups the departments answer; a failing department is named; identity numbers masked"
    )
    func roster() async throws {
        let world = try World()
        let people = try await world.grid(residents: 6)
        let sources: [any SpecialGroupSource] = [
            ClosureGroupSource(.dibao) { residents, purpose in
                #expect(purpose == .visit && residents.count == 6)
                return [people[0], people[1]]
            },
            ClosureGroupSource(.emptyNestElderly) { _, _ in [people[1], people[4]] },
            // A department answering with someone off the grid: not shown.
            ClosureGroupSource(.disabled) { _, _ in [try world.person(99)] },
            ClosureGroupSource(.unemployed) { _, _ in throw SourceFailure() },
        ]
        let roster = try await world.service.specialGroups(
            in: "G-01",
            worker: "W0101",
            purpose: .visit,
            sources: sources
        )
        #expect(roster.residents == 6)
        #expect(roster.entries.map(\.resident) == [people[0], people[1], people[4]])
        #expect(roster.entries[1].groups == [.dibao, .emptyNestElderly])
        #expect(roster.entries[2].household == "hh-3")
        #expect(roster.counts == [.dibao: 2, .emptyNestElderly: 2])
        #expect(roster.unavailable == [.unemployed: "civil affairs did not answer"])
        #expect(!roster.description.contains(people[0].unmasked) && roster.description.contains(people[0].masked))
        #expect(roster.description.contains("低保对象、空巢老人"))
        let looks = try await world.service.looks(at: "G-01")
        #expect(looks.count == 1 && looks[0].worker == "W0101" && looks[0].purpose == .visit && looks[0].shown == 3)
        #expect(looks[0].outcome == "shown, 1 group(s) unavailable")
    }

    @Test("a worker of another grid is refused, and the attempt is kept with the looks")
    func otherWorker() async throws {
        let world = try World()
        _ = try await world.grid(residents: 2)
        try await world.service.open(
            try Grid(id: "G-02", name: "第2网格", district: DivisionCode("321202"), workers: ["W0201"])
        )
        let asked = Counter()
        let source = ClosureGroupSource(.dibao) { _, _ in
            await asked.add()
            return []
        }
        await #expect(throws: CommunityError.forbidden("worker W0201 is not assigned to grid G-01")) {
            try await world.service.specialGroups(in: "G-01", worker: "W0201", purpose: .emergency, sources: [source])
        }
        #expect(await asked.value == 0)
        let looks = try await world.service.looks(at: "G-01")
        #expect(looks.map(\.outcome) == ["refused: not assigned to the grid"] && looks[0].worker == "W0201")
        // Assigned, the same worker may look.
        try await world.service.assign(worker: "W0201", to: "G-01")
        _ = try await world.service.specialGroups(in: "G-01", worker: "W0201", purpose: .emergency, sources: [source])
        #expect(await asked.value == 1)
        #expect(try await world.service.looks(at: "G-01").count == 2)
        // Every look is in the store's audit log, under the look's purpose.
        let purposes = world.store.auditLog.entries().map(\.purpose)
        #expect(purposes.contains("community.grid.emergency") && purposes.contains("community.grid-looks"))
    }

    @Test("grid size is configuration: a full grid refuses, explained; bad ids are typed errors")
    func size() async throws {
        let world = try World(gridPolicy: GridPolicy(maxResidents: 2))
        _ = try await world.grid(residents: 2)
        // Re-assigning someone already on the grid is not growth.
        try await world.service.assign(try world.person(1), to: "G-01", household: "hh-9")
        do {
            try await world.service.assign(try world.person(3), to: "G-01", household: "hh-2")
            Issue.record("a full grid accepted a resident")
        } catch CommunityError.refused(let decision) {
            #expect(decision.explanation == "not eligible: grid G-01 holds 2 residents, the most is 2")
        }
        #expect(throws: CommunityError.self) { try Grid(id: "g", name: "x", district: DivisionCode("321202")) }
        await #expect(throws: CommunityError.notFound("grid G-09")) {
            try await world.service.assign(try world.person(4), to: "G-09", household: "hh-4")
        }
        await #expect(throws: CommunityError.duplicate("grid G-01")) {
            try await world.service.open(try Grid(id: "G-01", name: "again", district: DivisionCode("321202")))
        }
    }
}

actor Counter {
    var value = 0
    func add() { value += 1 }
}

@Suite("Bill payments through the one-card")
struct UtilityTests {
    typealias World = CommunityWorld<InMemoryStore>

    func bill(_ payer: ResidentID, number: String = "W2026120001", amount: Int64 = 8_650) throws -> UtilityBill {
        try UtilityBill(
            number: number,
            payee: CreditCode("91320214745555318W"),
            payeeName: "泰州市自来水公司",
            kind: .water,
            account: "SH-00017",
            payer: payer,
            period: PayPeriod("2026-11"),
            amount: Money(fen: amount),
            due: CalendarDate(iso8601: "2026-12-20")
        )
    }

    @Test("requested once through a card enabled for bill payments; paid, failed, retried, cancelled by the rules")
    func payments() async throws {
        let world = try World()
        let payer = try world.person(1)
        try await world.oneCard.activatedCard(
            for: payer,
            1,
            issued: try CalendarDate(iso8601: "2026-01-05"),
            uses: [.livingPayment]
        )
        let request = try await world.service.requestPayment(try bill(payer))
        #expect(request.state == .requested && request.id == "util-91320214745555318W-W2026120001")
        #expect(try await world.service.requestPayment(try bill(payer)) == request)
        await #expect(throws: CommunityError.duplicate("bill W2026120001 of 泰州市自来水公司 with other contents")) {
            try await world.service.requestPayment(try bill(payer, amount: 9_000))
        }
        let failed = try await world.service.move(request.id, .failed("余额不足"))
        #expect(failed.state == .failed)
        await #expect(throws: CommunityError.illegal(move: "pay", state: "failed")) {
            try await world.service.move(request.id, .paid(reference: "B-1"))
        }
        _ = try await world.service.move(request.id, .retry)
        let paid = try await world.service.move(request.id, .paid(reference: "B-77"))
        #expect(paid.state == .paid && paid.reference == "B-77")
        #expect(paid.history.map(\.what).suffix(3) == ["failed: 余额不足", "requested again", "paid, reference B-77"])
        await #expect(throws: CommunityError.illegal(move: "cancel", state: "paid")) {
            try await world.service.move(request.id, .cancel)
        }
        let second = try await world.service.requestPayment(try bill(payer, number: "W2026120002"))
        #expect(try await world.service.move(second.id, .cancel).state == .cancelled)
        #expect(try await world.service.payments(of: payer).map(\.id) == [request.id, second.id])
        #expect(!"\(paid)".contains(payer.unmasked))
    }

    @Test("no card, or a card not enabled for bill payments: refused, nothing requested")
    func refusals() async throws {
        let world = try World()
        let payer = try world.person(2)
        do {
            try await world.service.requestPayment(try bill(payer))
            Issue.record("paid without a card")
        } catch CommunityError.refused(let decision) {
            #expect(decision.explanation == "not eligible: the payer has no current one-card")
        }
        try await world.oneCard.activatedCard(for: payer, 2, issued: try CalendarDate(iso8601: "2026-01-05"))
        await #expect(throws: CommunityError.self) { try await world.service.requestPayment(try bill(payer)) }
        #expect(try await world.service.payments(of: payer).isEmpty)
        #expect(throws: CommunityError.self) { try bill(payer, amount: 0) }
        #expect(throws: CommunityError.self) { try bill(payer, number: "W 1") }
    }

    @Test("relief for a dibao household: paid once a month through the one-card; others told why not")
    func relief() async throws {
        let world = try World()
        let (poor, other) = (try world.person(3), try world.person(4))
        try await world.oneCard.activatedCard(for: poor, 3, issued: try CalendarDate(iso8601: "2026-01-05"))
        let sources: [any SpecialGroupSource] = [
            ClosureGroupSource(.dibao) { residents, purpose in
                #expect(purpose == .assistance)
                return Set(residents.filter { $0 == poor })
            },
            ClosureGroupSource(.poverty) { _, _ in [] },
        ]
        let month = try PayPeriod("2026-12")
        let paid = try await world.service.payRelief(household: "hh-3", payer: poor, month: month, sources: sources)
        #expect(paid.amount == Money(fen: 2_000) && paid.decision.explanation == "eligible: 低保对象: yes")
        let again = try await world.service.payRelief(household: "hh-3", payer: poor, month: month, sources: sources)
        #expect(again.instruction == paid.instruction)
        let totals = try await world.oneCard.totals(period: month)
        #expect(totals.byProgramme[.utilityFeeRelief] == Money(fen: 2_000) && totals.records == 1)
        let refused = try await world.service.payRelief(household: "hh-4", payer: other, month: month, sources: sources)
        #expect(refused.amount == .zero && refused.instruction == nil)
        #expect(refused.decision.explanation == "not eligible: 低保对象: no; 困难群众: no")
    }
}

@Suite("Rural low-income monitoring and village services")
struct RuralTests {
    typealias World = CommunityWorld<InMemoryStore>
    let policy = RuralMonitoringPolicy()

    func facts(
        _ household: String = "rh-1",
        members: Int = 4,
        income: Int64,
        previous: Int64? = nil,
        medical: Int64 = 0,
        disaster: Int64 = 0
    ) throws -> RuralHouseholdFacts {
        try RuralHouseholdFacts(
            household: household,
            village: VillageCode("321281101203"),
            members: members,
            income: Money(fen: income),
            previousIncome: previous.map { Money(fen: $0) },
            medicalSpending: Money(fen: medical),
            disasterLoss: Money(fen: disaster)
        )
    }

    @Test("each signal at its threshold: the line, the drop, medical spending, disaster loss")
    func thresholds() throws {
        // 4 members at exactly 7,000 yuan each: no signal; one fen a person less: low income.
        #expect(policy.assess(try facts(income: 2_800_000)).signals == [])
        #expect(policy.assess(try facts(income: 2_799_996)).signals == [.lowIncome])
        // Near the line (under 10,500 a person) and down more than 30 %: a drop.
        #expect(policy.assess(try facts(income: 3_200_000, previous: 5_000_000)).signals == [.incomeDrop])
        #expect(policy.assess(try facts(income: 3_500_000, previous: 5_000_000)).signals == [])
        // Above 1.5× the line a drop is not a signal.
        #expect(policy.assess(try facts(income: 4_400_000, previous: 8_000_000)).signals == [])
        // Medical: over half the income, or over 20,000 yuan.
        #expect(policy.assess(try facts(income: 3_000_000, medical: 1_500_000)).signals == [])
        #expect(policy.assess(try facts(income: 3_000_000, medical: 1_500_001)).signals == [.medicalSpending])
        #expect(policy.assess(try facts(income: 20_000_000, medical: 2_000_001)).signals == [.medicalSpending])
        // Disaster: over 30 % of the income, or over 10,000 yuan.
        #expect(policy.assess(try facts(income: 3_000_000, disaster: 900_000)).signals == [])
        #expect(policy.assess(try facts(income: 3_000_000, disaster: 900_001)).signals == [.disaster])
        let assessment = policy.assess(try facts(income: 2_000_000, medical: 2_500_000))
        #expect(assessment.explanation.hasPrefix("monitor: income 5000.00 a person < the line 7000.00"))
        #expect(throws: CommunityError.self) { try facts(members: 0, income: 1) }
        #expect(throws: CommunityError.self) { try VillageCode("32128110120") }
        #expect(throws: CommunityError.self) { try VillageCode("000000101203") }
    }

    @Test("on the list with a signal; off it only without one and after six months")
    func list() async throws {
        let world = try World()
        let poor = try facts("rh-1", income: 2_000_000)
        let fine = try facts("rh-2", income: 5_000_000)
        #expect(try await world.service.monitor(poor).needsMonitoring)
        #expect(!(try await world.service.monitor(fine).needsMonitoring))
        let list = try await world.service.monitoringList()
        #expect(list.map(\.household) == ["rh-1"] && list[0].signals == [.lowIncome])
        #expect(try await world.service.monitoringList(village: try VillageCode("321281101204")).isEmpty)
        let recovered = try facts("rh-1", income: 3_000_000)
        do {
            _ = try await world.service.eliminateRisk(recovered)
            Issue.record("eliminated after a day")
        } catch {
            #expect(
                error
                    == .refused(
                        ExplainedDecision(
                            checks: world.service.monitoring.assess(recovered).decision.checks + [
                                RuleCheck(
                                    rule: "duration",
                                    statement: "monitored since 2026-12-01 (< 6 months)",
                                    passed: false
                                )
                            ],
                            policyVersion: world.service.monitoring.version
                        )
                    )
            )
        }
        try world.clock.move(to: "2027-06-01")
        await #expect(throws: CommunityError.self) { try await world.service.eliminateRisk(poor) }
        let off = try await world.service.eliminateRisk(recovered)
        #expect(off.state == .riskEliminated && off.history.map(\.what).last == "risk eliminated")
        #expect(try await world.service.monitoringList().isEmpty)
        await #expect(throws: CommunityError.illegal(move: "eliminate risk", state: "riskEliminated")) {
            try await world.service.eliminateRisk(recovered)
        }
        // A new signal puts it back, from that day.
        try await world.service.monitor(try facts("rh-1", income: 2_000_000, disaster: 2_000_000))
        let back = try await world.service.monitoringList()
        #expect(
            back.map(\.since) == [try CalendarDate(iso8601: "2027-06-01")]
                && back[0].signals == [.lowIncome, .disaster]
        )
    }

    @Test("the village indicator: open points of each required service, villages fully reached")
    func coverage() async throws {
        let world = try World()
        let (a, b, c) = (
            try VillageCode("321281101201"), try VillageCode("321281101202"), try VillageCode("321281101203")
        )
        for service in VillageService.allCases {
            try await world.service.register(
                try VillageServicePoint(
                    id: "A-\(service.rawValue)",
                    village: a,
                    service: service,
                    name: "\(service.chineseName) A"
                )
            )
        }
        try await world.service.register(
            try VillageServicePoint(id: "B-h", village: b, service: .health, name: "卫生室 B")
        )
        try await world.service.register(
            try VillageServicePoint(id: "B-e", village: b, service: .elderlyCare, name: "养老点 B", open: false)
        )
        let indicator = try await world.service.coverage(of: [c, a, b, a])
        #expect(indicator.rows.map(\.village) == [a, b, c])
        #expect(indicator.rows[1].present == [.health] && indicator.rows[1].missing == [.socialSecurity, .elderlyCare])
        #expect(indicator.covered == 1 && indicator.permille == 333)
        #expect(indicator.description == "1 of 3 villages reached by all of 村卫生室、社保服务站、互助养老点 (33.3 %)")
        let health = try await world.service.coverage(of: [a, b, c], required: [.health])
        #expect(health.covered == 2 && health.permille == 666)
    }
}

@Suite("Community on SQLite")
struct CommunitySQLiteTests {
    @Test("a look, a payment, a monitored household: no identity number or household id in clear, the log verifies")
    func sqlite() async throws {
        let clock = MovingClock(try CommunityWorld<InMemoryStore>.start())
        let sqlite = try EncryptedSQLiteStore("community", actor: "11321200014287102B/community", clock: clock)
        defer { sqlite.remove() }
        let world = try CommunityWorld(store: sqlite.store, keys: sqlite.keys, crypto: sqlite.crypto, clock: clock)
        let people = try await world.grid(residents: 2)
        let roster = try await world.service.specialGroups(
            in: "G-01",
            worker: "W0101",
            purpose: .visit,
            sources: [ClosureGroupSource(.dibao) { _, _ in [people[1]] }]
        )
        #expect(roster.entries.map(\.resident) == [people[1]])
        try await world.oneCard.activatedCard(
            for: people[0],
            7,
            issued: try CalendarDate(iso8601: "2026-01-05"),
            uses: [.livingPayment]
        )
        let bill = try UtilityBill(
            number: "E-100",
            payee: CreditCode("91320214745555318W"),
            payeeName: "国网泰州供电公司",
            kind: .electricity,
            account: "HH-4471",
            payer: people[0],
            period: PayPeriod("2026-11"),
            amount: Money(fen: 12_345),
            due: CalendarDate(iso8601: "2026-12-25")
        )
        try await world.service.requestPayment(bill)
        try await world.service.monitor(
            try RuralHouseholdFacts(
                household: "rural-hh-8842",
                village: VillageCode("321281101203"),
                members: 3,
                income: Money(fen: 1_500_000)
            )
        )
        #expect(try await world.service.monitoringList().count == 1)
        #expect(try await world.service.payments(of: people[0]).count == 1)
        for person in people { #expect(!sqlite.contains(person.unmasked)) }
        #expect(!sqlite.contains("rural-hh-8842") && !sqlite.contains("HH-4471"))
        #expect(try await sqlite.store.auditLog.verify().isValid)
    }
}
