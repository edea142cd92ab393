import Logging
public import SocietyCore
public import SocietyHealth
public import SocietyOneCard
public import SocietyServices

/// A free place parents can apply for: a class of a filed provider with room in it.
public struct PlaceOffer: Hashable, Sendable, Codable {
    /// The provider.
    public let provider: String
    /// Its name.
    public let providerName: String
    /// The class.
    public let careClass: String
    /// The class kind.
    public let kind: CareClassKind
    /// Free places: the class's size left, within the provider's places and carers.
    public let free: Int
}

/// A claim of the childcare subsidy (育儿补贴) for one child and one year, paid once.
public struct ChildcareSubsidyClaim: Hashable, Sendable, Codable {
    /// The id.
    public let id: String
    /// The child (encrypted at rest).
    public let child: ResidentID
    /// The parent paid (encrypted at rest).
    public let parent: ResidentID
    /// The year.
    public let year: Int
    /// Months of the year that count.
    public let months: Int
    /// The amount.
    public let amount: Money
    /// The policy applied.
    public let policyVersion: String
    /// The one-card instruction that paid it.
    public internal(set) var paidBy: String?
}

extension ChildcareSubsidyClaim: StorableRecord {
    /// The table name.
    public static let recordKind = "childcare_subsidy_claim"
    /// The child and the parent are personal data.
    public static let sensitiveFields: Set<String> = ["child", "parent"]
    /// One claim a child a year (keyed hash of both).
    public static let indexes: [RecordIndex<ChildcareSubsidyClaim>] = [
        RecordIndex(searchable: "child_year") { .text("\($0.child.unmasked)|\($0.year)") }
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// Childcare (托育, plan item 3): providers filed with their receipt deadline in working days,
/// classes under the size and carer-ratio rules checked on every enrolment, admission health
/// checks and the vaccination check, attendance and health records, practitioners' credit scores,
/// quality grading, and the childcare subsidy through the one-card.
///
/// ```swift
/// let childcare = ChildcareService(ports: ports, oneCard: oneCard, calendar: try PublishedCalendar.official())
/// try await childcare.submitFiling(provider)
/// let (filed, decision) = try await childcare.reviewFiling(provider.id)
/// ```
public struct ChildcareService: Sendable {
    /// The store purposes this service declares.
    public enum Purposes {
        /// Filing and classes.
        public static let providers = Purpose(constant: "childcare.providers")
        /// Applications, enrolments, attendance and health records.
        public static let enrolments = Purpose(constant: "childcare.enrolments")
        /// Practitioners and their credit.
        public static let practitioners = Purpose(constant: "childcare.practitioners")
        /// The subsidy.
        public static let subsidy = Purpose(constant: "childcare.subsidy")
    }

    let ports: ServicePorts
    /// The one-card the subsidy is paid through.
    public let oneCard: OneCardService
    /// The working-day calendar of the filing receipt.
    public let calendar: any WorkingCalendar
    /// The filing and enrolment rules.
    public let rules: ChildcareRules
    /// The credit-score rules.
    public let creditPolicy: CreditPolicy
    /// The subsidy rules.
    public let subsidyPolicy: ChildcareSubsidyPolicy

    /// The service on the health commission's childcare ports, logging as component `childcare`.
    public init(
        ports: ServicePorts,
        oneCard: OneCardService,
        calendar: any WorkingCalendar,
        rules: ChildcareRules = .standard,
        creditPolicy: CreditPolicy = CreditPolicy(),
        subsidyPolicy: ChildcareSubsidyPolicy = ChildcareSubsidyPolicy()
    ) {
        self.ports = ports.logging(as: "childcare")
        self.oneCard = oneCard
        self.calendar = calendar
        self.rules = rules
        self.creditPolicy = creditPolicy
        self.subsidyPolicy = subsidyPolicy
    }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    func write<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(ChildcareError) -> T {
        try await ports.write(purpose, wrapping: ChildcareError.init(wrapping:), body)
    }

    func read<T: Sendable>(
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(ChildcareError) -> T {
        try await ports.read(purpose, wrapping: ChildcareError.init(wrapping:), body)
    }

    // MARK: Filing

    /// The filing rules checked for `provider` on `date`: premises held long enough, CCTV kept
    /// long enough, a health worker from 150 places, a family point's size.
    public func filingChecks(_ provider: ChildcareProvider, on date: CalendarDate) -> ExplainedDecision {
        var checks: [RuleCheck] = []
        switch provider.premises {
        case .owned:
            checks.append(RuleCheck(rule: "premises", statement: "premises owned", passed: true))
        case .leased(let until):
            let needed = date.adding(years: rules.minimumLeaseYears)
            checks.append(
                RuleCheck(
                    rule: "premises",
                    statement:
                        "premises leased until \(until) \(until >= needed ? "≥" : "<") \(rules.minimumLeaseYears) years (\(needed))",
                    passed: until >= needed
                )
            )
        }
        checks.append(
            RuleCheck(
                rule: "cctv",
                statement:
                    "CCTV kept \(provider.cctvDays) days \(provider.cctvDays >= rules.minimumCCTVDays ? "≥" : "<") \(rules.minimumCCTVDays)",
                passed: provider.cctvDays >= rules.minimumCCTVDays
            )
        )
        switch provider.kind {
        case .institution:
            let needs = provider.places >= rules.healthWorkerFromPlaces
            checks.append(
                RuleCheck(
                    rule: "health-worker",
                    statement: needs
                        ? "\(provider.places) places ≥ \(rules.healthWorkerFromPlaces): \(provider.healthWorkers) full-time health worker(s), 1 needed"
                        : "\(provider.places) places < \(rules.healthWorkerFromPlaces): no full-time health worker needed",
                    passed: !needs || provider.healthWorkers >= 1
                )
            )
        case .familyPoint:
            checks.append(
                RuleCheck(
                    rule: "family-point-size",
                    statement:
                        "\(provider.places) places \(provider.places <= rules.familyPointMaximumChildren ? "≤" : ">") \(rules.familyPointMaximumChildren) for a family point",
                    passed: provider.places <= rules.familyPointMaximumChildren
                )
            )
        }
        return ExplainedDecision(checks: checks, policyVersion: rules.version)
    }

    /// Submits `provider` for filing: the receipt is due within ``ChildcareRules/receiptWorkingDays``
    /// working days. A provider already filed or waiting is refused; a returned one may submit again.
    @discardableResult
    public func submitFiling(_ provider: ChildcareProvider) async throws(ChildcareError) -> ChildcareProvider {
        let today = today
        let due: CalendarDate
        do {
            due = try calendar.date(addingWorkingDays: rules.receiptWorkingDays, to: today)
        } catch {
            throw .calendar("\(error)")
        }
        var submitted = provider
        submitted.filing = .submitted(on: today, receiptDue: due)
        let record = submitted
        try await write(Purposes.providers) { db in
            if let kept = try await db.get(ChildcareProvider.self, key: record.recordKey),
                case .returned = kept.filing
            {
            } else if try await db.get(ChildcareProvider.self, key: record.recordKey) != nil {
                throw ChildcareError.duplicate("provider \(record.id)")
            }
            try await db.put(record)
        }
        ports.logger.info("filing submitted", metadata: ["provider": "\(provider.id)", "receiptDue": "\(due)"])
        return submitted
    }

    /// Reviews a submitted filing today: filed with its receipt when every rule passes, returned
    /// with the reasons otherwise.
    public func reviewFiling(_ id: String) async throws(ChildcareError) -> (ChildcareProvider, ExplainedDecision) {
        let today = today
        let rules = self
        return try await write(Purposes.providers) { db in
            guard var provider = try await db.get(ChildcareProvider.self, key: RecordKey(id)) else {
                throw ChildcareError.notFound("provider \(id)")
            }
            guard case .submitted(_, let due) = provider.filing else {
                throw ChildcareError.illegal(move: "review the filing", state: provider.filingState)
            }
            let decision = rules.filingChecks(provider, on: today)
            provider.filing =
                decision.isEligible
                ? .filed(on: today, receiptDue: due)
                : .returned(on: today, reasons: decision.checks.filter { !$0.passed }.map(\.statement))
            try await db.put(provider)
            return (provider, decision)
        }
    }

    /// Providers whose filing receipt is overdue on `date` (submitted, receipt due before it).
    public func overdueReceipts(on date: CalendarDate) async throws(ChildcareError) -> [ChildcareProvider] {
        try await read(Purposes.providers) { db in
            var overdue: [ChildcareProvider] = []
            try await db.forEach(RecordQuery<ChildcareProvider>.all) { provider in
                if case .submitted(_, let due) = provider.filing, due < date { overdue.append(provider) }
                return true
            }
            return overdue.sorted { $0.id < $1.id }
        }
    }

    /// A provider.
    public func provider(_ id: String) async throws(ChildcareError) -> ChildcareProvider {
        try await read(Purposes.providers) { db in
            guard let provider = try await db.get(ChildcareProvider.self, key: RecordKey(id)) else {
                throw ChildcareError.notFound("provider \(id)")
            }
            return provider
        }
    }

    /// Opens a class at a filed provider; a family point's classes are its one group.
    public func open(_ careClass: CareClass) async throws(ChildcareError) {
        try await write(Purposes.providers) { db in
            guard let provider = try await db.get(ChildcareProvider.self, key: RecordKey(careClass.provider)) else {
                throw ChildcareError.notFound("provider \(careClass.provider)")
            }
            guard provider.isFiled else {
                throw ChildcareError.illegal(move: "open a class", state: provider.filingState)
            }
            guard try await db.get(CareClass.self, key: careClass.recordKey) == nil else {
                throw ChildcareError.duplicate("class \(careClass.id)")
            }
            try await db.put(careClass)
        }
    }

    // MARK: Places and enrolment

    /// Free places in `district`'s filed providers, by class (of `kind` when given).
    public func search(district: DivisionCode, kind: CareClassKind? = nil) async throws(ChildcareError) -> [PlaceOffer]
    {
        let rules = rules
        return try await read(Purposes.enrolments) { db in
            var offers: [PlaceOffer] = []
            let providers = try await db.fetch(
                RecordQuery<ChildcareProvider>.filter("district", equals: .text(district.code))
            )
            for provider in providers.sorted(by: { $0.id < $1.id }) where provider.isFiled {
                let classes = try await db.fetch(RecordQuery<CareClass>.filter("provider", equals: .text(provider.id)))
                var counts: [String: Int] = [:]
                for careClass in classes {
                    counts[careClass.id] = try await Self.enrolled(in: careClass.id, db).count
                }
                let atProvider = counts.values.reduce(0, +)
                for careClass in classes.sorted(by: { $0.id < $1.id }) where kind == nil || careClass.kind == kind {
                    guard let rule = rules.classes[careClass.kind] else { continue }
                    let ratio = rule.childrenPerCarer ?? rules.ratio(forAgeInMonths: rule.fromMonths)
                    let taken = counts[careClass.id] ?? 0
                    var free = min(rule.maximumSize, careClass.carers * ratio) - taken
                    free = min(free, provider.places - atProvider)
                    if provider.kind == .familyPoint {
                        let carers = classes.reduce(0) { $0 + $1.carers }
                        free = min(
                            free,
                            min(rules.familyPointMaximumChildren, carers * rules.familyPointChildrenPerCarer)
                                - atProvider
                        )
                    }
                    if free > 0 {
                        offers.append(
                            PlaceOffer(
                                provider: provider.id,
                                providerName: provider.name,
                                careClass: careClass.id,
                                kind: careClass.kind,
                                free: free
                            )
                        )
                    }
                }
            }
            return offers
        }
    }

    static func enrolled(in careClass: String, _ db: any RecordReading) async throws -> [ChildcareEnrolment] {
        try await db.fetch(RecordQuery<ChildcareEnrolment>.filter("class", equals: .text(careClass)))
            .filter { $0.state == .enrolled }
    }

    /// A parent applies for a place in `careClass` for `child`.
    @discardableResult
    public func apply(
        id: String,
        child: ResidentID,
        parent: ResidentID,
        careClass: String
    ) async throws(ChildcareError) -> ChildcareEnrolment {
        guard !id.isEmpty else { throw .invalid("an application has an id") }
        guard child != parent else { throw .invalid("the parent and the child are different people") }
        let application = ChildcareEnrolment(
            id: id,
            child: child,
            parent: parent,
            provider: "",
            careClass: careClass,
            state: .applied,
            applied: today
        )
        return try await write(Purposes.enrolments) { db in
            guard let kept = try await db.get(CareClass.self, key: RecordKey(careClass)) else {
                throw ChildcareError.notFound("class \(careClass)")
            }
            guard try await db.get(ChildcareEnrolment.self, key: application.recordKey) == nil else {
                throw ChildcareError.duplicate("application \(id)")
            }
            let current = try await db.fetch(
                RecordQuery<ChildcareEnrolment>.filter("child", equals: .text(child.unmasked))
            )
            if let other = current.first(where: { $0.state == .enrolled || $0.state == .applied }) {
                throw ChildcareError.duplicate("a current application or place for the child (\(other.id))")
            }
            let record = ChildcareEnrolment(
                id: id,
                child: child,
                parent: parent,
                provider: kept.provider,
                careClass: careClass,
                state: .applied,
                applied: application.applied
            )
            try await db.put(record)
            return record
        }
    }

    /// Enrols an applied child, checking every rule in one transaction — the class's age band,
    /// size and carer ratio, the family point's limits, the provider's filing and places, the
    /// admission health check and the vaccination status the parent presented — so that no two
    /// enrolments at once overfill a class. Refused: the enrolment is kept refused with the decision.
    public func enrol(
        _ id: String,
        healthCheck: AdmissionHealthCheck?,
        vaccination: ImmunisationStatus?
    ) async throws(ChildcareError) -> ChildcareEnrolment {
        let today = today
        let rules = rules
        let enrolment = try await write(Purposes.enrolments) { db in
            guard var enrolment = try await db.get(ChildcareEnrolment.self, key: RecordKey(id)) else {
                throw ChildcareError.notFound("application \(id)")
            }
            guard enrolment.state == .applied else {
                throw ChildcareError.illegal(move: "enrol", state: enrolment.state.rawValue)
            }
            guard let careClass = try await db.get(CareClass.self, key: RecordKey(enrolment.careClass)),
                let provider = try await db.get(ChildcareProvider.self, key: RecordKey(careClass.provider))
            else { throw ChildcareError.notFound("class \(enrolment.careClass)") }
            let classes = try await db.fetch(RecordQuery<CareClass>.filter("provider", equals: .text(provider.id)))
            var atProvider = 0
            var inClass: [ChildcareEnrolment] = []
            for other in classes {
                let enrolled = try await Self.enrolled(in: other.id, db)
                atProvider += enrolled.count
                if other.id == careClass.id { inClass = enrolled }
            }
            let decision = Self.admission(
                child: enrolment.child,
                careClass: careClass,
                provider: provider,
                classmates: inClass.map(\.child),
                atProvider: atProvider,
                providerCarers: classes.reduce(0) { $0 + $1.carers },
                healthCheck: healthCheck,
                vaccination: vaccination,
                on: today,
                rules: rules
            )
            enrolment.decision = decision
            if decision.isEligible {
                enrolment.state = .enrolled
                enrolment.enrolled = today
                enrolment.healthCheck = healthCheck?.date
                enrolment.lastAttended = today
            } else {
                enrolment.state = .refused
            }
            try await db.put(enrolment)
            return enrolment
        }
        ports.logger.info(
            "enrolment decided",
            metadata: ["application": "\(id)", "state": "\(enrolment.state.rawValue)"]
        )
        return enrolment
    }

    /// The admission rules for `child` joining `careClass` on `date`, every one explained.
    public static func admission(
        child: ResidentID,
        careClass: CareClass,
        provider: ChildcareProvider,
        classmates: [ResidentID],
        atProvider: Int,
        providerCarers: Int,
        healthCheck: AdmissionHealthCheck?,
        vaccination: ImmunisationStatus?,
        on date: CalendarDate,
        rules: ChildcareRules
    ) -> ExplainedDecision {
        var checks: [RuleCheck] = []
        checks.append(
            RuleCheck(
                rule: "provider-filed",
                statement: "\(provider.name) is \(provider.filingState)",
                passed: provider.isFiled
            )
        )
        let months = child.birthDate.months(until: date)
        let rule = rules.classes[careClass.kind]
        if let rule {
            let fits = months >= rule.fromMonths && months < rule.untilMonths
            checks.append(
                RuleCheck(
                    rule: "class-age",
                    statement:
                        "aged \(months) months; \(careClass.kind.chineseName) takes \(rule.fromMonths)–\(rule.untilMonths) months",
                    passed: fits
                )
            )
            let size = classmates.count + 1
            checks.append(
                RuleCheck(
                    rule: "class-size",
                    statement:
                        "\(size) in \(careClass.id) \(size <= rule.maximumSize ? "≤" : ">") \(rule.maximumSize) for \(careClass.kind.chineseName)",
                    passed: size <= rule.maximumSize
                )
            )
            let youngest = ([child] + classmates).map { $0.birthDate.months(until: date) }.min() ?? months
            let ratio = rule.childrenPerCarer ?? rules.ratio(forAgeInMonths: youngest)
            let limit = careClass.carers * ratio
            checks.append(
                RuleCheck(
                    rule: "carer-ratio",
                    statement:
                        "\(size) children for \(careClass.carers) carer(s) at 1:\(ratio) \(size <= limit ? "≤" : ">") \(limit)",
                    passed: size <= limit
                )
            )
        } else {
            checks.append(RuleCheck(rule: "class-age", statement: "no rule for \(careClass.kind)", passed: false))
        }
        let total = atProvider + 1
        checks.append(
            RuleCheck(
                rule: "places",
                statement:
                    "\(total) at \(provider.name) \(total <= provider.places ? "≤" : ">") \(provider.places) places",
                passed: total <= provider.places
            )
        )
        if provider.kind == .familyPoint {
            let limit = min(rules.familyPointMaximumChildren, providerCarers * rules.familyPointChildrenPerCarer)
            checks.append(
                RuleCheck(
                    rule: "family-point",
                    statement:
                        "\(total) children at the family point \(total <= limit ? "≤" : ">") \(limit) (≤ \(rules.familyPointMaximumChildren), ≤ \(rules.familyPointChildrenPerCarer) a carer)",
                    passed: total <= limit
                )
            )
        }
        if let healthCheck {
            let age = healthCheck.date.days(until: date)
            let valid = healthCheck.fit && age >= 0 && age <= rules.healthCheckValidDays
            checks.append(
                RuleCheck(
                    rule: "health-check",
                    statement: "health check of \(healthCheck.date) at \(healthCheck.institution): "
                        + (healthCheck.fit ? "fit" : "not fit") + ", \(age) days old (≤ \(rules.healthCheckValidDays))",
                    passed: valid
                )
            )
        } else {
            checks.append(RuleCheck(rule: "health-check", statement: "no admission health check", passed: false))
        }
        if let vaccination {
            let overdue = vaccination.overdue.map(\.dose.id)
            checks.append(
                RuleCheck(
                    rule: "vaccination",
                    statement: overdue.isEmpty
                        ? "vaccination up to date for the age (\(vaccination.schedule))"
                        : "vaccination: catch up \(overdue.joined(separator: ", ")) first",
                    passed: overdue.isEmpty && vaccination.child == child
                )
            )
        } else {
            checks.append(RuleCheck(rule: "vaccination", statement: "no vaccination record presented", passed: false))
        }
        return ExplainedDecision(checks: checks, policyVersion: rules.version)
    }

    /// An enrolment.
    public func enrolment(_ id: String) async throws(ChildcareError) -> ChildcareEnrolment {
        try await read(Purposes.enrolments) { db in
            guard let enrolment = try await db.get(ChildcareEnrolment.self, key: RecordKey(id)) else {
                throw ChildcareError.notFound("application \(id)")
            }
            return enrolment
        }
    }

    /// Records a day: present or absent. A child returning after more than
    /// ``ChildcareRules/recheckAfterDaysAway`` days needs a fit health check dated after the last
    /// day attended (`healthCheck`), or is refused with ``ChildcareError/recheckRequired(daysAway:)``.
    public func attend(
        _ id: String,
        on day: CalendarDate,
        present: Bool,
        healthCheck: AdmissionHealthCheck? = nil
    ) async throws(ChildcareError) {
        guard day <= today else { throw .invalid("attendance on \(day), after today") }
        let rules = rules
        try await write(Purposes.enrolments) { db in
            guard var enrolment = try await db.get(ChildcareEnrolment.self, key: RecordKey(id)) else {
                throw ChildcareError.notFound("enrolment \(id)")
            }
            guard enrolment.state == .enrolled else {
                throw ChildcareError.illegal(move: "attend", state: enrolment.state.rawValue)
            }
            let record = CareDayRecord(
                id: "\(id)@\(day)#\(present ? "present" : "absent")",
                enrolment: id,
                date: day,
                kind: present ? .present : .absent,
                note: ""
            )
            guard try await db.get(CareDayRecord.self, key: record.recordKey) == nil else {
                throw ChildcareError.duplicate("attendance of \(id) on \(day)")
            }
            if present {
                let last = enrolment.lastAttended ?? enrolment.enrolled ?? day
                let away = last.days(until: day)
                if away > rules.recheckAfterDaysAway {
                    guard let healthCheck, healthCheck.fit, healthCheck.date > last, healthCheck.date <= day else {
                        throw ChildcareError.recheckRequired(daysAway: away)
                    }
                    enrolment.healthCheck = healthCheck.date
                }
                if day > last { enrolment.lastAttended = day }
            }
            try await db.put(record)
            try await db.put(enrolment)
        }
    }

    /// Records a health note (morning check, illness, injury) of an enrolled child; sealed at rest.
    public func recordHealth(_ id: String, on day: CalendarDate, note: String) async throws(ChildcareError) {
        guard !note.isEmpty else { throw .invalid("a health note says something") }
        try await write(Purposes.enrolments) { db in
            guard let enrolment = try await db.get(ChildcareEnrolment.self, key: RecordKey(id)),
                enrolment.state == .enrolled
            else { throw ChildcareError.notFound("enrolment \(id)") }
            let count = try await db.count(RecordQuery<CareDayRecord>.filter("enrolment", equals: .text(id)))
            try await db.put(
                CareDayRecord(id: "\(id)@\(day)#health-\(count)", enrolment: id, date: day, kind: .health, note: note)
            )
        }
    }

    /// The days recorded for an enrolment, in date order (a day's attendance before its health notes).
    public func days(of id: String) async throws(ChildcareError) -> [CareDayRecord] {
        try await read(Purposes.enrolments) { db in
            try await db.fetch(RecordQuery<CareDayRecord>.filter("enrolment", equals: .text(id)))
                .sorted { ($0.date, $0.kind == .health ? 1 : 0, $0.id) < ($1.date, $1.kind == .health ? 1 : 0, $1.id) }
        }
    }

    /// The child leaves: the place is free again.
    public func leave(_ id: String) async throws(ChildcareError) {
        try await write(Purposes.enrolments) { db in
            guard var enrolment = try await db.get(ChildcareEnrolment.self, key: RecordKey(id)) else {
                throw ChildcareError.notFound("enrolment \(id)")
            }
            guard enrolment.state == .enrolled else {
                throw ChildcareError.illegal(move: "leave", state: enrolment.state.rawValue)
            }
            enrolment.state = .left
            try await db.put(enrolment)
        }
    }

    // MARK: Practitioners

    /// Registers a practitioner of a provider.
    public func register(_ practitioner: Practitioner) async throws(ChildcareError) {
        try await write(Purposes.practitioners) { db in
            guard try await db.get(ChildcareProvider.self, key: RecordKey(practitioner.provider)) != nil else {
                throw ChildcareError.notFound("provider \(practitioner.provider)")
            }
            guard try await db.get(Practitioner.self, key: practitioner.recordKey) == nil else {
                throw ChildcareError.duplicate("practitioner \(practitioner.id)")
            }
            try await db.put(practitioner)
        }
    }

    /// Records a credit event of a registered practitioner; not after today.
    public func record(_ event: CreditEvent) async throws(ChildcareError) {
        guard event.date <= today else { throw .invalid("a credit event on \(event.date), after today") }
        try await write(Purposes.practitioners) { db in
            guard try await db.get(Practitioner.self, key: RecordKey(event.practitioner)) != nil else {
                throw ChildcareError.notFound("practitioner \(event.practitioner)")
            }
            guard try await db.get(CreditEvent.self, key: event.recordKey) == nil else {
                throw ChildcareError.duplicate("credit event \(event.id)")
            }
            try await db.put(event)
        }
    }

    /// A practitioner's credit today (or on `date`), explained.
    public func credit(
        of practitioner: String,
        on date: CalendarDate? = nil
    ) async throws(ChildcareError)
        -> PractitionerCredit
    {
        let day = date ?? today
        let policy = creditPolicy
        return try await read(Purposes.practitioners) { db in
            guard try await db.get(Practitioner.self, key: RecordKey(practitioner)) != nil else {
                throw ChildcareError.notFound("practitioner \(practitioner)")
            }
            let events = try await db.fetch(
                RecordQuery<CreditEvent>.filter("practitioner", equals: .text(practitioner))
            )
            return PractitionerCredit(practitioner: practitioner, events: events, on: day, policy: policy)
        }
    }

    // MARK: The subsidy

    /// Claims the childcare subsidy of `child` for `year`, paid to `parent` through the one-card
    /// (instruction `cs-ID`) once: a second claim for the child and year is refused; claiming an id
    /// again after a failed payment pays it then.
    public func claimSubsidy(
        id: String,
        child: ResidentID,
        parent: ResidentID,
        year: Int
    ) async throws(ChildcareError) -> ChildcareSubsidyClaim {
        guard !id.isEmpty, child != parent else { throw .invalid("a claim has an id, a child and a parent") }
        let policy = subsidyPolicy
        let months = policy.months(bornOn: child.birthDate, in: year)
        guard months > 0 else {
            throw .invalid(
                "no month of \(year) counts: born \(child.birthDate), under \(policy.underYears) from \(policy.from)"
            )
        }
        let claim = ChildcareSubsidyClaim(
            id: id,
            child: child,
            parent: parent,
            year: year,
            months: months,
            amount: policy.amount(bornOn: child.birthDate, in: year),
            policyVersion: policy.version
        )
        let kept = try await write(Purposes.subsidy) { db in
            if let kept = try await db.get(ChildcareSubsidyClaim.self, key: claim.recordKey) {
                guard kept.child == child, kept.year == year else { throw ChildcareError.duplicate("claim \(id)") }
                return kept
            }
            let others = try await db.fetch(
                RecordQuery<ChildcareSubsidyClaim>.filter("child_year", equals: .text("\(child.unmasked)|\(year)"))
            )
            if let other = others.first {
                throw ChildcareError.duplicate("a claim for the child for \(year) (\(other.id))")
            }
            try await db.put(claim)
            return claim
        }
        guard kept.paidBy == nil else { return kept }
        let instruction: PaymentInstruction
        do {
            instruction = try PaymentInstruction(
                id: "cs-\(id)",
                programme: .childcareSubsidy,
                holder: parent,
                period: PayPeriod(containing: today),
                amount: claim.amount
            )
            _ = try await oneCard.submit(instruction)
        } catch {
            throw .oneCard("\(error)")
        }
        return try await write(Purposes.subsidy) { db in
            guard var paid = try await db.get(ChildcareSubsidyClaim.self, key: claim.recordKey) else {
                throw ChildcareError.notFound("claim \(id)")
            }
            paid.paidBy = instruction.id
            try await db.put(paid)
            return paid
        }
    }
}
