import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import Testing

@Suite("Envelopes: seal and open")
struct EnvelopeTests {
    @Test("a sealed envelope opens with its claims intact", arguments: SignatureAlgorithm.allCases)
    func roundTrip(algorithm: SignatureAlgorithm) async throws {
        let city = try ExchangeFixture()
        let text = try await city.sealer(algorithm).seal(city.request())
        let opened = try await city.opener().open(text)
        #expect(opened.claims.issuer == city.civil)
        #expect(opened.claims.audience == city.hrss)
        #expect(opened.claims.service == ExchangeFixture.service)
        #expect(opened.claims.purpose == city.verification)
        #expect(opened.claims.level == .general)
        #expect(!opened.isEncrypted)
        #expect(opened.claims.data["note"]?.stringValue == "申请低保 核对就业")
        #expect(opened.claims.issuedAt == ExchangeFixture.epoch)
        #expect(opened.claims.expiresAt == ExchangeFixture.epoch.addingTimeInterval(300))
        #expect(opened.kid == "civil-\(algorithm.rawValue)")
        // The header is canonical JSON with the SDK's own typ.
        let header = try #require(Base64URL.decode(String(text.split(separator: ".")[0])))
        #expect(
            String(decoding: header, as: UTF8.self)
                == #"{"alg":"\#(algorithm.jwsName)","kid":"civil-\#(algorithm.rawValue)","typ":"tz-envelope+jws"}"#
        )
    }

    @Test("the SDK draws a fresh jti for every envelope")
    func uniqueIDs() async throws {
        let city = try ExchangeFixture()
        let sealer = try city.sealer(.ed25519)
        let opener = city.opener()
        var ids = Set<String>()
        for _ in 0..<50 { ids.insert(try await opener.open(try await sealer.seal(city.request())).claims.id) }
        #expect(ids.count == 50)
    }

    @Test("the JSON serialization opens like the compact one")
    func jsonSerialization() async throws {
        let city = try ExchangeFixture()
        let compact = try await city.sealer(.p256).seal(city.request())
        let json = try JWS(parsing: compact).flattenedJSON
        #expect(json.hasPrefix(#"{"payload":"#))
        #expect(try await city.opener().open(json).claims.issuer == city.civil)
    }

    @Test("a response carries the request's digest and opens only against that request")
    func requestResponse() async throws {
        let city = try ExchangeFixture()
        let request = try await city.sealer(.sm2).seal(city.request())
        let received = try await city.opener().open(request)
        let response = try await city.providerSealer(.sm2).seal(
            .response(to: received, data: ["employed": false, "monthlyWage": 0])
        )
        let consumer = city.opener(for: city.civil)
        let opened = try await consumer.open(response, answering: request)
        #expect(opened.claims.reference?.hasPrefix("sm3:") == true)
        #expect(opened.claims.data["employed"]?.boolValue == false)
        let other = try await city.sealer(.sm2).seal(city.request())
        await #expect(throws: EnvelopeError.requestMismatch) {
            try await city.opener(for: city.civil).open(response, answering: other)
        }
    }
}

@Suite("Envelopes: each failed check has its own error")
struct EnvelopeCheckTests {
    @Test("structure: garbage, a foreign JWT, an unknown alg")
    func structure() async throws {
        let city = try ExchangeFixture()
        let opener = city.opener()
        await #expect(throws: EnvelopeError.self) { try await opener.open("not an envelope") }
        // A JWT signed by a listed key but with typ "JWT" must not pass for an envelope.
        let sealed = try await city.sealer(.ed25519).seal(city.request())
        let parts = sealed.split(separator: ".").map(String.init)
        let jwtHeader = Base64URL.encode(Array(#"{"alg":"EdDSA","kid":"civil-ed25519","typ":"JWT"}"#.utf8))
        await #expect(throws: EnvelopeError.wrongType("JWT")) {
            try await opener.open("\(jwtHeader).\(parts[1]).\(parts[2])")
        }
        let noneHeader = Base64URL.encode(Array(#"{"alg":"none","kid":"civil-ed25519","typ":"tz-envelope+jws"}"#.utf8))
        await #expect(throws: EnvelopeError.unsupportedAlgorithm("none")) {
            try await opener.open("\(noneHeader).\(parts[1]).")
        }
    }

    @Test("signer key: unknown kid, and a key of another party")
    func signerKey() async throws {
        var city = try ExchangeFixture()
        let text = try await city.sealer(.ed25519).seal(city.request())
        var list = city.list
        list.parties[0].keys.removeAll { $0.kid == "civil-ed25519" }
        await #expect(throws: EnvelopeError.unknownKey(kid: "civil-ed25519")) {
            try await city.opener(list: list).open(text)
        }
        // The stranger lists the civil-affairs key under its own name: the kid's owner is not `iss`.
        city.list.parties[2].keys = [city.list.parties[0].keys[1]]
        city.list.parties[0].keys.remove(at: 1)
        await #expect(throws: EnvelopeError.self) { try await city.opener().open(text) }
        do {
            _ = try await city.opener().open(text)
        } catch {
            #expect(error.check == "signer-key")
        }
    }

    @Test("key validity: a revoked key is refused even when iat predates the revocation")
    func revoked() async throws {
        var city = try ExchangeFixture()
        let text = try await city.sealer(.p256).seal(city.request())
        let index = try #require(city.list.parties[0].keys.firstIndex { $0.kid == "civil-p256" })
        city.list.parties[0].keys[index].status = .revoked
        city.list.parties[0].keys[index].revokedAt = city.now.addingTimeInterval(3600)
        await #expect(throws: EnvelopeError.keyRevoked(kid: "civil-p256")) { try await city.opener().open(text) }
    }

    @Test("key validity: a key outside its window at iat; a retired key's old envelopes still open")
    func window() async throws {
        var city = try ExchangeFixture()
        let late = city.now.addingTimeInterval(86_400 * 400)
        let text = try await city.sealer(.ed25519, at: late).seal(city.request())
        await #expect(throws: EnvelopeError.keyNotValidAtIssueTime(kid: "civil-ed25519", issuedAt: late)) {
            try await city.opener(at: late).open(text)
        }
        let current = try await city.sealer(.ed25519).seal(city.request())
        let index = try #require(city.list.parties[0].keys.firstIndex { $0.kid == "civil-ed25519" })
        city.list.parties[0].keys[index].status = .retired
        #expect(try await city.opener().open(current).kid == "civil-ed25519")
    }

