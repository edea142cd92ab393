import Foundation
import Logging
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// The family-doctor service: teams, packages, contracts, priority groups and follow-up plans on any
/// ``SocietyCore/RecordStore`` (plan items 7 and 8).
///
/// Built from the department's ``SocietyCore/ServicePorts`` (the service recipe of Architecture.md).
/// Every operation that reads or changes records is `async`, one store transaction opened with one
/// of the ``Purposes``, and throws only ``HealthError``. Signing in particular counts the team's
/// current contracts and checks the resident's in the same write transaction that stores the
/// contract, so however many clerks sign at once, a team never exceeds its capacity and nobody holds
/// two current contracts (the store serialises write transactions).
///
/// ```swift
/// let ports = ServicePorts(store: store, crypto: crypto, keys: keys, clock: clock, logger: logger)
/// let service = try FamilyDoctorService(ports: ports)
/// try await service.register(team)
/// let contract = try await service.sign(resident, team: team.id, package: Identifier("basic"))
/// ```
///
/// The service logs through the ports' logger (component `health`) with operation names, team and
/// contract ids and counts; never a resident's identity number, name or phone number.
public struct FamilyDoctorService: Sendable {
    /// The store purposes this service declares, as they appear in the audit log.
    public enum Purposes {
        /// Teams and packages.
        public static let teams = Purpose(constant: "health.family-doctor.teams")
        /// Signing, renewing and ending contracts.
        public static let contracts = Purpose(constant: "health.family-doctor.contracts")
        /// Follow-up plans and visits.
        public static let followUps = Purpose(constant: "health.family-doctor.follow-ups")
        /// Facts received from other departments and the priority groups read from them.
        public static let profiles = Purpose(constant: "health.family-doctor.profiles")
        /// Exports (FHIR) and lists for other departments.
        public static let reporting = Purpose(constant: "health.family-doctor.reporting")

        /// Every purpose above.
        public static let all: [Purpose] = [teams, contracts, followUps, profiles, reporting]
    }

    private let ports: ServicePorts
    private let pseudonyms: AuditSubjectHasher
    /// The thresholds of the priority rules.
    public let rules: PriorityRules
    /// How often each group is followed up.
    public let policy: FollowUpPolicy
    /// The assistance statuses that count as low income for ``uncontractedLowIncome(in:on:progress:)``.
    public let lowIncome: Set<AssistanceStatus>

    /// A service on the department's ports. Pseudonyms (keyed hashes used for FHIR patient
    /// identifiers) use the key provider's ``SocietyCore/KeyPurpose/searchableHash`` key and the
    /// profile's digest; so does the digest that cites envelopes in provenance.
    ///
    /// - Throws: ``HealthError/keys(_:)`` when the key provider has no current searchable-hash key.
    public init(
        ports: ServicePorts,
        rules: PriorityRules = PriorityRules(),
        policy: FollowUpPolicy = FollowUpPolicy(),
        lowIncome: Set<AssistanceStatus> = Set(AssistanceStatus.allCases)
    ) throws(HealthError) {
        self.ports = ports.logging(as: "health")
        self.rules = rules
        self.policy = policy
        self.lowIncome = lowIncome
        let key: SymmetricKey
        do {
            key = try ports.keys.currentKey(for: .searchableHash)
        } catch {
            throw HealthError(wrapping: error)
        }
        self.pseudonyms = AuditSubjectHasher(key: key, digest: ports.profile.digest, crypto: ports.crypto)
    }

    /// Which digest names envelopes in provenance and pseudonyms (`sha256`, or `sm3` for the
    /// national profile): the ports' ``SocietyCore/StorageCryptoProfile/digest``.
    public var digest: DigestAlgorithm { ports.profile.digest }

    var today: CalendarDate { CalendarDate(ports.clock.now()) }

    private var logger: Logger { ports.logger }

    /// The resident's keyed hash, hex: a stable pseudonym that carries no identity number.
    public func pseudonym(of resident: ResidentID) throws(HealthError) -> String {
        do {
            return Hex.encode(try pseudonyms.subject(kind: "patient", id: resident.unmasked))
        } catch {
            throw HealthError(wrapping: error)
        }
    }

    // MARK: Teams and packages

