public import Foundation
public import SocietyCore

/// Why a certificate, a presentation or a status list was refused, or an issuer's operation failed.
///
/// One case per check, so that a verifier's log, a test and a person at a counter can tell a
/// forged disclosure from a stale status list. The checks run in the order the cases are listed
/// (see `Documentation/Certificates.md`), and the first failure is reported.
///
/// The one error type of the module: what the issuer's ports throw arrives wrapped
/// (``store(_:)``, ``storage(_:)``, ``crypto(_:)``), so a caller switches over one closed set.
public enum CertificateError: Error, Hashable, Sendable, CustomStringConvertible {
    // MARK: Structure
    /// Not an SD-JWT (or VC) of the expected shape: parts, base64url, JSON, required claims.
    case malformed(String)
    /// A disclosure is not base64url JSON `[salt, name, value]` (or `[salt, value]`).
    case malformedDisclosure(index: Int, reason: String)
    /// The `alg` is `none`, symmetric or unknown; or `_sd_alg` names a digest this SDK refuses.
    case unsupportedAlgorithm(String)

    // MARK: Issuer
    /// The `kid` names no key on the trust list.
    case unknownIssuerKey(kid: String)
    /// The key belongs to another party than the `iss` the token claims.
    case issuerMismatch(claimed: String, keyOwner: String)
    /// The key was revoked, or its validity window does not cover the issue time.
    case issuerKeyNotValid(kid: String)
    /// The issuer's signature does not verify.
    case badIssuerSignature

    // MARK: Key binding (presentation)
    /// The verifier requires a key-binding JWT and there is none.
    case missingKeyBinding
    /// The SD-JWT carries no `cnf.jwk` holder key to check a key binding with.
    case missingHolderKey
    /// The key-binding JWT is malformed or not typed `kb+jwt`.
    case malformedKeyBinding(String)
    /// The key-binding JWT's signature does not verify with the holder key in `cnf`.
    case badKeyBindingSignature
    /// `sd_hash` does not match the presented SD-JWT: a disclosure was changed, added or removed
    /// after the holder signed.
    case keyBindingHashMismatch
    /// The key binding was made for another verifier.
    case wrongAudience(expected: String, found: String)
    /// The key binding answers another challenge: a replayed presentation.
    case wrongNonce
    /// The key binding's `iat` is older than allowed, or in the future.
    case keyBindingNotFresh(issuedAt: Date)

    // MARK: Disclosures
    /// A disclosure's digest appears nowhere in the signed payload: it was not issued with it.
    case disclosureNotReferenced(digest: String)
    /// The same disclosure was presented twice.
    case duplicateDisclosure(digest: String)
    /// A digest appears twice in the signed payload.
    case duplicateDigest(String)
    /// A disclosed claim name already exists at its level, or is `_sd` / `...`.
    case claimNameConflict(String)

    // MARK: Validity
    /// Before `nbf` (the first day of validity).
    case notYetValid(Date)
    /// After `exp` (the last day of validity).
    case expired(Date)

    // MARK: Snapshots and status
    /// The trust-list snapshot is older than the maximum age: it may still list a revoked key.
    case trustListTooOld(issuedAt: Date, maximumAge: TimeInterval)
    /// The trust-list snapshot failed its signature, version or date check.
    case trustListRejected(String)
    /// No status list in the snapshot has the URI the certificate refers to.
    case statusListMissing(String)
    /// The status list's signature, issuer or form is wrong.
    case statusListRejected(String)
    /// The status-list snapshot is older than the maximum age (or past its `validUntil`):
    /// a recent revocation might be missing, so the check fails closed.
    case statusListTooOld(issuedAt: Date, maximumAge: TimeInterval)
    /// The certificate is revoked.
    case revoked
    /// The certificate is suspended.
    case suspended

    // MARK: Issuing and status changes
    /// Claims that do not satisfy the certificate type (missing, wrong kind, inconsistent).
    case invalidClaims(String)
    /// A revoked certificate cannot be suspended or reinstated.
    case revocationIsFinal
    /// Every index of the issuer's status lists is in use.
    case statusListFull
    /// A status change for an index the issuer never allocated.
    case unknownStatusIndex(Int)

