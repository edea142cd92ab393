import Foundation
import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyExchange
import SocietyJSON
public import SocietyOneCard
public import SocietyServices

extension CertificateType {
    /// 老年人能力评估结果: the capability assessment's result, held by the person assessed — the
    /// level, the total and the day, so that a provider or an institution checks it offline.
    public static let elderlyCapability = CertificateType(
        code: "elderly-capability",
        name: "老年人能力评估结果",
        englishName: "Older person's capability assessment",
        holderKind: .resident,
        claims: [
            .init("name", "姓名", .personName),
            .init("level", "能力等级", .choice(CapabilityLevel.allCases.map(\.description))),
            .init("total", "总分", .count),
            .init("assessed_on", "评估日期", .date),
        ]
    )
}

/// Elderly care (养老, plan item 9): capability assessments by GB/T 42195-2022 issued as
/// e-certificates, care plans from the level, home-care orders with providers and care workers,
/// check-in and check-out and ratings, care institutions graded, and the care subsidy for older
/// people in economic difficulty paid through the one-card.
///
/// ```swift
/// let care = ElderlyCareService(ports: ports, oneCard: oneCard)
/// let assessment = try await care.assess(id: "as-1", elder: elder, assessor: "A01", items: scores)
/// let plan = try await care.makePlan(id: "plan-1", from: assessment.id)
/// try await care.place(try HomeCareOrder(id: "o-1", elder: elder, provider: code, kind: .dailyLiving, date: day))
/// ```
public struct ElderlyCareService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Assessments and plans.
        public static let assessments = Purpose(constant: "elderly.assessments")
        /// Providers, workers and orders.
        public static let orders = Purpose(constant: "elderly.orders")
        /// The subsidy.
        public static let subsidy = Purpose(constant: "elderly.subsidy")
        /// Answers to marketplace providers under a resident's consent.
        public static let port = Purpose(constant: "elderly.port")
    }

    let ports: ServicePorts
    /// The one-card the subsidy is paid through.
    public let oneCard: OneCardService
    /// The scoring rules.
    public let rules: CapabilityRules
    /// The care-plan services by level.
    public let planPolicy: CarePlanPolicy
    /// The subsidy rules.
    public let subsidyPolicy: ElderlySubsidyPolicy

    /// The service on the civil-affairs elderly-care ports, logging as component `elderly-care`.
    public init(
        ports: ServicePorts,
        oneCard: OneCardService,
        rules: CapabilityRules = CapabilityRules(),
        planPolicy: CarePlanPolicy = CarePlanPolicy(),
        subsidyPolicy: ElderlySubsidyPolicy = ElderlySubsidyPolicy()
    ) {
        self.ports = ports.logging(as: "elderly-care")
        self.oneCard = oneCard
        self.rules = rules
        self.planPolicy = planPolicy
        self.subsidyPolicy = subsidyPolicy
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    func write<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(ElderlyCareError) -> T {
        try await ports.write(purpose, wrapping: ElderlyCareError.init(wrapping:), body)
    }

    func read<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(ElderlyCareError) -> T {
        try await ports.read(purpose, wrapping: ElderlyCareError.init(wrapping:), body)
    }

    // MARK: Assessment

    /// Scores and records an assessment of `elder` (60 or older) today: every item within its
    /// range, the level by the score and the rules, explained.
    @discardableResult
    public func assess(
        id: String,
        elder: ResidentID,
        assessor: String,
        items: [CapabilityItem: Int],
        facts: AssessmentFacts = AssessmentFacts()
    ) async throws(ElderlyCareError) -> CapabilityAssessment {
        let today = today
        guard !id.isEmpty, !assessor.isEmpty else { throw .invalid("an assessment has an id and an assessor") }
        guard elder.birthDate.age(on: today) >= subsidyPolicy.minimumAge else {
            throw .invalid("the person is \(elder.birthDate.age(on: today)), under \(subsidyPolicy.minimumAge)")
        }
        let assessment = CapabilityAssessment(
            id: id,
            elder: elder,
            date: today,
            assessor: assessor,
            score: try CapabilityScore(items: items, facts: facts, rules: rules)
        )
        try await write(Purposes.assessments) { db in
            guard try await db.get(CapabilityAssessment.self, key: assessment.recordKey) == nil else {
                throw ElderlyCareError.duplicate("assessment \(id)")
            }
            try await db.put(assessment)
        }
        ports.logger.info("assessed", metadata: ["assessment": "\(id)", "level": "\(assessment.level)"])
        return assessment
    }

    /// An assessment.
    public func assessment(_ id: String) async throws(ElderlyCareError) -> CapabilityAssessment {
        try await read(Purposes.assessments) { db in
            guard let found = try await db.get(CapabilityAssessment.self, key: RecordKey(id)) else {
                throw ElderlyCareError.notFound("assessment \(id)")
            }
            return found
        }
    }

    /// The person's latest assessment, if any.
    public func latestAssessment(of elder: ResidentID) async throws(ElderlyCareError) -> CapabilityAssessment? {
        try await read(Purposes.assessments) { db in
            try await db.fetch(RecordQuery<CapabilityAssessment>.filter("elder", equals: .text(elder.unmasked)))
                .max { ($0.date, $0.id) < ($1.date, $1.id) }
        }
    }

    /// Issues the assessment's result as an e-certificate (``SocietyCertificates/CertificateType/elderlyCapability``)
    /// to the person assessed, named `name`.
    public func issueCertificate(
        _ id: String,
        name: PersonName,
        issuer: CertificateIssuer,
        holderKey: JSONWebKey
    ) async throws(ElderlyCareError) -> IssuedCertificate {
        let assessment = try await assessment(id)
        let claims: JSONObject = [
            "name": .string(name.unmasked), "level": .string(assessment.level.description),
            "total": .number(Double(assessment.score.total)), "assessed_on": .string(assessment.date.iso8601),
        ]
        do {
            return try await issuer.issue(
                .elderlyCapability,
                to: .resident(assessment.elder),
                holderKey: holderKey,
                claims: claims,
                number: assessment.id
            )
        } catch {
            throw .invalid("certificate: \(error)")
        }
    }

    // MARK: Care plans

    /// Makes a care plan from an assessment: the services of its level (``CarePlanPolicy``), from today.
    @discardableResult
    public func makePlan(id: String, from assessmentID: String) async throws(ElderlyCareError) -> CarePlan {
        let assessment = try await assessment(assessmentID)
        let plan = CarePlan(
            id: id,
            elder: assessment.elder,
            assessment: assessment.id,
            level: assessment.level,
            services: planPolicy.services[assessment.level] ?? [],
            from: today
        )
        try await write(Purposes.assessments) { db in
            guard try await db.get(CarePlan.self, key: plan.recordKey) == nil else {
                throw ElderlyCareError.duplicate("care plan \(id)")
            }
            try await db.put(plan)
        }
        return plan
    }

    /// The person's plans, latest first.
    public func plans(of elder: ResidentID) async throws(ElderlyCareError) -> [CarePlan] {
        try await read(Purposes.assessments) { db in
            try await db.fetch(RecordQuery<CarePlan>.filter("elder", equals: .text(elder.unmasked)))
                .sorted { ($0.from, $0.id) > ($1.from, $1.id) }
        }
    }

    // MARK: Providers and orders

    /// Registers a home-care provider.
    public func register(_ provider: HomeCareProvider) async throws(ElderlyCareError) {
        try await write(Purposes.orders) { db in
            guard try await db.get(HomeCareProvider.self, key: provider.recordKey) == nil else {
                throw ElderlyCareError.duplicate("provider \(provider.id)")
            }
            try await db.put(provider)
        }
    }

    /// Registers a care worker of a registered provider.
    public func register(_ worker: CareWorker) async throws(ElderlyCareError) {
        try await write(Purposes.orders) { db in
            guard try await db.get(HomeCareProvider.self, key: RecordKey(worker.provider)) != nil else {
                throw ElderlyCareError.notFound("provider \(worker.provider)")
            }
            guard try await db.get(CareWorker.self, key: worker.recordKey) == nil else {
                throw ElderlyCareError.duplicate("worker \(worker.id)")
            }
            try await db.put(worker)
        }
    }

    /// Places an order with a provider that offers its service.
    @discardableResult
    public func place(_ order: HomeCareOrder) async throws(ElderlyCareError) -> HomeCareOrder {
        try await write(Purposes.orders) { db in
            guard let provider = try await db.get(HomeCareProvider.self, key: RecordKey(order.provider)) else {
                throw ElderlyCareError.notFound("provider \(order.provider)")
            }
            guard provider.kinds.contains(order.kind) else {
                throw ElderlyCareError.invalid("\(provider.name) does not offer \(order.kind.rawValue)")
            }
            guard try await db.get(HomeCareOrder.self, key: order.recordKey) == nil else {
                throw ElderlyCareError.duplicate("order \(order.id)")
            }
            try await db.put(order)
            return order
        }
    }

    /// Moves an order; a worker assigned must work for the order's provider.
    @discardableResult
    public func apply(_ event: HomeCareOrder.Event, to id: String) async throws(ElderlyCareError) -> HomeCareOrder {
        try await write(Purposes.orders) { db in
            guard let order = try await db.get(HomeCareOrder.self, key: RecordKey(id)) else {
                throw ElderlyCareError.notFound("order \(id)")
            }
            if case .assign(let worker) = event {
                guard let found = try await db.get(CareWorker.self, key: RecordKey(worker)),
                    found.provider == order.provider
                else { throw ElderlyCareError.invalid("worker \(worker) does not work for \(order.provider)") }
            }
            let next = try order.applying(event)
            try await db.put(next)
            return next
        }
    }

    /// An order.
    public func order(_ id: String) async throws(ElderlyCareError) -> HomeCareOrder {
        try await read(Purposes.orders) { db in
            guard let order = try await db.get(HomeCareOrder.self, key: RecordKey(id)) else {
                throw ElderlyCareError.notFound("order \(id)")
            }
            return order
        }
    }

    /// A provider's quality from its orders.
    public func quality(of provider: String) async throws(ElderlyCareError) -> ProviderQuality {
        try await read(Purposes.orders) { db in
            let orders = try await db.fetch(RecordQuery<HomeCareOrder>.filter("provider", equals: .text(provider)))
            let rated = orders.compactMap(\.stars)
            return ProviderQuality(
                provider: provider,
                completed: orders.filter { $0.state == .completed || $0.state == .rated }.count,
                rated: rated.count,
                meanStars: rated.isEmpty ? 0 : Double(rated.reduce(0, +)) / Double(rated.count),
                cancelled: orders.filter { $0.state == .cancelled }.count
            )
        }
    }

    // MARK: The subsidy

    /// The person's keyed hash, hex (no identity number in a record key).
    public func pseudonym(of elder: ResidentID) throws(ElderlyCareError) -> String {
        do {
            return try ports.pseudonym(kind: "elder", of: elder.unmasked)
        } catch {
            throw ElderlyCareError(wrapping: error)
        }
    }

    /// The subsidy rules for `elder` in `month`, explained: age, economic difficulty (a fact the
    /// caller holds — the assistance department's, by envelope), a recent assessment at a level
    /// that the policy pays.
    public func subsidyDecision(
        for elder: ResidentID,
        month: PayPeriod,
        economicDifficulty: Bool
    ) async throws(ElderlyCareError) -> (ExplainedDecision, Money) {
        let policy = subsidyPolicy
        guard let firstDay = try? CalendarDate(year: month.year, month: month.month, day: 1) else {
            throw .invalid("month \(month)")
        }
        let age = elder.birthDate.age(on: firstDay)
        var checks = [
            RuleCheck(
                rule: "age",
                statement: "aged \(age) on \(firstDay) \(age >= policy.minimumAge ? "≥" : "<") \(policy.minimumAge)",
                passed: age >= policy.minimumAge
            ),
            RuleCheck(
                rule: "economic-difficulty",
                statement: economicDifficulty
                    ? "in a dibao or extreme-poverty household" : "not in economic difficulty",
                passed: economicDifficulty
            ),
        ]
        let latest = try await latestAssessment(of: elder)
        var amount = Money.zero
        if let latest {
            let valid = latest.date.adding(months: policy.assessmentValidMonths) > firstDay
            checks.append(
                RuleCheck(
                    rule: "assessment",
                    statement: "assessed \(latest.date): \(latest.level.chineseName)"
                        + (valid ? "" : ", older than \(policy.assessmentValidMonths) months"),
                    passed: valid
                )
            )
            let paid = policy.monthly[latest.level]
            checks.append(
                RuleCheck(
                    rule: "level",
                    statement: paid.map { "\(latest.level.description): \($0.yuanText) yuan a month" }
                        ?? "\(latest.level.description): no subsidy at this level",
                    passed: paid != nil
                )
            )
            amount = paid ?? .zero
        } else {
            checks.append(RuleCheck(rule: "assessment", statement: "no capability assessment", passed: false))
        }
        let decision = ExplainedDecision(checks: checks, policyVersion: policy.version)
        return (decision, decision.isEligible ? amount : .zero)
    }

    /// Pays `elder` the month's subsidy through the one-card, once: refused (with the decision)
    /// when a rule fails; the month already paid returns the payment made.
    public func paySubsidy(
        to elder: ResidentID,
        month: PayPeriod,
        economicDifficulty: Bool
    ) async throws(ElderlyCareError) -> ElderlySubsidyPayment {
        let id = "\(try pseudonym(of: elder).prefix(24))-\(month)"
        if let paid = try await read(
            Purposes.subsidy,
            { db in try await db.get(ElderlySubsidyPayment.self, key: RecordKey(id)) }
        ) {
            return paid
        }
        let (decision, amount) = try await subsidyDecision(
            for: elder,
            month: month,
            economicDifficulty: economicDifficulty
        )
        guard decision.isEligible else { throw .refused(decision) }
        let instruction: PaymentInstruction
        do {
            instruction = try PaymentInstruction(
                id: "ec-\(id)",
                programme: .elderlyCareSubsidy,
                holder: elder,
                period: month,
                amount: amount
            )
            _ = try await oneCard.submit(instruction)
        } catch {
            throw .oneCard("\(error)")
        }
        let payment = ElderlySubsidyPayment(
            id: id,
            elder: elder,
            month: "\(month)",
            amount: amount,
            decision: decision,
            instruction: instruction.id
        )
        try await write(Purposes.subsidy) { db in try await db.put(payment) }
        return payment
    }
}

