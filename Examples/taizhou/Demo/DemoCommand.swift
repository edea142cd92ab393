import ArgumentParser
import Foundation
import Logging
import SocietyAssistance
import SocietyCertificates
import SocietyCore
import SocietyDeployment
import SocietyEmployment
import SocietyExchange
import SocietyHealth
import SocietyJSON
import SocietyOneCard
import SocietyServices
import SocietySynthetic
import SocietyVeterans

/// `taizhou demo`: the plan's flows end to end on a synthetic city — departments with their own
/// stores, a signed trust list, social assistance verified by envelopes and paid through the
/// one-card, proactive discovery, e-certificates, and the audit logs verified at the end.
///
/// Everything is built through one `Deployment` (SocietyDeployment) and the domain services it
/// makes ports for; the demo itself only calls them and prints what happened.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the SDK's main flows on a synthetic Taizhou and print what happened.",
        discussion: """
            Everything is written under --state (default $TAIZHOU_STATE, else ./.taizhou/), the deployment's \
            state folder: the departments' stores with their key files, the parties' keys, trust.json and \
            root.pub.pem. The demo writes only into a folder that is missing, empty, or one it made before \
            (it leaves the marker file \(DemoFolder.markerName) there); a re-run replaces only the files it \
            wrote, and any other folder is refused untouched. On a terminal, progress bars on standard \
            error show the long steps.
            """
    )

    @Option(help: "Residents in the synthetic city (1,000 … 500,000 for the demo).")
    var residents = 20_000
    @Option(help: "Seed of the synthetic city.")
    var seed: UInt64 = 20_221_028
    @Option(help: "standard (Ed25519, X25519, AES-256-GCM) or national (SM2, SM3, SM4 only).")
    var profile = "standard"
    @Option(help: "How many households apply for assistance.")
    var applications = 60
    @Flag(help: "Verify over HTTP: each data-source department behind its own gateway on a loopback port.")
    var network = false
    @OptionGroup var state: StateOptions

    func validate() throws {
        guard (1_000...500_000).contains(residents) else {
            throw ValidationError("--residents must be 1,000 … 500,000 (the demo keeps the pooled data in memory)")
        }
        guard CryptoProfile(rawValue: profile) != nil else {
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
    let stopwatch = Stopwatch()
    let progress = TerminalProgress()
    let logger: Logger

    init(options: DemoCommand) {
        self.options = options
        var logger = options.state.logging.logger
        logger[metadataKey: "component"] = "demo"
        self.logger = logger
    }

    /// A household as the big-data bureau pools it for discovery and for choosing applicants.
    struct Pooled {
        let household: PooledHousehold
        let head: Resident
        let perCapitaIncome: Money
        let disabled: [(SyntheticPerson.Disability, Resident)]

        var id: Identifier<Household> { household.id }
        var division: DivisionCode { household.division }
        var members: [ProactiveDiscovery.PooledMember] { household.members }
    }

    func step<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
        let result = try await stopwatch.step(name, body)
        let seconds = DecimalText.fixed(stopwatch.timings.last?.1 ?? 0, decimals: 3)
        logger.info("demo step finished", metadata: ["step": "\(name)", "seconds": "\(seconds)"])
        return result
    }

    func run() async throws {
        let profile = CryptoProfile(rawValue: options.profile) ?? .standard
        let directory = options.state.folder
        let wasDemo = FileManager.default.fileExists(
            atPath: directory.appendingPathComponent(DemoFolder.markerName).path
        )
        try DemoFolder(directory).prepare()
        let postgres = try options.state.postgres()
        if let postgres {
            try await DemoDatabase(location: postgres, folder: directory).prepare(folderWasDemo: wasDemo)
        }
        // Every later command on this folder opens its stores with the profile that wrote them.
        try Data("\(profile.rawValue)\n".utf8).write(to: directory.appendingPathComponent(StateOptions.profileFile))
        let deployment = try Deployment(
            DeploymentConfiguration(
                stateFolder: directory,
                profile: profile,
                logger: options.state.logging.logger,
                stores: try options.state.storeFactory()
            )
        )
        let clock = deployment.configuration.clock
        let today = CalendarDate(clock.now())
        print(
            "DigitalSociety demo — synthetic Taizhou, \(options.residents) residents, \(profile.rawValue) crypto profile"
        )
        print("  state in \(directory.path)/")
        if let postgres { print("  stores in \(postgres), one schema per department") }

        // 1. Keys and the signed trust list.
        let government = try await step("keys and trust list") { try DemoGovernment(deployment: deployment) }
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
        var sources: [DataSourceDepartment: OpenedDepartment] = [:]
        for department in DataSourceDepartment.allCases {
            guard let member = government.departments[department] else { continue }
            sources[department] = try government.department(department.rawValue, as: member)
        }
        let civil = try government.department("civil-affairs", as: government.civilAffairs)
        let city = try SyntheticCity(seed: options.seed, residents: options.residents, today: today)
        let pooled = try await step("synthetic city into 8 department stores") {
            try await CitySeeding(city: city, progress: progress).load(sources: sources, civil: civil)
        }
        let people = pooled.reduce(0) { $0 + $1.members.count }
        print(
            "\n2. Synthetic city: \(people) residents in \(pooled.count) households across "
                + "\(Set(pooled.map(\.division)).count) districts; each department holds only its own facts "
                + "(\(DataSourceDepartment.allCases.count) stores + civil affairs), encrypted at rest"
        )

        // 3. Assistance: intake, verification by envelopes, explained decisions, payment through the one-card.
        let oneCardDepartment = try government.department("onecard", as: government.oneCard)
        let oneCard = try OneCardService(ports: oneCardDepartment.ports)
        // The application desk every department moves its part of a bundle on (SocietyServices).
        let servicesDepartment = try government.department("services", as: government.civilAffairs)
        let bundles = try DemoBundles(department: servicesDepartment)
        // Assistance applications run on the same life cycle, under the catalogue's entry for the service.
        let assistance = AssistanceService(
            ports: civil.ports,
            exchange: try civil.exchange(trustList: government.trustList),
            oneCard: oneCard,
            service: try bundles.desk.catalogue.entry(AssistanceService.serviceCode)
        )
        let network: DemoNetwork?
        let responders: [String: VerificationResponder]
        if options.network {
            network = try await DemoNetwork.start(
                government,
                sources: sources,
                caller: try civil.exchange(trustList: government.trustList),
                logger: logger
            )
            responders = [:]
        } else {
            network = nil
            responders = try makeResponders(government, sources: sources)
        }
        let outcome = try await step("assistance: applications verified by envelope") {
            try await runAssistance(assistance, oneCard: oneCard, bundles: bundles, pooled: pooled, today: today) {
                name,
                request in
                if let network { return try await network.send(request, service: name) }
                // In process here; over HTTP between departments with --network.
                guard let responder = responders[name] else { throw VerificationError.noResponder(name) }
                return try await responder.answer(request)
            }
        }
        if let network {
            try await network.stop()
            print(
                "\n   Verified over HTTP: \(network.urls.count) department gateways on 127.0.0.1 "
                    + "(ports \(network.urls.values.compactMap { $0.split(separator: ":").last }.sorted().joined(separator: ", "))), "
                    + "each opening, answering and sealing with its own keys, replay guard and audit log"
            )
        }
        let assistanceSeconds = stopwatch.timings.last?.1 ?? 0
        print("\n3. Social assistance (一门受理, 家庭经济核查 by envelope):")
        if outcome.headDeceased > 0 {
            print(
                "   \(outcome.applications + outcome.headDeceased) households chosen; \(outcome.headDeceased) "
                    + "did not apply (their head has died)"
            )
        }
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
        // Civil affairs' own desk counts its assistance applications like any other service's.
        let civilDesk = ApplicationService(
            ports: civil.ports,
            catalogue: bundles.desk.catalogue,
            calendar: bundles.desk.calendar
        )
        let counted = try await civilDesk.counts().filter { $0.service == AssistanceService.serviceCode }
        let (onTime, late) = counted.reduce((0, 0)) { ($0.0 + $1.completedOnTime, $0.1 + $1.completedLate) }
        print(
            "   Decided (办结) on the shared application life cycle: \(onTime + late) of "
                + "\(counted.reduce(0) { $0 + $1.received }), \(onTime) within the promised "
                + "\(assistance.service.timeLimit.promised) working days"
        )

        // 3b. Family doctors for the low-income households (the plan's link between items 7 and 8), and
        // veterans' preferential care through the same one-card ledger.
        let health = try government.department("family-doctor", as: government.civilAffairs)
        let doctors = try FamilyDoctorService(ports: health.ports)
        let contracts = try await step("family-doctor contracts") {
            try await contract(doctors, residents: outcome.paidHeads, division: pooled.first?.division)
        }
        print(
            "   Family-doctor contracts signed for \(contracts) of the \(outcome.paidHeads.count) paid households' heads "
                + "(basic package, free)"
        )
        for application in outcome.paidApplications { try await bundles.contracted(application) }
        let bundled = try await bundles.summary(outcome.received)
        print(
            "   One-thing bundles (一件事): \(bundled.submitted) households applied once for application, economic "
                + "verification, one-card payment and family-doctor contract (\(bundled.parts) parts, 3 departments); "
                + "\(bundled.done) done, \(bundled.allCompleted) with every part completed, \(bundled.onTime) parts completed on time"
        )
        let veteransDepartment = try government.department("veterans", as: government.civilAffairs)
        let veterans = VeteranService(ports: veteransDepartment.ports, oneCard: oneCard)
        let veteranRun = try await step("veterans' preferential care") {
            try await payVeterans(veterans, pooled: pooled, today: today)
        }
        print(
            "   Veterans: \(veteranRun.registered) registered, preferential care paid to \(veteranRun.paid) through "
                + "the one-card ledger"
        )

        // 3c. Employment: the agency's histories and the service's registrations, claims decided by
        // the rules, a month of benefit through the same one-card, and the early warning.
        let employmentDepartment = try government.department(
            "employment",
            as: government.departments[.humanResources] ?? government.civilAffairs
        )
        let employment = EmploymentService(ports: employmentDepartment.ports, oneCard: oneCard)
        let employed = try await step("employment") {
            try await self.employment(employment, city: city, today: today)
        }
        printEmployment(employed)

        // 3d. Housing: the register, the fund, one home-transfer bundle by envelope, a public-rental round.
        let housed = try await step("housing") {
            try await self.housing(
                government,
                city: city,
                pooled: pooled,
                assistance: assistance,
                received: outcome.received,
                desk: servicesDepartment,
                today: today
            )
        }
        printHousing(housed)

        // 3e. Health services: appointments paid through the one-card, and one newborn bundle.
        let cared = try await step("health services") {
            try await self.healthServices(
                government,
                oneCard: oneCard,
                patients: outcome.paidHeads,
                mothers: pooled.map(\.head),
                children: pooled.flatMap { $0.members.map(\.resident) },
                desk: servicesDepartment,
                today: today
            )
        }
        printHealth(cared)

        // 3f. Childcare: a class filled under the ratio rules, the last applicant refused, explained.
        let nursery = try await step("childcare") {
            try await self.childcare(
                government,
                oneCard: oneCard,
                families: pooled.flatMap { household in
                    household.members.map { (child: $0.resident, parent: household.head) }
                },
                today: today
            )
        }
        printChildcare(nursery)

        // 3g. Elderly care: the oldest resident assessed, a care plan, a home-care order carried out.
        let aged = try await step("elderly care") {
            try await self.elderlyCare(
                government,
                oneCard: oneCard,
                residents: pooled.flatMap { $0.members.map(\.resident) },
                today: today
            )
        }
        printElderlyCare(aged)

        // 3h. Education: a school's lottery, committed first, drawn, and the command that re-runs it.
        let schooled = try await step("education") {
            try await self.education(
                government,
                oneCard: oneCard,
                children: pooled.flatMap { $0.members.map(\.resident) },
                today: today
            )
        }
        printEducation(schooled)

        // 3i. Culture and sport: a museum ticket checked at the gate offline; the fitness circle.
        let sporting = try await step("culture and sport") {
            try await self.cultureSport(
                government,
                visitors: outcome.paidHeads.compactMap { id in pooled.first { $0.head.id == id }?.head },
                households: pooled.map { (division: $0.division, members: $0.members.count) },
                today: today
            )
        }
        printCultureSport(sporting)

        // 3j. Disability: the register and the two subsidies, explained.
        let supported = try await step("disability services") {
            try await self.disability(government, oneCard: oneCard, pooled: pooled)
        }
        printDisability(supported)

        // 3k. Community and rural: a grid worker's look, a family archive with consent, rural monitoring.
        let neighbourhood = try await step("community and rural") {
            try await self.community(government, oneCard: oneCard, pooled: pooled, today: today)
        }
        printCommunity(neighbourhood)

        // 3l. Market supervision: a random inspection round drawn, run and disclosed; a recall.
        let supervised = try await step("market supervision") {
            try await self.market(government, pooled: pooled, today: today)
        }
        printMarket(supervised)

        // 4. Proactive discovery over the pooled data.
        let findings = try await step("proactive discovery") {
            try await progress.showing("proactive discovery") { handler in
                try ProactiveDiscovery(today: today).scan(
                    pooled.lazy.map(\.household),
                    enrolled: outcome.enrolled,
                    total: pooled.count,
                    progress: handler
                )
            }
        }
        print(
            "\n4. Proactive discovery (主动发现): \(findings.count) households likely eligible but not enrolled; "
                + "policy notices go to the resident and the grid worker"
        )
        for finding in findings.prefix(2) {
            let notice = finding.notice
            print("   • \(notice.addressee), \(notice.division): \(notice.reasons.joined(separator: "; "))")
        }

        // 5. E-certificates: issued by the disabled persons' federation, presented, verified offline.
        let certificates = try await step("e-certificates") {
            try await certify(government, sources: sources, pooled: pooled)
        }
        print(
            "\n5. E-certificates (电子证照): \(certificates.issued) disability certificates issued; "
                + "a presentation disclosing only name and category \(certificates.verified ? "verified offline" : "FAILED") "
                + "(\(certificates.presentationBytes) bytes for the QR code); after revocation: \(certificates.afterRevocation)"
        )

        // 6. Fraud monitoring over the one-card ledger.
        let alerts = try await step("fraud scan") {
            try await progress.showing("fraud scan") { handler in
                try await FraudMonitor(logger: oneCardDepartment.ports.logger).alerts(
                    in: oneCardDepartment.ports.store,
                    progress: handler
                )
            }
        }
        print(
            "\n6. Fraud monitoring on the one-card ledger: \(alerts.count) alert(s) from \(FraudMonitor.standardRules.count) rules"
        )

        // 8. The progress board, measured from the departments' stores through the domains' public
        // APIs (before the audit step, so the indicators store's log is verified with the others).
        let boardFolder = directory.appendingPathComponent("board")
        let indicators = try government.department("indicators", as: government.civilAffairs)
        let board = try await step("progress board") {
            try await BoardAssembly(
                deployment: deployment,
                department: { name in try government.department(name, as: government.civilAffairs) },
                office: indicators
            )
            .build(to: boardFolder)
        }

        // 7. Audit logs.
        let stores =
            [civil, oneCardDepartment, health, veteransDepartment, servicesDepartment, employmentDepartment]
            + [
                try government.department("eldercare", as: government.civilAffairs),
                try government.department("education", as: government.education),
                try government.department("culture-sport", as: government.civilAffairs),
                try government.department("disability", as: government.civilAffairs),
                try government.department("community", as: government.community),
                try government.department("market", as: government.market),
                indicators,
            ]
            + (try ["hospital", "vaccination", "childcare", "population", "medical-insurance"].map { name in
                try government.department(
                    name,
                    as: ["hospital", "vaccination", "childcare"].contains(name)
                        ? government.departments[.health] ?? government.civilAffairs
                        : name == "population" ? government.populationRegister : government.oneCard
                )
            })
            + (try ["real-estate", "housing-fund", "tax", "housing"].map { name in
                try government.department(
                    name,
                    as: name == "tax"
                        ? government.tax : name == "housing-fund" ? government.housingFund : government.realEstate
                )
            })
            + DataSourceDepartment.allCases.compactMap { sources[$0] }
        let audited = try await step("audit verification") {
            try await progress.showing("audit verification") { handler in
                var meter = ProgressMeter("audit verification", total: stores.count, every: 1, handler: handler)
                var audited: [(String, AuditVerification)] = []
                for department in stores {
                    audited.append((department.name, try await department.auditLog.verify()))
                    meter.advance()
                }
                return audited
            }
        }
        let entries = audited.reduce(0) { $0 + $1.1.size }
        let broken = audited.filter { $0.1.problem != nil }
        print(
            "\n7. Audit logs: \(audited.count) stores, \(entries) entries, "
                + (broken.isEmpty ? "every log verifies (RFC 9162 Merkle trees)" : "BROKEN: \(broken.map(\.0))")
        )

        print(
            "\n8. Progress board (晾晒台): \(board.rows.filter { $0.latest != nil }.count) of \(board.rows.count) indicators measured "
                + "through the domains' public APIs, \(board.warnings.count) early warning(s), "
                + "\(board.slowProjects.count) slow project(s); open \(boardFolder.path)/index.html "
                + "(or `taizhou gateway serve --board \(boardFolder.path)` at /board/)"
        )

        print("\nTimings:")
        let timings = stopwatch.timings
        for (name, seconds) in timings + [("total", timings.reduce(0) { $0 + $1.1 })] {
            let shown = DecimalText.fixed(seconds, decimals: 2)
            let column = String(repeating: " ", count: max(0, 7 - shown.count)) + shown
            print("   " + name.padding(toLength: 52, withPad: " ", startingAt: 0) + column + " s")
        }
        if !broken.isEmpty || !certificates.verified { throw ExitCode(1) }
    }

    /// One responder per data-source department, answering from its own store through its own
    /// exchange (its keys, its replay guard, its audit log).
    func makeResponders(
        _ government: DemoGovernment,
        sources: [DataSourceDepartment: OpenedDepartment]
    ) throws
        -> [String: VerificationResponder]
    {
        var responders: [String: VerificationResponder] = [:]
        for department in DataSourceDepartment.allCases {
            guard let source = sources[department] else { continue }
            let service = DemoGovernment.service(of: department)
            let exchange = try source.exchange(trustList: government.trustList)
            let store = source.ports.store
            responders[service] = VerificationResponder(
                service: service,
                opener: exchange.opener,
                sealer: exchange.sealer,
                trustList: government.trustList,
                crypto: source.ports.crypto,
                clock: source.ports.clock
            ) { residents in
                try await DepartmentFacts.lookup(residents, in: store)
            }
        }
        return responders
    }

    struct AssistanceOutcome {
        var applications = 0
        var headDeceased = 0
        var envelopes = 0
        var encrypted = 0
        var approved = 0
        var rejected = 0
        var cards = 0
        var retriedPaid = 0
        var enrolled: Set<Identifier<Household>> = []
        var paidHeads: [ResidentID] = []
        var examples: [(String, Decision)] = []
        /// The applications received, and the paid ones' applications by their heads (for the
        /// bundles' family-doctor parts).
        var received: [String] = []
        var paidApplications: [String] = []
    }

    /// Applications from the households with the lowest incomes (and a few others), each received,
    /// verified by envelope, decided with an explanation and, when it grants an allowance, paid
    /// through the one-card in the month's payout run — all by the assistance service, which
    /// keeps every step in civil affairs' store. The demo only chooses who applies, issues the
    /// one-card office's cards, carries the envelopes and counts.
    func runAssistance(
        _ service: AssistanceService,
        oneCard: OneCardService,
        bundles: DemoBundles,
        pooled: [Pooled],
        today: CalendarDate,
        transport: (_ service: String, _ request: String) async throws -> String
    ) async throws -> AssistanceOutcome {
        var outcome = AssistanceOutcome()
        let poorest = pooled.sorted { $0.perCapitaIncome < $1.perCapitaIncome }
        let count = min(options.applications, pooled.count)
        let chosen = Array(poorest.prefix(count * 4 / 5)) + Array(poorest.suffix(count - count * 4 / 5))
        let period = PayPeriod(containing: today)
        var paying: [Identifier<AssistanceApplication>] = []
        try await progress.showing("assistance applications") { handler in
            var meter = ProgressMeter("assistance applications", total: chosen.count, every: 1, handler: handler)
            for (index, household) in chosen.enumerated() {
                defer { meter.advance() }
                guard household.head.isAlive else {
                    // A household whose head has died does not apply; counted, so the totals add up.
                    outcome.headDeceased += 1
                    continue
                }
                let id = try Identifier<AssistanceApplication>("app-\(today.compact)-\(index + 1)")
                try await bundles.submit(id.rawValue, head: household.head.id, district: household.division)
                outcome.received.append(id.rawValue)
                try await service.apply(
                    id,
                    household: household.id,
                    applicant: household.head.id,
                    members: household.members.map(\.resident.id),
                    district: household.division
                )
                try await service.verify(id) { name, request in
                    let answer = try await transport(name, request)
                    outcome.envelopes += 2
                    outcome.encrypted += (isEncrypted(request) ? 1 : 0) + (isEncrypted(answer) ? 1 : 0)
                    return answer
                }
                let application = try await service.decide(id)
                outcome.applications += 1
                guard let decision = application.decision else { continue }
                if decision.isEligible {
                    outcome.approved += 1
                    outcome.enrolled.insert(household.id)
                } else {
                    outcome.rejected += 1
                }
                try await bundles.decided(
                    id.rawValue,
                    eligible: decision.isEligible,
                    paid: application.nextStep == .pay
                )
                switch application.nextStep {
                case .pay:
                    // The one-card office issues the applicant a card to be paid on, if there is none.
                    if try await oneCard.currentCard(of: household.head.id) == nil {
                        try await issueCard(
                            oneCard,
                            to: household.head.id,
                            number: "T" + DecimalText.padded(index + 1, width: 8),
                            account: try demoAccount(index),
                            today: today
                        )
                        outcome.cards += 1
                    }
                    paying.append(id)
                    outcome.paidHeads.append(household.head.id)
                    outcome.paidApplications.append(id.rawValue)
                default: break
                }
                let wanted = outcome.examples.contains { !$0.1.isEligible } ? decision.isEligible : !decision.isEligible
                if outcome.examples.count < 3 && (outcome.examples.isEmpty || wanted) {
                    outcome.examples.append(
                        (household.head.name.masked + " (" + household.head.id.masked + ")", decision)
                    )
                }
            }
        }
        // The month's payout run, then the same run again (a timeout, a restart): nothing is paid twice.
        try await progress.showing("assistance payout") { handler in
            _ = try await service.payAll(for: period, progress: handler)
        }
        outcome.retriedPaid = try await service.payAll(for: period).postedNow
        for id in paying { try await bundles.paid(id.rawValue) }
        return outcome
    }

    /// Whether an envelope is encrypted to its recipient (a compact JWE has five parts, a JWS three).
    func isEncrypted(_ envelope: String) -> Bool { envelope.split(separator: ".").count == 5 }

    struct CertificateOutcome {
        var issued = 0
        var verified = false
        var presentationBytes = 0
        var afterRevocation = ""
    }

    /// Disability certificates for up to three disabled residents, issued by the federation with
    /// its deployment key (status lists kept in its store); one is presented and verified.
    func certify(
        _ government: DemoGovernment,
        sources: [DataSourceDepartment: OpenedDepartment],
        pooled: [Pooled]
    ) async throws -> CertificateOutcome {
        var outcome = CertificateOutcome()
        guard let federation = government.departments[.disabledPersonsFederation],
            let department = sources[.disabledPersonsFederation],
            let kid = government.signingKid(of: federation)
        else { return outcome }
        let deployment = government.deployment
        let crypto = deployment.crypto
        let clock = deployment.configuration.clock
        let issuer = CertificateIssuer(
            ports: department.ports,
            party: federation.party,
            key: try deployment.signingKey(of: federation.party),
            kid: kid
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
            if try await service.oneCard.currentCard(of: resident.id) == nil {
                try await issueCard(
                    service.oneCard,
                    to: resident.id,
                    number: "V" + DecimalText.padded(index + 1, width: 8),
                    account: try demoAccount(90_000 + index),
                    today: today
                )
            }
        }
        let run = try await progress.showing("preferential-care payout") { handler in
            try await service.pay(PayPeriod(containing: today), progress: handler)
        }
        return (candidates.count, run.posted.count)
    }

    /// The one-card office's part: a third-generation card applied for, issued and activated.
    func issueCard(
        _ oneCard: OneCardService,
        to holder: ResidentID,
        number: String,
        account: BankAccount,
        today: CalendarDate
    ) async throws {
        let card = try await oneCard.apply(
            holder: holder,
            generation: .third,
            issuingBank: CreditCode("91320214745555318W"),
            bankAccount: account,
            uses: CardGeneration.third.supportedUses
        )
        try await oneCard.apply(.issue(CardNumber(number), on: today), to: card.id)
        try await oneCard.apply(.activate, to: card.id)
    }

    func demoAccount(_ index: Int) throws -> BankAccount {
        let body = "62220299" + DecimalText.padded(index + 1, width: 10)
        return try BankAccount(body + String(BankAccount.checkDigit(for: body)))
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