    /// Adds or updates a team; refused when it would leave the team over its new capacity.
    public func register(_ team: DoctorTeam) async throws(HealthError) {
        try await writing("register team", Purposes.teams) { db in
            let current = try await currentCount(of: team.id, in: db)
            guard current <= team.capacity else {
                throw HealthError.teamAtCapacity(team: team.id.rawValue, capacity: team.capacity)
            }
            try await db.put(team)
        }
        logger.info(
            "team registered",
            metadata: [
                "operation": "register team", "team": "\(team.id.rawValue)", "capacity": "\(team.capacity)",
                "members": "\(team.members.count)",
            ]
        )
    }

    /// Adds or updates a service package.
    public func register(_ package: ServicePackage) async throws(HealthError) {
        try await writing("register package", Purposes.teams) { db in try await db.put(package) }
        logger.info(
            "package registered",
            metadata: ["operation": "register package", "package": "\(package.id.rawValue)"]
        )
    }

    /// The team with `id`.
    public func team(_ id: Identifier<DoctorTeam>) async throws(HealthError) -> DoctorTeam {
        try await reading("team", Purposes.teams) { db in try await team(id, in: db) }
    }

    /// The team's current contracts and its capacity.
    public func load(of id: Identifier<DoctorTeam>) async throws(HealthError) -> (current: Int, capacity: Int) {
        let (current, capacity) = try await reading("team load", Purposes.teams) { db in
            (try await currentCount(of: id, in: db), try await team(id, in: db).capacity)
        }
        return (current, capacity)
    }

    // MARK: Facts and priority groups

    /// Records facts about a resident entered by staff, creating the profile on first use.
    @discardableResult
    public func record(
        _ facts: [HealthFact],
        for resident: ResidentID,
        district: DivisionCode
    ) async throws(HealthError) -> HealthProfile {
        let profile = try await writing("record facts", Purposes.profiles) { db in
            var profile =
                try await db.get(HealthProfile.self, key: RecordKey(sensitive: resident.unmasked))
                ?? HealthProfile(resident: resident, district: district)
            profile.district = district
            profile.facts.append(contentsOf: facts)
            try await db.put(profile)
            return profile
        }
        logger.info(
            "facts recorded",
            metadata: ["operation": "record facts", "district": "\(district.code)", "facts": "\(facts.count)"]
        )
        return profile
    }

    /// Records facts received by envelope (from civil affairs, the disabled persons' federation or a
    /// hospital), each kept with the envelope's evidence digest
    /// (``SocietyExchange/OpenedEnvelope/evidence(digest:crypto:)``), issuer and time of receipt.
    /// Data: `{"resident": ID, "district": "321202", "facts": [{"kind": "assistance", "status":
    /// "minimumLiving", "from": DATE, "until": DATE?}, {"kind": "diagnosis", "condition":
    /// "hypertension", "from": DATE}, {"kind": "pregnancy", "expectedDelivery": DATE, "from": DATE},
    /// {"kind": "disability", "from": DATE}, {"kind": "livingAlone", "from": DATE}]}`.
    @discardableResult
    public func record(_ notice: OpenedEnvelope) async throws(HealthError) -> HealthProfile {
        let facts: [HealthFact]
        let resident: ResidentID
        let district: DivisionCode
        do {
            (resident, district, facts) = try read(notice)
        } catch {
            logger.info(
                "notice refused",
                metadata: [
                    "operation": "record notice", "service": "\(notice.claims.service)",
                    "issuer": "\(notice.claims.issuer.text)", "error": "\(error.name)",
                ]
            )
            throw error
        }
        logger.debug(
            "notice read",
            metadata: [
                "operation": "record notice", "service": "\(notice.claims.service)",
                "issuer": "\(notice.claims.issuer.text)", "envelope": "\(notice.claims.id)",
            ]
        )
        return try await record(facts, for: resident, district: district)
    }

