public import Foundation
public import SocietyCore
import SocietyJSON

/// Opens envelopes addressed to one party, checking everything a receiver must check, in a fixed
/// order, and failing with a distinct ``EnvelopeError`` for each check:
///
/// 0. decryption — for a confidential envelope (compact JWE): well formed, encrypted to one of my
///    decryption keys, content key unwrapped, content authenticated; then its `apu`/`apv` must name
///    the inner envelope's `iss`/`aud`;
/// 1. structure — a well-formed JWS with the exchange's `typ`, a known `alg`, canonical claims;
/// 2. signer key — the `kid` is on the trust list, belongs to the `iss` party, has the `alg`;
/// 3. key validity — not revoked (whatever `iat` says), and within its window at `iat`;
/// 4. signature — over the JWS signing input, or a batch's Merkle proof and root signature;
/// 5. audience — addressed to this party;
/// 6. time — not expired, not issued in the future, beyond the allowed skew;
/// 7. confidentiality — an envelope whose service (in the catalogue) or declared level is important
///    or core must have arrived encrypted;
/// 8. replay — the `jti` was not seen before from this issuer;
/// 9. access — the consumer may call the service for the purpose, at the catalogue's level;
/// 10. consent — with a ``ConsentCheck``, a request is covered by the resident's consent it names
///     (`cns`): registered, genuine, this provider's, valid, not revoked, covering the service, the
///     purpose and every field asked for, within its frequency;
/// 11. request reference — a response answers the request the caller sent.
///
/// The replay check runs after every cryptographic and time check, so forged or stale envelopes
/// never fill the replay store.
public struct EnvelopeOpener: Sendable {
    /// The party this opener receives for.
    public let me: Party
    /// The trust list in force (already verified against the bureau's root key).
    public let trustList: TrustList
    /// How far the sender's and the receiver's clocks may disagree, in seconds.
    public let allowedClockSkew: TimeInterval
    private let crypto: any CryptoProvider
    private let clock: any WallClock
    private let replayGuard: any ReplayGuard
    private let keys: [String: Result<any VerifyingKey, CryptoError>]
    private let decryptionKeys: [String: any DecryptionKey]
    /// Each key id's entry, as ``TrustList/key(withID:)`` finds it, looked up instead of searched.
    private let signers: [String: (party: Party, key: TrustedKey)]
    private let audit: ExchangeAudit?
    /// Checks requests against residents' consents (step 10), when set.
    private let consentCheck: (any ConsentCheck)?

    /// An opener for `me`. Every trust-list key is imported once here, not per envelope.
    public init(
        me: Party,
        trustList: TrustList,
        crypto: any CryptoProvider,
        clock: any WallClock,
        replayGuard: any ReplayGuard,
        allowedClockSkew: TimeInterval = 60,
        decryptionKeys: [String: any DecryptionKey] = [:],
        audit: ExchangeAudit? = nil,
        consentCheck: (any ConsentCheck)? = nil
    ) {
        self.audit = audit
        self.consentCheck = consentCheck
        self.decryptionKeys = decryptionKeys
        self.me = me
        self.trustList = trustList
        self.crypto = crypto
        self.clock = clock
        self.replayGuard = replayGuard
        self.allowedClockSkew = allowedClockSkew
        var keys: [String: Result<any VerifyingKey, CryptoError>] = [:]
        for entry in trustList.parties {
            // The first key with an id wins, as in `key(withID:)` and `signers` below, so that the
            // key an envelope is verified with is the key of the party it is attributed to even
            // in a list (not accepted through a `TrustAnchor`) that repeats an id.
            for key in entry.keys where keys[key.kid] == nil {
                guard key.use == .signature, let algorithm = key.algorithm else { continue }
                keys[key.kid] = Result { () throws(CryptoError) -> any VerifyingKey in
                    guard let raw = Base64URL.decode(key.publicKey) else {
                        throw CryptoError(.invalidKey, "trust-list key is not base64url")
                    }
                    do {
                        return try crypto.importVerifyingKey(algorithm, from: raw, encoding: .raw)
                    } catch let error as CryptoError {
                        throw error
                    } catch {
                        throw CryptoError(.invalidKey, "\(error)")
                    }
                }
            }
        }
        self.keys = keys
        var signers: [String: (party: Party, key: TrustedKey)] = [:]
        for entry in trustList.parties {
            // The first entry wins, as in `key(withID:)`.
            for key in entry.keys where signers[key.kid] == nil { signers[key.kid] = (entry.party, key) }
        }
        self.signers = signers
    }

