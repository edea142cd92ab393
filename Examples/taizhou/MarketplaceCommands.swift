import ArgumentParser
import Foundation
import SocietyCertificates
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyJSON
import SocietyMarketplace
import SocietyServices
import SocietySynthetic

/// What every marketplace command shares: the state folder's trust list, the big-data bureau
/// (provider registry and consent manager, signing with its key from the state folder), and the
/// output form.
struct BureauOptions: ParsableArguments {
    @OptionGroup var trustOptions: TrustOptions
    @Option(
        help: """
            The big-data bureau, CREDITCODE/SUBSYSTEM or a subsystem on the trust list (default: bigdata). It signs \
            with its key in the state folder, which the trust list must carry (`trust add-party --state-keys`).
            """
    )
    var bureau = "bigdata"
    @OptionGroup var output: OutputOptions
}

/// The marketplace as one state folder holds it: the bureau's store and key, and the departments
/// the trust list names as providers of data services, each with its consent registry. A signed
/// agreement, consent or revocation list is delivered by the bureau to the registries of the
/// departments it concerns — here, by writing into their stores in the same folder.
struct Marketplace {
    let state: StateOptions
    let trustList: TrustList
    let deployment: Deployment
    let bureau: Party
    let department: OpenedDepartment
    let signer: DocumentSigner

    init(_ options: BureauOptions, access: StoreAccess = .createIfMissing) throws {
        state = options.trustOptions.state
        trustList = try options.trustOptions.load()
        bureau = try ExchangeCommand.resolve(options.bureau, in: trustList)
        (deployment, department) = try state.department(bureau.subsystem, party: bureau, access: access)
        signer = try Self.signer(of: bureau, in: deployment, trustList: trustList)
    }

    /// `party`'s signer with its key from the state folder, after checking the trust list carries
    /// that key (else nothing it signs would verify anywhere).
    static func signer(of party: Party, in deployment: Deployment, trustList: TrustList) throws -> DocumentSigner {
        let entry = try reportingErrorsSync { try deployment.trustEntry(of: party, name: party.subsystem) }
        guard let mine = entry.keys.first(where: { $0.use == .signature }) else {
            throw failure(status: ExitStatus.io, "no signing key for \(party) in the state folder")
        }
        guard let listed = trustList.key(withID: mine.kid), listed.key.publicKey == mine.publicKey else {
            throw failure(
                "the trust list does not carry \(party)'s key \(mine.kid) from the state folder: "
                    + "add it with `taizhou trust add-party --party \(party) --name NAME --state-keys`, then sign the list"
            )
        }
        return DocumentSigner(
            party: party,
            key: try reportingErrorsSync { try deployment.signingKey(of: party) },
            kid: mine.kid
        )
    }

    /// The bureau's provider registry; `qualifications` checks the qualification e-certificate on
    /// `apply` (the other moves never look at one).
    func providers(qualifications: any MaterialVerifier = NoPresentation()) throws -> ProviderService {
        ProviderService(
            ports: department.ports,
            bureau: bureau,
            key: signer.key,
            kid: signer.kid,
            service: try reportingErrorsSync {
                try ProviderService.serviceEntry(timeLimit: TimeLimit(statutory: 20, promised: 10))
            },
            qualificationVerifier: qualifications
        )
    }

    /// The bureau's consent manager, with the pseudonym secret kept in the state folder (the same
    /// resident has the same pseudonym for a provider on every run).
    func consents() throws -> ConsentManager {
        ConsentManager(
            ports: department.ports,
            party: bureau,
            key: signer.key,
            kid: signer.kid,
            pseudonymKey: try reportingErrorsSync { try deployment.secret(named: "consent-pseudonyms") }
        )
    }

    /// The departments providing `services`, by the trust list's catalogue, with their registries.
    func registries(for services: [String]) throws -> [(Party, ConsentRegistry)] {
        var parties: [Party] = []
        for service in services {
            guard let entry = trustList.service(withID: service) else {
                throw failure(status: ExitStatus.badInput, "service \(service) is not in the trust list's catalogue")
            }
            if !parties.contains(entry.provider) { parties.append(entry.provider) }
        }
        return try parties.map { party in
            let (_, opened) = try state.department(party.subsystem, party: party)
            return (party, ConsentRegistry(ports: opened.ports, trustList: trustList, manager: bureau, providers: []))
        }
    }

