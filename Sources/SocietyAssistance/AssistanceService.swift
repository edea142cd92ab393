public import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
public import SocietyOneCard
public import SocietyServices

/// The data services a household's economic verification asks: what ``AssistanceService`` needs
/// to know about the departments besides its exchange ports.
public struct VerificationPlan: Hashable, Sendable {
    /// The services asked, in order (``VerificationService/all`` by default).
    public var services: [String]

    /// A plan asking `services`, in order.
    public init(services: [String] = VerificationService.all) {
        self.services = services
    }
}

/// Social assistance as a service: intake (一门受理), household economic verification by envelopes
/// (家庭经济核查), the explained decision, payment through the one-card and completion (办结),
/// store-backed, audited and restartable after a crash without paying twice.
///
/// Every step is one transaction on the civil-affairs store, opened with one of the declared
/// ``Purposes``, and moves the application on the shared life cycle of resident services
/// (``AssistanceApplication/lifecycle``); a step the state does not allow throws and changes
/// nothing. The same transaction keeps the application desk's record of it
/// (`SocietyServices.ApplicationRecord`), so that an `ApplicationService` on the civil-affairs
/// store counts and warns about assistance applications like any other service's: their
/// deadlines run in working days from acceptance to the decision (办结) under the time limits of
/// the catalogue entry the service is given (``serviceEntry(timeLimit:department:)``). Steps that can be repeated are idempotent:
/// applying again with the same id returns the application, verifying or deciding again returns
/// what was kept, paying a period again pays nothing. A process that stops between steps — or
/// between the one-card's payment and recording it — is carried on by ``resume(period:progress:send:)``:
/// the one-card pays each instruction once by its id (``instructionID(for:period:)``).
///
/// ```swift
/// let service = AssistanceService(
///     ports: civilAffairs, exchange: civilExchange, oneCard: oneCard,
///     service: try catalogue.entry(AssistanceService.serviceCode))
/// try await service.apply(id, household: household, applicant: head, members: members, district: district)
/// try await service.verify(id) { service, request in try await exchange.deliver(request, to: service) }
/// let decided = try await service.decide(id)   // 办结, approved or rejected
/// if decided.nextStep == .pay { try await service.pay(id, period: november) }
/// ```
public struct AssistanceService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purposes {
        /// Receiving applications and reading them.
        public static let intake = Purpose(constant: "assistance.intake")
        /// The household economic verification: the purpose of the request envelopes and of the
        /// departments' reads to answer them, and of keeping the facts.
        public static let verification = Purpose(constant: "assistance.verification")
        /// Deciding and closing applications.
        public static let decision = Purpose(constant: "assistance.decision")
        /// Paying through the one-card and recording the payments.
        public static let payment = Purpose(constant: "assistance.payment")

