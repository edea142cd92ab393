public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// What a verifier learned from a certificate it accepted.
public struct VerifiedCertificate: Hashable, Sendable {
    /// The issuing party.
    public var issuer: Party
    /// The certificate type, when the registry knows its `vct`.
    public var type: CertificateType?
    /// The `vct` (SD-JWT) or type code (VC) as signed.
    public var typeIdentifier: String
    /// The claims the holder disclosed (all claims for a VC), with `number`, `holder`, `issue_date`.
    public var claims: JSONObject
    /// The names of the disclosed claims.
    public var disclosedNames: [String]
    /// The status index checked.
    public var statusIndex: Int
    /// The last valid instant's successor (`exp`), or `nil` for long-term.
    public var expires: Date?
}

/// Verifies certificates offline (亮证核验): with a trust-list snapshot and a status-list snapshot,
/// each no older than its maximum age, and nothing fetched.
///
/// Checks, in order, each with its own ``CertificateError``: structure; issuer key on the trust
/// list, owned by `iss`, valid at `iat`, not revoked; issuer signature; `_sd_alg`; key binding
/// (holder key, `typ`, signature, `sd_hash`, audience, nonce, freshness); disclosures (each
/// referenced once, no name conflict); validity (`nbf`, `exp`); status list (present, signed by
/// the same issuer, not too old) and the certificate's bits (revoked, then suspended).
public struct CertificateVerifier: Sendable {
    /// The trust list, already accepted (signature, age, rollback) by a ``TrustAnchor``.
    public let trustList: TrustList
    /// The status lists held offline.
    public let statusLists: StatusListSnapshot
    /// How old a status list may be, measured from its `validFrom`.
    public var statusListMaximumAge: TimeInterval
    /// The certificate types known to this verifier.
    public var registry: CertificateTypeRegistry
    /// Clock skew tolerated on every instant.
    public var allowedClockSkew: TimeInterval = 300
    /// How old a key binding may be.
    public var keyBindingMaximumAge: TimeInterval = 300
    let crypto: any CryptoProvider
    let clock: any WallClock

    /// A verifier over an already accepted trust list.
    public init(
        trustList: TrustList,
        statusLists: StatusListSnapshot,
        statusListMaximumAge: TimeInterval = 86_400,
        registry: CertificateTypeRegistry = .standard,
        crypto: any CryptoProvider,
        clock: any WallClock
    ) {
        self.trustList = trustList
        self.statusLists = statusLists
        self.statusListMaximumAge = statusListMaximumAge
        self.registry = registry
        self.crypto = crypto
        self.clock = clock
    }

    /// A verifier over a signed trust-list snapshot, which `anchor` must accept first: a snapshot
    /// older than the anchor's maximum age fails with ``CertificateError/trustListTooOld(issuedAt:maximumAge:)``.
    public init(
        signedTrustList: SignedTrustList,
        anchor: inout TrustAnchor,
        statusLists: StatusListSnapshot,
        statusListMaximumAge: TimeInterval = 86_400,
        registry: CertificateTypeRegistry = .standard,
        crypto: any CryptoProvider,
        clock: any WallClock
    ) throws(CertificateError) {
        let list: TrustList
        do {
            list = try anchor.accept(signedTrustList, now: clock.now())
        } catch {
            if case .tooOld(let issuedAt, let maximumAge) = error {
                throw .trustListTooOld(issuedAt: issuedAt, maximumAge: maximumAge)
            }
            throw .trustListRejected(error.description)
        }
        self.init(
            trustList: list,
            statusLists: statusLists,
            statusListMaximumAge: statusListMaximumAge,
            registry: registry,
            crypto: crypto,
            clock: clock
        )
    }

    /// Verifies a presentation bound to `audience` and `nonce`.
    public func verifyPresentation(
        _ text: String,
        audience: String,
        nonce: String
    ) throws(CertificateError) -> VerifiedCertificate {
        try verify(try SDJWT(parsing: text), binding: .init(audience: audience, nonce: nonce))
    }

