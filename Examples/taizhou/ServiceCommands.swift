import ArgumentParser
import Foundation
import SocietyCertificates
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyJSON
import SocietyServices

/// `--catalogue FILE`: a deployment's own catalogue instead of the tool's reference one.
struct CatalogueOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A service catalogue (JSON, format ds.service-catalogue/1) instead of the tool's reference catalogue.",
            valueName: "file"
        )
    )
    var catalogue: String?

    func load() throws -> ServiceCatalogue {
        do {
            guard let catalogue else { return try ServiceCatalogue(json: Data(ReferenceCatalogue.json.utf8)) }
            return try ServiceCatalogue(json: try readInput(catalogue))
        } catch let error as CatalogueError {
            throw failure(status: ExitStatus.badInput, "\(catalogue ?? "the reference catalogue"): \(error)")
        }
    }
}

/// The desk every `application` and `bundle` subcommand works on: the deployment's `services`
/// store, the catalogue, the calendar, and the day the move is made on.
struct DeskOptions: ParsableArguments {
    @OptionGroup var state: StateOptions
    @OptionGroup var catalogue: CatalogueOptions
    @OptionGroup var calendar: CalendarCommand.CalendarOptions
    @Option(help: ArgumentHelp("The day the move is made on (default: today).", valueName: "YYYY-MM-DD"))
    var on: String?
    @Option(help: "Who makes the move, as the history records it (a staff or system reference).")
    var actor = "taizhou-cli"

    func validate() throws {
        if let on, (try? CalendarDate(iso8601: on)) == nil {
            throw ValidationError("--on must be a real date written YYYY-MM-DD")
        }
    }

    /// The desk on the `services` department's ports, its clock set to 10:00 on `--on` if given,
    /// checking presented e-certificates with `verifier`.
    func open(
        _ access: StoreAccess = .createIfMissing,
        verifier: (any MaterialVerifier)? = nil
    ) async throws -> ApplicationService {
        let (_, department) = try state.department("services", subsystem: "services", access: access)
        var ports = department.ports
        if let on {
            ports.clock = FixedWallClock(try CalendarDate(iso8601: on).startInstant.addingTimeInterval(36_000))
        }
        return ApplicationService(
            ports: ports,
            catalogue: try catalogue.load(),
            calendar: try calendar.load(),
            materialVerifier: verifier
        )
    }
}

/// The materials an applicant hands in: documents (the tool keeps their SHA-256 digest, never the
/// file) and e-certificate presentations, checked offline against a trust list and status lists.
struct MaterialOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A document handed in, as the catalogue names it, and its file (only its SHA-256 digest is kept); repeat for each.",
            valueName: "NAME=FILE"
        )
    )
    var document: [String] = []
    @Option(
        help: ArgumentHelp(
            "An e-certificate presented instead of a document: its type code and a file holding the presentation, bound to the application's id as nonce; repeat for each.",
            valueName: "TYPE=FILE"
        )
    )
    var certificate: [String] = []
    @Option(help: "With --certificate: the signed trust list.") var trust: String?
    @Option(help: "With --certificate: the bureau's root public key (PEM); default: the key the list embeds.")
    var root: String?
    @Option(help: "With --certificate: the status-list snapshot.") var status: String?
    @Option(help: "With --certificate: the desk's party, CREDITCODE/SUBSYSTEM (the presentations' audience).")
    var aud: String?

    func validate() throws {
        for pair in document + certificate where Self.split(pair) == nil {
            throw ValidationError("\(pair.prefix(60)): write --document NAME=FILE and --certificate TYPE=FILE")
        }
        if !certificate.isEmpty && (trust == nil || status == nil || aud == nil) {
            throw ValidationError("--certificate needs --trust, --status and --aud to check the presentation offline")
        }
    }

    static func split(_ pair: String) -> (String, String)? {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else { return nil }
        let value = pair[pair.index(after: equals)...]
        return value.isEmpty ? nil : (String(pair[..<equals]), String(value))
    }

    /// The materials, reading each file (documents are digested, presentations read whole).
    func supplied() throws -> [SuppliedMaterial] {
        var materials: [SuppliedMaterial] = []
        for pair in document {
            guard let (name, file) = Self.split(pair) else { continue }
            let digest = try KeyFiles.crypto.digest(.sha256, of: Array(try readInput(file)))
            materials.append(.document(name: name, digest: "sha256:" + Hex.encode(digest)))
        }
        for pair in certificate {
            guard let (type, file) = Self.split(pair) else { continue }
            let text = String(decoding: try readInput(file), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            materials.append(.certificate(type: type, presentation: text))
        }
        return materials
    }

    /// The offline certificate check, when certificates are presented.
    func verifier() throws -> (any MaterialVerifier)? {
        guard !certificate.isEmpty, let trust, let status, let aud else { return nil }
        let audience = try validated(aud, as: "aud", Party.init)
        do {
            let verifier = try CertCommand.offlineVerifier(
                trust: trust,
                root: root,
                status: status,
                maxTrustAge: 7 * 86_400,
                maxStatusAge: 86_400,
                minTrustVersion: nil
            )
            return CertificateMaterialVerifier(verifier: verifier, audience: audience)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failure(status: ExitStatus.refused, "the trust list or status lists were refused: \(error)")
        }
    }
}

