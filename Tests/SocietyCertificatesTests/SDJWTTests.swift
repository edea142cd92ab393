import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import SocietyTesting
import Testing

@testable import SocietyCertificates

/// SD-JWT (RFC 9901): known answers from the specification, issuance, presentation and every
/// tamper case with its own error.
@Suite("SD-JWT")
struct SDJWTTests {
    let crypto = OpenSSLCryptoProvider()

    /// RFC 9901 §4.2.3 ("Hashing Disclosures") gives these two disclosures and their SHA-256
    /// digests; §4.2.1 and §4.2.2 give the decoded arrays.
    @Test("RFC 9901 §4.2 disclosure digests")
    func knownAnswers() throws {
        let object = try Disclosure(parsing: "WyI2cU1RdlJMNWhhaiIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0")
        #expect(object.salt == "6qMQvRL5haj")
        #expect(object.name == "family_name")
        #expect(object.value == "Möbius")
        #expect(try object.digest(using: crypto) == "uutlBuYeMDyjLLTpf6Jxi7yNkEF35jdyWMn9U7b_RYY")
        let element = try Disclosure(parsing: "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0")
        #expect(element.name == nil)
        #expect(element.value == "FR")
        #expect(try element.digest(using: crypto) == "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs")
    }

    /// RFC 9901 §4.2.4: the payload `{"given_name": "Alice", "_sd": [digest]}` with the family_name
    /// disclosure, and `nationalities` with an array-element digest, expand as the RFC describes.
    @Test("RFC 9901 §4.2.4 embedding, expanded by the verifier")
    func embedding() throws {
        let key = try crypto.generateSigningKey(.ed25519)
        let payload: JSONObject = [
            "given_name": "Alice", "_sd": ["uutlBuYeMDyjLLTpf6Jxi7yNkEF35jdyWMn9U7b_RYY"],
            "nationalities": ["DE", ["...": "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"]],
        ]
        let jws = try JWS.sign(
            header: ["alg": "EdDSA", "typ": "example+sd-jwt"],
            payload: try JSONValue.object(payload).canonicalBytes(),
            key: key
        )
        let token = try SDJWT(
            parsing: jws.compact + "~WyI2cU1RdlJMNWhhaiIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
                + "~WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0~"
        )
        let verified = try SDJWTVerifier(crypto: crypto).verify(
            token,
            issuerKey: { _, _ in key.publicKey },
            binding: nil,
            now: Date()
        )
        #expect(verified.claims == ["given_name": "Alice", "family_name": "Möbius", "nationalities": ["DE", "FR"]])
        // Without the array disclosure the element is simply left out (RFC 9901 §4.2.4.2).
        let fewer = try SDJWT(parsing: jws.compact + "~WyI2cU1RdlJMNWhhaiIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0~")
        let partial = try SDJWTVerifier(crypto: crypto).verify(
            fewer,
            issuerKey: { _, _ in key.publicKey },
            binding: nil,
            now: Date()
        )
        #expect(partial.claims["nationalities"] == ["DE"])
    }

    @Test("a presentation discloses only what the holder chose", arguments: [SignatureAlgorithm.ed25519, .p256, .sm2])
    func selective(algorithm: SignatureAlgorithm) async throws {
        let city = try CertificateFixture()
        let issued = try await city.issueDisability(algorithm)
        #expect(issued.sdJWT.disclosures.count == 6)  // name, category, level, number, holder, issue_date
        let payload = try issued.sdJWT.payload()
        #expect(payload["_sd"]?.arrayValue?.count == 8)  // six digests and two decoys
        #expect(payload["name"] == nil && payload["level"] == nil)
        let presentation = try city.present(issued, ["name", "category"])
        let lists = try await city.issuer(algorithm).publish()
        let result = try city.verifier(statusLists: lists).verifyPresentation(
            presentation,
            audience: city.counter.text,
            nonce: "n-0001"
        )
        #expect(result.claims == ["name": "张三", "category": "physical"])
        #expect(result.claims["level"] == nil)
        #expect(result.type == .disability)
        #expect(result.issuer == city.issuerParty)
    }

    /// The tamper cases of issue #7, each with its own error.
    @Test("tampering is caught, each case with its own error")
    func tamper() async throws {
        let city = try CertificateFixture()
        let issued = try await city.issueDisability()
        let lists = try await city.issuer().publish()
        let verifier = city.verifier(statusLists: lists)
        let good = try city.present(issued, ["name", "category"])
        func check(_ text: String, aud: String? = nil, nonce: String = "n-0001") throws(CertificateError) {
            _ = try verifier.verifyPresentation(text, audience: aud ?? city.counter.text, nonce: nonce)
        }
        try check(good)

        // A changed disclosure (level 2 → 1 with the same salt), after the holder signed.
        let parts = good.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        let original = try Disclosure(parsing: parts[1])
        let changed = try Disclosure(salt: original.salt, name: original.name ?? "", value: "李四")
        var swapped = parts
        swapped[1] = changed.encoded
        #expect(throws: CertificateError.keyBindingHashMismatch) { try check(swapped.joined(separator: "~")) }

        // A disclosure not in _sd, re-signed by the holder (a claim from another certificate).
        let foreign = try Disclosure(salt: "c2FsdHNhbHRzYWx0", name: "level", value: "1")
        let forged = SDJWT(
            issuerSigned: issued.sdJWT.issuerSigned,
            disclosures: issued.sdJWT.disclosures.filter { $0.name == "name" } + [foreign]
        )
        let forgedPresentation = try forged.presenting(
            ["name", "level"],
            holderKey: city.holderKey,
            audience: city.counter.text,
            nonce: "n-0001",
            issuedAt: city.now,
            crypto: city.crypto
        )
        let digest = try foreign.digest(using: city.crypto)
        #expect(throws: CertificateError.disclosureNotReferenced(digest: digest)) {
            try check(forgedPresentation.compact)
        }

