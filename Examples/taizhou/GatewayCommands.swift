import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SocietyAssistance
import SocietyCertificates
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyExchangeClient
import SocietyGateway
import SocietyJSON
import SocietyMarketplace
import SocietySynthetic

/// `taizhou gateway serve`: one party's security server for the state folder's deployment.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Serve a party's data services over HTTP (the exchange gateway).",
        subcommands: [Serve.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve PARTY's data services from its store until SIGTERM or SIGINT.",
            discussion: """
                PARTY is CREDITCODE/SUBSYSTEM, or the subsystem alone when the trust list (--trust, default \
                the state folder's trust.json) names one party with it — after `taizhou demo`, e.g. labour. The \
                gateway answers every service the trust list says PARTY provides and the reference handlers \
                know (the demo departments' *.facts services: household economic verification), from PARTY's \
                store in the state folder. POST /v1/exchange takes one envelope; GET /openapi.json describes \
                every route. Requests over the tool's input limit (TAIZHOU_MAX_INPUT, 8 MiB) get 413. On \
                SIGTERM or SIGINT, readiness turns 503 and requests in flight finish before it exits.
                """
        )

        @Option(help: "The party to serve: CREDITCODE/SUBSYSTEM, or its subsystem.") var party: String
        @Option(help: "The party's department (its store) in the state folder (default: its subsystem).")
        var department: String?
        @Option(
            help: """
                A status-list snapshot to publish at /v1/status-lists/revocation and …/suspension (as \
                `taizhou cert publish|revoke|suspend|reinstate` write it), read again on every request.
                """
        )
        var statusLists: String?
        @Option(
            help: """
                The consent manager (CREDITCODE/SUBSYSTEM or subsystem, e.g. bigdata): requests from providers whose \
                agreement this department holds need a resident's consent, are metered, and are answered by the \
                party's other services from its facts — only the consented fields, about the consent's resident.
                """
        )
        var consentManager: String?
        @Option(help: "With --consent-manager: at most N calls a second from each provider (429 beyond).")
        var rateLimit: Int?
        @Option(help: "The address to listen on (loopback unless you mean otherwise).") var host = "127.0.0.1"
        @Option(help: "The port (0: any free port, printed when listening).") var port = 8080
        @Option(help: "A progress board folder (`taizhou board build --out DIR`) to publish at /board/.")
        var board: String?
        @OptionGroup var trustOptions: TrustOptions

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 … 65535") }
            if let rateLimit {
                guard consentManager != nil else { throw ValidationError("--rate-limit needs --consent-manager") }
                guard rateLimit >= 1 else { throw ValidationError("--rate-limit must be at least 1") }
            }
        }

        mutating func run() async throws {
            let list = try trustOptions.load()
            let me = try ExchangeCommand.resolve(party, in: list)
            let state = trustOptions.state
            let (deployment, opened) = try state.department(department ?? me.subsystem, party: me, access: .existing)
            var consents: ConsentRegistry?
            if let consentManager {
                let manager = try ExchangeCommand.resolve(consentManager, in: list)
                let agreements = try await reportingErrors {
                    try await opened.ports.store.read(purpose: ConsentRegistry.Purposes.check) { db in
                        try await db.fetch(RecordQuery<AgreementRecord>.all)
                    }
                }
                consents = ConsentRegistry(
                    ports: opened.ports,
                    trustList: list,
                    manager: manager,
                    providers: Set(agreements.map(\.provider)),
                    rateLimit: rateLimit
                )
            }
            let handlers = ReferenceHandlers.handlers(for: me, trustList: list, department: opened, consents: consents)
            guard !handlers.isEmpty else {
                throw failure(
                    status: ExitStatus.refused,
                    "the trust list names no service of \(me) that the reference handlers answer (*.facts)"
                )
            }
            let signedText = String(decoding: try readInput(trustOptions.trustPath), as: UTF8.self)
            var logger = state.logging.logger
            logger[metadataKey: "component"] = "gateway"
            let gateway = try await reportingErrors {
                ExchangeGateway(
                    responder: ExchangeResponder(
                        exchange: try opened.exchange(trustList: list, consentCheck: consents),
                        trustList: list,
                        crypto: deployment.crypto,
                        clock: deployment.configuration.clock,
                        handlers: handlers
                    ),
                    responses: ResponseCache(
                        store: opened.ports.store,
                        crypto: deployment.crypto,
                        clock: deployment.configuration.clock
                    ),
                    auditLog: opened.auditLog,
                    crypto: deployment.crypto,
                    publications: GatewayPublications(
                        trustList: PublishedDocument(
                            text: signedText,
                            version: list.version,
                            mediaType: "application/jose+json"
                        ),
                        checkpointKey: (try deployment.signingKey(of: me), "\(me.text)/audit"),
                        board: try board.map { folder in
                            do {
                                return try PublishedPage(folder: URL(fileURLWithPath: folder))
                            } catch {
                                throw failure(
                                    status: ExitStatus.io,
                                    "--board \(folder): no readable index.html (\(error))"
                                )
                            }
                        },
                        statusList: { [statusLists] id in
                            guard let statusLists else { return nil }
                            return try StatusListFile.published(id, from: statusLists, preferring: me)
                        }
                    ),
                    limits: GatewayLimits(maximumRequestBytes: InputLimit.bytes),
                    logger: logger
                )
            }
            let host = host
            let services = handlers.map(\.service).sorted().joined(separator: ", ")
            let app = GatewayServer.application(gateway: gateway, host: host, port: port, logger: logger) { bound in
                // Unbuffered: a script waiting for the port reads this line at once.
                FileHandle.standardOutput.write(
                    Data("gateway for \(me) on http://\(host):\(bound) — services: \(services)\n".utf8)
                )
            }
            let group = ServiceGroup(
                services: [app, gateway],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
            do {
                try await group.run()
            } catch {
                throw failure(status: ExitStatus.io, "the gateway stopped: \(error)")
            }
            print("gateway for \(me) stopped")
        }
    }
}

