import Foundation
public import SocietyCore
import SocietyJSON
import Synchronization

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
    private let encodedHeader: [UInt8]
    /// Where envelope ids come from: random bytes drawn from `crypto` in blocks.
    private let ids = EnvelopeIDGenerator()
    /// Where each sealed envelope is recorded, if anywhere.
    let audit: ExchangeAudit?

    /// A sealer for `issuer` signing with `key`, published on the trust list as `kid`.
    ///
    /// - Parameter audit: records every envelope sealed (`exchange.seal`) in the issuer's audit
    ///   log; a seal whose entry cannot be written throws, and the envelope must not be sent.
    public init(
        issuer: Party,
        key: any SigningKey,
        kid: String,
        crypto: any CryptoProvider,
        clock: any WallClock,
        audit: ExchangeAudit? = nil
    ) {
        self.audit = audit
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
        self.encodedHeader = Array(Base64URL.encode(Array(header.description.utf8)).utf8)
    }

    /// The digest algorithm paired with the signing algorithm: SM3 for SM2, SHA-256 otherwise, so
    /// that a national-profile deployment uses national algorithms throughout.
    public var digestAlgorithm: DigestAlgorithm { key.algorithm == .sm2 ? .sm3 : .sha256 }

    /// Seals one envelope and returns its compact JWS.
    public func seal(_ draft: EnvelopeDraft) async throws -> String {
        let (text, id) = try sealUnrecorded(draft)
        try await audit?.sealed(text, id: id, by: issuer, purpose: draft.purpose)
        return text
    }

    /// The compact JWS of `draft` and its envelope id, not yet audited.
    func sealUnrecorded(_ draft: EnvelopeDraft) throws -> (text: String, id: String) {
        let claims = try makeClaims(draft)
        return (try claims.withCanonicalBytes { payload in try compactEnvelope(payload: payload) }, claims.id)
    }

    /// `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)`, assembled in one buffer: the
    /// first two parts are the signing input, so the payload is encoded once, straight into place,
    /// and the signature is appended behind it.
    private func compactEnvelope(payload: UnsafeBufferPointer<UInt8>) throws -> String {
        let signingInputCount = encodedHeader.count + 1 + Base64URL.encodedCount(payload.count)
        // Room for the longest signature, a 72-byte DER SM2 signature, so that appending it never
        // reallocates.
        let capacity = signingInputCount + 1 + Base64URL.encodedCount(72)
        var envelope = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let headerEnd = buffer.initialize(fromContentsOf: encodedHeader)
            buffer[headerEnd] = UInt8(ascii: ".")
            let written = Base64URL.encode(
                payload,
                into: UnsafeMutableBufferPointer(rebasing: buffer[(headerEnd + 1)...])
            )
            count = headerEnd + 1 + written
        }
        let signature = try key.signature(for: envelope)
        envelope.append(UInt8(ascii: "."))
        signature.withUnsafeBufferPointer { signature in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Base64URL.encodedCount(signature.count)) { text in
                let written = Base64URL.encode(signature, into: text)
                envelope.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<written]))
            }
        }
        return String(decoding: envelope, as: UTF8.self)
    }

    /// Seals many envelopes under one signature over the RFC 9162 Merkle root of their payloads.
    ///
    /// Each envelope carries its inclusion proof in the `bat` header member (marked critical, so a
    /// JOSE library that does not know it refuses the envelope instead of misreading it). One
    /// signature for the batch is how a department signs faster than the raw signature rate; each
    /// envelope still verifies on its own, and a corrupted one fails alone.
    public func sealBatch(_ drafts: [EnvelopeDraft]) async throws -> [String] {
        guard !drafts.isEmpty else { return [] }
        let claims = try drafts.map(makeClaims)
        let payloads = try claims.map { try $0.withCanonicalBytes { Array($0) } }
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
        for (envelope, claims) in zip(envelopes, claims) {
            try await audit?.sealed(envelope, id: claims.id, by: issuer, purpose: claims.purpose)
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
            id: try ids.next(from: crypto),
            service: draft.service,
            purpose: draft.purpose,
            level: draft.level,
            reference: reference,
            consent: draft.consent,
            data: draft.data
        )
    }

    /// The digest of an envelope's text as it travelled (surrounding whitespace aside): what a
    /// response's `ref` and both parties' audit entries name it by.
    public static func wireDigest(
        of text: String,
        digest: DigestAlgorithm,
        crypto: any CryptoProvider
    ) throws -> [UInt8] {
        try crypto.digest(digest, of: Array(text.trimmingWhitespace.utf8))
    }

    /// `ALG:BASE64URL(digest(request))`: what a response's `ref` claim holds.
    static func reference(to request: String, digest: DigestAlgorithm, crypto: any CryptoProvider) throws -> String {
        "\(digest.rawValue):\(Base64URL.encode(try wireDigest(of: request, digest: digest, crypto: crypto)))"
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

/// Envelope ids (`jti`): 16 random bytes each, base64url, drawn from the deployment's random source
/// 1 KiB at a time.
///
/// Each request to OpenSSL's DRBG costs close to a microsecond whatever its size (the generator
/// re-keys after every request), as much as writing all the other claims; one request per 64 ids
/// makes it negligible. The bytes are ids, not secrets, so holding the rest of a block in
/// memory exposes nothing. They still come through the ``SocietyCore/CryptoProvider`` port, so a
/// seeded source keeps tests reproducible. A forked child process starts a fresh block, so parent
/// and child never hand out the same ids.
final class EnvelopeIDGenerator: Sendable {
    static let blockSize = 1024
    static let idSize = 16

    private struct Pool {
        var bytes: [UInt8] = []
        var next = 0
        var generation: UInt64 = 0
    }

    private let pool = Mutex(Pool())

    init() { ForkGeneration.register() }

    /// The next id, drawing a new block from `crypto` when the current one is used up.
    func next(from crypto: any CryptoProvider) throws -> String {
        let generation = ForkGeneration.current
        return try pool.withLock { pool throws -> String in
            if pool.next + Self.idSize > pool.bytes.count || pool.generation != generation {
                let block = try crypto.randomBytes(count: Self.blockSize)
                guard block.count >= Self.idSize else {
                    throw CryptoError(.library, "the random source returned \(block.count) of \(Self.blockSize) bytes")
                }
                pool = Pool(bytes: block, next: 0, generation: generation)
            }
            defer { pool.next += Self.idSize }
            return pool.bytes.withUnsafeBufferPointer { bytes in
                let id = UnsafeBufferPointer(rebasing: bytes[pool.next..<(pool.next + Self.idSize)])
                return String(unsafeUninitializedCapacity: Base64URL.encodedCount(Self.idSize)) { text in
                    Base64URL.encode(id, into: text)
                }
            }
        }
    }
}

/// Counts the `fork()`s of this process, so that state copied into a child (buffered ids) can tell
/// it is in a new process.
enum ForkGeneration {
    private static let count = Atomic<UInt64>(0)
    private static let registration: Void = {
        _ = pthread_atfork(nil, nil) { ForkGeneration.count.add(1, ordering: .relaxed) }
    }()

    /// Installs the child-side `pthread_atfork` handler, once per process.
    static func register() { _ = registration }

    /// How many forks led to this process.
    static var current: UInt64 { count.load(ordering: .relaxed) }
}