    /// The resident, district and facts of a notice.
    private func read(
        _ notice: OpenedEnvelope
    ) throws(HealthError) -> (resident: ResidentID, district: DivisionCode, facts: [HealthFact]) {
        let data = notice.claims.data
        let resident = try NoticeData.resident(data, "resident")
        let district: DivisionCode
        do {
            district = try DivisionCode(try NoticeData.string(data, "district"))
        } catch let error as HealthError {
            throw error
        } catch {
            throw .malformedNotice("\"district\": \(error)")
        }
        let evidence: String
        do {
            evidence = try notice.evidence(digest: ports.profile.digest, crypto: ports.crypto)
        } catch {
            throw HealthError(wrapping: error)
        }
        let source = FactSource.envelope(digest: evidence, issuer: notice.claims.issuer, receivedAt: ports.clock.now())
        guard let list = data["facts"]?.arrayValue else {
            throw .malformedNotice("\"facts\" is not an array")
        }
        var facts: [HealthFact] = []
        for item in list { facts.append(try NoticeData.fact(item, source: source)) }
        return (resident, district, facts)
    }

    /// The resident's profile, if any.
    public func profile(of resident: ResidentID) async throws(HealthError) -> HealthProfile? {
        try await reading("profile", Purposes.profiles) { db in
            try await db.get(HealthProfile.self, key: RecordKey(sensitive: resident.unmasked))
        }
    }

    /// The groups the resident belongs to on `date` (today by default), each with its rule and facts.
    public func priorityGroups(
        of resident: ResidentID,
        on date: CalendarDate? = nil
    ) async throws(HealthError) -> [PriorityMembership] {
        let facts = try await profile(of: resident)?.facts ?? []
        return rules.classify(resident, facts: facts, on: date ?? today)
    }

    // MARK: Contracts

    /// Signs a contract for `years` from `start` (today by default), and plans its follow-ups from
    /// the resident's priority groups on the first day. A contract whose term starts today is active
    /// at once. Refused when the resident has a current contract or the team is full.
    public func sign(
        _ resident: ResidentID,
        team teamID: Identifier<DoctorTeam>,
        package packageID: Identifier<ServicePackage>,
        start: CalendarDate? = nil,
        years: Int = 1
    ) async throws(HealthError) -> FamilyDoctorContract {
        let signedOn = today
        let start = start ?? signedOn
        let id = try newContractID()
        var contract = try FamilyDoctorContract(
            id: id,
            resident: resident,
            team: teamID,
            package: packageID,
            start: start,
            years: years,
            signedOn: signedOn
        )
        if start <= signedOn { try contract.apply(.activate(on: signedOn)) }
        let signed = contract
        let planned = try await writing("sign", Purposes.contracts) { db in
            try await admit(signed, in: db)
            try await db.put(signed)
            return try await planFollowUps(for: signed, in: db)
        }
        logger.info(
            "contract signed",
            metadata: [
                "operation": "sign", "contract": "\(signed.id.rawValue)", "team": "\(teamID.rawValue)",
                "package": "\(packageID.rawValue)", "state": "\(signed.state.name)", "followUps": "\(planned)",
            ]
        )
        return signed
    }

    /// Renews an active contract: a successor with the same resident (and the same team and package
    /// unless given) starts the day after the old term ends; the old contract becomes renewed.
    public func renew(
        _ contractID: Identifier<FamilyDoctorContract>,
        years: Int = 1,
        team newTeam: Identifier<DoctorTeam>? = nil,
        package newPackage: Identifier<ServicePackage>? = nil
    ) async throws(HealthError) -> FamilyDoctorContract {
        let signedOn = today
        let successorID = try newContractID()
        let successor = try await writing("renew", Purposes.contracts) { db in
            var old = try await contract(contractID, in: db)
            let successor = try FamilyDoctorContract(
                id: successorID,
                resident: old.resident,
                team: newTeam ?? old.team,
                package: newPackage ?? old.package,
                start: old.lastDay.adding(days: 1),
                years: years,
                signedOn: signedOn,
                renews: old.id
            )
            try old.apply(.renew(successor: successorID))
            try await db.put(old)
            try await admit(successor, in: db)
            try await db.put(successor)
            try await planFollowUps(for: successor, in: db)
            return successor
        }
        logger.info(
            "contract renewed",
            metadata: [
                "operation": "renew", "contract": "\(contractID.rawValue)", "successor": "\(successor.id.rawValue)",
                "team": "\(successor.team.rawValue)",
            ]
        )
        return successor
    }

