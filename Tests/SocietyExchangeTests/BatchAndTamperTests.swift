import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL
import Testing

@Suite("Batch sealing")
struct BatchTests {
    @Test("every envelope of a batch opens on its own", arguments: [1, 2, 3, 7, 64, 100])
    func batch(size: Int) async throws {
        let city = try ExchangeFixture()
        let drafts = (0..<size).map { index in
            var draft = city.request()
            draft.data = ["index": .number(Double(index))]
            return draft
        }
        let envelopes = try await city.sealer(.sm2).sealBatch(drafts)
        #expect(envelopes.count == size)
        let opener = city.opener()
        for (index, envelope) in envelopes.enumerated() {
            let opened = try await opener.open(envelope)
            #expect(opened.isBatched)
            #expect(opened.claims.data["index"]?.doubleValue == Double(index))
        }
        // All share one signature: that is the point of batching.
        #expect(Set(envelopes.map { $0.split(separator: ".")[2] }).count == 1)
    }

    @Test("one corrupted envelope of a batch fails alone")
    func corruptedFailsAlone() async throws {
        let city = try ExchangeFixture()
        let drafts = (0..<10).map { index in
            var draft = city.request()
            draft.data = ["index": .number(Double(index))]
            return draft
        }
        var envelopes = try await city.sealer(.p256).sealBatch(drafts)
        // Swap in the payload of envelope 4 under the header (and proof) of envelope 3.
        let three = envelopes[3].split(separator: ".")
        let four = envelopes[4].split(separator: ".")
        envelopes[3] = "\(three[0]).\(four[1]).\(three[2])"
        let opener = city.opener()
        for (index, envelope) in envelopes.enumerated() {
            if index == 3 {
                await #expect(throws: EnvelopeError.badSignature) { try await opener.open(envelope) }
            } else {
                #expect(try await opener.open(envelope).claims.data["index"]?.doubleValue == Double(index))
            }
        }
    }

    @Test("a batch header without crit is refused")
    func critRequired() async throws {
        let city = try ExchangeFixture()
        let envelope = try await city.sealer(.ed25519).sealBatch([city.request(), city.request()])[0]
        let parts = envelope.split(separator: ".").map(String.init)
        let header = try #require(Base64URL.decode(parts[0]))
        guard case .object(var object) = try JSONParser().parse(header) else {
            Issue.record("header is not an object")
            return
        }
        object["crit"] = nil
        let stripped = Base64URL.encode(try JSONValue.object(object).canonicalBytes())
        await #expect(throws: EnvelopeError.malformed(#"header "bat" must be listed in "crit""#)) {
            try await city.opener().open("\(stripped).\(parts[1]).\(parts[2])")
        }
    }
}

@Suite("Tampering")
struct TamperTests {
    // Every single-byte change anywhere in a sealed compact envelope must be refused — never
    // accepted, never a crash. Each position is changed to two other bytes: a neighbouring
    // base64url character and a byte outside the alphabet.
    @Test("every single-byte change of a sealed envelope is rejected", arguments: SignatureAlgorithm.allCases)
    func everyByte(algorithm: SignatureAlgorithm) async throws {
        let city = try ExchangeFixture()
        let text = try await city.sealer(algorithm).seal(city.request())
        let bytes = Array(text.utf8)
        var rejected = 0
        for position in bytes.indices {
            for replacement in [neighbour(bytes[position]), UInt8(ascii: "~")] where replacement != bytes[position] {
                var changed = bytes
                changed[position] = replacement
                let opener = city.opener()  // a fresh replay guard: only the change can cause a refusal
                await #expect(throws: EnvelopeError.self) {
                    try await opener.open(String(decoding: changed, as: UTF8.self))
                }
                rejected += 1
            }
        }
        #expect(rejected >= bytes.count)
        #expect(try await city.opener().open(text).claims.issuer == city.civil)
    }

    @Test("every single-byte change of a batch envelope is rejected")
    func everyByteBatched() async throws {
        let city = try ExchangeFixture()
        let text = try await city.sealer(.ed25519).sealBatch([city.request(), city.request(), city.request()])[1]
        let bytes = Array(text.utf8)
        for position in bytes.indices {
            var changed = bytes
            changed[position] = neighbour(bytes[position])
            await #expect(throws: EnvelopeError.self) {
                try await city.opener().open(String(decoding: changed, as: UTF8.self))
            }
        }
    }

    /// Another base64url character (or another byte for `.`), so the change stays plausible.
    func neighbour(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")..<UInt8(ascii: "Z"), UInt8(ascii: "a")..<UInt8(ascii: "z"),
            UInt8(ascii: "0")..<UInt8(ascii: "9"):
            byte + 1
        case UInt8(ascii: "Z"): UInt8(ascii: "a")
        case UInt8(ascii: "z"): UInt8(ascii: "0")
        case UInt8(ascii: "9"): UInt8(ascii: "-")
        case UInt8(ascii: "-"): UInt8(ascii: "_")
        case UInt8(ascii: "_"): UInt8(ascii: "A")
        default: UInt8(ascii: "A")
        }
    }
}

