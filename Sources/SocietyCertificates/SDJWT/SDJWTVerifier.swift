public import Foundation
public import SocietyCore
public import SocietyJSON

/// Verifies an SD-JWT (RFC 9901 §7): issuer signature, key binding, then disclosures.
///
/// The key binding is checked *before* the disclosures are matched, so that a disclosure changed
/// in transit is reported as ``CertificateError/keyBindingHashMismatch`` while a disclosure the
/// holder added and re-signed (one never issued with this token) is reported as
/// ``CertificateError/disclosureNotReferenced(digest:)``: the two are different attacks.
public struct SDJWTVerifier: Sendable {
    /// The result: the issuer-signed header and the payload with disclosed claims put in place.
    public struct Verified: Hashable, Sendable {
        /// The issuer-signed JWT's protected header.
        public var header: JSONObject
        /// The payload with `_sd`, `_sd_alg` and undisclosed digests removed and disclosed claims inserted.
        public var claims: JSONObject
        /// The names of the disclosed top-level claims.
        public var disclosedNames: [String]
        /// The holder's key from `cnf.jwk`, when there is one.
        public var holderKey: JSONWebKey?
    }

    /// What the key binding must say, for a presentation.
    public struct Binding: Hashable, Sendable {
        /// The verifier's own identifier, the expected `aud`.
        public var audience: String
        /// The challenge the verifier sent, the expected `nonce`.
        public var nonce: String
        /// Creates the expectation.
        public init(audience: String, nonce: String) {
            self.audience = audience
            self.nonce = nonce
        }
    }

    let crypto: any CryptoProvider
    /// How old a key-binding JWT may be: a presentation is answered at once, not kept.
    public var keyBindingMaximumAge: TimeInterval
    /// Clock difference tolerated between holder, issuer and verifier.
    public var allowedClockSkew: TimeInterval

    /// A verifier hashing and checking signatures through `crypto`.
    public init(
        crypto: any CryptoProvider,
        keyBindingMaximumAge: TimeInterval = 300,
        allowedClockSkew: TimeInterval = 300
    ) {
        self.crypto = crypto
        self.keyBindingMaximumAge = keyBindingMaximumAge
        self.allowedClockSkew = allowedClockSkew
    }

    /// Verifies `token`.
    ///
    /// - Parameters:
    ///   - issuerKey: finds the issuer's key from the header and unverified payload, and throws
    ///     when the key is unknown or not allowed (the trust-list checks live there).
    ///   - binding: the expected audience and nonce; `nil` for an issuance the holder checks,
    ///     where no key binding is expected.
    public func verify(
        _ token: SDJWT,
        issuerKey: (_ header: JSONObject, _ payload: JSONObject) throws(CertificateError) -> any VerifyingKey,
        binding: Binding?,
        now: Date
    ) throws(CertificateError) -> Verified {
        let header = token.issuerSigned.header
        let algorithmName = header["alg"]?.stringValue ?? "(none)"
        guard let algorithm = SignatureAlgorithm(jwsName: algorithmName) else {
            throw .unsupportedAlgorithm(algorithmName)
        }
        let payload = try token.payload()
        let key = try issuerKey(header, payload)
        guard key.algorithm == algorithm,
            key.isValidSignature(token.issuerSigned.signature, for: token.issuerSigned.signingInput)
        else { throw .badIssuerSignature }
        if let digestName = payload["_sd_alg"] {
            guard digestName == "sha-256" else { throw .unsupportedAlgorithm("_sd_alg \(digestName)") }
        }

        var holderKey: JSONWebKey?
        if let jwk = payload["cnf"]?["jwk"] {
            guard let members = jwk.objectValue?.dictionary.compactMapValues(\.stringValue),
                let parsed = try? JSONWebKey(members: members)
            else { throw .malformed("cnf.jwk is not a JWK") }
            holderKey = parsed.publicKeyOnly
        }
        if let binding { try checkKeyBinding(token, holderKey: holderKey, binding: binding, now: now) }

        var byDigest: [String: Disclosure] = [:]
        for disclosure in token.disclosures {
            let digest: String
            do {
                digest = try disclosure.digest(using: crypto)
            } catch {
                throw .malformed("cannot hash a disclosure: \(error)")
            }
            guard byDigest.updateValue(disclosure, forKey: digest) == nil else {
                throw .duplicateDisclosure(digest: digest)
            }
        }
        var used: Set<String> = []
        guard case .object(var claims) = try expand(.object(payload), byDigest, &used) else {
            throw .malformed("payload is not an object")
        }
        if let unused = byDigest.keys.sorted().first(where: { !used.contains($0) }) {
            throw .disclosureNotReferenced(digest: unused)
        }
        claims["_sd_alg"] = nil
        let names = token.disclosures.compactMap(\.name).filter { payload[$0] == nil && claims[$0] != nil }
        return Verified(header: header, claims: claims, disclosedNames: names.sorted(), holderKey: holderKey)
    }

