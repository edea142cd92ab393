import SocietyCore
import SocietyOpenSSL
import Testing

/// A subset of C2SP/wycheproof `testvectors_v1/ecdsa_secp256r1_sha256_p1363_test.json`
/// (commit 81ee4212308ec0c715755c813edf9ec0d4e82e34): IEEE P1363 (raw `r‖s`) signatures, the JWS
/// ES256 form. Each case keeps its `tcId` and the test group's public key.
@Suite("P-256 ECDSA SHA-256 (Wycheproof P1363 subset)")
struct P256WycheproofTests {
    struct Case: Sendable, CustomTestStringConvertible {
        enum Key: Sendable {
            case der(String)
            case raw(String)
            case jwk(x: String, y: String)
        }
        let tcId: Int
        let comment: String
        let key: Key
        let message: String
        let signature: String
        let valid: Bool
        var testDescription: String { "tcId \(tcId): \(comment)" }
    }

    // Group 1: publicKeyDer of the first test group.
    static let group1 = Case.Key.der(
        "3059301306072a8648ce3d020106082a8648ce3d030107034200042927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e"
    )
    static let sig1 =
        "2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e184cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd76"
    static let n = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
    static let zero32 = String(repeating: "0", count: 64)
    static let one32 = String(repeating: "0", count: 63) + "1"

    static let cases: [Case] = [
        Case(
            tcId: 1,
            comment: "signature malleability",
            key: group1,
            message: "313233343030",
            signature: sig1,
            valid: true
        ),
        Case(
            tcId: 2,
            comment: "replaced r by r + n",
            key: group1,
            message: "313233343030",
            signature:
                "012ba3a8bd6b94d5ed80a6d9d1190a436ebccc0833490686deac8635bcb9bf536900b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db",
            valid: false
        ),
        Case(
            tcId: 4,
            comment: "replaced r by n - r",
            key: group1,
            message: "313233343030",
            signature:
                "d45c5740946b2a147f59262ee6f5bc90bd01ed280528b62b3aed5fc93f06f739b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db",
            valid: false
        ),
        Case(
            tcId: 5,
            comment: "replaced r by r + 2**256",
            key: group1,
            message: "313233343030",
            signature:
                "012ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e1800b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db",
            valid: false
        ),
        Case(
            tcId: 9,
            comment: "replaced s by s + 2**256",
            key: group1,
            message: "313233343030",
            signature:
                "01b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db00b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db",
            valid: false
        ),
        Case(
            tcId: 11,
            comment: "r=0 and s=0",
            key: group1,
            message: "313233343030",
            signature: zero32 + zero32,
            valid: false
        ),
        Case(
            tcId: 12,
            comment: "r=0 and s=1",
            key: group1,
            message: "313233343030",
            signature: zero32 + one32,
            valid: false
        ),
        Case(
            tcId: 13,
            comment: "r=0 and s=n",
            key: group1,
            message: "313233343030",
            signature: zero32 + n,
            valid: false
        ),
        Case(
            tcId: 18,
            comment: "r=1 and s=0",
            key: group1,
            message: "313233343030",
            signature: one32 + zero32,
            valid: false
        ),
        Case(
            tcId: 19,
            comment: "r=1 and s=1",
            key: group1,
            message: "313233343030",
            signature: one32 + one32,
            valid: false
        ),
        Case(
            tcId: 20,
            comment: "r=1 and s=n",
            key: group1,
            message: "313233343030",
            signature: one32 + n,
            valid: false
        ),
        Case(
            tcId: 25,
            comment: "r=n and s=0",
            key: group1,
            message: "313233343030",
            signature: n + zero32,
            valid: false
        ),
        Case(
            tcId: 67,
            comment: "special case hash",
            key: group1,
            message: "333433363838373132",
            signature:
                "060b700bef665c68899d44f2356a578d126b062023ccc3c056bf0f60a237012b8d186c027832965f4fcc78a3366ca95dedbb410cbef3f26d6be5d581c11d3610",
            valid: true
        ),
        Case(
            tcId: 68,
            comment: "special case hash",
            key: group1,
            message: "31333531353330333730",
            signature:
                "9f6adfe8d5eb5b2c24d7aa7934b6cf29c93ea76cd313c9132bb0c8e38c96831db26a9c9e40e55ee0890c944cf271756c906a33e66b5bd15e051593883b5e9902",
            valid: true
        ),
        Case(
            tcId: 126,
            comment: "small r and s",
            key: .jwk(
                x: "y-DCkTLNc4Nk_t1gMVKZDASOXi__mW2IP6bKynl4xzc",
                y: "cK9qjORMtBIksmA2BvTATRiOgL_3zDGtUYnUqw1w6ME"
            ),
            message: "313233343030",
            signature: String(zero32.dropLast()) + "5" + String(zero32.dropLast()) + "6",
            valid: true
        ),
        Case(
            tcId: 127,
            comment: "incorrect size of signature",
            key: .jwk(
                x: "y-DCkTLNc4Nk_t1gMVKZDASOXi__mW2IP6bKynl4xzc",
                y: "cK9qjORMtBIksmA2BvTATRiOgL_3zDGtUYnUqw1w6ME"
            ),
            message: "313233343030",
            signature: "0506",
            valid: false
        ),
        Case(
            tcId: 128,
            comment: "small r and s",
            key: .raw(
                "042ef747671c97d9c7f9cb2f6a30d678c3d84757ba241ef7183d51a29f52d87c2ea8fb2ea635b761baefc1c4ded2099281b844e13e044c328553bbbafa337d8a76"
            ),
            message: "313233343030",
            signature: String(zero32.dropLast()) + "6" + one32,
            valid: true
        ),
        Case(
            tcId: 134,
            comment: "small r and s",
            key: .raw(
                "04d03eb09913cc20c6a8d0070f0d8d2a7f63527fafa44117fce6bd1ef2aa4ae3c46d5df3f45ac58fa334c6d102381b3120b7a2455600dcaff3d1a845514f12bf46"
            ),
            message: "313233343030",
            signature: String(zero32.dropLast()) + "6" + String(zero32.dropLast()) + "7",
            valid: true
        ),
        Case(
            tcId: 136,
            comment: "r is larger than n",
            key: .raw(
                "04d03eb09913cc20c6a8d0070f0d8d2a7f63527fafa44117fce6bd1ef2aa4ae3c46d5df3f45ac58fa334c6d102381b3120b7a2455600dcaff3d1a845514f12bf46"
            ),
            message: "313233343030",
            signature:
                "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc6325570000000000000000000000000000000000000000000000000000000000000007",
            valid: false
        ),
        Case(
            tcId: 137,
            comment: "s is larger than n",
            key: .raw(
                "043a72476291571193b4d109b2c37b59f2807e8fe9cffd804eacded903e77ca0da592dbc74fee0ca7508cc7bc282b0c51a143286ff53c60131668e7a0929e4ed04"
            ),
            message: "313233343030",
            signature:
                "0000000000000000000000000000000000000000000000000000000000000006ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc75fbd8",
            valid: false
        ),
        Case(
            tcId: 138,
            comment: "small r and s^-1",
            key: .raw(
                "04d0f73792203716afd4be4329faa48d269f15313ebbba379d7783c97bf3e890d9971f4a3206605bec21782bf5e275c714417e8f566549e6bc68690d2363c89cc1"
            ),
            message: "313233343030",
            signature:
                "00000000000000000000000000000000000000000000000000000000000001008f1e3c7862c58b16bb76eddbb76eddbb516af4f63f2d74d76e0d28c9bb75ea88",
            valid: true
        ),
        Case(
            tcId: 140,
            comment: "100-bit r and small s^-1",
            key: .raw(
                "047393983ca30a520bbc4783dc9960746aab444ef520c0a8e771119aa4e74b0f64e9d7be1ab01a0bf626e709863e6a486dbaf32793afccf774e2c6cd27b1857526"
            ),
            message: "313233343030",
            signature:
                "000000000000000000000000000000000000001033e67e37b32b445580bf4eff8b748b74000000008b748b748b748b7466e769ad4a16d3dcd87129b8e91d1b4d",
            valid: true
        ),
    ]

