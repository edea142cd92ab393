import AsyncHTTPClient
import Foundation
import InteropSupport
import SocietyCore
import SocietyExchange
import SocietyExchangeClient
import SocietyGateway
import SocietyJSON
import Testing

/// The gateway over real HTTP on loopback: the client, bad and hostile requests, many connections,
/// shutdown, and the routes against the OpenAPI document.
@Suite("Gateway over HTTP")
struct GatewayHTTPTests {
    func client(_ fixture: GatewayFixture) -> ExchangeClient {
        ExchangeClient(
            exchange: fixture.consumer,
            trustList: fixture.trustList,
            crypto: fixture.deployment.crypto,
            clock: SystemWallClock(),
            timeout: .seconds(120),
            retries: 1
        )
    }

    @Test("the client seals, posts and opens the answer; important data travels encrypted both ways")
    func clientCalls() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let client = client(fixture)
        try await serving(fixture.gateway) { url, _, _ in
            let plain = try await client.call(url, fixture.draft())
            #expect(plain.claims.data["employed"] == .bool(true))
            #expect(!plain.isEncrypted)
            let secret = try await client.call(url, fixture.draft(GatewayFixture.income, data: ["month": "2026-11"]))
            #expect(secret.isEncrypted)
            #expect(secret.claims.data["income"] == .number(3_100))
            // A refusal reaches the caller as the gateway's problem, naming the check.
            do {
                _ = try await client.call(url, fixture.draft(GatewayFixture.unhandled))
                Issue.record("an unhandled service was answered")
            } catch ExchangeClientError.refused(let problem) {
                #expect(problem.status == 404 && problem.check == "service")
            }
        }
        try await client.shutdown()
    }

    @Test("a re-sent request gets the same answer over HTTP; the trace id comes back in traceparent")
    func retryAndTrace() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let request = try await fixture.sealed()
        let trace = try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        try await serving(fixture.gateway) { _, port, _ in
            var answers: [String] = []
            for _ in 0..<2 {
                let connection = try RawConnection(port: port)
                try connection.send(
                    "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\n"
                        + "traceparent: \(trace)\r\nContent-Length: \(request.utf8.count)\r\n\r\n\(request)"
                )
                let response = try await connection.awaitResponse()
                #expect(response.status == 200)
                let echoed = try #require(response.headers["traceparent"].flatMap(TraceParent.init(header:)))
                #expect(echoed.traceID == trace.traceID)
                #expect(echoed.parentID != trace.parentID, "the gateway's own span")
                answers.append(String(decoding: response.body, as: UTF8.self))
            }
            #expect(answers[0] == answers[1])
            #expect(await fixture.calls.ids.count == 1)
        }
    }

    @Test(
        "hostile requests: 413 from Content-Length before the body, 408 for a slow body, 415, 400, 404, 405 with Allow"
    )
    func hostile() async throws {
        let fixture = try GatewayFixture(limits: GatewayLimits(maximumRequestBytes: 4_096, bodyTimeout: .seconds(1)))
        defer { fixture.remove() }
        try await serving(fixture.gateway) { _, port, _ in
            // Announces 100 MB and sends none of it: refused at once, not after reading.
            let huge = try RawConnection(port: port)
            try huge.send(
                "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: 100000000\r\n\r\n"
            )
            let tooLarge = try await huge.awaitResponse()
            #expect(tooLarge.status == 413)
            #expect(ExchangeProblem(json: tooLarge.body)?.check == "size")
            // A chunked body that passes the limit.
            let chunked = try RawConnection(port: port)
            let piece = String(repeating: "A", count: 3_000)
            try chunked.send(
                "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "bb8\r\n\(piece)\r\nbb8\r\n\(piece)\r\n0\r\n\r\n"
            )
            #expect(try await chunked.awaitResponse().status == 413)
            // Announces 100 bytes, sends 10, then stalls: 408 after the body timeout.
            let slow = try RawConnection(port: port)
            try slow.send(
                "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: 100\r\n\r\n0123456789"
            )
            let timedOut = try await slow.awaitResponse()
            #expect(timedOut.status == 408)
            #expect(ExchangeProblem(json: timedOut.body)?.check == "timeout")
            // Wrong media type, garbage, unknown route, a method the route does not take.
            let cases: [(String, Int, String)] = [
                (
                    "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
                    415, "media-type"
                ),
                (
                    "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: 5\r\n\r\n\u{1}\u{2}abc",
                    400, "structure"
                ),
                ("GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n", 404, "route"),
                ("DELETE /v1/trust-list HTTP/1.1\r\nHost: x\r\n\r\n", 405, "route"),
            ]
            for (request, status, check) in cases {
                let connection = try RawConnection(port: port)
                try connection.send(request)
                let response = try await connection.awaitResponse()
                #expect(response.status == status, "\(request.prefix(30))")
                #expect(response.headers["content-type"] == "application/problem+json", "\(request.prefix(30))")
                #expect(ExchangeProblem(json: response.body)?.check == check, "\(request.prefix(30))")
                if status == 405 { #expect(response.headers["allow"] == "GET") }
            }
        }
    }

    @Test("1,000 connections at once, each with a real envelope, are all answered")
    func thousandConnections() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        var requests: [String] = []
        for index in 0..<1_000 { requests.append(try await fixture.sealed(data: ["resident": .string("R\(index)")])) }
        let bodies = requests
        let statuses = try await serving(fixture.gateway) { _, port, _ in
            // Every connection is open and has sent its request before the first answer is read.
            let connections = try bodies.map { body -> RawConnection in
                let connection = try RawConnection(port: port)
                try connection.send(
                    "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                )
                return connection
            }
            var statuses: [Int] = []
            for connection in connections { statuses.append(try await connection.awaitResponse().status) }
            return statuses
        }
        #expect(statuses.count == 1_000)
        #expect(statuses.allSatisfy { $0 == 200 }, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
        #expect(await fixture.calls.ids.count == 1_000)
    }

    @Test("graceful shutdown lets a request in flight finish, answered and audited")
    func gracefulShutdown() async throws {
        let fixture = try GatewayFixture(handlerDelay: .milliseconds(800))
        defer { fixture.remove() }
        let request = try await fixture.sealed()
        let before = try await fixture.provider.auditLog.size()
        let status = try await serving(fixture.gateway) { _, port, group in
            let connection = try RawConnection(port: port)
            try connection.send(
                "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: \(request.utf8.count)\r\n\r\n\(request)"
            )
            try await Task.sleep(for: .milliseconds(200))
            fixture.gateway.beginDraining()
            await group.triggerGracefulShutdown()
            return try await connection.awaitResponse().status
        }
        #expect(status == 200)
        var actions: [String] = []
        let after = try await fixture.provider.auditLog.size()
        for index in before..<after { actions.append(try await fixture.provider.auditLog.entry(at: index).action) }
        #expect(actions.contains("exchange.open") && actions.contains { $0.hasPrefix("exchange.seal") })
        #expect(await fixture.gateway.readiness().status == 503)
    }

    @Test("the progress board at /board/ when published (no script allowed by its policy), 404 otherwise")
    func board() async throws {
        let page = Array(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><title>晾晒台</title></head><body>ok</body></html>".utf8
        )
        let fixture = try GatewayFixture(board: PublishedPage(html: page))
        defer { fixture.remove() }
        try await serving(fixture.gateway) { _, port, _ in
            for path in ["/board/", "/board"] {
                let connection = try RawConnection(port: port)
                try connection.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
                let answer = try await connection.awaitResponse()
                #expect(answer.status == 200 && answer.body == page, "\(path)")
                #expect(answer.headers["content-type"] == "text/html; charset=utf-8")
                #expect(answer.headers["content-security-policy"]?.hasPrefix("default-src 'none'") == true)
            }
        }
        let bare = try GatewayFixture()
        defer { bare.remove() }
        try await serving(bare.gateway) { _, port, _ in
            let connection = try RawConnection(port: port)
            try connection.send("GET /board/ HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try await connection.awaitResponse()
            #expect(answer.status == 404 && answer.headers["content-type"] == "application/problem+json")
        }
        // A folder without a page is refused when the gateway starts.
        #expect(throws: (any Error).self) {
            try PublishedPage(
                folder: FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID().uuidString)")
            )
        }
    }

    @Test("operational routes: health, readiness, metrics counting the exchanges, the OpenAPI document")
    func operational() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let request = try await fixture.sealed()
        try await serving(fixture.gateway) { _, port, _ in
            func get(_ path: String) async throws -> (status: Int, headers: [String: String], body: [UInt8]) {
                let connection = try RawConnection(port: port)
                try connection.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
                return try await connection.awaitResponse()
            }
            #expect(try await get("/healthz").status == 200)
            #expect(try await get("/readyz").status == 200)
            let exchange = try RawConnection(port: port)
            try exchange.send(
                "POST /v1/exchange HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: \(request.utf8.count)\r\n\r\n\(request)"
            )
            #expect(try await exchange.awaitResponse().status == 200)
            let metrics = String(decoding: try await get("/metrics").body, as: UTF8.self)
            #expect(
                metrics.contains(
                    #"exchange_requests_total{svc="labour.employment",outcome="answered",status="200"} 1"#
                ),
                "\(metrics)"
            )
            #expect(metrics.contains("exchange_request_duration_seconds_bucket"))
            let document = try await get("/openapi.json")
            #expect(document.status == 200)
            #expect(try JSONValue(parsing: document.body)["openapi"] == .string("3.1.0"))
            #expect(try await get("/v1/trust-list").status == 200)
            #expect(try await get("/v1/audit/checkpoint").status == 200)
            #expect(try await get("/v1/status-lists/none").status == 404)
        }
    }

    @Test("every route the server answers is in the OpenAPI document, and every documented one is answered")
    func routesMatchDocument() async throws {
        let document = try JSONValue(parsing: GatewayOpenAPI.document)
        guard case .object(let paths)? = document["paths"] else {
            Issue.record("no paths")
            return
        }
        var documented: Set<String> = []
        for member in paths {
            guard case .object(let operations) = member.value else { continue }
            for method in operations.keys { documented.insert("\(method.uppercased()) \(member.key)") }
        }
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        // Hummingbird writes a captured segment as `:id`, OpenAPI as `{id}`.
        let served = Set(
            GatewayServer.router(gateway: fixture.gateway).routes.map { route in
                let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                return "\(route.method) \(path)"
            }
        )
        #expect(!served.isEmpty)
        #expect(documented == served)
    }
}