    /// Verifies an SD-JWT without key binding (the holder checking what was issued).
    public func verifyIssuance(_ text: String) throws(CertificateError) -> VerifiedCertificate {
        try verify(try SDJWT(parsing: text), binding: nil)
    }

    private func verify(_ token: SDJWT, binding: SDJWTVerifier.Binding?) throws(CertificateError) -> VerifiedCertificate
    {
        let now = clock.now()
        guard token.issuerSigned.header["typ"]?.stringValue == SDJWTIssuer.type else {
            throw .malformed("typ is not \(SDJWTIssuer.type)")
        }
        var issuer: Party?
        let verifier = SDJWTVerifier(
            crypto: crypto,
            keyBindingMaximumAge: keyBindingMaximumAge,
            allowedClockSkew: allowedClockSkew
        )
        let trustList = trustList
        let crypto = crypto
        let verified = try verifier.verify(
            token,
            issuerKey: { header, payload throws(CertificateError) in
                guard let kid = header["kid"]?.stringValue else { throw .malformed("no kid") }
                guard let text = payload["iss"]?.stringValue, let party = try? Party(text) else {
                    throw .malformed("iss is not a party")
                }
                guard let iat = payload["iat"]?.doubleValue else { throw .malformed("no iat") }
                issuer = party
                return try Self.issuerKey(
                    kid: kid,
                    issuer: party,
                    signedAt: Date(timeIntervalSince1970: iat),
                    trustList: trustList,
                    crypto: crypto
                )
            },
            binding: binding,
            now: now
        )
        guard let issuer else { throw .malformed("no issuer") }
        let claims = verified.claims
        guard let vct = claims["vct"]?.stringValue else { throw .malformed("no vct") }
        if let nbf = claims["nbf"]?.doubleValue, now.timeIntervalSince1970 + allowedClockSkew < nbf {
            throw .notYetValid(Date(timeIntervalSince1970: nbf))
        }
        let expires = claims["exp"]?.doubleValue.map(Date.init(timeIntervalSince1970:))
        if let expires, now.timeIntervalSince(expires) > allowedClockSkew { throw .expired(expires) }
        // The compact status claim: one index and the base URI of the issuer's two lists
        // (`<uri>:revocation`, `<uri>:suspension`), expanded to the W3C entries the VC view carries.
        guard let reference = claims["status"]?["bitstring_status_list"], let base = reference["uri"]?.stringValue,
            let position = reference["idx"]?.doubleValue, position >= 0, position == position.rounded(), position < 1e9
        else { throw .malformed("no status.bitstring_status_list {idx, uri}") }
        let entries: [JSONValue] = StatusPurpose.allCases.map { purpose in
            [
                "statusPurpose": .string(purpose.rawValue), "statusListIndex": .string(String(Int(position))),
                "statusListCredential": .string("\(base):\(purpose.rawValue)"),
            ]
        }
        let index = try checkStatus(entries, issuer: issuer, now: now)
        var disclosed = JSONObject()
        for name in verified.disclosedNames { disclosed[name] = claims[name] }
        return VerifiedCertificate(
            issuer: issuer,
            type: registry.type(forVCT: vct),
            typeIdentifier: vct,
            claims: disclosed,
            disclosedNames: verified.disclosedNames,
            statusIndex: index,
            expires: expires
        )
    }

    /// Verifies the W3C VC view: Data Integrity proof, validity and status.
    public func verifyCredential(_ secured: JSONObject) throws(CertificateError) -> VerifiedCertificate {
        let now = clock.now()
        let (issuer, document) = try VerifiableCredentialView.verifyProof(secured, trustList: trustList, crypto: crypto)
        if let from = document["validFrom"]?.stringValue.flatMap(VerifiableCredentialView.date(from:)),
            from.timeIntervalSince(now) > allowedClockSkew
        {
            throw .notYetValid(from)
        }
        let expires = document["validUntil"]?.stringValue.flatMap(VerifiableCredentialView.date(from:))
        if let expires, now.timeIntervalSince(expires) > allowedClockSkew { throw .expired(expires) }
        guard let entries = document["credentialStatus"]?.arrayValue,
            var subject = document["credentialSubject"]?.objectValue,
            let code = subject["type"]?.stringValue
        else { throw .malformed("credential lacks credentialStatus or credentialSubject.type") }
        let index = try checkStatus(entries, issuer: issuer, now: now)
        subject["type"] = nil
        return VerifiedCertificate(
            issuer: issuer,
            type: registry[code],
            typeIdentifier: code,
            claims: subject,
            disclosedNames: subject.keys,
            statusIndex: index,
            expires: expires
        )
    }

