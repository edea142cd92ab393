public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// One certificate in its two signed views.
public struct IssuedCertificate: Hashable, Sendable {
    /// The record.
    public let certificate: ECertificate
    /// The SD-JWT VC with every disclosure: what the holder's wallet keeps.
    public let sdJWT: SDJWT
    /// The W3C VC 2.0 with its Data Integrity proof.
    public let verifiableCredential: JSONObject
}

/// A department's certificate office: issues certificates and changes their status, signing with
/// the department's key on the trust list.
///
/// Every operation reads or changes the issuer's status state through its ``StatusStateStore``,
/// so each is `async`:
///
/// ```swift
/// let issued = try await issuer.issue(.disability, to: .resident(id), holderKey: walletJWK,
///                                     claims: ["name": "张三", "category": "physical", "level": "2"])
/// let lists = try await issuer.revoke(index: issued.certificate.statusIndex)
/// ```
public struct CertificateIssuer: Sendable {
    /// The issuing party (must own `kid` on the trust list).
    public let party: Party
    /// The trust-list key id of ``key``.
    public let kid: String
    let key: any SigningKey
    let crypto: any CryptoProvider
    let random: any RandomSource
    let clock: any WallClock
    let store: any StatusStateStore
    /// How long a published status list is valid (its `validUntil`), one day by default.
    public var statusListLifetime: TimeInterval = 86_400
    /// Decoy digests per SD-JWT, hiding how many claims a certificate has (RFC 9901 §4.2.5).
    public var decoys = 2

    /// Creates an issuer.
    public init(
        party: Party,
        key: any SigningKey,
        kid: String,
        crypto: any CryptoProvider,
        random: any RandomSource,
        clock: any WallClock,
        store: any StatusStateStore
    ) {
        self.party = party
        self.key = key
        self.kid = kid
        self.crypto = crypto
        self.random = random
        self.clock = clock
        self.store = store
    }

    /// Issues a certificate of `type` to `holder`, bound to `holderKey` (`cnf.jwk`).
    ///
    /// - Parameters:
    ///   - claims: the type's claims, checked against the type.
    ///   - number: the certificate number; `nil` derives it (disability) or assigns
    ///     `<type code>-<issue date>-<status index>`.
    ///   - validity: the valid days; `nil` means from today, long-term.
    public func issue(
        _ type: CertificateType,
        to holder: CertificateHolder,
        holderKey: JSONWebKey,
        claims: JSONObject,
        number: String? = nil,
        validity: ValidityPeriod? = nil
    ) async throws -> IssuedCertificate {
        try type.validate(claims, holder: holder)
        _ = try holderKey.rawPublicKey()
        let now = clock.now()
        let today = CalendarDate(now)
        let index = try await store.update(issuer: party, initial: freshState) { state in try state.allocate() }
        var certificateNumber = number ?? "\(type.code)-\(today.compact)-\(index)"
        if type.rule == .disabilityNumber, case .resident(let resident) = holder,
            let category = claims["category"]?.stringValue.flatMap(DisabilityCategory.init(code:)),
            let level = claims["level"]?.stringValue.flatMap(DisabilityLevel.init(code:))
        {
            certificateNumber =
                DisabilityCertificateNumber(resident: resident, category: category, level: level).unmasked
        }
        let certificate = ECertificate(
            type: type,
            number: certificateNumber,
            holder: holder,
            issuer: party,
            issueDate: today,
            validity: try validity ?? ValidityPeriod(from: today, until: nil),
            claims: claims,
            statusIndex: index
        )
        var visible: JSONObject = [
            "iss": .string(party.text), "iat": .number(now.timeIntervalSince1970.rounded(.down)),
            "nbf": .number(certificate.notBefore.timeIntervalSince1970), "vct": .string(type.vct),
            "cnf": ["jwk": .object(JSONObject(holderKey.publicKeyOnly.members.mapValues(JSONValue.string)))],
            "status": [
                "bitstring_status_list": [
                    "idx": .number(Double(index)), "uri": .string(SignedStatusList.baseURI(issuer: party)),
                ]
            ],
        ]
        if let expires = certificate.expires { visible["exp"] = .number(expires.timeIntervalSince1970) }
        let sdJWT = try SDJWTIssuer(crypto: crypto, random: random)
            .issue(visible: visible, disclosable: certificate.disclosableClaims, decoys: decoys, key: key, kid: kid)
        let credential = try VerifiableCredentialView.secure(
            VerifiableCredentialView.credential(for: certificate),
            issuer: party,
            key: key,
            kid: kid,
            created: now,
            crypto: crypto
        )
        return IssuedCertificate(certificate: certificate, sdJWT: sdJWT, verifiableCredential: credential)
    }

    /// Revokes the certificate at `index` for good, and returns the re-published lists.
    public func revoke(index: Int) async throws -> [SignedStatusList] {
        try await change(index) { state throws(CertificateError) in
            try state.revocation.set(index, to: true, orThrow: index)
        }
    }

    /// Suspends the certificate at `index`; a revoked certificate cannot be suspended.
    public func suspend(index: Int) async throws -> [SignedStatusList] {
        try await change(index) { state throws(CertificateError) in
            guard try state.status(of: index) != .revoked else { throw .revocationIsFinal }
            try state.suspension.set(index, to: true, orThrow: index)
        }
    }

    /// Lifts a suspension; a revoked certificate stays revoked.
    public func reinstate(index: Int) async throws -> [SignedStatusList] {
        try await change(index) { state throws(CertificateError) in
            guard try state.status(of: index) != .revoked else { throw .revocationIsFinal }
            try state.suspension.set(index, to: false, orThrow: index)
        }
    }

    /// The current status of the certificate at `index`, from the issuer's own state.
    public func status(of index: Int) async throws -> CertificateStatus {
        try await store.update(issuer: party, initial: freshState) { state in
            guard state.isAllocated(index) else { throw CertificateError.unknownStatusIndex(index) }
            return try state.status(of: index)
        }
    }

    /// Signs and returns both lists at a new version (also after no change, to refresh their age).
    public func publish() async throws -> [SignedStatusList] {
        try await change(nil) { _ throws(CertificateError) in }
    }

    private func change(
        _ index: Int?,
        _ body: @Sendable (inout IssuerStatusState) throws(CertificateError) -> Void
    ) async throws -> [SignedStatusList] {
        let now = clock.now()
        return try await store.update(issuer: party, initial: freshState) { state in
            if let index, !state.isAllocated(index) { throw CertificateError.unknownStatusIndex(index) }
            var copy = state
            try body(&copy)
            copy.version += 1
            let lists = try StatusPurpose.allCases.map { purpose in
                try SignedStatusList.sign(
                    purpose == .revocation ? copy.revocation : copy.suspension,
                    purpose: purpose,
                    issuer: party,
                    version: copy.version,
                    validFrom: now,
                    validUntil: now.addingTimeInterval(statusListLifetime),
                    key: key,
                    kid: kid
                )
            }
            state = copy
            return lists
        }
    }

    private func freshState() throws -> IssuerStatusState {
        IssuerStatusState(issuer: party, randomBytes: try random.bytes(count: 8))
    }
}

extension BitstringStatusList {
    fileprivate mutating func set(_ index: Int, to value: Bool, orThrow certificateIndex: Int) throws(CertificateError)
    {
        do {
            try set(index, to: value)
        } catch {
            throw .unknownStatusIndex(certificateIndex)
        }
    }
}
