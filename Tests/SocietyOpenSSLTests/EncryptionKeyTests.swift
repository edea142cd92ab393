import SocietyCore
import Testing

@testable import SocietyOpenSSL

@Suite("Encryption keys: X25519, P-256 ECDH, SM2 encryption, AES key wrap")
struct EncryptionKeyTests {
    let crypto = OpenSSLCryptoProvider()

    @Test("X25519 known answer (RFC 7748 §6.1)")
    func x25519KnownAnswer() throws {
        let alice = try X25519.KeyAgreement.PrivateKey(
            rawRepresentation: Hex.bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        )
        let bob = try X25519.KeyAgreement.PrivateKey(
            rawRepresentation: Hex.bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        )
        #expect(
            Hex.string(alice.publicKey.rawRepresentation)
                == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        )
        #expect(
            Hex.string(bob.publicKey.rawRepresentation)
                == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
        )
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(Hex.string(try alice.sharedSecret(with: bob.publicKey)) == shared)
        #expect(Hex.string(try bob.sharedSecret(with: alice.publicKey)) == shared)
    }

    @Test("X25519 refuses a low-order peer point (all-zero shared secret)")
    func x25519LowOrder() throws {
        let key = try X25519.KeyAgreement.PrivateKey()
        let zero = try X25519.KeyAgreement.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        #expect(throws: CryptoError(.invalidKey)) { try key.sharedSecret(with: zero) }
    }

    @Test(
        "ECDH agrees both ways, keys round-trip through raw, DER, PEM and JWK",
        arguments: [EncryptionKeyAlgorithm.x25519, .p256]
    )
    func agreement(algorithm: EncryptionKeyAlgorithm) throws {
        let a = try crypto.generateDecryptionKey(algorithm)
        let b = try crypto.generateDecryptionKey(algorithm)
        #expect(try a.sharedSecret(with: b.encryptionPublicKey) == b.sharedSecret(with: a.encryptionPublicKey))
        #expect(try a.sharedSecret(with: b.encryptionPublicKey).count == 32)
        let publicKey = b.encryptionPublicKey
        let fromDER = try crypto.importEncryptionKey(algorithm, from: publicKey.derRepresentation, encoding: .der)
        let fromPEM = try crypto.importEncryptionKey(
            algorithm,
            from: Array(publicKey.pemRepresentation.utf8),
            encoding: .pem
        )
        let jwk = try JSONWebKey(encryptionAlgorithm: algorithm, publicKey: publicKey.rawRepresentation)
        let jwkBytes = Array(
            #"{"kty":"\#(jwk.kty)","crv":"\#(jwk.crv)","x":"\#(jwk.x)"\#(jwk.y.map { #","y":"\#($0)""# } ?? "")}"#.utf8
        )
        let fromJWK = try crypto.importEncryptionKey(algorithm, from: jwkBytes, encoding: .jwk)
        for imported in [fromDER, fromPEM, fromJWK] {
            #expect(imported.rawRepresentation == publicKey.rawRepresentation)
            #expect(try a.sharedSecret(with: imported) == a.sharedSecret(with: publicKey))
        }
    }

    @Test("a signing key file is not an X25519 encryption key, and a P-256 peer does not agree with X25519")
    func wrongAlgorithm() throws {
        let ed25519 = try Ed25519.Signing.PrivateKey()
        #expect(throws: CryptoError(.invalidKey)) {
            try crypto.importDecryptionKey(.x25519, from: ed25519.derRepresentation, encoding: .der)
        }
        let x = try crypto.generateDecryptionKey(.x25519)
        let p = try crypto.generateDecryptionKey(.p256)
        #expect(throws: CryptoError(.invalidKey)) { try x.sharedSecret(with: p.encryptionPublicKey) }
    }

    @Test("SM2 encryption round trip; another key or a changed ciphertext fails; openssl decrypts it")
    func sm2Encryption() throws {
        let key = try SM2.Encryption.PrivateKey()
        let other = try SM2.Encryption.PrivateKey()
        let secret = Array(0..<32).map { UInt8($0) }
        let ciphertext = try key.publicKey.encrypt(secret)
        #expect(try key.decrypt(ciphertext) == secret)
        #expect(throws: CryptoError(.decryptionFailed)) { try other.decrypt(ciphertext) }
        var changed = ciphertext
        changed[changed.count - 1] ^= 1
        #expect(throws: CryptoError(.decryptionFailed)) { try key.decrypt(changed) }
        #expect(throws: CryptoError(.decryptionFailed)) { try key.decrypt([0x30, 0x00]) }
        let reimported = try SM2.Encryption.PrivateKey(pemRepresentation: key.pemRepresentation)
        #expect(try reimported.decrypt(ciphertext) == secret)
    }

    @Test("AES-256 key wrap known answer (RFC 3394 §4.3) and integrity check")
    func keyWrap() throws {
        let kek = Hex.bytes("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
        let keyData = Hex.bytes("00112233445566778899AABBCCDDEEFF")
        let wrapped = try AESKeyWrap.wrap(keyData, using: kek)
        #expect(Hex.string(wrapped) == "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7")
        #expect(try AESKeyWrap.unwrap(wrapped, using: kek) == keyData)
        var changed = wrapped
        changed[3] ^= 0x40
        #expect(throws: CryptoError(.decryptionFailed)) { try AESKeyWrap.unwrap(changed, using: kek) }
        var otherKEK = kek
        otherKEK[0] ^= 1
        #expect(throws: CryptoError(.decryptionFailed)) { try AESKeyWrap.unwrap(wrapped, using: otherKEK) }
        #expect(throws: CryptoError(.decryptionFailed)) { try AESKeyWrap.unwrap([1, 2, 3], using: kek) }
    }
}
