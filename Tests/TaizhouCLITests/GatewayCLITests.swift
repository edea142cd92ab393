import Foundation
import SocietyCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `taizhou demo --network`, `taizhou gateway serve` and `taizhou exchange call`, as separate
/// processes talking HTTP on loopback.
@Suite("taizhou gateway and exchange")
struct GatewayCLITests {
    func folder() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("demo --network verifies every application over HTTP, with the same outcome as in process")
    func demoNetwork() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLIRunner.run(
            ["demo", "--residents", "2000", "--applications", "12", "--network", "--state", directory.path]
        )
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            run.standardOutput.contains("12 applications, 168 envelopes exchanged (168 encrypted to their recipient)")
        )
        #expect(run.standardOutput.contains("Verified over HTTP: 7 department gateways on 127.0.0.1"))
        #expect(run.standardOutput.contains("every log verifies"))
    }

    @Test("gateway serve answers exchange call from another process; SIGTERM stops it cleanly")
    func serveAndCall() async throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try CLIRunner.run(["demo", "--residents", "1000", "--applications", "3", "--state", directory.path])
        #expect(demo.status == 0, "\(demo.standardError)")

        let server = try await GatewayProcess.start(["--party", "hrss", "--state", directory.path])
        defer { _ = server.stop() }
        let url = server.url
        let firstLine = server.firstLine
        #expect(firstLine.contains("services: hrss.facts"))

        let request = directory.appendingPathComponent("request.json")
        try Data(#"{"residents":["11010519491231002X"]}"#.utf8).write(to: request)
        let call = try CLIRunner.run([
            "exchange", "call", "--as", "assistance", "--department", "civil-affairs", "--url", url, "--svc",
            "hrss.facts", "--purpose", "assistance.verification", "--state", directory.path, "--json", request.path,
        ])
        #expect(call.status == 0, "\(call.standardError)")
        #expect(call.standardOutput.contains(#""encrypted":true"#))
        #expect(call.standardOutput.contains("1101**********002X"), "identity numbers masked, keys too")
        #expect(!call.standardOutput.contains("11010519491231002X"))

        // Not granted: the gateway's check comes back, exit status 1.
        let refused = try CLIRunner.run([
            "exchange", "call", "--as", "assistance", "--department", "civil-affairs", "--url", url, "--svc",
            "hrss.facts", "--purpose", "statistics", "--state", directory.path, request.path,
        ])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("refused (access): HTTP 403"), "\(refused.standardError)")

        #expect(server.stop() == 0)
    }

    @Test("gateway serve --status-lists publishes the issuer's signed status lists, re-read on every request")
    func statusLists() async throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        let demo = try CLIRunner.run(["demo", "--residents", "1000", "--applications", "2", "--state", state])
        #expect(demo.status == 0, "\(demo.standardError)")
        let key = try CLIRunner.run(["keys", "generate", "--alg", "ed25519", "--out", "issuer.pem"], in: directory)
        #expect(key.status == 0, "\(key.standardError)")
        let publish = try CLIRunner.run(
            [
                "cert", "publish", "--key", "issuer.pem", "--kid", "ecert-1", "--iss", "91320214745555318W/ecert",
                "--state", state,
            ],
            in: directory
        )
        #expect(publish.status == 0, "\(publish.standardError)")
        let snapshot = directory.appendingPathComponent("status.json").path

        let server = try await GatewayProcess.start(
            ["--party", "hrss", "--state", state, "--status-lists", snapshot]
        )
        defer { _ = server.stop() }
        let url = server.url
        func get(_ path: String) async throws -> (Int, String, String?) {
            let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url + path)))
            let http = response as? HTTPURLResponse
            return (
                http?.statusCode ?? 0, String(decoding: data, as: UTF8.self),
                http?.value(forHTTPHeaderField: "X-Version")
            )
        }
        let (status, body, version) = try await get("/v1/status-lists/revocation")
        #expect(status == 200)
        #expect(body.split(separator: ".").count == 3, "a compact JWS")
        #expect(version == "1")
        #expect(try await get("/v1/status-lists/nothing").0 == 404)
        // A new publication is served without a restart.
        let again = try CLIRunner.run(
            [
                "cert", "publish", "--key", "issuer.pem", "--kid", "ecert-1", "--iss", "91320214745555318W/ecert",
                "--state", state,
            ],
            in: directory
        )
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try await get("/v1/status-lists/suspension").2 == "2")
        #expect(server.stop() == 0)
    }
}