/// `taizhou catalogue`: the resident services the deployment offers.
struct CatalogueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "The resident-service catalogue: services, their materials and time limits, and bundles.",
        subcommands: [List.self, Show.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the services and the one-thing bundles.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var source: CatalogueOptions

        func run() throws {
            let catalogue = try source.load()
            for entry in catalogue.entries {
                output.emit(
                    "\(entry.code): \(entry.name) — \(entry.department), \(entry.timeLimit.promised)/\(entry.timeLimit.statutory) working days, \(Int((entry.paperlessShare * 100).rounded())) % paperless",
                    json: [
                        "code": .string(entry.code), "name": .string(entry.name),
                        "department": .string(entry.department),
                        "promisedDays": .number(Double(entry.timeLimit.promised)),
                        "statutoryDays": .number(Double(entry.timeLimit.statutory)),
                        "paperlessShare": .number(entry.paperlessShare),
                    ]
                )
            }
            for bundle in catalogue.bundles {
                output.emit(
                    "\(bundle.code): bundle \(bundle.name) — \(bundle.parts.joined(separator: " + "))",
                    json: [
                        "code": .string(bundle.code), "name": .string(bundle.name), "bundle": .bool(true),
                        "parts": .array(bundle.parts.map { .string($0) }),
                    ]
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one service or bundle: its guide.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var source: CatalogueOptions
        @Argument(help: "The service's or bundle's code.") var code: String

        func run() throws {
            let catalogue = try source.load()
            if let bundle = try? catalogue.bundle(code) {
                let materials = try catalogue.materials(of: bundle)
                output.emit(
                    ([
                        "\(bundle.code): \(bundle.name)", "  parts: \(bundle.parts.joined(separator: ", "))",
                        "  materials:",
                    ]
                        + materials.map { "    \(Self.describe($0))" }).joined(separator: "\n"),
                    json: [
                        "code": .string(bundle.code), "name": .string(bundle.name),
                        "parts": .array(bundle.parts.map { .string($0) }),
                        "materials": .array(materials.map { .string(Self.describe($0)) }),
                    ]
                )
                return
            }
            let entry: ServiceEntry
            do {
                entry = try catalogue.entry(code)
            } catch {
                throw failure(status: ExitStatus.badInput, "\(error)")
            }
            let lines = [
                "\(entry.code): \(entry.name)",
                "  department: \(entry.department)",
                "  legal basis: \(entry.legalBasis.joined(separator: "; "))",
                "  applicant: \(entry.applicant.rawValue)",
                "  channels: \(entry.channels.sorted().map(\.rawValue).joined(separator: ", "))",
                "  fee: \(entry.fee)",
                "  time limits: promised \(entry.timeLimit.promised), statutory \(entry.timeLimit.statutory), materials \(entry.timeLimit.materials) working days",
                "  outcome: \(Self.describe(entry.outcome))",
                "  materials:",
            ]
            output.emit(
                (lines + entry.materials.map { "    \(Self.describe($0))" }).joined(separator: "\n"),
                json: [
                    "code": .string(entry.code), "name": .string(entry.name), "department": .string(entry.department),
                    "legalBasis": .array(entry.legalBasis.map { .string($0) }),
                    "applicant": .string(entry.applicant.rawValue),
                    "channels": .array(entry.channels.sorted().map { .string($0.rawValue) }),
                    "feeFen": .number(Double(entry.fee.fen)),
                    "promisedDays": .number(Double(entry.timeLimit.promised)),
                    "statutoryDays": .number(Double(entry.timeLimit.statutory)),
                    "materialsDays": .number(Double(entry.timeLimit.materials)),
                    "outcome": .string(Self.describe(entry.outcome)),
                    "materials": .array(entry.materials.map { .string(Self.describe($0)) }),
                ]
            )
        }

        static func describe(_ material: ServiceEntry.Material) -> String {
            switch material {
            case .document(let name): "\(name) (hand in)"
            case .certificate(let type, let replaces): "\(replaces): present e-certificate \(type)"
            case .exchange(let service, let replaces): "\(replaces): fetched by envelope from \(service)"
            }
        }

        static func describe(_ outcome: ServiceEntry.Outcome) -> String {
            switch outcome {
            case .certificate(let type): "e-certificate \(type)"
            case .payment: "payment"
            case .decision: "decision"
            }
        }
    }
}

/// Prints an application's line: id, service, state, deadline (masked nothing: no personal value).
func emitApplication(_ app: ServiceApplication, desk: ApplicationService, output: OutputOptions) throws {
    let deadline = (try? app.promisedDeadline(on: desk.calendar)) ?? nil
    var detail = ""
    switch app.state {
    case .notAccepted(let reasons): detail = ": " + reasons.joined(separator: "; ")
    case .awaitingMaterials(let missing, let due): detail = ": \(missing.joined(separator: ", ")) by \(due)"
    case .underReview(let step): detail = ": \(step)"
    case .completed(let result): detail = ": \(result)"
    case .withdrawn(let reason): detail = ": \(reason)"
    case .submitted, .accepted: break
    }
    let due = deadline.map { ", due \($0)" } ?? ""
    output.emit(
        "\(app.id) (\(app.serviceCode)): \(app.state.name)\(detail)\(due)",
        json: [
            "id": .string(app.id), "service": .string(app.serviceCode), "state": .string(app.state.name),
            "detail": .string(String(detail.dropFirst(detail.isEmpty ? 0 : 2))),
            "due": deadline.map { .string($0.iso8601) } ?? .null,
            "moves": .number(Double(app.history.count)),
        ]
    )
}

/// The applicant options: exactly one of a resident, a household's head, an organisation.
struct ApplicantOptions: ParsableArguments {
    @Option(help: "The applicant, a resident's identity number.") var resident: String?
    @Option(help: "The applicant household's head, an identity number.") var householdHead: String?
    @Option(help: "The applicant organisation's unified social credit code.") var organisation: String?
    @Option(help: "The district (six-digit division code) the application belongs to.") var district: String

    func validate() throws {
        guard [resident, householdHead, organisation].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --resident, --household-head, --organisation")
        }
    }

    var applicant: Applicant {
        get throws {
            if let resident { return .resident(try validated(resident, as: "--resident") { try ResidentID($0) }) }
            if let householdHead {
                return .household(head: try validated(householdHead, as: "--household-head") { try ResidentID($0) })
            }
            return .organisation(try validated(organisation ?? "", as: "--organisation", CreditCode.init))
        }
    }

    var division: DivisionCode { get throws { try validated(district, as: "--district", DivisionCode.init) } }
}

/// `taizhou application`: applications on the shared life cycle, in the deployment's `services` store.
struct ApplicationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "application",
        abstract: "Applications on the shared life cycle: submit, accept, reject, request materials, review, complete.",
        subcommands: [
            Submit.self, Accept.self, Reject.self, RequestMaterials.self, SupplyMaterials.self, Review.self,
            Complete.self, Withdraw.self, Status.self, Warnings.self, Counts.self,
        ]
    )

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit an application for a service.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var who: ApplicantOptions
        @Option(help: "The application's id (chosen by the caller, so a retry returns the same one).") var id: String
        @Option(help: "The service's catalogue code.") var service: String
        @OptionGroup var materials: MaterialOptions

        func run() async throws {
            let desk = try await desk.open(verifier: try materials.verifier())
            let (applicant, district, supplied) = (try who.applicant, try who.division, try materials.supplied())
            let app = try await reportingErrors {
                try await desk.submit(
                    id: id,
                    service: service,
                    applicant: applicant,
                    district: district,
                    materials: supplied,
                    by: self.desk.actor
                )
            }
            try emitApplication(app, desk: desk, output: output)
        }
    }

    /// One move on an existing application.
    static func move(
        _ options: DeskOptions,
        _ output: OutputOptions,
        _ body: (ApplicationService) async throws -> ServiceApplication
    ) async throws {
        let desk = try await options.open(.existing)
        let app = try await reportingErrors { try await body(desk) }
        try emitApplication(app, desk: desk, output: output)
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "受理: accept a submitted application.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        func run() async throws { try await move(desk, output) { try await $0.accept(id, by: desk.actor) } }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "不予受理: refuse a submitted application, with reasons.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        @Option(help: "A reason the applicant is told; repeat for each.") var reason: [String] = []
        func run() async throws {
            try await move(desk, output) { try await $0.refuse(id, reasons: reason, by: desk.actor) }
        }
    }

    struct RequestMaterials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "补正: ask for missing materials; the clock pauses.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        @Option(help: "A missing material; repeat for each.") var missing: [String] = []
        func run() async throws {
            try await move(desk, output) { try await $0.requestMaterials(id, missing: missing, by: desk.actor) }
        }
    }

    struct SupplyMaterials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The missing materials arrived.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        func run() async throws { try await move(desk, output) { try await $0.supplyMaterials(id, by: desk.actor) } }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "审核: start a department step.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        @Option(help: "The step's name.") var step: String
        func run() async throws { try await move(desk, output) { try await $0.review(id, step: step, by: desk.actor) } }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "办结: complete with the result.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        @Option(help: "The result (an e-certificate issued, a payment, a decision).") var result: String
        func run() async throws {
            try await move(desk, output) { try await $0.complete(id, result: result, by: desk.actor) }
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "撤回: the applicant withdraws.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        @Option(help: "Why.") var reason: String
        func run() async throws {
            try await move(desk, output) { try await $0.withdraw(id, reason: reason, by: desk.actor) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an application: its state, deadline and history."
        )
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The application's id.") var id: String
        func run() async throws {
            let desk = try await desk.open(.existing)
            let record = try await reportingErrors { try await desk.application(id) }
            try emitApplication(record.application, desk: desk, output: output)
            if !output.json {
                for move in record.application.history {
                    print("  \(move.date) \(move.name) by \(move.actor) → \(move.state.name)")
                }
                // A certificate's number can carry its holder's identity number: not printed.
                for material in record.materials {
                    switch material {
                    case .document(let name, let digest): print("  material: \(name), \(digest.prefix(19))…")
                    case .certificate(let type, _): print("  material: \(type) e-certificate, verified at submission")
                    }
                }
            }
        }
    }

    struct Warnings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open applications due within 2 working days or overdue (exit 3 when there are any)."
        )
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let desk = try await desk.open(.existing)
            let warnings = try await reportingErrors { try await desk.warnings() }
            for warning in warnings {
                let (text, kind, deadline, days): (String, DeadlineStatus.Kind, CalendarDate?, Int)
                switch warning.status {
                case .dueSoon(let k, let d, let left): (text, kind, deadline, days) = ("due soon", k, d, left)
                case .overdue(let k, let d, let late): (text, kind, deadline, days) = ("overdue", k, d, late)
                case .onTrack: continue
                }
                output.emit(
                    "\(warning.application) (\(warning.service), \(warning.department)): \(text), \(kind.rawValue) deadline \(deadline?.iso8601 ?? "in a year not yet published"), \(days) working day(s)",
                    json: [
                        "application": .string(warning.application), "service": .string(warning.service),
                        "department": .string(warning.department), "warning": .string(text),
                        "deadlineKind": .string(kind.rawValue),
                        "deadline": deadline.map { .string($0.iso8601) } ?? .null,
                        "workingDays": .number(Double(days)),
                    ]
                )
            }
            if !warnings.isEmpty { throw ExitCode(ExitStatus.alerts) }
        }
    }

    struct Counts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Applications received, completed on time and late, open and overdue, by service and district."
        )
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let desk = try await desk.open(.existing)
            for count in try await reportingErrors({ try await desk.counts() }) {
                output.emit(
                    "\(count.service) \(count.department) \(count.district): received \(count.received), on time \(count.completedOnTime), late \(count.completedLate), closed without result \(count.closedWithoutResult), open \(count.open), overdue \(count.overdue)",
                    json: [
                        "service": .string(count.service), "department": .string(count.department),
                        "district": .string(count.district), "received": .number(Double(count.received)),
                        "completedOnTime": .number(Double(count.completedOnTime)),
                        "completedLate": .number(Double(count.completedLate)),
                        "closedWithoutResult": .number(Double(count.closedWithoutResult)),
                        "open": .number(Double(count.open)), "overdue": .number(Double(count.overdue)),
                    ]
                )
            }
        }
    }
}