    /// Delivers a signed agreement to the departments providing its services.
    func deliver(_ agreement: SignedAgreement) async throws -> [Party] {
        let targets = try registries(for: agreement.agreement.allowances.map(\.service))
        for (_, registry) in targets {
            _ = try await reportingErrors { try await registry.acceptAgreement(agreement.compact) }
        }
        return targets.map(\.0)
    }

    /// Writes the trust list the bureau's registry implies into the draft at `path` (keys and
    /// grants of every approved provider), for `taizhou trust sign` to publish as the next version.
    func updateDraft(_ path: String?) async throws -> String? {
        let draft = path ?? state.folder.appendingPathComponent("trust.draft.json").path
        guard FileManager.default.fileExists(atPath: draft) else {
            if path != nil { throw failure(status: ExitStatus.badInput, "no trust-list draft at \(draft)") }
            return nil
        }
        let current: TrustList
        do {
            current = try TrustList(draftJSON: try readInput(draft))
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failure("\(draft) is not a trust-list draft: \(error)")
        }
        var next = try await reportingErrors { try await providers().trustList(from: current) }
        next.version = current.version
        try writeFile(try next.draftJSON(), to: draft, replacing: true)
        return draft
    }
}

/// The qualification check of every provider move but `apply`, which never runs.
struct NoPresentation: MaterialVerifier {
    func verifyCertificate(
        _ presentation: String,
        type: String,
        holder: Applicant,
        nonce: String
    ) async throws
        -> String
    {
        throw failure(status: ExitStatus.badInput, "no qualification certificate can be checked here")
    }
}

/// Runs `body`, turning a library error into the tool's refusal message (exit status 1).
func reportingErrorsSync<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw failure("\(error)")
    }
}

// MARK: - taizhou provider

