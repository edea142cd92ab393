public import Foundation
public import SocietyCore

/// Why an envelope was refused: one case per check, in the order ``EnvelopeOpener`` runs them.
///
/// Each case says exactly which check failed, so an operator can tell a clock problem from a
/// forgery from a missing grant, and so that tests can assert on the reason, not just the failure.
public enum EnvelopeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 0. A confidential envelope's JWE is not well formed (parts, header, `typ`, `cty`, `epk`).
    case malformedEncryption(String)
    /// 0. The JWE `alg`/`enc` pair is not one of the two profiles.
    case unsupportedEncryption(alg: String, enc: String)
    /// 0. The envelope is encrypted to a key (`kid`) this opener does not hold: it is not for me.
    case notEncryptedToMe(kid: String)
    /// 0. The content key could not be recovered with my key `kid`: a wrong private key, or a changed
    /// ephemeral key, encrypted key or `apu`/`apv`.
    case keyUnwrapFailed(kid: String)
    /// 0. The content does not authenticate: the ciphertext, tag, IV or protected header was changed.
    case contentAuthenticationFailed
    /// 0. The outer (encrypted) layer and the inner signed envelope disagree on sender or recipient,
    /// or a sealer was given a recipient key of another party.
    case encryptionMismatch(String)
    /// A sealer found no usable encryption key (`use: "enc"`) for the party on the trust list.
    case noEncryptionKey(party: Party)
    /// 1. Not a well-formed envelope (serialization, header, claims).
    case malformed(String)
    /// 1. The `typ` header is not the exchange's own, so some other JWT is being passed off.
    case wrongType(String?)
    /// 1. The `alg` header is not one the SDK verifies.
    case unsupportedAlgorithm(String)
    /// 2. No key with this `kid` is on the trust list (or it is there but unusable).
    case unknownKey(kid: String)
    /// 2. The key belongs to another party than the `iss` claim, or uses another algorithm.
    case keyMismatch(kid: String, reason: String)
    /// 3. The key is revoked: refused whatever `iat` claims, since `iat` is the signer's own word.
    case keyRevoked(kid: String)
    /// 3. The key was outside its validity window at the claimed issue time.
    case keyNotValidAtIssueTime(kid: String, issuedAt: Date)
    /// 4. The signature (or a batch envelope's inclusion proof) does not verify.
    case badSignature
    /// 5. The envelope is addressed to another party.
    case wrongAudience(expected: Party, found: Party)
    /// 6. The envelope expired (beyond the allowed clock skew).
    case expired(at: Date)
    /// 6. The envelope claims to be issued in the future (beyond the allowed clock skew).
    case issuedInFuture(at: Date)
    /// 7. The service (or the declared level) is important or core, and the envelope arrived
    /// unencrypted: its data crossed the network readable by anyone on the path.
    case encryptionRequired(service: String, level: DataLevel)
    /// 8. This `jti` from this issuer was already opened.
    case replayed(id: String)
    /// 8. The replay guard could not record the id (e.g. its database failed); the envelope is refused.
    case replayGuardUnavailable(String)
    /// 9. The consumer may not call this service for this purpose, or the service is unknown.
    case notAllowed(consumer: Party, service: String, purpose: Purpose)
    /// 9. The envelope declares a lower data level than the catalogue gives the service.
    case levelBelowCatalogue(declared: DataLevel, catalogue: DataLevel)
    /// 10. A request the receiver's consent check refused: no consent, or one that does not cover
    /// this request (see ``ConsentRefusal``).
    case consent(ConsentRefusal)
    /// 11. A response whose `ref` does not match the request it is supposed to answer.
    case requestMismatch
    /// 12. The envelope passed every check, but the opener's audit log could not record it.
    case auditUnavailable(String)

    /// A short, stable name for the check that failed, for CLI output and metrics.
    public var check: String {
        switch self {
        case .malformedEncryption, .unsupportedEncryption, .notEncryptedToMe, .keyUnwrapFailed,
            .contentAuthenticationFailed, .encryptionMismatch, .noEncryptionKey:
            "decryption"
        case .malformed, .wrongType, .unsupportedAlgorithm: "structure"
        case .unknownKey, .keyMismatch: "signer-key"
        case .keyRevoked, .keyNotValidAtIssueTime: "key-validity"
        case .badSignature: "signature"
        case .wrongAudience: "audience"
        case .expired, .issuedInFuture: "time"
        case .encryptionRequired: "confidentiality"
        case .replayed, .replayGuardUnavailable: "replay"
        case .notAllowed, .levelBelowCatalogue: "access"
        case .consent: "consent"
        case .requestMismatch: "request-reference"
        case .auditUnavailable: "audit"
        }
    }

    public var description: String {
        switch self {
        case .malformedEncryption(let reason): "malformed confidential envelope: \(reason)"
        case .unsupportedEncryption(let alg, let enc): "unsupported encryption alg \"\(alg)\" enc \"\(enc)\""
        case .notEncryptedToMe(let kid): "encrypted to key \"\(kid)\", which is not one of my decryption keys"
        case .keyUnwrapFailed(let kid): "the content key does not unwrap with my key \"\(kid)\""
        case .contentAuthenticationFailed: "the encrypted content does not authenticate (changed in transit)"
        case .encryptionMismatch(let reason): "encryption layer does not match the signed envelope: \(reason)"
        case .noEncryptionKey(let party): "\(party) has no active encryption key on the trust list"
        case .encryptionRequired(let service, let level):
            "\(service) carries \(level.rawValue) data and must be encrypted to its recipient"
        case .malformed(let reason): "malformed envelope: \(reason)"
        case .wrongType(let typ): "not an exchange envelope: typ is \(typ.map { "\"\($0)\"" } ?? "missing")"
        case .unsupportedAlgorithm(let alg): "unsupported algorithm \"\(alg)\""
        case .unknownKey(let kid): "unknown signer key \"\(kid)\": not on the trust list"
        case .keyMismatch(let kid, let reason): "signer key \"\(kid)\" does not fit the envelope: \(reason)"
        case .keyRevoked(let kid): "signer key \"\(kid)\" is revoked"
        case .keyNotValidAtIssueTime(let kid, let date):
            "signer key \"\(kid)\" was not valid at the issue time \(EnvelopeError.format(date))"
        case .badSignature: "signature does not verify"
        case .wrongAudience(let expected, let found): "addressed to \(found), not to \(expected)"
        case .expired(let date): "expired at \(EnvelopeError.format(date))"
        case .issuedInFuture(let date): "issued in the future, at \(EnvelopeError.format(date))"
        case .replayed(let id): "replayed: envelope id \(id) was already opened"
        case .replayGuardUnavailable(let reason): "replay guard unavailable: \(reason)"
        case .notAllowed(let consumer, let service, let purpose):
            "\(consumer) may not call \(service) for purpose \(purpose)"
        case .levelBelowCatalogue(let declared, let catalogue):
            "declares level \(declared.rawValue) but the catalogue grades the service \(catalogue.rawValue)"
        case .consent(let refusal): "\(refusal)"
        case .requestMismatch: "response does not reference the request it answers"
        case .auditUnavailable(let reason): "the envelope passed every check but could not be audited: \(reason)"
        }
    }

    static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let day = CalendarDate(daysSinceEpoch: Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400))
        let rest = ((seconds % 86_400) + 86_400) % 86_400
        let pad = { (value: Int64) in value < 10 ? "0\(value)" : "\(value)" }
        return "\(day.iso8601)T\(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60))Z"
    }
}