    @Test("Wycheproof verdicts", arguments: cases)
    func verdict(testCase: Case) throws {
        let key: P256.Signing.PublicKey =
            switch testCase.key {
            case .der(let hex): try P256.Signing.PublicKey(derRepresentation: Hex.bytes(hex))
            case .raw(let hex): try P256.Signing.PublicKey(rawRepresentation: Hex.bytes(hex))
            case .jwk(let x, let y): try P256.Signing.PublicKey(jwk: JSONWebKey(kty: "EC", crv: "P-256", x: x, y: y))
            }
        let verdict = key.isValidSignature(Hex.bytes(testCase.signature), for: Hex.bytes(testCase.message))
        #expect(verdict == testCase.valid)
    }

    @Test("Raw r‖s and DER convert both ways, left-padding short integers")
    func signatureConversion() throws {
        let raw = Hex.bytes(Self.zero32.dropLast() + "5" + Self.zero32.dropLast() + "6")
        let der = try ECSignatureEncoding.der(fromRaw: raw)
        #expect(der == [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x06])
        #expect(try ECSignatureEncoding.raw(fromDER: der) == raw)
        #expect(throws: CryptoError(.invalidSignatureEncoding)) { try ECSignatureEncoding.der(fromRaw: [5, 6]) }
        #expect(throws: CryptoError(.invalidSignatureEncoding)) { try ECSignatureEncoding.raw(fromDER: [0x30, 0x01]) }
        #expect(throws: CryptoError(.invalidSignatureEncoding)) { try ECSignatureEncoding.raw(fromDER: der + [0]) }
    }
}
