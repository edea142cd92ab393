import Foundation
import Logging
import ServiceLifecycle
import SocietyAssistance
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyExchangeClient
import SocietyGateway
import SocietySynthetic

/// `demo --network`: each data-source department behind its own gateway on a loopback port, and
/// civil affairs calling them over HTTP — the same envelopes as in process, now through the network.
final class DemoNetwork: Sendable {
    /// The gateway URL of each verification service.
    let urls: [String: String]
    private let client: ExchangeClient
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(urls: [String: String], client: ExchangeClient, group: ServiceGroup, running: Task<Void, any Error>) {
        self.urls = urls
        self.client = client
        self.group = group
        self.running = running
    }

    /// Starts one gateway per department in `sources`, each answering its `*.facts` service from
    /// its own store (response cache and audit log there too), on a free port of 127.0.0.1.
    static func start(
        _ government: DemoGovernment,
        sources: [DataSourceDepartment: OpenedDepartment],
        caller: ExchangePorts,
        logger: Logger
    ) async throws -> DemoNetwork {
        let (bound, boundSink) = AsyncStream.makeStream(of: (String, Int).self)
        var services: [any Service] = []
        for department in DataSourceDepartment.allCases {
            guard let source = sources[department] else { continue }
            let service = DemoGovernment.service(of: department)
            let store = source.ports.store
            let gateway = ExchangeGateway(
                responder: ExchangeResponder(
                    exchange: try source.exchange(trustList: government.trustList),
                    trustList: government.trustList,
                    crypto: source.ports.crypto,
                    clock: source.ports.clock,
                    handlers: [
                        VerificationHandler(service: service) { residents in
                            try await DepartmentFacts.lookup(residents, in: store)
                        }
                    ]
                ),
                responses: ResponseCache(store: store, crypto: source.ports.crypto, clock: source.ports.clock),
                auditLog: source.auditLog,
                crypto: source.ports.crypto,
                logger: logger
            )
            let app = GatewayServer.application(gateway: gateway, host: "127.0.0.1", port: 0, logger: logger) { port in
                boundSink.yield((service, port))
            }
            services += [app, gateway]
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger)
        )
        let running = Task { try await group.run() }
        var urls: [String: String] = [:]
        for await (service, port) in bound {
            urls[service] = "http://127.0.0.1:\(port)"
            if urls.count == services.count / 2 { break }
        }
        let client = ExchangeClient(
            exchange: caller,
            trustList: government.trustList,
            crypto: government.deployment.crypto,
            clock: government.deployment.configuration.clock
        )
        return DemoNetwork(urls: urls, client: client, group: group, running: running)
    }

    /// Sends a sealed request for `service` to its department's gateway and returns the answer.
    func send(_ request: String, service: String) async throws -> String {
        guard let url = urls[service] else { throw VerificationError.noResponder(service) }
        return try await client.send(request, to: url)
    }

    /// Closes the client and shuts every gateway down gracefully.
    func stop() async throws {
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