        /// Every purpose, in the order of the workflow.
        public static let all = [intake, verification, decision, payment]
    }

    private let ports: ServicePorts
    private let oneCard: OneCardService
    private let economic: EconomicVerification
    /// The rules decisions apply.
    public let policy: AssistancePolicy
    /// The services the verification asks.
    public let verificationPlan: VerificationPlan
    /// The extras paid beside the allowance (utility-fee relief, price subsidy).
    public let extras: LowIncomeBenefits
    /// The catalogue entry applications are made under: its code, department and time limits.
    public let service: ServiceEntry

    /// A service on civil affairs' ports, its exchange ports (sealer and opener) and the one-card
    /// through which it pays, receiving applications under the catalogue entry `service`
    /// (``serviceEntry(timeLimit:department:)`` declares it; a deployment usually takes it from its
    /// catalogue, with its own time limits).
    public init(
        ports: ServicePorts,
        exchange: ExchangePorts,
        oneCard: OneCardService,
        service: ServiceEntry,
        policy: AssistancePolicy = .defaultPolicy,
        verification: VerificationPlan = VerificationPlan(),
        extras: LowIncomeBenefits = LowIncomeBenefits()
    ) {
        let ports = ports.logging(as: "assistance")
        self.ports = ports
        self.oneCard = oneCard
        self.economic = EconomicVerification(exchange: exchange, ports: ports)
        self.policy = policy
        self.verificationPlan = verification
        self.extras = extras
        self.service = service
    }

    private var logger: Logger { ports.logger }
    private var today: CalendarDate { CalendarDate(ports.clock.now()) }
    /// Who the service's moves are recorded as made by: the department running it.
    private var actor: String { service.department }

    // MARK: Intake

    /// Receives an application and accepts it (一门受理): one transaction, audited under
    /// ``Purposes/intake``.
    ///
    /// The caller chooses the id, so a retried intake returns the application already received;
    /// the same id with other contents throws ``AssistanceError/conflictingApplication(_:)``. A
    /// household has at most one open application per category
    /// (``AssistanceError/openApplicationExists(_:)``). `district` is the county-level division the
    /// application belongs to, as the desk counts it.
    @discardableResult
    public func apply(
        _ id: Identifier<AssistanceApplication>,
        household: Identifier<Household>,
        applicant: ResidentID,
        members: [ResidentID],
        category: AssistanceCategory = .minimumLiving,
        district: DivisionCode
    ) async throws(AssistanceError) -> AssistanceApplication {
        let (day, actor) = (today, actor)
        let submitted = AssistanceApplication(
            id: id,
            household: household,
            applicant: applicant,
            members: members,
            category: category,
            district: district,
            serviceCode: service.code,
            timeLimit: service.timeLimit,
            submitted: day,
            by: "applicant"
        )
        let (application, created) = try await step(.accept, id) {
            try await ports.store.write(purpose: Purposes.intake) { db in
                if let existing = try await db.get(AssistanceApplication.self, key: submitted.recordKey) {
                    guard existing.household == submitted.household, existing.applicant == submitted.applicant,
                        existing.members == submitted.members, existing.category == submitted.category,
                        existing.district == submitted.district
                    else { throw AssistanceError.conflictingApplication(id.rawValue) }
                    return (existing, false)
                }
                let others = try await db.fetch(
                    RecordQuery<AssistanceApplication>.filter("household", equals: .text(household.rawValue))
                )
                if let open = others.first(where: { !$0.lifecycle.state.isFinal && $0.category == category }) {
                    throw AssistanceError.openApplicationExists(open.id.rawValue)
                }
                var application = submitted
                try application.accept(on: day, by: actor)
                try await keep(application, in: db)
                return (application, true)
            }
        }
        log(created ? "application accepted" : "application already received", application, created: created)
        return application
    }

    /// Withdraws an application that is not decided yet (撤回), for `reason`; withdrawing a
    /// withdrawn application returns it.
    @discardableResult
    public func withdraw(
        _ id: Identifier<AssistanceApplication>,
        reason: String = "withdrawn by the applicant"
    ) async throws(AssistanceError) -> AssistanceApplication {
        let day = today
        let application = try await step(nil, id) {
            try await ports.store.write(purpose: Purposes.intake) { db in
                var application = try await Self.application(id, in: db)
                guard application.state != .withdrawn else { return application }
                try application.withdraw(reason: reason, on: day, by: "applicant")
                try await keep(application, in: db)
                return application
            }
        }
        log("application withdrawn", application)
        return application
    }

    /// The application with `id`.
    public func application(
        _ id: Identifier<AssistanceApplication>
    ) async throws(AssistanceError)
        -> AssistanceApplication
    {
        try await step(nil, id) {
            try await ports.store.read(purpose: Purposes.intake) { db in try await Self.application(id, in: db) }
        }
    }

    // MARK: Verification

    /// Verifies the household's economic situation by envelopes (家庭经济核查): one request to each
    /// service of the plan, delivered by `send` (in process in tests, over HTTP in a deployment),
    /// each answer opened against its request; then, in one transaction, keeps the facts with the
    /// digests of the envelopes that carried them and moves the application under review.
    ///
    /// Verifying an application already verified returns the facts kept, asking nobody again.
    @discardableResult
    public func verify(
        _ id: Identifier<AssistanceApplication>,
        send: (_ service: String, _ request: String) async throws -> String
    ) async throws(AssistanceError) -> HouseholdVerification {
        let (application, kept) = try await step(.verify, id) {
            try await ports.store.read(purpose: Purposes.verification) { db in
                (
                    try await Self.application(id, in: db),
                    try await db.get(HouseholdVerification.self, key: RecordKey(id.rawValue))
                )
            }
        }
        if let kept, application.state != .accepted {
            logger.debug("household already verified", metadata: metadata(application))
            return kept
        }
        guard application.state == .accepted else {
            throw failure(.illegalStep(.verify, application: id.rawValue, state: application.state), .verify, id)
        }
        let services = verificationPlan.services
        var exchanges = 0
        let facts = try await step(.verify, id) {
            try await economic.verify(
                household: application.household,
                members: application.members,
                application: id,
                services: services
            ) { service, request in
                do {
                    let answer = try await send(service, request)
                    exchanges += 1
                    logger.trace(
                        "department answered",
                        metadata: ["application": "\(id)", "service": "\(service)"]
                    )
                    return answer
                } catch let error as EnvelopeError {
                    throw error
                } catch let error as VerificationError {
                    throw error
                } catch {
                    throw DeliveryFailure(service: service, reason: "\(error)")
                }
            }
        }
        let now = ports.clock.now()
        let actor = actor
        let verification = HouseholdVerification(application: id, facts: facts, services: services, verifiedAt: now)
        let stored = try await step(.verify, id) {
            try await ports.store.write(purpose: Purposes.verification) { db in
                var current = try await Self.application(id, in: db)
                guard current.state == .accepted else {
                    // Another process verified it meanwhile: keep what it kept.
                    if let kept = try await db.get(HouseholdVerification.self, key: verification.recordKey) {
                        return kept
                    }
                    throw AssistanceError.illegalStep(.verify, application: id.rawValue, state: current.state)
                }
                try current.startReview(on: CalendarDate(now), by: actor)
                try await db.put(verification)
                try await keep(current, in: db)
                return verification
            }
        }
        var meta = metadata(application)
        meta["state"] = "\(AssistanceState.underReview.rawValue)"
        meta["services"] = "\(services.count)"
        meta["members"] = "\(application.members.count)"
        meta["exchanges"] = "\(exchanges)"
        meta["evidence"] = "\(stored.evidence.count)"
        logger.info("household verified", metadata: meta)
        return stored
    }

    /// The facts kept for an application, if it was verified.
    public func verification(
        _ id: Identifier<AssistanceApplication>
    ) async throws(AssistanceError)
        -> HouseholdVerification?
    {
        try await step(nil, id) {
            try await ports.store.read(purpose: Purposes.verification) { db in
                try await db.get(HouseholdVerification.self, key: RecordKey(id.rawValue))
            }
        }
    }

    // MARK: Decision

    /// Decides on the verified facts with the ``EligibilityEvaluator`` under ``policy``, and keeps
    /// the explained ``Decision`` with the application, approved or rejected, in one transaction:
    /// the decision completes the application on the shared life cycle (办结).
    ///
    /// Deciding a decided application returns it unchanged.
    @discardableResult
    public func decide(_ id: Identifier<AssistanceApplication>) async throws(AssistanceError) -> AssistanceApplication {
        let (day, actor) = (today, actor)
        let evaluator = EligibilityEvaluator(policy: policy, today: day)
        let (application, decidedNow) = try await step(.decide, id) {
            try await ports.store.write(purpose: Purposes.decision) { db in
                var application = try await Self.application(id, in: db)
                if application.decision != nil { return (application, false) }
                guard application.state == .underReview,
                    let verification = try await db.get(HouseholdVerification.self, key: RecordKey(id.rawValue))
                else {
                    throw AssistanceError.illegalStep(.decide, application: id.rawValue, state: application.state)
                }
                let decision = try evaluator.decide(verification.facts)
                try application.decide(decision, on: day, by: actor)
                try await keep(application, in: db)
                return (application, true)
            }
        }
        var meta = metadata(application)
        meta["policy"] = "\(policy.version)"
        meta["eligible"] = "\(application.decision?.isEligible ?? false)"
        if let category = application.decision?.category { meta["decided_category"] = "\(category.rawValue)" }
        logger.info(decidedNow ? "application decided" : "application already decided", metadata: meta)
        return application
    }

    // MARK: Payment

    /// The one-card instruction id of an application's allowance for a period: the same for every
    /// attempt, so the one-card pays it once however often it is submitted.
    public func instructionID(
        for application: Identifier<AssistanceApplication>,
        period: PayPeriod
    ) throws(AssistanceError) -> String {
        let prefix = "assist-\(period)-"
        if prefix.count + application.rawValue.count <= 64 { return prefix + application.rawValue }
        // A long id is named by its digest: still one id per application and period.
        do {
            let digest = try ports.crypto.digest(ports.profile.digest, of: Array(application.rawValue.utf8))
            return prefix + "h" + String(Hex.encode(digest).prefix(40))
        } catch {
            throw AssistanceError(error)
        }
    }

    /// The instructions that pay an approved application for `period`: the allowance to the
    /// applicant's card under ``instructionID(for:period:)``, and the ``extras`` under keys of
    /// their own (one set per household and month).
    public func instructions(
        for application: AssistanceApplication,
        period: PayPeriod
    ) throws(AssistanceError) -> [PaymentInstruction] {
        guard let decision = application.decision, decision.paysAllowance else {
            throw .nothingToPay(application.id.rawValue)
        }
        let id = try instructionID(for: application.id, period: period)
        do {
            return [
                try PaymentInstruction(
                    id: id,
                    programme: decision.category == .extremePoverty ? .extremePoverty : .minimumLiving,
                    holder: application.applicant,
                    period: period,
                    amount: decision.monthlyAmount
                )
            ] + (try extras.instructions(household: application.household, head: application.applicant, period: period))
        } catch {
            throw AssistanceError(error)
        }
    }

    /// Pays an approved application for `period` (this month by default) through
    /// `OneCardService.submit(_:)`, then records the payment and, for the first one, moves the
    /// application to paying.
    ///
    /// Paying a period again pays nothing: a period already recorded is returned as it is, and one
    /// paid but not recorded (the process stopped in between) is paid by the one-card only once,
    /// by its instruction ids.
    @discardableResult
    public func pay(
        _ id: Identifier<AssistanceApplication>,
        period: PayPeriod? = nil
    ) async throws(AssistanceError) -> AssistancePayout {
        let period = period ?? PayPeriod(containing: today)
        let key = AssistancePayment.key(id, period)
        let (application, recorded) = try await step(.pay, id) {
            try await ports.store.read(purpose: Purposes.payment) { db in
                (try await Self.application(id, in: db), try await db.get(AssistancePayment.self, key: key))
            }
        }
        if let recorded {
            logger.debug("period already paid", metadata: metadata(application, period: period))
            return AssistancePayout(application: application, payment: recorded, postedNow: 0)
        }
        guard Self.payable.contains(application.state) else {
            throw failure(.illegalStep(.pay, application: id.rawValue, state: application.state), .pay, id)
        }
        let instructions: [PaymentInstruction]
        do { instructions = try self.instructions(for: application, period: period) } catch {
            throw failure(error, .pay, id)
        }
        let outcomes: [OneCardService.PaymentOutcome]
        do { outcomes = try await oneCard.submit(instructions) } catch { throw failure(.oneCard(error), .pay, id) }
        let payout = try await record([(application, instructions, outcomes)], period: period)[0]
        var meta = metadata(payout.application, period: period)
        meta["instructions"] = "\(instructions.count)"
        meta["posted_now"] = "\(payout.postedNow)"
        logger.info("application paid", metadata: meta)
        return payout
    }

    /// The monthly payout run: pays `period` to every approved, paying, reviewed or completed
    /// application with an allowance that has no payment recorded for it, in batches of
    /// `batchSize` (one one-card transaction and one store transaction each).
    ///
    /// A batch the one-card refuses (a holder without a current card) is paid application by
    /// application, and the refusals are reported rather than stopping the run. Running it again
    /// pays nothing twice.
    public func payAll(
        for period: PayPeriod,
        batchSize: Int = 200,
        progress: ProgressHandler? = nil
    ) async throws(AssistanceError) -> PayoutRun {
        let due = try await step(.pay, nil) {
            try await ports.store.read(purpose: Purposes.payment) { db in
                var due: [AssistanceApplication] = []
                // Records stored before schema 3 keep the state index of their time, when a paid
                // household could be `reviewed` or `completed`: asked for too, and judged by the
                // state they upgrade to.
                let states = (Self.payable.map(\.rawValue) + ["reviewed", "completed"]).map { IndexValue.text($0) }
                try await db.forEach(RecordQuery<AssistanceApplication>.filter("state", .among(states))) {
                    application in
                    if Self.payable.contains(application.state), application.decision?.paysAllowance == true,
                        try await db.get(AssistancePayment.self, key: AssistancePayment.key(application.id, period))
                            == nil
                    {
                        due.append(application)
                    }
                    return true
                }
                return due.sorted { $0.id < $1.id }
            }
        }
        var run = PayoutRun(period: period)
        var meter = ProgressMeter(
            "assistance payout \(period)",
            total: due.count,
            every: max(1, batchSize),
            handler: progress
        )
        var start = 0
        while start < due.count {
            let batch = Array(due[start..<min(due.count, start + max(1, batchSize))])
            start += batch.count
            var planned: [(AssistanceApplication, [PaymentInstruction])] = []
            for application in batch {
                do { planned.append((application, try instructions(for: application, period: period))) } catch {
                    run.refused.append(PayoutRun.Refusal(application: application.id, error: error))
                }
            }
            var paid: [(AssistanceApplication, [PaymentInstruction], [OneCardService.PaymentOutcome])] = []
            if planned.isEmpty {
                meter.advance(by: batch.count)
                continue
            }
            do {
                let outcomes = try await oneCard.submit(planned.flatMap(\.1))
                var offset = 0
                for (application, instructions) in planned {
                    paid.append((application, instructions, Array(outcomes[offset..<offset + instructions.count])))
                    offset += instructions.count
                }
            } catch {
                // One refusal refuses the whole batch: pay the applications one by one.
                for (application, instructions) in planned {
                    do {
                        paid.append((application, instructions, try await oneCard.submit(instructions)))
                    } catch {
                        run.refused.append(PayoutRun.Refusal(application: application.id, error: .oneCard(error)))
                    }
                }
            }
            for payout in try await record(paid, period: period) {
                run.paid.append(payout.payment)
                run.postedNow += payout.postedNow
            }
            meter.advance(by: batch.count)
        }
        meter.finish()
        logger.info(
            "payout run",
            metadata: [
                "period": "\(period)", "due": "\(due.count)", "paid": "\(run.paid.count)",
                "refused": "\(run.refused.count)", "posted_now": "\(run.postedNow)",
            ]
        )
        return run
    }

    /// The payment recorded for an application and period, if any.
    public func payment(
        _ id: Identifier<AssistanceApplication>,
        period: PayPeriod
    ) async throws(AssistanceError) -> AssistancePayment? {
        try await step(nil, id) {
            try await ports.store.read(purpose: Purposes.payment) { db in
                try await db.get(AssistancePayment.self, key: AssistancePayment.key(id, period))
            }
        }
    }

    // MARK: Restart

    /// The applications with a step of the service still to run, and that step: after a restart,
    /// what a process stopped in the middle of.
    public func pending() async throws(AssistanceError) -> [PendingApplication] {
        try await step(nil, nil) {
            try await ports.store.read(purpose: Purposes.intake) { db in
                var pending: [PendingApplication] = []
                let states = Self.stepStates.map { IndexValue.text($0.rawValue) }
                try await db.forEach(RecordQuery<AssistanceApplication>.filter("state", .among(states))) {
                    application in
                    if let next = application.nextStep {
                        pending.append(PendingApplication(id: application.id, state: application.state, next: next))
                    }
                    return true
                }
                return pending.sorted { $0.id < $1.id }
            }
        }
    }

    /// Carries every pending application on as far as the service can, step by step: acceptance,
    /// verification through `send`, the decision (办结), the first payment for `period` (this month
    /// by default). Each step is
    /// idempotent, so an application whose step had half happened before a crash — paid by the
    /// one-card but not recorded — is finished without paying twice.
    ///
    /// An application whose step fails is reported in ``ResumeReport/failed`` and left where it
    /// is; the others go on.
    public func resume(
        period: PayPeriod? = nil,
        progress: ProgressHandler? = nil,
        send: (_ service: String, _ request: String) async throws -> String
    ) async throws(AssistanceError) -> ResumeReport {
        let pending = try await pending()
        var report = ResumeReport()
        var meter = ProgressMeter("assistance resume", total: pending.count, every: 10, handler: progress)
        for entry in pending {
            do throws(AssistanceError) {
                var application = try await application(entry.id)
                while let next = application.nextStep {
                    let before = application.state
                    switch next {
                    case .accept: application = try await accept(entry.id)
                    case .verify:
                        try await verify(entry.id, send: send)
                        application = try await self.application(entry.id)
                    case .decide: application = try await decide(entry.id)
                    case .pay: application = try await pay(entry.id, period: period).application
                    }
                    // A step that moved nothing would be asked again forever: stop there.
                    guard application.state != before else {
                        throw AssistanceError.illegalStep(next, application: entry.id.rawValue, state: before)
                    }
                }
                report.completed.append(application)
            } catch {
                report.failed.append(ResumeReport.Failure(application: entry.id, step: entry.next, error: error))
            }
            meter.advance()
        }
        meter.finish()
        logger.info(
            "resumed pending applications",
            metadata: [
                "pending": "\(pending.count)", "completed": "\(report.completed.count)",
                "failed": "\(report.failed.count)",
            ]
        )
        return report
    }

    /// Accepts a submitted application (intake done elsewhere, or stopped after submission).
    func accept(_ id: Identifier<AssistanceApplication>) async throws(AssistanceError) -> AssistanceApplication {
        let (day, actor) = (today, actor)
        let application = try await step(.accept, id) {
            try await ports.store.write(purpose: Purposes.intake) { db in
                var application = try await Self.application(id, in: db)
                guard application.state == .submitted else { return application }
                try application.accept(on: day, by: actor)
                try await keep(application, in: db)
                return application
            }
        }
        log("application accepted", application)
        return application
    }

    // MARK: Helpers

    /// The states in which an application with an allowance is paid.
    static let payable: [AssistanceState] = [.approved, .paying]
    /// The states in which a step of the service may be next.
    static let stepStates: [AssistanceState] = [.submitted, .accepted, .underReview, .approved]

    /// Puts the application and, beside it in the same transaction, the application desk's record
    /// of it: the shared life cycle with the applicant (the household, through its applicant), the
    /// department and the district.
    private func keep(_ application: AssistanceApplication, in db: any RecordWriting) async throws {
        try await db.put(application)
        try await db.put(
            ApplicationRecord(
                application: application.lifecycle,
                applicant: .household(head: application.applicant),
                department: service.department,
                district: application.district
            )
        )
    }

    /// Records paid applications in one transaction: a payment record each, and the first
    /// payment's move to paying.
    private func record(
        _ paid: [(AssistanceApplication, [PaymentInstruction], [OneCardService.PaymentOutcome])],
        period: PayPeriod
    ) async throws(AssistanceError) -> [AssistancePayout] {
        guard !paid.isEmpty else { return [] }
        let now = ports.clock.now()
        let payments = paid.map { application, instructions, outcomes in
            (
                application.id,
                AssistancePayment(
                    application: application.id,
                    period: period,
                    instructions: instructions,
                    recordedAt: now
                ),
                outcomes.filter {
                    if case .posted = $0 { return true }
                    return false
                }.count
            )
        }
        return try await step(.pay, paid.count == 1 ? paid[0].0.id : nil) {
            try await ports.store.write(purpose: Purposes.payment) { db in
                var payouts: [AssistancePayout] = []
                for (id, payment, postedNow) in payments {
                    var application = try await Self.application(id, in: db)
                    if let kept = try await db.get(AssistancePayment.self, key: payment.recordKey) {
                        payouts.append(AssistancePayout(application: application, payment: kept, postedNow: postedNow))
                        continue
                    }
                    guard Self.payable.contains(application.state) else {
                        throw AssistanceError.illegalStep(.pay, application: id.rawValue, state: application.state)
                    }
                    if application.state == .approved {
                        try application.startPaying(period)
                        try await keep(application, in: db)
                    }
                    try await db.put(payment)
                    payouts.append(AssistancePayout(application: application, payment: payment, postedNow: postedNow))
                }
                return payouts
            }
        }
    }

    static func application(
        _ id: Identifier<AssistanceApplication>,
        in db: any RecordReading
    ) async throws -> AssistanceApplication {
        guard let application = try await db.get(AssistanceApplication.self, key: RecordKey(id.rawValue)) else {
            throw AssistanceError.unknownApplication(id.rawValue)
        }
        return application
    }

    /// Runs a port call, turning what it throws into the module's error and logging the refusal
    /// by its kind (never its text, which may quote a department's answer).
    private func step<T>(
        _ step: AssistanceStep?,
        _ id: Identifier<AssistanceApplication>?,
        _ body: () async throws -> T
    ) async throws(AssistanceError) -> T {
        do {
            return try await body()
        } catch {
            throw failure(AssistanceError(error), step, id)
        }
    }

    private func failure(
        _ error: AssistanceError,
        _ step: AssistanceStep?,
        _ id: Identifier<AssistanceApplication>?
    ) -> AssistanceError {
        var meta: Logger.Metadata = ["error": "\(error.kind)"]
        if let step { meta["step"] = "\(step.rawValue)" }
        if let id { meta["application"] = "\(id)" }
        logger.notice("assistance step refused", metadata: meta)
        return error
    }

    private func metadata(_ application: AssistanceApplication, period: PayPeriod? = nil) -> Logger.Metadata {
        var meta: Logger.Metadata = [
            "application": "\(application.id)",
            "state": "\(application.state.rawValue)",
            "category": "\(application.category.rawValue)",
        ]
        if let period { meta["period"] = "\(period)" }
        return meta
    }

    private func log(_ message: Logger.Message, _ application: AssistanceApplication, created: Bool = true) {
        if created {
            logger.info(message, metadata: metadata(application))
        } else {
            logger.debug(message, metadata: metadata(application))
        }
    }
}