    /// Opens an envelope: a signed envelope (compact or JSON JWS), or a confidential one (compact
    /// JWE) that it first decrypts with the decryption key its `kid` names.
    ///
    /// - Parameter request: for a response, the request envelope exactly as it was sent; its digest
    ///   must equal the response's `ref` claim.
    ///
    /// With an ``ExchangeAudit``, every envelope opened is recorded (`exchange.open`) and every
    /// refusal too (`exchange.refused.<check>`). An opened envelope whose entry cannot be written
    /// is refused with ``EnvelopeError/auditUnavailable(_:)`` (its id is then spent: the sender
    /// must seal it again); a refusal whose entry cannot be written is still thrown as itself.
    public func open(
        _ text: String,
        answering request: String? = nil
    ) async throws(EnvelopeError) -> OpenedEnvelope {
        guard let audit else { return try await openUnrecorded(text, answering: request) }
        let opened: OpenedEnvelope
        do {
            opened = try await openUnrecorded(text, answering: request)
        } catch {
            try? await audit.refused(text, by: me, because: error)
            throw error
        }
        do {
            try await audit.opened(opened, by: me)
        } catch {
            throw .auditUnavailable("\(error)")
        }
        return opened
    }

    private func openUnrecorded(
        _ text: String,
        answering request: String?
    ) async throws(EnvelopeError) -> OpenedEnvelope {
        // 0. Decryption.
        var signedText = text
        var outer: ConfidentialSealing.Outer?
        if JWE.isCompactJWE(text) {
            (signedText, outer) = try ConfidentialSealing(crypto: crypto).decrypt(text, keys: decryptionKeys)
        }

        // 1. Structure.
        let jws: JWS
        do {
            jws = try JWS(parsing: signedText)
        } catch {
            throw .malformed(error.reason)
        }
        let typ = jws.header["typ"]?.stringValue
        guard typ == EnvelopeSealer.envelopeType else { throw .wrongType(typ) }
        guard let algName = jws.header["alg"]?.stringValue else { throw .malformed("header \"alg\" is missing") }
        guard let algorithm = SignatureAlgorithm(jwsName: algName) else { throw .unsupportedAlgorithm(algName) }
        guard let kid = jws.header["kid"]?.stringValue else { throw .malformed("header \"kid\" is missing") }
        let batch = try BatchHeader(jws.header)
        // The parties the claims should name, so that reading them need not validate them again;
        // whether they do name them is checked in steps 2 and 5.
        let signer = signers[kid]
        let claims = try EnvelopeOpener.claims(of: jws.payload, knownParties: signer.map { [$0.party, me] } ?? [me])
        if let outer {
            guard outer.sender == Array(claims.issuer.text.utf8) else {
                throw .encryptionMismatch("apu does not name the signed issuer \(claims.issuer)")
            }
            guard outer.recipient == Array(claims.audience.text.utf8) else {
                throw .encryptionMismatch("apv does not name the signed audience \(claims.audience)")
            }
        }

        // 2. Signer key.
        guard let (owner, trusted) = signer, let verifier = try? keys[kid]?.get() else {
            throw .unknownKey(kid: kid)
        }
        guard owner == claims.issuer else {
            throw .keyMismatch(kid: kid, reason: "it belongs to \(owner), the envelope claims \(claims.issuer)")
        }
        guard trusted.algorithm == algorithm else {
            throw .keyMismatch(
                kid: kid,
                reason: "it is an \(trusted.algorithm?.jwsName ?? "encryption") key, the header says \(algName)"
            )
        }

        // 3. Key validity.
        if trusted.status == .revoked { throw .keyRevoked(kid: kid) }
        guard trusted.mayHaveSigned(at: claims.issuedAt) else {
            throw .keyNotValidAtIssueTime(kid: kid, issuedAt: claims.issuedAt)
        }

        // 4. Signature.
        if let batch {
            guard try verifyBatch(batch, jws: jws, algorithm: algName, kid: kid, verifier: verifier) else {
                throw .badSignature
            }
        } else {
            guard verifier.isValidSignature(jws.signature, for: jws.signingInput) else { throw .badSignature }
        }

        // 5. Audience.
        guard claims.audience == me else { throw .wrongAudience(expected: me, found: claims.audience) }

        // 6. Time.
        let now = clock.now()
        if now.timeIntervalSince(claims.expiresAt) > allowedClockSkew { throw .expired(at: claims.expiresAt) }
        if claims.issuedAt.timeIntervalSince(now) > allowedClockSkew { throw .issuedInFuture(at: claims.issuedAt) }

        // 7. Confidentiality: the catalogue's grade of the service, or the declared level if higher.
        let service = trustList.service(withID: claims.service)
        let level = max(claims.level, service?.level ?? .general)
        if outer == nil, level >= .important {
            throw .encryptionRequired(service: claims.service, level: level)
        }

        // 8. Replay.
        let isNew: Bool
        do {
            isNew = try await replayGuard.markSeen(
                issuer: claims.issuer.text,
                id: claims.id,
                expiresAt: claims.expiresAt.addingTimeInterval(allowedClockSkew),
                now: now
            )
        } catch {
            throw .replayGuardUnavailable("\(error)")
        }
        guard isNew else { throw .replayed(id: claims.id) }

        // 9. Access: a request is checked for its issuer, a response for its audience (the consumer
        // who asked); the provider of a service answers, it does not call.
        let consumer = service?.provider == claims.issuer ? claims.audience : claims.issuer
        guard let service, trustList.allows(consumer, toCall: claims.service, for: claims.purpose) else {
            throw .notAllowed(consumer: consumer, service: claims.service, purpose: claims.purpose)
        }
        guard claims.level >= service.level else {
            throw .levelBelowCatalogue(declared: claims.level, catalogue: service.level)
        }

        // 10. Consent: a request only (a response answers one already checked), after every other
        // check so that nothing refused earlier is counted against the consent's frequency.
        if let consentCheck, consumer == claims.issuer {
            do throws(ConsentRefusal) {
                try await consentCheck.check(claims, consumer: consumer, now: now)
            } catch {
                throw .consent(error)
            }
        }

        // 11. Request reference.
        if let request {
            guard let reference = claims.reference, referenceMatches(reference, request: request) else {
                throw .requestMismatch
            }
        }
        return OpenedEnvelope(
            claims: claims,
            kid: kid,
            text: signedText.trimmingWhitespace,
            isBatched: batch != nil,
            isEncrypted: outer != nil,
            received: text.trimmingWhitespace
        )
    }