/// `taizhou exchange call`: seal a request as one party, send it to another's gateway, open the answer.
struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Call another party's gateway with a sealed request.",
        subcommands: [Call.self]
    )

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal DATA.json as PARTY for service SVC, POST it to URL, and print the opened answer.",
            discussion: """
                The request is addressed to the provider the trust list names for SVC, declared at the \
                catalogue's grade and encrypted when that is important or core. Sending again after a lost \
                answer sends the same envelope (the gateway answers it from its cache); a refusal prints the \
                gateway's check and exits 1. Identity numbers, bank card numbers and mobile numbers in the \
                answer print masked unless --reveal.
                """
        )

        @Option(name: .customLong("as"), help: "The calling party: CREDITCODE/SUBSYSTEM, or its subsystem.")
        var caller: String
        @Option(
            help:
                "The caller's department in the state folder: its audit log and replay guard (default: its subsystem)."
        )
        var department: String?
        @Option(help: "The gateway's base URL, e.g. http://127.0.0.1:8080.") var url: String
        @Option(help: "The data service id.") var svc: String
        @Option(help: "Why the data is asked for.") var purpose: String
        @Option(help: "The resident's consent the request is made under (a provider's request).") var consent: String?
        @Option(help: "Seconds to wait for one attempt.") var timeout = 30
        @Flag(help: "Print personal values unmasked (the access is the operator's responsibility).") var reveal = false
        @OptionGroup var trustOptions: TrustOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's data (JSON; standard input when omitted or \"-\").") var data: String?

        func validate() throws {
            guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1 … 600 seconds") }
        }

        mutating func run() async throws {
            let list = try trustOptions.load()
            let me = try ExchangeCommand.resolve(caller, in: list)
            let purpose = try validated(purpose, as: "purpose", Purpose.init)
            guard let service = list.service(withID: svc) else {
                throw failure(status: ExitStatus.badInput, "service \(svc) is not in the trust list's catalogue")
            }
            let payload = try readJSON(data)
            let (deployment, opened) = try trustOptions.state.department(
                department ?? me.subsystem,
                party: me,
                access: .existing
            )
            let client = ExchangeClient(
                exchange: try await reportingErrors { try opened.exchange(trustList: list) },
                trustList: list,
                crypto: deployment.crypto,
                clock: deployment.configuration.clock,
                timeout: .seconds(timeout)
            )
            let answer: OpenedEnvelope
            do {
                answer = try await client.call(
                    url,
                    EnvelopeDraft(
                        audience: service.provider,
                        service: svc,
                        purpose: purpose,
                        data: payload,
                        consent: consent
                    )
                )
            } catch ExchangeClientError.refused(let problem) {
                try? await client.shutdown()
                throw failure("refused (\(problem.check)): HTTP \(problem.status), \(problem.detail)")
            } catch let error as EnvelopeError {
                try? await client.shutdown()
                throw failure("the answer was refused (\(error.check)): \(error)")
            } catch {
                try? await client.shutdown()
                throw failure("\(error)")
            }
            try? await client.shutdown()
            let shown = reveal ? answer.claims.data : OutputMasking.mask(answer.claims.data)
            output.emit(
                "answer from \(answer.claims.issuer) (\(answer.isEncrypted ? "encrypted, " : "")signed by \(answer.kid)):\n"
                    + shown.description,
                json: .object([
                    "issuer": .string(answer.claims.issuer.text), "service": .string(svc),
                    "encrypted": .bool(answer.isEncrypted), "data": shown,
                ])
            )
        }
    }

    /// A party from its text, or from a subsystem the trust list gives exactly one party.
    static func resolve(_ text: String, in list: TrustList) throws -> Party {
        if text.contains("/") { return try validated(text, as: "party", Party.init) }
        let matches = list.parties.map(\.party).filter { $0.subsystem == text }
        guard matches.count == 1, let party = matches.first else {
            throw failure(
                status: ExitStatus.badInput,
                matches.isEmpty
                    ? "no party with subsystem \(text) on the trust list; give CREDITCODE/SUBSYSTEM"
                    : "several parties have subsystem \(text); give CREDITCODE/SUBSYSTEM"
            )
        }
        return party
    }
}