/// The OpenAPI document checked by outside tools: openapi-spec-validator, and schemathesis against
/// a running gateway (Python from `Tests/Interop/requirements.txt`, provisioned on first use).
@Suite("Gateway OpenAPI conformance")
struct GatewayOpenAPITests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interop/openapi_check.py").path

    /// Runs the script's `arguments` with the provisioned Python, on a thread of its own.
    func check(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let python = try InteropPython.path()
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = [GatewayOpenAPITests.script] + arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let output = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                for pipe in [pipe] {
                    try? pipe.fileHandleForReading.close()
                    try? pipe.fileHandleForWriting.close()
                }
                continuation.resume(returning: (process.terminationStatus, String(decoding: output, as: UTF8.self)))
            }
        }
    }

    @Test("openapi-spec-validator accepts the document; schemathesis finds no 5xx and no undocumented answer")
    func conformance() async throws {
        let spec = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        try Data(GatewayOpenAPI.document.utf8).write(to: spec)
        defer { try? FileManager.default.removeItem(at: spec) }
        let validated = try await check(["validate", spec.path])
        #expect(validated.status == 0, "\(validated.output)")
        #expect(validated.output.contains("valid"))
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let fuzzed = try await serving(fixture.gateway) { url, _, _ in
            // A minute per request: the check is for 5xx and undocumented answers, not speed, and a
            // full test run on two cores (the 1,000-connection test beside it) once made one answer
            // take more than the default 10 s.
            try await check(["fuzz", spec.path, url, "--max-examples", "25", "--request-timeout", "60"])
        }
        #expect(fuzzed.status == 0, "\(fuzzed.output)")
        #expect(fuzzed.output.contains("0 failures"), "\(fuzzed.output)")
    }
}