    private func referenceMatches(_ reference: String, request: String) -> Bool {
        let parts = reference.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let digest = DigestAlgorithm(rawValue: String(parts[0])),
            let expected = try? EnvelopeSealer.reference(to: request, digest: digest, crypto: crypto)
        else { return false }
        return crypto.constantTimeEquals(Array(expected.utf8), Array(reference.utf8))
    }

    private func verifyBatch(
        _ batch: BatchHeader,
        jws: JWS,
        algorithm: String,
        kid: String,
        verifier: any VerifyingKey
    ) throws(EnvelopeError) -> Bool {
        let tree = MerkleTree(algorithm: batch.digest, provider: crypto)
        do {
            let leaf = try tree.leafHash(jws.payload)
            guard
                try tree.verifyInclusion(
                    leafHash: leaf,
                    index: batch.index,
                    treeSize: batch.size,
                    proof: batch.path,
                    rootHash: batch.root
                )
            else { return false }
            let statement = BatchRoot(
                algorithm: algorithm,
                kid: kid,
                digest: batch.digest,
                root: batch.root,
                size: batch.size
            )
            return verifier.isValidSignature(jws.signature, for: try statement.signingBytes())
        } catch {
            return false
        }
    }

    /// Parses the payload and insists that it is already canonical: the bytes that were signed
    /// must be the bytes anyone re-deriving them from the claims would produce.
    ///
    /// A canonical payload is read in one pass that checks the form as it parses; any other is
    /// parsed and serialized again, which finds what is wrong with it for the message.
    static func claims(of payload: [UInt8], knownParties: [Party] = []) throws(EnvelopeError) -> EnvelopeClaims {
        if let value = payload.withUnsafeBufferPointer({ JSONParser().parseCanonical($0) }) {
            return try EnvelopeClaims(value, knownParties: knownParties)
        }
        let value: JSONValue
        do {
            value = try JSONParser().parse(payload)
        } catch {
            throw .malformed("payload is not JSON: \(error)")
        }
        guard (try? value.canonicalBytes()) == payload else {
            throw .malformed("payload is not RFC 8785 canonical JSON")
        }
        return try EnvelopeClaims(value, knownParties: knownParties)
    }
}

/// The `bat` header member of a batch-sealed envelope.
struct BatchHeader {
    var digest: DigestAlgorithm
    var root: [UInt8]
    var size: Int
    var index: Int
    var path: [[UInt8]]

    /// `nil` for a single envelope; throws when `bat` or `crit` is present but ill-formed.
    init?(_ header: JSONObject) throws(EnvelopeError) {
        let crit = header["crit"]
        guard let value = header["bat"] else {
            if crit != nil { throw .malformed("header \"crit\" names members this SDK does not know") }
            return nil
        }
        guard crit == .array([.string("bat")]) else { throw .malformed("header \"bat\" must be listed in \"crit\"") }
        guard let digestName = value["dig"]?.stringValue, let digest = DigestAlgorithm(rawValue: digestName),
            let rootText = value["root"]?.stringValue, let root = Base64URL.decode(rootText),
            let size = value["size"]?.doubleValue, let index = value["idx"]?.doubleValue,
            let pathValues = value["path"]?.arrayValue, size >= 1, size <= 1e9, size.rounded() == size,
            index >= 0, index < size, index.rounded() == index, pathValues.count <= 64
        else { throw .malformed("header \"bat\" is not a valid batch proof") }
        var path: [[UInt8]] = []
        for element in pathValues {
            guard let text = element.stringValue, let hash = Base64URL.decode(text) else {
                throw .malformed("header \"bat\" has a proof element that is not base64url")
            }
            path.append(hash)
        }
        self.digest = digest
        self.root = root
        self.size = Int(size)
        self.index = Int(index)
        self.path = path
    }
}
