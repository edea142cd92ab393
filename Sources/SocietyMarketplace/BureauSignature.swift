public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// The signed documents of the marketplace — consents, agreements, deletion attestations — are
/// compact JWS over canonical JSON, like the exchange's own: read and verified the same way.
enum SignedDocument {
    /// Parses `text` as a compact JWS of `type` whose payload is a canonical JSON object.
    static func parse(_ text: String, type: String) throws(ConsentError) -> (JWS, JSONObject) {
        let jws: JWS
        do {
            // Foundation's trimming converts to UTF-16 first: only a text that has whitespace to
            // trim pays for it (what a registry stores and checks never does).
            let trimmed =
                text.utf8.first.map { $0 > 32 } == true && text.utf8.last.map { $0 > 32 } == true
                ? text : text.trimmingCharacters(in: .whitespacesAndNewlines)
            jws = try JWS(parsing: trimmed)
        } catch {
            throw .malformed(error.reason)
        }
        guard jws.header["typ"]?.stringValue == type else { throw .malformed("the typ is not \(type)") }
        let value: JSONValue
        do {
            value = try JSONParser().parse(jws.payload)
        } catch {
            throw .malformed("the payload is not JSON")
        }
        guard (try? value.canonicalBytes()) == jws.payload, case .object(let object) = value else {
            throw .malformed("the payload is not a canonical JSON object")
        }
        return (jws, object)
    }

    /// Signs `object` as a compact JWS of `type`.
    static func sign(_ object: JSONObject, type: String, key: any SigningKey, kid: String) throws(ConsentError) -> JWS {
        let header: JSONObject = ["alg": .string(key.algorithm.jwsName), "kid": .string(kid), "typ": .string(type)]
        do {
            return try JWS.sign(header: header, payload: try JSONValue.object(object).canonicalBytes(), key: key)
        } catch {
            throw .signing("\(error)")
        }
    }

    /// Whether `jws` was signed by a signing key of `signer` on `trustList` that was not revoked and
    /// was valid at `instant`, with the header's algorithm.
    static func isSigned(
        _ jws: JWS,
        by signer: Party,
        at instant: Date,
        trustList: TrustList,
        crypto: any CryptoProvider
    )
        -> Bool
    {
        guard let kid = jws.header["kid"]?.stringValue, let (owner, trusted) = trustList.key(withID: kid),
            owner == signer, trusted.use == .signature, trusted.status != .revoked,
            trusted.mayHaveSigned(at: instant), let algorithm = trusted.algorithm,
            algorithm.jwsName == jws.header["alg"]?.stringValue,
            let raw = Base64URL.decode(trusted.publicKey),
            let key = try? crypto.importVerifyingKey(algorithm, from: raw, encoding: .raw)
        else { return false }
        return key.isValidSignature(jws.signature, for: jws.signingInput)
    }

    /// Whether `jws` was signed by one of `keys` (a provider's own, as it registered them).
    static func isSigned(_ jws: JWS, byOneOf keys: [TrustedKey], crypto: any CryptoProvider) -> Bool {
        guard let kid = jws.header["kid"]?.stringValue, let trusted = keys.first(where: { $0.kid == kid }),
            let algorithm = trusted.algorithm, algorithm.jwsName == jws.header["alg"]?.stringValue,
            let raw = Base64URL.decode(trusted.publicKey),
            let key = try? crypto.importVerifyingKey(algorithm, from: raw, encoding: .raw)
        else { return false }
        return key.isValidSignature(jws.signature, for: jws.signingInput)
    }
}

/// The commitment a consent makes to its resident: the digest of a random salt and the identity
/// number, so that the provider, who sees the consent, learns nothing of the number, and a
/// department, told the number and the salt, can check the consent is that resident's.
enum ResidentCommitment {
    static func make(
        _ resident: ResidentID,
        salt: [UInt8],
        digest: DigestAlgorithm,
        crypto: any CryptoProvider
    ) throws -> String {
        let value = try crypto.digest(digest, of: salt + Array(resident.unmasked.utf8))
        return "\(digest.rawValue):" + Base64URL.encode(value)
    }

    /// Whether `commitment` commits to `resident` under `salt` (base64url).
    static func matches(
        _ commitment: String,
        resident: ResidentID,
        salt: String,
        crypto: any CryptoProvider
    ) -> Bool {
        let parts = commitment.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let digest = DigestAlgorithm(rawValue: String(parts[0])),
            let saltBytes = Base64URL.decode(salt), saltBytes.count >= 16,
            let expected = try? make(resident, salt: saltBytes, digest: digest, crypto: crypto)
        else { return false }
        return crypto.constantTimeEquals(Array(expected.utf8), Array(commitment.utf8))
    }
}

/// What the marketplace signs: a value with its JWS `typ`, its canonical JSON object, the party
/// whose key signs it and the instant that key must have been valid at.
public protocol SignedPayload: Hashable, Sendable {
    /// The JWS `typ`.
    static var type: String { get }
    /// The canonical JSON object that is signed.
    var jsonObject: JSONObject { get }
    /// Reads the value from its signed object, through its checks.
    init(jsonObject: JSONObject) throws(ConsentError)
    /// The party whose key on the trust list signs it.
    var signer: Party { get }
    /// When it was signed (the key must have been valid then).
    var signedAt: Date { get }
    /// How a forgery of it is named in ``ConsentError/forged(_:)``.
    var forgeryLabel: String { get }
}

/// A marketplace document as its signer signed it: the compact JWS and the value it carries.
/// ``SignedConsent``, ``SignedAgreement`` and ``SignedUsageStatement`` are this type.
public struct Signed<Payload: SignedPayload>: Hashable, Sendable {
    /// The JWS.
    public let jws: JWS
    /// The value.
    public let payload: Payload

    /// The compact text, as it travels.
    public var compact: String { jws.compact }

    /// Signs `payload` with `key`, named `kid` on the trust list.
    public static func sign(_ payload: Payload, key: any SigningKey, kid: String) throws(ConsentError) -> Self {
        Self(jws: try SignedDocument.sign(payload.jsonObject, type: Payload.type, key: key, kid: kid), payload: payload)
    }

    /// Parses a signed document: its form and content, not yet its signature
    /// (``verify(trustList:crypto:)``).
    public init(parsing text: String) throws(ConsentError) {
        let (jws, object) = try SignedDocument.parse(text, type: Payload.type)
        self.jws = jws
        self.payload = try Payload(jsonObject: object)
    }

    private init(jws: JWS, payload: Payload) {
        self.jws = jws
        self.payload = payload
    }

    /// Checks the signature: the `kid` is a signing key of the payload's signer on `trustList`,
    /// not revoked, valid when it signed, of the header's algorithm, and the signature verifies.
    /// Throws ``ConsentError/forged(_:)`` otherwise.
    public func verify(trustList: TrustList, crypto: any CryptoProvider) throws(ConsentError) {
        guard
            SignedDocument.isSigned(jws, by: payload.signer, at: payload.signedAt, trustList: trustList, crypto: crypto)
        else { throw .forged(payload.forgeryLabel) }
    }
}
