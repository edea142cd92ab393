import Foundation
import SocietyCore
import SocietyJSON
import SocietyOpenSSL
import SocietyTesting
import Testing

@testable import SocietyExchange

/// The sealer writes the claims member by member and the opener reads them in one pass; both must
/// behave exactly as building, serializing and parsing the JSON object did.
@Suite("Envelopes: the direct paths agree with the general ones")
struct EnvelopeFastPathTests {
    static func claims(reference: String?, data: JSONValue) throws -> EnvelopeClaims {
        EnvelopeClaims(
            issuer: try Party("113212000142871106/assistance"),
            audience: try Party("91320214745555318W/employment"),
            issuedAt: ExchangeFixture.epoch,
            expiresAt: ExchangeFixture.epoch.addingTimeInterval(300),
            id: "AAECAwQFBgcICQoLDA0ODw",
            service: "hrss.employment-status",
            purpose: try Purpose("assistance.verification"),
            level: .important,
            reference: reference,
            data: data
        )
    }

    @Test("the written claims are the canonical JSON of the claims object")
    func writtenClaims() throws {
        let datas: [JSONValue] = [
            nil, [], ["note": "申请低保 \"核对\" \\ \u{1}\n😀", "n": -0.5, "e": 1e21, "list": [true, nil, "\u{2028}"]],
        ]
        for data in datas {
            for reference in [nil, "sm3:AAAA"] {
                let claims = try Self.claims(reference: reference, data: data)
                let written = try claims.withCanonicalBytes { Array($0) }
                #expect(written == (try JSONValue.object(claims.jsonObject).canonicalBytes()))
                #expect(try EnvelopeOpener.claims(of: written) == claims)
            }
        }
    }

    /// Signs `payload` (any bytes) as the civil-affairs Ed25519 key would seal an envelope.
    static func envelope(payload: [UInt8], city: ExchangeFixture, kid: String = "civil-ed25519") throws -> String {
        let key = try #require(city.keys[.ed25519])
        let header: JSONObject = ["alg": "EdDSA", "kid": .string(kid), "typ": "tz-envelope+jws"]
        return try JWS.sign(header: header, payload: payload, key: key).compact
    }

    static func payload(_ members: String) -> [UInt8] {
        Array(
            (#"{"aud":"91320214745555318W/employment","data":{},"exp":1780000300,"iat":1780000000,"#
                + #""iss":"113212000142871106/assistance","jti":"x1","level":"general","#
                + #""purpose":"assistance.verification","svc":"hrss.employment-status""# + members + "}").utf8
        )
    }

    @Test("a signed payload that is JSON but not canonical, or not JSON, fails with the same messages")
    func nonCanonicalPayloads() async throws {
        let city = try ExchangeFixture()
        let canonical = Self.payload("")
        #expect(try await city.opener().open(try Self.envelope(payload: canonical, city: city)).claims.id == "x1")
        let spaced = Array(String(decoding: canonical, as: UTF8.self).replacingOccurrences(of: ",", with: ", ").utf8)
        await #expect(throws: EnvelopeError.malformed("payload is not RFC 8785 canonical JSON")) {
            try await city.opener().open(try Self.envelope(payload: spaced, city: city))
        }
        let escaped = Array(
            String(decoding: canonical, as: UTF8.self).replacingOccurrences(of: "x1", with: #"x\u0031"#).utf8
        )
        await #expect(throws: EnvelopeError.malformed("payload is not RFC 8785 canonical JSON")) {
            try await city.opener().open(try Self.envelope(payload: escaped, city: city))
        }
        let broken = Array(#"{"a":"#.utf8)
        let parseError = #expect(throws: JSONParseError.self) { try JSONParser().parse(broken) }
        await #expect(throws: EnvelopeError.malformed("payload is not JSON: \(parseError.map { "\($0)" } ?? "")")) {
            try await city.opener().open(try Self.envelope(payload: broken, city: city))
        }
        await #expect(throws: EnvelopeError.malformed("claim \"zzz\" is not an envelope claim")) {
            try await city.opener().open(try Self.envelope(payload: Self.payload(#","zzz":1"#), city: city))
        }
    }

    @Test("a party claim that is not byte for byte a known party is still parsed and validated")
    func partiesOutsideTheCache() throws {
        let city = try ExchangeFixture()
        // A lowercase check letter is the same credit code, normalized when parsed.
        let lowercase = try Party("91320214745555318w/employment")
        #expect(lowercase == city.hrss)
        let claims = try EnvelopeClaims(
            JSONValue(parsing: Self.payload("").replacing(Array("318W".utf8), with: Array("318w".utf8))),
            knownParties: [city.hrss, city.civil]
        )
        #expect(claims.audience == city.hrss)
        #expect(throws: EnvelopeError.self) {
            try EnvelopeClaims(
                JSONValue(parsing: Self.payload("").replacing(Array("318W".utf8), with: Array("318X".utf8))),
                knownParties: [city.hrss, city.civil]
            )
        }
    }

    @Test("ids come from the deployment's random source in blocks: distinct, and reproducible from a seed")
    func envelopeIDs() throws {
        let generator = EnvelopeIDGenerator()
        let ids = try (0..<1000).map { _ in try generator.next(from: OpenSSLCryptoProvider()) }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { Base64URL.decode($0)?.count == 16 })
        // A seeded source (which answers every request from the same state) gives the same ids to
        // every generator; the first is the first 16 bytes, as when ids were drawn one by one.
        let seed = TestSeed.make("EnvelopeFastPathTests.envelopeIDs")
        let seeded = OpenSSLCryptoProvider(random: SeededRandomSource(seed: seed))
        let first = EnvelopeIDGenerator()
        let second = EnvelopeIDGenerator()
        let a = try (0..<100).map { _ in try first.next(from: seeded) }
        #expect(try a == (0..<100).map { _ in try second.next(from: seeded) })
        #expect(Set(a.prefix(EnvelopeIDGenerator.blockSize / EnvelopeIDGenerator.idSize)).count == 64)
        #expect(a[0] == Base64URL.encode(try seeded.randomBytes(count: 16)))
    }
}
