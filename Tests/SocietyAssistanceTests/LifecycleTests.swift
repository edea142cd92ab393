import Foundation
import SocietyAssistance
import SocietyCore
import SocietyOneCard
import SocietyOpenSSL
import SocietyServices
import SocietyTesting
import Testing

/// Assistance applications on the shared application life cycle: the moves, the application
/// desk's record kept beside each application, and applications stored before the move upgraded.
@Suite("Assistance on the shared application life cycle")
struct AssistanceLifecycleTests {
    static let day = CalendarDate(daysSinceEpoch: 20_786)  // 2026-11-29
    static let approval = Decision(
        category: .minimumLiving,
        monthlyAmount: Money(fen: 108_000),
        results: [],
        policyVersion: "v",
        perCapitaIncome: .zero
    )
    static let refusal = Decision(
        category: nil,
        monthlyAmount: .zero,
        results: [],
        policyVersion: "v",
        perCapitaIncome: .zero
    )

    func application(_ id: String = "app-1") throws -> AssistanceApplication {
        AssistanceApplication(
            id: try Identifier(id),
            household: try Identifier("hh-1"),
            applicant: try ResidentID("11010519491231002X"),
            category: .minimumLiving,
            district: try DivisionCode("321202"),
            serviceCode: AssistanceService.serviceCode,
            timeLimit: try TimeLimit(statutory: 30, promised: 20),
            submitted: Self.day,
            by: "applicant"
        )
    }

