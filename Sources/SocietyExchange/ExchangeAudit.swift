public import SocietyCore

/// Records in a party's audit log every envelope it seals and every envelope it opens or refuses.
///
/// An exchange is an access to data like a read of a record, so it leaves the same kind of trace:
/// who (the sealing or opening party), what (a keyed hash of the envelope id, never the data),
/// why (the envelope's purpose), how it ended, and the digest of the envelope exactly as it went
/// over the wire, which the other party's log records too. A refusal is recorded with the check
/// that failed (`exchange.refused.signature`, …): forged and replayed envelopes leave a trace.
///
/// Give one to ``EnvelopeSealer/init(issuer:key:kid:crypto:clock:audit:)`` and
/// ``EnvelopeOpener/init(me:trustList:crypto:clock:replayGuard:allowedClockSkew:decryptionKeys:audit:)``,
/// with the party's own store's log:
///
/// ```swift
/// let audit = ExchangeAudit(
///     log: store.auditLog,
///     subjects: AuditSubjectHasher(key: try keys.currentKey(for: .auditSubject), digest: .sha256, crypto: crypto),
///     crypto: crypto,
///     clock: clock)
/// ```
public struct ExchangeAudit: Sendable {
    /// The log the entries go to.
    public let log: any AuditLog
    private let subjects: AuditSubjectHasher
    private let digest: DigestAlgorithm
    private let crypto: any CryptoProvider
    private let clock: any WallClock

    /// Entries for `log`, their subjects hashed with `subjects`, envelope digests with `digest`
    /// (SM3 for a national-profile deployment).
    public init(
        log: any AuditLog,
        subjects: AuditSubjectHasher,
        digest: DigestAlgorithm = .sha256,
        crypto: any CryptoProvider,
        clock: any WallClock
    ) {
        self.log = log
        self.subjects = subjects
        self.digest = digest
        self.crypto = crypto
        self.clock = clock
    }

    /// `exchange.seal` by `issuer` of the envelope `text` with id `id`.
    func sealed(_ text: String, id: String, by issuer: Party, purpose: Purpose) async throws {
        try await log.append([
            AuditEntry(
                time: clock.now(),
                actor: issuer.text,
                action: "exchange.seal",
                subject: try subjects.subject(kind: "envelope", id: id),
                purpose: purpose.code,
                outcome: .success,
                envelopeDigest: try envelopeDigest(text)
            )
        ])
    }

    /// `exchange.open` by `me` of `envelope`.
    func opened(_ envelope: OpenedEnvelope, by me: Party) async throws {
        try await log.append([
            AuditEntry(
                time: clock.now(),
                actor: me.text,
                action: "exchange.open",
                subject: try subjects.subject(kind: "envelope", id: envelope.claims.id),
                purpose: envelope.claims.purpose.code,
                outcome: .success,
                envelopeDigest: try envelopeDigest(envelope.received)
            )
        ])
    }

    /// `exchange.refused.<check>` by `me` of the envelope `text`. Its id and purpose are the
    /// sender's unverified word, so the subject is the keyed hash of the text's digest instead.
    func refused(_ text: String, by me: Party, because error: EnvelopeError) async throws {
        let digest = try envelopeDigest(text)
        try await log.append([
            AuditEntry(
                time: clock.now(),
                actor: me.text,
                action: "exchange.refused.\(error.check)",
                subject: try subjects.subject(kind: "envelope", id: Base64URL.encode(digest)),
                purpose: "",
                outcome: .denied,
                envelopeDigest: digest
            )
        ])
    }

    private func envelopeDigest(_ text: String) throws -> [UInt8] {
        try EnvelopeSealer.wireDigest(of: text, digest: digest, crypto: crypto)
    }
}