/// A payment made for one application and month, as civil affairs records it beside the
/// one-card's ledger: which instructions paid it, and when it was recorded.
public struct AssistancePayment: Hashable, Sendable, Codable {
    /// One instruction of the payment.
    public struct Line: Hashable, Sendable, Codable {
        /// The one-card instruction id (its idempotency key).
        public let instruction: String
        /// The programme paid.
        public let programme: Programme
        /// The amount.
        public let amount: Money
    }

    /// The application paid.
    public let application: Identifier<AssistanceApplication>
    /// The month paid.
    public let period: PayPeriod
    /// The instructions the one-card posted: the allowance, then the extras.
    public let lines: [Line]
    /// When the payment was recorded.
    public let recordedAt: Date

    /// The record of `instructions` paid for `application` and `period`.
    public init(
        application: Identifier<AssistanceApplication>,
        period: PayPeriod,
        instructions: [PaymentInstruction],
        recordedAt: Date
    ) {
        self.application = application
        self.period = period
        self.lines = instructions.map { Line(instruction: $0.id, programme: $0.programme, amount: $0.amount) }
        self.recordedAt = recordedAt
    }

    /// The sum of the lines.
    public var total: Money { lines.reduce(Money.zero) { (try? $0.adding($1.amount)) ?? $0 } }