    @Test(
        "intake → review → decision (办结) → paying, every move on the life cycle; illegal moves throw and change nothing"
    )
    func moves() throws {
        var application = try application()
        #expect(application.state == .submitted)
        #expect(application.nextStep == .accept)
        let submitted = application
        #expect(throws: AssistanceApplication.TransitionError.illegal(from: .submitted, move: "decide")) {
            try application.decide(Self.approval, on: Self.day, by: "civil-affairs")
        }
        #expect(throws: AssistanceApplication.TransitionError.illegal(from: .submitted, move: "startPaying")) {
            try application.startPaying(PayPeriod("2026-11"))
        }
        #expect(application == submitted)

        try application.accept(on: Self.day, by: "civil-affairs")
        #expect(application.nextStep == .verify)
        // The life cycle refuses a move dated before the last one.
        let backdated = Self.day.adding(days: -1)
        #expect(
            throws: AssistanceApplication.TransitionError.move(
                .backdated(move: "review", date: backdated, last: Self.day)
            )
        ) {
            try application.startReview(on: backdated, by: "civil-affairs")
        }
        try application.startReview(on: Self.day.adding(days: 1), by: "civil-affairs")
        #expect(application.state == .underReview)
        #expect(application.lifecycle.state == .underReview(step: AssistanceApplication.verificationStep))
        #expect(application.nextStep == .decide)

        try application.decide(Self.approval, on: Self.day.adding(days: 2), by: "civil-affairs")
        #expect(application.state == .approved)
        #expect(application.lifecycle.state == .completed(result: "approved"))
        #expect(application.nextStep == .pay)
        #expect(
            throws: AssistanceApplication.TransitionError.move(.illegal(move: "withdraw", from: "completed"))
        ) {
            try application.withdraw(reason: "changed my mind", on: Self.day.adding(days: 2), by: "applicant")
        }
        try application.startPaying(PayPeriod("2026-12"))
        #expect(application.state == .paying)
        #expect(application.payingSince == (try PayPeriod("2026-12")))
        #expect(application.nextStep == nil)
        #expect(application.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])

        // A refusal completes the application too, with nothing to pay.
        var refused = try self.application("app-2")
        try refused.accept(on: Self.day, by: "civil-affairs")
        try refused.startReview(on: Self.day, by: "civil-affairs")
        try refused.decide(Self.refusal, on: Self.day, by: "civil-affairs")
        #expect(refused.state == .rejected)
        #expect(refused.nextStep == nil)
        #expect(throws: AssistanceApplication.TransitionError.illegal(from: .rejected, move: "startPaying")) {
            try refused.startPaying(PayPeriod("2026-12"))
        }

        var withdrawn = try self.application("app-3")
        try withdrawn.withdraw(reason: "moved away", on: Self.day, by: "applicant")
        #expect(withdrawn.state == .withdrawn)
        #expect(withdrawn.nextStep == nil)
    }

    @Test("the application desk on civil affairs' store counts and reads assistance applications like any service's")
    func deskCounts() async throws {
        let world = try await AssistanceServiceTests().world()
        let service = world.service()
        let desk = ApplicationService(
            ports: world.ports,
            catalogue: try ServiceCatalogue([world.entry]),
            calendar: try PublishedCalendar.official()
        )
        _ = try await world.applyFamily(service)
        let open = try await desk.counts()
        #expect(open.map(\.open) == [1])

        try await service.verify(Identifier("app-1"), send: world.send)
        let decided = try await service.decide(Identifier("app-1"))
        try await service.pay(Identifier("app-1"))
        let record = try await desk.application("app-1")
        #expect(record.application == decided.lifecycle)
        #expect(record.applicant == .household(head: world.family[0]))
        #expect(record.department == "civil-affairs")
        #expect(record.district == (try AssistanceWorld<InMemoryStore>.district))
        #expect(try await desk.applications(of: .household(head: world.family[0])).map(\.application.id) == ["app-1"])

        let counts = try await desk.counts()
        #expect(counts.count == 1)
        #expect(counts.first?.service == AssistanceService.serviceCode)
        #expect(counts.first?.district == "321202")
        #expect(counts.first?.received == 1)
        #expect(counts.first?.completedOnTime == 1)
        #expect(counts.first?.open == 0)
        #expect(try await desk.warnings().isEmpty)
    }

    @Test("an application left accepted past its promised limit raises the desk's early warning")
    func overdueWarning() async throws {
        let world = try await AssistanceServiceTests().world()
        let service = world.service()
        _ = try await world.applyFamily(service)
        // Twenty working days after Sunday 29 November 2026 is Friday 25 December; the next
        // working day is overdue.
        var ports = world.ports
        ports.clock = FixedWallClock(try CalendarDate(year: 2026, month: 12, day: 28).startInstant + 12 * 3600)
        let later = ApplicationService(
            ports: ports,
            catalogue: try ServiceCatalogue([world.entry]),
            calendar: try PublishedCalendar.official()
        )
        let warnings = try await later.warnings()
        #expect(warnings.map(\.application) == ["app-1"])
        #expect(
            warnings.first?.status
                == .overdue(.promised, deadline: try CalendarDate(year: 2026, month: 12, day: 25), workingDays: 1)
        )
    }

    /// An assistance application as schema version 2 stored it, with the module's own states.
    struct StoredVersion2: StorableRecord, Hashable {
        struct Move: Codable, Hashable, Sendable {
            let event: String
            let state: String
            let time: Date
        }
        static let recordKind = AssistanceApplication.recordKind
        static let schemaVersion = 2
        static let sensitiveFields: Set<String> = ["applicant", "members", "decision"]
        static let indexes: [RecordIndex<StoredVersion2>] = [
            RecordIndex("state") { .text($0.state) },
            RecordIndex("household") { .text($0.household) },
        ]
        var recordKey: RecordKey { RecordKey(id) }
        let id: String
        let household: String
        let applicant: ResidentID
        let members: [ResidentID]
        let category: AssistanceCategory
        let state: String
        let history: [Move]
        let decision: Decision?
    }

    /// The same before version 2, without members.
    struct StoredVersion1: StorableRecord, Hashable {
        static let recordKind = AssistanceApplication.recordKind
        static let schemaVersion = 1
        static let sensitiveFields: Set<String> = ["applicant", "decision"]
        static let indexes: [RecordIndex<StoredVersion1>] = [RecordIndex("state") { .text($0.state) }]
        var recordKey: RecordKey { RecordKey(id) }
        let id: String
        let household: String
        let applicant: ResidentID
        let category: AssistanceCategory
        let state: String
        let history: [StoredVersion2.Move]
        let decision: Decision?
    }

    @Test(
        "applications stored before the move are replayed onto the life cycle, and a paid one is paid on by the monthly run"
    )
    func upgrades() async throws {
        let world = try await AssistanceServiceTests().world()
        let head = world.family[0]
        let start = Self.day.startInstant + 12 * 3600
        func at(_ days: Int) -> Date { start.addingTimeInterval(Double(days) * 86_400) }
        let paid = StoredVersion2(
            id: "old-paid",
            household: "hh-1",
            applicant: head,
            members: world.family,
            category: .minimumLiving,
            state: "completed",
            history: [
                .init(event: "submit", state: "submitted", time: at(-40)),
                .init(event: "accept", state: "accepted", time: at(-40)),
                .init(event: "startReview", state: "underReview", time: at(-38)),
                .init(event: "approve", state: "approved", time: at(-35)),
                .init(event: "startPaying", state: "paying", time: at(-34)),
                .init(event: "review", state: "reviewed", time: at(-5)),
                .init(event: "complete", state: "completed", time: at(-4)),
            ],
            decision: Self.approval
        )
        let rejected = StoredVersion2(
            id: "old-rejected",
            household: "hh-9",
            applicant: head,
            members: [head],
            category: .temporary,
            state: "rejected",
            history: [
                .init(event: "submit", state: "submitted", time: at(-10)),
                .init(event: "accept", state: "accepted", time: at(-10)),
                .init(event: "startReview", state: "underReview", time: at(-9)),
                .init(event: "reject", state: "rejected", time: at(-8)),
            ],
            decision: Self.refusal
        )
        let withdrawn = StoredVersion1(
            id: "old-withdrawn",
            household: "hh-8",
            applicant: head,
            category: .temporary,
            state: "withdrawn",
            history: [
                .init(event: "submit", state: "submitted", time: at(-3)),
                .init(event: "withdraw", state: "withdrawn", time: at(-2)),
            ],
            decision: nil
        )
        let broken = StoredVersion2(
            id: "old-broken",
            household: "hh-7",
            applicant: head,
            members: [head],
            category: .temporary,
            state: "approved",
            history: [
                .init(event: "submit", state: "submitted", time: at(-3)),
                .init(event: "approve", state: "approved", time: at(-2)),
            ],
            decision: Self.approval
        )
        try await world.city.civilAffairs.store.write(purpose: nil) { db in
            try await db.put(paid)
            try await db.put(rejected)
            try await db.put(withdrawn)
        }
        let service = world.service()

        let upgraded = try await service.application(Identifier("old-paid"))
        #expect(upgraded.state == .paying)
        #expect(upgraded.payingSince == PayPeriod(containing: CalendarDate(at(-34))))
        #expect(upgraded.members == world.family)
        #expect(upgraded.district == head.addressDivision)
        #expect(upgraded.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])
        #expect(upgraded.lifecycle.history.map(\.date) == [-40, -40, -38, -35].map { CalendarDate(at($0)) })
        #expect(upgraded.lifecycle.state == .completed(result: "approved"))
        #expect(upgraded.decision == Self.approval)

        let old = try await service.application(Identifier("old-rejected"))
        #expect(old.state == .rejected)
        #expect(old.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])
        let first = try await service.application(Identifier("old-withdrawn"))
        #expect(first.state == .withdrawn)
        #expect(first.members == [head])

        // The monthly run finds the old paid household by its old state index and pays it.
        let run = try await service.payAll(for: PayPeriod("2026-12"))
        #expect(run.paid.map(\.application.rawValue) == ["old-paid"])
        #expect(run.postedNow == 3)

        // A history the life cycle cannot replay (decided without intake) is refused, by its id.
        try await world.city.civilAffairs.store.write(purpose: nil) { db in try await db.put(broken) }
        await #expect {
            try await service.application(Identifier("old-broken"))
        } throws: { error in
            guard case .store(.undecodable(_, let key, _)) = error as? AssistanceError else { return false }
            return key == "old-broken"
        }
    }
}