    @Test("signature: a payload re-signed by another key with the same kid fails")
    func signature() async throws {
        let city = try ExchangeFixture()
        let forged = EnvelopeSealer(
            issuer: city.civil,
            key: try city.crypto.generateSigningKey(.ed25519),
            kid: "civil-ed25519",
            crypto: city.crypto,
            clock: FixedWallClock(city.now)
        )
        await #expect(throws: EnvelopeError.badSignature) {
            try await city.opener().open(try await forged.seal(city.request()))
        }
    }

    @Test("audience: an envelope for another party")
    func audience() async throws {
        let city = try ExchangeFixture()
        let text = try await city.sealer(.ed25519).seal(city.request(to: city.stranger))
        await #expect(throws: EnvelopeError.wrongAudience(expected: city.hrss, found: city.stranger)) {
            try await city.opener().open(text)
        }
    }

    @Test("time: expired, and issued in the future, beyond the skew")
    func time() async throws {
        let city = try ExchangeFixture()
        let text = try await city.sealer(.ed25519).seal(city.request())
        let expiry = city.now.addingTimeInterval(300)
        await #expect(throws: EnvelopeError.expired(at: expiry)) {
            try await city.opener(at: expiry.addingTimeInterval(61)).open(text)
        }
        #expect(try await city.opener(at: expiry.addingTimeInterval(59)).open(text).claims.expiresAt == expiry)
        await #expect(throws: EnvelopeError.issuedInFuture(at: city.now)) {
            try await city.opener(at: city.now.addingTimeInterval(-61)).open(text)
        }
    }

    @Test("replay: the same envelope opens once")
    func replay() async throws {
        let city = try ExchangeFixture()
        let text = try await city.sealer(.sm2).seal(city.request())
        let opener = city.opener()
        let first = try await opener.open(text)
        await #expect(throws: EnvelopeError.replayed(id: first.claims.id)) { try await opener.open(text) }
    }

    @Test("access: a purpose not granted, a consumer without a grant, a level below the catalogue")
    func access() async throws {
        let city = try ExchangeFixture()
        let marketing = try Purpose("marketing")
        let wrongPurpose = try await city.sealer(.ed25519).seal(city.request(purpose: marketing))
        await #expect(
            throws: EnvelopeError.notAllowed(consumer: city.civil, service: ExchangeFixture.service, purpose: marketing)
        ) {
            try await city.opener().open(wrongPurpose)
        }
        // An important-level service, encrypted as it must be, but declared general.
        let low = try await city.sealer(.ed25519).seal(
            city.request(level: .general, service: ExchangeFixture.wageService),
            encryptingTo: city.recipient(.x25519)
        )
        await #expect(throws: EnvelopeError.levelBelowCatalogue(declared: .general, catalogue: .important)) {
            try await city.opener().open(low)
        }
        var list = city.list
        list.grants = []
        let fine = try await city.sealer(.ed25519).seal(city.request())
        await #expect(
            throws: EnvelopeError.notAllowed(
                consumer: city.civil,
                service: ExchangeFixture.service,
                purpose: city.verification
            )
        ) {
            try await city.opener(list: list).open(fine)
        }
    }

    @Test("checks run in order: a bad signature is reported before the wrong audience and the expiry")
    func order() async throws {
        let city = try ExchangeFixture()
        let text = try await city.sealer(.ed25519).seal(city.request(to: city.stranger))
        var parts = text.split(separator: ".").map(String.init)
        parts[2] = (parts[2].hasPrefix("A") ? "B" : "A") + parts[2].dropFirst()
        let late = city.now.addingTimeInterval(86_400)
        await #expect(throws: EnvelopeError.badSignature) {
            try await city.opener(at: late).open(parts.joined(separator: "."))
        }
        await #expect(throws: EnvelopeError.wrongAudience(expected: city.hrss, found: city.stranger)) {
            try await city.opener(at: late).open(text)
        }
    }
}
