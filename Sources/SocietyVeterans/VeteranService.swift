import Foundation
import Logging
public import SocietyCertificates
public import SocietyCore
public import SocietyExchange
import SocietyJSON
public import SocietyOneCard

/// The veterans' affairs service: veteran records and their placement, honours and support,
/// martyrs and memorial facilities, the base database assembled by envelope, preferential-care
/// payments through the one-card ledger and the preferential-treatment e-certificate (plan item 13).
///
/// Built from the bureau's ``SocietyCore/ServicePorts`` and the ``SocietyOneCard/OneCardService``
/// it pays through. Every operation that reads or changes records is `async`, one store
/// transaction under one of the ``Purposes``, and throws ``VeteranError`` only. Payments never
/// touch a bank account or a ledger of their own: they are ``SocietyOneCard/PaymentInstruction``s
/// submitted to the one-card service, whose idempotency keys make a re-run of a month pay nobody
/// twice.
///
/// ```swift
/// let ports = ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock)
/// let service = VeteranService(ports: ports, oneCard: oneCard)
/// let veteran = try await service.register(resident, name: name, branch: .navy, enlisted: enlisted,
///                                          discharged: discharged, rank: .sergeant, placementType: .assignedWork)
/// let run = try await service.pay(try PayPeriod("2026-11"))
/// ```
public struct VeteranService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purposes {
        /// Veteran records, placement, honours, support.
        public static let records = Purpose(constant: "veterans.records")
        /// Martyrs, memorial facilities, Rongyao homes.
        public static let commemoration = Purpose(constant: "veterans.commemoration")
        /// The base database assembled from other departments.
        public static let baseDatabase = Purpose(constant: "veterans.base-database")
        /// Preferential-care payments.
        public static let payments = Purpose(constant: "veterans.preferential-care")
    }

    private let ports: ServicePorts
    /// The one-card service preferential care is paid through.
    public let oneCard: OneCardService
    /// Which data service may supply which base-database fields.
    public let sources: VeteranDataSources

    /// A service on the bureau's ports, logging as component `veterans`, paying through `oneCard`;
    /// envelope evidence uses the profile's digest.
    public init(
        ports: ServicePorts,
        oneCard: OneCardService,
        sources: VeteranDataSources = VeteranDataSources()
    ) {
        self.ports = ports.logging(as: "veterans")
        self.oneCard = oneCard
        self.sources = sources
    }

    private var store: any RecordStore { ports.store }
    private var logger: Logger { ports.logger }
    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    // MARK: Veterans

    /// Registers a veteran whose records the army transferred; refused when the resident already
    /// has a record.
    public func register(
        _ resident: ResidentID,
        name: PersonName,
        branch: ServiceBranch,
        enlisted: CalendarDate,
        discharged: CalendarDate,
        rank: DischargeRank,
        placementType: PlacementType,
        care: PreferentialCare? = nil
    ) async throws(VeteranError) -> Veteran {
        try await logger.veteransOperation("register") {
            let record = try Veteran(
                id: Identifier("vet-" + Hex.encode(try ports.crypto.randomBytes(count: 8))),
                resident: resident,
                name: name,
                branch: branch,
                enlisted: enlisted,
                discharged: discharged,
                rank: rank,
                placementType: placementType,
                care: care
            )
            try await store.write(purpose: Purposes.records) { db in
                if try await veteran(of: resident, in: db) != nil { throw VeteranError.alreadyRegistered }
                try await db.put(record)
            }
            logger.info(
                "veteran registered",
                metadata: [
                    "operation": "register", "veteran": "\(record.id.rawValue)", "branch": "\(branch.rawValue)",
                    "placementType": "\(placementType.rawValue)", "care": "\(care?.category.rawValue ?? "none")",
                ]
            )
            return record
        }
    }

    /// Moves the veteran's placement along.
    @discardableResult
    public func place(_ id: Identifier<Veteran>, _ event: PlacementEvent) async throws(VeteranError) -> Veteran {
        try await update(id, "place") { veteran throws(VeteranError) in try veteran.apply(event) }
    }

    /// Records an honour.
    @discardableResult
    public func honour(_ id: Identifier<Veteran>, _ honour: Honour) async throws(VeteranError) -> Veteran {
        try await update(id, "honour") { veteran throws(VeteranError) in
            guard !veteran.honours.contains(honour) else { throw .invalidRecord("honour already recorded") }
            veteran.honours.append(honour)
        }
    }

    /// Records employment or entrepreneurship support.
    @discardableResult
    public func support(_ id: Identifier<Veteran>, _ record: SupportRecord) async throws(VeteranError) -> Veteran {
        try await update(id, "support") { veteran throws(VeteranError) in
            if let amount = record.amount, amount.fen <= 0 { throw .invalidRecord("support amount must be positive") }
            veteran.support.append(record)
        }
    }

    /// Sets, suspends or ends the preferential-care entitlement.
    @discardableResult
    public func setCare(_ id: Identifier<Veteran>, _ care: PreferentialCare?) async throws(VeteranError) -> Veteran {
        try await update(id, "setCare") { veteran throws(VeteranError) in veteran.care = care }
    }

    /// The veteran with `id`.
    public func veteran(_ id: Identifier<Veteran>) async throws(VeteranError) -> Veteran {
        try await logger.veteransOperation("veteran") {
            logger.debug("veteran read", metadata: ["operation": "veteran", "veteran": "\(id.rawValue)"])
            return try await store.read(purpose: Purposes.records) { db in try await record(id, in: db) }
        }
    }

    /// The resident's veteran record, if any.
    public func veteran(of resident: ResidentID) async throws(VeteranError) -> Veteran? {
        try await logger.veteransOperation("veteranOf") {
            let found = try await store.read(purpose: Purposes.records) { db in
                try await veteran(of: resident, in: db)
            }
            logger.debug(
                "veteran looked up",
                metadata: ["operation": "veteranOf", "veteran": "\(found?.id.rawValue ?? "none")"]
            )
            return found
        }
    }

    // MARK: Commemoration

    /// Records a memorial facility.
    public func register(_ facility: MemorialFacility) async throws(VeteranError) {
        try await logger.veteransOperation("registerFacility") {
            try await store.write(purpose: Purposes.commemoration) { db in try await db.put(facility) }
            logger.info(
                "memorial facility recorded",
                metadata: [
                    "operation": "registerFacility", "facility": "\(facility.id.rawValue)",
                    "level": "\(facility.level.rawValue)",
                ]
            )
        }
    }

    /// Records a martyr; the facility, when named, must be known.
    public func register(_ martyr: Martyr) async throws(VeteranError) {
        try await logger.veteransOperation("registerMartyr") {
            try await store.write(purpose: Purposes.commemoration) { db in
                if let facility = martyr.facility,
                    try await db.get(MemorialFacility.self, key: RecordKey(facility.rawValue)) == nil
                {
                    throw VeteranError.invalidRecord("unknown memorial facility \(facility)")
                }
                try await db.put(martyr)
            }
            logger.info(
                "martyr recorded",
                metadata: [
                    "operation": "registerMartyr", "martyr": "\(martyr.id.rawValue)",
                    "facility": "\(martyr.facility?.rawValue ?? "none")",
                ]
            )
        }
    }

    /// Records an outstanding Rongyao home.
    public func register(_ home: RongyaoHome) async throws(VeteranError) {
        try await logger.veteransOperation("registerHome") {
            try await store.write(purpose: Purposes.commemoration) { db in try await db.put(home) }
            logger.info(
                "Rongyao home recorded",
                metadata: [
                    "operation": "registerHome", "organization": "\(home.organization.value)",
                    "kind": "\(home.kind.rawValue)",
                ]
            )
        }
    }

    /// The martyrs commemorated at a facility.
    public func martyrs(at facility: Identifier<MemorialFacility>) async throws(VeteranError) -> [Martyr] {
        try await logger.veteransOperation("martyrs") {
            let martyrs = try await store.read(purpose: Purposes.commemoration) { db in
                try await db.fetch(RecordQuery<Martyr>.filter("facility", equals: .text(facility.rawValue))).sorted {
                    $0.id < $1.id
                }
            }
            logger.debug(
                "martyrs listed",
                metadata: ["operation": "martyrs", "facility": "\(facility.rawValue)", "count": "\(martyrs.count)"]
            )
            return martyrs
        }
    }

    /// The memorial facilities and Rongyao homes in a division.
    public func commemoration(
        in division: DivisionCode
    ) async throws(VeteranError) -> (facilities: [MemorialFacility], homes: [RongyaoHome]) {
        try await logger.veteransOperation("commemoration") {
            let (facilities, homes) = try await store.read(purpose: Purposes.commemoration) { db in
                (
                    try await db.fetch(RecordQuery<MemorialFacility>.filter("division", equals: .text(division.code)))
                        .sorted { $0.id < $1.id },
                    try await db.fetch(RecordQuery<RongyaoHome>.filter("division", equals: .text(division.code)))
                        .sorted { $0.organization < $1.organization }
                )
            }
            logger.debug(
                "commemoration listed",
                metadata: [
                    "operation": "commemoration", "division": "\(division.code)",
                    "facilities": "\(facilities.count)", "homes": "\(homes.count)",
                ]
            )
            return (facilities, homes)
        }
    }

    // MARK: Base database

    /// Takes the fields an envelope carries into the base database, each with the envelope's
    /// evidence digest, issuer, service and times. Data: `{"resident": ID, "fields": {"employer": …, …}}`.
    /// Refused whole when the service may not supply one of the fields; a field already holding a
    /// value from a later envelope keeps it.
    @discardableResult
    public func ingest(_ notice: OpenedEnvelope) async throws(VeteranError) -> VeteranBaseRecord {
        try await logger.veteransOperation("ingest") {
            let claims = notice.claims
            guard let text = claims.data["resident"]?.stringValue else {
                throw VeteranError.malformedNotice("\"resident\" is missing or not text")
            }
            let resident: ResidentID
            do {
                resident = try ResidentID(text)
            } catch {
                throw VeteranError.malformedNotice("\"resident\": \(error)")
            }
            guard let fields = claims.data["fields"]?.objectValue, !fields.isEmpty else {
                throw VeteranError.malformedNotice("\"fields\" is missing or empty")
            }
            let allowed = sources.fields[claims.service] ?? []
            if let refused = fields.keys.first(where: { !allowed.contains($0) }) {
                throw VeteranError.fieldNotAllowed(service: claims.service, field: refused)
            }
            let evidence = try notice.evidence(digest: ports.profile.digest, crypto: ports.crypto)
            let received = ports.clock.now()
            let (record, taken) = try await store.write(purpose: Purposes.baseDatabase) { db in
                var record =
                    try await db.get(VeteranBaseRecord.self, key: RecordKey(sensitive: resident.unmasked))
                    ?? VeteranBaseRecord(resident: resident)
                var taken = 0
                for member in fields {
                    if let existing = record.fields[member.key], existing.issuedAt > claims.issuedAt { continue }
                    record.fields[member.key] = ProvenancedField(
                        value: member.value,
                        envelopeDigest: evidence,
                        issuer: claims.issuer,
                        service: claims.service,
                        issuedAt: claims.issuedAt,
                        receivedAt: received
                    )
                    taken += 1
                }
                try await db.put(record)
                return (record, taken)
            }
            logger.info(
                "base-database fields ingested",
                metadata: [
                    "operation": "ingest", "issuer": "\(claims.issuer)", "service": "\(claims.service)",
                    "fields": "\(fields.count)", "taken": "\(taken)", "evidence": "\(evidence)",
                ]
            )
            return record
        }
    }

    /// The resident's base-database record, if any.
    public func baseRecord(of resident: ResidentID) async throws(VeteranError) -> VeteranBaseRecord? {
        try await logger.veteransOperation("baseRecord") {
            let record = try await store.read(purpose: Purposes.baseDatabase) { db in
                try await db.get(VeteranBaseRecord.self, key: RecordKey(sensitive: resident.unmasked))
            }
            logger.debug(
                "base record read",
                metadata: ["operation": "baseRecord", "fields": "\(record?.fields.count ?? 0)"]
            )
            return record
        }
    }

    // MARK: Preferential care

    /// The month's instructions for every veteran whose care is active, with idempotency keys
    /// `vpc-YYYY-MM-<veteran id>`, so the same month never pays a veteran twice.
    public func instructions(
        for period: PayPeriod,
        schedule: PreferentialCareSchedule = PreferentialCareSchedule()
    ) async throws(VeteranError) -> [PaymentInstruction] {
        try await logger.veteransOperation("instructions") {
            let instructions = try await store.read(purpose: Purposes.payments) { db in
                var instructions: [PaymentInstruction] = []
                try await db.forEach(RecordQuery<Veteran>.filter("care_active", from: nil, to: nil)) { veteran in
                    guard let care = veteran.care, care.since <= period.firstDay.adding(months: 1).adding(days: -1)
                    else {
                        return true
                    }
                    instructions.append(
                        try PaymentInstruction(
                            id: "vpc-\(period)-\(veteran.id.rawValue)",
                            programme: .veteransPreferentialCare,
                            holder: veteran.resident,
                            period: period,
                            amount: try schedule.amount(for: veteran)
                        )
                    )
                    return true
                }
                return instructions.sorted { $0.id < $1.id }
            }
            logger.debug(
                "preferential-care instructions made",
                metadata: ["operation": "instructions", "period": "\(period)", "instructions": "\(instructions.count)"]
            )
            return instructions
        }
    }

    /// Pays the month through the one-card ledger, one instruction at a time so that a veteran
    /// without a current card is reported without holding back everyone else's payment.
    ///
    /// A refusal by the one-card's rules is reported in the run; a failure of its ports (its store,
    /// say) ends the run with ``VeteranError/oneCard(_:)``, and a re-run pays only what is left.
    /// Reports to `progress` (task `"preferential-care payout"`) every 100 instructions (each is a
    /// one-card transaction of its own) and once at the end.
    public func pay(
        _ period: PayPeriod,
        schedule: PreferentialCareSchedule = PreferentialCareSchedule(),
        progress: ProgressHandler? = nil
    ) async throws(VeteranError) -> PaymentRun {
        let due = try await instructions(for: period, schedule: schedule)
        return try await logger.veteransOperation("pay") {
            var run = PaymentRun()
            var meter = ProgressMeter("preferential-care payout", total: due.count, every: 100, handler: progress)
            for instruction in due {
                defer { meter.advance() }
                do throws(OneCardError) {
                    switch try await oneCard.submit(instruction) {
                    case .posted(let record):
                        run.posted.append(record)
                    case .alreadyPosted(let record):
                        run.alreadyPosted.append(record)
                    }
                } catch {
                    if error.isPortFailure { throw VeteranError.oneCard(error) }
                    run.refused.append(
                        PaymentRun.Refusal(instruction: instruction.id, holder: instruction.holder, reason: error)
                    )
                    logger.info(
                        "preferential-care payment refused",
                        metadata: [
                            "operation": "pay", "instruction": "\(instruction.id)", "reason": "\(error.caseName)",
                        ]
                    )
                }
            }
            meter.finish()
            logger.info(
                "preferential care paid",
                metadata: [
                    "operation": "pay", "period": "\(period)", "instructions": "\(due.count)",
                    "posted": "\(run.posted.count)", "alreadyPosted": "\(run.alreadyPosted.count)",
                    "refused": "\(run.refused.count)",
                ]
            )
            return run
        }
    }

    // MARK: Certificate

    /// Issues the veteran preferential-treatment certificate (优待证) as an e-certificate, with the
    /// type found in `registry` by its code. The claims are the name, the category `veteran` and the
    /// discharge date.
    public func issueCertificate(
        _ id: Identifier<Veteran>,
        issuer: CertificateIssuer,
        holderKey: JSONWebKey,
        registry: CertificateTypeRegistry = .standard
    ) async throws(VeteranError) -> IssuedCertificate {
        try await logger.veteransOperation("issueCertificate") {
            guard let type = registry[CertificateType.veteranPreferentialTreatment.code] else {
                throw VeteranError.invalidRecord("the registry has no veteran-preferential-treatment type")
            }
            let veteran = try await store.read(purpose: Purposes.records) { db in try await record(id, in: db) }
            guard case .completed = veteran.placement else {
                throw VeteranError.illegalTransition(from: veteran.placement.name, event: "certify")
            }
            let claims: JSONObject = [
                "name": .string(veteran.name.unmasked),
                "category": "veteran",
                "discharge_date": .string(veteran.discharged.iso8601),
            ]
            let issued = try await issuer.issue(
                type,
                to: .resident(veteran.resident),
                holderKey: holderKey,
                claims: claims
            )
            logger.info(
                "preferential-treatment certificate issued",
                metadata: ["operation": "issueCertificate", "veteran": "\(id.rawValue)"]
            )
            return issued
        }
    }

    // MARK: Helpers

    private func update(
        _ id: Identifier<Veteran>,
        _ operation: String,
        _ change: @Sendable (inout Veteran) throws(VeteranError) -> Void
    ) async throws(VeteranError) -> Veteran {
        try await logger.veteransOperation(operation) {
            let updated = try await store.write(purpose: Purposes.records) { db in
                var veteran = try await record(id, in: db)
                try change(&veteran)
                try await db.put(veteran)
                return veteran
            }
            logger.info(
                "veteran record updated",
                metadata: [
                    "operation": "\(operation)", "veteran": "\(id.rawValue)", "placement": "\(updated.placement.name)",
                ]
            )
            return updated
        }
    }

    private func record(_ id: Identifier<Veteran>, in db: any RecordReading) async throws -> Veteran {
        guard let veteran = try await db.get(Veteran.self, key: RecordKey(id.rawValue)) else {
            throw VeteranError.unknownVeteran(id.rawValue)
        }
        return veteran
    }

    private func veteran(of resident: ResidentID, in db: any RecordReading) async throws -> Veteran? {
        try await db.fetch(RecordQuery<Veteran>.filter("resident", equals: .text(resident.unmasked))).first
    }
}

/// The outcome of paying a month.
public struct PaymentRun: Hashable, Sendable {
    /// An instruction the one-card refused, and why.
    public struct Refusal: Hashable, Sendable {
        /// The instruction's id.
        public let instruction: String
        /// Whom it would have paid (print it ``SocietyCore/ResidentID/masked``).
        public let holder: ResidentID
        /// The one-card's reason.
        public let reason: OneCardError
    }

    /// Posted now.
    public var posted: [PaymentRecord] = []
    /// Posted by an earlier run: nothing was paid again.
    public var alreadyPosted: [PaymentRecord] = []
    /// Refused (no current card, …); the rest of the month was still paid.
    public var refused: [Refusal] = []

    /// The net amount posted now.
    public var amountPosted: Money { (try? Money.sum(posted.map(\.holderAmount))) ?? .zero }
}
