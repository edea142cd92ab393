import SocietyCore
import SocietyOpenSSL
import Testing

@Suite("Ed25519 (RFC 8032)")
struct Ed25519Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let secret: String
        let publicKey: String
        let message: String
        let signature: String
        var testDescription: String { name }
    }

    // RFC 8032 §7.1, TEST 1, TEST 2, TEST 3 and TEST SHA(abc).
    static let vectors: [Vector] = [
        Vector(
            name: "TEST 1",
            secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            message: "",
            signature:
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        Vector(
            name: "TEST 2",
            secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            message: "72",
            signature:
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        Vector(
            name: "TEST 3",
            secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            message: "af82",
            signature:
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
        Vector(
            name: "TEST SHA(abc)",
            secret: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
            publicKey: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
            message: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
                + "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        ),
    ]

    @Test("Deterministic signatures equal RFC 8032 §7.1", arguments: vectors)
    func knownAnswer(vector: Vector) throws {
        let key = try Ed25519.Signing.PrivateKey(rawRepresentation: Hex.bytes(vector.secret))
        #expect(Hex.string(key.publicKey.rawRepresentation) == vector.publicKey)
        let message = Hex.bytes(vector.message)
        #expect(Hex.string(try key.signature(for: message)) == vector.signature)
        let publicKey = try Ed25519.Signing.PublicKey(rawRepresentation: Hex.bytes(vector.publicKey))
        #expect(publicKey.isValidSignature(Hex.bytes(vector.signature), for: message))
        #expect(!publicKey.isValidSignature(Hex.bytes(vector.signature), for: message + [0]))
    }

    @Test("JWK of RFC 8037 Appendix A.1/A.2 key")
    func rfc8037JWK() throws {
        // RFC 8037 Appendix A.1 and A.2 use RFC 8032 TEST 1's key.
        let key = try Ed25519.Signing.PrivateKey(rawRepresentation: Hex.bytes(Self.vectors[0].secret))
        #expect(
            key.publicKey.jwk.members == [
                "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            ]
        )
        #expect(key.jwk.d == "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
    }
}
