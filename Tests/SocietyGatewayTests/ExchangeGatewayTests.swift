import Foundation
import SocietyCore
import SocietyExchange
import SocietyGateway
import SocietyJSON
import Testing

/// The gateway's answers without HTTP: what each request gets, and what it leaves behind.
@Suite("Exchange gateway")
struct ExchangeGatewayTests {
    @Test("a request is opened, answered by its handler and sealed back with ref = the request's digest")
    func answered() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let request = try await fixture.sealed()
        let reply = await fixture.gateway.exchange(Array(request.utf8))
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/jose")
        let opened = try await fixture.consumer.opener.open(
            String(decoding: reply.body, as: UTF8.self),
            answering: request
        )
        #expect(opened.claims.data["employed"] == .bool(true))
        #expect(opened.claims.issuer == fixture.labour)
        #expect(!opened.isEncrypted)
    }

    @Test("important data is answered encrypted to the requester")
    func encrypted() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let request = try await fixture.sealed(GatewayFixture.income, data: ["month": "2026-11"], encrypted: true)
        let reply = await fixture.gateway.exchange(Array(request.utf8))
        #expect(reply.status == 200)
        let text = String(decoding: reply.body, as: UTF8.self)
        #expect(text.split(separator: ".").count == 5, "a compact JWE has five parts")
        let opened = try await fixture.consumer.opener.open(text, answering: request)
        #expect(opened.isEncrypted)
        #expect(opened.claims.data["income"] == .number(3_100))
    }

    @Test(
        "the same bytes again get the same answer without a second execution; another form of the envelope is a replay"
    )
    func idempotentRetry() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let request = try await fixture.sealed()
        let first = await fixture.gateway.exchange(Array(request.utf8))
        let again = await fixture.gateway.exchange(Array(request.utf8))
        #expect(first.status == 200 && again.status == 200)
        #expect(first.body == again.body)
        #expect(await fixture.calls.ids.count == 1)
        // The same JWS in the flattened JSON serialization: other bytes, the same jti.
        let parts = request.split(separator: ".").map(String.init)
        let json = JSONObject([
            "protected": .string(parts[0]), "payload": .string(parts[1]), "signature": .string(parts[2]),
        ])
        let reused = await fixture.gateway.exchange(try JSONValue.object(json).canonicalBytes())
        #expect(reused.status == 409)
        #expect(reused.problem?.check == "replay")
        #expect(await fixture.calls.ids.count == 1)
    }

    @Test("each refusal names its check with a fitting status and no personal value")
    func refusals() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let good = try await fixture.sealed(data: ["resident": "320102199001011234"])
        var cases: [(String, [UInt8], Int, String)] = [
            ("garbage", Array("hello, gateway".utf8), 400, "structure"),
            ("not UTF-8", [0x65, 0x79, 0xFF, 0xFE, 0x2E, 0x2E], 400, "structure"),
            ("truncated", Array(good.utf8.dropLast(good.utf8.count / 3)), 400, "structure"),
            ("empty", [], 400, "structure"),
        ]
        // Another envelope's signature on this one's header and payload.
        var parts = good.split(separator: ".").map(String.init)
        parts[2] = String(try await fixture.sealed().split(separator: ".")[2])
        cases.append(("tampered", Array(parts.joined(separator: ".").utf8), 401, "signature"))
        // A party the list names but does not grant the service.
        let strangerPorts = try fixture.deployment.department("market", party: fixture.stranger)
            .exchange(trustList: fixture.trustList)
        let ungranted = try await strangerPorts.sealer.seal(fixture.draft())
        cases.append(("not granted", Array(ungranted.utf8), 403, "access"))
        // Granted, but this gateway has no handler for it.
        cases.append(("no handler", Array(try await fixture.sealed(GatewayFixture.unhandled).utf8), 404, "service"))
        // The handler refuses the data.
        cases.append(("bad data", Array(try await fixture.sealed(data: ["name": "x"]).utf8), 422, "request-data"))
        // The handler fails: 500, the detail names only the service.
        cases.append(
            ("handler fails", Array(try await fixture.sealed(data: ["resident": "fail"]).utf8), 500, "handler")
        )
        for (name, body, status, check) in cases {
            let reply = await fixture.gateway.exchange(body)
            #expect(reply.status == status, "\(name)")
            #expect(reply.contentType == "application/problem+json", "\(name)")
            let problem = try #require(reply.problem, "\(name)")
            #expect(problem.check == check, "\(name): \(problem)")
            #expect(problem.status == status)
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(!text.contains("320102199001011234"), "\(name)")
            #expect(!text.contains("CocoaError") && !text.contains("file"), "\(name): \(text)")
        }
    }

    @Test("a body over the limit is refused before anything is opened")
    func tooLarge() async throws {
        let fixture = try GatewayFixture(limits: GatewayLimits(maximumRequestBytes: 1_024))
        defer { fixture.remove() }
        let before = try await fixture.provider.auditLog.size()
        let reply = await fixture.gateway.exchange([UInt8](repeating: 0x41, count: 1_025))
        #expect(reply.status == 413)
        #expect(reply.problem?.check == "size")
        #expect(try await fixture.provider.auditLog.size() == before, "nothing opened, nothing audited")
    }

    @Test("every exchange is in the provider's audit log, and the checkpoint covers it")
    func audited() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let before = try await fixture.provider.auditLog.size()
        let reply = await fixture.gateway.exchange(Array(try await fixture.sealed().utf8))
        #expect(reply.status == 200)
        let after = try await fixture.provider.auditLog.size()
        #expect(after > before)
        var actions: [String] = []
        for index in before..<after { actions.append(try await fixture.provider.auditLog.entry(at: index).action) }
        #expect(actions.contains("exchange.open"))
        #expect(actions.contains { $0.hasPrefix("exchange.seal") })
        let checkpoint = await fixture.gateway.checkpoint()
        #expect(checkpoint.status == 200)
        let signed = try SignedCheckpoint(text: String(decoding: checkpoint.body, as: UTF8.self))
        #expect(signed.checkpoint.size >= after)
        #expect(signed.keyName == "labour.test/audit")
    }

    @Test("the trust list is published with its version and entity tag; a matching If-None-Match gets 304")
    func trustList() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let reply = fixture.gateway.trustList()
        #expect(reply.status == 200)
        let parsed = try SignedTrustList(parsing: String(decoding: reply.body, as: UTF8.self))
        #expect(parsed.list.version == 3)
        let tag = try #require(reply.headers.first { $0.0 == "ETag" }?.1)
        #expect(reply.headers.contains { $0 == ("X-Version", "3") })
        #expect(fixture.gateway.trustList(ifNoneMatch: tag).status == 304)
        #expect(fixture.gateway.trustList(ifNoneMatch: "\"v2-0000\"").status == 200)
    }

    @Test(
        "audit.proof: a party of an exchange gets its entries with inclusion proofs to a signed checkpoint; others do not"
    )
    func auditProof() async throws {
        let fixture = try GatewayFixture()
        defer { fixture.remove() }
        let request = try await fixture.sealed()
        #expect(await fixture.gateway.exchange(Array(request.utf8)).status == 200)
        let ask = EnvelopeDraft(
            audience: fixture.labour,
            service: AuditProofHandler.serviceID,
            purpose: GatewayFixture.auditPurpose,
            data: .object(["envelope": .string(request)])
        )
        let asking = try await fixture.consumer.sealer.seal(ask)
        let reply = await fixture.gateway.exchange(Array(asking.utf8))
        #expect(reply.status == 200, "\(reply.problem.map { "\($0)" } ?? "")")
        let answer = try await fixture.consumer.opener.open(
            String(decoding: reply.body, as: UTF8.self),
            answering: asking
        )
        let checkpoint = try SignedCheckpoint(text: try #require(answer.claims.data["checkpoint"]?.stringValue))
        let entries = try #require(answer.claims.data["entries"]?.arrayValue)
        #expect(entries.contains { $0["action"] == .string("exchange.open") })
        let tree = MerkleTree(algorithm: fixture.provider.ports.profile.digest, provider: fixture.deployment.crypto)
        for entry in entries {
            let leaf = try #require(entry["leaf"]?.stringValue.flatMap(Base64URL.decode))
            let proof = try #require(entry["proof"]?.arrayValue).compactMap { $0.stringValue.flatMap(Base64URL.decode) }
            let index = Int(try #require(entry["index"]?.doubleValue))
            #expect(
                try tree.verifyInclusion(
                    leafHash: try tree.leafHash(leaf),
                    index: index,
                    treeSize: checkpoint.checkpoint.size,
                    proof: proof,
                    rootHash: checkpoint.checkpoint.rootHash
                )
            )
            #expect(try AuditEntry(canonicalBytes: leaf).action == entry["action"]?.stringValue)
        }
        // A party granted the service but not named in the envelope is refused.
        let stranger = try fixture.deployment.department("market", party: fixture.stranger)
            .exchange(trustList: fixture.trustList)
        let prying = try await stranger.sealer.seal(ask)
        let refused = await fixture.gateway.exchange(Array(prying.utf8))
        #expect(refused.status == 403)
        #expect(refused.problem?.check == "access")
    }
}