    static func key(_ application: Identifier<AssistanceApplication>, _ period: PayPeriod) -> RecordKey {
        RecordKey("\(application.rawValue)@\(period)")
    }
}

extension AssistancePayment: StorableRecord {
    /// The table name.
    public static let recordKind = "assistance_payment"
    /// What a household is paid is personal data.
    public static let sensitiveFields: Set<String> = ["lines"]
    /// Payments by application and by month.
    public static let indexes: [RecordIndex<AssistancePayment>] = [
        RecordIndex("application") { .text($0.application.rawValue) },
        RecordIndex("period") { .integer($0.period.number) },
    ]
    /// One payment per application and month.
    public var recordKey: RecordKey { Self.key(application, period) }
}

/// What ``AssistanceService/pay(_:period:)`` did.
public struct AssistancePayout: Hashable, Sendable {
    /// The application after the payment (paying after its first).
    public let application: AssistanceApplication
    /// The payment recorded.
    public let payment: AssistancePayment
    /// How many instructions the one-card posted by this call: 0 when the period had been paid.
    public let postedNow: Int
}

/// What ``AssistanceService/payAll(for:batchSize:progress:)`` did.
public struct PayoutRun: Hashable, Sendable {
    /// An application the run could not pay, and why.
    public struct Refusal: Hashable, Sendable {
        /// The application.
        public let application: Identifier<AssistanceApplication>
        /// Why (``AssistanceError/oneCard(_:)`` for a holder without a current card).
        public let error: AssistanceError
    }