/// The handlers the tool's gateway serves: each `*.facts` service the trust list says a party
/// provides, answered from the party's `DepartmentFacts` records (the demo's data-source
/// departments) for the household economic verification.
enum ReferenceHandlers {
    static func handlers(
        for party: Party,
        trustList: TrustList,
        department: OpenedDepartment,
        consents: ConsentRegistry? = nil
    ) -> [any ExchangeHandler] {
        let store = department.ports.store
        let mine = trustList.services.filter { $0.provider == party }
        var handlers: [any ExchangeHandler] = mine.filter { $0.id.hasSuffix(".facts") }.map { service in
            VerificationHandler(service: service.id) { residents in
                try await DepartmentFacts.lookup(residents, in: store)
            }
        }
        guard let consents else { return handlers }
        for service in mine where !service.id.hasSuffix(".facts") {
            handlers.append(ConsentedFacts.handler(service.id, store: store, consents: consents))
        }
        return handlers
    }
}

extension DepartmentFacts {
    /// The facts a department holds on each of `residents` (those it does not know left out), read
    /// with the verification purpose.
    static func lookup(_ residents: [ResidentID], in store: any RecordStore) async throws -> [ResidentID: JSONObject] {
        try await store.read(purpose: VerificationService.purpose) { db in
            var found: [ResidentID: JSONObject] = [:]
            for resident in residents {
                if let record = try await db.get(DepartmentFacts.self, key: RecordKey(sensitive: resident.unmasked)),
                    let object = record.facts.objectValue
                {
                    found[resident] = object
                }
            }
            return found
        }
    }
}

/// A department's facts shared with a provider under a resident's consent: the request names the
/// resident by the provider's pseudonym and the fields it wants; the exchange has already checked
/// the consent covers them (check 10) and counted the fetch, so the answer is those fields of the
/// consent's resident — the identity number never leaves.
enum ConsentedFacts {
    static let purpose = Purpose(constant: "marketplace.consented-answer")

    static func handler(_ service: String, store: any RecordStore, consents: ConsentRegistry) -> any ExchangeHandler {
        ClosureHandler(service: service) { request in
            let resident = try await consents.resident(of: request.claims.consent ?? "")
            let facts = try await store.read(purpose: purpose) { db in
                try await db.get(DepartmentFacts.self, key: RecordKey(sensitive: resident.unmasked))
            }
            guard let object = facts?.facts.objectValue else { throw ExchangeProblem.notFound("no facts held") }
            var answer = JSONObject()
            for case .string(let field) in request.claims.data["fields"]?.arrayValue ?? [] {
                answer[field] = object[field] ?? .null
            }
            return .object(answer)
        }
    }
}

/// The status lists `taizhou gateway serve --status-lists FILE` publishes.
enum StatusListFile {
    /// The list whose purpose is `id` (`revocation`, `suspension`) or whose URI is `id`, from the
    /// snapshot at `path` — `party`'s when the snapshot holds several issuers' — or `nil`.
    static func published(_ id: String, from path: String, preferring party: Party) throws -> PublishedDocument? {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let snapshot = try StatusListSnapshot(json: Array(bytes))
        let matching = snapshot.lists.values.filter { $0.purpose.rawValue == id || $0.id == id }
        let chosen = matching.count == 1 ? matching.first : matching.first { $0.issuer == party }
        return chosen.map { PublishedDocument(text: $0.compact, version: $0.version, mediaType: "application/vc+jwt") }
    }
}
