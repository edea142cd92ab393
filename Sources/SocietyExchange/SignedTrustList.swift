public import Foundation
public import SocietyCore
import SocietyJSON

/// A trust list signed by the big-data bureau's root key, as it travels and is stored: a JWS in
/// the flattened JSON serialization whose payload is the canonical JSON of the ``TrustList``.
///
/// The header carries the root key's JWK (where the algorithm has one) so that a reader can see
/// who signed; a verifier must still compare it with the root key it pinned out of band.
public struct SignedTrustList: Sendable {
    /// The JWS `typ` of a trust list.
    public static let type = "tz-trust-list+jws"

    /// The signed list (not yet verified when parsed: use ``TrustAnchor/accept(_:)``).
    public let list: TrustList
    /// The JWS that carries it.
    public let jws: JWS

    /// Why a signed trust list was refused.
    public enum Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        /// Not a well-formed signed trust list.
        case malformed(String)
        /// The signature does not verify with the pinned root key.
        case badSignature
        /// Older than the maximum age a verifier accepts, or past its `nextUpdate` by more than
        /// the allowed grace: a stale list may still list a key that has since been revoked.
        case tooOld(issuedAt: Date, maximumAge: TimeInterval)
        /// Issued in the future by more than the allowed skew.
        case issuedInFuture(Date)
        /// A lower version than one already accepted: a rollback attempt.
        case rollback(version: Int, lastAccepted: Int)

        public var description: String {
            switch self {
            case .malformed(let reason): "malformed trust list: \(reason)"
            case .badSignature: "trust list signature does not verify with the root key"
            case .tooOld(let issuedAt, let maximumAge):
                "trust list issued \(EnvelopeError.format(issuedAt)) is older than the maximum age of \(Int(maximumAge)) s"
            case .issuedInFuture(let date):
                "trust list claims to be issued in the future (\(EnvelopeError.format(date)))"
            case .rollback(let version, let last):
                "trust list version \(version) is older than version \(last) already accepted"
            }
        }
    }

    /// Signs `list` with the root key.
    public static func sign(_ list: TrustList, with key: any SigningKey, kid: String) throws -> SignedTrustList {
        var header: [String: JSONValue] = [
            "alg": .string(key.algorithm.jwsName), "kid": .string(kid), "typ": .string(type),
        ]
        if key.algorithm != .sm2 {
            let jwk = try JSONWebKey(algorithm: key.algorithm, publicKey: key.publicKey.rawRepresentation)
            header["jwk"] = .object(JSONObject(jwk.members.mapValues { .string($0) }))
        }
        let payload = try JSONParser().parse(try JSONEncoder.trustList.encode(list)).canonicalBytes()
        let jws = try JWS.sign(header: JSONObject(header), payload: payload, key: key)
        // Read the list back from the payload, so that the value held is exactly what was signed
        // (ISO 8601 keeps whole seconds).
        return SignedTrustList(list: try JSONDecoder.trustList.decode(TrustList.self, from: Data(payload)), jws: jws)
    }

    private init(list: TrustList, jws: JWS) {
        self.list = list
        self.jws = jws
    }

    /// Parses the JSON (or compact) serialization; checks the form, not the signature.
    public init(parsing text: String) throws(Error) {
        do {
            jws = try JWS(parsing: text)
        } catch {
            throw .malformed(error.reason)
        }
        guard jws.header["typ"]?.stringValue == SignedTrustList.type else {
            throw .malformed("typ is not \(SignedTrustList.type)")
        }
        do {
            list = try JSONDecoder.trustList.decode(TrustList.self, from: Data(jws.payload))
        } catch {
            throw .malformed("payload is not a trust list: \(error)")
        }
    }

    /// The flattened JSON serialization, for files.
    public var text: String { jws.flattenedJSON }
}

/// What a verifier pins and remembers: the bureau's root key, the maximum age of a list, and the
/// highest version accepted so far (rollback protection).
public struct TrustAnchor: Sendable {
    /// The root public key, pinned out of band.
    public let root: any VerifyingKey
    /// How old a list may be, measured from its `issuedAt`.
    public var maximumAge: TimeInterval
    /// The highest version accepted so far; a lower one is refused.
    public private(set) var lastAcceptedVersion: Int?
    /// Clock skew allowed on `issuedAt`.
    public var allowedClockSkew: TimeInterval

    /// An anchor for `root`; persist ``lastAcceptedVersion`` between runs to keep rollback protection.
    public init(
        root: any VerifyingKey,
        maximumAge: TimeInterval = 7 * 86_400,
        lastAcceptedVersion: Int? = nil,
        allowedClockSkew: TimeInterval = 300
    ) {
        self.root = root
        self.maximumAge = maximumAge
        self.lastAcceptedVersion = lastAcceptedVersion
        self.allowedClockSkew = allowedClockSkew
    }

    /// Verifies the signature, age and version of `signed` and that its key ids are unique, and
    /// remembers its version.
    public mutating func accept(_ signed: SignedTrustList, now: Date) throws(SignedTrustList.Error) -> TrustList {
        guard SignatureAlgorithm(jwsName: signed.jws.header["alg"]?.stringValue ?? "") == root.algorithm,
            root.isValidSignature(signed.jws.signature, for: signed.jws.signingInput)
        else { throw .badSignature }
        let list = signed.list
        if list.issuedAt.timeIntervalSince(now) > allowedClockSkew { throw .issuedInFuture(list.issuedAt) }
        if now.timeIntervalSince(list.issuedAt) > maximumAge {
            throw .tooOld(issuedAt: list.issuedAt, maximumAge: maximumAge)
        }
        if let lastAcceptedVersion, list.version < lastAcceptedVersion {
            throw .rollback(version: list.version, lastAccepted: lastAcceptedVersion)
        }
        // A key id names one key: were one listed twice, an envelope naming it could be checked
        // against one party's key and attributed to another's.
        var kids: Set<String> = []
        for entry in list.parties {
            for key in entry.keys where !kids.insert(key.kid).inserted {
                throw .malformed("key id \(key.kid) is listed more than once")
            }
        }
        lastAcceptedVersion = max(lastAcceptedVersion ?? list.version, list.version)
        return list
    }
}

extension JSONDecoder {
    /// The decoder for trust-list files.
    static var trustList: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension JSONEncoder {
    /// The encoder for trust-list files.
    static var trustList: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension TrustList {
    /// The unsigned list as pretty JSON with ISO 8601 dates: the draft file that `taizhou trust`
    /// edits before signing.
    public func draftJSON() throws -> Data { try JSONEncoder.trustList.encode(self) }

    /// Reads a draft written by ``draftJSON()``.
    public init(draftJSON data: Data) throws { self = try JSONDecoder.trustList.decode(TrustList.self, from: data) }
}
