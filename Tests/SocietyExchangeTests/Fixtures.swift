import Foundation
import SocietyCore
import SocietyExchange
import SocietyJSON
import SocietyOpenSSL

/// A small exchange: the big-data bureau's root key, the civil-affairs assistance system (consumer)
/// and the HR & social-security employment system (provider), with one key of each algorithm.
struct ExchangeFixture {
    static let epoch = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28

    let crypto = OpenSSLCryptoProvider()
    let civil: Party
    let hrss: Party
    let stranger: Party
    let rootKey: any SigningKey
    var keys: [SignatureAlgorithm: any SigningKey] = [:]
    var providerKeys: [SignatureAlgorithm: any SigningKey] = [:]
    /// The provider's decryption keys, published on the list as `hrss-enc-ALG` with `use: "enc"`.
    var providerDecryptionKeys: [EncryptionKeyAlgorithm: any DecryptionKey] = [:]
    var list: TrustList
    let now: Date

    let verification: Purpose
    /// A general-level service: its envelopes may travel signed only.
    static let service = "hrss.employment-status"
    /// An important-level service: its envelopes must be encrypted to the provider.
    static let wageService = "hrss.wage"

    struct MissingKey: Error {}

    init(now: Date = ExchangeFixture.epoch) throws {
        self.now = now
        verification = try Purpose("assistance.verification")
        civil = try Party("113212000142871106/assistance")
        hrss = try Party("91320214745555318W/employment")
        stranger = try Party("91110000600037341L/crm")
        rootKey = try crypto.generateSigningKey(.ed25519)
        list = TrustList(
            version: 3,
            issuedAt: now.addingTimeInterval(-3600),
            nextUpdate: now.addingTimeInterval(86_400 * 7)
        )
        var civilEntry = TrustList.PartyEntry(party: civil, name: "泰州市民政局 社会救助")
        var hrssEntry = TrustList.PartyEntry(party: hrss, name: "泰州市人社局 就业")
        for algorithm in SignatureAlgorithm.allCases {
            let key = try crypto.generateSigningKey(algorithm)
            keys[algorithm] = key
            civilEntry.keys.append(trusted(key.publicKey, kid: "civil-\(algorithm.rawValue)"))
            let providerKey = try crypto.generateSigningKey(algorithm)
            providerKeys[algorithm] = providerKey
            hrssEntry.keys.append(trusted(providerKey.publicKey, kid: "hrss-\(algorithm.rawValue)"))
        }
        for algorithm in EncryptionKeyAlgorithm.allCases {
            let key = try crypto.generateDecryptionKey(algorithm)
            providerDecryptionKeys[algorithm] = key
            hrssEntry.keys.append(
                TrustedKey(
                    kid: "hrss-enc-\(algorithm.rawValue)",
                    encryptionAlgorithm: algorithm,
                    publicKey: key.encryptionPublicKey.rawRepresentation,
                    validFrom: now.addingTimeInterval(-86_400 * 30),
                    validUntil: now.addingTimeInterval(86_400 * 365)
                )
            )
        }
        list.parties = [civilEntry, hrssEntry, TrustList.PartyEntry(party: stranger, name: "某公司")]
        list.services = [
            DataService(
                id: ExchangeFixture.service,
                provider: hrss,
                fields: [.init(name: "employed", level: .general, sensitivity: .personal)],
                purposes: [verification]
            ),
            DataService(
                id: ExchangeFixture.wageService,
                provider: hrss,
                fields: [
                    .init(name: "employed", level: .general, sensitivity: .personal),
                    .init(name: "monthlyWage", level: .important, sensitivity: .sensitivePersonal),
                ],
                purposes: [verification]
            ),
        ]
        list.grants = [
            AccessGrant(consumer: civil, service: ExchangeFixture.service, purposes: [verification]),
            AccessGrant(consumer: civil, service: ExchangeFixture.wageService, purposes: [verification]),
        ]
    }

    func trusted(_ key: any VerifyingKey, kid: String) -> TrustedKey {
        TrustedKey(
            kid: kid,
            algorithm: key.algorithm,
            publicKey: key.rawRepresentation,
            validFrom: now.addingTimeInterval(-86_400 * 30),
            validUntil: now.addingTimeInterval(86_400 * 365)
        )
    }

    func sealer(_ algorithm: SignatureAlgorithm, at instant: Date? = nil) throws -> EnvelopeSealer {
        guard let key = keys[algorithm] else { throw MissingKey() }
        return EnvelopeSealer(
            issuer: civil,
            key: key,
            kid: "civil-\(algorithm.rawValue)",
            crypto: crypto,
            clock: FixedWallClock(instant ?? now)
        )
    }

    func providerSealer(_ algorithm: SignatureAlgorithm) throws -> EnvelopeSealer {
        guard let key = providerKeys[algorithm] else { throw MissingKey() }
        return EnvelopeSealer(
            issuer: hrss,
            key: key,
            kid: "hrss-\(algorithm.rawValue)",
            crypto: crypto,
            clock: FixedWallClock(now)
        )
    }

    func opener(
        for party: Party? = nil,
        at instant: Date? = nil,
        replayGuard: any ReplayGuard = InMemoryReplayGuard(),
        list: TrustList? = nil
    ) -> EnvelopeOpener {
        EnvelopeOpener(
            me: party ?? hrss,
            trustList: list ?? self.list,
            crypto: crypto,
            clock: FixedWallClock(instant ?? now),
            replayGuard: replayGuard,
            decryptionKeys: Dictionary(
                uniqueKeysWithValues: providerDecryptionKeys.map { ("hrss-enc-\($0.key.rawValue)", $0.value) }
            )
        )
    }

    /// The provider as the recipient of a confidential envelope, with its key of `algorithm`.
    func recipient(_ algorithm: EncryptionKeyAlgorithm) throws -> EnvelopeRecipient {
        guard let key = providerDecryptionKeys[algorithm] else { throw MissingKey() }
        return EnvelopeRecipient(party: hrss, kid: "hrss-enc-\(algorithm.rawValue)", key: key.encryptionPublicKey)
    }

    func request(
        level: DataLevel = .general,
        purpose: Purpose? = nil,
        to audience: Party? = nil,
        service: String = ExchangeFixture.service
    ) -> EnvelopeDraft {
        EnvelopeDraft(
            audience: audience ?? hrss,
            service: service,
            purpose: purpose ?? verification,
            level: level,
            data: ["applicant": "3212**********123X", "household": 42, "note": "申请低保 核对就业"]
        )
    }
}
