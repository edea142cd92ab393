public import Foundation
public import SocietyCore
import SocietyJSON

/// Where a confidential envelope goes: the receiving party and its encryption key from the trust list.
public struct EnvelopeRecipient: Sendable {
    /// The JWE `typ` of a confidential envelope.
    public static let envelopeType = "tz-envelope+jwe"
    /// The JWE `cty`: the plaintext is a signed envelope (a compact JWS).
    public static let contentType = EnvelopeSealer.envelopeType

    /// The receiving party; must be the draft's audience.
    public let party: Party
    /// The recipient key's id on the trust list (`use: "enc"`): the JWE `kid`.
    public let kid: String
    /// The recipient's public encryption key.
    public let key: any EncryptionPublicKey

    /// A recipient from its parts.
    public init(party: Party, kid: String, key: any EncryptionPublicKey) {
        self.party = party
        self.kid = kid
        self.key = key
    }

    /// The recipient's active encryption key on `trustList` at `instant` (the newest valid one
    /// when there are several); throws ``EnvelopeError/noEncryptionKey(party:)`` when there is none.
    public init(party: Party, trustList: TrustList, crypto: any CryptoProvider, at instant: Date) throws {
        guard let trusted = trustList.encryptionKey(of: party, at: instant),
            let algorithm = trusted.encryptionAlgorithm, let raw = Base64URL.decode(trusted.publicKey)
        else { throw EnvelopeError.noEncryptionKey(party: party) }
        self.init(
            party: party,
            kid: trusted.kid,
            key: try crypto.importEncryptionKey(algorithm, from: raw, encoding: .raw)
        )
    }

    /// The profile this recipient's key implies.
    public var profile: ConfidentialProfile { ConfidentialProfile(recipientKey: key.algorithm) }
}

extension EnvelopeSealer {
    /// Signs `draft` as a single envelope, then encrypts that compact JWS to `recipient`: a compact
    /// JWE (`typ` `tz-envelope+jwe`) that only the holder of the recipient's key can read, and whose
    /// inner signed envelope the recipient can keep as evidence of who sent what.
    public func seal(_ draft: EnvelopeDraft, encryptingTo recipient: EnvelopeRecipient) async throws -> String {
        guard recipient.party == draft.audience else {
            throw EnvelopeError.encryptionMismatch(
                "the recipient key belongs to \(recipient.party), the envelope is addressed to \(draft.audience)"
            )
        }
        let inner = try sealUnrecorded(draft)
        let text = try ConfidentialSealing(crypto: crypto).encrypt(
            inner.text,
            issuer: issuer,
            recipient: recipient,
            fixed: nil
        )
        // The digest recorded is that of the text sent, as the recipient's log records it.
        try await audit?.sealed(text, id: inner.id, by: issuer, purpose: draft.purpose)
        return text
    }
}

/// The encryption and decryption of the confidential layer. Randomness (content key, IV, ephemeral
/// key) comes from the provider, except in known-answer tests, which fix it.
struct ConfidentialSealing {
    let crypto: any CryptoProvider

    /// Fixed choices for known-answer tests; never used in production.
    struct Fixed {
        var contentKey: [UInt8]
        var iv: [UInt8]
        var ephemeralKey: (any DecryptionKey)?
    }

    func encrypt(
        _ inner: String,
        issuer: Party,
        recipient: EnvelopeRecipient,
        fixed: Fixed?
    ) throws -> String {
        let profile = recipient.profile
        let contentKey = try fixed?.contentKey ?? crypto.randomBytes(count: 32)
        let partyU = Array(issuer.text.utf8)
        let partyV = Array(recipient.party.text.utf8)
        var header: [String: JSONValue] = [
            "alg": .string(profile.keyManagement), "enc": .string(profile.contentEncryption),
            "cty": .string(EnvelopeRecipient.contentType), "typ": .string(EnvelopeRecipient.envelopeType),
            "kid": .string(recipient.kid), "apu": .string(Base64URL.encode(partyU)),
            "apv": .string(Base64URL.encode(partyV)),
        ]
        let encryptedKey: [UInt8]
        switch profile {
        case .standard:
            let ephemeral = try fixed?.ephemeralKey ?? crypto.generateDecryptionKey(recipient.key.algorithm)
            let epk = try JSONWebKey(
                encryptionAlgorithm: ephemeral.algorithm,
                publicKey: ephemeral.encryptionPublicKey.rawRepresentation
            )
            header["epk"] = .object(JSONObject(epk.members.mapValues { .string($0) }))
            let keyEncryptionKey = try ConcatKDF.derive(
                sharedSecret: ephemeral.sharedSecret(with: recipient.key),
                algorithmID: profile.keyManagement,
                partyUInfo: partyU,
                partyVInfo: partyV,
                keyBitLength: 256,
                crypto: crypto
            )
            encryptedKey = try crypto.wrapKey(contentKey, with: keyEncryptionKey)
        case .national:
            encryptedKey = try recipient.key.encrypt(contentKey)
        }
        let encodedHeader = Base64URL.encode(try JSONValue.object(JSONObject(header)).canonicalBytes())
        let box = try crypto.seal(
            profile.aead,
            Array(inner.utf8),
            key: contentKey,
            nonce: fixed?.iv,
            associatedData: Array(encodedHeader.utf8)
        )
        return JWE(
            encodedHeader: encodedHeader,
            header: JSONObject(header),
            encryptedKey: encryptedKey,
            iv: box.nonce,
            ciphertext: box.ciphertext,
            tag: box.tag
        ).compact
    }

