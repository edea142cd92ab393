import ArgumentParser
import Foundation
import SocietyAssistance
import SocietyCertificates
import SocietyCore
import SocietyExchange
import SocietyHealth
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL
import SocietySQLite
import SocietySynthetic
import SocietyVeterans

/// `taizhou demo`: the plan's flows end to end on a synthetic city — departments with their own
/// stores, a signed trust list, social assistance verified by envelopes and paid through the
/// one-card, proactive discovery, e-certificates, and the audit logs verified at the end.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the SDK's main flows on a synthetic Taizhou and print what happened.",
        discussion: "Everything is written under --db (default ./.taizhou/); each run starts that folder afresh."
    )

    @Option(help: "Folder for the departments' SQLite stores, the trust list and the root key.")
    var db = ".taizhou"
    @Option(help: "Residents in the synthetic city (1,000 … 500,000 for the demo).")
    var residents = 20_000
    @Option(help: "Seed of the synthetic city.")
    var seed: UInt64 = 20_221_028
    @Option(help: "standard (Ed25519, X25519, AES-256-GCM) or national (SM2, SM3, SM4 only).")
    var profile = "standard"
    @Option(help: "How many households apply for assistance.")
    var applications = 60

    func validate() throws {
        guard (1_000...500_000).contains(residents) else {
            throw ValidationError("--residents must be 1,000 … 500,000 (the demo keeps the pooled data in memory)")
        }
        guard DemoProfile(rawValue: profile) != nil else {
            throw ValidationError("--profile must be standard or national")
        }
        guard (1...20_000).contains(applications) else { throw ValidationError("--applications must be 1 … 20,000") }
    }

    mutating func run() async throws {
        do {
            try await Demo(options: self).run()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failure("demo stopped: \(error)")
        }
    }
}

/// One demo run, step by step.
struct Demo {
    let options: DemoCommand
    let crypto = OpenSSLCryptoProvider()
    let clock = SystemWallClock()
    let stopwatch = Stopwatch()

    init(options: DemoCommand) { self.options = options }

    /// A household as the big-data bureau pools it for discovery and for choosing applicants.
    struct Pooled {
        let id: Identifier<Household>
        let division: DivisionCode
        let members: [ProactiveDiscovery.PooledMember]
        let head: Resident
        let perCapitaIncome: Money
        let disabled: [(SyntheticPerson.Disability, Resident)]
    }

