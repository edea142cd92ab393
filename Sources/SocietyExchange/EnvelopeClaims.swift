public import Foundation
public import SocietyCore
public import SocietyJSON

/// The signed content of an envelope: who sends what to whom, for which service and purpose, until
/// when, and the data itself.
///
/// On the wire this is the JWS payload, as RFC 8785 canonical JSON with the members `iss`, `aud`,
/// `iat`, `exp`, `jti`, `svc`, `purpose`, `level`, `ref` (responses only), `cns` (a provider's
/// request made under a resident's consent) and `data`. Times are whole seconds since 1970 (JWT
/// NumericDate).
public struct EnvelopeClaims: Hashable, Sendable {
    /// The sending party (`iss`).
    public var issuer: Party
    /// The receiving party (`aud`).
    public var audience: Party
    /// When it was sealed, by the sender's clock (`iat`).
    public var issuedAt: Date
    /// When it stops being valid (`exp`).
    public var expiresAt: Date
    /// The unique id the SDK drew for it (`jti`): the replay guard's key.
    public var id: String
    /// The data service (`svc`).
    public var service: String
    /// Why the data is exchanged (`purpose`).
    public var purpose: Purpose
    /// The GB/T 43697 grade of the data (`level`).
    public var level: DataLevel
    /// For a response: the digest of the request it answers (`ref`), `ALG:BASE64URL`.
    public var reference: String?
    /// For a request made under a resident's consent (a third-party provider's): the consent's id
    /// (`cns`), which the receiver's ``ConsentCheck`` checks.
    public var consent: String?
    /// The data (`data`).
    public var data: JSONValue

    /// The claims as the canonical JSON object that is signed.
    public var jsonObject: JSONObject {
        // Inserted one by one: the object keeps canonical order itself, which is cheaper than
        // building and sorting a dictionary for every envelope.
        var object = JSONObject()
        object["iss"] = .string(issuer.text)
        object["aud"] = .string(audience.text)
        object["iat"] = .number(Double(Int64(issuedAt.timeIntervalSince1970)))
        object["exp"] = .number(Double(Int64(expiresAt.timeIntervalSince1970)))
        object["jti"] = .string(id)
        object["svc"] = .string(service)
        object["purpose"] = .string(purpose.code)
        object["level"] = .string(level.rawValue)
        object["data"] = data
        if let reference { object["ref"] = .string(reference) }
        if let consent { object["cns"] = .string(consent) }
        return object
    }

    /// The canonical JSON of ``jsonObject``, written member by member and lent to `body`: what
    /// the sealer signs, without building the object first.
    func withCanonicalBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) throws -> Result {
        // Members in RFC 8785 order; `jsonObject` holds the same members, and a test checks that
        // both give the same bytes.
        var writer = CanonicalObjectWriter(capacity: 2048)
        writer.add("aud", string: audience.text)
        if let consent { writer.add("cns", string: consent) }
        try writer.add("data", value: data)
        try writer.add("exp", number: Double(Int64(expiresAt.timeIntervalSince1970)))
        try writer.add("iat", number: Double(Int64(issuedAt.timeIntervalSince1970)))
        writer.add("iss", string: issuer.text)
        writer.add("jti", string: id)
        writer.add("level", string: level.rawValue)
        writer.add("purpose", string: purpose.code)
        if let reference { writer.add("ref", string: reference) }
        writer.add("svc", string: service)
        return try writer.finish(body)
    }

    /// The names an envelope payload may have, in canonical order.
    private static let claimNames: [String] = [
        "aud", "cns", "data", "exp", "iat", "iss", "jti", "level", "purpose", "ref", "svc",
    ]

    /// The same names as a set, for the rare key that is not byte for byte one of them.
    private static let claimNameSet = Set(claimNames)

    /// Reads claims from a parsed payload; the message names the first missing or ill-typed member.
    ///
    /// - Parameter knownParties: parties already validated (the signer's and the receiver's): a
    ///   party claim whose text is byte for byte one of theirs is that party, which skips parsing
    ///   and validating its credit code again.
    init(_ value: JSONValue, knownParties: [Party] = []) throws(EnvelopeError) {
        guard case .object(let object) = value else { throw .malformed("envelope payload is not a JSON object") }
        // One pass over the members, which are in canonical order like `claimNames`: each claim's
        // value by its exact name, as `object[name]` would find it, and the first member that is
        // not a claim.
        var claims = [JSONValue?](repeating: nil, count: EnvelopeClaims.claimNames.count)
        var next = 0
        for member in object.members {
            while next < claims.count, compareUTF8(EnvelopeClaims.claimNames[next], member.key) < 0 { next += 1 }
            if next < claims.count, compareUTF8(EnvelopeClaims.claimNames[next], member.key) == 0 {
                claims[next] = member.value
            } else if !EnvelopeClaims.claimNameSet.contains(member.key) {
                throw .malformed("claim \"\(member.key)\" is not an envelope claim")
            }
        }
        func claim(_ name: String) -> JSONValue? {
            guard let index = EnvelopeClaims.claimNames.firstIndex(of: name) else { return nil }
            return claims[index]
        }
        func string(_ name: String) throws(EnvelopeError) -> String {
            guard let text = claim(name)?.stringValue else {
                throw .malformed("claim \"\(name)\" is missing or not a string")
            }
            return text
        }
        func seconds(_ name: String) throws(EnvelopeError) -> Date {
            guard let number = claim(name)?.doubleValue, number.rounded() == number, abs(number) < 1e11 else {
                throw .malformed("claim \"\(name)\" is missing or not whole seconds")
            }
            return Date(timeIntervalSince1970: number)
        }
        func party(_ name: String) throws -> Party {
            let text = try string(name)
            if let known = knownParties.first(where: { compareUTF8($0.text, text) == 0 }) { return known }
            return try Party(text)
        }
        do {
            issuer = try party("iss")
            audience = try party("aud")
            purpose = try Purpose(try string("purpose"))
        } catch let error as EnvelopeError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
        issuedAt = try seconds("iat")
        expiresAt = try seconds("exp")
        id = try string("jti")
        service = try string("svc")
        guard let level = DataLevel(rawValue: try string("level")) else {
            throw .malformed("claim \"level\" must be general, important or core")
        }
        self.level = level
        if claim("ref") != nil { reference = try string("ref") } else { reference = nil }
        if claim("cns") != nil {
            let consent = try string("cns")
            guard !consent.isEmpty, consent.utf8.count <= 128 else {
                throw .malformed("claim \"cns\" must be 1–128 characters")
            }
            self.consent = consent
        } else {
            consent = nil
        }
        guard let data = claim("data") else { throw .malformed("claim \"data\" is missing") }
        self.data = data
        guard expiresAt > issuedAt else { throw .malformed("claim \"exp\" is not after \"iat\"") }
        guard !id.isEmpty, id.utf8.count <= 128 else { throw .malformed("claim \"jti\" must be 1–128 characters") }
    }

    /// Claims as given, unchecked: for a sealer, and for testing a ``ConsentCheck`` or a
    /// responder without sealing an envelope. Opening checks them.
    public init(
        issuer: Party,
        audience: Party,
        issuedAt: Date,
        expiresAt: Date,
        id: String,
        service: String,
        purpose: Purpose,
        level: DataLevel,
        reference: String?,
        consent: String? = nil,
        data: JSONValue
    ) {
        self.issuer = issuer
        self.audience = audience
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.id = id
        self.service = service
        self.purpose = purpose
        self.level = level
        self.reference = reference
        self.consent = consent
        self.data = data
    }
}