    /// Ends a contract early; its open follow-ups after that day are withdrawn from the plan.
    @discardableResult
    public func terminate(
        _ contractID: Identifier<FamilyDoctorContract>,
        reason: TerminationReason
    ) async throws(HealthError) -> FamilyDoctorContract {
        let date = today
        let (ended, withdrawn) = try await writing("terminate", Purposes.contracts) {
            db -> (FamilyDoctorContract, Int) in
            var ended = try await contract(contractID, in: db)
            try ended.apply(.terminate(reason, on: date))
            try await db.put(ended)
            let planned = try await db.fetch(
                RecordQuery<FollowUp>.filter("contract", equals: .text(contractID.rawValue))
            )
            var withdrawn = 0
            for followUp in planned where followUp.visit == nil && followUp.due > date {
                try await db.delete(FollowUp.self, key: followUp.recordKey)
                withdrawn += 1
            }
            return (ended, withdrawn)
        }
        logger.info(
            "contract terminated",
            metadata: [
                "operation": "terminate", "contract": "\(contractID.rawValue)", "reason": "\(reason.rawValue)",
                "withdrawnFollowUps": "\(withdrawn)",
            ]
        )
        return ended
    }

    /// Moves contracts along the calendar on `date` (today by default): signed contracts whose term
    /// has begun become active, active ones past their last day expire. Returns how many moved.
    @discardableResult
    public func advance(to date: CalendarDate? = nil) async throws(HealthError) -> (activated: Int, expired: Int) {
        let date = date ?? today
        let (activated, expired) = try await writing("advance", Purposes.contracts) { db in
            var activated = 0
            var expired = 0
            let signed = try await db.fetch(RecordQuery<FamilyDoctorContract>.filter("state", equals: .text("signed")))
            for var contract in signed where contract.term.from <= date {
                if contract.lastDay < date {
                    try contract.apply(.activate(on: contract.lastDay))
                    try contract.apply(.expire(on: date))
                    expired += 1
                } else {
                    try contract.apply(.activate(on: date))
                    activated += 1
                }
                try await db.put(contract)
            }
            let active = try await db.fetch(RecordQuery<FamilyDoctorContract>.filter("state", equals: .text("active")))
            for var contract in active where contract.lastDay < date {
                try contract.apply(.expire(on: date))
                try await db.put(contract)
                expired += 1
            }
            return (activated, expired)
        }
        logger.info(
            "contracts advanced",
            metadata: [
                "operation": "advance", "date": "\(date.iso8601)", "activated": "\(activated)", "expired": "\(expired)",
            ]
        )
        return (activated, expired)
    }

    /// The contract with `id`.
    public func contract(_ id: Identifier<FamilyDoctorContract>) async throws(HealthError) -> FamilyDoctorContract {
        try await reading("contract", Purposes.contracts) { db in try await contract(id, in: db) }
    }

    /// The resident's current (signed or active) contract, if any.
    public func currentContract(of resident: ResidentID) async throws(HealthError) -> FamilyDoctorContract? {
        try await reading("current contract", Purposes.contracts) { db in
            try await db.fetch(
                RecordQuery<FamilyDoctorContract>.filter("current_resident", equals: .text(resident.unmasked))
            )
            .first
        }
    }

    /// Every contract of a team, current or not, ordered by id.
    public func contracts(of team: Identifier<DoctorTeam>) async throws(HealthError) -> [FamilyDoctorContract] {
        try await reading("team contracts", Purposes.contracts) { db in
            try await db.fetch(RecordQuery<FamilyDoctorContract>.filter("team", equals: .text(team.rawValue)))
                .sorted { $0.id < $1.id }
        }
    }

    // MARK: Follow-ups

    /// The follow-ups planned for a contract, by due day.
    public func followUps(of contractID: Identifier<FamilyDoctorContract>) async throws(HealthError) -> [FollowUp] {
        try await reading("follow-ups", Purposes.followUps) { db in
            try await db.fetch(RecordQuery<FollowUp>.filter("contract", equals: .text(contractID.rawValue)))
                .sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        }
    }