        // The same disclosure twice.
        let doubled = SDJWT(
            issuerSigned: issued.sdJWT.issuerSigned,
            disclosures: Array(issued.sdJWT.disclosures.prefix(1)) + Array(issued.sdJWT.disclosures.prefix(1))
        )
        let doubledPresentation = try doubled.presenting(
            Set(issued.sdJWT.disclosures.prefix(1).compactMap(\.name)),
            holderKey: city.holderKey,
            audience: city.counter.text,
            nonce: "n-0001",
            issuedAt: city.now,
            crypto: city.crypto
        )
        #expect(throws: CertificateError.self) { try check(doubledPresentation.compact) }

        #expect(throws: CertificateError.wrongNonce) { try check(good, nonce: "n-0002") }
        #expect(throws: CertificateError.wrongAudience(expected: "91110000600037341L/crm", found: city.counter.text)) {
            try check(good, aud: "91110000600037341L/crm")
        }

        // A key binding signed by another key.
        let thief = try city.crypto.generateSigningKey(.p256)
        let stolen = try issued.sdJWT.presenting(
            ["name"],
            holderKey: thief,
            audience: city.counter.text,
            nonce: "n-0001",
            issuedAt: city.now,
            crypto: city.crypto
        )
        #expect(throws: CertificateError.badKeyBindingSignature) { try check(stolen.compact) }

        // No key binding at all.
        let bare = SDJWT(issuerSigned: issued.sdJWT.issuerSigned, disclosures: issued.sdJWT.disclosures).compact
        #expect(throws: CertificateError.missingKeyBinding) { try check(bare) }

        // A changed issuer signature.
        var jwt = parts[0].split(separator: ".").map(String.init)
        jwt[2] = (jwt[2].hasPrefix("A") ? "B" : "A") + jwt[2].dropFirst()
        var badSignature = parts
        badSignature[0] = jwt.joined(separator: ".")
        #expect(throws: CertificateError.badIssuerSignature) { try check(badSignature.joined(separator: "~")) }

        // A stale key binding.
        let old = try issued.sdJWT.presenting(
            ["name"],
            holderKey: city.holderKey,
            audience: city.counter.text,
            nonce: "n-0001",
            issuedAt: city.now.addingTimeInterval(-3600),
            crypto: city.crypto
        )
        #expect(throws: CertificateError.keyBindingNotFresh(issuedAt: city.now.addingTimeInterval(-3600))) {
            try check(old.compact)
        }

        // Asking to disclose a claim the certificate does not have.
        #expect(throws: CertificateError.invalidClaims("no disclosure for salary")) {
            _ = try city.present(issued, ["salary"])
        }
    }

    @Test("an unknown issuer key and a key of another party are refused")
    func issuerKeys() async throws {
        var city = try CertificateFixture()
        let issued = try await city.issueDisability()
        let lists = try await city.issuer().publish()
        let presentation = try city.present(issued, ["name"])
        city.trustList.parties[0].keys.removeAll { $0.kid == "ecert-ed25519" }
        #expect(throws: CertificateError.unknownIssuerKey(kid: "ecert-ed25519")) {
            _ = try city.verifier(statusLists: lists).verifyPresentation(
                presentation,
                audience: city.counter.text,
                nonce: "n-0001"
            )
        }
    }

    @Test("the parser survives random and mutated input with typed errors")
    func fuzz() async throws {
        let city = try CertificateFixture()
        let good = Array(try city.present(try await city.issueDisability(), ["name"]).utf8)
        let alphabet = Array("~.-_AZaz09{}\"[]eyJ".utf8)
        // Seeded and printed, so that a failure can be replayed with DIGITALSOCIETY_SEED.
        var random = SeededRandomSource(seed: TestSeed.make("SDJWT.fuzz"))
        for round in 0..<2_000 {
            var input = good
            if round % 3 == 0 {
                input = (0..<Int.random(in: 0..<300, using: &random)).map { _ in
                    alphabet.randomElement(using: &random) ?? 0
                }
            } else {
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let index = Int.random(in: 0..<input.count, using: &random)
                    input[index] = alphabet.randomElement(using: &random) ?? 0
                }
            }
            do {
                _ = try SDJWT(parsing: String(decoding: input, as: UTF8.self))
            } catch {
                _ = error.description  // a CertificateError, by the typed throw
            }
        }
    }
}
