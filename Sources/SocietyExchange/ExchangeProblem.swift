import SocietyJSON

/// A refusal as it crosses the network: an RFC 9457 problem document (`application/problem+json`)
/// with a `check` member naming the check that failed.
///
/// The gateway answers every refused request with one, and ``ExchangeProblem/init(json:)`` reads it
/// back on the calling side, so a caller learns *which* check refused it (`signature`, `replay`,
/// `access`, …, the names of ``EnvelopeError/check``) without parsing prose. The `detail` names
/// keys, parties, services and purposes — never a personal value, a stack trace or an input echo.
public struct ExchangeProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The media type of the document.
    public static let mediaType = "application/problem+json"

    /// The HTTP status.
    public var status: Int
    /// The check that refused the request (``EnvelopeError/check`` for envelope checks; `size`,
    /// `service`, `handler`, `readiness`, `route` for the gateway's own).
    public var check: String
    /// A short summary, the same for every occurrence of the check.
    public var title: String
    /// What was wrong with this request.
    public var detail: String

    /// A problem from its parts.
    public init(status: Int, check: String, title: String, detail: String) {
        self.status = status
        self.check = check
        self.title = title
        self.detail = detail
    }

    /// `urn:digitalsociety:problem:CHECK`: the RFC 9457 `type`, one per check.
    public var type: String { "urn:digitalsociety:problem:\(check)" }

    public var description: String { "\(status) \(check): \(detail)" }

    /// The problem document (canonical JSON).
    public func json() -> [UInt8] {
        let object = JSONObject([
            "type": .string(type),
            "title": .string(title),
            "status": .number(Double(status)),
            "detail": .string(detail),
            "check": .string(check),
        ])
        // Every member is a string or a small integer: canonicalization cannot fail.
        return (try? JSONValue.object(object).canonicalBytes()) ?? Array("{}".utf8)
    }

    /// Reads a problem document; `nil` when `bytes` is not one (no `status` or no `check`).
    public init?(json bytes: some Collection<UInt8>) {
        guard let value = try? JSONValue(parsing: bytes), case .object(let object) = value,
            case .number(let status)? = object["status"], let check = object["check"]?.stringValue,
            status >= 100, status < 600, status == status.rounded()
        else { return nil }
        self.status = Int(status)
        self.check = check
        self.title = object["title"]?.stringValue ?? ""
        self.detail = object["detail"]?.stringValue ?? ""
    }

    /// The refusal of an envelope check, with the status that fits it: 400 for a request that is
    /// malformed or does not fit (structure, audience, time, reference), 401 for keys, signatures
    /// and decryption, 403 for access, confidentiality and a consent that does not cover the
    /// request, 409 for a replay, 429 for a consent whose frequency or a provider whose monthly quota
    /// is used up, 503 when the replay
    /// guard, the consent registry or the audit log cannot be reached (nothing was decided; a retry
    /// may succeed).
    public init(refusal error: EnvelopeError) {
        let status: Int
        switch error {
        case .malformed, .wrongType, .unsupportedAlgorithm, .malformedEncryption, .unsupportedEncryption,
            .encryptionMismatch, .wrongAudience, .expired, .issuedInFuture, .requestMismatch:
            status = 400
        case .notEncryptedToMe, .keyUnwrapFailed, .contentAuthenticationFailed, .unknownKey, .keyMismatch,
            .keyRevoked, .keyNotValidAtIssueTime, .badSignature:
            status = 401
        case .notAllowed, .levelBelowCatalogue, .encryptionRequired, .noEncryptionKey:
            status = 403
        case .replayed:
            status = 409
        case .replayGuardUnavailable, .auditUnavailable, .consent(.unavailable):
            status = 503
        case .consent(.overFrequency), .consent(.quotaExceeded), .consent(.rateLimited):
            status = 429
        case .consent(.malformedRequest):
            status = 400
        case .consent:
            status = 403
        }
        self.init(
            status: status,
            check: error.check,
            title: ExchangeProblem.title(check: error.check),
            detail: "\(error)"
        )
    }

    /// The fixed summary of a check.
    public static func title(check: String) -> String {
        switch check {
        case "structure": "The envelope is not well formed"
        case "encryption": "The confidential envelope does not open"
        case "signer-key": "The signer's key is not on the trust list"
        case "key-validity": "The signer's key is not valid"
        case "signature": "The signature does not verify"
        case "audience": "The envelope is addressed to another party"
        case "time": "The envelope is outside its validity period"
        case "confidentiality": "The data must travel encrypted"
        case "replay": "The envelope was already received"
        case "access": "The consumer is not granted this service for this purpose"
        case "consent": "The request is not covered by the resident's consent"
        case "request-reference": "The answer does not refer to the request"
        case "audit": "The audit log is unavailable"
        case "size": "The request is too large"
        case "service": "No such service at this gateway"
        case "handler": "The service could not answer"
        case "readiness": "The gateway is not ready"
        case "route": "No such resource"
        case "media-type": "The request's media type is not accepted"
        case "timeout": "The request took too long"
        default: "The request was refused"
        }
    }
}
