import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyOneCard
import SocietyServices

/// Disability services (残疾人服务, plan item 12): the disabled-population register linked to the
/// disability certificate, the two subsidies paid through the one-card exactly once a month,
/// children's rehabilitation assistance with designated institutions and their supervision, and
/// home accessibility renovation — both applications on the shared life cycle.
///
/// ```swift
/// let disability = DisabilityService(ports: ports, oneCard: oneCard)
/// try await disability.register(person, category: .physical, level: .second)
/// let subsidies = try await disability.subsidies(of: person, facts: HouseholdFacts(dibao: true))
/// let paid = try await disability.paySubsidies(to: person, month: try PayPeriod("2026-12"), facts: facts)
/// ```
public struct DisabilityService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// The register.
        public static let register = Purpose(constant: "disability.register")
        /// The two subsidies.
        public static let subsidies = Purpose(constant: "disability.subsidies")
        /// Rehabilitation and renovation.
        public static let services = Purpose(constant: "disability.services")
    }

    /// The catalogue codes of the applications.
    public enum ServiceCode {
        /// Children's rehabilitation assistance.
        public static let rehabilitation = "disability.rehabilitation"
        /// Home accessibility renovation.
        public static let renovation = "disability.renovation"
    }

    let ports: ServicePorts
    /// The one-card the subsidies are paid through.
    public let oneCard: OneCardService
    /// The two subsidies' rules.
    public let policy: TwoSubsidiesPolicy
    /// The rehabilitation rules.
    public let rehabilitation: RehabilitationPolicy
    /// Years between re-assessments (**assumption**: 5).
    public let reassessmentYears: Int

    /// The service on the disabled persons' federation's ports, logging as component `disability`.
    public init(
        ports: ServicePorts,
        oneCard: OneCardService,
        policy: TwoSubsidiesPolicy = TwoSubsidiesPolicy(),
        rehabilitation: RehabilitationPolicy = RehabilitationPolicy(),
        reassessmentYears: Int = 5
    ) {
        self.ports = ports.logging(as: "disability")
        self.oneCard = oneCard
        self.policy = policy
        self.rehabilitation = rehabilitation
        self.reassessmentYears = reassessmentYears
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    func write<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(DisabilityError) -> T {
        try await ports.write(purpose, wrapping: DisabilityError.init(wrapping:), body)
    }

    func read<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(DisabilityError) -> T {
        try await ports.read(purpose, wrapping: DisabilityError.init(wrapping:), body)
    }

    // MARK: The register

    /// Puts `person` on the register with their certificate (issued today); someone already
    /// active on it is refused.
    @discardableResult
    public func register(
        _ person: ResidentID,
        category: DisabilityCategory,
        level: DisabilityLevel
    ) async throws(DisabilityError) -> DisabledPerson {
        let today = today
        var record = DisabledPerson(
            person: person,
            category: category,
            level: level,
            reassessBy: today.adding(years: reassessmentYears)
        )
        record.history = [.init(what: "issued \(category.code) level \(level.code)", date: today)]
        let issued = record
        return try await write(Purposes.register) { db in
            if let kept = try await db.get(DisabledPerson.self, key: issued.recordKey), kept.state == .active {
                throw DisabilityError.duplicate("an active registration of the person")
            }
            try await db.put(issued)
            return issued
        }
    }

    /// A re-assessment: the level confirmed or changed (a changed level is a new certificate
    /// number), the next re-assessment due in ``reassessmentYears``.
    @discardableResult
    public func reassess(_ person: ResidentID, level: DisabilityLevel) async throws(DisabilityError) -> DisabledPerson {
        let today = today
        let years = reassessmentYears
        return try await write(Purposes.register) { db in
            guard var record = try await db.get(DisabledPerson.self, key: RecordKey(sensitive: person.unmasked)) else {
                throw DisabilityError.notFound("registration of the person")
            }
            guard record.state == .active else {
                throw DisabilityError.illegal(move: "reassess", state: record.state.rawValue)
            }
            let changed = level != record.level
            record.history.append(
                .init(
                    what: changed ? "level \(record.level.code) → \(level.code)" : "reassessed, level \(level.code)",
                    date: today
                )
            )
            record.level = level
            record.certificate = DisabledPerson.number(person, record.category, level)
            record.reassessBy = today.adding(years: years)
            try await db.put(record)
            return record
        }
    }

    /// Cancels the registration (death, recovery, moving away), with the reason.
    public func cancel(_ person: ResidentID, reason: String) async throws(DisabilityError) {
        guard !reason.isEmpty else { throw .invalid("a cancellation has a reason") }
        let today = today
        try await write(Purposes.register) { db in
            guard var record = try await db.get(DisabledPerson.self, key: RecordKey(sensitive: person.unmasked)) else {
                throw DisabilityError.notFound("registration of the person")
            }
            guard record.state == .active else {
                throw DisabilityError.illegal(move: "cancel", state: record.state.rawValue)
            }
            record.state = .cancelled
            record.history.append(.init(what: "cancelled: \(reason)", date: today))
            try await db.put(record)
        }
    }

    /// The person's registration.
    public func registration(of person: ResidentID) async throws(DisabilityError) -> DisabledPerson {
        try await read(Purposes.register) { db in
            guard let record = try await db.get(DisabledPerson.self, key: RecordKey(sensitive: person.unmasked)) else {
                throw DisabilityError.notFound("registration of the person")
            }
            return record
        }
    }

    // MARK: The two subsidies

    /// Both subsidies for `person` with `facts`, explained.
    public func subsidies(of person: ResidentID, facts: HouseholdFacts) async throws(DisabilityError) -> TwoSubsidies {
        TwoSubsidies(person: try await registration(of: person), facts: facts, policy: policy)
    }

    /// The person's keyed hash, hex (no identity number in a payment's key).
    public func pseudonym(of person: ResidentID) throws(DisabilityError) -> String {
        do {
            return try ports.pseudonym(kind: "disabled-person", of: person.unmasked)
        } catch {
            throw DisabilityError(wrapping: error)
        }
    }

    /// Pays `month`'s subsidies the rules grant, each through the one-card exactly once (paying
    /// the month again returns the payments made). A person granted neither is refused, with both
    /// decisions.
    public func paySubsidies(
        to person: ResidentID,
        month: PayPeriod,
        facts: HouseholdFacts
    ) async throws(DisabilityError) -> [SubsidyPayment] {
        let subsidies = try await subsidies(of: person, facts: facts)
        guard subsidies.care.fen > 0 || subsidies.living.fen > 0 else {
            throw .refused(
                ExplainedDecision(
                    checks: subsidies.careDecision.checks + subsidies.livingDecision.checks,
                    policyVersion: policy.version
                )
            )
        }
        let tag = try pseudonym(of: person).prefix(24)
        var payments: [SubsidyPayment] = []
        for (kind, amount) in [("care", subsidies.care), ("living", subsidies.living)] where amount.fen > 0 {
            let id = "\(tag)-\(kind)-\(month)"
            if let paid = try await read(
                Purposes.subsidies,
                { db in try await db.get(SubsidyPayment.self, key: RecordKey(id)) }
            ) {
                payments.append(paid)
                continue
            }
            let instruction: PaymentInstruction
            do {
                instruction = try PaymentInstruction(
                    id: "ds-\(id)",
                    programme: .fiscalSubsidy,
                    holder: person,
                    period: month,
                    amount: amount
                )
                _ = try await oneCard.submit(instruction)
            } catch {
                throw .oneCard("\(error)")
            }
            let payment = SubsidyPayment(
                id: id,
                person: person,
                kind: kind,
                month: "\(month)",
                amount: amount,
                instruction: instruction.id
            )
            try await write(Purposes.subsidies) { db in try await db.put(payment) }
            payments.append(payment)
        }
        return payments
    }

    // MARK: Rehabilitation and renovation

    /// Designates a rehabilitation institution.
    public func designate(_ institution: RehabilitationInstitution) async throws(DisabilityError) {
        try await write(Purposes.services) { db in try await db.put(institution) }
    }

    /// Records a supervision visit of a designated institution.
    public func supervise(_ record: SupervisionRecord) async throws(DisabilityError) {
        try await write(Purposes.services) { db in
            guard try await db.get(RehabilitationInstitution.self, key: RecordKey(record.institution)) != nil else {
                throw DisabilityError.notFound("institution \(record.institution)")
            }
            guard try await db.get(SupervisionRecord.self, key: record.recordKey) == nil else {
                throw DisabilityError.duplicate("supervision record \(record.id)")
            }
            try await db.put(record)
        }
    }

    /// An institution's supervision records, latest first.
    public func supervision(of institution: String) async throws(DisabilityError) -> [SupervisionRecord] {
        try await read(Purposes.services) { db in
            try await db.fetch(RecordQuery<SupervisionRecord>.filter("institution", equals: .text(institution)))
                .sorted { ($0.date, $0.id) > ($1.date, $1.id) }
        }
    }

    /// The one-stop online application for children's rehabilitation assistance, decided at once on
    /// the shared life cycle: the child's age for the category, the institution designated for it
    /// and not failed at its latest supervision. Approved or rejected, it is kept with its decision.
    public func applyForRehabilitation(
        id: String,
        child: ResidentID,
        category: RehabilitationCategory,
        institution: String
    ) async throws(DisabilityError) -> DisabilityApplication {
        let today = today
        let age = child.birthDate.age(on: today)
        let limit =
            rehabilitation.extended.contains(category)
            ? rehabilitation.extendedUntilAge : rehabilitation.nationalUntilAge
        let (found, latest) = try await read(Purposes.services) { db in
            let found = try await db.get(RehabilitationInstitution.self, key: RecordKey(institution))
            let latest = try await db.fetch(
                RecordQuery<SupervisionRecord>.filter("institution", equals: .text(institution))
            )
            .max { ($0.date, $0.id) < ($1.date, $1.id) }
            return (found, latest)
        }
        let checks = [
            RuleCheck(
                rule: "age",
                statement: "aged \(age) \(age <= limit ? "≤" : ">") \(limit) for \(category.rawValue)"
                    + (rehabilitation.extended.contains(category) ? " (Jiangsu's extension)" : ""),
                passed: age <= limit
            ),
            RuleCheck(
                rule: "designated",
                statement: found.map {
                    "\($0.name) is designated for \(category.rawValue): \($0.categories.contains(category) ? "yes" : "no")"
                }
                    ?? "\(institution) is not a designated institution",
                passed: found?.categories.contains(category) ?? false
            ),
            RuleCheck(
                rule: "supervision",
                statement: latest.map { "latest supervision \($0.date): \($0.passed ? "passed" : "failed")" }
                    ?? "not yet supervised",
                passed: latest?.passed ?? true
            ),
        ]
        let decision = ExplainedDecision(checks: checks, policyVersion: "残疾儿童康复救助 (DOMAINS.md)")
        var lifecycle = try lifecycle(id, ServiceCode.rehabilitation)
        do {
            try lifecycle.accept(on: today, by: "disability")
            try lifecycle.review(step: "rules", on: today, by: "disability")
            try lifecycle.complete(result: decision.isEligible ? "approved" : "rejected", on: today, by: "disability")
        } catch {
            throw .invalid("\(error)")
        }
        let application = DisabilityApplication(
            person: child,
            lifecycle: lifecycle,
            decision: decision,
            category: category,
            institution: institution,
            needs: nil
        )
        try await store(application)
        return application
    }

    /// A home accessibility renovation request (家庭无障碍改造), submitted on the shared life cycle;
    /// the federation accepts, surveys and completes it with ``move(_:_:)``.
    @discardableResult
    public func requestRenovation(
        id: String,
        for person: ResidentID,
        needs: String
    ) async throws(DisabilityError) -> DisabilityApplication {
        guard !needs.isEmpty else { throw .invalid("a request says what the home needs") }
        _ = try await registration(of: person)
        let application = DisabilityApplication(
            person: person,
            lifecycle: try lifecycle(id, ServiceCode.renovation),
            decision: nil,
            category: nil,
            institution: nil,
            needs: needs
        )
        try await store(application)
        return application
    }

    /// A move of a renovation request: `accept`, `survey` (under review), `complete` with the result.
    public enum RenovationMove: Hashable, Sendable {
        /// Accepted.
        case accept
        /// Surveyed at home.
        case survey
        /// Done, with what was done.
        case complete(String)
    }

    /// Applies `move` to renovation request `id`; an illegal move throws and changes nothing.
    @discardableResult
    public func move(_ id: String, _ move: RenovationMove) async throws(DisabilityError) -> DisabilityApplication {
        let today = today
        return try await write(Purposes.services) { db in
            guard var application = try await db.get(DisabilityApplication.self, key: RecordKey(id)),
                application.lifecycle.serviceCode == ServiceCode.renovation
            else { throw DisabilityError.notFound("renovation request \(id)") }
            do {
                switch move {
                case .accept: try application.lifecycle.accept(on: today, by: "disability")
                case .survey: try application.lifecycle.review(step: "home survey", on: today, by: "disability")
                case .complete(let result):
                    try application.lifecycle.complete(result: result, on: today, by: "disability")
                }
            } catch {
                throw DisabilityError.illegal(move: "\(move)", state: application.lifecycle.state.name)
            }
            try await db.put(application)
            return application
        }
    }

    /// An application.
    public func application(_ id: String) async throws(DisabilityError) -> DisabilityApplication {
        try await read(Purposes.services) { db in
            guard let application = try await db.get(DisabilityApplication.self, key: RecordKey(id)) else {
                throw DisabilityError.notFound("application \(id)")
            }
            return application
        }
    }

    func lifecycle(_ id: String, _ code: String) throws(DisabilityError) -> ServiceApplication {
        guard !id.isEmpty else { throw .invalid("an application has an id") }
        do {
            // Time limits: an **assumption**, 20 working days by statute, 10 promised.
            return ServiceApplication(
                id: id,
                serviceCode: code,
                timeLimit: try TimeLimit(statutory: 20, promised: 10),
                submitted: today,
                by: "applicant"
            )
        } catch {
            throw .invalid("\(error)")
        }
    }

    func store(_ application: DisabilityApplication) async throws(DisabilityError) {
        let district = try? DivisionCode(application.person.addressCode)
        try await write(Purposes.services) { db in
            guard try await db.get(DisabilityApplication.self, key: application.recordKey) == nil else {
                throw DisabilityError.duplicate("application \(application.lifecycle.id)")
            }
            try await db.put(application)
            if let district {
                try await db.put(
                    ApplicationRecord(
                        application: application.lifecycle,
                        applicant: .resident(application.person),
                        department: "disability",
                        district: district
                    )
                )
            }
        }
    }
}