    /// Records a visit: it closes the contract's earliest open follow-up of `group`.
    @discardableResult
    public func recordVisit(
        _ visit: FollowUpVisit,
        contract contractID: Identifier<FamilyDoctorContract>,
        group: PriorityGroup
    ) async throws(HealthError) -> FollowUp {
        let closed = try await writing("record visit", Purposes.followUps) { db in
            let contract = try await contract(contractID, in: db)
            guard contract.state == .active else {
                throw HealthError.illegalTransition(from: contract.state.name, event: "record a visit")
            }
            guard try await team(contract.team, in: db).member(visit.member) != nil else {
                throw HealthError.invalidTeam("team \(contract.team) has no member \(visit.member)")
            }
            let open = try await db.fetch(RecordQuery<FollowUp>.filter("contract", equals: .text(contractID.rawValue)))
                .filter { $0.group == group && $0.visit == nil }
                .min { ($0.due, $0.id) < ($1.due, $1.id) }
            guard var followUp = open else {
                throw HealthError.noOpenFollowUp(contract: contractID.rawValue, group: group)
            }
            followUp.visit = visit
            try await db.put(followUp)
            return followUp
        }
        logger.info(
            "visit recorded",
            metadata: [
                "operation": "record visit", "contract": "\(contractID.rawValue)", "followUp": "\(closed.id)",
                "group": "\(group.rawValue)", "mode": "\(visit.mode.rawValue)",
            ]
        )
        return closed
    }

    /// A team's open follow-ups whose day has passed on `date` (today by default), most overdue first.
    ///
    /// A scan of the team's open follow-ups; `progress` hears how many have been looked at (task
    /// `"overdue follow-ups"`), out of how many.
    public func overdueFollowUps(
        team: Identifier<DoctorTeam>,
        on date: CalendarDate? = nil,
        progress: ProgressHandler? = nil
    ) async throws(HealthError) -> [FollowUp] {
        let date = date ?? today
        let found = try await reading("overdue follow-ups", Purposes.followUps) { db in
            let query = RecordQuery<FollowUp>.filter("open_team", equals: .text(team.rawValue))
            var meter = ProgressMeter(
                "overdue follow-ups",
                total: progress == nil ? nil : try await db.count(query),
                handler: progress
            )
            var found: [FollowUp] = []
            try await db.forEach(query) { followUp in
                meter.advance()
                if followUp.isOverdue(on: date) { found.append(followUp) }
                return true
            }
            meter.finish()
            return found.sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        }
        logger.debug(
            "overdue follow-ups",
            metadata: [
                "operation": "overdue follow-ups", "team": "\(team.rawValue)", "date": "\(date.iso8601)",
                "found": "\(found.count)",
            ]
        )
        return found
    }

    // MARK: Assistance link

    /// Low-income residents (an assistance status in ``lowIncome`` holding on `date`) without a
    /// current contract, per district: the plan's family-doctor contracts for low-income people.
    ///
    /// A scan of the low-income profiles (of `district`, or all); `progress` hears how many have been
    /// looked at (task `"uncontracted low income"`), out of how many.
    public func uncontractedLowIncome(
        in district: DivisionCode? = nil,
        on date: CalendarDate? = nil,
        progress: ProgressHandler? = nil
    ) async throws(HealthError) -> [DivisionCode: [ResidentID]] {
        let date = date ?? today
        let found = try await reading("uncontracted low income", Purposes.reporting) { db in
            let query: RecordQuery<HealthProfile> =
                if let district { .filter("low_income_district", equals: .text(district.code)) } else {
                    // An open range: every profile that has the index value, i.e. every low-income one.
                    .filter("low_income_district", from: nil, to: nil)
                }
            var meter = ProgressMeter(
                "uncontracted low income",
                total: progress == nil ? nil : try await db.count(query),
                handler: progress
            )
            var found: [DivisionCode: [ResidentID]] = [:]
            try await db.forEach(query) { profile in
                meter.advance()
                guard !profile.assistance(on: date).isDisjoint(with: lowIncome) else { return true }
                let current = try await db.count(
                    RecordQuery<FamilyDoctorContract>.filter(
                        "current_resident",
                        equals: .text(profile.resident.unmasked)
                    )
                )
                if current == 0 { found[profile.district, default: []].append(profile.resident) }
                return true
            }
            meter.finish()
            return found.mapValues { $0.sorted() }
        }
        logger.info(
            "uncontracted low-income residents listed",
            metadata: [
                "operation": "uncontracted low income", "district": "\(district?.code ?? "all")",
                "date": "\(date.iso8601)", "districts": "\(found.count)",
                "residents": "\(found.values.reduce(0) { $0 + $1.count })",
            ]
        )
        return found
    }

    // MARK: FHIR