    private func checkKeyBinding(
        _ token: SDJWT,
        holderKey: JSONWebKey?,
        binding: Binding,
        now: Date
    ) throws(CertificateError) {
        guard let keyBinding = token.keyBinding else { throw .missingKeyBinding }
        guard let holderKey else { throw .missingHolderKey }
        guard keyBinding.header["typ"]?.stringValue == SDJWT.keyBindingType else {
            throw .malformedKeyBinding("typ is not \(SDJWT.keyBindingType)")
        }
        let name = keyBinding.header["alg"]?.stringValue ?? "(none)"
        guard let algorithm = SignatureAlgorithm(jwsName: name) else { throw .unsupportedAlgorithm(name) }
        let key: any VerifyingKey
        do {
            guard try holderKey.algorithm == algorithm else { throw CertificateError.badKeyBindingSignature }
            key = try crypto.importVerifyingKey(algorithm, from: try holderKey.rawPublicKey(), encoding: .raw)
        } catch {
            throw .badKeyBindingSignature
        }
        guard key.isValidSignature(keyBinding.signature, for: keyBinding.signingInput) else {
            throw .badKeyBindingSignature
        }
        guard case .object(let claims)? = try? JSONParser().parse(keyBinding.payload) else {
            throw .malformedKeyBinding("payload is not a JSON object")
        }
        let expectedHash: String
        do {
            expectedHash = Base64URL.encode(try crypto.digest(.sha256, of: Array(token.withoutKeyBinding.utf8)))
        } catch {
            throw .malformed("cannot hash the presentation: \(error)")
        }
        guard claims["sd_hash"]?.stringValue == expectedHash else { throw .keyBindingHashMismatch }
        let audience = claims["aud"]?.stringValue ?? ""
        guard audience == binding.audience else { throw .wrongAudience(expected: binding.audience, found: audience) }
        guard claims["nonce"]?.stringValue == binding.nonce else { throw .wrongNonce }
        guard let seconds = claims["iat"]?.doubleValue else { throw .malformedKeyBinding("no iat") }
        let issuedAt = Date(timeIntervalSince1970: seconds)
        guard issuedAt.timeIntervalSince(now) <= allowedClockSkew,
            now.timeIntervalSince(issuedAt) <= keyBindingMaximumAge + allowedClockSkew
        else { throw .keyBindingNotFresh(issuedAt: issuedAt) }
    }

    /// RFC 9901 §7.1 step 3: replace digests with disclosed claims, recursively.
    private func expand(
        _ value: JSONValue,
        _ disclosures: [String: Disclosure],
        _ used: inout Set<String>
    ) throws(CertificateError) -> JSONValue {
        switch value {
        case .object(let object):
            var output = JSONObject()
            for member in object where member.key != "_sd" {
                output[member.key] = try expand(member.value, disclosures, &used)
            }
            guard let list = object["_sd"] else { return .object(output) }
            guard case .array(let digests) = list else { throw .malformed("_sd is not an array") }
            for entry in digests {
                guard case .string(let digest) = entry else { throw .malformed("_sd holds a non-string") }
                guard used.insert(digest).inserted else { throw .duplicateDigest(digest) }
                guard let disclosure = disclosures[digest] else { continue }
                guard let name = disclosure.name else { throw .malformed("array-element disclosure referenced in _sd") }
                guard output[name] == nil else { throw .claimNameConflict(name) }
                output[name] = try expand(disclosure.value, disclosures, &used)
            }
            return .object(output)
        case .array(let elements):
            var output: [JSONValue] = []
            for element in elements {
                if case .object(let object) = element, object.count == 1, let reference = object["..."] {
                    guard case .string(let digest) = reference else { throw .malformed("... holds a non-string") }
                    guard used.insert(digest).inserted else { throw .duplicateDigest(digest) }
                    guard let disclosure = disclosures[digest] else { continue }
                    guard disclosure.name == nil else { throw .malformed("object disclosure referenced in an array") }
                    output.append(try expand(disclosure.value, disclosures, &used))
                } else {
                    output.append(try expand(element, disclosures, &used))
                }
            }
            return .array(output)
        default:
            return value
        }
    }
}
