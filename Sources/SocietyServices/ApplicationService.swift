import Logging
public import SocietyCore

/// Who an application is made by: a resident, a household through its head, or an organisation.
public enum Applicant: Hashable, Sendable, Codable {
    /// A natural person.
    case resident(ResidentID)
    /// A household, represented by its head.
    case household(head: ResidentID)
    /// An organisation.
    case organisation(CreditCode)

    /// The kind of applicant, as the catalogue names it.
    public var kind: ServiceEntry.ApplicantKind {
        switch self {
        case .resident: .resident
        case .household: .household
        case .organisation: .organisation
        }
    }

    /// The identifier the keyed-hash index is built from.
    var indexText: String {
        switch self {
        case .resident(let id), .household(let id): id.unmasked
        case .organisation(let code): code.value
        }
    }
}

extension Applicant: CustomStringConvertible {
    /// Masked: an applicant's identity number never reaches a description or a log line.
    public var description: String {
        switch self {
        case .resident(let id): "resident \(id.masked)"
        case .household(let head): "household of \(head.masked)"
        case .organisation(let code): "organisation \(code.value)"
        }
    }
}

/// An application as the service stores it: the life cycle with who applied, where, and to which
/// department. The applicant is encrypted at rest and found through a keyed hash only.
public struct ApplicationRecord: Hashable, Sendable, Codable {
    /// The application and its history.
    public var application: ServiceApplication
    /// Who applied.
    public let applicant: Applicant
    /// The department that runs the service (from the catalogue at submission).
    public let department: String
    /// The district (county-level division) the application belongs to.
    public let district: DivisionCode
    /// The materials checked at submission: documents by digest, e-certificates by number.
    public let materials: [KeptMaterial]

    /// The desk's record of `application`: what a domain service that keeps its own application
    /// record writes beside it, in the same transaction, so that the desk's warnings and counts
    /// include its applications.
    public init(
        application: ServiceApplication,
        applicant: Applicant,
        department: String,
        district: DivisionCode,
        materials: [KeptMaterial] = []
    ) {
        self.application = application
        self.applicant = applicant
        self.department = department
        self.district = district
        self.materials = materials
    }

    /// The stored shape of schema version 1, before materials were kept.
    struct Version1: Decodable {
        let application: ServiceApplication
        let applicant: Applicant
        let department: String
        let district: DivisionCode
    }
}

extension ApplicationRecord: StorableRecord {
    /// The table name.
    public static let recordKind = "service_application"
    /// Version 2 keeps the materials checked at submission.
    public static let schemaVersion = 2
    /// Version 1 kept no materials.
    public static let upgrades: [RecordUpgrade<ApplicationRecord>] = [
        RecordUpgrade(from: 1, as: Version1.self) { old in
            ApplicationRecord(
                application: old.application,
                applicant: old.applicant,
                department: old.department,
                district: old.district
            )
        }
    ]
    /// The applicant and the materials (a certificate's number identifies its holder) are
    /// encrypted at rest.
    public static let sensitiveFields: Set<String> = ["applicant", "materials"]
    /// Applications by applicant (keyed hash), service, department, district and state, and the
    /// open ones, which deadline checks scan.
    public static let indexes: [RecordIndex<ApplicationRecord>] = [
        RecordIndex(searchable: "applicant") { .text($0.applicant.indexText) },
        RecordIndex("service") { .text($0.application.serviceCode) },
        RecordIndex("department") { .text($0.department) },
        RecordIndex("district") { .text($0.district.code) },
        RecordIndex("state") { .text($0.application.state.name) },
        RecordIndex("open") { $0.application.state.isFinal ? nil : .text($0.application.serviceCode) },
    ]
    /// The application id.
    public var recordKey: RecordKey { RecordKey(application.id) }
}