    /// The team, its contracts (current by default, or all) and their patients as an HL7 FHIR R4
    /// `Bundle` of type `collection`. Patients are identified by pseudonym unless `options` say otherwise.
    ///
    /// `progress` hears how many of the team's contracts have been put in the bundle (task
    /// `"fhir export"`), out of how many.
    public func exportFHIR(
        team teamID: Identifier<DoctorTeam>,
        options: FHIRExportOptions = FHIRExportOptions(),
        progress: ProgressHandler? = nil
    ) async throws(HealthError) -> JSONValue {
        let generated = ports.clock.now()
        let (team, contracts, packages) = try await reading("fhir export", Purposes.reporting) { db in
            let team = try await self.team(teamID, in: db)
            let contracts = try await db.fetch(
                RecordQuery<FamilyDoctorContract>.filter("team", equals: .text(teamID.rawValue))
            )
            .filter { options.includeEnded || $0.state.isCurrent }
            .sorted { $0.id < $1.id }
            var packages: [Identifier<ServicePackage>: ServicePackage] = [:]
            for id in Set(contracts.map(\.package)) {
                if let package = try await db.get(ServicePackage.self, key: RecordKey(id.rawValue)) {
                    packages[id] = package
                }
            }
            return (team, contracts, packages)
        }
        var meter = ProgressMeter("fhir export", total: contracts.count, handler: progress)
        var patients: [ResidentID: String] = [:]
        for contract in contracts {
            if patients[contract.resident] == nil { patients[contract.resident] = try pseudonym(of: contract.resident) }
            meter.advance()
        }
        let bundle: JSONValue
        do {
            bundle = try FHIRExporter(options: options)
                .bundle(
                    team: team,
                    contracts: contracts,
                    packages: packages,
                    pseudonyms: patients,
                    generated: generated
                )
        } catch {
            throw failed("fhir export", HealthError(wrapping: error))
        }
        meter.finish()
        logger.info(
            "fhir bundle exported",
            metadata: [
                "operation": "fhir export", "team": "\(teamID.rawValue)", "contracts": "\(contracts.count)",
                "patients": "\(patients.count)", "revealPersonalData": "\(options.revealPersonalData)",
            ]
        )
        return bundle
    }

    // MARK: Helpers

    /// Runs `body` in a read transaction opened with `purpose`; what the store throws becomes a
    /// ``HealthError`` and is logged with `operation`.
    private func reading<T: Sendable>(
        _ operation: String,
        _ purpose: Purpose,
        _ body: @Sendable (any RecordReading) async throws -> T
    ) async throws(HealthError) -> T {
        do {
            return try await ports.store.read(purpose: purpose, body)
        } catch {
            throw failed(operation, HealthError(wrapping: error))
        }
    }

    /// Runs `body` in a write transaction opened with `purpose`; what it or the store throws becomes
    /// a ``HealthError`` and is logged with `operation`.
    private func writing<T: Sendable>(
        _ operation: String,
        _ purpose: Purpose,
        _ body: @Sendable (any RecordWriting) async throws -> T
    ) async throws(HealthError) -> T {
        do {
            return try await ports.store.write(purpose: purpose, body)
        } catch {
            throw failed(operation, HealthError(wrapping: error))
        }
    }

    /// Logs a refusal (a rule said no) at `info`, a failure of a port at `error`: by the error's
    /// case name only, since its values may name a person.
    private func failed(_ operation: String, _ error: HealthError) -> HealthError {
        let metadata: Logger.Metadata = ["operation": "\(operation)", "error": "\(error.name)"]
        switch error {
        case .store, .storage, .crypto, .keys: logger.error("operation failed", metadata: metadata)
        default: logger.info("operation refused", metadata: metadata)
        }
        return error
    }

    private func admit(_ contract: FamilyDoctorContract, in db: any RecordWriting) async throws {
        let team = try await team(contract.team, in: db)
        guard try await db.get(ServicePackage.self, key: RecordKey(contract.package.rawValue)) != nil else {
            throw HealthError.unknownPackage(contract.package.rawValue)
        }
        let held = try await db.count(
            RecordQuery<FamilyDoctorContract>.filter("current_resident", equals: .text(contract.resident.unmasked))
        )
        guard held == 0 else { throw HealthError.residentAlreadyContracted }
        guard try await currentCount(of: team.id, in: db) < team.capacity else {
            throw HealthError.teamAtCapacity(team: team.id.rawValue, capacity: team.capacity)
        }
    }

