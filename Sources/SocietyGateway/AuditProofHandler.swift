import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON

/// `audit.proof`: a party of an exchange asks, by envelope, for proof that the gateway's audit log
/// recorded it — the log's entries for the envelope, each with its RFC 9162 inclusion proof against
/// a checkpoint signed now.
///
/// The request's data is `{"envelope": TEXT}`, the exchange envelope exactly as it travelled (the
/// sender sealed it, the receiver received it: both hold its bytes). Only a party named in that
/// envelope gets an answer — its issuer or its audience, read from the JWS claims or, for a
/// confidential envelope, from the JWE header's `apu`/`apv` — and the catalogue must grant the caller
/// `audit.proof` like any other service. The answer:
/// `{"digest", "treeSize", "checkpoint", "entries": [{"index", "action", "time", "leaf", "proof": […]}]}`
/// with hashes in base64url; `leaf` is the entry's canonical bytes, so the caller can hash it, follow
/// the proof to the checkpoint's root, and check the checkpoint's signature against the trust list.
public struct AuditProofHandler: ExchangeHandler {
    /// The service id.
    public static let serviceID = "audit.proof"

    public var service: String { AuditProofHandler.serviceID }
    private let auditLog: any AuditLog
    private let crypto: any CryptoProvider
    private let digest: DigestAlgorithm
    private let checkpointKey: (key: any SigningKey, name: String)
    /// How many of the newest entries are searched (the log is read backwards from its end).
    public let searchDepth: Int

    /// A handler proving entries of `auditLog`, whose envelope digests use `digest`, against
    /// checkpoints signed with `checkpointKey`.
    public init(
        auditLog: any AuditLog,
        crypto: any CryptoProvider,
        digest: DigestAlgorithm,
        checkpointKey: (key: any SigningKey, name: String),
        searchDepth: Int = 100_000
    ) {
        self.auditLog = auditLog
        self.crypto = crypto
        self.digest = digest
        self.checkpointKey = checkpointKey
        self.searchDepth = searchDepth
    }

    public func handle(_ request: OpenedEnvelope) async throws -> JSONValue {
        guard let text = request.claims.data["envelope"]?.stringValue, !text.isEmpty else {
            throw ExchangeProblem.requestData("the request has no \"envelope\"")
        }
        guard let parties = AuditProofHandler.parties(of: text) else {
            throw ExchangeProblem.requestData("\"envelope\" is not an exchange envelope")
        }
        guard parties.contains(request.claims.issuer.text) else {
            throw ExchangeProblem(
                status: 403,
                check: "access",
                title: ExchangeProblem.title(check: "access"),
                detail: "only a party named in the envelope may ask for its proof"
            )
        }
        let wanted = try EnvelopeSealer.wireDigest(of: text, digest: digest, crypto: crypto)
        // One checkpoint for every proof: the entries found lie below its size.
        let signed = try await auditLog.checkpoint(signingWith: checkpointKey.key, keyName: checkpointKey.name)
        let size = signed.checkpoint.size
        var found: [JSONValue] = []
        var index = size - 1
        while index >= max(0, size - searchDepth) {
            let entry = try await auditLog.entry(at: index)
            if entry.envelopeDigest == wanted {
                let proof = try await auditLog.inclusionProof(index: index, treeSize: size)
                found.append(
                    .object([
                        "index": .number(Double(index)), "action": .string(entry.action),
                        "time": .string(ISO8601DateFormatter().string(from: entry.time)),
                        "leaf": .string(Base64URL.encode(entry.canonicalBytes)),
                        "proof": .array(proof.map { .string(Base64URL.encode($0)) }),
                    ])
                )
            }
            index -= 1
        }
        guard !found.isEmpty else {
            throw ExchangeProblem.notFound("the log's newest \(searchDepth) entries do not record this envelope")
        }
        return .object([
            "digest": .string("\(digest.rawValue):\(Base64URL.encode(wanted))"),
            "treeSize": .number(Double(size)),
            "checkpoint": .string(signed.text),
            "entries": .array(found.reversed()),
        ])
    }

    /// The issuer and audience an envelope names (JWS claims, or a JWE's `apu`/`apv`), or `nil`.
    static func parties(of text: String) -> Set<String>? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 5 {
            guard let header = Base64URL.decode(String(parts[0])),
                let object = try? JSONValue(parsing: header),
                let apu = object["apu"]?.stringValue.flatMap(Base64URL.decode),
                let apv = object["apv"]?.stringValue.flatMap(Base64URL.decode)
            else { return nil }
            return [String(decoding: apu, as: UTF8.self), String(decoding: apv, as: UTF8.self)]
        }
        guard let jws = try? JWS(parsing: trimmed), let claims = try? JSONValue(parsing: jws.payload),
            let issuer = claims["iss"]?.stringValue, let audience = claims["aud"]?.stringValue
        else { return nil }
        return [issuer, audience]
    }
}