/// What a sender fills in; the SDK adds the issuer, the times and the unique id when sealing.
public struct EnvelopeDraft: Sendable {
    /// The receiving party.
    public var audience: Party
    /// The data service.
    public var service: String
    /// Why the data is exchanged.
    public var purpose: Purpose
    /// The grade of the data carried.
    public var level: DataLevel
    /// The data.
    public var data: JSONValue
    /// How long the envelope stays valid after sealing, in seconds.
    public var timeToLive: TimeInterval
    /// For a response: the request envelope (as received) that this answers.
    public var answering: String?
    /// For a provider's request: the id of the resident's consent it is made under (`cns`).
    public var consent: String?

    /// Creates a draft; five minutes of validity suits a synchronous request and its answer.
    public init(
        audience: Party,
        service: String,
        purpose: Purpose,
        level: DataLevel = .general,
        data: JSONValue,
        timeToLive: TimeInterval = 300,
        answering: String? = nil,
        consent: String? = nil
    ) {
        self.consent = consent
        self.audience = audience
        self.service = service
        self.purpose = purpose
        self.level = level
        self.data = data
        self.timeToLive = timeToLive
        self.answering = answering
    }

    /// A response to an opened request: back to its issuer, for the same service and purpose,
    /// carrying the request's digest in `ref`.
    public static func response(
        to request: OpenedEnvelope,
        level: DataLevel? = nil,
        data: JSONValue,
        timeToLive: TimeInterval = 300
    ) -> EnvelopeDraft {
        EnvelopeDraft(
            audience: request.claims.issuer,
            service: request.claims.service,
            purpose: request.claims.purpose,
            level: level ?? request.claims.level,
            data: data,
            timeToLive: timeToLive,
            answering: request.received
        )
    }
}

/// An envelope that passed every check of ``EnvelopeOpener/open(_:answering:)``.
public struct OpenedEnvelope: Sendable {
    /// The verified claims.
    public let claims: EnvelopeClaims
    /// The key that signed it.
    public let kid: String
    /// The signed envelope (compact or JSON JWS), to keep as evidence: for a confidential envelope,
    /// the decrypted inner JWS.
    public let text: String
    /// Whether it came from a batch (one signature over a Merkle root).
    public let isBatched: Bool
    /// Whether it arrived encrypted to me (a confidential envelope).
    public let isEncrypted: Bool
    /// The envelope exactly as received (the JWE for a confidential envelope): what a response's
    /// `ref` digests, since it is what the requester sent.
    public let received: String
}

/// Compares two strings by their UTF-8 bytes (negative, zero or positive), which for the ASCII
/// names of claims is also their canonical order; zero means byte for byte equal, where Swift's
/// `==` would also call canonically equivalent strings equal.
func compareUTF8(_ a: String, _ b: String) -> Int {
    let compared = a.utf8.withContiguousStorageIfAvailable { left in
        b.utf8.withContiguousStorageIfAvailable { right in
            for (x, y) in zip(left, right) where x != y { return Int(x) - Int(y) }
            return left.count - right.count
        }
    }
    if let compared, let result = compared { return result }
    for (x, y) in zip(a.utf8, b.utf8) where x != y { return Int(x) - Int(y) }
    return a.utf8.count - b.utf8.count
}
