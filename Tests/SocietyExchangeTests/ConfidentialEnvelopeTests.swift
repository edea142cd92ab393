import Foundation
import SocietyCore
import SocietyJSON
import SocietyOpenSSL
import Testing

@testable import SocietyExchange

@Suite("Confidential envelopes: sign, then encrypt to the recipient")
struct ConfidentialEnvelopeTests {
    static let profiles: [(SignatureAlgorithm, EncryptionKeyAlgorithm)] = [
        (.ed25519, .x25519), (.p256, .p256), (.sm2, .sm2),
    ]

    @Test("an important-level envelope encrypted to the provider opens, and its inner JWS is kept", arguments: profiles)
    func roundTrip(signing: SignatureAlgorithm, encryption: EncryptionKeyAlgorithm) async throws {
        let city = try ExchangeFixture()
        let draft = city.request(level: .important, service: ExchangeFixture.wageService)
        let text = try await city.sealer(signing).seal(draft, encryptingTo: city.recipient(encryption))
        #expect(text.split(separator: ".", omittingEmptySubsequences: false).count == 5)
        let opened = try await city.opener().open(text)
        #expect(opened.isEncrypted)
        #expect(opened.claims.service == ExchangeFixture.wageService)
        #expect(opened.claims.level == .important)
        #expect(opened.claims.data["note"]?.stringValue == "申请低保 核对就业")
        #expect(opened.received == text)
        // The evidence is the inner signed envelope, which verifies on its own.
        let inner = try JWS(parsing: opened.text)
        let signer = try #require(city.keys[signing])
        #expect(signer.publicKey.isValidSignature(inner.signature, for: inner.signingInput))

        let header = try #require(Base64URL.decode(String(text.split(separator: ".")[0])))
        let object = try #require(try JSONParser().parse(header).objectValue)
        let profile = ConfidentialProfile(recipientKey: encryption)
        #expect(object["alg"]?.stringValue == profile.keyManagement)
        #expect(object["enc"]?.stringValue == profile.contentEncryption)
        #expect(object["typ"]?.stringValue == "tz-envelope+jwe")
        #expect(object["cty"]?.stringValue == "tz-envelope+jws")
        #expect(object["kid"]?.stringValue == "hrss-enc-\(encryption.rawValue)")
        #expect(object["apu"]?.stringValue == Base64URL.encode(Array(city.civil.text.utf8)))
        #expect(object["apv"]?.stringValue == Base64URL.encode(Array(city.hrss.text.utf8)))
        #expect((object["epk"] != nil) == (encryption != .sm2))
    }

