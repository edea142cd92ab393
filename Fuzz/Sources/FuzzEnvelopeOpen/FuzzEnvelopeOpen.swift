// libFuzzer entry point for opening envelopes: JWS parsing (compact and JSON serializations),
// header and claims parsing, batch proofs, and every check after them. Not main.swift: libFuzzer
// supplies main().
//
// Property: `EnvelopeOpener.open` never crashes and never throws anything but an EnvelopeError;
// what it accepts really is addressed to this party and signed by a listed key.
//
// The keys are derived from fixed bytes, and the clock is fixed, so that seed envelopes written
// with FUZZ_ENVELOPE_SEEDS=DIR stay valid across runs and the fuzzer can mutate past the
// signature check into the later checks.

import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL

struct Harness {
    let opener: EnvelopeOpener
    let sealers: [EnvelopeSealer]
    let me: Party
    let draft: EnvelopeDraft

    init() throws {
        let crypto = OpenSSLCryptoProvider()
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let consumer = try Party("113212000142871106/assistance")
        me = try Party("91320214745555318W/employment")
        let purpose = try Purpose("assistance.verification")
        var entry = TrustList.PartyEntry(party: consumer, name: "fuzz")
        var sealers: [EnvelopeSealer] = []
        for (index, algorithm) in SignatureAlgorithm.allCases.enumerated() {
            let secret = (0..<32).map { UInt8(truncatingIfNeeded: $0 * 7 + index + 1) }
            let key = try crypto.importSigningKey(algorithm, from: secret, encoding: .raw)
            let kid = "fuzz-\(algorithm.rawValue)"
            entry.keys.append(
                TrustedKey(
                    kid: kid,
                    algorithm: algorithm,
                    publicKey: key.publicKey.rawRepresentation,
                    validFrom: now.addingTimeInterval(-3600),
                    validUntil: now.addingTimeInterval(3600)
                )
            )
            sealers.append(
                EnvelopeSealer(issuer: consumer, key: key, kid: kid, crypto: crypto, clock: FixedWallClock(now))
            )
        }
        let list = TrustList(
            version: 1,
            issuedAt: now,
            nextUpdate: now.addingTimeInterval(86_400),
            parties: [entry, TrustList.PartyEntry(party: me, name: "fuzz provider")],
            services: [DataService(id: "svc", provider: me, fields: [], purposes: [purpose])],
            grants: [AccessGrant(consumer: consumer, service: "svc", purposes: [purpose])]
        )
        self.sealers = sealers
        opener = EnvelopeOpener(
            me: me,
            trustList: list,
            crypto: crypto,
            clock: FixedWallClock(now),
            replayGuard: AlwaysNewGuard()
        )
        draft = EnvelopeDraft(audience: me, service: "svc", purpose: purpose, data: ["n": 1, "s": "泰州"])
    }
}

/// A replay guard that never remembers, so that a seed keeps reaching the checks after replay.
struct AlwaysNewGuard: ReplayGuard {
    func markSeen(issuer: String, id: String, expiresAt: Date, now: Date) -> Bool { true }
}

nonisolated(unsafe) var harness: Harness?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
    do {
        let built = try Harness()
        harness = built
        if let directory = ProcessInfo.processInfo.environment["FUZZ_ENVELOPE_SEEDS"] {
            for sealer in built.sealers {
                let single = try sealer.seal(built.draft)
                try Data(single.utf8).write(to: URL(fileURLWithPath: "\(directory)/valid-\(sealer.kid)"))
                let json = try JWS(parsing: single).flattenedJSON
                try Data(json.utf8).write(to: URL(fileURLWithPath: "\(directory)/valid-json-\(sealer.kid)"))
                let batch = try sealer.sealBatch([built.draft, built.draft, built.draft])
                try Data(batch[1].utf8).write(to: URL(fileURLWithPath: "\(directory)/valid-batch-\(sealer.kid)"))
            }
        }
    } catch {
        print("fuzz harness failed: \(error)")
        abort()
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let harness else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let opened = try harness.opener.open(text)
        if opened.claims.audience != harness.me { fatalError("accepted an envelope for \(opened.claims.audience)") }
    } catch {
        // Typed refusal: `open` is declared `throws(EnvelopeError)`, so nothing else can arrive.
        _ = error.check
    }
    return 0
}