/// `taizhou provider`: the big-data bureau's register of third-party providers (plan item 17).
struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider",
        abstract: "Third-party providers: apply, review, approve, suspend, reinstate, exit (plan item 17).",
        discussion: """
            The bureau's register lives in its store in the state folder. An agreement (approve, suspend, \
            reinstate, exit) is signed by the bureau and delivered to the departments providing the agreed \
            services; the trust-list draft (trust.draft.json, when there) gets the provider's keys and grants, \
            for `taizhou trust sign` to publish as the next version.
            """,
        subcommands: [
            Apply.self, Review.self, Approve.self, Refuse.self, Suspend.self, Reinstate.self, Exit.self,
            AttestDeletion.self, Show.self,
        ]
    )

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A provider applies (受理 at once when complete): its keys are the state folder's."
        )
        @Option(help: "The application id (3–64 letters, digits, -); the qualification's nonce.") var id: String
        @Option(help: "The provider, CREDITCODE/SUBSYSTEM.") var party: String
        @Option(help: "Its name.") var name: String
        @Option(help: "A data service it asks for; repeat for each.") var service: [String]
        @Option(help: "A purpose it asks for (each service, each purpose); repeat for each.") var purpose: [String]
        @Option(help: "Calls a month it asks for, per service.") var quota = 10_000
        @Option(help: "Its data-security officer.") var officer: String
        @Option(help: "Its data-use terms (a file; only its SHA-256 digest is kept).") var terms: String
        @Option(help: "The officer's appointment (a file; only its digest is kept).") var appointment: String
        @Option(help: "Its provider-qualification e-certificate, presented to the bureau with --id as nonce.")
        var qualification: String
        @Option(help: "The status-list snapshot the qualification is checked against.") var status: String
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau)
            let party = try validated(party, as: "party", Party.init)
            let purposes = try purpose.map { try validated($0, as: "purpose", Purpose.init) }
            let presentation = String(decoding: try readInput(qualification), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let verifier: CertificateMaterialVerifier
            do {
                verifier = CertificateMaterialVerifier(
                    verifier: try CertCommand.offlineVerifier(
                        trust: bureau.trustOptions.trustPath,
                        root: bureau.trustOptions.rootPath,
                        status: status,
                        maxTrustAge: 7 * 86_400,
                        maxStatusAge: 86_400,
                        minTrustVersion: nil
                    ),
                    audience: market.bureau
                )
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw failure("the trust list or status lists were refused: \(error)")
            }
            // The provider's side lives in the same folder: its keys, and its own store (audit log and
            // replay guard) for `taizhou exchange call --as PROVIDER`.
            let keys = try reportingErrorsSync { try market.deployment.trustEntry(of: party, name: name).keys }
            let record = try await reportingErrors {
                try await market.providers(qualifications: verifier).apply(
                    ProviderService.Application(
                        id: id,
                        party: party,
                        name: name,
                        requested: service.map {
                            ProviderRecord.RequestedAllowance(service: $0, purposes: purposes, monthlyQuota: quota)
                        },
                        securityOfficer: officer,
                        termsDigest: try Self.digest(terms),
                        appointmentDigest: try Self.digest(appointment),
                        keys: keys,
                        qualification: presentation
                    )
                )
            }
            _ = try market.state.department(party.subsystem, party: party)
            ProviderCommand.emit(record, "accepted (受理)", bureau.output)
        }

        static func digest(_ file: String) throws -> String {
            "sha256:" + Hex.encode(try KeyFiles.crypto.digest(.sha256, of: Array(try readInput(file))))
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The bureau starts reviewing (审核).")
        @Argument(help: "The application id.") var id: String
        @Option(help: "Who reviews.") var by: String
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let record = try await reportingErrors { try await market.providers().review(id, by: by) }
            ProviderCommand.emit(record, "under review", bureau.output)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve (办结): sign the agreement, deliver it, put the keys and grants in the trust draft."
        )
        @Argument(help: "The application id.") var id: String
        @Option(help: "Days the agreement runs.") var days = 365
        @Option(help: "Who decides.") var by: String
        @Option(help: "The trust-list draft to update (default: trust.draft.json in the state folder, when there).")
        var draft: String?
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let (id, days, by) = (id, days, by)
            let agreement = try await reportingErrors { try await market.providers().approve(id, days: days, by: by) }
            try await ProviderCommand.finish(agreement, "approved", market, draft: draft, bureau.output)
        }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse the application (办结, not approved).")
        @Argument(help: "The application id.") var id: String
        @Option(help: "Why, as the provider is told.") var reason: String
        @Option(help: "Who decides.") var by: String
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let record = try await reportingErrors { try await market.providers().refuse(id, reason: reason, by: by) }
            ProviderCommand.emit(record, "refused", bureau.output)
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend an active provider: the departments refuse its calls from the next one."
        )
        @Argument(help: "The application id.") var id: String
        @Option(help: "The trust-list draft to update (default: trust.draft.json in the state folder, when there).")
        var draft: String?
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let agreement = try await reportingErrors { try await market.providers().suspend(id) }
            try await ProviderCommand.finish(agreement, "suspended", market, draft: draft, bureau.output)
        }
    }

    struct Reinstate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a suspension.")
        @Argument(help: "The application id.") var id: String
        @Option(help: "The trust-list draft to update (default: trust.draft.json in the state folder, when there).")
        var draft: String?
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let agreement = try await reportingErrors { try await market.providers().reinstate(id) }
            try await ProviderCommand.finish(agreement, "reinstated", market, draft: draft, bureau.output)
        }
    }

    struct Exit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The provider leaves: its deletion attestation is kept; the next trust list revokes its keys."
        )
        @Argument(help: "The application id.") var id: String
        @Option(help: "The provider's signed deletion attestation (from `provider attest-deletion`).")
        var attestation: String
        @Option(help: "The trust-list draft to update (default: trust.draft.json in the state folder, when there).")
        var draft: String?
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let text = String(decoding: try readInput(attestation), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let agreement = try await reportingErrors { try await market.providers().exit(id, attestation: text) }
            try await ProviderCommand.finish(agreement, "exited", market, draft: draft, bureau.output)
        }
    }

    struct AttestDeletion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attest-deletion",
            abstract: "The provider's side of exit: sign that it deleted what it held (prints the JWS)."
        )
        @Option(help: "The provider, CREDITCODE/SUBSYSTEM; it signs with its key in the state folder.")
        var party: String
        @Option(help: "What it deleted, in its words.")
        var statement = "all residents' data received under consents deleted"
        @OptionGroup var state: StateOptions

        mutating func run() async throws {
            let party = try validated(party, as: "party", Party.init)
            let deployment = try state.deployment(access: .existing)
            let kid = deployment.signingKid(of: party)
            let text = try reportingErrorsSync {
                try ProviderService.deletionAttestation(
                    provider: party,
                    deletedAt: Date(),
                    statement: statement,
                    key: try deployment.signingKey(of: party),
                    kid: kid
                )
            }
            print(text)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An application: its state and agreement.")
        @Argument(help: "The application id.") var id: String
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let record = try await reportingErrors { try await market.providers().provider(id) }
            ProviderCommand.emit(record, "", bureau.output)
        }
    }

    /// Prints a provider record (the officer's name masked).
    static func emit(_ record: ProviderRecord, _ verb: String, _ output: OutputOptions) {
        let agreement = record.currentAgreement
        var lines = [
            "\(verb.isEmpty ? "" : "\(verb): ")\(record.id) — \(record.name) (\(record.party))",
            "  application: \(record.lifecycle.state.name)",
            "  asks for: "
                + record.requested.map {
                    "\($0.service) for \($0.purposes.joined(separator: ", ")) (\($0.monthlyQuota)/month)"
                }
                .joined(separator: "; "),
        ]
        if let agreement {
            lines.append(
                "  agreement v\(agreement.version): \(agreement.standing.rawValue), until "
                    + CalendarDate(agreement.expires).iso8601
            )
        }
        var object: JSONObject = [
            "id": .string(record.id), "party": .string(record.party.text), "name": .string(record.name),
            "state": .string(record.lifecycle.state.name),
        ]
        if let agreement {
            object["agreement"] = [
                "version": .number(Double(agreement.version)), "standing": .string(agreement.standing.rawValue),
                "expires": .string(CalendarDate(agreement.expires).iso8601),
            ]
        }
        output.emit(lines.joined(separator: "\n"), json: .object(object))
    }

    /// Delivers a new agreement version, updates the trust draft, and prints what happened.
    static func finish(
        _ agreement: SignedAgreement,
        _ verb: String,
        _ market: Marketplace,
        draft: String?,
        _ output: OutputOptions
    ) async throws {
        let delivered = try await market.deliver(agreement)
        let updated = try await market.updateDraft(draft)
        let terms = agreement.agreement
        let text = [
            "\(verb): \(terms.provider), agreement v\(terms.version) (\(terms.standing.rawValue)) until "
                + CalendarDate(terms.expires).iso8601,
            "  delivered to " + delivered.map(\.text).joined(separator: ", "),
            updated.map { "  trust-list draft \($0) updated: sign it (`taizhou trust sign`) to publish" }
                ?? "  no trust-list draft to update: the provider's keys and grants reach the list when the bureau adds them",
        ]
        output.emit(
            text.joined(separator: "\n"),
            json: [
                "provider": .string(terms.provider.text), "version": .number(Double(terms.version)),
                "standing": .string(terms.standing.rawValue), "expires": .string(CalendarDate(terms.expires).iso8601),
                "deliveredTo": .array(delivered.map { .string($0.text) }),
                "draft": updated.map(JSONValue.string) ?? .null, "agreement": .string(agreement.compact),
            ]
        )
    }
}

