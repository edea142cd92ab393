public import Foundation
public import Logging
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
/// Built from the department's ``SocietyCore/ServicePorts`` and its signing identity (the service
/// recipe of Architecture.md): the status state lives in the ports' record store
/// (``RecordStoreStatusState``, one record per issuer, purpose ``Purposes/statusLists``), and every
/// operation is `async` and throws ``CertificateError`` only:
///
/// ```swift
/// let issuer = CertificateIssuer(ports: ports, party: party, key: signingKey, kid: "ecert-2026")
/// let issued = try await issuer.issue(.disability, to: .resident(id), holderKey: walletJWK,
///                                     claims: ["name": "张三", "category": "physical", "level": "2"])
/// let lists = try await issuer.revoke(index: issued.certificate.statusIndex)
/// ```
///
/// The issuer logs through the ports' logger (component `certificates`): the operation, the
/// certificate type, the status index and the lists' version; never the holder, the certificate
/// number or a claim's value.
public struct CertificateIssuer: Sendable {
    /// The store purposes this issuer declares, as they appear in the audit log.
    public enum Purposes {
        /// The issuer's status state: allocating indexes, revoking, suspending, publishing.
        public static let statusLists = Purpose(constant: "certificates.status-lists")

        /// Every purpose above.
        public static let all: [Purpose] = [statusLists]
    }

    /// The issuing party (must own `kid` on the trust list).
    public let party: Party
    /// The trust-list key id of ``key``.
    public let kid: String
    let key: any SigningKey
    let crypto: any CryptoProvider
    let random: any RandomSource
    let clock: any WallClock
    let store: any StatusStateStore
    let logger: Logger
    /// How long a published status list is valid (its `validUntil`), one day by default.
    public var statusListLifetime: TimeInterval = 86_400
    /// Decoy digests per SD-JWT, hiding how many claims a certificate has (RFC 9901 §4.2.5).
    public var decoys = 2

    /// An issuer on the department's ports: the primary initialiser.
    ///
    /// Salts and the status-list permutation draw from `ports.crypto`'s random bytes; the status
    /// state is kept in `ports.store` as one ``IssuerStatusState`` record per issuer, written in
    /// transactions opened with ``Purposes/statusLists``.
    ///
    /// - Parameters:
    ///   - party: the issuing party, which must own `kid` on the trust list.
    ///   - key: the department's signing key.
    ///   - kid: the key's id on the trust list.
    public init(ports: ServicePorts, party: Party, key: any SigningKey, kid: String) {
        self.init(
            party: party,
            key: key,
            kid: kid,
            crypto: ports.crypto,
            random: CryptoRandomSource(crypto: ports.crypto),
            clock: ports.clock,
            store: RecordStoreStatusState(store: ports.store),
            logger: ports.logging(as: "certificates").logger
        )
    }

    /// An issuer whose status state lives in a ``StatusStateStore`` of the caller's choice (a
    /// command-line tool's file, an in-memory store). A deployment uses
    /// ``init(ports:party:key:kid:)``, which keeps the state in its record store.
    ///
    /// `logger` gets the metadata `component=certificates`; by default nothing is logged.
    public init(
        party: Party,
        key: any SigningKey,
        kid: String,
        crypto: any CryptoProvider,
        random: any RandomSource,
        clock: any WallClock,
        store: any StatusStateStore,
        logger: Logger = Logger(label: "digitalsociety.certificates") { _ in SwiftLogNoOpLogHandler() }
    ) {
        self.party = party
        self.key = key
        self.kid = kid
        self.crypto = crypto
        self.random = random
        self.clock = clock
        self.store = store
        var logger = logger
        if logger[metadataKey: "component"] == nil { logger[metadataKey: "component"] = "certificates" }
        self.logger = logger
    }

    /// Issues a certificate of `type` to `holder`, bound to `holderKey` (`cnf.jwk`).
    ///
    /// - Parameters:
    ///   - claims: the type's claims, checked against the type.
    ///   - number: the certificate number; `nil` derives it (disability) or assigns
    ///     `<type code>-<issue date>-<status index>`.
    ///   - validity: the valid days; `nil` means from today, long-term.
    /// - Throws: ``CertificateError/invalidClaims(_:)`` for claims the type refuses,
    ///   ``CertificateError/crypto(_:)`` for a holder key that is not a key or a failed signature,
    ///   ``CertificateError/statusListFull``, or a wrapped store failure.
    public func issue(
        _ type: CertificateType,
        to holder: CertificateHolder,
        holderKey: JSONWebKey,
        claims: JSONObject,
        number: String? = nil,
        validity: ValidityPeriod? = nil
    ) async throws(CertificateError) -> IssuedCertificate {
        do {
            try type.validate(claims, holder: holder)
            _ = try holderKey.rawPublicKey()
        } catch {
            throw failed("issue", CertificateError(wrapping: error))
        }
        let now = clock.now()
        let today = CalendarDate(now)
        let index = try await updating("issue") { state in try state.allocate() }
        let issued: IssuedCertificate
        do {
            issued = try sign(
                type,
                to: holder,
                holderKey: holderKey,
                claims: claims,
                number: number,
                validity: validity ?? ValidityPeriod(from: today, until: nil),
                index: index,
                now: now
            )
        } catch {
            throw failed("issue", CertificateError(wrapping: error))
        }
        logger.info(
            "certificate issued",
            metadata: [
                "operation": "issue", "issuer": "\(party.text)", "type": "\(type.code)", "statusIndex": "\(index)",
                "claims": "\(claims.count)", "longTerm": "\(issued.certificate.validity.until == nil)",
            ]
        )
        return issued
    }

