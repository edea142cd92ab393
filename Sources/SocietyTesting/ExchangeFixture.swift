public import Foundation
public import SocietyCore
public import SocietyExchange
public import SocietyJSON
public import SocietyOpenSSL

/// Envelopes between two parties under a one-off trust list: the fixture every domain's tests
/// use to receive data "from another department" without writing trust lists by hand.
///
/// ```swift
/// let exchange = ExchangeFixture(clock: clock)
/// let notice = try await exchange.delivered(
///     from: "113212000142871106/population", to: "91320214745555318W/onecard",
///     service: "population.deaths", purpose: "onecard.monitoring", data: facts)
/// ```
public struct ExchangeFixture: Sendable {
    /// The cryptography that signs and verifies.
    public let crypto: any CryptoProvider
    /// The time of opening; sealing happens `age` seconds earlier.
    public let clock: FixedWallClock

    /// A fixture opening envelopes at `clock`'s instant.
    public init(clock: FixedWallClock, crypto: any CryptoProvider = OpenSSLCryptoProvider()) {
        self.clock = clock
        self.crypto = crypto
    }

    /// Seals an envelope from `issuer` to `recipient` for `service` and `purpose`, signed with a
    /// fresh key of `algorithm` that a trust list made for the occasion lists, `age` seconds ago;
    /// returns its text and an opener for the recipient that trusts that list.
    public func sealed(
        from issuer: String,
        to recipient: String,
        service: String,
        purpose: String,
        data: JSONValue,
        age: TimeInterval = 0,
        algorithm: SignatureAlgorithm = .ed25519
    ) async throws -> (text: String, opener: EnvelopeOpener) {
        let sender = try Party(issuer)
        let me = try Party(recipient)
        let purpose = try Purpose(purpose)
        let key = try crypto.generateSigningKey(algorithm)
        let now = clock.now()
        let list = TrustList(
            version: 1,
            issuedAt: now,
            nextUpdate: now.addingTimeInterval(86_400),
            parties: [
                .init(
                    party: sender,
                    name: "sender",
                    keys: [
                        TrustedKey(
                            kid: "fixture-1",
                            algorithm: algorithm,
                            publicKey: key.publicKey.rawRepresentation,
                            validFrom: now.addingTimeInterval(-age - 3600),
                            validUntil: now.addingTimeInterval(3600)
                        )
                    ]
                ), .init(party: me, name: "recipient"),
            ],
            services: [DataService(id: service, provider: sender, fields: [], purposes: [purpose])],
            grants: [AccessGrant(consumer: me, service: service, purposes: [purpose])]
        )
        let sealer = EnvelopeSealer(
            issuer: sender,
            key: key,
            kid: "fixture-1",
            crypto: crypto,
            clock: FixedWallClock(now.addingTimeInterval(-age))
        )
        let text = try await sealer.seal(EnvelopeDraft(audience: me, service: service, purpose: purpose, data: data))
        let opener = EnvelopeOpener(
            me: me,
            trustList: list,
            crypto: crypto,
            clock: clock,
            replayGuard: InMemoryReplayGuard()
        )
        return (text, opener)
    }

    /// The envelope ``sealed(from:to:service:purpose:data:age:algorithm:)`` makes, opened by its
    /// recipient as the exchange would deliver it.
    public func delivered(
        from issuer: String,
        to recipient: String,
        service: String,
        purpose: String,
        data: JSONValue,
        age: TimeInterval = 0,
        algorithm: SignatureAlgorithm = .ed25519
    ) async throws -> OpenedEnvelope {
        let (text, opener) = try await sealed(
            from: issuer,
            to: recipient,
            service: service,
            purpose: purpose,
            data: data,
            age: age,
            algorithm: algorithm
        )
        return try await opener.open(text)
    }
}
