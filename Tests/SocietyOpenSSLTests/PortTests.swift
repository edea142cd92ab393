import SocietyCore
import SocietyOpenSSL
import Testing

@Suite("Port helpers and concurrency")
struct PortTests {
    @Test("Base64URL: RFC 4648 §10 vectors without padding, and strict decoding")
    func base64URL() {
        // RFC 4648 §10 test vectors, unpadded as RFC 7515 §2 requires.
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE"]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(plain.bytes) == encoded)
            #expect(Base64URL.decode(encoded) == plain.bytes)
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("Zg==") == nil)
        #expect(Base64URL.decode("Zh") == nil)  // non-canonical trailing bits
        #expect(Base64URL.decode("Z") == nil)
        #expect(Base64URL.decode("Zm9v+") == nil)
    }

    @Test("PEM text round-trips and ignores surrounding text")
    func pem() throws {
        let document = PEMDocument(label: "PUBLIC KEY", der: Array(0..<100))
        let parsed = try PEMDocument(parsing: "Bag Attributes\n" + document.text + "trailer\n")
        #expect(parsed == document)
        #expect(document.text.split(separator: "\n").allSatisfy { $0.count <= 64 })
    }

    @Test("CryptoError equality compares the code only, and the description carries the library lines")
    func cryptoError() {
        let error = CryptoError(.library, "EVP_DigestSign", libraryErrors: ["error:1:reason"])
        #expect(error == CryptoError(.library))
        #expect(error != CryptoError(.invalidKey))
        #expect(error.description.contains("error:1:reason"))
    }

    @Test("One key signs and verifies from many tasks at once", arguments: SignatureAlgorithm.allCases)
    func concurrentUse(algorithm: SignatureAlgorithm) async throws {
        let key = try OpenSSLCryptoProvider().generateSigningKey(algorithm)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let message = "message \(index)".bytes
                    let signature = try key.signature(for: message)
                    return key.publicKey.isValidSignature(signature, for: message)
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 16 && results.allSatisfy { $0 })
    }
}
