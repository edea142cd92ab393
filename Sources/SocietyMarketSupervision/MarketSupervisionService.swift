import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyDraw
import SocietyJSON
public import SocietyServices

/// Smart market supervision (智慧市场监管, plan item 16): market entities keyed by their unified
/// social credit code with their licences issued as e-certificates; "double random, one public"
/// inspections (双随机、一公开) drawn with the shared verifiable draw, conflicts of interest left out,
/// rectification deadlines in working days and a masked public disclosure; credit classes from
/// events, explained, with their effects and credit repair; special equipment with its registration
/// and inspection deadlines and the early warnings; product batches traced along the chain and
/// recalled from every downstream holder.
///
/// ```swift
/// let market = MarketSupervisionService(ports: ports, draws: draws, calendar: try PublishedCalendar.official())
/// try await market.register(entity)
/// let plan = try await market.createPlan(id: "2026-food-1", title: "food sales", industry: "food-sales")
/// let drawn = try await market.drawPlan("2026-food-1")
/// try await market.recordResult(plan: "2026-food-1", entity: code, outcome: .noProblem, findings: "none")
/// let published = try await market.disclosure(of: "2026-food-1")
/// ```
public struct MarketSupervisionService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Entities and licences.
        public static let register = Purpose(constant: "market.register")
        /// Inspectors, plans and results.
        public static let inspections = Purpose(constant: "market.inspections")
        /// Credit events and classes.
        public static let credit = Purpose(constant: "market.credit")
        /// Special equipment.
        public static let equipment = Purpose(constant: "market.equipment")
        /// Batches, transfers and recalls.
        public static let traceability = Purpose(constant: "market.traceability")
    }

    let ports: ServicePorts
    /// The public-draw office the inspections are drawn in.
    public let draws: DrawService
    /// The working-day calendar deadlines count on.
    public let calendar: any WorkingCalendar
    /// The credit classification rules.
    public let credit: CreditPolicy
    /// The special-equipment rules.
    public let equipment: SpecialEquipmentPolicy
    /// The random-inspection rules.
    public let inspection: InspectionPolicy

    /// The service on the market supervision department's ports, logging as component `market`.
    public init(
        ports: ServicePorts,
        draws: DrawService,
        calendar: any WorkingCalendar,
        credit: CreditPolicy = CreditPolicy(),
        equipment: SpecialEquipmentPolicy = SpecialEquipmentPolicy(),
        inspection: InspectionPolicy = InspectionPolicy()
    ) {
        self.ports = ports.logging(as: "market")
        self.draws = draws
        self.calendar = calendar
        self.credit = credit
        self.equipment = equipment
        self.inspection = inspection
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    func write<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(MarketSupervisionError) -> T {
        try await ports.write(purpose, wrapping: MarketSupervisionError.init(wrapping:), body)
    }

    func read<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(MarketSupervisionError) -> T {
        try await ports.read(purpose, wrapping: MarketSupervisionError.init(wrapping:), body)
    }

    // MARK: Entities and licences

    /// Puts `entity` on the register; a credit code already there is refused.
    public func register(_ entity: MarketEntity) async throws(MarketSupervisionError) {
        try await write(Purposes.register) { db in
            guard try await db.get(MarketEntity.self, key: entity.recordKey) == nil else {
                throw MarketSupervisionError.duplicate("entity \(entity.code)")
            }
            try await db.put(entity)
        }
    }

    /// The entity with `code`.
    public func entity(_ code: CreditCode) async throws(MarketSupervisionError) -> MarketEntity {
        try await read(Purposes.register) { db in
            guard let found = try await db.get(MarketEntity.self, key: RecordKey(code.value)) else {
                throw MarketSupervisionError.notFound("entity \(code)")
            }
            return found
        }
    }

    /// Grants `licence` to its holder, who must be on the register; a number granted before is refused.
    public func grant(_ licence: Licence) async throws(MarketSupervisionError) {
        try await write(Purposes.register) { db in
            guard try await db.get(MarketEntity.self, key: RecordKey(licence.holder.value)) != nil else {
                throw MarketSupervisionError.notFound("entity \(licence.holder)")
            }
            guard try await db.get(Licence.self, key: licence.recordKey) == nil else {
                throw MarketSupervisionError.duplicate("\(licence.kind.rawValue) licence \(licence.number)")
            }
            try await db.put(licence)
        }
    }

    /// Revokes a licence (吊销), with the reason recorded as a major-penalty credit event.
    public func revoke(_ kind: LicenceKind, number: String, reason: String) async throws(MarketSupervisionError) {
        guard !reason.isEmpty else { throw .invalid("a revocation has a reason") }
        let today = today
        try await write(Purposes.register) { db in
            guard var licence = try await db.get(Licence.self, key: RecordKey("\(kind.rawValue):\(number)")) else {
                throw MarketSupervisionError.notFound("\(kind.rawValue) licence \(number)")
            }
            guard licence.state == .valid else {
                throw MarketSupervisionError.illegal(move: "revoke", state: "revoked")
            }
            licence.state = .revoked
            try await db.put(licence)
            try await db.put(
                try CreditEvent(
                    id: "revoked-\(kind.rawValue)-\(number)",
                    entity: licence.holder,
                    kind: .majorPenalty,
                    date: today,
                    detail: "\(kind.name) \(number) revoked: \(reason)"
                )
            )
        }
    }

    /// The entity's licences.
    public func licences(of holder: CreditCode) async throws(MarketSupervisionError) -> [Licence] {
        try await read(Purposes.register) { db in
            try await db.fetch(RecordQuery<Licence>.filter("holder", equals: .text(holder.value)))
                .sorted { ($0.kind.rawValue, $0.number) < ($1.kind.rawValue, $1.number) }
        }
    }

    /// Issues a valid licence as an e-certificate (``SocietyCertificates/CertificateType/marketLicence``)
    /// to its holder, bound to the holder's key: anyone it is presented to verifies it offline
    /// with the trust list and the status lists.
    public func issueLicenceCertificate(
        _ kind: LicenceKind,
        number: String,
        issuer: CertificateIssuer,
        holderKey: JSONWebKey
    ) async throws(MarketSupervisionError) -> IssuedCertificate {
        let licence = try await read(Purposes.register) { db in
            guard let licence = try await db.get(Licence.self, key: RecordKey("\(kind.rawValue):\(number)")) else {
                throw MarketSupervisionError.notFound("\(kind.rawValue) licence \(number)")
            }
            return licence
        }
        guard licence.state == .valid else { throw .illegal(move: "issue a certificate", state: "revoked") }
        let entity = try await entity(licence.holder)
        var claims: JSONObject = [
            "entity_name": .string(entity.name), "licence_kind": .string(kind.rawValue),
            "licence_number": .string(licence.number), "scope": .string(licence.scope),
            "legal_representative": .string(entity.representative.unmasked),
        ]
        if let until = licence.validity.until { claims["valid_until"] = .string(until.iso8601) }
        do {
            return try await issuer.issue(
                .marketLicence,
                to: .organization(licence.holder),
                holderKey: holderKey,
                claims: claims,
                number: "\(kind.rawValue)-\(licence.number)",
                validity: licence.validity
            )
        } catch {
            throw .invalid("certificate: \(error)")
        }
    }

    // MARK: Random inspections

    /// Puts `inspector` on the list (or updates their links).
    public func register(inspector: Inspector) async throws(MarketSupervisionError) {
        try await write(Purposes.inspections) { db in try await db.put(inspector) }
    }

    /// Makes plan `id`: commits the entity draw's and the inspector draw's seeds now, before the
    /// lists are known, and returns the plan with both commitments to publish.
    @discardableResult
    public func createPlan(
        id: String,
        title: String,
        industry: String? = nil
    ) async throws(MarketSupervisionError)
        -> InspectionPlan
    {
        guard (1...64).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { throw .invalid("a plan id has 1–64 ASCII letters, digits or '-'") }
        guard (1...128).contains(title.count) else { throw .invalid("a plan has a title of 1–128 characters") }
        let exists = try await read(Purposes.inspections) { db in
            try await db.get(InspectionPlan.self, key: RecordKey(id)) != nil
        }
        guard !exists else { throw .duplicate("plan \(id)") }
        let entities: DrawResult
        let inspectors: DrawResult
        do {
            entities = try await draws.commit(
                id: InspectionPlan.entityDrawID(id),
                purpose: "market inspection \(id): entities"
            )
            inspectors = try await draws.commit(
                id: InspectionPlan.inspectorDrawID(id),
                purpose: "market inspection \(id): inspectors"
            )
        } catch {
            throw .draw("\(error)")
        }
        let plan = InspectionPlan(
            id: id,
            title: title,
            industry: industry,
            entityDraw: entities.id,
            inspectorDraw: inspectors.id,
            entityCommitment: entities.commitment,
            inspectorCommitment: inspectors.commitment,
            created: today,
            state: .committed,
            drawPercent: [:],
            inspectorsPerEntity: inspection.inspectorsPerEntity,
            assignments: [],
            drawn: nil
        )
        try await write(Purposes.inspections) { db in
            guard try await db.get(InspectionPlan.self, key: plan.recordKey) == nil else {
                throw MarketSupervisionError.duplicate("plan \(id)")
            }
            try await db.put(plan)
        }
        ports.logger.info("inspection plan committed", metadata: ["plan": "\(id)"])
        return plan
    }

    /// The plan.
    public func plan(_ id: String) async throws(MarketSupervisionError) -> InspectionPlan {
        try await read(Purposes.inspections) { db in
            guard let plan = try await db.get(InspectionPlan.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("plan \(id)")
            }
            return plan
        }
    }

    /// Draws plan `id`: the candidates are the registered entities of its industry, each with its
    /// credit class today, and every inspector on the list; both committed draws run (see
    /// ``InspectionPlan`` for the selection), and each selected entity gets inspectors it has no
    /// link to, the links left out named. Before anything is drawn, a plan whose lists are empty,
    /// or with an entity fewer unlinked inspectors could inspect than a pair needs, is refused and
    /// nothing changes.
    @discardableResult
    public func drawPlan(_ id: String) async throws(MarketSupervisionError) -> InspectionPlan {
        let plan = try await plan(id)
        guard plan.state == .committed else { throw .illegal(move: "draw plan \(id)", state: plan.state.rawValue) }
        let today = today
        let policy = credit
        let (entities, inspectors, events) = try await read(Purposes.inspections) { db in
            let query: RecordQuery<MarketEntity> =
                if let industry = plan.industry { .filter("industry", equals: .text(industry)) } else { .all }
            let entities = try await db.fetch(query)
            let inspectors = try await db.fetch(RecordQuery<Inspector>.all)
            let events = try await db.fetch(RecordQuery<CreditEvent>.all)
            return (entities, inspectors, events)
        }
        guard !entities.isEmpty else { throw .invalid("plan \(id) has no candidate entity") }
        let perEntity = plan.inspectorsPerEntity
        guard perEntity >= 1 else { throw .invalid("a plan pairs at least one inspector") }
        let byEntity = Dictionary(grouping: events, by: \.entity)
        var classOf: [String: CreditClass] = [:]
        for entity in entities {
            classOf[entity.code.value] =
                policy.classify(entity.code, events: byEntity[entity.code] ?? [], on: today)
                .creditClass
        }
        let linked: [String: Inspector] = Dictionary(inspectors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for entity in entities {
            let free = inspectors.filter { $0.link(to: entity.code) == nil }.count
            guard free >= perEntity else {
                throw .invalid("entity \(entity.code) has \(free) inspector(s) without a link; \(perEntity) are needed")
            }
        }
        let entityResult: DrawResult
        let inspectorResult: DrawResult
        do {
            entityResult = try await draws.draw(
                id: plan.entityDraw,
                candidates: entities.map(\.code.value),
                places: entities.count
            )
            inspectorResult = try await draws.draw(
                id: plan.inspectorDraw,
                candidates: inspectors.map(\.id),
                places: inspectors.count
            )
        } catch {
            throw .draw("\(error)")
        }
        let quotas = InspectionSelection.quotas(classes: Array(classOf.values)) { policy.effect(of: $0).drawPercent }
        let selected = InspectionSelection.entities(order: entityResult.order, classOf: classOf, quotas: quotas)
        guard
            let pairs = InspectionSelection.pairs(
                entities: selected,
                inspectorOrder: inspectorResult.order,
                linked: { inspector, entity in
                    linked[inspector]?.links.contains { $0.entity.value == entity } ?? false
                },
                perEntity: perEntity
            )
        else { throw .store("pairing failed after the feasibility check") }
        var drawn = plan
        drawn.state = .drawn
        drawn.drawn = today
        drawn.drawPercent = Dictionary(
            uniqueKeysWithValues: CreditClass.allCases.map { ($0.rawValue, policy.effect(of: $0).drawPercent) }
        )
        drawn.assignments = zip(selected, pairs).compactMap { code, chosen in
            guard let entity = try? CreditCode(code), let creditClass = classOf[code] else { return nil }
            let exclusions = inspectors.compactMap { inspector in
                inspector.link(to: entity).map { "\(inspector.id): \($0.reason)" }
            }
            .sorted()
            return InspectionAssignment(
                entity: entity,
                creditClass: creditClass,
                inspectors: chosen,
                exclusions: exclusions
            )
        }
        let stored = drawn
        try await write(Purposes.inspections) { db in try await db.put(stored) }
        ports.logger.info(
            "inspection plan drawn",
            metadata: ["plan": "\(id)", "candidates": "\(entities.count)", "selected": "\(selected.count)"]
        )
        return stored
    }

    /// Records the result of inspecting `entity` under plan `id` on `date` (today by default; an
    /// inspection is often entered after the day, never before the draw nor after today): only a
    /// drawn entity, once; a problem found gets its rectification deadline in working days from the
    /// inspection, and becomes a credit event (as does an entity not reachable).
    @discardableResult
    public func recordResult(
        plan id: String,
        entity: CreditCode,
        outcome: InspectionOutcome,
        findings: String,
        on date: CalendarDate? = nil
    ) async throws(MarketSupervisionError) -> InspectionResult {
        guard (1...512).contains(findings.count) else { throw .invalid("findings have 1–512 characters") }
        let today = date ?? today
        guard today <= self.today else { throw .invalid("an inspection is not dated after today") }
        let rectifyBy: CalendarDate?
        let discloseBy: CalendarDate
        do {
            rectifyBy =
                outcome == .rectificationOrdered
                ? try calendar.date(addingWorkingDays: inspection.rectificationWorkingDays, to: today) : nil
            discloseBy = try calendar.date(addingWorkingDays: inspection.disclosureWorkingDays, to: today)
        } catch {
            throw .invalid("\(error)")
        }
        let provisional =
            (calendar as? ProvisionalWorkingCalendar).map { calendar in
                calendar.isProvisional(discloseBy) || rectifyBy.map(calendar.isProvisional) == true
            } ?? false
        return try await write(Purposes.inspections) { db in
            guard let plan = try await db.get(InspectionPlan.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("plan \(id)")
            }
            guard let assignment = plan.assignments.first(where: { $0.entity == entity }) else {
                throw MarketSupervisionError.notFound("entity \(entity) in the drawn plan \(id)")
            }
            if let drawn = plan.drawn, today < drawn {
                throw MarketSupervisionError.invalid("an inspection is not dated before its draw (\(drawn))")
            }
            let result = InspectionResult(
                plan: id,
                entity: entity,
                inspectors: assignment.inspectors,
                date: today,
                outcome: outcome,
                findings: findings,
                rectifyBy: rectifyBy,
                discloseBy: discloseBy,
                provisional: provisional,
                rectified: nil,
                rectificationProof: nil
            )
            guard try await db.get(InspectionResult.self, key: result.recordKey) == nil else {
                throw MarketSupervisionError.duplicate("result of \(entity) in plan \(id)")
            }
            try await db.put(result)
            let kind: CreditEvent.Kind? =
                switch outcome {
                case .rectificationOrdered: .inspectionProblem
                case .unreachable: .unreachable
                case .noProblem, .notOperating: nil
                }
            if let kind {
                try await db.put(
                    try CreditEvent(
                        id: "inspection-\(id)-\(entity.value)",
                        entity: entity,
                        kind: kind,
                        date: today,
                        detail: "random inspection \(id): \(outcome.disclosed)"
                    )
                )
            }
            return result
        }
    }

    /// Confirms the rectification of a problem found, with its proof, today.
    @discardableResult
    public func confirmRectification(
        plan id: String,
        entity: CreditCode,
        proof: String
    ) async throws(MarketSupervisionError) -> InspectionResult {
        guard (1...512).contains(proof.count) else { throw .invalid("a rectification has a proof") }
        let today = today
        return try await write(Purposes.inspections) { db in
            guard var result = try await db.get(InspectionResult.self, key: RecordKey("\(id):\(entity.value)")) else {
                throw MarketSupervisionError.notFound("result of \(entity) in plan \(id)")
            }
            guard result.rectifyBy != nil, result.rectified == nil else {
                throw MarketSupervisionError.illegal(move: "confirm rectification", state: result.outcome.rawValue)
            }
            result.rectified = today
            result.rectificationProof = proof
            try await db.put(result)
            return result
        }
    }

    /// The results of plan `id`.
    public func results(of id: String) async throws(MarketSupervisionError) -> [InspectionResult] {
        try await read(Purposes.inspections) { db in
            try await db.fetch(RecordQuery<InspectionResult>.filter("plan", equals: .text(id)))
                .sorted { $0.entity < $1.entity }
        }
    }

    /// Rectifications past their deadline on `date` and not confirmed, by the deadline index.
    public func overdueRectifications(
        on date: CalendarDate
    ) async throws(MarketSupervisionError)
        -> [InspectionResult]
    {
        try await read(Purposes.inspections) { db in
            try await db.fetch(
                RecordQuery<InspectionResult>.filter(
                    "rectify_by",
                    from: nil,
                    to: .integer(Int64(date.daysSinceEpoch))
                )
                .ordered(by: "rectify_by")
            )
            .filter { $0.isRectificationOverdue(on: date) }
        }
    }

    /// The public disclosure of drawn plan `id`: both draws' commitments and revealed seeds, and
    /// each drawn entity's line with the legal representative and the inspectors masked.
    public func disclosure(of id: String) async throws(MarketSupervisionError) -> InspectionDisclosure {
        let plan = try await plan(id)
        guard plan.state == .drawn else { throw .illegal(move: "disclose plan \(id)", state: plan.state.rawValue) }
        let (entities, inspectors, results) = try await read(Purposes.inspections) { db in
            var entities: [String: MarketEntity] = [:]
            for assignment in plan.assignments {
                entities[assignment.entity.value] = try await db.get(
                    MarketEntity.self,
                    key: RecordKey(assignment.entity.value)
                )
            }
            let inspectors = Dictionary(
                try await db.fetch(RecordQuery<Inspector>.all).map { ($0.id, $0) },
                uniquingKeysWith: { a, _ in a }
            )
            let results = Dictionary(
                try await db.fetch(RecordQuery<InspectionResult>.filter("plan", equals: .text(id)))
                    .map { ($0.entity.value, $0) },
                uniquingKeysWith: { a, _ in a }
            )
            return (entities, inspectors, results)
        }
        let seeds: (String, String)
        do {
            seeds = (
                try await draws.result(plan.entityDraw).seed ?? "",
                try await draws.result(plan.inspectorDraw).seed ?? ""
            )
        } catch {
            throw .draw("\(error)")
        }
        let lines = plan.assignments.map { assignment in
            let entity = entities[assignment.entity.value]
            let result = results[assignment.entity.value]
            return InspectionDisclosure.Line(
                entity: assignment.entity,
                name: entity?.name ?? "",
                representative: entity?.representative.masked ?? "",
                representativeID: entity?.representativeID.masked ?? "",
                inspectors: assignment.inspectors.map { id in
                    inspectors[id].map { "\(id) \($0.name.masked)" } ?? id
                },
                outcome: result?.outcome.disclosed,
                rectifyBy: result?.rectifyBy,
                provisional: result?.rectifyBy.map { date in
                    (calendar as? ProvisionalWorkingCalendar)?.isProvisional(date) ?? false
                } ?? false
            )
        }
        return InspectionDisclosure(
            plan: id,
            title: plan.title,
            entityCommitment: plan.entityCommitment,
            entitySeed: seeds.0,
            inspectorCommitment: plan.inspectorCommitment,
            inspectorSeed: seeds.1,
            lines: lines
        )
    }

    // MARK: Credit

    /// Records a credit event; its entity must be on the register, its id new.
    public func record(_ event: CreditEvent) async throws(MarketSupervisionError) {
        try await write(Purposes.credit) { db in
            guard try await db.get(MarketEntity.self, key: RecordKey(event.entity.value)) != nil else {
                throw MarketSupervisionError.notFound("entity \(event.entity)")
            }
            guard try await db.get(CreditEvent.self, key: event.recordKey) == nil else {
                throw MarketSupervisionError.duplicate("credit event \(event.id)")
            }
            try await db.put(event)
        }
    }

    /// The entity's credit events, oldest first.
    public func events(of entity: CreditCode) async throws(MarketSupervisionError) -> [CreditEvent] {
        try await read(Purposes.credit) { db in
            try await db.fetch(RecordQuery<CreditEvent>.filter("entity", equals: .text(entity.value)))
                .sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        }
    }

    /// The entity's credit class today, explained.
    public func classify(_ entity: CreditCode) async throws(MarketSupervisionError) -> CreditClassification {
        _ = try await self.entity(entity)
        return credit.classify(entity, events: try await events(of: entity), on: today)
    }

    /// Repairs credit event `id` (信用修复) with a rectification proof: granted when the kind's
    /// waiting period has passed since the event and no newer event has been recorded on the entity
    /// since; otherwise refused, explained, and nothing changes.
    @discardableResult
    public func repair(event id: String, proof: String) async throws(MarketSupervisionError) -> CreditEvent {
        let today = today
        let policy = credit
        return try await write(Purposes.credit) { db in
            guard var event = try await db.get(CreditEvent.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("credit event \(id)")
            }
            guard event.repaired == nil else { throw MarketSupervisionError.illegal(move: "repair", state: "repaired") }
            let wait = policy.repairAfterDays[event.kind, default: 365]
            let passed = event.date.days(until: today)
            let newer = try await db.fetch(RecordQuery<CreditEvent>.filter("entity", equals: .text(event.entity.value)))
                .filter { $0.id != event.id && $0.date > event.date }
                .sorted { ($0.date, $0.id) < ($1.date, $1.id) }
            let decision = ExplainedDecision(
                checks: [
                    RuleCheck(
                        rule: "waiting-period",
                        statement: "\(passed) day(s) since \(event.date) \(passed >= wait ? "≥" : "<") \(wait)",
                        passed: passed >= wait
                    ),
                    RuleCheck(
                        rule: "no-newer-event",
                        statement: newer.isEmpty
                            ? "no event since \(event.date)"
                            : "\(newer.count) newer event(s), latest \(newer.last.map { "\($0.kind.rawValue) \($0.date)" } ?? "")",
                        passed: newer.isEmpty
                    ),
                    RuleCheck(
                        rule: "proof",
                        statement: proof.isEmpty ? "no rectification proof" : "rectification proof given",
                        passed: !proof.isEmpty && proof.count <= 512
                    ),
                ],
                policyVersion: policy.version
            )
            guard decision.isEligible else { throw MarketSupervisionError.refused(decision) }
            event.repaired = today
            event.repairProof = proof
            try await db.put(event)
            return event
        }
    }

    // MARK: Special equipment

    /// Registers a piece of special equipment put into use on `inUseSince` and last inspected on
    /// `lastInspection` (the inspection before use), today: registration later than the policy's
    /// 30 days is accepted and flagged; the next inspection is due the category's interval after
    /// the last one.
    @discardableResult
    public func register(
        equipment id: String,
        category: SpecialEquipmentCategory,
        user: CreditCode,
        location: String,
        inUseSince: CalendarDate,
        lastInspection: CalendarDate
    ) async throws(MarketSupervisionError) -> SpecialEquipment {
        let today = today
        guard (1...64).contains(id.count) else { throw .invalid("an equipment id has 1–64 characters") }
        guard (1...256).contains(location.count) else { throw .invalid("equipment has a location") }
        guard inUseSince <= today else { throw .invalid("put into use on \(inUseSince), after today") }
        guard lastInspection <= today else { throw .invalid("inspected on \(lastInspection), after today") }
        let record = SpecialEquipment(
            id: id,
            category: category,
            user: user,
            location: location,
            inUseSince: inUseSince,
            registered: today,
            registeredLate: inUseSince.days(until: today) > equipment.registrationDays,
            lastInspection: lastInspection,
            lastPassed: true,
            nextInspection: lastInspection.adding(months: equipment.interval(of: category))
        )
        try await write(Purposes.equipment) { db in
            guard try await db.get(MarketEntity.self, key: RecordKey(user.value)) != nil else {
                throw MarketSupervisionError.notFound("entity \(user)")
            }
            guard try await db.get(SpecialEquipment.self, key: record.recordKey) == nil else {
                throw MarketSupervisionError.duplicate("equipment \(id)")
            }
            try await db.put(record)
        }
        if record.registeredLate {
            ports.logger.info("late equipment registration", metadata: ["equipment": "\(id)"])
        }
        return record
    }

    /// The equipment.
    public func equipment(_ id: String) async throws(MarketSupervisionError) -> SpecialEquipment {
        try await read(Purposes.equipment) { db in
            guard let found = try await db.get(SpecialEquipment.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("equipment \(id)")
            }
            return found
        }
    }

    /// Records a periodic inspection on `date`: passed, the next is due the interval later; failed,
    /// the equipment stays due (it must not be used until it passes).
    @discardableResult
    public func recordEquipmentInspection(
        _ id: String,
        on date: CalendarDate,
        passed: Bool
    ) async throws(MarketSupervisionError) -> SpecialEquipment {
        guard date <= today else { throw .invalid("inspected on \(date), after today") }
        let policy = equipment
        return try await write(Purposes.equipment) { db in
            guard var record = try await db.get(SpecialEquipment.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("equipment \(id)")
            }
            guard date >= record.lastInspection else {
                throw MarketSupervisionError.invalid("inspected on \(date), before the last inspection")
            }
            record.lastInspection = date
            record.lastPassed = passed
            if passed { record.nextInspection = date.adding(months: policy.interval(of: record.category)) }
            try await db.put(record)
            return record
        }
    }

    /// The day the inspection of equipment due on `due` must be requested by.
    public func requestDue(for due: CalendarDate) -> CalendarDate { due.adding(months: -equipment.requestMonthsBefore) }

    /// The early warnings on `date`, most overdue first: every piece of equipment whose inspection is
    /// overdue, and — unless `overdueOnly` — every one whose request is due (the inspection within
    /// the request period). One range query on the next-inspection index: the store reads only the
    /// warned rows, whatever the number of devices.
    public func equipmentWarnings(
        on date: CalendarDate,
        overdueOnly: Bool = false
    ) async throws(MarketSupervisionError) -> [EquipmentWarning] {
        let horizon = overdueOnly ? date : date.adding(months: equipment.requestMonthsBefore)
        let today = date.daysSinceEpoch
        return try await read(Purposes.equipment) { db in
            var warnings: [EquipmentWarning] = []
            try await db.forEach(
                RecordQuery<SpecialEquipment>.filter(
                    SpecialEquipment.nextInspectionIndex,
                    from: nil,
                    to: .integer(Int64(horizon.daysSinceEpoch)),
                    inclusive: !overdueOnly
                )
                .ordered(by: SpecialEquipment.nextInspectionIndex)
            ) { device in
                let left = device.nextInspection.daysSinceEpoch - today
                warnings.append(
                    EquipmentWarning(
                        equipment: device.id,
                        category: device.category,
                        user: device.user,
                        due: device.nextInspection,
                        level: left < 0 ? .overdue : .requestDue,
                        daysLeft: left
                    )
                )
                return true
            }
            return warnings
        }
    }

    /// How many pieces of equipment are overdue on `date` (a count on the index).
    public func overdueEquipmentCount(on date: CalendarDate) async throws(MarketSupervisionError) -> Int {
        try await read(Purposes.equipment) { db in
            try await db.count(
                RecordQuery<SpecialEquipment>.filter(
                    SpecialEquipment.nextInspectionIndex,
                    from: nil,
                    to: .integer(Int64(date.daysSinceEpoch))
                )
            )
        }
    }

    // MARK: The food and drug chain

    /// Puts a batch on the market; its producer must be on the register, its id new.
    public func produce(_ batch: ProductBatch) async throws(MarketSupervisionError) {
        try await write(Purposes.traceability) { db in
            guard try await db.get(MarketEntity.self, key: RecordKey(batch.producer.value)) != nil else {
                throw MarketSupervisionError.notFound("entity \(batch.producer)")
            }
            guard try await db.get(ProductBatch.self, key: batch.recordKey) == nil else {
                throw MarketSupervisionError.duplicate("batch \(batch.id)")
            }
            try await db.put(batch)
        }
    }

    /// Records a transfer of `quantity` units of `batch` from `from` to `to` today: the giver must
    /// hold that many (the producer its production less what it handed on; any other what it
    /// received less what it handed on), the receiver be on the register, the batch not recalled.
    @discardableResult
    public func transfer(
        batch id: String,
        from: CreditCode,
        to: CreditCode,
        quantity: Int
    ) async throws(MarketSupervisionError) -> BatchTransfer {
        guard quantity > 0 else { throw .invalid("a transfer moves a positive quantity, not \(quantity)") }
        guard from != to else { throw .invalid("a transfer goes to another holder") }
        let today = today
        return try await write(Purposes.traceability) { db in
            guard let batch = try await db.get(ProductBatch.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("batch \(id)")
            }
            guard !batch.recalled else { throw MarketSupervisionError.illegal(move: "transfer", state: "recalled") }
            guard try await db.get(MarketEntity.self, key: RecordKey(to.value)) != nil else {
                throw MarketSupervisionError.notFound("entity \(to)")
            }
            let transfers = try await db.fetch(RecordQuery<BatchTransfer>.filter("batch", equals: .text(id)))
            let held = Self.holdings(batch, transfers)[from, default: 0]
            guard held >= quantity else {
                throw MarketSupervisionError.invalid("\(from) holds \(held) of batch \(id), not \(quantity)")
            }
            let transfer = BatchTransfer(
                id: "\(id)#\(DecimalText.padded(transfers.count + 1, width: 6))",
                batch: id,
                from: from,
                to: to,
                quantity: quantity,
                date: today
            )
            try await db.put(transfer)
            return transfer
        }
    }

    /// Units each holder holds: received (the producer: produced) less handed on.
    static func holdings(_ batch: ProductBatch, _ transfers: [BatchTransfer]) -> [CreditCode: Int] {
        var held: [CreditCode: Int] = [batch.producer: batch.quantity]
        for transfer in transfers {
            held[transfer.from, default: 0] -= transfer.quantity
            held[transfer.to, default: 0] += transfer.quantity
        }
        return held
    }

    /// The batch's chain: every transfer, in order.
    public func trace(batch id: String) async throws(MarketSupervisionError) -> [BatchTransfer] {
        try await read(Purposes.traceability) { db in
            guard try await db.get(ProductBatch.self, key: RecordKey(id)) != nil else {
                throw MarketSupervisionError.notFound("batch \(id)")
            }
            return try await db.fetch(RecordQuery<BatchTransfer>.filter("batch", equals: .text(id)))
                .sorted { $0.id < $1.id }
        }
    }

    /// Recalls `batch`: every holder downstream of the producer, transitively (a retailer supplied
    /// by a distributor supplied by the producer is found), nearest first, with what each still
    /// holds; the batch is marked recalled and no further transfer is allowed. A batch is recalled
    /// once.
    @discardableResult
    public func recall(batch id: String, reason: String) async throws(MarketSupervisionError) -> Recall {
        guard (1...512).contains(reason.count) else { throw .invalid("a recall has a reason") }
        let today = today
        return try await write(Purposes.traceability) { db in
            guard var batch = try await db.get(ProductBatch.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("batch \(id)")
            }
            guard !batch.recalled else { throw MarketSupervisionError.duplicate("recall of batch \(id)") }
            let transfers = try await db.fetch(RecordQuery<BatchTransfer>.filter("batch", equals: .text(id)))
                .sorted { $0.id < $1.id }
            let recall = Recall(
                batch: id,
                reason: reason,
                date: today,
                producer: batch.producer,
                holders: Self.downstream(of: batch, transfers)
            )
            batch.recalled = true
            try await db.put(batch)
            try await db.put(recall)
            return recall
        }
    }

    /// Breadth-first from the producer over the transfers: each holder once, at its least depth.
    static func downstream(of batch: ProductBatch, _ transfers: [BatchTransfer]) -> [Recall.Holder] {
        let outgoing = Dictionary(grouping: transfers, by: \.from)
        let held = holdings(batch, transfers)
        var received: [CreditCode: Int] = [:]
        for transfer in transfers { received[transfer.to, default: 0] += transfer.quantity }
        var seen: Set<CreditCode> = [batch.producer]
        var frontier = [batch.producer]
        var depth = 0
        var holders: [Recall.Holder] = []
        while !frontier.isEmpty {
            depth += 1
            var next: [CreditCode] = []
            for giver in frontier {
                for transfer in outgoing[giver] ?? [] where !seen.contains(transfer.to) {
                    seen.insert(transfer.to)
                    next.append(transfer.to)
                    holders.append(
                        Recall.Holder(
                            entity: transfer.to,
                            depth: depth,
                            via: giver,
                            received: received[transfer.to, default: 0],
                            held: held[transfer.to, default: 0]
                        )
                    )
                }
            }
            frontier = next
        }
        return holders
    }

    /// The recall of `batch`.
    public func recallOf(batch id: String) async throws(MarketSupervisionError) -> Recall {
        try await read(Purposes.traceability) { db in
            guard let recall = try await db.get(Recall.self, key: RecordKey(id)) else {
                throw MarketSupervisionError.notFound("recall of batch \(id)")
            }
            return recall
        }
    }
}