    /// Finds and checks the issuer's key on the trust list: known, owned by `issuer`, valid at `signedAt`.
    static func issuerKey(
        kid: String,
        issuer: Party,
        signedAt: Date,
        trustList: TrustList,
        crypto: any CryptoProvider
    ) throws(CertificateError) -> any VerifyingKey {
        guard let entry = trustList.key(withID: kid) else { throw .unknownIssuerKey(kid: kid) }
        let owner = entry.party
        let trusted = entry.key
        guard owner == issuer else { throw .issuerMismatch(claimed: issuer.text, keyOwner: owner.text) }
        guard trusted.mayHaveSigned(at: signedAt) else { throw .issuerKeyNotValid(kid: kid) }
        // Written to compile whether the trust list's `algorithm` is optional (encryption keys
        // have none) or not: a key without a signature algorithm cannot have signed anything.
        let algorithm: SignatureAlgorithm? = trusted.algorithm
        guard let algorithm, let raw = Base64URL.decode(trusted.publicKey),
            let key = try? crypto.importVerifyingKey(algorithm, from: raw, encoding: .raw)
        else { throw .issuerKeyNotValid(kid: kid) }
        return key
    }

    /// Checks each status entry against its list in the snapshot; returns the index.
    private func checkStatus(_ entries: [JSONValue], issuer: Party, now: Date) throws(CertificateError) -> Int {
        var index: Int?
        var found: [StatusPurpose: Bool] = [:]
        for entry in entries {
            guard let purpose = entry["statusPurpose"]?.stringValue.flatMap(StatusPurpose.init(rawValue:)),
                let position = entry["statusListIndex"]?.stringValue.flatMap({ Int($0) }),
                let uri = entry["statusListCredential"]?.stringValue
            else { throw .malformed("status entry is not a BitstringStatusListEntry") }
            guard let list = statusLists.lists[uri] else { throw .statusListMissing(uri) }
            try checkList(list, issuer: issuer, purpose: purpose, now: now)
            do {
                found[purpose] = try list.list.isSet(position)
            } catch {
                throw .statusListRejected(error.description)
            }
            index = position
        }
        guard let index, found[.revocation] != nil else { throw .malformed("no revocation status entry") }
        if found[.revocation] == true { throw .revoked }
        if found[.suspension] == true { throw .suspended }
        return index
    }

    private func checkList(
        _ list: SignedStatusList,
        issuer: Party,
        purpose: StatusPurpose,
        now: Date
    ) throws(CertificateError) {
        guard list.issuer == issuer, list.purpose == purpose else {
            throw .statusListRejected("list \(list.id) is not \(issuer)'s \(purpose.rawValue) list")
        }
        guard let kid = list.jws.header["kid"]?.stringValue else { throw .statusListRejected("no kid") }
        let key: any VerifyingKey
        do {
            key = try Self.issuerKey(
                kid: kid,
                issuer: issuer,
                signedAt: list.validFrom,
                trustList: trustList,
                crypto: crypto
            )
        } catch {
            throw .statusListRejected(error.description)
        }
        guard SignatureAlgorithm(jwsName: list.jws.header["alg"]?.stringValue ?? "") == key.algorithm,
            key.isValidSignature(list.jws.signature, for: list.jws.signingInput)
        else { throw .statusListRejected("signature does not verify") }
        if list.validFrom.timeIntervalSince(now) > allowedClockSkew {
            throw .statusListRejected("published in the future")
        }
        if now.timeIntervalSince(list.validFrom) > statusListMaximumAge || now > list.validUntil {
            throw .statusListTooOld(issuedAt: list.validFrom, maximumAge: statusListMaximumAge)
        }
    }
}