/// Received, completed on time and late, overdue and open applications for one service, department
/// and district: what the progress board reads.
public struct ApplicationCount: Hashable, Sendable, Codable {
    /// The service's catalogue code.
    public let service: String
    /// The department running it.
    public let department: String
    /// The district, as its six-digit code.
    public let district: String
    /// Every application received.
    public var received = 0
    /// Completed within the promised limit.
    public var completedOnTime = 0
    /// Completed after the promised limit.
    public var completedLate = 0
    /// Not accepted, or withdrawn.
    public var closedWithoutResult = 0
    /// Open and past their deadline (the promised one, or the materials' while they are awaited).
    public var overdue = 0
    /// Open.
    public var open = 0
}

/// An open application whose deadline is near or past: the early warning.
public struct DeadlineWarning: Hashable, Sendable {
    /// The application id.
    public let application: String
    /// The service's catalogue code.
    public let service: String
    /// The department running it.
    public let department: String
    /// Due soon or overdue, with the deadline.
    public let status: DeadlineStatus
}

/// The resident-service desk every domain runs its applications through: submission checked against
/// the catalogue, each move of the shared life cycle stored in its own write transaction (audited by
/// the store with the purpose), deadlines on the working calendar, early warnings and counts.
///
/// Built from the department's ``SocietyCore/ServicePorts`` (the service recipe); every operation
/// throws only ``ServicesError``. A move the life cycle refuses changes nothing. Days come from the
/// ports' clock, as calendar days in China Standard Time.
///
/// ```swift
/// let desk = ApplicationService(ports: ports, catalogue: catalogue, calendar: try PublishedCalendar.official())
/// let application = try await desk.submit(
///     id: "app-1", service: "childcare-filing", applicant: .organisation(code), district: district,
///     materials: [.document(name: "premises floor plan", digest: "sha256:…")], by: "portal")
/// try await desk.accept("app-1", by: "clerk-7")
/// ```
///
/// Logs (component `services`) name the operation, the application id, the service and the state;
/// never the applicant.
public struct ApplicationService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purposes {
        /// Receiving applications and moving them through the life cycle.
        public static let applications = Purpose(constant: "services.applications")
        /// Deadline checks and counts for supervision (the progress board).
        public static let supervision = Purpose(constant: "services.supervision")

