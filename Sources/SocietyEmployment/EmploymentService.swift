import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
public import SocietyOneCard
public import SocietyServices

/// The public employment service of human resources and social security (plan item 5):
/// unemployment registration, unemployment-insurance benefit paid through the one-card, the
/// employment-difficulty certification and the subsidies decided by rules, job-fair places, and the
/// unemployment early warning (``UnemploymentWarning``).
///
/// Built from the department's ``SocietyCore/ServicePorts`` and the ``SocietyOneCard/OneCardService``
/// it pays through. Every operation is one store transaction under one of the ``Purposes`` and
/// throws ``EmploymentError`` only. Claims and subsidy applications run on the shared application
/// life cycle (``SocietyServices/ServiceApplication``), with a desk record beside each so the
/// deadlines and counts of the one network include them.
///
/// ```swift
/// let employment = EmploymentService(ports: ports, oneCard: oneCard)
/// try await employment.register(try UnemploymentRegistration(id: "reg-1", resident: resident, …))
/// let claim = try await employment.claimBenefit(id: "ub-1", resident: resident)
/// let run = try await employment.payBenefits(for: try PayPeriod("2026-12"))
/// ```
public struct EmploymentService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purposes {
        /// Unemployment registrations and their endings.
        public static let registrations = Purpose(constant: "employment.registrations")
        /// Contribution histories received from the social-insurance agency.
        public static let contributions = Purpose(constant: "employment.contributions")
        /// Benefit claims and their decisions.
        public static let claims = Purpose(constant: "employment.benefit-claims")
        /// Benefit and subsidy payments.
        public static let payments = Purpose(constant: "employment.payments")
        /// Difficulty certification and subsidy applications.
        public static let subsidies = Purpose(constant: "employment.subsidies")
        /// Job fairs and their bookings.
        public static let fairs = Purpose(constant: "employment.job-fairs")
        /// Statistics for the unemployment early warning.
        public static let statistics = Purpose(constant: "employment.statistics")