/// The public elderly-care service port (养老服务公共数据端口): the data services a marketplace
/// provider may consume with the resident's consent, and the handler that answers them.
///
/// The consent itself is checked before the handler runs, by the department's envelope opener
/// (the marketplace's consent registry, `SocietyMarketplace`); the handler answers for the
/// resident the request resolves to (`resident`, e.g. the consent's resident) with only the fields
/// asked for.
public enum ElderlyCarePort {
    /// The capability level and care plan of a consenting resident.
    public static let capability = "elderly.capability"

    /// The fields it can answer.
    public static let fields = ["level", "levelName", "assessedOn", "planServices"]

    /// The catalogue entry: health information about a person, `important` and sensitive personal
    /// data, so its envelopes travel encrypted.
    public static func services(provider: Party, purposes: Set<Purpose>) -> [DataService] {
        [
            DataService(
                id: capability,
                provider: provider,
                fields: fields.map { DataService.Field(name: $0, level: .important, sensitivity: .sensitivePersonal) },
                purposes: purposes
            )
        ]
    }

    /// The handler: `{"fields": [..]}` answered for the resident `resident` resolves the request to.
    public static func handler(
        _ care: ElderlyCareService,
        resident: @escaping @Sendable (OpenedEnvelope) async throws -> ResidentID
    ) -> any ExchangeHandler {
        ClosureHandler(service: capability) { request in
            let elder = try await resident(request)
            guard let assessment = try await care.latestAssessment(of: elder) else {
                throw ExchangeProblem.notFound("no capability assessment")
            }
            let plan = try await care.plans(of: elder).first
            let all: JSONObject = [
                "level": .string(assessment.level.description), "levelName": .string(assessment.level.chineseName),
                "assessedOn": .string(assessment.date.iso8601),
                "planServices": .array(
                    (plan?.services ?? []).map {
                        ["kind": .string($0.kind.rawValue), "visitsPerWeek": .number(Double($0.visitsPerWeek))]
                    }
                ),
            ]
            var answer = JSONObject()
            let asked = request.claims.data["fields"]?.arrayValue ?? []
            for case .string(let field) in asked {
                guard let value = all[field] else { throw ExchangeProblem.requestData("no field \(field)") }
                answer[field] = value
            }
            return .object(answer)
        }
    }
}