    /// The month paid.
    public let period: PayPeriod
    /// The payments recorded by this run.
    public var paid: [AssistancePayment] = []
    /// The applications not paid.
    public var refused: [Refusal] = []
    /// How many instructions the one-card posted: fewer than the run's instructions when some had
    /// been posted before a crash.
    public var postedNow = 0

    init(period: PayPeriod) { self.period = period }
}

/// An application not closed yet, and the step that carries it on.
public struct PendingApplication: Hashable, Sendable {
    /// The application.
    public let id: Identifier<AssistanceApplication>
    /// Where it is.
    public let state: AssistanceState
    /// What comes next.
    public let next: AssistanceStep

    /// An entry of ``AssistanceService/pending()``.
    public init(id: Identifier<AssistanceApplication>, state: AssistanceState, next: AssistanceStep) {
        self.id = id
        self.state = state
        self.next = next
    }
}

/// What ``AssistanceService/resume(period:progress:send:)`` did.
public struct ResumeReport: Hashable, Sendable {
    /// An application that could not be carried on, and why.
    public struct Failure: Hashable, Sendable {
        /// The application.
        public let application: Identifier<AssistanceApplication>
        /// The step it was waiting for when the resume began.
        public let step: AssistanceStep
        /// Why it stopped.
        public let error: AssistanceError
    }