    /// The certificate's record and both signed views.
    private func sign(
        _ type: CertificateType,
        to holder: CertificateHolder,
        holderKey: JSONWebKey,
        claims: JSONObject,
        number: String?,
        validity: ValidityPeriod,
        index: Int,
        now: Date
    ) throws -> IssuedCertificate {
        let today = CalendarDate(now)
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
            validity: validity,
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
    public func revoke(index: Int) async throws(CertificateError) -> [SignedStatusList] {
        try await change("revoke", index) { state throws(CertificateError) in
            try state.revocation.set(index, to: true, orThrow: index)
        }
    }

    /// Suspends the certificate at `index`; a revoked certificate cannot be suspended.
    public func suspend(index: Int) async throws(CertificateError) -> [SignedStatusList] {
        try await change("suspend", index) { state throws(CertificateError) in
            guard try state.status(of: index) != .revoked else { throw .revocationIsFinal }
            try state.suspension.set(index, to: true, orThrow: index)
        }
    }

    /// Lifts a suspension; a revoked certificate stays revoked.
    public func reinstate(index: Int) async throws(CertificateError) -> [SignedStatusList] {
        try await change("reinstate", index) { state throws(CertificateError) in
            guard try state.status(of: index) != .revoked else { throw .revocationIsFinal }
            try state.suspension.set(index, to: false, orThrow: index)
        }
    }

    /// The current status of the certificate at `index`, from the issuer's own state.
    public func status(of index: Int) async throws(CertificateError) -> CertificateStatus {
        let status = try await updating("status") { state in
            guard state.isAllocated(index) else { throw CertificateError.unknownStatusIndex(index) }
            return try state.status(of: index)
        }
        logger.debug(
            "status read",
            metadata: [
                "operation": "status", "issuer": "\(party.text)", "statusIndex": "\(index)", "status": "\(status)",
            ]
        )
        return status
    }

    /// Signs and returns both lists at a new version (also after no change, to refresh their age).
    public func publish() async throws(CertificateError) -> [SignedStatusList] {
        try await change("publish", nil) { _ throws(CertificateError) in }
    }

    private func change(
        _ operation: String,
        _ index: Int?,
        _ body: @Sendable (inout IssuerStatusState) throws(CertificateError) -> Void
    ) async throws(CertificateError) -> [SignedStatusList] {
        let now = clock.now()
        let lists = try await updating(operation) { state in
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
        var metadata: Logger.Metadata = [
            "operation": "\(operation)", "issuer": "\(party.text)", "version": "\(lists.first?.version ?? 0)",
        ]
        if let index { metadata["statusIndex"] = "\(index)" }
        logger.info(index == nil ? "status lists published" : "status changed", metadata: metadata)
        return lists
    }

    /// Runs `change` on the issuer's state through the state store; what it or the store throws
    /// becomes a ``CertificateError`` and is logged with `operation`.
    private func updating<T: Sendable>(
        _ operation: String,
        _ change: @Sendable (inout IssuerStatusState) throws -> T
    ) async throws(CertificateError) -> T {
        do {
            return try await store.update(issuer: party, initial: freshState, change)
        } catch {
            throw failed(operation, CertificateError(wrapping: error))
        }
    }

    /// Logs a refusal at `info`, a failure of a port at `error`: by the error's case name only,
    /// since its values may quote a claim.
    private func failed(_ operation: String, _ error: CertificateError) -> CertificateError {
        let metadata: Logger.Metadata = [
            "operation": "\(operation)", "issuer": "\(party.text)", "error": "\(error.name)",
        ]
        switch error {
        case .store, .storage, .crypto: logger.error("operation failed", metadata: metadata)
        default: logger.info("operation refused", metadata: metadata)
        }
        return error
    }

    private func freshState() throws -> IssuerStatusState {
        IssuerStatusState(issuer: party, randomBytes: try random.bytes(count: 8))
    }
}

/// The random bytes of a ``SocietyCore/CryptoProvider`` as a ``SocietyCore/RandomSource``: what an
/// issuer built from ports draws salts and its permutation from.
struct CryptoRandomSource: RandomSource {
    let crypto: any CryptoProvider

    func bytes(count: Int) throws -> [UInt8] { try crypto.randomBytes(count: count) }
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