// MARK: - taizhou consent

/// `taizhou consent`: residents' consents to providers, kept and signed by the consent manager.
struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Residents' consents to providers: grant, revoke, show, receipt.",
        discussion: """
            The bureau is the consent manager. A granted consent is delivered, with the resident's number \
            and its commitment's salt, to the registries of the departments providing its services; a \
            revocation delivers the new revocation list to them, effective at the provider's next fetch.
            """,
        subcommands: [Grant.self, Revoke.self, Show.self, Receipt.self]
    )

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A resident consents to a provider's use of data.")
        @Option(help: "The resident's identity number.") var resident: String
        @Option(help: "The provider, CREDITCODE/SUBSYSTEM.") var provider: String
        @Option(help: "The purpose, from the provider's agreement.") var purpose: String
        @Option(
            help: ArgumentHelp(
                "A data service and the fields consented to; repeat for each.",
                valueName: "SERVICE=F1,F2"
            )
        )
        var scope: [String]
        @Option(help: "At most N fetches per day, month or consent: N/day, N/month, N/consent.") var frequency = "1/day"
        @Option(help: "Days the consent runs.") var days = 30
        @Option(help: "view (shown, not kept) or store (kept for --data-life days).") var mode = "view"
        @Option(help: "With --mode store: days the provider may keep the data.") var dataLife = 0
        @OptionGroup var bureau: BureauOptions

        func validate() throws {
            guard ConsentArtefact.Mode(rawValue: mode) != nil else {
                throw ValidationError("--mode must be view or store")
            }
            guard Self.frequency(frequency) != nil else {
                throw ValidationError("--frequency must be N/day, N/month or N/consent with N ≥ 1")
            }
            for pair in scope where MaterialOptions.split(pair) == nil {
                throw ValidationError("--scope \(pair.prefix(60)): write SERVICE=FIELD,FIELD")
            }
        }

        static func frequency(_ text: String) -> (Int, ConsentArtefact.Frequency.Period)? {
            let parts = text.split(separator: "/").map(String.init)
            guard parts.count == 2, let limit = Int(parts[0]), limit >= 1,
                let period = ConsentArtefact.Frequency.Period(rawValue: parts[1])
            else { return nil }
            return (limit, period)
        }

        mutating func run() async throws {
            let market = try Marketplace(bureau)
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let provider = try validated(provider, as: "provider", Party.init)
            let purpose = try validated(purpose, as: "purpose", Purpose.init)
            guard let (limit, period) = Self.frequency(frequency), let mode = ConsentArtefact.Mode(rawValue: mode)
            else { throw failure(status: ExitStatus.badInput, "--frequency or --mode is not valid") }
            let scopes = try scope.compactMap(MaterialOptions.split).map { service, fields in
                try reportingErrorsSync {
                    try ConsentArtefact.Scope(service: service, fields: fields.split(separator: ",").map(String.init))
                }
            }
            let request = ConsentManager.Request(
                resident: resident,
                provider: provider,
                purpose: purpose,
                scopes: scopes,
                mode: mode,
                dataLifeDays: dataLife,
                frequency: try reportingErrorsSync { try ConsentArtefact.Frequency(limit: limit, per: period) },
                days: days
            )
            let targets = try market.registries(for: scopes.map(\.service))
            let grant = try await reportingErrors { try await market.consents().grant(request) }
            for (_, registry) in targets {
                _ = try await reportingErrors {
                    try await registry.register(grant.compact, resident: grant.resident, salt: grant.salt)
                }
            }
            let artefact = grant.artefact
            bureau.output.emit(
                """
                consent \(artefact.id) from \(resident.masked) to \(provider), known to it as \(artefact.subject)
                  \(artefact.description)
                  delivered to \(targets.map(\.0.text).joined(separator: ", "))
                """,
                json: [
                    "consent": .string(artefact.id), "pseudonym": .string(artefact.subject),
                    "provider": .string(provider.text), "resident": .string(resident.masked),
                    "expires": .string(CalendarDate(artefact.expires).iso8601),
                    "deliveredTo": .array(targets.map { .string($0.0.text) }),
                ]
            )
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The resident withdraws a consent: refused from the provider's next fetch."
        )
        @Argument(help: "The consent id.") var id: String
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let manager = try market.consents()
            let consent = try await reportingErrors { try await manager.consent(id) }
            let targets = try market.registries(for: consent.artefact.scopes.map(\.service))
            let list = try await reportingErrors { try await manager.revoke(id) }
            for (_, registry) in targets {
                try await reportingErrors { try await registry.accept(list) }
            }
            bureau.output.emit(
                "revoked \(id): revocation list v\(list.version) delivered to "
                    + targets.map(\.0.text).joined(separator: ", "),
                json: [
                    "revoked": .string(id), "statusListVersion": .number(Double(list.version)),
                    "deliveredTo": .array(targets.map { .string($0.0.text) }),
                ]
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One consent, or every consent of a resident.")
        @Argument(help: "The consent id.") var id: String?
        @Option(help: "The resident whose consents to list.") var resident: String?
        @OptionGroup var bureau: BureauOptions

        func validate() throws {
            guard (id == nil) != (resident == nil) else { throw ValidationError("give a consent id or --resident") }
        }

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let manager = try market.consents()
            let consents: [SignedConsent]
            if let id {
                consents = [try await reportingErrors { try await manager.consent(id) }]
            } else {
                let resident = try validated(resident ?? "", as: "resident", { try ResidentID($0) })
                consents = try await reportingErrors { try await manager.consents(of: resident) }
            }
            let revoked = try await reportingErrors { try await manager.statusList() }
            let shown = try consents.map { consent in
                (consent.artefact, try revoked.list.isSet(consent.artefact.statusIndex))
            }
            bureau.output.emit(
                shown.isEmpty
                    ? "no consents"
                    : shown.map { "\($0.0.description)\($0.1 ? " — revoked" : "")" }.joined(separator: "\n"),
                json: .array(
                    shown.map { artefact, isRevoked in
                        var object = artefact.jsonObject
                        object["revoked"] = .bool(isRevoked)
                        return .object(object)
                    }
                )
            )
        }
    }

    struct Receipt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The resident's receipt of a consent: readable lines, or JSON with the signed consent."
        )
        @Argument(help: "The consent id.") var id: String
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let receipt = try await reportingErrors { try await market.consents().receipt(id) }
            bureau.output.emit(receipt.lines.joined(separator: "\n"), json: .object(receipt.jsonObject))
        }
    }
}