/// `taizhou bundle`: one-thing bundles.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "One-thing bundles: one application across several departments.",
        subcommands: [List.self, Submit.self, Status.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bundles and their parts.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var source: CatalogueOptions
        func run() throws {
            for bundle in try source.load().bundles {
                output.emit(
                    "\(bundle.code): \(bundle.name) — \(bundle.parts.joined(separator: " + "))",
                    json: [
                        "code": .string(bundle.code), "name": .string(bundle.name),
                        "parts": .array(bundle.parts.map { .string($0) }),
                    ]
                )
            }
        }
    }

    static func emit(_ status: BundleStatus, desk: ApplicationService, output: OutputOptions) throws {
        output.emit(
            "\(status.id) (\(status.bundle)): \(status.isDone ? "done" : "in progress"), \(status.parts.filter(\.state.isFinal).count) of \(status.parts.count) parts final",
            json: [
                "id": .string(status.id), "bundle": .string(status.bundle), "done": .bool(status.isDone),
                "parts": .array(status.parts.map { .object(["id": .string($0.id), "state": .string($0.state.name)]) }),
                "results": .object(JSONObject(status.results.mapValues { JSONValue.string($0) })),
            ]
        )
        if !output.json { for part in status.parts { try emitApplication(part, desk: desk, output: output) } }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit one application for a bundle.")
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var who: ApplicantOptions
        @Option(help: "The bundle application's id (each part's is ID/SERVICE).") var id: String
        @Option(help: "The bundle's code.") var bundle: String
        @OptionGroup var materials: MaterialOptions
        func run() async throws {
            let desk = try await desk.open(verifier: try materials.verifier())
            let (applicant, district, supplied) = (try who.applicant, try who.division, try materials.supplied())
            let status = try await reportingErrors {
                try await desk.submit(
                    id: id,
                    bundle: bundle,
                    applicant: applicant,
                    district: district,
                    materials: supplied,
                    by: self.desk.actor
                )
            }
            try BundleCommand.emit(status, desk: desk, output: output)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a bundle application: each part and the results."
        )
        @OptionGroup var desk: DeskOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The bundle's code.") var bundle: String
        @Argument(help: "The bundle application's id.") var id: String
        func run() async throws {
            let desk = try await desk.open(.existing)
            let status = try await reportingErrors { try await desk.bundleStatus(id, bundle: bundle) }
            try BundleCommand.emit(status, desk: desk, output: output)
        }
    }
}