    /// What the outer layer says about the inner envelope, to compare once the inner is read.
    struct Outer {
        var kid: String
        var sender: [UInt8]
        var recipient: [UInt8]
    }

    /// Checks the outer layer and decrypts it with one of `keys` (by `kid`): the inner compact JWS.
    func decrypt(_ text: String, keys: [String: any DecryptionKey]) throws(EnvelopeError) -> (String, Outer) {
        let jwe = try JWE(parsing: text)
        let header = jwe.header
        let known: Set<String> = ["alg", "enc", "cty", "typ", "kid", "epk", "apu", "apv"]
        if let unknown = header.keys.first(where: { !known.contains($0) }) {
            throw .malformedEncryption("header member \"\(unknown)\" is not accepted")
        }
        let typ = header["typ"]?.stringValue
        guard typ == EnvelopeRecipient.envelopeType else {
            throw .malformedEncryption("typ is \(typ.map { "\"\($0)\"" } ?? "missing"), not tz-envelope+jwe")
        }
        guard header["cty"]?.stringValue == EnvelopeRecipient.contentType else {
            throw .malformedEncryption("cty must be \(EnvelopeRecipient.contentType)")
        }
        guard let alg = header["alg"]?.stringValue, let enc = header["enc"]?.stringValue else {
            throw .malformedEncryption("header \"alg\" or \"enc\" is missing")
        }
        guard let profile = ConfidentialProfile(alg: alg, enc: enc) else {
            throw .unsupportedEncryption(alg: alg, enc: enc)
        }
        guard let kid = header["kid"]?.stringValue else { throw .malformedEncryption("header \"kid\" is missing") }
        guard let apuText = header["apu"]?.stringValue, let sender = Base64URL.decode(apuText),
            let apvText = header["apv"]?.stringValue, let recipient = Base64URL.decode(apvText)
        else { throw .malformedEncryption("header \"apu\" and \"apv\" must be base64url party names") }

        guard let key = keys[kid] else { throw .notEncryptedToMe(kid: kid) }
        guard ConfidentialProfile(recipientKey: key.algorithm) == profile else {
            throw .malformedEncryption("\(alg) does not fit the \(key.algorithm.rawValue) key \(kid)")
        }
        let contentKey: [UInt8]
        switch profile {
        case .standard:
            guard header["epk"] != nil, case .object(let epkObject)? = header["epk"] else {
                throw .malformedEncryption("header \"epk\" is missing")
            }
            let sharedSecret: [UInt8]
            do {
                var members: [String: String] = [:]
                for member in epkObject.members {
                    guard let text = member.value.stringValue else {
                        throw CryptoError(.invalidKey, "epk member \(member.key) is not a string")
                    }
                    members[member.key] = text
                }
                let epk = try JSONWebKey(members: members)
                guard epk.d == nil, try epk.encryptionAlgorithm == key.algorithm else {
                    throw CryptoError(.invalidKey, "epk is not a public \(key.algorithm.rawValue) key")
                }
                let peer = try crypto.importEncryptionKey(
                    key.algorithm,
                    from: epk.rawEncryptionPublicKey(),
                    encoding: .raw
                )
                sharedSecret = try key.sharedSecret(with: peer)
            } catch {
                throw .malformedEncryption("header \"epk\" is not a usable ephemeral key: \(error)")
            }
            do {
                let keyEncryptionKey = try ConcatKDF.derive(
                    sharedSecret: sharedSecret,
                    algorithmID: alg,
                    partyUInfo: sender,
                    partyVInfo: recipient,
                    keyBitLength: 256,
                    crypto: crypto
                )
                contentKey = try crypto.unwrapKey(jwe.encryptedKey, with: keyEncryptionKey)
            } catch {
                throw .keyUnwrapFailed(kid: kid)
            }
        case .national:
            do {
                contentKey = try key.decrypt(jwe.encryptedKey)
            } catch {
                throw .keyUnwrapFailed(kid: kid)
            }
        }
        guard contentKey.count == profile.aead.keyByteCount else { throw .keyUnwrapFailed(kid: kid) }
        let plaintext: [UInt8]
        do {
            plaintext = try crypto.open(
                profile.aead,
                AEADSealedBox(nonce: jwe.iv, ciphertext: jwe.ciphertext, tag: jwe.tag),
                key: contentKey,
                associatedData: jwe.associatedData
            )
        } catch {
            throw .contentAuthenticationFailed
        }
        guard let inner = String(validating: plaintext, as: UTF8.self) else {
            throw .malformedEncryption("the decrypted content is not UTF-8")
        }
        return (inner, Outer(kid: kid, sender: sender, recipient: recipient))
    }
}

extension TrustList {
    /// The encryption key (`use: "enc"`) of `party` that is usable at `instant`: active, not
    /// revoked and within its window; the one valid from the latest instant when there are several.
    public func encryptionKey(of party: Party, at instant: Date) -> TrustedKey? {
        parties.first { $0.party == party }?.keys
            .filter { $0.use == .encryption && $0.status == .active && $0.mayHaveSigned(at: instant) }
            .max { $0.validFrom < $1.validFrom }
    }
}