    /// Plans and stores the contract's follow-ups; returns how many.
    @discardableResult
    private func planFollowUps(for contract: FamilyDoctorContract, in db: any RecordWriting) async throws -> Int {
        let facts =
            try await db.get(HealthProfile.self, key: RecordKey(sensitive: contract.resident.unmasked))?.facts ?? []
        let groups = rules.classify(contract.resident, facts: facts, on: contract.term.from).map(\.group)
        var counters: [PriorityGroup: Int] = [:]
        let plan = policy.plan(for: groups, over: contract.term).map { group, due in
            counters[group, default: 0] += 1
            return FollowUp(
                id: "\(contract.id.rawValue).\(group.rawValue).\(counters[group, default: 0])",
                contract: contract.id,
                team: contract.team,
                resident: contract.resident,
                group: group,
                due: due,
                visit: nil
            )
        }
        try await db.put(contentsOf: plan)
        return plan.count
    }

    private func currentCount(of team: Identifier<DoctorTeam>, in db: any RecordReading) async throws -> Int {
        try await db.count(RecordQuery<FamilyDoctorContract>.filter("current_team", equals: .text(team.rawValue)))
    }

    private func team(_ id: Identifier<DoctorTeam>, in db: any RecordReading) async throws -> DoctorTeam {
        guard let team = try await db.get(DoctorTeam.self, key: RecordKey(id.rawValue)) else {
            throw HealthError.unknownTeam(id.rawValue)
        }
        return team
    }

    private func contract(
        _ id: Identifier<FamilyDoctorContract>,
        in db: any RecordReading
    ) async throws -> FamilyDoctorContract {
        guard let contract = try await db.get(FamilyDoctorContract.self, key: RecordKey(id.rawValue)) else {
            throw HealthError.unknownContract(id.rawValue)
        }
        return contract
    }

    private func newContractID() throws(HealthError) -> Identifier<FamilyDoctorContract> {
        do {
            return try Identifier("fdc-" + Hex.encode(try ports.crypto.randomBytes(count: 8)))
        } catch {
            throw HealthError(wrapping: error)
        }
    }
}

/// Reads the data of opened envelopes, refusing any other shape.
enum NoticeData {
    static func string(_ data: JSONValue, _ name: String) throws(HealthError) -> String {
        try read { () throws(DataFieldError) in try data.text(name) }
    }

    static func date(_ data: JSONValue, _ name: String) throws(HealthError) -> CalendarDate {
        try read { () throws(DataFieldError) in try data.parsed(name, as: CalendarDate.self) }
    }

    static func resident(_ data: JSONValue, _ name: String) throws(HealthError) -> ResidentID {
        try read { () throws(DataFieldError) in try data.parsed(name, as: ResidentID.self) }
    }

    /// Passes a field error on as this module's malformed-notice error.
    private static func read<T>(_ body: () throws(DataFieldError) -> T) throws(HealthError) -> T {
        do {
            return try body()
        } catch {
            throw .malformedNotice(error.description)
        }
    }

    static func fact(_ data: JSONValue, source: FactSource) throws(HealthError) -> HealthFact {
        let from = try date(data, "from")
        let until = data["until"]?.stringValue != nil ? try date(data, "until") : nil
        let kind: HealthFact.Kind
        switch try string(data, "kind") {
        case "diagnosis":
            guard let condition = ChronicCondition(rawValue: try string(data, "condition")) else {
                throw .malformedNotice("unknown condition")
            }
            kind = .diagnosis(condition)
        case "pregnancy": kind = .pregnancy(expectedDelivery: try date(data, "expectedDelivery"))
        case "disability": kind = .disability
        case "assistance":
            guard let status = AssistanceStatus(rawValue: try string(data, "status")) else {
                throw .malformedNotice("unknown assistance status")
            }
            kind = .assistance(status)
        case "livingAlone": kind = .livingAlone
        case let other: throw .malformedNotice("unknown fact kind \"\(other)\"")
        }
        if let until, until < from { throw .malformedNotice("a fact ends before it starts") }
        return HealthFact(kind, from: from, until: until, source: source)
    }
}
