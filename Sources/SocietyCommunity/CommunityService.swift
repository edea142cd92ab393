import Foundation
import Logging
public import SocietyCore
public import SocietyOneCard
import SocietyServices

/// Community and rural services (社区便民 and 农村, plan items 14 and 15): grids and the special
/// groups a grid worker follows, asked of the departments for each look, only for the worker's own
/// grid and with a purpose, every look audited; utility and property-fee payment requests through
/// the one-card, with relief for low-income households; rural low-income monitoring (防止返贫监测)
/// and the services that reach each village. The digital family archive is assembled by
/// ``FamilyArchiveAssembler``.
///
/// ```swift
/// let community = CommunityService(ports: ports, oneCard: oneCard)
/// try await community.open(try Grid(id: "321202-001-03", name: "凤凰社区第3网格", district: district, workers: ["W0301"]))
/// try await community.assign(resident, to: "321202-001-03", household: "hh-17")
/// let roster = try await community.specialGroups(
///     in: "321202-001-03", worker: "W0301", purpose: .visit, sources: sources)
/// ```
public struct CommunityService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Grids and their residents.
        public static let grids = Purpose(constant: "community.grids")
        /// Looks at a grid's special groups.
        public static let looks = Purpose(constant: "community.grid-looks")
        /// Utility payments and relief.
        public static let payments = Purpose(constant: "community.payments")
        /// Rural monitoring and village services.
        public static let rural = Purpose(constant: "community.rural")
    }

    let ports: ServicePorts
    /// The one-card payments go through.
    public let oneCard: OneCardService
    /// The grid rules.
    public let gridPolicy: GridPolicy
    /// The utility-fee relief rules.
    public let relief: UtilityReliefPolicy
    /// The rural monitoring thresholds.
    public let monitoring: RuralMonitoringPolicy

    /// The service on the community office's ports, logging as component `community`.
    public init(
        ports: ServicePorts,
        oneCard: OneCardService,
        gridPolicy: GridPolicy = GridPolicy(),
        relief: UtilityReliefPolicy = UtilityReliefPolicy(),
        monitoring: RuralMonitoringPolicy = RuralMonitoringPolicy()
    ) {
        self.ports = ports.logging(as: "community")
        self.oneCard = oneCard
        self.gridPolicy = gridPolicy
        self.relief = relief
        self.monitoring = monitoring
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    func write<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(CommunityError) -> T {
        try await ports.write(purpose, wrapping: CommunityError.init(wrapping:), body)
    }

    func read<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(CommunityError) -> T {
        try await ports.read(purpose, wrapping: CommunityError.init(wrapping:), body)
    }

    func pseudonym(_ kind: String, _ id: String) throws(CommunityError) -> String {
        do {
            return try ports.pseudonym(kind: kind, of: id)
        } catch {
            throw CommunityError(wrapping: error)
        }
    }

    // MARK: Grids

    /// Opens a grid (an existing id is refused).
    public func open(_ grid: Grid) async throws(CommunityError) {
        try await write(Purposes.grids) { db in
            guard try await db.get(Grid.self, key: grid.recordKey) == nil else {
                throw CommunityError.duplicate("grid \(grid.id)")
            }
            try await db.put(grid)
        }
    }

    /// Assigns `worker` to `grid` (a worker may serve several grids).
    @discardableResult
    public func assign(worker: String, to grid: String) async throws(CommunityError) -> Grid {
        guard Grid.isValidID(worker) else { throw .invalid("worker \(worker) is not 3–40 letters, digits, - _ .") }
        return try await write(Purposes.grids) { db in
            guard var found = try await db.get(Grid.self, key: RecordKey(grid)) else {
                throw CommunityError.notFound("grid \(grid)")
            }
            if !found.workers.contains(worker) {
                found.workers.append(worker)
                try await db.put(found)
            }
            return found
        }
    }

    /// The grid.
    public func grid(_ id: String) async throws(CommunityError) -> Grid {
        try await read(Purposes.grids) { db in
            guard let grid = try await db.get(Grid.self, key: RecordKey(id)) else {
                throw CommunityError.notFound("grid \(id)")
            }
            return grid
        }
    }

    /// Puts `resident` on `grid` in `household` (moving them from another grid if they were on
    /// one); a full grid refuses, explained.
    public func assign(_ resident: ResidentID, to grid: String, household: String) async throws(CommunityError) {
        guard !household.isEmpty else { throw .invalid("a resident is assigned with their household") }
        let limit = gridPolicy.maxResidents
        try await write(Purposes.grids) { db in
            guard try await db.get(Grid.self, key: RecordKey(grid)) != nil else {
                throw CommunityError.notFound("grid \(grid)")
            }
            let record = GridResident(resident: resident, grid: grid, household: household)
            if let held = try await db.get(GridResident.self, key: record.recordKey), held.grid == grid {
                try await db.put(record)
                return
            }
            let count = try await db.count(RecordQuery<GridResident>.filter("grid", equals: .text(grid)))
            guard count < limit else {
                throw CommunityError.refused(
                    ExplainedDecision(
                        checks: [
                            RuleCheck(
                                rule: "grid-size",
                                statement: "grid \(grid) holds \(count) residents, the most is \(limit)",
                                passed: false
                            )
                        ],
                        policyVersion: "grid size (assumption)"
                    )
                )
            }
            try await db.put(record)
        }
    }

    /// The grid's special groups as `worker` may see them, for `purpose`: refused (and the attempt
    /// audited) unless the worker is assigned to the grid; each group asked of its `sources` for the
    /// grid's residents; a source that fails leaves its group ``GridRoster/unavailable`` with the
    /// reason. Every look is recorded with the worker, grid, purpose and count; the store's audit
    /// log records it.
    public func specialGroups(
        in gridID: String,
        worker: String,
        purpose: GridPurpose,
        sources: [any SpecialGroupSource]
    ) async throws(CommunityError) -> GridRoster {
        let now = ports.clock.now()
        let lookID: String
        do {
            lookID = "look-" + Hex.encode(try ports.crypto.randomBytes(count: 8))
        } catch {
            throw CommunityError(wrapping: error)
        }
        let (grid, residents) = try await read(Purposes.grids) { db in
            guard let grid = try await db.get(Grid.self, key: RecordKey(gridID)) else {
                throw CommunityError.notFound("grid \(gridID)")
            }
            let residents = try await db.fetch(RecordQuery<GridResident>.filter("grid", equals: .text(gridID)))
            return (grid, residents)
        }
        guard grid.workers.contains(worker) else {
            let refusal = GridLook(
                id: lookID,
                worker: worker,
                grid: gridID,
                purpose: purpose,
                at: now,
                outcome: "refused: not assigned to the grid",
                shown: 0
            )
            try await write(Purposes.looks) { db in try await db.put(refusal) }
            ports.logger.notice("grid look refused", metadata: ["worker": "\(worker)", "grid": "\(gridID)"])
            throw .forbidden("worker \(worker) is not assigned to grid \(gridID)")
        }
        let ids = residents.map(\.resident)
        var groups: [ResidentID: Set<SpecialGroup>] = [:]
        var unavailable: [SpecialGroup: String] = [:]
        for source in sources {
            do {
                for member in try await source.members(among: ids, purpose: purpose) {
                    groups[member, default: []].insert(source.group)
                }
            } catch {
                unavailable[source.group] = "\(error)"
            }
        }
        let entries =
            residents
            .compactMap { resident -> GridRoster.Entry? in
                guard let found = groups[resident.resident], !found.isEmpty else { return nil }
                return GridRoster.Entry(
                    resident: resident.resident,
                    household: resident.household,
                    groups: found.sorted()
                )
            }
            .sorted { ($0.household, $0.resident.unmasked) < ($1.household, $1.resident.unmasked) }
        let look = GridLook(
            id: lookID,
            worker: worker,
            grid: gridID,
            purpose: purpose,
            at: now,
            outcome: unavailable.isEmpty ? "shown" : "shown, \(unavailable.count) group(s) unavailable",
            shown: entries.count
        )
        try await write(purpose.purpose) { db in try await db.put(look) }
        ports.logger.info(
            "grid look",
            metadata: [
                "worker": "\(worker)", "grid": "\(gridID)", "purpose": "\(purpose.rawValue)",
                "shown": "\(entries.count)",
            ]
        )
        return GridRoster(
            grid: grid,
            worker: worker,
            purpose: purpose,
            at: now,
            residents: residents.count,
            entries: entries,
            unavailable: unavailable
        )
    }

    /// The looks at `grid`, latest first: the supervisor's review of who looked and why.
    public func looks(at grid: String) async throws(CommunityError) -> [GridLook] {
        try await read(Purposes.looks) { db in
            try await db.fetch(RecordQuery<GridLook>.filter("grid", equals: .text(grid)))
                .sorted { ($0.at, $0.id) > ($1.at, $1.id) }
        }
    }

    // MARK: Utility payments

    /// Requests payment of `bill` through the payer's one-card: the card must be current and
    /// enabled for bill payments (the use is recorded by the one-card). Requesting the same bill
    /// again returns the request made; the same number with other contents is refused.
    @discardableResult
    public func requestPayment(_ bill: UtilityBill) async throws(CommunityError) -> UtilityPayment {
        let id = bill.paymentID
        if let held = try await read(
            Purposes.payments,
            { db in try await db.get(UtilityPayment.self, key: RecordKey(id)) }
        ) {
            guard held.bill == bill else {
                throw .duplicate("bill \(bill.number) of \(bill.payeeName) with other contents")
            }
            return held
        }
        let card: SocialSecurityCard
        do {
            guard let current = try await oneCard.currentCard(of: bill.payer) else {
                throw CommunityError.refused(
                    ExplainedDecision(
                        checks: [
                            RuleCheck(rule: "card", statement: "the payer has no current one-card", passed: false)
                        ],
                        policyVersion: "one-card bill payment"
                    )
                )
            }
            _ = try await oneCard.use(.livingPayment, card: current.id, acceptedBy: bill.payeeName)
            card = current
        } catch let error as CommunityError {
            throw error
        } catch {
            throw .oneCard("\(error)")
        }
        let payment = UtilityPayment(
            id: id,
            bill: bill,
            card: card.id,
            bankAccount: card.bankAccount,
            payerKey: try pseudonym("resident", bill.payer.unmasked),
            state: .requested,
            reference: nil,
            history: [
                .init(
                    what: "requested \(bill.amount.yuanText) for \(bill.kind.chineseName) \(bill.period)",
                    at: ports.clock.now()
                )
            ]
        )
        return try await write(Purposes.payments) { db in
            if let held = try await db.get(UtilityPayment.self, key: payment.recordKey) { return held }
            try await db.put(payment)
            return payment
        }
    }

    /// What the bank answered, or what the payer did.
    public enum PaymentMove: Hashable, Sendable, CustomStringConvertible {
        /// Debited, with the bank's reference.
        case paid(reference: String)
        /// Refused by the bank, with its reason.
        case failed(String)
        /// Sent again after a failure.
        case retry
        /// Withdrawn before payment.
        case cancel

        public var description: String {
            switch self {
            case .paid: "pay"
            case .failed: "fail"
            case .retry: "retry"
            case .cancel: "cancel"
            }
        }
    }

    /// Applies `move` to payment request `id`; an illegal move throws and changes nothing.
    @discardableResult
    public func move(_ id: String, _ move: PaymentMove) async throws(CommunityError) -> UtilityPayment {
        let now = ports.clock.now()
        return try await write(Purposes.payments) { db in
            guard var payment = try await db.get(UtilityPayment.self, key: RecordKey(id)) else {
                throw CommunityError.notFound("payment request \(id)")
            }
            let what: String
            switch (move, payment.state) {
            case (.paid(let reference), .requested):
                guard !reference.isEmpty else { throw CommunityError.invalid("a payment has the bank's reference") }
                payment.state = .paid
                payment.reference = reference
                what = "paid, reference \(reference)"
            case (.failed(let reason), .requested):
                payment.state = .failed
                what = "failed: \(reason)"
            case (.retry, .failed):
                payment.state = .requested
                what = "requested again"
            case (.cancel, .requested), (.cancel, .failed):
                payment.state = .cancelled
                what = "cancelled"
            default:
                throw CommunityError.illegal(move: "\(move)", state: payment.state.rawValue)
            }
            payment.history.append(.init(what: what, at: now))
            try await db.put(payment)
            return payment
        }
    }

    /// The payer's payment requests, by bill period then id.
    public func payments(of payer: ResidentID) async throws(CommunityError) -> [UtilityPayment] {
        let key = try pseudonym("resident", payer.unmasked)
        return try await read(Purposes.payments) { db in
            try await db.fetch(RecordQuery<UtilityPayment>.filter("payer", equals: .text(key)))
                .sorted { ($0.bill.period, $0.id) < ($1.bill.period, $1.id) }
        }
    }

    /// `month`'s utility-fee relief for `household`, paid to `payer` through the one-card's
    /// `utilityFeeRelief` programme when the payer is in one of the relief groups, as `sources`
    /// answer (asked with the purpose ``GridPurpose/assistance``). Paid once a household a month:
    /// asking again returns the same instruction.
    public func payRelief(
        household: String,
        payer: ResidentID,
        month: PayPeriod,
        sources: [any SpecialGroupSource]
    ) async throws(CommunityError) -> UtilityRelief {
        guard !household.isEmpty else { throw .invalid("relief is for a household") }
        var checks: [RuleCheck] = []
        for group in relief.groups.sorted() {
            guard let source = sources.first(where: { $0.group == group }) else {
                checks.append(
                    RuleCheck(rule: group.rawValue, statement: "\(group.chineseName): no source", passed: false)
                )
                continue
            }
            let member: Bool
            do {
                member = try await source.members(among: [payer], purpose: .assistance).contains(payer)
            } catch {
                throw .exchange("\(group.chineseName): \(error)")
            }
            checks.append(
                RuleCheck(
                    rule: group.rawValue,
                    statement: "\(group.chineseName): \(member ? "yes" : "no")",
                    passed: member
                )
            )
        }
        // Eligible when in any one of the groups.
        let eligible = checks.contains(where: \.passed)
        let decision = ExplainedDecision(
            checks: eligible ? checks.filter(\.passed) : checks,
            policyVersion: relief.version
        )
        guard eligible else { return UtilityRelief(decision: decision, instruction: nil, amount: .zero) }
        let id = "relief-\(try pseudonym("household", household).prefix(24))-\(month)"
        do {
            let instruction = try PaymentInstruction(
                id: id,
                programme: .utilityFeeRelief,
                holder: payer,
                period: month,
                amount: relief.monthly
            )
            _ = try await oneCard.submit(instruction)
        } catch {
            throw .oneCard("\(error)")
        }
        return UtilityRelief(decision: decision, instruction: id, amount: relief.monthly)
    }

    // MARK: Rural

    /// Assesses a rural household and keeps the monitoring list in step: a household with a
    /// signal goes on the list (or stays, its signals updated); one without stays where it is —
    /// taking it off is ``eliminateRisk(_:)``'s decision.
    @discardableResult
    public func monitor(_ facts: RuralHouseholdFacts) async throws(CommunityError) -> RuralAssessment {
        let assessment = monitoring.assess(facts)
        let today = today
        try await write(Purposes.rural) { db in
            var record = try await db.get(MonitoredHousehold.self, key: RecordKey(sensitive: facts.household))
            switch (record?.state, assessment.needsMonitoring) {
            case (.monitoring?, _):
                record?.signals = assessment.signals
                record?.history.append(.init(what: "assessed: \(assessment.signals.map(\.rawValue))", date: today))
            case (_, true):
                var entered = MonitoredHousehold(
                    household: facts.household,
                    village: facts.village,
                    since: today,
                    signals: assessment.signals,
                    state: .monitoring,
                    history: record?.history ?? []
                )
                entered.history.append(.init(what: "entered: \(assessment.signals.map(\.rawValue))", date: today))
                record = entered
            default:
                return
            }
            if let record { try await db.put(record) }
        }
        return assessment
    }

    /// Takes `facts.household` off the list (风险消除) when a fresh assessment raises no signal and
    /// it has been monitored for at least ``RuralMonitoringPolicy/minimumMonths``; refused,
    /// explained, otherwise.
    @discardableResult
    public func eliminateRisk(_ facts: RuralHouseholdFacts) async throws(CommunityError) -> MonitoredHousehold {
        let assessment = monitoring.assess(facts)
        let today = today
        let months = monitoring.minimumMonths
        let version = monitoring.version
        return try await write(Purposes.rural) { db in
            guard var record = try await db.get(MonitoredHousehold.self, key: RecordKey(sensitive: facts.household))
            else {
                throw CommunityError.notFound("monitored household")
            }
            guard record.state == .monitoring else {
                throw CommunityError.illegal(move: "eliminate risk", state: record.state.rawValue)
            }
            let long = record.since.adding(months: months) <= today
            let checks =
                assessment.decision.checks + [
                    RuleCheck(
                        rule: "duration",
                        statement: "monitored since \(record.since) (\(long ? "≥" : "<") \(months) months)",
                        passed: long
                    )
                ]
            let decision = ExplainedDecision(checks: checks, policyVersion: version)
            guard decision.isEligible else { throw CommunityError.refused(decision) }
            record.state = .riskEliminated
            record.signals = []
            record.history.append(.init(what: "risk eliminated", date: today))
            try await db.put(record)
            return record
        }
    }

    /// The households being monitored, in `village` or everywhere, by village.
    public func monitoringList(village: VillageCode? = nil) async throws(CommunityError) -> [MonitoredHousehold] {
        try await read(Purposes.rural) { db in
            let query =
                village.map { RecordQuery<MonitoredHousehold>.filter("village", equals: .text($0.code)) }
                ?? RecordQuery<MonitoredHousehold>.filter(
                    "state",
                    equals: .text(MonitoredHousehold.State.monitoring.rawValue)
                )
            return try await db.fetch(query).filter { $0.state == .monitoring }
                .sorted { ($0.village, $0.since) < ($1.village, $1.since) }
        }
    }

    /// Registers (or updates) a service point in a village.
    public func register(_ point: VillageServicePoint) async throws(CommunityError) {
        try await write(Purposes.rural) { db in try await db.put(point) }
    }

    /// The indicator for `villages`: which `required` services have an open point in each.
    public func coverage(
        of villages: [VillageCode],
        required: [VillageService] = VillageService.allCases
    ) async throws(CommunityError) -> VillageCoverage {
        let points = try await read(Purposes.rural) { db in
            var points: [VillageCode: Set<VillageService>] = [:]
            for village in Set(villages) {
                let found = try await db.fetch(
                    RecordQuery<VillageServicePoint>.filter("village", equals: .text(village.code))
                )
                points[village] = Set(found.filter(\.open).map(\.service))
            }
            return points
        }
        let rows = Set(villages).sorted().map { village in
            let present = points[village] ?? []
            return VillageCoverage.Row(
                village: village,
                present: required.filter(present.contains),
                missing: required.filter { !present.contains($0) }
            )
        }
        return VillageCoverage(required: required, rows: rows)
    }
}