    @Test("the recipient is found on the trust list by party and use")
    func recipientFromTrustList() throws {
        let city = try ExchangeFixture()
        let recipient = try EnvelopeRecipient(party: city.hrss, trustList: city.list, crypto: city.crypto, at: city.now)
        #expect(recipient.kid.hasPrefix("hrss-enc-"))
        #expect(throws: EnvelopeError.noEncryptionKey(party: city.civil)) {
            try EnvelopeRecipient(party: city.civil, trustList: city.list, crypto: city.crypto, at: city.now)
        }
        // A signing key with the same curve is never used to encrypt.
        #expect(city.list.encryptionKey(of: city.civil, at: city.now) == nil)
    }

    @Test("encryption required: the catalogue's important service, or a declared important level, unencrypted")
    func encryptionRequired() async throws {
        let city = try ExchangeFixture()
        let sealer = try city.sealer(.ed25519)
        let wage = try await sealer.seal(city.request(level: .important, service: ExchangeFixture.wageService))
        await #expect(
            throws: EnvelopeError.encryptionRequired(service: ExchangeFixture.wageService, level: .important)
        ) {
            try await city.opener().open(wage)
        }
        // Declared general but graded important by the catalogue: still required.
        let understated = try await sealer.seal(city.request(level: .general, service: ExchangeFixture.wageService))
        await #expect(
            throws: EnvelopeError.encryptionRequired(service: ExchangeFixture.wageService, level: .important)
        ) {
            try await city.opener().open(understated)
        }
        // A general service carrying data declared core.
        let core = try await sealer.seal(city.request(level: .core))
        await #expect(throws: EnvelopeError.encryptionRequired(service: ExchangeFixture.service, level: .core)) {
            try await city.opener().open(core)
        }
        #expect(EnvelopeError.encryptionRequired(service: "s", level: .core).check == "confidentiality")
        // General data may travel signed only; and encrypted general data is welcome too.
        #expect(try await city.opener().open(try await sealer.seal(city.request())).isEncrypted == false)
        #expect(
            try await city.opener().open(try await sealer.seal(city.request(), encryptingTo: city.recipient(.p256)))
                .isEncrypted
        )
    }

    @Test("the confidentiality check comes after time and before replay")
    func order() async throws {
        let city = try ExchangeFixture()
        let plain = try await city.sealer(.ed25519).seal(
            city.request(level: .important, service: ExchangeFixture.wageService)
        )
        let late = city.now.addingTimeInterval(86_400)
        await #expect(throws: EnvelopeError.expired(at: city.now.addingTimeInterval(300))) {
            try await city.opener(at: late).open(plain)
        }
        // Refused unencrypted envelopes do not fill the replay store.
        let guardStore = InMemoryReplayGuard()
        let opener = city.opener(replayGuard: guardStore)
        await #expect(
            throws: EnvelopeError.encryptionRequired(service: ExchangeFixture.wageService, level: .important)
        ) {
            try await opener.open(plain)
        }
        let encrypted = try await city.sealer(.ed25519).seal(
            city.request(level: .important, service: ExchangeFixture.wageService),
            encryptingTo: city.recipient(.x25519)
        )
        let first = try await opener.open(encrypted)
        await #expect(throws: EnvelopeError.replayed(id: first.claims.id)) { try await opener.open(encrypted) }
    }

    static let encryptionAlgorithms = EncryptionKeyAlgorithm.allCases

    func sealed(_ city: ExchangeFixture, _ algorithm: EncryptionKeyAlgorithm) async throws -> String {
        let signing: SignatureAlgorithm = algorithm == .sm2 ? .sm2 : .ed25519
        return try await city.sealer(signing).seal(
            city.request(level: .important, service: ExchangeFixture.wageService),
            encryptingTo: city.recipient(algorithm)
        )
    }

    func replacing(_ text: String, part: Int, with transform: ([UInt8]) -> [UInt8]) throws -> String {
        var parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let bytes = try #require(Base64URL.decode(parts[part]))
        parts[part] = Base64URL.encode(transform(bytes))
        return parts.joined(separator: ".")
    }

    @Test(
        "wrong key, changed ciphertext, tag, IV or header each fail with their own error",
        arguments: encryptionAlgorithms
    )
    func tampering(algorithm: EncryptionKeyAlgorithm) async throws {
        let city = try ExchangeFixture()
        let text = try await sealed(city, algorithm)
        let kid = "hrss-enc-\(algorithm.rawValue)"

        // Not encrypted to any key I hold (the consumer tries to open what it sent to the provider).
        let civilOpener = EnvelopeOpener(
            me: city.civil,
            trustList: city.list,
            crypto: city.crypto,
            clock: FixedWallClock(city.now),
            replayGuard: InMemoryReplayGuard()
        )
        await #expect(throws: EnvelopeError.notEncryptedToMe(kid: kid)) { try await civilOpener.open(text) }

        // The right kid but a different private key.
        let wrongKey = EnvelopeOpener(
            me: city.hrss,
            trustList: city.list,
            crypto: city.crypto,
            clock: FixedWallClock(city.now),
            replayGuard: InMemoryReplayGuard(),
            decryptionKeys: [kid: try city.crypto.generateDecryptionKey(algorithm)]
        )
        await #expect(throws: EnvelopeError.keyUnwrapFailed(kid: kid)) { try await wrongKey.open(text) }

        // A changed encrypted key.
        await #expect(throws: EnvelopeError.keyUnwrapFailed(kid: kid)) {
            try await city.opener().open(try replacing(text, part: 1) { $0.dropLast() + [$0.last.map { $0 ^ 1 } ?? 0] })
        }
        // Changed IV, ciphertext, tag: the content does not authenticate.
        for part in 2...4 {
            let changed = try replacing(text, part: part) { bytes in
                var bytes = bytes
                bytes[bytes.count / 2] ^= 0x01
                return bytes
            }
            await #expect(throws: EnvelopeError.contentAuthenticationFailed) { try await city.opener().open(changed) }
        }

        // The header and encrypted key of another envelope to the same key, over this content.
        let other = try await sealed(city, algorithm).split(separator: ".").map(String.init)
        var parts = text.split(separator: ".").map(String.init)
        parts[0] = other[0]
        parts[1] = other[1]
        await #expect(throws: EnvelopeError.contentAuthenticationFailed) {
            try await city.opener().open(parts.joined(separator: "."))
        }
        // Only the header swapped: ECDH derives another key-encryption key from the other epk.
        // A national-profile header has no per-message member (no epk), so the other envelope's
        // header is the same bytes; a header naming another sender no longer authenticates.
        parts[1] = text.split(separator: ".").map(String.init)[1]
        if algorithm == .sm2 {
            #expect(other[0] == parts[0])
            let header = try #require(Base64URL.decode(other[0]))
            let forged = String(decoding: header, as: UTF8.self).replacingOccurrences(
                of: Base64URL.encode(Array(city.civil.text.utf8)),
                with: Base64URL.encode(Array(city.stranger.text.utf8))
            )
            parts[0] = Base64URL.encode(Array(forged.utf8))
            await #expect(throws: EnvelopeError.contentAuthenticationFailed) {
                try await city.opener().open(parts.joined(separator: "."))
            }
        } else {
            await #expect(throws: EnvelopeError.keyUnwrapFailed(kid: kid)) {
                try await city.opener().open(parts.joined(separator: "."))
            }
        }
    }

    @Test("a malformed or unsupported JWE header is refused before any decryption")
    func malformed() async throws {
        let city = try ExchangeFixture()
        let text = try await sealed(city, .x25519)
        let parts = text.split(separator: ".").map(String.init)
        func withHeader(_ edit: (inout [String: JSONValue]) -> Void) throws -> String {
            let bytes = try #require(Base64URL.decode(parts[0]))
            var header: [String: JSONValue] = [:]
            for member in try #require(try JSONParser().parse(bytes).objectValue).members {
                header[member.key] = member.value
            }
            edit(&header)
            let encoded = Base64URL.encode(Array(JSONValue.object(JSONObject(header)).description.utf8))
            return ([encoded] + parts.dropFirst()).joined(separator: ".")
        }
        await #expect(throws: EnvelopeError.unsupportedEncryption(alg: "RSA-OAEP", enc: "A256GCM")) {
            try await city.opener().open(try withHeader { $0["alg"] = "RSA-OAEP" })
        }
        for edit: (inout [String: JSONValue]) -> Void in [
            { $0["typ"] = "JWT" }, { $0["cty"] = nil }, { $0["zip"] = "DEF" }, { $0["epk"] = "x" }, { $0["kid"] = nil },
        ] {
            let changed = try withHeader(edit)
            await #expect(throws: EnvelopeError.self) { try await city.opener().open(changed) }
            do {
                _ = try await city.opener().open(changed)
            } catch {
                #expect(error.check == "decryption")
                if case .malformedEncryption = error {
                } else {
                    Issue.record("expected malformedEncryption, got \(error)")
                }
            }
        }
        await #expect(throws: EnvelopeError.malformedEncryption("JWE ciphertext is not base64url")) {
            try await city.opener().open(parts[0] + "." + parts[1] + "." + parts[2] + ".!!." + parts[4])
        }
    }

    @Test("outer and inner layers must name the same sender and recipient")
    func mismatch() async throws {
        let city = try ExchangeFixture()
        let inner = try await city.sealer(.ed25519).seal(
            city.request(level: .important, service: ExchangeFixture.wageService)
        )
        // Someone re-encrypts the consumer's signed envelope, claiming in apu to be another sender.
        let forwarded = try ConfidentialSealing(crypto: city.crypto).encrypt(
            inner,
            issuer: city.stranger,
            recipient: city.recipient(.x25519),
            fixed: nil
        )
        await #expect(throws: EnvelopeError.encryptionMismatch("apu does not name the signed issuer \(city.civil)")) {
            try await city.opener().open(forwarded)
        }
        // A sealer refuses a recipient key of another party than the audience.
        let toStranger = EnvelopeRecipient(
            party: city.stranger,
            kid: "hrss-enc-x25519",
            key: try city.recipient(.x25519).key
        )
        await #expect(throws: EnvelopeError.self) {
            try await city.sealer(.ed25519).seal(city.request(), encryptingTo: toStranger)
        }
    }

    @Test("a response answers a confidential request by the digest of the JWE as sent")
    func response() async throws {
        var city = try ExchangeFixture()
        let requestText = try await sealed(city, .x25519)
        let request = try await city.opener().open(requestText)
        // The consumer gets an encryption key so that the provider can answer confidentially.
        let civilKey = try city.crypto.generateDecryptionKey(.p256)
        city.list.parties[0].keys.append(
            TrustedKey(
                kid: "civil-enc",
                encryptionAlgorithm: .p256,
                publicKey: civilKey.encryptionPublicKey.rawRepresentation,
                validFrom: city.now.addingTimeInterval(-60),
                validUntil: city.now.addingTimeInterval(3600)
            )
        )
        let recipient = try EnvelopeRecipient(
            party: city.civil,
            trustList: city.list,
            crypto: city.crypto,
            at: city.now
        )
        let response = try await city.providerSealer(.ed25519).seal(
            EnvelopeDraft.response(to: request, data: ["monthlyWage": 512_300]),
            encryptingTo: recipient
        )
        let consumer = EnvelopeOpener(
            me: city.civil,
            trustList: city.list,
            crypto: city.crypto,
            clock: FixedWallClock(city.now),
            replayGuard: InMemoryReplayGuard(),
            decryptionKeys: ["civil-enc": civilKey]
        )
        let opened = try await consumer.open(response, answering: requestText)
        #expect(opened.claims.data["monthlyWage"]?.doubleValue == 512_300)
        await #expect(throws: EnvelopeError.requestMismatch) {
            try await EnvelopeOpener(
                me: city.civil,
                trustList: city.list,
                crypto: city.crypto,
                clock: FixedWallClock(city.now),
                replayGuard: InMemoryReplayGuard(),
                decryptionKeys: ["civil-enc": civilKey]
            ).open(response, answering: try await sealed(city, .x25519))
        }
    }

    @Test("a trust list with encryption keys round-trips, and old lists without use still read")
    func trustListCoding() throws {
        let city = try ExchangeFixture()
        let data = try city.list.draftJSON()
        #expect(try TrustList(draftJSON: data) == city.list)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""use" : "enc""#))
        #expect(!text.contains(#""use" : "sig""#))
        let old = #"""
            {"version":1,"issuedAt":"2026-05-01T00:00:00Z","nextUpdate":"2026-05-08T00:00:00Z","services":[],
             "grants":[],"parties":[{"party":"113212000142871106/assistance","name":"x","keys":[{"kid":"k",
             "alg":"ed25519","pub":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","validFrom":"2026-05-01T00:00:00Z",
             "validUntil":"2027-05-01T00:00:00Z","status":"active"}]}]}
            """#
        let list = try TrustList(draftJSON: Data(old.utf8))
        #expect(list.parties[0].keys[0].use == .signature)
        #expect(list.parties[0].keys[0].algorithm == .ed25519)
        let badUse = old.replacingOccurrences(of: #""alg":"ed25519""#, with: #""alg":"ed25519","use":"enc""#)
        #expect(throws: (any Error).self) { try TrustList(draftJSON: Data(badUse.utf8)) }
    }
}
