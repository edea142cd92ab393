import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyExchangeClient
import SocietyGateway
import SocietyJSON
import Testing

/// Two departments of one deployment on real SQLite stores and OpenSSL keys: civil affairs calls,
/// labour answers `labour.employment` (general data) and `labour.income` (important data, so
/// encrypted both ways) through a gateway.
struct GatewayFixture: Sendable {
    static let purpose = Purpose(constant: "assistance.verification")
    static let employment = "labour.employment"
    static let income = "labour.income"
    static let unhandled = "labour.training"
    static let auditPurpose = Purpose(constant: "audit.verification")

    let folder: URL
    let deployment: Deployment
    let civil: Party
    let labour: Party
    let stranger: Party
    let trustList: TrustList
    let consumer: ExchangePorts
    let gateway: ExchangeGateway
    let provider: OpenedDepartment

    /// What the employment handler was asked, in order (to see a retry is not executed twice).
    let calls: CallLog

    init(
        limits: GatewayLimits = GatewayLimits(),
        handlerDelay: Duration = .zero,
        profile: CryptoProfile = .standard,
        board: PublishedPage? = nil
    )
        throws
    {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)")
        deployment = try Deployment(DeploymentConfiguration(stateFolder: folder, profile: profile))
        civil = try Party("91320214745555318W/civil-affairs")
        labour = try Party("113212000142871106/labour")
        stranger = try Party("91320214745555318W/market")
        var list = TrustList(version: 3, issuedAt: Date() - 60, nextUpdate: Date() + 86_400)
        list.parties = [
            try deployment.trustEntry(of: civil, name: "civil affairs"),
            try deployment.trustEntry(of: labour, name: "labour"),
            try deployment.trustEntry(of: stranger, name: "market supervision"),
        ]
        let purpose = GatewayFixture.purpose
        list.services = [
            DataService(
                id: GatewayFixture.employment,
                provider: labour,
                fields: [.init(name: "employed", level: .general, sensitivity: .public)],
                purposes: [purpose]
            ),
            DataService(
                id: GatewayFixture.income,
                provider: labour,
                fields: [.init(name: "income", level: .important, sensitivity: .personal)],
                purposes: [purpose]
            ),
            DataService(id: GatewayFixture.unhandled, provider: labour, fields: [], purposes: [purpose]),
            DataService(
                id: AuditProofHandler.serviceID,
                provider: labour,
                fields: [],
                purposes: [GatewayFixture.auditPurpose]
            ),
        ]
        list.grants = [
            AccessGrant(
                consumer: civil,
                service: GatewayFixture.employment,
                purposes: [purpose]
            ),
            AccessGrant(consumer: civil, service: GatewayFixture.income, purposes: [purpose]),
            AccessGrant(consumer: civil, service: GatewayFixture.unhandled, purposes: [purpose]),
            AccessGrant(consumer: civil, service: AuditProofHandler.serviceID, purposes: [GatewayFixture.auditPurpose]),
            AccessGrant(
                consumer: stranger,
                service: AuditProofHandler.serviceID,
                purposes: [GatewayFixture.auditPurpose]
            ),
        ]
        trustList = list
        consumer = try deployment.department("civil-affairs", party: civil).exchange(trustList: list)
        provider = try deployment.department("labour", party: labour)
        let calls = CallLog()
        self.calls = calls
        let handlers: [any ExchangeHandler] = [
            ClosureHandler(service: GatewayFixture.employment) { request in
                await calls.append(request.claims.id)
                if handlerDelay > .zero { try await Task.sleep(for: handlerDelay) }
                guard let resident = request.claims.data["resident"]?.stringValue else {
                    throw ExchangeProblem.requestData("no \"resident\"")
                }
                if resident == "fail" { throw CocoaError(.fileNoSuchFile) }
                return .object(["resident": .string(resident), "employed": .bool(true)])
            },
            ClosureHandler(service: GatewayFixture.income) { request in
                .object(["income": .number(3_100), "month": request.claims.data["month"] ?? .null])
            },
        ]
        let ports = try provider.exchange(trustList: list)
        let signing = try deployment.signingKey(of: labour)
        let proofs = AuditProofHandler(
            auditLog: provider.auditLog,
            crypto: deployment.crypto,
            digest: provider.ports.profile.digest,
            checkpointKey: (signing, "labour.test/audit")
        )
        let signedList = try SignedTrustList.sign(list, with: signing, kid: "root-test")
        gateway = ExchangeGateway(
            responder: ExchangeResponder(
                exchange: ports,
                trustList: list,
                crypto: deployment.crypto,
                clock: SystemWallClock(),
                handlers: handlers + [proofs]
            ),
            responses: ResponseCache(store: provider.ports.store, crypto: deployment.crypto, clock: SystemWallClock()),
            auditLog: provider.auditLog,
            crypto: deployment.crypto,
            publications: GatewayPublications(
                trustList: PublishedDocument(
                    text: signedList.text,
                    version: list.version,
                    mediaType: "application/jose+json"
                ),
                checkpointKey: (signing, "labour.test/audit"),
                board: board
            ),
            limits: limits,
            logger: GatewayFixture.quiet
        )
    }

    /// The gateway's log in tests: warnings and errors only (a line per exchange would bury the run's output).
    static let quiet: Logger = {
        var logger = Logger(label: "digitalsociety.gateway.test")
        logger.logLevel = .warning
        return logger
    }()

    /// A request from civil affairs for `service`.
    func draft(_ service: String = GatewayFixture.employment, data: JSONObject = ["resident": "R1"]) -> EnvelopeDraft {
        EnvelopeDraft(
            audience: labour,
            service: service,
            purpose: GatewayFixture.purpose,
            level: trustList.service(withID: service)?.level ?? .general,
            data: .object(data)
        )
    }

    /// A request sealed by civil affairs.
    func sealed(
        _ service: String = GatewayFixture.employment,
        data: JSONObject = ["resident": "R1"],
        encrypted: Bool = false
    ) async throws -> String {
        guard encrypted else { return try await consumer.sealer.seal(draft(service, data: data)) }
        let recipient = try EnvelopeRecipient(
            party: labour,
            trustList: trustList,
            crypto: deployment.crypto,
            at: Date()
        )
        return try await consumer.sealer.seal(draft(service, data: data), encryptingTo: recipient)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// The ids a handler saw.
actor CallLog {
    private(set) var ids: [String] = []
    func append(_ id: String) { ids.append(id) }
}

/// A gateway served over HTTP on a free loopback port for the length of `body`, then shut down
/// gracefully.
func serving<T: Sendable>(
    _ gateway: ExchangeGateway,
    _ body: @Sendable (_ url: String, _ port: Int, _ group: ServiceGroup) async throws -> T
) async throws -> T {
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = GatewayServer.application(gateway: gateway, host: "127.0.0.1", port: 0) { port in
        portSink.yield(port)
    }
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(services: [.init(service: app)], logger: Logger(label: "test"))
    )
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw GatewayTestFailure("the server did not start") }
        do {
            let result = try await body("http://127.0.0.1:\(port)", port, group)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

struct GatewayTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
