import Foundation
import SocietyAssistance
import SocietyCore
import SocietyExchange
import SocietyOneCard
import SocietyOpenSSL
import SocietyServices
import SocietyTesting
import Synchronization
import Testing

/// The assistance workflow as a service, on in-memory stores: civil affairs, two departments
/// answering by envelope, and the one-card.
@Suite("AssistanceService on the in-memory store")
struct AssistanceServiceTests {
    /// A world whose every store is in memory, audited under its own party.
    func world(
        _ profile: VerificationProfile = .standard,
        dwellings: Int = 1
    ) async throws -> AssistanceWorld<InMemoryStore> {
        let city = try VerificationCity<InMemoryStore>(crypto: OpenSSLCryptoProvider(), profile: profile) {
            _,
            actor,
            clock in
            let store = try InMemoryStore(clock: clock, actor: actor.text, origin: "test", profile: profile.storage)
            return (store, store.auditLog)
        }
        let oneCardStore = try InMemoryStore(
            clock: city.clock,
            actor: "91320214745555318W/onecard",
            profile: profile.storage
        )
        return try await AssistanceWorld(
            city: city,
            oneCardStore: oneCardStore,
            oneCardKeys: oneCardStore.keys,
            dwellings: dwellings
        )
    }

    @Test(
        "intake, verification by envelope, an explained decision (办结), payment through the one-card",
        arguments: [VerificationProfile.standard, .national]
    )
    func fullFlow(profile: VerificationProfile) async throws {
        let world = try await world(profile)
        let service = world.service()
        let id = try Identifier<AssistanceApplication>("app-1")

        let received = try await world.applyFamily(service)
        #expect(received.state == .accepted)
        #expect(received.members == world.family)
        #expect(received.nextStep == .verify)

        let verification = try await service.verify(id, send: world.send)
        #expect(try await service.application(id).state == .underReview)
        #expect(verification.services == VerificationCity<InMemoryStore>.services)
        #expect(verification.evidence.map(\.service) == VerificationCity<InMemoryStore>.services)
        for source in verification.evidence {
            #expect(source.envelopeDigest.hasPrefix("\(profile.storage.digest.rawValue):"))
        }
        #expect(verification.facts.members[0].number(VerificationService.labour, "monthlyWage")?.0 == 180_000)
        #expect(try await service.verification(id) == verification)

        let decided = try await service.decide(id)
        #expect(decided.state == .approved)
        let decision = try #require(decided.decision)
        #expect(decision.category == .minimumLiving)
        #expect(decision.monthlyAmount == Money(fen: 108_000))
        #expect(decision.policyVersion == AssistancePolicy.defaultPolicy.version)
        #expect(decision.results[0].facts.first?.source.envelopeDigest == verification.evidence[0].envelopeDigest)
        #expect(decided.nextStep == .pay)

        let payout = try await service.pay(id, period: AssistanceWorld<InMemoryStore>.period)
        #expect(payout.application.state == .paying)
        #expect(payout.postedNow == 3)
        #expect(payout.payment.lines.map(\.instruction).first == "assist-2026-11-app-1")
        #expect(payout.payment.lines.map(\.programme) == [.minimumLiving, .utilityFeeRelief, .priceSubsidy])
        #expect(payout.payment.total == Money(fen: 117_000))
        let totals = try await world.oneCard.totals()
        #expect(totals.records == 3)
        #expect(totals.total == Money(fen: 117_000))

        // The application ran on the shared life cycle: accepted, reviewed, completed by the decision.
        let paid = try await service.application(id)
        #expect(paid.nextStep == nil)
        #expect(paid.payingSince == AssistanceWorld<InMemoryStore>.period)
        #expect(paid.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])
        #expect(
            paid.lifecycle.history.map(\.actor) == ["applicant", "civil-affairs", "civil-affairs", "civil-affairs"]
        )
        #expect(paid.lifecycle.state == .completed(result: AssistanceApplication.approvedResult))
        #expect(paid.lifecycle.serviceCode == AssistanceService.serviceCode)
        #expect(paid.lifecycle.timeLimit == world.entry.timeLimit)
        #expect(try await service.pending().isEmpty)

