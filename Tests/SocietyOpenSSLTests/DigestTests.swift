import SocietyCore
import SocietyOpenSSL
import Testing

@Suite("Digests, HMAC and constant-time comparison")
struct DigestTests {
    // GB/T 32905-2016 / GM/T 0004-2012 Appendix A, examples 1 and 2.
    static let sm3Vectors: [(message: String, digest: String)] = [
        ("abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (String(repeating: "abcd", count: 16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    ]

    @Test("SM3 known answers (GB/T 32905 Appendix A)", arguments: sm3Vectors)
    func sm3(vector: (message: String, digest: String)) throws {
        #expect(Hex.string(try SM3.hash(data: vector.message.bytes)) == vector.digest)
    }

    // FIPS 180-2 Appendix B.1 and B.2.
    static let sha256Vectors: [(message: String, digest: String)] = [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ]

    @Test("SHA-256 known answers (FIPS 180-2 Appendix B)", arguments: sha256Vectors)
    func sha256(vector: (message: String, digest: String)) throws {
        #expect(Hex.string(try SHA256Digest.hash(data: vector.message.bytes)) == vector.digest)
    }

    @Test("Streaming equals one-shot, whatever the chunking", arguments: DigestAlgorithm.allCases)
    func streaming(algorithm: DigestAlgorithm) throws {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var hasher = try DigestHasher(algorithm)
        var offset = 0
        for size in [0, 1, 63, 64, 65, 300] {
            hasher.update(Array(message[offset..<(offset + size)]))
            offset += size
        }
        hasher.update(Array(message[offset...]))
        let streamed = try hasher.finalize()
        #expect(streamed == (try OpenSSLCryptoProvider().digest(algorithm, of: message)))
        #expect(streamed.count == algorithm.byteCount)
    }

    @Test("HMAC-SM3 known answer (REFERENCES.md: key \"key\", message \"abc\")")
    func hmacSM3() throws {
        let code = try HMAC.authenticationCode(.sm3, key: "key".bytes, data: "abc".bytes)
        #expect(Hex.string(code) == "28e63256e7c5a087b1f073265dc53092163f7b82729735d06f28f10af9d52393")
        #expect(try HMAC.isValidAuthenticationCode(code, algorithm: .sm3, key: "key".bytes, data: "abc".bytes))
        #expect(!(try HMAC.isValidAuthenticationCode(code, algorithm: .sm3, key: "kez".bytes, data: "abc".bytes)))
    }

    @Test("HMAC-SHA256 known answer (RFC 4231 test case 2)")
    func hmacSHA256() throws {
        let code = try HMAC.authenticationCode(.sha256, key: "Jefe".bytes, data: "what do ya want for nothing?".bytes)
        #expect(Hex.string(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("HMAC accepts an empty key and empty data")
    func hmacEmpty() throws {
        // RFC 2104 allows any key length; OpenSSL needs a non-null pointer even for zero bytes.
        let code = try HMAC.authenticationCode(.sha256, key: [], data: [])
        #expect(Hex.string(code) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("Constant-time comparison")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }

    @Test("OpenSSLRandomSource gives the requested count, and different bytes each time")
    func random() throws {
        let source = OpenSSLRandomSource()
        let first = try source.bytes(count: 32)
        #expect(first.count == 32)
        #expect(first != (try source.bytes(count: 32)))
        #expect(try source.bytes(count: 0).isEmpty)
        #expect(throws: CryptoError(.invalidParameter)) { try source.bytes(count: -1) }
    }
}
