public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// An SD-JWT (RFC 9901) in its compact form `<issuer JWT>~<disclosure>~…~<KB-JWT or empty>`:
/// the issuance a holder keeps, or a presentation a verifier receives.
///
/// Parsing checks only the form; ``SDJWTVerifier`` checks signatures and digests.
public struct SDJWT: Hashable, Sendable {
    /// The issuer-signed JWT.
    public let issuerSigned: JWS
    /// The disclosures, in the order they were sent.
    public let disclosures: [Disclosure]
    /// The key-binding JWT of a presentation, if any.
    public let keyBinding: JWS?

    /// The most parts a presentation may have: far more claims than any certificate type has,
    /// and a bound on the work a hostile input can cause.
    public static let maximumDisclosures = 256

    /// Assembles an SD-JWT from its parts.
    public init(issuerSigned: JWS, disclosures: [Disclosure], keyBinding: JWS? = nil) {
        self.issuerSigned = issuerSigned
        self.disclosures = disclosures
        self.keyBinding = keyBinding
    }

    /// Parses the compact serialization.
    public init(parsing text: String) throws(CertificateError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else { throw .malformed("an SD-JWT has at least one ~") }
        guard parts.count <= Self.maximumDisclosures + 2 else { throw .malformed("too many disclosures") }
        do {
            issuerSigned = try JWS(parsing: parts[0])
        } catch {
            throw .malformed("issuer-signed JWT: \(error.reason)")
        }
        guard parts[0].utf8.first != UInt8(ascii: "{") else { throw .malformed("issuer JWT must be compact") }
        var disclosures: [Disclosure] = []
        for (index, part) in parts.dropFirst().dropLast().enumerated() {
            disclosures.append(try Disclosure(parsing: part, index: index))
        }
        self.disclosures = disclosures
        if let last = parts.last, !last.isEmpty {
            guard last.utf8.first != UInt8(ascii: "{") else { throw .malformedKeyBinding("must be compact") }
            do {
                keyBinding = try JWS(parsing: last)
            } catch {
                throw .malformedKeyBinding(error.reason)
            }
        } else {
            keyBinding = nil
        }
    }

    /// `<JWT>~<D1>~…~<DN>~`: the SD-JWT without a key binding, which `sd_hash` covers.
    public var withoutKeyBinding: String {
        ([issuerSigned.compact] + disclosures.map(\.encoded)).joined(separator: "~") + "~"
    }

    /// The compact serialization, with the key-binding JWT when there is one.
    public var compact: String { withoutKeyBinding + (keyBinding?.compact ?? "") }

    /// The issuer-signed payload as a JSON object (not yet verified).
    public func payload() throws(CertificateError) -> JSONObject {
        guard case .object(let object)? = try? JSONParser().parse(issuerSigned.payload) else {
            throw .malformed("issuer-signed payload is not a JSON object")
        }
        return object
    }
}

/// Creates SD-JWTs whose chosen top-level claims are selectively disclosable.
public struct SDJWTIssuer: Sendable {
    /// The JWS `typ` of an SD-JWT VC (SD-JWT VC draft §3.2.1; earlier drafts used `vc+sd-jwt`).
    public static let type = "dc+sd-jwt"

    let crypto: any CryptoProvider
    let random: any RandomSource

    /// An issuer drawing salts from `random` and hashing and signing through `crypto`.
    public init(crypto: any CryptoProvider, random: any RandomSource) {
        self.crypto = crypto
        self.random = random
    }

    /// Signs `visible` plus a digest for each member of `disclosable`, in random order
    /// (sorted digests, as RFC 9901 §4.2.4.1 recommends), with `decoys` extra random digests.
    ///
    /// - Returns: the issued SD-JWT with every disclosure.
    public func issue(
        visible: JSONObject,
        disclosable: JSONObject,
        decoys: Int = 0,
        key: any SigningKey,
        kid: String,
        type: String = SDJWTIssuer.type
    ) throws -> SDJWT {
        var payload = visible
        var disclosures: [Disclosure] = []
        var digests: [String] = []
        for member in disclosable {
            let disclosure = try Disclosure(
                salt: Base64URL.encode(try random.bytes(count: 16)),
                name: member.key,
                value: member.value
            )
            disclosures.append(disclosure)
            digests.append(try disclosure.digest(using: crypto))
        }
        for _ in 0..<decoys {
            digests.append(Base64URL.encode(try crypto.digest(.sha256, of: try random.bytes(count: 32))))
        }
        if !digests.isEmpty {
            payload["_sd"] = .array(digests.sorted().map(JSONValue.string))
            payload["_sd_alg"] = "sha-256"
        }
        let header: JSONObject = [
            "alg": .string(key.algorithm.jwsName), "kid": .string(kid), "typ": .string(type),
        ]
        let jws = try JWS.sign(header: header, payload: try JSONValue.object(payload).canonicalBytes(), key: key)
        return SDJWT(issuerSigned: jws, disclosures: disclosures)
    }
}

extension SDJWT {
    /// The JWS `typ` of a key-binding JWT (RFC 9901 §4.3).
    public static let keyBindingType = "kb+jwt"

    /// A presentation (亮证): only the disclosures whose claim names are in `names`, bound to the
    /// verifier's `audience` and `nonce` by a key-binding JWT signed with the holder's key.
    ///
    /// Throws `.invalidClaims` when a requested name has no disclosure, so that a holder never
    /// believes they showed something they did not.
    public func presenting(
        _ names: Set<String>,
        holderKey: any SigningKey,
        audience: String,
        nonce: String,
        issuedAt: Date,
        crypto: any CryptoProvider
    ) throws -> SDJWT {
        let available = Set(disclosures.compactMap(\.name))
        let missing = names.subtracting(available)
        guard missing.isEmpty else {
            throw CertificateError.invalidClaims("no disclosure for \(missing.sorted().joined(separator: ", "))")
        }
        let chosen = SDJWT(
            issuerSigned: issuerSigned,
            disclosures: disclosures.filter { names.contains($0.name ?? "") }
        )
        let hash = Base64URL.encode(try crypto.digest(.sha256, of: Array(chosen.withoutKeyBinding.utf8)))
        let payload: JSONObject = [
            "iat": .number(issuedAt.timeIntervalSince1970.rounded(.down)), "aud": .string(audience),
            "nonce": .string(nonce), "sd_hash": .string(hash),
        ]
        let header: JSONObject = ["alg": .string(holderKey.algorithm.jwsName), "typ": .string(SDJWT.keyBindingType)]
        let keyBinding = try JWS.sign(
            header: header,
            payload: try JSONValue.object(payload).canonicalBytes(),
            key: holderKey
        )
        return SDJWT(issuerSigned: issuerSigned, disclosures: chosen.disclosures, keyBinding: keyBinding)
    }
}