        // Each step was one transaction under its declared purpose, audited in civil affairs' log.
        let entries = try await world.city.auditEntries(of: world.city.civilAffairs)
        let written = Set(entries.filter { $0.action == "put" }.map(\.purpose))
        #expect(written == Set(AssistanceService.Purposes.all.map(\.code)))
        #expect(try await world.city.civilAffairs.log.verify().isValid)
    }

    @Test("paying again pays nothing: not the same application, not the monthly run")
    func payOnce() async throws {
        let world = try await world()
        let service = world.service()
        let id = try Identifier<AssistanceApplication>("app-1")
        let period = AssistanceWorld<InMemoryStore>.period
        _ = try await world.applyFamily(service)
        try await service.verify(id, send: world.send)
        try await service.decide(id)

        let first = try await service.pay(id, period: period)
        let again = try await service.pay(id, period: period)
        #expect(first.postedNow == 3)
        #expect(again.postedNow == 0)
        #expect(again.payment == first.payment)
        let run = try await service.payAll(for: period)
        #expect(run.paid.isEmpty)
        #expect(run.postedNow == 0)
        #expect(try await world.ledgerRecords() == 3)

        // Another month is another payment, under its own instruction ids.
        let next = try PayPeriod("2026-12")
        let december = try await service.pay(id, period: next)
        #expect(december.postedNow == 3)
        #expect(december.payment.lines[0].instruction == "assist-2026-12-app-1")
        #expect(try await world.ledgerRecords() == 6)
    }

    /// Where a process stops before a new one takes over.
    enum Crash: String, CaseIterable, CustomTestStringConvertible {
        case afterIntake, afterVerification, afterDecision, afterOneCardPaid, afterPayment

        var testDescription: String { rawValue }
    }

    @Test(
        "a process stopped between steps is resumed by a new one, and nothing is paid twice",
        arguments: Crash.allCases
    )
    func resumeAfterCrash(crash: Crash) async throws {
        let world = try await world()
        let id = try Identifier<AssistanceApplication>("app-1")
        let period = AssistanceWorld<InMemoryStore>.period
        do {
            let first = world.service()
            _ = try await world.applyFamily(first)
            if crash != .afterIntake { try await first.verify(id, send: world.send) }
            if crash != .afterIntake && crash != .afterVerification {
                let decided = try await first.decide(id)
                switch crash {
                case .afterOneCardPaid:
                    // The one-card posted the month, and the process stopped before recording it.
                    _ = try await world.oneCard.submit(try first.instructions(for: decided, period: period))
                    #expect(try await world.ledgerRecords() == 3)
                case .afterPayment: try await first.pay(id, period: period)
                default: break
                }
            }
        }

        let restarted = world.service()
        let pending = try await restarted.pending()
        // Paid once, the application has nothing left for the service to do: later months are
        // the monthly run's.
        let expected: (AssistanceState, AssistanceStep)? =
            switch crash {
            case .afterIntake: (.accepted, .verify)
            case .afterVerification: (.underReview, .decide)
            case .afterDecision, .afterOneCardPaid: (.approved, .pay)
            case .afterPayment: nil
            }
        #expect(pending == (expected.map { [PendingApplication(id: id, state: $0.0, next: $0.1)] } ?? []))

        let report = try await restarted.resume(period: period, send: world.send)
        #expect(report.failed.isEmpty)
        #expect(report.completed.map(\.state) == (expected == nil ? [] : [.paying]))
        #expect(try await restarted.pending().isEmpty)
        #expect(try await world.ledgerRecords() == 3)
        let payment = try #require(try await restarted.payment(id, period: period))
        #expect(payment.total == Money(fen: 117_000))
        let resumed = try await restarted.application(id)
        #expect(resumed.state == .paying)
        #expect(resumed.lifecycle.history.map(\.name) == ["submit", "accept", "review", "complete"])
    }

    @Test("illegal moves throw and change nothing")
    func illegalMoves() async throws {
        let world = try await world()
        let service = world.service()
        let id = try Identifier<AssistanceApplication>("app-1")
        let period = AssistanceWorld<InMemoryStore>.period
        let accepted = try await world.applyFamily(service)

        await #expect(throws: AssistanceError.illegalStep(.decide, application: "app-1", state: .accepted)) {
            try await service.decide(id)
        }
        await #expect(throws: AssistanceError.illegalStep(.pay, application: "app-1", state: .accepted)) {
            try await service.pay(id, period: period)
        }
        #expect(try await service.application(id) == accepted)

        // The same id with other members, and a second open application for the household.
        await #expect(throws: AssistanceError.conflictingApplication("app-1")) {
            try await service.apply(
                id,
                household: world.household,
                applicant: world.family[0],
                members: [],
                district: try AssistanceWorld<InMemoryStore>.district
            )
        }
        await #expect(throws: AssistanceError.openApplicationExists("app-1")) {
            try await world.applyFamily(service, id: "app-2")
        }
        await #expect(throws: AssistanceError.unknownApplication("app-2")) {
            try await service.application(Identifier("app-2"))
        }
        #expect(try await service.application(id) == accepted)

        try await service.verify(id, send: world.send)
        let reviewed = try await service.application(id)
        await #expect(throws: AssistanceError.illegalStep(.pay, application: "app-1", state: .underReview)) {
            try await service.pay(id, period: period)
        }
        #expect(try await service.application(id) == reviewed)

        let approved = try await service.decide(id)
        // Decided is completed (办结) on the shared life cycle: too late to withdraw.
        await #expect(
            throws: AssistanceError.transition(.move(.illegal(move: "withdraw", from: "completed")))
        ) {
            try await service.withdraw(id)
        }
        #expect(try await service.application(id) == approved)
        #expect(try await world.ledgerRecords() == 0)
        // Repeating a step that is done returns what it did.
        #expect(try await service.decide(id) == approved)
        #expect(try await service.verify(id, send: world.send).application == id)
    }

    @Test("a withdrawn application cannot be verified; a refused one is completed without payment")
    func withdrawnAndRejected() async throws {
        let world = try await world(dwellings: 2)
        let service = world.service()
        let id = try Identifier<AssistanceApplication>("app-1")
        _ = try await world.applyFamily(service)
        let withdrawn = try await service.withdraw(id, reason: "moved away")
        #expect(withdrawn.state == .withdrawn)
        #expect(withdrawn.lifecycle.state == .withdrawn(reason: "moved away"))
        await #expect(throws: AssistanceError.illegalStep(.verify, application: "app-1", state: .withdrawn)) {
            try await service.verify(id, send: world.send)
        }
        #expect(try await service.pending().isEmpty)

        // A withdrawn application no longer blocks a new one; two dwellings refuse it.
        let other = try Identifier<AssistanceApplication>("app-2")
        _ = try await world.applyFamily(service, id: "app-2")
        try await service.verify(other, send: world.send)
        let rejected = try await service.decide(other)
        #expect(rejected.state == .rejected)
        #expect(rejected.decision?.explanation.contains("2 dwelling(s)") == true)
        #expect(rejected.nextStep == nil)
        #expect(rejected.lifecycle.state == .completed(result: AssistanceApplication.rejectedResult))
        await #expect(throws: AssistanceError.illegalStep(.pay, application: "app-2", state: .rejected)) {
            try await service.pay(other)
        }
        #expect(try await world.ledgerRecords() == 0)
    }

    @Test("the monthly run pays every approved application once, reports progress, and refuses a holder without a card")
    func payoutRun() async throws {
        let world = try await world()
        let service = world.service()
        let period = AssistanceWorld<InMemoryStore>.period
        // The family, and an elderly resident living alone with no income: extreme poverty.
        let elderly = try ResidentID("321202194601010018", today: AssistanceWorld<InMemoryStore>.today)
        try await AssistanceWorld<InMemoryStore>.issueCard(
            to: elderly,
            account: try AssistanceWorld<InMemoryStore>.account(2),
            number: "T00000002",
            oneCard: world.oneCard
        )
        // A third household, approved, whose head has no card.
        let uncarded = try ResidentID("11010519491231002X", today: AssistanceWorld<InMemoryStore>.today)
        _ = try await world.applyFamily(service)
        try await service.apply(
            Identifier("app-2"),
            household: Identifier("hh-2"),
            applicant: elderly,
            members: [elderly],
            district: try AssistanceWorld<InMemoryStore>.district
        )
        try await service.apply(
            Identifier("app-3"),
            household: Identifier("hh-3"),
            applicant: uncarded,
            members: [uncarded],
            district: try AssistanceWorld<InMemoryStore>.district
        )
        for id in ["app-1", "app-2", "app-3"] {
            try await service.verify(Identifier(id), send: world.send)
            #expect(try await service.decide(Identifier(id)).state == .approved)
        }
        #expect(try await service.application(Identifier("app-2")).decision?.category == .extremePoverty)

        let reports = Reports()
        let run = try await service.payAll(for: period, batchSize: 2) { reports.append($0) }
        #expect(run.paid.map(\.application.rawValue) == ["app-1", "app-2"])
        #expect(run.refused.map(\.application.rawValue) == ["app-3"])
        #expect(run.refused.first?.error == .oneCard(.noCurrentCard))
        #expect(run.postedNow == 6)
        #expect(reports.all.last == WorkProgress(task: "assistance payout \(period)", completed: 3, total: 3))
        #expect(try await service.application(Identifier("app-2")).state == .paying)
        #expect(try await service.application(Identifier("app-3")).state == .approved)

        let again = try await service.payAll(for: period)
        #expect(again.paid.isEmpty)
        #expect(again.refused.map(\.application.rawValue) == ["app-3"])
        #expect(try await world.ledgerRecords() == 6)
        let pending = try await service.pending()
        #expect(pending.map(\.next) == [.pay])
    }

    @Test("the service logs metadata at trace level and never an identity number, phone number or bank account")
    func logsNothingPersonal() async throws {
        let world = try await world()
        let service = world.service()
        let id = try Identifier<AssistanceApplication>("app-1")
        _ = try await world.applyFamily(service)
        try await service.verify(id, send: world.send)
        try await service.decide(id)
        try await service.pay(id)
        try await service.pay(id)
        await #expect(throws: AssistanceError.self) { try await service.verify(Identifier("app-9"), send: world.send) }

        let lines = world.logs.lines.map(\.description)
        #expect(lines.contains { $0.hasPrefix("trace department answered") })
        #expect(lines.contains { $0.contains("household verified") && $0.contains("component=assistance") })
        #expect(lines.contains { $0.contains("assistance step refused") && $0.contains("error=unknownApplication") })
        let text = lines.joined(separator: "\n")
        for resident in world.family { #expect(!text.contains(resident.unmasked), "\(resident.masked) in the log") }
        #expect(!text.contains(world.account.unmasked))
        // No number of 11 digits or more standing alone: no identity number, mobile number or bank
        // account in any form. (Inside a random hex id such as `card-1e5dc93741292747` a run of
        // digits is chance, not a number: the word boundaries leave it out.)
        #expect(text.firstMatch(of: /\b\d{11,}[\dX]?\b/) == nil)
    }
}

/// Progress reports, collected from whatever thread sends them.
final class Reports: Sendable {
    private let reports = Mutex<[WorkProgress]>([])
    func append(_ report: WorkProgress) { reports.withLock { $0.append(report) } }
    var all: [WorkProgress] { reports.withLock { $0 } }
}