    /// The applications carried on as far as the service can take them (decided, and paid once
    /// when an allowance is due).
    public var completed: [AssistanceApplication] = []
    /// The applications that stopped on an error, left where they were.
    public var failed: [Failure] = []
}

extension AssistanceService {
    /// The catalogue code assistance applications are made under in the reference catalogue.
    public static let serviceCode = "assistance-application"

    /// The catalogue entry for the minimum living allowance (最低生活保障) as this module declares
    /// it: the application itself is the form, and every fact — employment and income, property,
    /// the household register and vehicles, businesses, deposits, health and disability — is
    /// fetched by envelope from the department holding it (the services of ``VerificationService``)
    /// instead of being asked for on paper: the applicant hands in nothing. The outcome is a
    /// decision.
    ///
    /// The time limits are the deployment's (the province's rules set them); `department` is the
    /// party name of the department running the service in the trust list.
    public static func serviceEntry(
        timeLimit: TimeLimit,
        department: String = "civil-affairs"
    ) throws(CatalogueError) -> ServiceEntry {
        let replaced = [
            (VerificationService.labour, "employment and wage certificates"),
            (VerificationService.property, "real-estate certificates"),
            (VerificationService.population, "household register and vehicle records"),
            (VerificationService.business, "business registration records"),
            (VerificationService.health, "medical expense receipts"),
            (VerificationService.disability, "disability assessment"),
            (VerificationService.deposits, "bank statements"),
        ]
        return try ServiceEntry(
            code: serviceCode,
            name: "最低生活保障申请 (minimum living allowance)",
            department: department,
            legalBasis: ["社会救助暂行办法"],
            applicant: .household,
            materials: replaced.map { ServiceEntry.Material.exchange(service: $0.0, replaces: $0.1) },
            channels: [.online, .counter],
            timeLimit: timeLimit,
            outcome: .decision
        )
    }
}