        /// Every purpose above.
        public static let all: [Purpose] = [applications, supervision]
    }

    private let ports: ServicePorts
    /// The services offered.
    public let catalogue: ServiceCatalogue
    /// The calendar deadlines are counted on.
    public let calendar: any WorkingCalendar
    /// How many working days before a deadline an application is reported as due soon.
    public let warningDays: Int
    /// Checks the e-certificates applicants present instead of documents; without one, a
    /// presented certificate is refused as unverifiable (the paper document is still accepted).
    public let materialVerifier: (any MaterialVerifier)?

    /// A desk on the department's ports.
    public init(
        ports: ServicePorts,
        catalogue: ServiceCatalogue,
        calendar: any WorkingCalendar,
        warningDays: Int = 2,
        materialVerifier: (any MaterialVerifier)? = nil
    ) {
        self.materialVerifier = materialVerifier
        self.ports = ports.logging(as: "services")
        self.catalogue = catalogue
        self.calendar = calendar
        self.warningDays = max(0, warningDays)
    }

    private var today: CalendarDate { CalendarDate(ports.clock.now()) }

    /// Receives an application for the service `code` with the `materials` the applicant supplies:
    /// each document the catalogue lists (by digest) or, where the catalogue allows, the
    /// e-certificate that replaces it (a presentation bound to `id`, verified by
    /// ``materialVerifier``); what the department fetches by envelope needs nothing. A missing,
    /// unexpected or unverifiable material is refused before anything is stored.
    ///
    /// The caller chooses the id, so a retried submission of the same application returns the one
    /// already received; the same id for a different service or applicant is refused.
    public func submit(
        id: String,
        service code: String,
        applicant: Applicant,
        district: DivisionCode,
        materials: [SuppliedMaterial] = [],
        by actor: String
    ) async throws(ServicesError) -> ServiceApplication {
        let entry: ServiceEntry
        do {
            entry = try catalogue.entry(code)
        } catch {
            throw failed("submit", .catalogue(error))
        }
        guard Self.admits(entry.applicant, applicant.kind) else {
            throw failed("submit", .wrongApplicant(service: code, expected: entry.applicant, got: applicant.kind))
        }
        guard !id.isEmpty, id.utf8.count <= 128, !id.contains("/") else { throw failed("submit", .invalidID(id)) }
        let kept: [String: [KeptMaterial]]
        do {
            kept = try await MaterialCheck(
                entries: [entry],
                applicant: applicant,
                nonce: id,
                verifier: materialVerifier
            )
            .run(materials)
        } catch {
            throw failed("submit", error)
        }
        let new = ApplicationRecord(
            application: ServiceApplication(
                id: id,
                serviceCode: code,
                timeLimit: entry.timeLimit,
                submitted: today,
                by: actor
            ),
            applicant: applicant,
            department: entry.department,
            district: district,
            materials: kept[code] ?? []
        )
        let stored = try await writing("submit") { db in
            if let existing = try await db.get(ApplicationRecord.self, key: RecordKey(id)) {
                guard existing.application.serviceCode == code, existing.applicant == applicant else {
                    throw ServicesError.duplicateApplication(id)
                }
                return existing
            }
            try await db.put(new)
            return new
        }
        ports.logger.info(
            "application received",
            metadata: ["operation": "submit", "application": "\(id)", "service": "\(code)"]
        )
        return stored.application
    }

    /// Receives a one-thing bundle application: one application per part (id `id/service`), all
    /// in one transaction, each then moved by its own department. A household's head may apply for
    /// a part meant for a resident. One set of `materials` serves every part (一件事一次办): a
    /// document several parts ask for is handed in once, and certificates are bound to the
    /// bundle's `id`. Retried with the same id and applicant, it returns the parts already received.
    public func submit(
        id: String,
        bundle code: String,
        applicant: Applicant,
        district: DivisionCode,
        materials: [SuppliedMaterial] = [],
        by actor: String
    ) async throws(ServicesError) -> BundleStatus {
        let bundle: ServiceBundle
        let entries: [ServiceEntry]
        do {
            bundle = try catalogue.bundle(code)
            entries = try bundle.parts.map { part throws(CatalogueError) in try catalogue.entry(part) }
        } catch {
            throw failed("submit bundle", .catalogue(error))
        }
        guard !id.isEmpty, id.utf8.count <= 64, !id.contains("/") else { throw failed("submit bundle", .invalidID(id)) }
        for entry in entries where !Self.admits(entry.applicant, applicant.kind) {
            throw failed(
                "submit bundle",
                .wrongApplicant(service: entry.code, expected: entry.applicant, got: applicant.kind)
            )
        }
        let kept: [String: [KeptMaterial]]
        do {
            kept = try await MaterialCheck(
                entries: entries,
                applicant: applicant,
                nonce: id,
                verifier: materialVerifier
            )
            .run(materials)
        } catch {
            throw failed("submit bundle", error)
        }
        let day = today
        let records = entries.map { entry in
            ApplicationRecord(
                application: ServiceApplication(
                    id: Self.partID(id, entry.code),
                    serviceCode: entry.code,
                    timeLimit: entry.timeLimit,
                    submitted: day,
                    by: actor
                ),
                applicant: applicant,
                department: entry.department,
                district: district,
                materials: kept[entry.code] ?? []
            )
        }
        let stored = try await writing("submit bundle") { db in
            var stored: [ApplicationRecord] = []
            for record in records {
                if let existing = try await db.get(ApplicationRecord.self, key: record.recordKey) {
                    guard existing.applicant == applicant,
                        existing.application.serviceCode == record.application.serviceCode
                    else { throw ServicesError.duplicateApplication(record.application.id) }
                    stored.append(existing)
                } else {
                    try await db.put(record)
                    stored.append(record)
                }
            }
            return stored
        }
        ports.logger.info(
            "bundle received",
            metadata: [
                "operation": "submit bundle", "application": "\(id)", "bundle": "\(code)", "parts": "\(entries.count)",
            ]
        )
        return BundleStatus(id: id, bundle: code, parts: stored.map(\.application))
    }

    /// Where the bundle application `id` of bundle `code` stands.
    public func bundleStatus(_ id: String, bundle code: String) async throws(ServicesError) -> BundleStatus {
        let bundle: ServiceBundle
        do {
            bundle = try catalogue.bundle(code)
        } catch {
            throw failed("bundle status", .catalogue(error))
        }
        let parts = try await reading("bundle status", Purposes.applications) { db in
            var parts: [ServiceApplication] = []
            for part in bundle.parts {
                guard let record = try await db.get(ApplicationRecord.self, key: RecordKey(Self.partID(id, part)))
                else {
                    throw ServicesError.unknownApplication(Self.partID(id, part))
                }
                parts.append(record.application)
            }
            return parts
        }
        return BundleStatus(id: id, bundle: code, parts: parts)
    }

    /// The id of a bundle application's part.
    public static func partID(_ id: String, _ service: String) -> String { "\(id)/\(service)" }

    /// Whether a service for `wanted` applicants admits an applicant of kind `kind`.
    static func admits(_ wanted: ServiceEntry.ApplicantKind, _ kind: ServiceEntry.ApplicantKind) -> Bool {
        wanted == kind || (wanted == .resident && kind == .household)
    }

    /// The application with `id`.
    public func application(_ id: String) async throws(ServicesError) -> ApplicationRecord {
        try await reading("application", Purposes.applications) { db in
            guard let record = try await db.get(ApplicationRecord.self, key: RecordKey(id)) else {
                throw ServicesError.unknownApplication(id)
            }
            return record
        }
    }

    /// The applications `applicant` has made, oldest first.
    public func applications(of applicant: Applicant) async throws(ServicesError) -> [ApplicationRecord] {
        try await reading("applications of", Purposes.applications) { db in
            try await db.fetch(.filter("applicant", equals: .text(applicant.indexText)))
        }
        .sorted { ($0.application.submitted, $0.application.id) < ($1.application.submitted, $1.application.id) }
    }

    /// 受理.
    @discardableResult
    public func accept(_ id: String, by actor: String) async throws(ServicesError) -> ServiceApplication {
        let day = today
        return try await move(id, "accept") { app throws(ServiceApplication.MoveError) in
            try app.accept(on: day, by: actor)
        }
    }

    /// 不予受理, with the reasons the applicant is told.
    @discardableResult
    public func refuse(
        _ id: String,
        reasons: [String],
        by actor: String
    ) async throws(ServicesError)
        -> ServiceApplication
    {
        let day = today
        return try await move(id, "refuse") { app throws(ServiceApplication.MoveError) in
            try app.refuse(reasons: reasons, on: day, by: actor)
        }
    }

    /// 补正: asks the applicant for `missing` materials; the time limits pause.
    @discardableResult
    public func requestMaterials(
        _ id: String,
        missing: [String],
        by actor: String
    ) async throws(ServicesError)
        -> ServiceApplication
    {
        let (day, calendar) = (today, calendar)
        return try await move(id, "request materials") { app throws(ServiceApplication.MoveError) in
            try app.requestMaterials(missing, on: day, by: actor, calendar: calendar)
        }
    }

    /// The materials arrived.
    @discardableResult
    public func supplyMaterials(_ id: String, by actor: String) async throws(ServicesError) -> ServiceApplication {
        let (day, calendar) = (today, calendar)
        return try await move(id, "supply materials") { app throws(ServiceApplication.MoveError) in
            try app.supplyMaterials(on: day, by: actor, calendar: calendar)
        }
    }

    /// 审核: a department step starts.
    @discardableResult
    public func review(_ id: String, step: String, by actor: String) async throws(ServicesError) -> ServiceApplication {
        let day = today
        return try await move(id, "review") { app throws(ServiceApplication.MoveError) in
            try app.review(step: step, on: day, by: actor)
        }
    }

    /// 办结, with the result.
    @discardableResult
    public func complete(
        _ id: String,
        result: String,
        by actor: String
    ) async throws(ServicesError)
        -> ServiceApplication
    {
        let day = today
        return try await move(id, "complete") { app throws(ServiceApplication.MoveError) in
            try app.complete(result: result, on: day, by: actor)
        }
    }

    /// 撤回, by the applicant.
    @discardableResult
    public func withdraw(
        _ id: String,
        reason: String,
        by actor: String
    ) async throws(ServicesError)
        -> ServiceApplication
    {
        let day = today
        return try await move(id, "withdraw") { app throws(ServiceApplication.MoveError) in
            try app.withdraw(reason: reason, on: day, by: actor)
        }
    }

    /// The open applications whose deadline is within ``warningDays`` working days or past, on
    /// today's date, in application-id order.
    public func warnings() async throws(ServicesError) -> [DeadlineWarning] {
        let (day, calendar, window) = (today, calendar, warningDays)
        return try await reading("warnings", Purposes.supervision) { db in
            var warnings: [DeadlineWarning] = []
            try await db.forEach(RecordQuery<ApplicationRecord>.filter("open", .any)) { record in
                let status = try record.application.deadlineStatus(on: day, calendar: calendar, warningDays: window)
                if status != .onTrack {
                    warnings.append(
                        DeadlineWarning(
                            application: record.application.id,
                            service: record.application.serviceCode,
                            department: record.department,
                            status: status
                        )
                    )
                }
                return true
            }
            return warnings.sorted { $0.application < $1.application }
        }
    }

    /// Every application counted by service, department and district, as of today, in that order.
    public func counts() async throws(ServicesError) -> [ApplicationCount] {
        let (day, calendar) = (today, calendar)
        return try await reading("counts", Purposes.supervision) { db in
            var counts: [String: ApplicationCount] = [:]
            try await db.forEach(RecordQuery<ApplicationRecord>.all) { record in
                let app = record.application
                let key = "\(app.serviceCode)\u{0}\(record.department)\u{0}\(record.district.code)"
                var count =
                    counts[key]
                    ?? ApplicationCount(
                        service: app.serviceCode,
                        department: record.department,
                        district: record.district.code
                    )
                count.received += 1
                switch app.state {
                case .completed:
                    if try app.completedOnTime(calendar: calendar) == false {
                        count.completedLate += 1
                    } else {
                        count.completedOnTime += 1
                    }
                case .notAccepted, .withdrawn:
                    count.closedWithoutResult += 1
                default:
                    count.open += 1
                    if case .overdue = try app.deadlineStatus(on: day, calendar: calendar) { count.overdue += 1 }
                }
                counts[key] = count
                return true
            }
            return counts.values.sorted {
                ($0.service, $0.department, $0.district) < ($1.service, $1.department, $1.district)
            }
        }
    }

    // MARK: Helpers

    /// One move of the life cycle in one write transaction: read, move (which throws and changes
    /// nothing when illegal), store.
    private func move(
        _ id: String,
        _ operation: String,
        _ change: @escaping @Sendable (inout ServiceApplication) throws(ServiceApplication.MoveError) -> Void
    ) async throws(ServicesError) -> ServiceApplication {
        let record = try await writing(operation) { db in
            guard var record = try await db.get(ApplicationRecord.self, key: RecordKey(id)) else {
                throw ServicesError.unknownApplication(id)
            }
            do throws(ServiceApplication.MoveError) {
                try change(&record.application)
            } catch {
                throw ServicesError.move(error)
            }
            try await db.put(record)
            return record
        }
        ports.logger.info(
            "application moved",
            metadata: [
                "operation": "\(operation)", "application": "\(id)", "service": "\(record.application.serviceCode)",
                "state": "\(record.application.state.name)",
            ]
        )
        return record.application
    }

    private func reading<T: Sendable>(
        _ operation: String,
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(ServicesError) -> T {
        do {
            return try await ports.store.read(purpose: purpose, body)
        } catch {
            throw failed(operation, ServicesError(wrapping: error))
        }
    }

    private func writing<T: Sendable>(
        _ operation: String,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(ServicesError) -> T {
        do {
            return try await ports.store.write(purpose: Purposes.applications, body)
        } catch {
            throw failed(operation, ServicesError(wrapping: error))
        }
    }

    /// Logs a refusal at `info`, a port's failure at `error`, by the error's case name only.
    private func failed(_ operation: String, _ error: ServicesError) -> ServicesError {
        let metadata: Logger.Metadata = ["operation": "\(operation)", "error": "\(error.name)"]
        switch error {
        case .store, .storage: ports.logger.error("operation failed", metadata: metadata)
        default: ports.logger.info("operation refused", metadata: metadata)
        }
        return error
    }
}

/// Why a resident-service operation was refused or failed; a refusal changes nothing.
public enum ServicesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The catalogue has no such service, or refused an entry.
    case catalogue(CatalogueError)
    /// The service is not for this kind of applicant.
    case wrongApplicant(service: String, expected: ServiceEntry.ApplicantKind, got: ServiceEntry.ApplicantKind)
    /// An application id that is empty, too long (128 bytes; 64 for a bundle's) or contains `/`
    /// (which separates a bundle's id from its parts').
    case invalidID(String)
    /// No application with this id.
    case unknownApplication(String)
    /// The id is already used by an application for another service or applicant.
    case duplicateApplication(String)
    /// A material the service requires was not supplied (a document, or the e-certificate that
    /// may replace it).
    case missingMaterial(service: String, material: String)
    /// A material supplied that no service applied for asks for, or supplied twice.
    case unexpectedMaterial(String)
    /// A document without a well-formed digest, or an e-certificate that does not verify.
    case unverifiableMaterial(material: String, reason: String)
    /// The life cycle refused the move.
    case move(ServiceApplication.MoveError)
    /// The calendar cannot answer.
    case calendar(CalendarError)
    /// The store refused the transaction.
    case store(StoreError)
    /// The store failed in a way of its own: the adapter's description.
    case storage(String)

    public var description: String {
        switch self {
        case .catalogue(let error): "\(error)"
        case .wrongApplicant(let service, let expected, let got):
            "service \(service) is for a \(expected.rawValue) applicant, not a \(got.rawValue)"
        case .invalidID(let id):
            "application id \"\(id.prefix(40))\" must be 1–128 bytes (1–64 for a bundle) without '/'"
        case .unknownApplication(let id): "no application \(id)"
        case .duplicateApplication(let id): "application id \(id) is already used by another application"
        case .missingMaterial(let service, let material): "service \(service) requires \(material)"
        case .unexpectedMaterial(let material): "\(material) is not asked for, or was supplied twice"
        case .unverifiableMaterial(let material, let reason): "\(material) cannot be accepted: \(reason)"
        case .move(let error): "\(error)"
        case .calendar(let error): "\(error)"
        case .store(let error): "store: \(error)"
        case .storage(let reason): "storage failed: \(reason)"
        }
    }

    /// The case's name without its values, for log lines.
    public var name: String {
        switch self {
        case .catalogue: "catalogue"
        case .wrongApplicant: "wrongApplicant"
        case .invalidID: "invalidID"
        case .unknownApplication: "unknownApplication"
        case .duplicateApplication: "duplicateApplication"
        case .missingMaterial: "missingMaterial"
        case .unexpectedMaterial: "unexpectedMaterial"
        case .unverifiableMaterial: "unverifiableMaterial"
        case .move: "move"
        case .calendar: "calendar"
        case .store: "store"
        case .storage: "storage"
        }
    }

    init(wrapping error: any Error) {
        switch error {
        case let error as ServicesError: self = error
        case let error as ServiceApplication.MoveError: self = .move(error)
        case let error as CalendarError: self = .calendar(error)
        case let error as StoreError: self = .store(error)
        default: self = .storage(String(describing: error))
        }
    }
}