@Suite("Trust list")
struct TrustListTests {
    @Test("a signed list is accepted with the pinned root, and read back exactly")
    func signAndAccept() throws {
        let city = try ExchangeFixture()
        let signed = try SignedTrustList.sign(city.list, with: city.rootKey, kid: "bureau-root-1")
        let parsed = try SignedTrustList(parsing: signed.text)
        var anchor = TrustAnchor(root: city.rootKey.publicKey)
        let list = try anchor.accept(parsed, now: city.now)
        #expect(list == signed.list)
        #expect(list.parties.count == 3)
        #expect(list.key(withID: "hrss-sm2")?.party == city.hrss)
        #expect(anchor.lastAcceptedVersion == 3)
    }

    @Test("another root, a stale list, a future list and a rollback are each refused")
    func refusals() throws {
        var city = try ExchangeFixture()
        let signed = try SignedTrustList.sign(city.list, with: city.rootKey, kid: "bureau-root-1")
        var other = TrustAnchor(root: try city.crypto.generateSigningKey(.ed25519).publicKey)
        #expect(throws: SignedTrustList.Error.badSignature) { try other.accept(signed, now: city.now) }
        var anchor = TrustAnchor(root: city.rootKey.publicKey, maximumAge: 86_400)
        #expect(throws: SignedTrustList.Error.self) {
            try anchor.accept(signed, now: city.now.addingTimeInterval(86_400 * 2))
        }
        #expect(throws: SignedTrustList.Error.issuedInFuture(signed.list.issuedAt)) {
            try anchor.accept(signed, now: city.now.addingTimeInterval(-7200))
        }
        city.list.version = 4
        _ = try anchor.accept(
            try SignedTrustList.sign(city.list, with: city.rootKey, kid: "bureau-root-1"),
            now: city.now
        )
        #expect(throws: SignedTrustList.Error.rollback(version: 3, lastAccepted: 4)) {
            try anchor.accept(signed, now: city.now)
        }
    }

    @Test("a list that gives two keys the same id is refused, and an opener never mixes their parties")
    func duplicateKeyIDs() async throws {
        var city = try ExchangeFixture()
        let original = try #require(city.list.key(withID: "hrss-sm2"))
        let strangerKey = try city.crypto.generateSigningKey(.sm2)
        city.list.parties.append(
            TrustList.PartyEntry(
                party: city.stranger,
                name: "stranger",
                keys: [city.trusted(strangerKey.publicKey, kid: "hrss-sm2")]
            )
        )
        let signed = try SignedTrustList.sign(city.list, with: city.rootKey, kid: "bureau-root-1")
        var anchor = TrustAnchor(root: city.rootKey.publicKey)
        #expect(throws: SignedTrustList.Error.malformed("key id hrss-sm2 is listed more than once")) {
            try anchor.accept(signed, now: city.now)
        }
        // Built directly, without the anchor: the key checked is the first with that id, whose
        // party the envelope is attributed to, so the stranger's signature under it is refused.
        let forged = try await EnvelopeSealer(
            issuer: original.party,
            key: strangerKey,
            kid: "hrss-sm2",
            crypto: city.crypto,
            clock: FixedWallClock(city.now)
        ).seal(city.request(to: city.civil))
        await #expect(throws: EnvelopeError.badSignature) {
            try await city.opener(for: city.civil, list: city.list).open(forged)
        }
    }

    @Test("a changed byte in a signed list's payload breaks its signature")
    func tamper() throws {
        let city = try ExchangeFixture()
        let signed = try SignedTrustList.sign(city.list, with: city.rootKey, kid: "bureau-root-1")
        var list = signed.list
        list.grants.append(
            AccessGrant(consumer: city.stranger, service: ExchangeFixture.service, purposes: [city.verification])
        )
        let forgedPayload = Base64URL.encode(Array(try list.draftJSON()))
        let text = signed.text.replacingOccurrences(of: signed.jws.encodedPayload, with: forgedPayload)
        var anchor = TrustAnchor(root: city.rootKey.publicKey)
        #expect(throws: SignedTrustList.Error.badSignature) {
            try anchor.accept(try SignedTrustList(parsing: text), now: city.now)
        }
    }
}
