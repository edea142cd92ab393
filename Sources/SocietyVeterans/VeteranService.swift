import Foundation
public import SocietyCertificates
public import SocietyCore
public import SocietyExchange
import SocietyJSON
public import SocietyOneCard

/// The veterans' affairs service: veteran records and their placement, honours and support,
/// martyrs and memorial facilities, the base database assembled by envelope, preferential-care
/// payments through the one-card ledger and the preferential-treatment e-certificate (plan item 13).
///
/// Every operation that reads or changes records is `async` and one store transaction. Payments
/// never touch a bank account or a ledger of their own: they are
/// ``SocietyOneCard/PaymentInstruction``s submitted to the one-card service, whose idempotency keys
/// make a re-run of a month pay nobody twice.
///
/// ```swift
/// let service = VeteranService(store: store, crypto: crypto, clock: clock)
/// let veteran = try await service.register(resident, name: name, branch: .navy, enlisted: enlisted,
///                                          discharged: discharged, rank: .sergeant, placementType: .assignedWork)
/// let run = try await service.pay(try PayPeriod("2026-11"), through: oneCard)
/// ```
public struct VeteranService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purpose {
        /// Veteran records, placement, honours, support.
        public static let records = "veterans.records"
        /// Martyrs, memorial facilities, Rongyao homes.
        public static let commemoration = "veterans.commemoration"
        /// The base database assembled from other departments.
        public static let baseDatabase = "veterans.base-database"
        /// Preferential-care payments.
        public static let payments = "veterans.preferential-care"
    }

    private let store: any RecordStore
    private let crypto: any CryptoProvider
    private let clock: any WallClock
    /// Which data service may supply which base-database fields.
    public let sources: VeteranDataSources
    /// Which digest names envelopes in provenance.
    public let digest: DigestAlgorithm

    /// A service on `store`.
    public init(
        store: any RecordStore,
        crypto: any CryptoProvider,
        clock: any WallClock,
        sources: VeteranDataSources = VeteranDataSources(),
        digest: DigestAlgorithm = .sha256
    ) {
        self.store = store
        self.crypto = crypto
        self.clock = clock
        self.sources = sources
        self.digest = digest
    }

    var today: CalendarDate { CalendarDate(clock.now()) }

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
    ) async throws -> Veteran {
        let record = try Veteran(
            id: Identifier("vet-" + Hex.encode(try crypto.randomBytes(count: 8))),
            resident: resident,
            name: name,
            branch: branch,
            enlisted: enlisted,
            discharged: discharged,
            rank: rank,
            placementType: placementType,
            care: care
        )
        try await store.write(purpose: Purpose.records) { db in
            if try await veteran(of: resident, in: db) != nil { throw VeteranError.alreadyRegistered }
            try await db.put(record)
        }
        return record
    }

    /// Moves the veteran's placement along.
    @discardableResult
    public func place(_ id: Identifier<Veteran>, _ event: PlacementEvent) async throws -> Veteran {
        try await update(id) { veteran throws(VeteranError) in try veteran.apply(event) }
    }

    /// Records an honour.
    @discardableResult
    public func honour(_ id: Identifier<Veteran>, _ honour: Honour) async throws -> Veteran {
        try await update(id) { veteran throws(VeteranError) in
            guard !veteran.honours.contains(honour) else { throw .invalidRecord("honour already recorded") }
            veteran.honours.append(honour)
        }
    }

    /// Records employment or entrepreneurship support.
    @discardableResult
    public func support(_ id: Identifier<Veteran>, _ record: SupportRecord) async throws -> Veteran {
        try await update(id) { veteran throws(VeteranError) in
            if let amount = record.amount, amount.fen <= 0 { throw .invalidRecord("support amount must be positive") }
            veteran.support.append(record)
        }
    }

    /// Sets, suspends or ends the preferential-care entitlement.
    @discardableResult
    public func setCare(_ id: Identifier<Veteran>, _ care: PreferentialCare?) async throws -> Veteran {
        try await update(id) { veteran throws(VeteranError) in veteran.care = care }
    }

    /// The veteran with `id`.
    public func veteran(_ id: Identifier<Veteran>) async throws -> Veteran {
        try await store.read(purpose: Purpose.records) { db in try await veteran(id, in: db) }
    }

    /// The resident's veteran record, if any.
    public func veteran(of resident: ResidentID) async throws -> Veteran? {
        try await store.read(purpose: Purpose.records) { db in try await veteran(of: resident, in: db) }
    }

    // MARK: Commemoration

    /// Records a memorial facility.
    public func register(_ facility: MemorialFacility) async throws {
        try await store.write(purpose: Purpose.commemoration) { db in try await db.put(facility) }
    }

    /// Records a martyr; the facility, when named, must be known.
    public func register(_ martyr: Martyr) async throws {
        try await store.write(purpose: Purpose.commemoration) { db in
            if let facility = martyr.facility,
                try await db.get(MemorialFacility.self, key: RecordKey(facility.rawValue)) == nil
            {
                throw VeteranError.invalidRecord("unknown memorial facility \(facility)")
            }
            try await db.put(martyr)
        }
    }

    /// Records an outstanding Rongyao home.
    public func register(_ home: RongyaoHome) async throws {
        try await store.write(purpose: Purpose.commemoration) { db in try await db.put(home) }
    }

    /// The martyrs commemorated at a facility.
    public func martyrs(at facility: Identifier<MemorialFacility>) async throws -> [Martyr] {
        try await store.read(purpose: Purpose.commemoration) { db in
            try await db.fetch(RecordQuery<Martyr>.filter("facility", equals: .text(facility.rawValue))).sorted {
                $0.id < $1.id
            }
        }
    }

    /// The memorial facilities and Rongyao homes in a division.
    public func commemoration(
        in division: DivisionCode
    ) async throws -> (facilities: [MemorialFacility], homes: [RongyaoHome]) {
        let (facilities, homes) = try await store.read(purpose: Purpose.commemoration) { db in
            (
                try await db.fetch(RecordQuery<MemorialFacility>.filter("division", equals: .text(division.code)))
                    .sorted { $0.id < $1.id },
                try await db.fetch(RecordQuery<RongyaoHome>.filter("division", equals: .text(division.code)))
                    .sorted { $0.organization < $1.organization }
            )
        }
        return (facilities, homes)
    }

    // MARK: Base database

    /// Takes the fields an envelope carries into the base database, each with the envelope's
    /// digest, issuer, service and times. Data: `{"resident": ID, "fields": {"employer": …, …}}`.
    /// Refused whole when the service may not supply one of the fields; a field already holding a
    /// value from a later envelope keeps it.
    @discardableResult
    public func ingest(_ notice: OpenedEnvelope) async throws -> VeteranBaseRecord {
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
        let digestText =
            "\(digest.rawValue):\(Base64URL.encode(try crypto.digest(digest, of: Array(notice.text.utf8))))"
        let received = clock.now()
        return try await store.write(purpose: Purpose.baseDatabase) { db in
            var record =
                try await db.get(VeteranBaseRecord.self, key: RecordKey(sensitive: resident.unmasked))
                ?? VeteranBaseRecord(resident: resident)
            for member in fields {
                if let existing = record.fields[member.key], existing.issuedAt > claims.issuedAt { continue }
                record.fields[member.key] = ProvenancedField(
                    value: member.value,
                    envelopeDigest: digestText,
                    issuer: claims.issuer,
                    service: claims.service,
                    issuedAt: claims.issuedAt,
                    receivedAt: received
                )
            }
            try await db.put(record)
            return record
        }
    }

    /// The resident's base-database record, if any.
    public func baseRecord(of resident: ResidentID) async throws -> VeteranBaseRecord? {
        try await store.read(purpose: Purpose.baseDatabase) { db in
            try await db.get(VeteranBaseRecord.self, key: RecordKey(sensitive: resident.unmasked))
        }
    }

    // MARK: Preferential care

    /// The month's instructions for every veteran whose care is active, with idempotency keys
    /// `vpc-YYYY-MM-<veteran id>`, so the same month never pays a veteran twice.
    public func instructions(
        for period: PayPeriod,
        schedule: PreferentialCareSchedule = PreferentialCareSchedule()
    ) async throws -> [PaymentInstruction] {
        try await store.read(purpose: Purpose.payments) { db in
            var instructions: [PaymentInstruction] = []
            try await db.forEach(RecordQuery<Veteran>.filter("care_active", from: nil, to: nil)) { veteran in
                guard let care = veteran.care, care.since <= period.firstDay.adding(months: 1).adding(days: -1) else {
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
    }

    /// Pays the month through the one-card ledger, one instruction at a time so that a veteran
    /// without a current card is reported without holding back everyone else's payment.
    public func pay(
        _ period: PayPeriod,
        through oneCard: OneCardService,
        schedule: PreferentialCareSchedule = PreferentialCareSchedule()
    ) async throws -> PaymentRun {
        var run = PaymentRun()
        for instruction in try await instructions(for: period, schedule: schedule) {
            do {
                switch try await oneCard.submit(instruction) {
                case .posted(let record):
                    run.posted.append(record)
                case .alreadyPosted(let record):
                    run.alreadyPosted.append(record)
                }
            } catch let error as OneCardError {
                run.refused.append(PaymentRun.Refusal(instruction: instruction.id, reason: error))
            }
        }
        return run
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
    ) async throws -> IssuedCertificate {
        guard let type = registry[CertificateType.veteranPreferentialTreatment.code] else {
            throw VeteranError.invalidRecord("the registry has no veteran-preferential-treatment type")
        }
        let veteran = try await veteran(id)
        guard case .completed = veteran.placement else {
            throw VeteranError.illegalTransition(from: veteran.placement.name, event: "certify")
        }
        let claims: JSONObject = [
            "name": .string(veteran.name.unmasked),
            "category": "veteran",
            "discharge_date": .string(veteran.discharged.iso8601),
        ]
        return try await issuer.issue(type, to: .resident(veteran.resident), holderKey: holderKey, claims: claims)
    }

    // MARK: Helpers

    private func update(
        _ id: Identifier<Veteran>,
        _ change: @Sendable (inout Veteran) throws(VeteranError) -> Void
    ) async throws -> Veteran {
        try await store.write(purpose: Purpose.records) { db in
            var veteran = try await veteran(id, in: db)
            try change(&veteran)
            try await db.put(veteran)
            return veteran
        }
    }

    private func veteran(_ id: Identifier<Veteran>, in db: any RecordReading) async throws -> Veteran {
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