    func step<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
        try await stopwatch.step(name, body)
    }

    func run() async throws {
        let profile = DemoProfile(rawValue: options.profile) ?? .standard
        let directory = URL(fileURLWithPath: options.db, isDirectory: true)
        try prepare(directory)
        let today = CalendarDate(clock.now())
        print(
            "DigitalSociety demo — synthetic Taizhou, \(options.residents) residents, \(profile.rawValue) crypto profile"
        )
        print("  state in \(directory.path)/")

        // 1. Keys and the signed trust list.
        let government = try await step("keys and trust list") {
            try DemoGovernment(profile: profile, crypto: crypto, clock: clock)
        }
        try Data(government.signedTrustList.text.utf8).write(to: directory.appendingPathComponent("trust.json"))
        try Data(government.rootKey.publicKey.pemRepresentation.utf8).write(
            to: directory.appendingPathComponent("root.pub.pem")
        )
        print(
            "\n1. Trust list v\(government.trustList.version) signed by the big-data bureau: "
                + "\(government.trustList.parties.count) parties, \(government.trustList.services.count) data services, "
                + "\(government.trustList.grants.count) grants (\(profile.signature.jwsName) signatures)"
        )

        // 2. The synthetic city, each department loading only its own data into its own store.
        var stores: [DataSourceDepartment: SQLiteStore] = [:]
        for department in DataSourceDepartment.allCases {
            guard let member = government.departments[department] else { continue }
            stores[department] = try government.store(department.rawValue, in: directory, actor: member.party)
        }
        let civilStore = try government.store("civil-affairs", in: directory, actor: government.civilAffairs.party)
        let city = try SyntheticCity(seed: options.seed, residents: options.residents, today: today)
        let pooled = try await step("synthetic city into 8 department stores") {
            // The bulk load is synchronous (the store's fastest path): it runs on a thread of its own,
            // not on one of the cooperative pool's.
            try await onThreadOfItsOwn { [stores] in try Demo.load(city: city, stores: stores, civil: civilStore) }
        }
        let people = pooled.reduce(0) { $0 + $1.members.count }
        print(
            "\n2. Synthetic city: \(people) residents in \(pooled.count) households across "
                + "\(Set(pooled.map(\.division)).count) districts; each department holds only its own facts "
                + "(\(DataSourceDepartment.allCases.count) stores + civil affairs), encrypted at rest"
        )

        // 3. Assistance: intake, verification by envelopes, explained decisions, payment through the one-card.
        let oneCardStore = try government.store("onecard", in: directory, actor: government.oneCard.party)
        let oneCard = try OneCardService(store: oneCardStore, crypto: crypto, keys: government.keys, clock: clock)
        let responders = try makeResponders(government, stores: stores)
        let outcome = try await step("assistance: \(options.applications) applications verified by envelope") {
            try await assistance(
                government: government,
                pooled: pooled,
                responders: responders,
                civil: civilStore,
                oneCard: oneCard,
                today: today
            )
        }
        let assistanceSeconds = stopwatch.timings.last?.1 ?? 0
        print("\n3. Social assistance (一门受理, 家庭经济核查 by envelope):")
        print(
            "   \(outcome.applications) applications, \(outcome.envelopes) envelopes exchanged "
                + "(\(outcome.encrypted) encrypted to their recipient), \(outcome.approved) approved, \(outcome.rejected) rejected, "
                + String(
                    format: "%.1f applications/s end to end",
                    Double(outcome.applications) / max(assistanceSeconds, 1e-9)
                )
        )
        for (name, decision) in outcome.examples {
            print("   • \(name): \(decision.explanation)")
            if let fact = decision.results.first?.facts.first {
                print(
                    "     e.g. \(fact.name) = \(fact.value) for \(fact.member), from envelope \(fact.source.envelopeDigest.prefix(22))…"
                )
            }
        }
        let totals = try await oneCard.totals()
        print(
            "   Paid through the one-card ledger: \(outcome.cards) cards issued, \(totals.records) payments "
                + "(allowances, utility-fee relief, price subsidies), \(totals.total) for \(PayPeriod(containing: today)); "
                + "a retried batch paid \(outcome.retriedPaid) more"
        )

        // 3b. Family doctors for the low-income households (the plan's link between items 7 and 8), and
        // veterans' preferential care through the same one-card ledger.
        let healthStore = try government.store("family-doctor", in: directory, actor: government.civilAffairs.party)
        let doctors = try FamilyDoctorService(store: healthStore, crypto: crypto, keys: government.keys, clock: clock)
        let contracts = try await step("family-doctor contracts") {
            try await contract(doctors, residents: outcome.paidHeads, division: pooled.first?.division)
        }
        print(
            "   Family-doctor contracts signed for \(contracts) of the \(outcome.paidHeads.count) paid households' heads "
                + "(basic package, free)"
        )
        let veteranStore = try government.store("veterans", in: directory, actor: government.civilAffairs.party)
        let veterans = VeteranService(store: veteranStore, crypto: crypto, clock: clock)
        let veteranRun = try await step("veterans' preferential care") {
            try await payVeterans(veterans, oneCard: oneCard, pooled: pooled, today: today)
        }
        print(
            "   Veterans: \(veteranRun.registered) registered, preferential care paid to \(veteranRun.paid) through "
                + "the one-card ledger"
        )

        // 4. Proactive discovery over the pooled data.
        let notices = try await step("proactive discovery") {
            try discover(pooled, enrolled: outcome.enrolled, today: today)
        }
        print(
            "\n4. Proactive discovery (主动发现): \(notices.count) households likely eligible but not enrolled; "
                + "policy notices go to the resident and the grid worker"
        )
        for notice in notices.prefix(2) {
            print("   • \(notice.addressee), \(notice.division): \(notice.reasons.joined(separator: "; "))")
        }

        // 5. E-certificates: issued by the disabled persons' federation, presented, verified offline.
        let certificates = try await step("e-certificates") { try await certify(government, pooled: pooled) }
        print(
            "\n5. E-certificates (电子证照): \(certificates.issued) disability certificates issued; "
                + "a presentation disclosing only name and category \(certificates.verified ? "verified offline" : "FAILED") "
                + "(\(certificates.presentationBytes) bytes for the QR code); after revocation: \(certificates.afterRevocation)"
        )

        // 6. Fraud monitoring over the one-card ledger.
        let alerts = try await step("fraud scan") { try await FraudMonitor().alerts(in: oneCardStore) }
        print(
            "\n6. Fraud monitoring on the one-card ledger: \(alerts.count) alert(s) from \(FraudMonitor.standardRules.count) rules"
        )

        // 7. Audit logs.
        var audited: [(String, AuditVerification)] = []
        try await step("audit verification") {
            for (name, store) in [
                ("civil-affairs", civilStore), ("onecard", oneCardStore), ("family-doctor", healthStore),
                ("veterans", veteranStore),
            ]
                + DataSourceDepartment.allCases.compactMap({ department in
                    stores[department].map { (department.rawValue, $0) }
                })
            {
                audited.append((name, try await store.auditLog.verify()))
            }
        }
        let entries = audited.reduce(0) { $0 + $1.1.size }
        let broken = audited.filter { $0.1.problem != nil }
        print(
            "\n7. Audit logs: \(audited.count) stores, \(entries) entries, "
                + (broken.isEmpty ? "every log verifies (RFC 9162 Merkle trees)" : "BROKEN: \(broken.map(\.0))")
        )

        print("\nTimings:")
        let timings = stopwatch.timings
        for (name, seconds) in timings + [("total", timings.reduce(0) { $0 + $1.1 })] {
            print("   " + name.padding(toLength: 52, withPad: " ", startingAt: 0) + String(format: "%7.2f s", seconds))
        }
        if !broken.isEmpty || !certificates.verified { throw ExitCode(1) }
    }

    /// Starts the demo folder afresh, removing only the files a demo writes.
    func prepare(_ directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasSuffix(".sqlite") || name.hasSuffix(".sqlite-wal") || name.hasSuffix(".sqlite-shm")
            || name == "trust.json" || name == "root.pub.pem"
        {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Loads the city into the department stores and the civil register, and keeps the pooled summary.
    ///
    /// The population goes in through the store's synchronous bulk API, which blocks the calling
    /// thread: call it on a thread the caller owns (``onThreadOfItsOwn(_:)``).
    static func load(
        city: SyntheticCity,
        stores: [DataSourceDepartment: SQLiteStore],
        civil: SQLiteStore
    ) throws -> [Pooled] {
        // Each department takes its own facts in one bulk load (indexes built once, every record
        // sealed and audited). The city is generated again for each: it is deterministic, and
        // streaming it keeps memory flat at millions of residents.
        var progress = ProgressBar("loading the city", total: city.residents * (stores.count + 1))
        var done = 0
        for department in DataSourceDepartment.allCases {
            guard let store = stores[department] else { continue }
            let facts = city.households().lazy.flatMap { household in
                household.members.lazy.compactMap { person -> DepartmentFacts? in
                    let facts = department.facts(of: person)
                    return facts.isEmpty ? nil : DepartmentFacts(resident: person.resident.id, facts: .object(facts))
                }
            }
            try store.load(facts, purpose: "population.register")
            done += city.residents
            progress.update(done)
        }
        // Civil affairs registers households (and pools what proactive discovery may read).
        var pooled: [Pooled] = []
        var batch: [HouseholdRecord] = []
        func flush() throws {
            try civil.write(purpose: "population.register") { db in try db.put(contentsOf: batch) }
            batch.removeAll(keepingCapacity: true)
        }
        for household in city.households() {
            batch.append(
                HouseholdRecord(household: try household.household, members: household.members.map(\.resident))
            )
            let living = household.living
            let income = try Money.sum(living.map(\.monthlyIncome))
            if let head = household.members.first {
                pooled.append(
                    Pooled(
                        id: household.id,
                        division: household.division,
                        members: household.members.map {
                            ProactiveDiscovery.PooledMember(
                                resident: $0.resident,
                                monthlyIncome: $0.monthlyIncome,
                                employment: $0.employment.rawValue,
                                disabled: $0.disability != nil,
                                medicalSpending: $0.medicalSpending
                            )
                        },
                        head: head.resident,
                        perCapitaIncome: try income.divided(by: Int64(max(1, living.count))),
                        disabled: household.members.compactMap { person in
                            person.disability.map { ($0, person.resident) }
                        }
                    )
                )
            }
            done += household.members.count
            progress.update(done)
            if batch.count == 500 { try flush() }
        }
        try flush()
        progress.finish()
        return pooled
    }

    /// One responder per department, answering from its own store.
    func makeResponders(
        _ government: DemoGovernment,
        stores: [DataSourceDepartment: SQLiteStore]
    ) throws
        -> [String: VerificationResponder]
    {
        var responders: [String: VerificationResponder] = [:]
        for department in DataSourceDepartment.allCases {
            guard let member = government.departments[department], let store = stores[department] else { continue }
            let service = "\(department.rawValue).facts"
            responders[service] = VerificationResponder(
                service: service,
                opener: try government.opener(member, auditedIn: store),
                sealer: try government.sealer(member, auditedIn: store),
                trustList: government.trustList,
                crypto: crypto,
                clock: clock
            ) { residents in
                try await store.read(purpose: VerificationService.purpose) { db in
                    var found: [ResidentID: JSONObject] = [:]
                    for resident in residents {
                        let key = RecordKey(sensitive: resident.unmasked)
                        if let record = try await db.get(DepartmentFacts.self, key: key),
                            let object = record.facts.objectValue
                        {
                            found[resident] = object
                        }
                    }
                    return found
                }
            }
        }
        return responders
    }

    struct AssistanceOutcome {
        var applications = 0
        var envelopes = 0
        var encrypted = 0
        var approved = 0
        var rejected = 0
        var cards = 0
        var retriedPaid = 0
        var enrolled: Set<Identifier<Household>> = []
        var paidHeads: [ResidentID] = []
        var examples: [(String, Decision)] = []
    }

    /// Applications from the households with the lowest incomes (and a few others), each verified by
    /// envelope, decided with an explanation, and paid through the one-card.
    func assistance(
        government: DemoGovernment,
        pooled: [Pooled],
        responders: [String: VerificationResponder],
        civil: SQLiteStore,
        oneCard: OneCardService,
        today: CalendarDate
    ) async throws -> AssistanceOutcome {
        var outcome = AssistanceOutcome()
        let poorest = pooled.sorted { $0.perCapitaIncome < $1.perCapitaIncome }
        let count = min(options.applications, pooled.count)
        let chosen = Array(poorest.prefix(count * 4 / 5)) + Array(poorest.suffix(count - count * 4 / 5))
        let verification = EconomicVerification(
            sealer: try government.sealer(government.civilAffairs, auditedIn: civil),
            opener: try government.opener(government.civilAffairs, auditedIn: civil),
            trustList: government.trustList,
            crypto: crypto,
            clock: clock
        )
        let evaluator = EligibilityEvaluator(today: today)
        let period = PayPeriod(containing: today)
        var instructions: [PaymentInstruction] = []
        var progress = ProgressBar("verifying applications", total: chosen.count)
        for (index, household) in chosen.enumerated() {
            guard household.head.isAlive else { continue }
            let applicationID = try Identifier<AssistanceApplication>("app-\(today.compact)-\(index + 1)")
            var application = AssistanceApplication(
                id: applicationID,
                household: household.id,
                applicant: household.head.id,
                category: .minimumLiving,
                time: clock.now()
            )
            // Every move is stored as it happens, so the civil-affairs store audits each one.
            application = try await civil.write(purpose: "assistance.intake") { [application, clock] db in
                var application = application
                try await db.put(application)
                try application.apply(.accept, at: clock.now())
                try await db.put(application)
                try application.apply(.startReview, at: clock.now())
                try await db.put(application)
                return application
            }
            let facts = try await verification.verify(
                household: household.id,
                members: household.members.map(\.resident.id),
                application: applicationID
            ) { service, request in
                guard let responder = responders[service] else { throw VerificationError.noResponder(service) }
                let answer = try await responder.answer(request)
                outcome.envelopes += 2
                outcome.encrypted +=
                    (request.split(separator: ".").count == 5 ? 1 : 0)
                    + (answer.split(separator: ".").count == 5 ? 1 : 0)
                return answer
            }
            let decision = try evaluator.decide(facts)
            if decision.isEligible && decision.monthlyAmount > .zero {
                try application.apply(.approve, at: clock.now(), decision: decision)
                try await civil.write(purpose: "assistance.decision") { [application] db in
                    try await db.put(application)
                }
                outcome.approved += 1
                outcome.enrolled.insert(household.id)
                if try await oneCard.currentCard(of: household.head.id) == nil {
                    let account = try demoAccount(index)
                    let card = try await oneCard.apply(
                        holder: household.head.id,
                        generation: .third,
                        issuingBank: CreditCode("91320214745555318W"),
                        bankAccount: account,
                        uses: CardGeneration.third.supportedUses
                    )
                    try await oneCard.apply(
                        .issue(CardNumber(String(format: "T%08d", index + 1)), on: today),
                        to: card.id
                    )
                    try await oneCard.apply(.activate, to: card.id)
                    outcome.cards += 1
                }
                instructions += try LowIncomeBenefits().instructions(
                    household: household.id,
                    head: household.head.id,
                    period: period
                )
                instructions.append(
                    try PaymentInstruction(
                        id: "dibao-\(period)-\(household.id.rawValue)",
                        programme: decision.category == .extremePoverty ? .extremePoverty : .minimumLiving,
                        holder: household.head.id,
                        period: period,
                        amount: decision.monthlyAmount
                    )
                )
                try application.apply(.startPaying, at: clock.now())
                outcome.paidHeads.append(household.head.id)
            } else if decision.isEligible {
                try application.apply(.approve, at: clock.now(), decision: decision)
                outcome.approved += 1
                outcome.enrolled.insert(household.id)
            } else {
                try application.apply(.reject, at: clock.now(), decision: decision)
                outcome.rejected += 1
            }
            try await civil.write(purpose: "assistance.decision") { [application] db in try await db.put(application) }
            outcome.applications += 1
            let wanted = outcome.examples.contains { !$0.1.isEligible } ? decision.isEligible : !decision.isEligible
            if outcome.examples.count < 3 && (outcome.examples.isEmpty || wanted) {
                outcome.examples.append((household.head.name.masked + " (" + household.head.id.masked + ")", decision))
            }
            progress.update(index + 1)
        }
        progress.finish()
        _ = try await oneCard.submit(instructions)
        // The monthly run is retried (a timeout, a restart): nothing is paid twice.
        outcome.retriedPaid = try await oneCard.submit(instructions).filter {
            if case .posted = $0 { return true }
            return false
        }.count
        return outcome
    }

    /// Policy notices for likely-eligible households that are not enrolled.
    func discover(
        _ pooled: [Pooled],
        enrolled: Set<Identifier<Household>>,
        today: CalendarDate
    ) throws -> [PolicyNotice] {
        let scanner = ProactiveDiscovery(today: today)
        var notices: [PolicyNotice] = []
        for household in pooled {
            if let candidate = try scanner.examine(
                household: household.id,
                division: household.division,
                members: household.members,
                enrolled: enrolled.contains(household.id)
            ) {
                notices.append(scanner.notice(for: candidate, name: household.head.name))
            }
        }
        return notices
    }

    struct CertificateOutcome {
        var issued = 0
        var verified = false
        var presentationBytes = 0
        var afterRevocation = ""
    }

    /// Disability certificates for up to three disabled residents; one is presented and verified.
    func certify(_ government: DemoGovernment, pooled: [Pooled]) async throws -> CertificateOutcome {
        var outcome = CertificateOutcome()
        guard let federation = government.departments[.disabledPersonsFederation] else { return outcome }
        let statusStore = InMemoryStatusStateStore()
        let issuer = CertificateIssuer(
            party: federation.party,
            key: federation.signingKey,
            kid: federation.kid,
            crypto: crypto,
            random: OpenSSLRandomSource(),
            clock: clock,
            store: statusStore
        )
        let holders = pooled.flatMap(\.disabled).filter { $0.1.isAlive }.prefix(3)
        var issued: [(IssuedCertificate, any SigningKey)] = []
        for (disability, resident) in holders {
            let wallet = try crypto.generateSigningKey(.p256)
            let categories = DisabilityCategory.allCases
            let levels = DisabilityLevel.allCases
            guard categories.indices.contains(disability.category - 1), levels.indices.contains(disability.level - 1)
            else {
                continue
            }
            let claims: JSONObject = [
                "name": .string(resident.name.unmasked), "category": .string(categories[disability.category - 1].code),
                "level": .string(levels[disability.level - 1].code),
            ]
            let certificate = try await issuer.issue(
                .disability,
                to: .resident(resident.id),
                holderKey: try JSONWebKey(algorithm: .p256, publicKey: wallet.publicKey.rawRepresentation),
                claims: claims
            )
            issued.append((certificate, wallet))
        }
        outcome.issued = issued.count
        guard let (first, wallet) = issued.first else { return outcome }
        let verifierParty = government.civilAffairs.party.text
        let presentation = try first.sdJWT.presenting(
            ["name", "category"],
            holderKey: wallet,
            audience: verifierParty,
            nonce: "demo-nonce-1",
            issuedAt: clock.now(),
            crypto: crypto
        ).compact
        outcome.presentationBytes = presentation.utf8.count
        let verifier = CertificateVerifier(
            trustList: government.trustList,
            statusLists: StatusListSnapshot(try await issuer.publish()),
            crypto: crypto,
            clock: clock
        )
        outcome.verified =
            (try? verifier.verifyPresentation(presentation, audience: verifierParty, nonce: "demo-nonce-1")) != nil
        let lists = try await issuer.revoke(index: first.certificate.statusIndex)
        let after = CertificateVerifier(
            trustList: government.trustList,
            statusLists: StatusListSnapshot(lists),
            crypto: crypto,
            clock: clock
        )
        do {
            _ = try after.verifyPresentation(presentation, audience: verifierParty, nonce: "demo-nonce-1")
            outcome.afterRevocation = "still accepted (WRONG)"
            outcome.verified = false
        } catch {
            outcome.afterRevocation = "refused (\(error))"
        }
        return outcome
    }

    /// One team in the first district, the basic package, a contract for each resident.
    func contract(
        _ service: FamilyDoctorService,
        residents: [ResidentID],
        division: DivisionCode?
    ) async throws -> Int {
        guard let division else { return 0 }
        let centre = try Organization(
            creditCode: CreditCode(
                authority: .institutionalOrganization,
                type: "2",
                division: division,
                organizationBody: "46600001"
            ),
            name: "社区卫生服务中心",
            kind: .hospital,
            division: division
        )
        let team = try DoctorTeam(
            id: Identifier("team-\(division.code)-1"),
            name: "家庭医生团队 1",
            institution: centre,
            members: [
                TeamMember(number: 1, name: try PersonName("李医生"), role: .generalPractitioner),
                TeamMember(number: 2, name: try PersonName("王护士"), role: .nurse),
                TeamMember(number: 3, name: try PersonName("陈医生"), role: .publicHealthDoctor),
            ],
            capacity: max(1, residents.count)
        )
        try await service.register(team)
        try await service.register(ServicePackage.basic)
        var signed = 0
        for resident in residents {
            _ = try await service.sign(resident, team: team.id, package: ServicePackage.basic.id)
            signed += 1
        }
        return signed
    }

    /// Three veterans from the city, with a card each, paid this month's preferential care.
    func payVeterans(
        _ service: VeteranService,
        oneCard: OneCardService,
        pooled: [Pooled],
        today: CalendarDate
    ) async throws
        -> (registered: Int, paid: Int)
    {
        let candidates = pooled.map(\.head).filter {
            $0.isAlive && $0.sex == .male && (45...70).contains($0.age(on: today))
        }.prefix(3)
        for (index, resident) in candidates.enumerated() {
            _ = try await service.register(
                resident.id,
                name: resident.name,
                branch: .army,
                enlisted: resident.birthDate.adding(years: 18),
                discharged: resident.birthDate.adding(years: 23),
                rank: .privateFirstClass,
                placementType: .selfEmployment,
                care: PreferentialCare(category: .demobilisedVeteran, since: today.adding(months: -2))
            )
            if try await oneCard.currentCard(of: resident.id) == nil {
                let card = try await oneCard.apply(
                    holder: resident.id,
                    generation: .third,
                    issuingBank: CreditCode("91320214745555318W"),
                    bankAccount: try demoAccount(90_000 + index),
                    uses: CardGeneration.third.supportedUses
                )
                try await oneCard.apply(
                    .issue(CardNumber(String(format: "V%08d", index + 1)), on: today),
                    to: card.id
                )
                try await oneCard.apply(.activate, to: card.id)
            }
        }
        let run = try await service.pay(PayPeriod(containing: today), through: oneCard)
        return (candidates.count, run.posted.count)
    }

    func demoAccount(_ index: Int) throws -> BankAccount {
        let body = "62220299" + String(format: "%010d", index + 1)
        return try BankAccount(body + String(BankAccount.checkDigit(for: body)))
    }
}

/// Runs `work` on a new thread and waits for it without holding a thread of the cooperative pool:
/// for synchronous work that blocks its thread for long, such as the store's bulk load.
func onThreadOfItsOwn<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Collects the time each demo step takes.
final class Stopwatch {
    private(set) var timings: [(String, Double)] = []

    func step<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try await body()
        timings.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        return result
    }
}
