// bench-confidential: confidential envelopes (sign, then encrypt to the recipient) against the raw
// authenticated-encryption rate of the same profile, measured in the same run.
//
// Per profile (standard: Ed25519 + ECDH-ES X25519 + A256KW + AES-256-GCM; national: SM2 signature +
// SM2 encryption of the content key + SM4-CBC-HMAC-SM3) and per payload (1 KiB, 100 KiB):
// - seal+encrypt vs the provider's AEAD seal of the same number of bytes;
// - decrypt+open vs the provider's AEAD open of the same bytes.
//
// Sealing and opening are async; the measured loops run in a nonisolated function, so that awaiting
// them does not hop to the main thread and back around every envelope (see bench-exchange).
//
// Run: cd Benchmarks && swift run -c release bench-confidential

import BenchSupport
import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL

let crypto = OpenSSLCryptoProvider()
let now = Date()
let consumer = try Party("113212000142871106/assistance")
let provider = try Party("91320214745555318W/employment")
let purpose = try Purpose("assistance.verification")
let service = "hrss.wage"

struct Profile {
    var name: String
    var signing: SignatureAlgorithm
    var encryption: EncryptionKeyAlgorithm
    var aead: AEADAlgorithm
}

let profiles = [
    Profile(
        name: "standard (EdDSA, ECDH-ES+A256KW X25519, A256GCM)",
        signing: .ed25519,
        encryption: .x25519,
        aead: .aes256GCM
    ),
    Profile(
        name: "national (SM2-SM3, SM2-ENC, SM4-CBC-HMAC-SM3)",
        signing: .sm2,
        encryption: .sm2,
        aead: .sm4CBCHMACSM3
    ),
]

/// A payload of about `bytes` bytes of UTF-8 in one string field.
func data(bytes: Int) -> JSONValue {
    let unit = "泰州数字社会"  // 18 bytes
    return ["monthlyWage": 512_300, "note": .string(String(repeating: unit, count: max(1, bytes / 18)))]
}

for profile in profiles { try await benchmark(profile) }

/// Seal+encrypt and decrypt+open with `profile`, against its AEAD alone.
func benchmark(_ profile: Profile) async throws {
    let signingKey = try crypto.generateSigningKey(profile.signing)
    let decryptionKey = try crypto.generateDecryptionKey(profile.encryption)
    let list = TrustList(
        version: 1,
        issuedAt: now,
        nextUpdate: now.addingTimeInterval(86_400),
        parties: [
            TrustList.PartyEntry(
                party: consumer,
                name: "民政",
                keys: [
                    TrustedKey(
                        kid: "civil-1",
                        algorithm: profile.signing,
                        publicKey: signingKey.publicKey.rawRepresentation,
                        validFrom: now.addingTimeInterval(-3600),
                        validUntil: now.addingTimeInterval(86_400)
                    )
                ]
            ),
            TrustList.PartyEntry(
                party: provider,
                name: "人社",
                keys: [
                    TrustedKey(
                        kid: "hrss-enc-1",
                        encryptionAlgorithm: profile.encryption,
                        publicKey: decryptionKey.encryptionPublicKey.rawRepresentation,
                        validFrom: now.addingTimeInterval(-3600),
                        validUntil: now.addingTimeInterval(86_400)
                    )
                ]
            ),
        ],
        services: [
            DataService(
                id: service,
                provider: provider,
                fields: [.init(name: "monthlyWage", level: .important, sensitivity: .sensitivePersonal)],
                purposes: [purpose]
            )
        ],
        grants: [AccessGrant(consumer: consumer, service: service, purposes: [purpose])]
    )
    let sealer = EnvelopeSealer(
        issuer: consumer,
        key: signingKey,
        kid: "civil-1",
        crypto: crypto,
        clock: FixedWallClock(now)
    )
    let recipient = try EnvelopeRecipient(party: provider, trustList: list, crypto: crypto, at: now)
    for size in [1024, 100 * 1024] {
        let draft = EnvelopeDraft(
            audience: provider,
            service: service,
            purpose: purpose,
            level: .important,
            data: data(bytes: size)
        )
        let count = size > 4096 ? 40 : 400
        let sample = try await sealer.seal(draft, encryptingTo: recipient)
        let label = size > 4096 ? "100 KiB" : "1 KiB"
        print("\(profile.name), \(label) payload: envelope \(sample.utf8.count) bytes")

        // The baseline encrypts exactly as many bytes as the inner signed envelope has.
        let inner = Array(try await sealer.seal(draft).utf8)
        let key = try crypto.randomBytes(count: 32)
        let aad = [UInt8](repeating: 0x65, count: 300)
        let box = try crypto.seal(profile.aead, inner, key: key, nonce: nil, associatedData: aad)

        let (sealRun, sealBase) = try await measurePairAsync(
            "seal+encrypt \(label)",
            against: "\(profile.aead.rawValue) seal",
            operations: count,
            subject: { for _ in 0..<count { _ = try await sealer.seal(draft, encryptingTo: recipient) } },
            baseline: {
                for _ in 0..<count {
                    _ = try crypto.seal(profile.aead, inner, key: key, nonce: nil, associatedData: aad)
                }
            }
        )
        report(sealRun, against: sealBase)

        var envelopes: [String] = []
        for _ in 0..<count { envelopes.append(try await sealer.seal(draft, encryptingTo: recipient)) }
        let (openRun, openBase) = try await measurePairAsync(
            "decrypt+open \(label)",
            against: "\(profile.aead.rawValue) open",
            operations: count,
            subject: {
                // A fresh replay guard per run: each envelope is opened once per run.
                let opener = EnvelopeOpener(
                    me: provider,
                    trustList: list,
                    crypto: crypto,
                    clock: FixedWallClock(now),
                    replayGuard: InMemoryReplayGuard(),
                    decryptionKeys: ["hrss-enc-1": decryptionKey]
                )
                for envelope in envelopes { _ = try await opener.open(envelope) }
            },
            baseline: { for _ in 0..<count { _ = try crypto.open(profile.aead, box, key: key, associatedData: aad) } }
        )
        report(openRun, against: openBase)
    }
}
