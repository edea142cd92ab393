import Foundation
public import SocietyCore
import SocietyJSON

/// Seals envelopes for one party with one of its trust-list keys.
///
/// The sealer chooses the unique id (`jti`) and the times itself, from the deployment's random
/// source and clock: a caller cannot pick an id that collides with another envelope's, nor
/// backdate one.
public struct EnvelopeSealer: Sendable {
    /// The JWS `typ` of a single envelope.
    public static let envelopeType = "tz-envelope+jws"

    /// The party that signs.
    public let issuer: Party
    /// The trust-list key id of `key`.
    public let kid: String
    private let key: any SigningKey
    let crypto: any CryptoProvider
    private let clock: any WallClock

    /// The protected header of single envelopes, base64url: the same for every envelope of this
    /// sealer, so it is encoded once.
    private let encodedHeader: String

    /// A sealer for `issuer` signing with `key`, published on the trust list as `kid`.
    public init(issuer: Party, key: any SigningKey, kid: String, crypto: any CryptoProvider, clock: any WallClock) {
        self.issuer = issuer
        self.key = key
        self.kid = kid
        self.crypto = crypto
        self.clock = clock
        let header: JSONValue = .object(
            JSONObject([
                "alg": .string(key.algorithm.jwsName), "kid": .string(kid), "typ": .string(EnvelopeSealer.envelopeType),
            ])
        )
        // A header of strings always has a canonical form; `description` is that form.
        self.encodedHeader = Base64URL.encode(Array(header.description.utf8))
    }

    /// The digest algorithm paired with the signing algorithm: SM3 for SM2, SHA-256 otherwise, so
    /// that a national-profile deployment uses national algorithms throughout.
    public var digestAlgorithm: DigestAlgorithm { key.algorithm == .sm2 ? .sm3 : .sha256 }

    /// Seals one envelope and returns its compact JWS.
    public func seal(_ draft: EnvelopeDraft) throws -> String {
        let payload = try JSONValue.object(try makeClaims(draft).jsonObject).canonicalBytes()
        let encodedPayload = Base64URL.encode(payload)
        let signature = try key.signature(for: JWS.signingInput(encodedHeader, encodedPayload))
        return "\(encodedHeader).\(encodedPayload).\(Base64URL.encode(signature))"
    }

    /// Seals many envelopes under one signature over the RFC 9162 Merkle root of their payloads.
    ///
    /// Each envelope carries its inclusion proof in the `bat` header member (marked critical, so a
    /// JOSE library that does not know it refuses the envelope instead of misreading it). One
    /// signature for the batch is how a department signs faster than the raw signature rate; each
    /// envelope still verifies on its own, and a corrupted one fails alone.
    public func sealBatch(_ drafts: [EnvelopeDraft]) throws -> [String] {
        guard !drafts.isEmpty else { return [] }
        let payloads = try drafts.map { try JSONValue.object(makeClaims($0).jsonObject).canonicalBytes() }
        let tree = MerkleTree(algorithm: digestAlgorithm, provider: crypto)
        let leaves = try payloads.map { try tree.leafHash($0) }
        let (root, proofs) = try tree.rootAndInclusionProofs(leafHashes: leaves)
        let statement = BatchRoot(
            algorithm: key.algorithm.jwsName,
            kid: kid,
            digest: digestAlgorithm,
            root: root,
            size: payloads.count
        )
        let signature = try key.signature(for: try statement.signingBytes())
        var envelopes: [String] = []
        envelopes.reserveCapacity(payloads.count)
        for (index, payload) in payloads.enumerated() {
            let header = JSONObject([
                "alg": .string(key.algorithm.jwsName), "kid": .string(kid),
                "typ": .string(EnvelopeSealer.envelopeType), "crit": .array([.string("bat")]),
                "bat": .object(
                    JSONObject([
                        "dig": .string(digestAlgorithm.rawValue), "root": .string(Base64URL.encode(root)),
                        "size": .number(Double(payloads.count)), "idx": .number(Double(index)),
                        "path": .array(proofs[index].map { .string(Base64URL.encode($0)) }),
                    ])
                ),
            ])
            envelopes.append(try JWS(header: header, payload: payload, signature: signature).compact)
        }
        return envelopes
    }

    private func makeClaims(_ draft: EnvelopeDraft) throws -> EnvelopeClaims {
        let now = clock.now()
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let reference = try draft.answering.map {
            try EnvelopeSealer.reference(to: $0, digest: digestAlgorithm, crypto: crypto)
        }
        return EnvelopeClaims(
            issuer: issuer,
            audience: draft.audience,
            issuedAt: issuedAt,
            expiresAt: issuedAt.addingTimeInterval(max(1, draft.timeToLive.rounded(.up))),
            id: Base64URL.encode(try crypto.randomBytes(count: 16)),
            service: draft.service,
            purpose: draft.purpose,
            level: draft.level,
            reference: reference,
            data: draft.data
        )
    }

    /// `ALG:BASE64URL(digest(request))`: what a response's `ref` claim holds.
    static func reference(to request: String, digest: DigestAlgorithm, crypto: any CryptoProvider) throws -> String {
        let bytes = Array(request.trimmingWhitespace.utf8)
        return "\(digest.rawValue):\(Base64URL.encode(try crypto.digest(digest, of: bytes)))"
    }
}

/// The statement a batch signature covers: the Merkle root with the algorithm, key and size, as
/// canonical JSON, so that a root can never be re-used with another key or size.
struct BatchRoot {
    var algorithm: String
    var kid: String
    var digest: DigestAlgorithm
    var root: [UInt8]
    var size: Int

    func signingBytes() throws -> [UInt8] {
        try JSONValue.object(
            JSONObject([
                "typ": .string("tz-batch-root"), "alg": .string(algorithm), "kid": .string(kid),
                "dig": .string(digest.rawValue), "root": .string(Base64URL.encode(root)), "size": .number(Double(size)),
            ])
        ).canonicalBytes()
    }
}
