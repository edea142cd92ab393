import Foundation
import SocietyCore
import SocietyDeployment
import SocietyJSON
import SocietyPostgres
import SocietyPostgresDeployment
import Testing

@testable import SocietyExchange

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Two `taizhou gateway serve` processes for one party on one PostgreSQL store: they share the
/// replay guard and the response cache, as gateways behind one load balancer must.
@Suite("taizhou gateway on PostgreSQL", .serialized)
struct GatewayPostgresCLITests {
    /// POSTs `body` to `url`/v1/exchange; the status and the body.
    func post(_ body: String, to url: String) async throws -> (Int, String) {
        guard let endpoint = URL(string: "\(url)/v1/exchange") else { throw URLError(.badURL) }
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        request.setValue("application/jose", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test(
        "an envelope answered by one gateway process is answered again (same bytes) by the other, and an envelope id replayed to the other is refused"
    )
    func twoProcesses() async throws {
        let url = try await PostgresCLITests.freshDatabase()
        let work = try PostgresCLITests.folder("gateways")
        defer { try? FileManager.default.removeItem(at: work) }
        let state = work.appendingPathComponent("state")
        let demo = try CLIRunner.run(
            ["demo", "--residents", "1000", "--applications", "3", "--state", state.path, "--store", url]
        )
        #expect(demo.status == 0, "\(demo.standardError)")

        let first = try await GatewayProcess.start(["--party", "hrss", "--state", state.path, "--store", url])
        defer { _ = first.stop() }
        let second = try await GatewayProcess.start(["--party", "hrss", "--state", state.path, "--store", url])
        defer { _ = second.stop() }
        let firstURL = first.url
        let secondURL = second.url

        // A request sealed by civil affairs from the same deployment, as its own process would.
        let deployment = try Deployment(
            DeploymentConfiguration(
                stateFolder: state,
                stores: PostgresStoreFactory(location: try PostgresLocation(url: url))
            )
        )
        let signed = try SignedTrustList(
            parsing: String(decoding: try Data(contentsOf: state.appendingPathComponent("trust.json")), as: UTF8.self)
        )
        let list = signed.list
        let civil = try #require(list.parties.map(\.party).first { $0.subsystem == "assistance" })
        let hrss = try #require(list.service(withID: "hrss.facts"))
        let ports = try deployment.department("civil-affairs", party: civil, access: .existing).exchange(
            trustList: list
        )
        let draft = EnvelopeDraft(
            audience: hrss.provider,
            service: hrss.id,
            purpose: Purpose(constant: "assistance.verification"),
            level: hrss.level,
            data: .object(["residents": .array([.string("11010519491231002X")])])
        )
        let recipient = try EnvelopeRecipient(
            party: hrss.provider,
            trustList: list,
            crypto: deployment.crypto,
            at: Date()
        )
        let request = try await ports.sealer.seal(draft, encryptingTo: recipient)

        let (status1, answer1) = try await post(request, to: firstURL)
        #expect(status1 == 200, "\(answer1)")
        // The answer was lost; the caller re-sends the same bytes, and a load balancer picks the other process.
        let (status2, answer2) = try await post(request, to: secondURL)
        #expect(status2 == 200, "\(answer2)")
        #expect(answer1 == answer2, "the same answer from the shared cache, not a second execution")
        let opened = try await ports.opener.open(answer2, answering: request)
        #expect(opened.claims.data["facts"] != nil)

        // One signed envelope encrypted twice: other bytes, the same envelope id. The first copy is
        // answered by one process; the second, sent to the other, is a replay (one shared guard).
        let inner = try await ports.sealer.seal(draft)
        let sealing = ConfidentialSealing(crypto: deployment.crypto)
        let copyA = try sealing.encrypt(inner, issuer: civil, recipient: recipient, fixed: nil)
        let copyB = try sealing.encrypt(inner, issuer: civil, recipient: recipient, fixed: nil)
        #expect(copyA != copyB)
        let (statusA, _) = try await post(copyA, to: firstURL)
        #expect(statusA == 200)
        let (statusB, problem) = try await post(copyB, to: secondURL)
        #expect(statusB == 409, "\(problem)")
        #expect(problem.contains(#""check":"replay""#))

        #expect(first.stop() == 0 && second.stop() == 0)
    }
}