        /// Every purpose above.
        public static let all = [registrations, contributions, claims, payments, subsidies, fairs, statistics]
    }

    /// The catalogue codes of the services this module runs.
    public enum ServiceCode {
        /// 失业保险金申领.
        public static let benefit = "unemployment-benefit"
        /// 就业困难人员认定.
        public static let difficulty = EmploymentApplication.Kind.difficulty.rawValue
        /// 技能提升补贴.
        public static let skillSubsidy = EmploymentApplication.Kind.skillSubsidy.rawValue
        /// 一次性创业补贴.
        public static let startupSubsidy = EmploymentApplication.Kind.startupSubsidy.rawValue
    }

    let ports: ServicePorts
    /// The one-card service benefits and subsidies are paid through.
    public let oneCard: OneCardService
    /// The benefit's rules.
    public let benefit: UnemploymentBenefit.Policy
    /// The skill-upgrade subsidy's rules.
    public let skill: SkillSubsidyPolicy
    /// The entrepreneurship subsidy's rules.
    public let startup: EntrepreneurshipPolicy
    /// The difficulty certification's rules.
    public let difficulty: DifficultyPolicy
    /// The department name on the desk's records.
    public let department: String

    /// A service on the department's ports, logging as component `employment`.
    public init(
        ports: ServicePorts,
        oneCard: OneCardService,
        benefit: UnemploymentBenefit.Policy = .national,
        skill: SkillSubsidyPolicy = .standard,
        startup: EntrepreneurshipPolicy = .standard,
        difficulty: DifficultyPolicy = .standard,
        department: String = "hrss"
    ) {
        self.ports = ports.logging(as: "employment")
        self.oneCard = oneCard
        self.benefit = benefit
        self.skill = skill
        self.startup = startup
        self.difficulty = difficulty
        self.department = department
    }

    var store: any RecordStore { ports.store }
    var logger: Logger { ports.logger }
    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    /// The catalogue entries of the services this module runs: each decided by rules on data the
    /// department holds or fetches by envelope, so no paper is asked for.
    public static func catalogue(
        department: String = "hrss",
        timeLimit: TimeLimit
    ) throws(CatalogueError) -> [ServiceEntry] {
        [
            try ServiceEntry(
                code: ServiceCode.benefit,
                name: "失业保险金申领 (unemployment-insurance benefit)",
                department: department,
                legalBasis: ["失业保险条例"],
                applicant: .resident,
                materials: [
                    .exchange(service: "hrss.contributions", replaces: "contribution record"),
                    .exchange(service: "hrss.employment-registrations", replaces: "proof of job loss"),
                ],
                channels: [.online, .counter],
                timeLimit: timeLimit,
                outcome: .payment
            ),
            try ServiceEntry(
                code: ServiceCode.difficulty,
                name: "就业困难人员认定 (employment-difficulty certification)",
                department: department,
                legalBasis: ["就业促进法"],
                applicant: .resident,
                materials: [
                    .exchange(service: "assistance.facts", replaces: "dibao certificate"),
                    .exchange(service: "dpf.facts", replaces: "disability certificate"),
                ],
                channels: [.online, .counter],
                timeLimit: timeLimit,
                outcome: .decision
            ),
            try ServiceEntry(
                code: ServiceCode.skillSubsidy,
                name: "技能提升补贴 (skill-upgrade subsidy)",
                department: department,
                legalBasis: ["失业保险条例", "人社部发〔2017〕40号"],
                applicant: .resident,
                materials: [.document(name: "vocational skill certificate")],
                channels: [.online],
                timeLimit: timeLimit,
                outcome: .payment
            ),
            try ServiceEntry(
                code: ServiceCode.startupSubsidy,
                name: "一次性创业补贴 (one-time entrepreneurship subsidy)",
                department: department,
                legalBasis: ["就业促进法"],
                applicant: .resident,
                materials: [.exchange(service: "amr.facts", replaces: "business licence")],
                channels: [.online, .counter],
                timeLimit: timeLimit,
                outcome: .payment
            ),
        ]
    }

    // MARK: Registrations

    /// Registers a person as unemployed. Registering the same id again returns the registration
    /// kept; a second active registration of the same person is refused.
    @discardableResult
    public func register(
        _ registration: UnemploymentRegistration
    ) async throws(EmploymentError)
        -> UnemploymentRegistration
    {
        try Self.checkID(registration.id)
        return try await logger.employmentOperation("register") {
            try await store.write(purpose: Purposes.registrations) { db in
                if let kept = try await db.get(UnemploymentRegistration.self, key: registration.recordKey) {
                    guard kept.resident == registration.resident else {
                        throw EmploymentError.invalid("registration id \(registration.id) is taken")
                    }
                    return kept
                }
                if let active = try await Self.active(of: registration.resident, in: db) {
                    throw EmploymentError.alreadyRegistered(active.id)
                }
                try await db.put(registration)
                return registration
            }
        }
    }

    /// The registration `id`.
    public func registration(_ id: String) async throws(EmploymentError) -> UnemploymentRegistration {
        try await logger.employmentOperation("registration") {
            try await store.read(purpose: Purposes.registrations) { db in
                guard let found = try await db.get(UnemploymentRegistration.self, key: RecordKey(id)) else {
                    throw EmploymentError.notFound("registration \(id)")
                }
                return found
            }
        }
    }

    /// The person's active registration, if any.
    public func activeRegistration(of resident: ResidentID) async throws(EmploymentError) -> UnemploymentRegistration? {
        try await logger.employmentOperation("activeRegistration") {
            try await store.read(purpose: Purposes.registrations) { db in try await Self.active(of: resident, in: db) }
        }
    }

    /// Ends registration `id` for `reason` on `date`; a registration that already ended is refused.
    @discardableResult
    public func end(
        _ id: String,
        reason: RegistrationEnding,
        on date: CalendarDate
    ) async throws(EmploymentError)
        -> UnemploymentRegistration
    {
        try await logger.employmentOperation("end") {
            try await store.write(purpose: Purposes.registrations) { db in
                guard var registration = try await db.get(UnemploymentRegistration.self, key: RecordKey(id)) else {
                    throw EmploymentError.notFound("registration \(id)")
                }
                try registration.end(reason, on: date)
                try await db.put(registration)
                return registration
            }
        }
    }

    /// A new job, received by envelope from the employment registry (data `{"resident": ID,
    /// "employer": CREDITCODE, "from": DATE}`): ends the person's active registration on the job's
    /// first day, with the envelope as evidence, so no benefit is paid for that month or later.
    /// Returns the ended registration, or `nil` when the person was not registered.
    @discardableResult
    public func recordNewJob(_ notice: OpenedEnvelope) async throws(EmploymentError) -> UnemploymentRegistration? {
        try await logger.employmentOperation("recordNewJob") {
            let data = notice.claims.data
            guard let residentText = data["resident"]?.stringValue, let employerText = data["employer"]?.stringValue,
                let fromText = data["from"]?.stringValue
            else { throw EmploymentError.malformedNotice("a new-job notice names resident, employer and from") }
            let resident: ResidentID
            let from: CalendarDate
            do {
                resident = try ResidentID(residentText)
                _ = try CreditCode(employerText)
                from = try CalendarDate(iso8601: fromText)
            } catch {
                throw EmploymentError.malformedNotice("\(error)")
            }
            let evidence = try notice.evidence(digest: ports.profile.digest, crypto: ports.crypto)
            let ended = try await store.write(purpose: Purposes.registrations) { db -> UnemploymentRegistration? in
                guard var registration = try await Self.active(of: resident, in: db) else { return nil }
                // A job that began on or before the registration day ends it the day after: the
                // registration stands only for the day it was made.
                try registration.end(
                    .newJob,
                    on: max(from, registration.registeredOn.adding(days: 1)),
                    evidence: evidence
                )
                try await db.put(registration)
                return registration
            }
            logger.info(
                "new job recorded",
                metadata: [
                    "operation": "recordNewJob", "issuer": "\(notice.claims.issuer)", "evidence": "\(evidence)",
                    "ended": "\(ended?.id ?? "none")",
                ]
            )
            return ended
        }
    }

    static func active(of resident: ResidentID, in db: any RecordReading) async throws -> UnemploymentRegistration? {
        try await db.fetch(
            RecordQuery<UnemploymentRegistration>.filter("resident", equals: .text(resident.unmasked))
        ).first { $0.ended == nil }
    }

    // MARK: Contributions

    /// Keeps contribution histories received from the social-insurance agency, replacing each
    /// person's previous one; returns how many were written.
    @discardableResult
    public func record(_ histories: [ContributionHistory]) async throws(EmploymentError) -> Int {
        try await logger.employmentOperation("recordContributions") {
            try await store.write(purpose: Purposes.contributions) { db in
                try await db.put(contentsOf: histories)
                let seen = Set(histories.map(\.district.code))
                var known =
                    try await db.get(LabourDistricts.self, key: RecordKey("all")) ?? LabourDistricts(districts: [])
                if !seen.isSubset(of: known.districts) {
                    known.districts = Set(known.districts).union(seen).sorted()
                    try await db.put(known)
                }
                return histories.count
            }
        }
    }

    /// The person's contribution history, if the agency sent one.
    public func contributions(of resident: ResidentID) async throws(EmploymentError) -> ContributionHistory? {
        try await logger.employmentOperation("contributions") {
            try await store.read(purpose: Purposes.contributions) { db in
                try await db.get(ContributionHistory.self, key: RecordKey(sensitive: resident.unmasked))
            }
        }
    }

    // MARK: Benefit

    /// Claims unemployment benefit for `resident`, decided at once by the rules on the agency's
    /// own records: at least a year of contributions, an involuntary job loss, an active
    /// registration, seeking work, and no approved claim already running on that registration
    /// (失业保险条例 art. 14). Months follow the contribution years, with the unused months of the
    /// person's previous claim added and the sum capped (art. 17); an approved claim uses up the
    /// contribution months, which count again from zero. The claim runs on the shared life cycle
    /// (received, accepted, reviewed, 办结 approved or rejected) and is kept whatever the decision.
    /// Claiming again with the same id returns the claim kept.
    public func claimBenefit(
        id: String,
        resident: ResidentID
    ) async throws(EmploymentError) -> UnemploymentBenefit.Claim {
        try Self.checkID(id)
        let today = today
        let policy = benefit
        let department = department
        let claim = try await logger.employmentOperation("claimBenefit") {
            try await store.write(purpose: Purposes.claims) { db in
                if let kept = try await db.get(UnemploymentBenefit.Claim.self, key: RecordKey(id)) {
                    guard kept.resident == resident else { throw EmploymentError.invalid("claim id \(id) is taken") }
                    return kept
                }
                let registration = try await Self.active(of: resident, in: db)
                let history = try await db.get(ContributionHistory.self, key: RecordKey(sensitive: resident.unmasked))
                let previous = try await db.fetch(
                    RecordQuery<UnemploymentBenefit.Claim>.filter("resident", equals: .text(resident.unmasked))
                ).filter(\.isApproved)
                var checks: [RuleCheck] = []
                let months = history?.months ?? 0
                checks.append(
                    RuleCheck(
                        rule: "contributions-one-year",
                        statement: "\(months) months of unemployment-insurance contributions "
                            + (months >= policy.minimumContributionMonths ? "≥" : "<")
                            + " \(policy.minimumContributionMonths)",
                        passed: months >= policy.minimumContributionMonths
                    )
                )
                guard let registration else {
                    let district = try history?.district ?? DivisionCode("321200")
                    checks.append(
                        RuleCheck(rule: "registered", statement: "not registered as unemployed", passed: false)
                    )
                    return try await Self.decide(
                        id: id,
                        resident: resident,
                        registration: "",
                        district: district,
                        checks: checks,
                        entitlement: 0,
                        contributionMonths: 0,
                        policy: policy,
                        today: today,
                        department: department,
                        in: db
                    )
                }
                checks.append(
                    RuleCheck(
                        rule: "registered",
                        statement: "registered as unemployed since \(registration.registeredOn.iso8601)",
                        passed: true
                    )
                )
                checks.append(
                    RuleCheck(
                        rule: "involuntary-loss",
                        statement: "job lost by \(registration.jobLoss.rawValue)"
                            + (registration.jobLoss.isInvoluntary
                                ? ", not by the person's will" : ", by the person's will"),
                        passed: registration.jobLoss.isInvoluntary
                    )
                )
                checks.append(
                    RuleCheck(
                        rule: "seeking-work",
                        statement: registration.seekingWork ? "registered as seeking work" : "not seeking work",
                        passed: registration.seekingWork
                    )
                )
                let running = previous.first { $0.registration == registration.id }
                checks.append(
                    RuleCheck(
                        rule: "no-claim-running",
                        statement: running.map { "claim \($0.id) already pays under this registration" }
                            ?? "no other claim under this registration",
                        passed: running == nil
                    )
                )
                // The latest approved claim's unused months carry over (art. 17).
                var carried = 0
                if let last = previous.max(by: { $0.lifecycle.submitted < $1.lifecycle.submitted }) {
                    let paid = try await db.fetch(
                        RecordQuery<UnemploymentBenefit.Payment>.filter("claim", equals: .text(last.id))
                    ).count
                    carried = max(0, last.months - paid)
                }
                let (entitled, statement) = policy.entitlement(contributionMonths: months, carriedOver: carried)
                checks.append(RuleCheck(rule: "entitlement", statement: statement, passed: entitled > 0))
                let decided = try await Self.decide(
                    id: id,
                    resident: resident,
                    registration: registration.id,
                    district: registration.district,
                    checks: checks,
                    entitlement: entitled,
                    contributionMonths: months,
                    policy: policy,
                    today: today,
                    department: department,
                    in: db
                )
                if decided.isApproved, var used = history {
                    used.months = 0
                    try await db.put(used)
                }
                return decided
            }
        }
        logger.info(
            "benefit claim decided",
            metadata: [
                "operation": "claimBenefit", "claim": "\(claim.id)", "approved": "\(claim.isApproved)",
                "months": "\(claim.months)",
            ]
        )
        return claim
    }

    private static func decide(
        id: String,
        resident: ResidentID,
        registration: String,
        district: DivisionCode,
        checks: [RuleCheck],
        entitlement: Int,
        contributionMonths: Int,
        policy: UnemploymentBenefit.Policy,
        today: CalendarDate,
        department: String,
        in db: any RecordWriting
    ) async throws -> UnemploymentBenefit.Claim {
        let decision = ExplainedDecision(checks: checks, policyVersion: policy.version)
        var lifecycle = ServiceApplication(
            id: id,
            serviceCode: ServiceCode.benefit,
            timeLimit: try TimeLimit(statutory: 20, promised: 5),
            submitted: today,
            by: "applicant"
        )
        try lifecycle.accept(on: today, by: department)
        try lifecycle.review(step: "rules \(policy.version)", on: today, by: department)
        try lifecycle.complete(result: decision.isEligible ? "approved" : "rejected", on: today, by: department)
        let claim = UnemploymentBenefit.Claim(
            id: id,
            resident: resident,
            registration: registration,
            district: district,
            lifecycle: lifecycle,
            decision: decision,
            months: decision.isEligible ? entitlement : 0,
            monthlyAmount: policy.monthlyAmount,
            contributionMonths: contributionMonths
        )
        try await db.put(claim)
        try await db.put(
            ApplicationRecord(
                application: lifecycle,
                applicant: .resident(resident),
                department: department,
                district: district
            )
        )
        return claim
    }

    /// The claim `id`.
    public func claim(_ id: String) async throws(EmploymentError) -> UnemploymentBenefit.Claim {
        try await logger.employmentOperation("claim") {
            try await store.read(purpose: Purposes.claims) { db in
                guard let claim = try await db.get(UnemploymentBenefit.Claim.self, key: RecordKey(id)) else {
                    throw EmploymentError.notFound("claim \(id)")
                }
                return claim
            }
        }
    }

    /// The months paid under claim `id`, oldest first.
    public func payments(of id: String) async throws(EmploymentError) -> [UnemploymentBenefit.Payment] {
        try await logger.employmentOperation("payments") {
            try await store.read(purpose: Purposes.payments) { db in
                try await db.fetch(RecordQuery<UnemploymentBenefit.Payment>.filter("claim", equals: .text(id)))
                    .sorted { $0.period < $1.period }
            }
        }
    }

    /// Pays every approved claim due for `period` through the one-card: a claim whose registration
    /// stood for the whole month (not ended on or before its last day), that began no later than
    /// the month, and has months left. Each month is one instruction (`ub-CLAIM-YYYY-MM`) and one
    /// ``UnemploymentBenefit/Payment``: running the month again pays nobody twice, and a month paid by the
    /// one-card but not recorded (the process stopped in between) is recorded, not paid again.
    public func payBenefits(
        for period: PayPeriod,
        progress: ProgressHandler? = nil
    ) async throws(EmploymentError) -> UnemploymentBenefit.Run {
        let lastDay = period.firstDay.adding(months: 1).adding(days: -1)
        let due = try await logger.employmentOperation("payBenefits") {
            try await store.read(purpose: Purposes.payments) { db in
                var due: [(UnemploymentBenefit.Claim, PaymentInstruction)] = []
                try await db.forEach(RecordQuery<UnemploymentBenefit.Claim>.filter("approved", equals: .integer(1))) {
                    claim in
                    guard PayPeriod(containing: claim.lifecycle.submitted) <= period,
                        let registration = try await db.get(
                            UnemploymentRegistration.self,
                            key: RecordKey(claim.registration)
                        ),
                        registration.registeredOn <= lastDay,
                        registration.ended.map({ $0.on > lastDay }) ?? true,
                        try await db.get(UnemploymentBenefit.Payment.self, key: RecordKey("\(claim.id)@\(period)"))
                            == nil
                    else { return true }
                    let paid = try await db.fetch(
                        RecordQuery<UnemploymentBenefit.Payment>.filter("claim", equals: .text(claim.id))
                    )
                    guard paid.count < claim.months else { return true }
                    due.append(
                        (
                            claim,
                            try PaymentInstruction(
                                id: "ub-\(claim.id)-\(period)",
                                programme: .unemploymentBenefit,
                                holder: claim.resident,
                                period: period,
                                amount: claim.monthlyAmount
                            )
                        )
                    )
                    return true
                }
                return due.sorted { $0.0.id < $1.0.id }
            }
        }
        var run = UnemploymentBenefit.Run(period: period)
        var meter = ProgressMeter("unemployment benefit \(period)", total: due.count, every: 100, handler: progress)
        for (claim, instruction) in due {
            defer { meter.advance() }
            let outcome: OneCardService.PaymentOutcome
            do {
                outcome = try await oneCard.submit(instruction)
            } catch {
                if error.isPortFailure { throw EmploymentError.oneCard(error) }
                run.refused.append(UnemploymentBenefit.Run.Refusal(claim: claim.id, reason: error))
                continue
            }
            let payment = UnemploymentBenefit.Payment(
                claim: claim.id,
                period: "\(period)",
                instruction: instruction.id,
                amount: instruction.amount
            )
            try await logger.employmentOperation("recordPayment") {
                try await store.write(purpose: Purposes.payments) { db in try await db.put(payment) }
            }
            if case .posted = outcome { run.posted.append(payment) } else { run.alreadyPosted.append(payment) }
        }
        meter.finish()
        logger.info(
            "unemployment benefit paid",
            metadata: [
                "operation": "payBenefits", "period": "\(period)", "due": "\(due.count)",
                "posted": "\(run.posted.count)", "refused": "\(run.refused.count)",
            ]
        )
        return run
    }

    // MARK: Difficulty certification and subsidies

    /// What other departments say about the applicant, fetched by envelope for the certification.
    public struct DifficultyFacts: Hashable, Sendable {
        /// A member of a dibao household (civil affairs).
        public var dibaoHousehold: Bool
        /// Holds a disability certificate (the disabled persons' federation).
        public var disabled: Bool
        /// No one of working age in the household is employed (the agency's contribution records).
        public var zeroEmploymentHousehold: Bool

        /// The facts.
        public init(dibaoHousehold: Bool = false, disabled: Bool = false, zeroEmploymentHousehold: Bool = false) {
            self.dibaoHousehold = dibaoHousehold
            self.disabled = disabled
            self.zeroEmploymentHousehold = zeroEmploymentHousehold
        }
    }

    /// 就业困难人员认定: certifies `resident`, registered as unemployed, under every category of the
    /// policy the facts meet; refused when none applies. Decided at once, explained, and kept on
    /// the shared life cycle.
    public func certifyDifficulty(
        id: String,
        resident: ResidentID,
        facts: DifficultyFacts
    ) async throws(EmploymentError) -> EmploymentApplication {
        try Self.checkID(id)
        let (today, policy) = (today, difficulty)
        return try await decideApplication("certifyDifficulty", id: id, kind: .difficulty, resident: resident) { db in
            let registration = try await Self.active(of: resident, in: db)
            var checks = [
                RuleCheck(
                    rule: "registered",
                    statement: registration.map { "registered as unemployed since \($0.registeredOn.iso8601)" }
                        ?? "not registered as unemployed",
                    passed: registration != nil
                )
            ]
            let age = resident.age(on: today)
            let older = resident.sex == .female ? policy.olderWomanAge : policy.olderManAge
            let months = registration.map { wholeMonths(from: $0.registeredOn, to: today) } ?? 0
            var matched: [DifficultyCategory] = []
            var said: [String] = []
            for category in DifficultyCategory.allCases where policy.categories.contains(category) {
                let (met, text): (Bool, String) =
                    switch category {
                    case .olderWorker:
                        (
                            age >= older,
                            "\(resident.sex == .female ? "woman" : "man") aged \(age) \(age >= older ? "≥" : "<") \(older)"
                        )
                    case .disabled: (facts.disabled, facts.disabled ? "disabled" : "not disabled")
                    case .dibaoHousehold: (facts.dibaoHousehold, facts.dibaoHousehold ? "dibao household" : "no dibao")
                    case .zeroEmploymentHousehold:
                        (
                            facts.zeroEmploymentHousehold,
                            facts.zeroEmploymentHousehold ? "no one employed at home" : "someone employed at home"
                        )
                    case .longTermUnemployed:
                        (
                            months >= policy.longTermMonths,
                            "registered \(months) months \(months >= policy.longTermMonths ? "≥" : "<") \(policy.longTermMonths)"
                        )
                    }
                if met { matched.append(category) }
                said.append("\(category.rawValue): \(text)")
            }
            checks.append(
                RuleCheck(
                    rule: "category",
                    statement: (matched.isEmpty
                        ? "no category applies (" : "certified as \(matched.map(\.rawValue).joined(separator: ", ")) (")
                        + said.joined(separator: "; ") + ")",
                    passed: !matched.isEmpty
                )
            )
            let decision = ExplainedDecision(checks: checks, policyVersion: policy.version)
            return (decision, decision.isEligible ? matched : [], Money.zero, "", registration?.district)
        }
    }

    /// 技能提升补贴: the skill-upgrade subsidy for a vocational skill certificate of `level`
    /// (number `certificate`, dated `certified`), within the claim window, with enough months of
    /// contributions, once per certificate.
    public func applySkillSubsidy(
        id: String,
        resident: ResidentID,
        level: SkillSubsidyPolicy.Level,
        certificate: String,
        certified: CalendarDate
    ) async throws(EmploymentError) -> EmploymentApplication {
        try Self.checkID(id)
        guard !certificate.isEmpty, certificate.count <= 64 else {
            throw .invalid("the certificate's number is 1–64 characters")
        }
        let (today, policy) = (today, skill)
        return try await decideApplication("applySkillSubsidy", id: id, kind: .skillSubsidy, resident: resident) { db in
            let history = try await db.get(ContributionHistory.self, key: RecordKey(sensitive: resident.unmasked))
            let months = history?.months ?? 0
            let closes = certified.adding(months: policy.claimWindowMonths)
            let earlier = try await Self.subsidised(.skillSubsidy, subject: certificate, in: db)
            let amount = policy.amounts[level] ?? .zero
            let checks = [
                RuleCheck(
                    rule: "contributions",
                    statement:
                        "\(months) months of contributions \(months >= policy.contributionMonths ? "≥" : "<") \(policy.contributionMonths)",
                    passed: months >= policy.contributionMonths
                ),
                RuleCheck(
                    rule: "claim-window",
                    statement:
                        "certificate of \(certified.iso8601), claimed \(today.iso8601), window closes \(closes.iso8601)",
                    passed: certified <= today && today <= closes
                ),
                RuleCheck(
                    rule: "once-per-certificate",
                    statement: earlier.map { "certificate already subsidised by \($0)" }
                        ?? "certificate not subsidised before",
                    passed: earlier == nil
                ),
                RuleCheck(
                    rule: "amount",
                    statement: "\(level.rawValue) certificate: \(amount.yuanText) yuan",
                    passed: amount.fen > 0
                ),
            ]
            let decision = ExplainedDecision(checks: checks, policyVersion: policy.version)
            return (decision, [], decision.isEligible ? amount : .zero, certificate, history?.district)
        }
    }

    /// 一次性创业补贴: the one-time entrepreneurship subsidy for the business `business`, founded by a
    /// person registered as unemployed or certified as having difficulty finding work, once it has
    /// operated long enough; once per business.
    public func applyStartupSubsidy(
        id: String,
        resident: ResidentID,
        business: CreditCode,
        operatingSince: CalendarDate
    ) async throws(EmploymentError) -> EmploymentApplication {
        try Self.checkID(id)
        let (today, policy) = (today, startup)
        return try await decideApplication("applyStartupSubsidy", id: id, kind: .startupSubsidy, resident: resident) {
            db in
            let registrations = try await db.fetch(
                RecordQuery<UnemploymentRegistration>.filter("resident", equals: .text(resident.unmasked))
            )
            let applications = try await db.fetch(
                RecordQuery<EmploymentApplication>.filter("resident", equals: .text(resident.unmasked))
            )
            // Registered as unemployed when the business began (the registration ended by it), or certified.
            let founder = registrations.first {
                $0.registeredOn <= operatingSince && ($0.ended.map { $0.on >= operatingSince } ?? true)
            }
            let certified = applications.first { $0.kind == .difficulty && $0.decision.isEligible }
            let operated = wholeMonths(from: operatingSince, to: today)
            let earlier = try await Self.subsidised(.startupSubsidy, subject: business.value, in: db)
            let checks = [
                RuleCheck(
                    rule: "founder",
                    statement: founder.map { "registered as unemployed (\($0.id)) when the business began" }
                        ?? certified.map { "certified as having difficulty finding work (\($0.id))" }
                        ?? "neither registered as unemployed when the business began nor certified",
                    passed: founder != nil || certified != nil
                ),
                RuleCheck(
                    rule: "operating",
                    statement:
                        "operating since \(operatingSince.iso8601): \(operated) months \(operated >= policy.operatingMonths ? "≥" : "<") \(policy.operatingMonths)",
                    passed: operated >= policy.operatingMonths
                ),
                RuleCheck(
                    rule: "once-per-business",
                    statement: earlier.map { "the business was already subsidised by \($0)" }
                        ?? "the business was not subsidised before",
                    passed: earlier == nil
                ),
            ]
            let decision = ExplainedDecision(checks: checks, policyVersion: policy.version)
            return (
                decision, [], decision.isEligible ? policy.amount : .zero, business.value,
                founder?.district ?? registrations.first?.district
            )
        }
    }

    /// Pays an approved subsidy through the one-card (instruction `sub-ID`), once: paying again
    /// returns the application as it is.
    public func paySubsidy(_ id: String) async throws(EmploymentError) -> EmploymentApplication {
        let application = try await application(id)
        guard application.paidBy == nil else { return application }
        guard application.amount.fen > 0 else { throw .invalid("application \(id) grants no subsidy") }
        let instruction: PaymentInstruction
        do {
            instruction = try PaymentInstruction(
                id: "sub-\(id)",
                programme: .employmentSubsidy,
                holder: application.resident,
                period: PayPeriod(containing: application.lifecycle.submitted),
                amount: application.amount
            )
            _ = try await oneCard.submit(instruction)
        } catch {
            throw EmploymentError.oneCard(error)
        }
        return try await logger.employmentOperation("paySubsidy") {
            try await store.write(purpose: Purposes.payments) { db in
                guard var kept = try await db.get(EmploymentApplication.self, key: RecordKey(id)) else {
                    throw EmploymentError.notFound("application \(id)")
                }
                kept.paidBy = instruction.id
                try await db.put(kept)
                return kept
            }
        }
    }

    /// The application `id`.
    public func application(_ id: String) async throws(EmploymentError) -> EmploymentApplication {
        try await logger.employmentOperation("application") {
            try await store.read(purpose: Purposes.subsidies) { db in
                guard let found = try await db.get(EmploymentApplication.self, key: RecordKey(id)) else {
                    throw EmploymentError.notFound("application \(id)")
                }
                return found
            }
        }
    }

    private func decideApplication(
        _ operation: String,
        id: String,
        kind: EmploymentApplication.Kind,
        resident: ResidentID,
        rules:
            @escaping @Sendable (any RecordWriting) async throws -> (
                ExplainedDecision, [DifficultyCategory], Money, String, DivisionCode?
            )
    ) async throws(EmploymentError) -> EmploymentApplication {
        let (today, department) = (today, department)
        let application = try await logger.employmentOperation(operation) {
            try await store.write(purpose: Purposes.subsidies) { db in
                if let kept = try await db.get(EmploymentApplication.self, key: RecordKey(id)) {
                    guard kept.resident == resident, kept.kind == kind else {
                        throw EmploymentError.invalid("application id \(id) is taken")
                    }
                    return kept
                }
                let (decision, categories, amount, subject, district) = try await rules(db)
                var lifecycle = ServiceApplication(
                    id: id,
                    serviceCode: kind.rawValue,
                    timeLimit: try TimeLimit(statutory: 20, promised: 10),
                    submitted: today,
                    by: "applicant"
                )
                try lifecycle.accept(on: today, by: department)
                try lifecycle.review(step: "rules \(decision.policyVersion)", on: today, by: department)
                try lifecycle.complete(result: decision.isEligible ? "approved" : "rejected", on: today, by: department)
                let place = try district ?? DivisionCode("321200")
                let application = EmploymentApplication(
                    id: id,
                    kind: kind,
                    resident: resident,
                    district: place,
                    lifecycle: lifecycle,
                    decision: decision,
                    categories: categories,
                    amount: amount,
                    subject: subject,
                    paidBy: nil
                )
                try await db.put(application)
                try await db.put(
                    ApplicationRecord(
                        application: lifecycle,
                        applicant: .resident(resident),
                        department: department,
                        district: place
                    )
                )
                return application
            }
        }
        logger.info(
            "employment application decided",
            metadata: [
                "operation": "\(operation)", "application": "\(id)", "approved": "\(application.decision.isEligible)",
            ]
        )
        return application
    }

    static func subsidised(
        _ kind: EmploymentApplication.Kind,
        subject: String,
        in db: any RecordReading
    ) async throws -> String? {
        try await db.fetch(
            RecordQuery<EmploymentApplication>.filter("subject", equals: .text("\(kind.rawValue)|\(subject)"))
        ).first { $0.decision.isEligible }?.id
    }

    // MARK: Job fairs

    /// Schedules a job fair (again: unchanged when the same fair is kept; another fair under
    /// the same id is refused).
    @discardableResult
    public func schedule(_ fair: JobFair) async throws(EmploymentError) -> JobFair {
        try await logger.employmentOperation("schedule") {
            try await store.write(purpose: Purposes.fairs) { db in
                if let kept = try await db.get(JobFair.self, key: fair.recordKey) {
                    guard kept.name == fair.name, kept.date == fair.date, kept.capacity == fair.capacity else {
                        throw EmploymentError.invalid("fair id \(fair.id) is taken")
                    }
                    return kept
                }
                try await db.put(fair)
                return fair
            }
        }
    }

    /// Books a place at fair `id` for `resident`: one write transaction reads the places taken and
    /// takes the next, so concurrent bookings never exceed the capacity (the store serialises
    /// writers), and a person books a fair once.
    @discardableResult
    public func book(_ id: String, for resident: ResidentID) async throws(EmploymentError) -> FairBooking {
        try await logger.employmentOperation("book") {
            try await store.write(purpose: Purposes.fairs) { db in
                guard var fair = try await db.get(JobFair.self, key: RecordKey(id)) else {
                    throw EmploymentError.notFound("job fair \(id)")
                }
                let key = RecordKey(sensitive: "\(id)|\(resident.unmasked)")
                if try await db.get(FairBooking.self, key: key) != nil { throw EmploymentError.alreadyBooked(id) }
                guard fair.booked < fair.capacity else { throw EmploymentError.fairFull(id, capacity: fair.capacity) }
                fair.booked += 1
                let booking = FairBooking(fair: id, resident: resident, place: fair.booked)
                try await db.put(booking)
                try await db.put(fair)
                return booking
            }
        }
    }

    /// The fair `id`, with the places taken.
    public func fair(_ id: String) async throws(EmploymentError) -> JobFair {
        try await logger.employmentOperation("fair") {
            try await store.read(purpose: Purposes.fairs) { db in
                guard let fair = try await db.get(JobFair.self, key: RecordKey(id)) else {
                    throw EmploymentError.notFound("job fair \(id)")
                }
                return fair
            }
        }
    }

    // MARK: Helpers

    /// Ids are 3–48 letters, digits or `-`, so a payment instruction's id built from one fits.
    static func checkID(_ id: String) throws(EmploymentError) {
        guard ServiceEntry.isValidCode(id), id.utf8.count <= 48 else {
            throw .invalid("an id is 3–48 letters, digits or '-'")
        }
    }
}

/// Whole months from `start` to `end` (0 when `end` is earlier).
func wholeMonths(from start: CalendarDate, to end: CalendarDate) -> Int {
    guard end >= start else { return 0 }
    var months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day { months -= 1 }
    return max(0, months)
}

extension UnemploymentBenefit {
    /// What one month's benefit run did.
    public struct Run: Hashable, Sendable {
        /// A claim the one-card refused (no current card, …).
        public struct Refusal: Hashable, Sendable {
            /// The claim.
            public let claim: String
            /// The one-card's reason.
            public let reason: OneCardError
        }

        /// The month.
        public let period: PayPeriod
        /// Paid now.
        public var posted: [UnemploymentBenefit.Payment] = []
        /// Paid by an earlier run and recorded now.
        public var alreadyPosted: [UnemploymentBenefit.Payment] = []
        /// Refused; the rest of the month was still paid.
        public var refused: [Refusal] = []

        /// A run of `period`, nothing done yet.
        public init(period: PayPeriod) { self.period = period }
    }
}