// MARK: - taizhou usage

/// `taizhou usage`: what providers fetched, from the departments' meters and audit logs.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Metered provider calls: a provider's monthly statement, a resident's data-use report.",
        subcommands: [Statement.self, Resident.self]
    )

    /// The departments to report from.
    struct Departments: ParsableArguments {
        @Option(
            help: """
                A department (its subsystem or CREDITCODE/SUBSYSTEM on the trust list) to report from; repeat for \
                each (default: every department on the trust list with a store in the state folder).
                """
        )
        var department: [String] = []

        /// Each chosen department (by default `fallback`, when given, else every one with a store),
        /// opened, with its registry and signer.
        func opened(
            _ market: Marketplace,
            fallback: [Party]? = nil
        ) throws -> [(OpenedDepartment, ConsentRegistry, DocumentSigner)] {
            var parties: [Party] = []
            if department.isEmpty, let fallback {
                parties = fallback
            } else if department.isEmpty {
                for entry in market.trustList.parties where entry.party != market.bureau {
                    let file = market.state.folder.appendingPathComponent("\(entry.party.subsystem).sqlite")
                    let exists = try market.state.postgres() != nil || FileManager.default.fileExists(atPath: file.path)
                    if exists, Self.isStoreName(entry.party.subsystem) { parties.append(entry.party) }
                }
            } else {
                parties = try department.map { try ExchangeCommand.resolve($0, in: market.trustList) }
            }
            return try parties.map { party in
                let (deployment, opened) = try market.state.department(party.subsystem, party: party, access: .existing)
                return (
                    opened,
                    ConsentRegistry(
                        ports: opened.ports,
                        trustList: market.trustList,
                        manager: market.bureau,
                        providers: []
                    ),
                    try Marketplace.signer(of: party, in: deployment, trustList: market.trustList)
                )
            }
        }

        static func isStoreName(_ name: String) -> Bool {
            !name.isEmpty && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        }
    }

    struct Statement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A provider's signed monthly usage statement from each department it called."
        )
        @Option(help: "The provider, CREDITCODE/SUBSYSTEM.") var provider: String
        @Option(help: "The month, YYYY-MM.") var month: String
        @OptionGroup var departments: Departments
        @OptionGroup var bureau: BureauOptions

        func validate() throws {
            guard month.count == 7, (try? CalendarDate(iso8601: month + "-01")) != nil else {
                throw ValidationError("--month must be YYYY-MM")
            }
        }

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let provider = try validated(provider, as: "provider", Party.init)
            // By default, the departments serving what the trust list grants the provider.
            var serving: [Party] = []
            for grant in market.trustList.grants where grant.consumer == provider {
                if let entry = market.trustList.service(withID: grant.service), !serving.contains(entry.provider) {
                    serving.append(entry.provider)
                }
            }
            guard !departments.department.isEmpty || !serving.isEmpty else {
                throw failure("the trust list grants \(provider) no service: give --department")
            }
            var text: [String] = []
            var objects: [JSONValue] = []
            for (opened, registry, signer) in try departments.opened(market, fallback: serving) {
                let (month, provider) = (month, provider)
                let signed = try await reportingErrors {
                    try await registry.statement(for: provider, month: month, signer: signer, auditLog: opened.auditLog)
                }
                let statement = signed.statement
                text.append("\(opened.party): \(statement.calls) call(s) by \(provider) in \(month)")
                for line in statement.lines {
                    text.append("  \(line.service): \(line.calls) (envelopes' root \(line.root))")
                }
                text.append("  audit log at \(statement.auditSize) entries; signed statement:\n  \(signed.compact)")
                objects.append(
                    [
                        "department": .string(opened.party.text), "calls": .number(Double(statement.calls)),
                        "lines": .array(
                            statement.lines.map {
                                [
                                    "service": .string($0.service), "calls": .number(Double($0.calls)),
                                    "root": .string($0.root),
                                ]
                            }
                        ),
                        "statement": .string(signed.compact),
                    ]
                )
            }
            bureau.output.emit(text.joined(separator: "\n"), json: .array(objects))
        }
    }

    struct Resident: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who used a resident's data (数据使用记录): every access at each department, signed by it."
        )
        @Option(help: "The resident's identity number.") var resident: String
        @Option(
            help:
                "A record kind keyed by the resident whose reads count (default: the departments' facts); repeat for each."
        )
        var kind: [String] = []
        @OptionGroup var departments: Departments
        @OptionGroup var bureau: BureauOptions

        mutating func run() async throws {
            let market = try Marketplace(bureau, access: .existing)
            let resident = try validated(resident, as: "resident", { try ResidentID($0) })
            let kinds = kind.isEmpty ? [DepartmentFacts.recordKind] : kind
            var text = ["who used \(resident.masked)'s data:"]
            var quiet: [String] = []
            var objects: [JSONValue] = []
            for (opened, registry, signer) in try departments.opened(market) {
                let (report, signed) = try await reportingErrors {
                    try await registry.dataUses(of: resident, kinds: kinds, auditLog: opened.auditLog, signer: signer)
                }
                if report.uses.isEmpty {
                    quiet.append(opened.party.text)
                } else {
                    text.append("\(opened.party): \(report.uses.count) use(s)")
                }
                for use in report.uses {
                    let consent = use.consent.map { " under consent \($0) (\(use.service ?? ""))" } ?? ""
                    text.append("  \(Self.time(use.at)) \(use.party) \(use.action) for \(use.purpose)\(consent)")
                }
                var object = report.jsonObject
                object["signed"] = .string(signed)
                objects.append(.object(object))
            }
            if !quiet.isEmpty { text.append("no recorded use at \(quiet.count) other department(s)") }
            bureau.output.emit(text.joined(separator: "\n"), json: .array(objects))
        }

        static func time(_ date: Date) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            return String(
                format: "%04d-%02d-%02d %02d:%02d:%02d",
                parts.year ?? 0,
                parts.month ?? 0,
                parts.day ?? 0,
                parts.hour ?? 0,
                parts.minute ?? 0,
                parts.second ?? 0
            )
        }
    }
}