    // MARK: Ports
    /// The record store refused the status state's transaction (a record that does not decode, an
    /// invalid handle).
    case store(StoreError)
    /// The issuer's status state could not be read or written for a reason of the store's own
    /// (I/O, the database engine, a cancelled task): the adapter's description of the failure.
    case storage(String)
    /// The cryptography port failed: signing, a digest, random bytes, or a holder key that is not
    /// a key.
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed: \(reason)"
        case .malformedDisclosure(let index, let reason): "disclosure \(index + 1) is malformed: \(reason)"
        case .unsupportedAlgorithm(let name): "algorithm \(name) is not accepted"
        case .unknownIssuerKey(let kid): "issuer key \(kid) is not on the trust list"
        case .issuerMismatch(let claimed, let owner): "token claims issuer \(claimed) but key belongs to \(owner)"
        case .issuerKeyNotValid(let kid): "issuer key \(kid) was revoked or not valid at issue time"
        case .badIssuerSignature: "issuer signature does not verify"
        case .missingKeyBinding: "presentation has no key-binding JWT"
        case .missingHolderKey: "certificate has no holder key (cnf.jwk)"
        case .malformedKeyBinding(let reason): "key-binding JWT is malformed: \(reason)"
        case .badKeyBindingSignature: "key-binding signature does not verify with the holder key"
        case .keyBindingHashMismatch: "key-binding sd_hash does not match the presented disclosures"
        case .wrongAudience(let expected, let found): "presentation is for \(found), not \(expected)"
        case .wrongNonce: "presentation answers another nonce"
        case .keyBindingNotFresh(let date): "key binding issued at \(Self.format(date)) is not fresh"
        case .disclosureNotReferenced(let digest): "disclosure \(digest) is not referenced by the signed payload"
        case .duplicateDisclosure(let digest): "disclosure \(digest) is presented twice"
        case .duplicateDigest(let digest): "digest \(digest) appears twice in the signed payload"
        case .claimNameConflict(let name): "disclosed claim \(name) conflicts with an existing or reserved name"
        case .notYetValid(let date): "certificate is valid only from \(Self.format(date))"
        case .expired(let date): "certificate expired at \(Self.format(date))"
        case .trustListTooOld(let issuedAt, let age):
            "trust-list snapshot of \(Self.format(issuedAt)) is older than \(Int(age)) s"
        case .trustListRejected(let reason): "trust list rejected: \(reason)"
        case .statusListMissing(let uri): "no status list \(uri) in the snapshot"
        case .statusListRejected(let reason): "status list rejected: \(reason)"
        case .statusListTooOld(let issuedAt, let age):
            "status-list snapshot of \(Self.format(issuedAt)) is older than \(Int(age)) s"
        case .revoked: "certificate is revoked"
        case .suspended: "certificate is suspended"
        case .invalidClaims(let reason): "invalid claims: \(reason)"
        case .revocationIsFinal: "certificate is revoked; revocation is final"
        case .statusListFull: "the issuer's status list has no free index"
        case .unknownStatusIndex(let index): "status index \(index) was never issued"
        case .store(let error): "store: \(error)"
        case .storage(let reason): "status state storage failed: \(reason)"
        case .crypto(let error): "cryptography failed: \(error)"
        }
    }

    /// What a port threw, as this module's error: a ``CertificateError`` passes through unchanged.
    init(wrapping error: any Error) {
        switch error {
        case let error as CertificateError: self = error
        case let error as StoreError: self = .store(error)
        case let error as CryptoError: self = .crypto(error)
        default: self = .storage(String(describing: error))
        }
    }

    /// The case's name without its values, for log lines: a value may quote a claim.
    var name: String {
        switch self {
        case .malformed: "malformed"
        case .malformedDisclosure: "malformedDisclosure"
        case .unsupportedAlgorithm: "unsupportedAlgorithm"
        case .unknownIssuerKey: "unknownIssuerKey"
        case .issuerMismatch: "issuerMismatch"
        case .issuerKeyNotValid: "issuerKeyNotValid"
        case .badIssuerSignature: "badIssuerSignature"
        case .missingKeyBinding: "missingKeyBinding"
        case .missingHolderKey: "missingHolderKey"
        case .malformedKeyBinding: "malformedKeyBinding"
        case .badKeyBindingSignature: "badKeyBindingSignature"
        case .keyBindingHashMismatch: "keyBindingHashMismatch"
        case .wrongAudience: "wrongAudience"
        case .wrongNonce: "wrongNonce"
        case .keyBindingNotFresh: "keyBindingNotFresh"
        case .disclosureNotReferenced: "disclosureNotReferenced"
        case .duplicateDisclosure: "duplicateDisclosure"
        case .duplicateDigest: "duplicateDigest"
        case .claimNameConflict: "claimNameConflict"
        case .notYetValid: "notYetValid"
        case .expired: "expired"
        case .trustListTooOld: "trustListTooOld"
        case .trustListRejected: "trustListRejected"
        case .statusListMissing: "statusListMissing"
        case .statusListRejected: "statusListRejected"
        case .statusListTooOld: "statusListTooOld"
        case .revoked: "revoked"
        case .suspended: "suspended"
        case .invalidClaims: "invalidClaims"
        case .revocationIsFinal: "revocationIsFinal"
        case .statusListFull: "statusListFull"
        case .unknownStatusIndex: "unknownStatusIndex"
        case .store: "store"
        case .storage: "storage"
        case .crypto: "crypto"
        }
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
