public import Foundation
import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyDraw
public import SocietyExchange
import SocietyJSON
public import SocietyOneCard
import SocietyServices

/// Education (教育, plan item 4): sunshine enrolment with the public lottery, exam scores as
/// selectively disclosable e-certificates, student aid decided on the household economic
/// verification and paid through the one-card, canteen meal traceability, the course-resource
/// catalogue and the smart-campus indicator.
///
/// ```swift
/// let education = EducationService(ports: ports, draws: draws, oneCard: oneCard)
/// try await education.register(school)
/// let commitment = try await education.commitLottery(school: school.id)   // publish before applications close
/// try await education.apply(try EnrolmentApplication(id: "E2027-0001", child: child, school: school.id, facts: [.household]))
/// let allocation = try await education.allocate(school: school.id)
/// ```
public struct EducationService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Schools, applications and allocations.
        public static let enrolment = Purpose(constant: "education.enrolment")
        /// Student aid.
        public static let aid = Purpose(constant: "education.aid")
        /// Canteen traceability.
        public static let meals = Purpose(constant: "education.meals")
        /// Course resources and the smart-campus reports.
        public static let resources = Purpose(constant: "education.resources")
    }

    let ports: ServicePorts
    /// The public-draw office the lotteries run in.
    public let draws: DrawService
    /// The one-card student aid is paid through.
    public let oneCard: OneCardService
    /// The enrolment policy.
    public let policy: EnrolmentPolicy
    /// The student-aid policy.
    public let aidPolicy: StudentAidPolicy

    /// The service on the education bureau's ports.
    public init(
        ports: ServicePorts,
        draws: DrawService,
        oneCard: OneCardService,
        policy: EnrolmentPolicy = EnrolmentPolicy(),
        aidPolicy: StudentAidPolicy = StudentAidPolicy()
    ) {
        self.ports = ports.logging(as: "education")
        self.draws = draws
        self.oneCard = oneCard
        self.policy = policy
        self.aidPolicy = aidPolicy
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    func write<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(EducationError) -> T {
        try await ports.write(purpose, wrapping: EducationError.init(wrapping:), body)
    }

    func read<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(EducationError) -> T {
        try await ports.read(purpose, wrapping: EducationError.init(wrapping:), body)
    }

    // MARK: Sunshine enrolment

    /// Registers a school.
    public func register(_ school: School) async throws(EducationError) {
        try await write(Purposes.enrolment) { db in
            guard try await db.get(School.self, key: school.recordKey) == nil else {
                throw EducationError.duplicate("school \(school.id)")
            }
            try await db.put(school)
        }
    }

    /// The lottery's draw id for a school.
    public static func lotteryID(school: String) -> String { "enrolment-\(school)" }

    /// Commits the school's lottery seed — before applications close, so that nobody, the bureau
    /// included, can choose a seed knowing the applicants. The commitment is to publish.
    public func commitLottery(school: String) async throws(EducationError) -> DrawResult {
        _ = try await self.school(school)
        do {
            return try await draws.commit(id: Self.lotteryID(school: school), purpose: "sunshine enrolment: \(school)")
        } catch {
            throw .draw(error)
        }
    }

    /// A school.
    public func school(_ id: String) async throws(EducationError) -> School {
        try await read(Purposes.enrolment) { db in
            guard let school = try await db.get(School.self, key: RecordKey(id)) else {
                throw EducationError.notFound("school \(id)")
            }
            return school
        }
    }

    /// Files an application; a child has one application pending or admitted at a time.
    @discardableResult
    public func apply(_ application: EnrolmentApplication) async throws(EducationError) -> EnrolmentApplication {
        try await write(Purposes.enrolment) { db in
            guard let school = try await db.get(School.self, key: RecordKey(application.school)) else {
                throw EducationError.notFound("school \(application.school)")
            }
            guard try await db.get(EnrolmentApplication.self, key: application.recordKey) == nil else {
                throw EducationError.duplicate("application \(application.id)")
            }
            let others = try await db.fetch(
                RecordQuery<EnrolmentApplication>.filter("child", equals: .text(application.child.unmasked))
            )
            if let other = others.first(where: { $0.outcome != .referred }) {
                throw EducationError.duplicate("a current application for the child (\(other.id))")
            }
            if let allocated = try await db.fetch(
                RecordQuery<EnrolmentApplication>.filter("school", equals: .text(school.id))
            )
            .first(where: { $0.outcome != .pending }) {
                throw EducationError.illegal(move: "apply to \(school.id)", state: "allocated (\(allocated.id))")
            }
            try await db.put(application)
            return application
        }
    }

    /// Allocates a school's places: the classes in order, each admitted whole while places last;
    /// the class that does not fit is drawn by the committed public lottery for the places left;
    /// the rest, and applications in no class, are referred to the bureau (统筹安排). Runs once.
    public func allocate(school id: String) async throws(EducationError) -> Allocation {
        let school = try await school(id)
        let pending = try await read(Purposes.enrolment) { db in
            try await db.fetch(RecordQuery<EnrolmentApplication>.filter("school", equals: .text(id)))
        }
        guard !pending.contains(where: { $0.outcome != .pending }) else {
            throw .illegal(move: "allocate \(id)", state: "allocated")
        }
        var left = school.places
        var admitted: [String] = []
        var reasons: [String: String] = [:]
        var checks: [RuleCheck] = []
        var lottery: DrawResult?
        for priority in policy.classes {
            let members = pending.filter { policy.priorityClass(of: $0.facts)?.id == priority.id }.map(\.id).sorted()
            guard !members.isEmpty else { continue }
            if members.count <= left {
                admitted += members
                for member in members { reasons[member] = "\(priority.name): all \(members.count) admitted" }
                checks.append(
                    RuleCheck(
                        rule: priority.id,
                        statement:
                            "\(priority.name): \(members.count) applicant(s), \(left) place(s) left: all admitted",
                        passed: true
                    )
                )
                left -= members.count
            } else if left > 0 {
                let result: DrawResult
                do {
                    result = try await draws.draw(id: Self.lotteryID(school: id), candidates: members, places: left)
                } catch {
                    if case .notFound = error {
                        throw .illegal(
                            move: "draw the lottery of \(id)",
                            state: "not committed (commit before applications close)"
                        )
                    }
                    throw .draw(error)
                }
                lottery = result
                for (position, member) in result.order.enumerated() {
                    reasons[member] =
                        "\(priority.name): \(members.count) for \(left) place(s), public draw \(result.id), drawn \(position + 1): "
                        + (position < left ? "admitted" : "referred")
                }
                admitted += result.winners
                checks.append(
                    RuleCheck(
                        rule: priority.id,
                        statement:
                            "\(priority.name): \(members.count) applicant(s) for \(left) place(s): public draw \(result.id) (commitment \(result.commitment.prefix(16))…)",
                        passed: true
                    )
                )
                left = 0
            } else {
                for member in members { reasons[member] = "\(priority.name): no place left" }
                checks.append(
                    RuleCheck(
                        rule: priority.id,
                        statement: "\(priority.name): \(members.count) applicant(s), no place left",
                        passed: true
                    )
                )
            }
        }
        for application in pending where policy.priorityClass(of: application.facts) == nil {
            reasons[application.id] = "in no priority class"
        }
        let admittedSet = Set(admitted)
        let referred = pending.map(\.id).filter { !admittedSet.contains($0) }.sorted()
        let (final, why) = (pending, reasons)
        try await write(Purposes.enrolment) { db in
            for var application in final {
                application.outcome = admittedSet.contains(application.id) ? .admitted : .referred
                application.reason = why[application.id]
                try await db.put(application)
            }
        }
        ports.logger.info(
            "school allocated",
            metadata: ["school": "\(id)", "admitted": "\(admitted.count)", "referred": "\(referred.count)"]
        )
        return Allocation(
            school: id,
            places: school.places,
            admitted: admitted.sorted(),
            referred: referred,
            lottery: lottery,
            decision: ExplainedDecision(checks: checks, policyVersion: policy.version)
        )
    }

    /// An application.
    public func application(_ id: String) async throws(EducationError) -> EnrolmentApplication {
        try await read(Purposes.enrolment) { db in
            guard let application = try await db.get(EnrolmentApplication.self, key: RecordKey(id)) else {
                throw EducationError.notFound("application \(id)")
            }
            return application
        }
    }

    // MARK: Exam scores

    /// Issues a student's exam scores as an e-certificate of ``SocietyCertificates/CertificateType/examScores``:
    /// every subject a claim the student may disclose alone; the total is computed here.
    public func issueExamScores(
        student: ResidentID,
        name: PersonName,
        examNumber: String,
        year: Int,
        scores: [String: Double],
        issuer: CertificateIssuer,
        holderKey: JSONWebKey
    ) async throws(EducationError) -> IssuedCertificate {
        let subjects = CertificateType.examScores.claims.map(\.name).filter {
            !["name", "exam_number", "year", "total"].contains($0)
        }
        guard Set(scores.keys) == Set(subjects) else {
            throw .invalid("scores for exactly \(subjects.joined(separator: ", "))")
        }
        guard scores.values.allSatisfy({ $0 >= 0 && $0 <= 200 }) else { throw .invalid("a score is 0–200") }
        var claims: JSONObject = [
            "name": .string(name.unmasked), "exam_number": .string(examNumber), "year": .number(Double(year)),
            "total": .number(subjects.reduce(0) { $0 + (scores[$1] ?? 0) }),
        ]
        for subject in subjects { claims[subject] = .number(scores[subject] ?? 0) }
        do {
            return try await issuer.issue(
                .examScores,
                to: .resident(student),
                holderKey: holderKey,
                claims: claims,
                number: examNumber
            )
        } catch {
            throw .invalid("certificate: \(error)")
        }
    }

    // MARK: Student aid

    /// The catalogue code of student aid.
    public static let aidService = "edu.student-aid"

    /// Decides a student's application for the national grant of `year` on the shared life cycle
    /// (submitted, accepted, reviewed by the rules, completed `approved` or `rejected`, with the
    /// desk's ``SocietyServices/ApplicationRecord`` beside it), and pays an approved grant once
    /// through the one-card (instruction `aid-ID`). The household economic verification's answer
    /// (`verification`, an opened envelope from civil affairs:
    /// `{"facts": {ID: {"assistance": "minimumLiving" | "extremePoverty" | "lowIncome" | …}}}`) must
    /// show the household in difficulty. A rejected application is kept, with its decision; a
    /// second application for the student and year is refused.
    public func decideAid(
        id: String,
        student: ResidentID,
        year: Int,
        seniorSecondary: Bool,
        verification: OpenedEnvelope
    ) async throws(EducationError) -> StudentAidApplication {
        guard !id.isEmpty else { throw .invalid("an application has an id") }
        guard let facts = verification.claims.data["facts"]?[student.unmasked]?.objectValue else {
            throw .invalid("the verification has no facts for the student")
        }
        let assistance = facts["assistance"]?.stringValue ?? "none"
        let difficult = ["minimumLiving", "extremePoverty", "lowIncome", "nearPoverty"].contains(assistance)
        let checks = [
            RuleCheck(
                rule: "level",
                statement: seniorSecondary
                    ? "a senior-secondary or vocational student" : "not a senior-secondary or vocational student",
                passed: seniorSecondary
            ),
            RuleCheck(
                rule: "economic-difficulty",
                statement: "household assistance \(assistance) (verified by \(verification.claims.issuer))",
                passed: difficult
            ),
        ]
        let decision = ExplainedDecision(checks: checks, policyVersion: aidPolicy.version)
        let today = today
        var lifecycle: ServiceApplication
        do {
            // Time limits: an **assumption**, 20 working days by statute, 10 promised.
            lifecycle = ServiceApplication(
                id: id,
                serviceCode: Self.aidService,
                timeLimit: try TimeLimit(statutory: 20, promised: 10),
                submitted: today,
                by: "applicant"
            )
            try lifecycle.accept(on: today, by: "education")
            try lifecycle.review(step: "rules \(aidPolicy.version)", on: today, by: "education")
            try lifecycle.complete(result: decision.isEligible ? "approved" : "rejected", on: today, by: "education")
        } catch {
            throw .invalid("\(error)")
        }
        let application = StudentAidApplication(
            id: id,
            student: student,
            year: year,
            lifecycle: lifecycle,
            decision: decision,
            amount: decision.isEligible ? aidPolicy.annualGrant : .zero
        )
        let district = try? DivisionCode(student.addressCode)
        let record = lifecycle
        let kept = try await write(Purposes.aid) { db in
            if let kept = try await db.get(StudentAidApplication.self, key: application.recordKey) {
                guard kept.student == student, kept.year == year else {
                    throw EducationError.duplicate("application \(id)")
                }
                return kept
            }
            let others = try await db.fetch(
                RecordQuery<StudentAidApplication>.filter("student_year", equals: .text("\(student.unmasked)|\(year)"))
            )
            if let other = others.first {
                throw EducationError.duplicate("a grant for the student for \(year) (\(other.id))")
            }
            try await db.put(application)
            if let district {
                try await db.put(
                    ApplicationRecord(
                        application: record,
                        applicant: .resident(student),
                        department: "education",
                        district: district
                    )
                )
            }
            return application
        }
        guard kept.decision.isEligible, kept.paidBy == nil else { return kept }
        let instruction: PaymentInstruction
        do {
            instruction = try PaymentInstruction(
                id: "aid-\(id)",
                programme: .studentAid,
                holder: student,
                period: PayPeriod(containing: today),
                amount: kept.amount
            )
            _ = try await oneCard.submit(instruction)
        } catch {
            throw .oneCard("\(error)")
        }
        return try await write(Purposes.aid) { db in
            guard var paid = try await db.get(StudentAidApplication.self, key: application.recordKey) else {
                throw EducationError.notFound("application \(id)")
            }
            paid.paidBy = instruction.id
            try await db.put(paid)
            return paid
        }
    }

    // MARK: Canteen traceability

    /// Appends a step to a batch's chain: the first step is `supplied`, and steps follow the
    /// order supplied → cooked → delivered → received → served (a school may serve more than once).
    @discardableResult
    public func record(
        _ step: MealStep,
        batch: String,
        actor: String,
        at: Date,
        detail: String
    ) async throws(EducationError) -> MealEvent {
        guard batch.wholeMatch(of: /[A-Za-z0-9\-]{4,40}/) != nil else {
            throw .invalid("a batch code is 4–40 letters, digits or '-'")
        }
        guard !actor.isEmpty else { throw .invalid("an event has an actor") }
        let crypto = ports.crypto
        return try await write(Purposes.meals) { db in
            let chain = try await db.fetch(RecordQuery<MealEvent>.filter("batch", equals: .text(batch)))
                .sorted { $0.sequence < $1.sequence }
            let steps = MealStep.allCases
            let last = chain.last?.step
            let allowed: Bool =
                switch last {
                case nil: step == .supplied
                case .served: step == .served
                case .some(let previous): steps.firstIndex(of: step) == steps.firstIndex(of: previous).map { $0 + 1 }
                }
            guard allowed else {
                throw EducationError.illegal(
                    move: "record \(step.rawValue) for batch \(batch)",
                    state: last?.rawValue ?? "empty"
                )
            }
            let previous = chain.last?.digest ?? String(repeating: "0", count: 64)
            let sequence = chain.count
            let digest = try Self.digest(batch, sequence, step, actor, at, detail, previous, crypto: crypto)
            let event = MealEvent(
                batch: batch,
                sequence: sequence,
                step: step,
                actor: actor,
                at: at,
                detail: detail,
                previous: previous,
                digest: digest
            )
            try await db.put(event)
            return event
        }
    }

    static func digest(
        _ batch: String,
        _ sequence: Int,
        _ step: MealStep,
        _ actor: String,
        _ at: Date,
        _ detail: String,
        _ previous: String,
        crypto: any CryptoProvider
    ) throws -> String {
        let object: JSONValue = [
            "batch": .string(batch), "sequence": .number(Double(sequence)), "step": .string(step.rawValue),
            "actor": .string(actor), "at": .number(at.timeIntervalSince1970.rounded()), "detail": .string(detail),
            "previous": .string(previous),
        ]
        return Hex.encode(try crypto.digest(.sha256, of: Array(try object.canonicalString().utf8)))
    }

    /// A batch's chain, verified: every digest recomputed and linked; a changed or missing event
    /// is reported as ``EducationError/broken(_:)``.
    public func trace(batch: String) async throws(EducationError) -> [MealEvent] {
        let chain = try await read(Purposes.meals) { db in
            try await db.fetch(RecordQuery<MealEvent>.filter("batch", equals: .text(batch)))
                .sorted { $0.sequence < $1.sequence }
        }
        guard !chain.isEmpty else { throw .notFound("batch \(batch)") }
        try Self.verify(chain, crypto: ports.crypto)
        return chain
    }

    /// Checks a chain's links and digests.
    public static func verify(_ chain: [MealEvent], crypto: any CryptoProvider) throws(EducationError) {
        var previous = String(repeating: "0", count: 64)
        for (index, event) in chain.enumerated() {
            guard event.sequence == index else { throw .broken("event \(index) is missing") }
            guard event.previous == previous else { throw .broken("event \(index) does not link to the one before") }
            let digest = try? digest(
                event.batch,
                event.sequence,
                event.step,
                event.actor,
                event.at,
                event.detail,
                event.previous,
                crypto: crypto
            )
            guard digest == event.digest else { throw .broken("event \(index) was changed") }
            previous = event.digest
        }
    }

    /// A recall (召回): the batches `actor` (a supplier or kitchen) took part in, and the schools
    /// that received each.
    public func recall(actor: String) async throws(EducationError) -> [String: [String]] {
        try await read(Purposes.meals) { db in
            let touched = Set(
                try await db.fetch(RecordQuery<MealEvent>.filter("actor", equals: .text(actor))).map(\.batch)
            )
            var schools: [String: [String]] = [:]
            for batch in touched.sorted() {
                let chain = try await db.fetch(RecordQuery<MealEvent>.filter("batch", equals: .text(batch)))
                schools[batch] = Array(Set(chain.filter { $0.step == .received }.map(\.actor))).sorted()
            }
            return schools
        }
    }

    // MARK: Resources and the smart-campus indicator

    /// Adds a course resource to the catalogue.
    public func add(_ resource: CourseResource) async throws(EducationError) {
        try await write(Purposes.resources) { db in
            guard try await db.get(CourseResource.self, key: resource.recordKey) == nil else {
                throw EducationError.duplicate("resource \(resource.id)")
            }
            try await db.put(resource)
        }
    }

    /// The catalogue's resources of a subject, by grade.
    public func resources(subject: String) async throws(EducationError) -> [CourseResource] {
        try await read(Purposes.resources) { db in
            try await db.fetch(RecordQuery<CourseResource>.filter("subject", equals: .text(subject)))
                .sorted { ($0.grade, $0.id) < ($1.grade, $1.id) }
        }
    }

    /// Records (or replaces) a school's smart-campus report.
    public func report(_ report: SmartCampusReport) async throws(EducationError) {
        try await write(Purposes.resources) { db in try await db.put(report) }
    }

    /// The smart-campus indicator: schools meeting every criterion, of schools reporting.
    public func smartCampus() async throws(EducationError) -> (smart: Int, reporting: Int) {
        try await read(Purposes.resources) { db in
            var smart = 0
            var reporting = 0
            try await db.forEach(RecordQuery<SmartCampusReport>.all) { report in
                reporting += 1
                if report.isSmart { smart += 1 }
                return true
            }
            return (smart, reporting)
        }
    }
}
