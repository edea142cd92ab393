public import Foundation
public import SocietyCore

/// What a service that exchanges envelopes receives besides its ``SocietyCore/ServicePorts``:
/// the department's sealer and opener, both auditing into the department's log.
///
/// Services take envelopes one way: requests go out through ``sealer``, answers and notices come in
/// as ``OpenedEnvelope``s that ``opener`` opened (with every check of Envelope.md, the replay guard
/// and the audit entry), and a record that keeps a fact cites its envelope with
/// ``OpenedEnvelope/evidence(digest:crypto:)``.
public struct ExchangePorts: Sendable {
    /// Seals the department's outgoing envelopes.
    public var sealer: EnvelopeSealer
    /// Opens the envelopes addressed to the department.
    public var opener: EnvelopeOpener

    /// Ports from their parts.
    public init(sealer: EnvelopeSealer, opener: EnvelopeOpener) {
        self.sealer = sealer
        self.opener = opener
    }
}

extension ExchangePorts {
    /// Seals a request as the catalogue `trustList` grades its service: the draft's declared level
    /// raised to the grade when lower (a gateway refuses less), and encrypted to its audience when
    /// the grade is important or above, or when `encrypt` asks for it — the one place a caller
    /// decides how a request travels.
    public func sealRequest(
        _ draft: EnvelopeDraft,
        trustList: TrustList,
        crypto: any CryptoProvider,
        at instant: Date,
        encrypt: Bool = false
    ) async throws -> String {
        var draft = draft
        let grade = trustList.service(withID: draft.service)?.level ?? draft.level
        if draft.level < grade { draft.level = grade }
        guard encrypt || grade >= .important else { return try await sealer.seal(draft) }
        let recipient = try EnvelopeRecipient(party: draft.audience, trustList: trustList, crypto: crypto, at: instant)
        return try await sealer.seal(draft, encryptingTo: recipient)
    }
}

extension OpenedEnvelope {
    /// `ALG:BASE64URL(digest(text))` of the signed envelope (the inner JWS of a confidential one):
    /// how a record that keeps a fact cites the envelope the fact came from. The one place this
    /// digest is computed, so every domain cites envelopes alike.
    public func evidence(digest: DigestAlgorithm, crypto: any CryptoProvider) throws -> String {
        "\(digest.rawValue):\(Base64URL.encode(try crypto.digest(digest, of: Array(text.utf8))))"
    }
}
