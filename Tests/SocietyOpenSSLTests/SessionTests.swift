import Foundation
import SocietyCore
import SocietyOpenSSL
import Testing

/// A session keyed once must give exactly what the one-shot calls give, value after value, and
/// report bad input as they do.
@Suite("Crypto sessions")
struct SessionTests {
    static let provider = OpenSSLCryptoProvider()

    /// Messages of every length up to 96 bytes, and associated data, from a seeded source.
    static func material(seed: UInt64) -> [(message: [UInt8], aad: [UInt8], nonce: [UInt8])] {
        var random = SeededRandomSource(seed: seed)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        return (0..<97).map { n in (bytes(n), bytes(n % 40), bytes(12)) }
    }

    @Test("an AES-256-GCM session appends nonce, ciphertext and tag equal to seal's, and they open")
    func gcmSessionMatchesSeal() throws {
        let key = try Self.provider.randomBytes(count: 32)
        let session = try Self.provider.makeSealingSession(.aes256GCM, key: key)
        for (message, aad, nonce) in Self.material(seed: 77) {
            var output: [UInt8] = [0xEE]  // appended to, never overwritten
            try session.seal(message, nonce: nonce, associatedData: aad, appendingTo: &output)
            let box = try Self.provider.seal(.aes256GCM, message, key: key, nonce: nonce, associatedData: aad)
            #expect(output == [0xEE] + box.nonce + box.ciphertext + box.tag)
            let reopened = try AEADSealedBox(combined: Array(output.dropFirst()), algorithm: .aes256GCM)
            #expect(try Self.provider.open(.aes256GCM, reopened, key: key, associatedData: aad) == message)
        }
    }

    @Test("the national profile's session (SM4-CBC + HMAC-SM3) equals seal too")
    func sm4SessionMatchesSeal() throws {
        let key = try Self.provider.randomBytes(count: 32)
        let session = try Self.provider.makeSealingSession(.sm4CBCHMACSM3, key: key)
        for (message, aad, _) in Self.material(seed: 78).prefix(20) {
            let iv = try Self.provider.randomBytes(count: 16)
            var output: [UInt8] = []
            try session.seal(message, nonce: iv, associatedData: aad, appendingTo: &output)
            let box = try Self.provider.seal(.sm4CBCHMACSM3, message, key: key, nonce: iv, associatedData: aad)
            #expect(output == box.nonce + box.ciphertext + box.tag)
        }
    }

    @Test(
        "an HMAC session equals authenticationCode for every value, SHA-256 and SM3",
        arguments: DigestAlgorithm.allCases
    )
    func macSessionMatches(algorithm: DigestAlgorithm) throws {
        let key = try Self.provider.randomBytes(count: 32)
        let session = try Self.provider.makeMACSession(algorithm, key: key)
        for (message, _, _) in Self.material(seed: 79) {
            #expect(
                try session.authenticationCode(of: message)
                    == Self.provider.authenticationCode(algorithm, key: key, data: message)
            )
        }
        // RFC 4231 test case 2 through a session.
        let jefe = try Self.provider.makeMACSession(.sha256, key: Array("Jefe".utf8))
        #expect(
            try jefe.authenticationCode(of: Array("what do ya want for nothing?".utf8))
                == Hex.bytes("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        )
    }

    @Test("a digest session writes the one-shot digest over the caller's buffer, SHA-256 and SM3")
    func digestSessionMatchesDigest() throws {
        for algorithm in [DigestAlgorithm.sha256, .sm3] {
            let session = try Self.provider.makeDigestSession(algorithm)
            // Whatever the buffer held before (empty, shorter, longer), it ends as the digest.
            var output: [UInt8] = []
            for (index, (message, _, _)) in Self.material(seed: 79).enumerated() {
                output = Array(repeating: 0xEE, count: index % 70)
                try session.digest(of: message, into: &output)
                #expect(output == (try Self.provider.digest(algorithm, of: message)))
            }
        }
        // Published answers for "abc": FIPS 180-2 appendix B.1 (SHA-256), GB/T 32905-2016 A.1 (SM3).
        var output: [UInt8] = []
        try Self.provider.makeDigestSession(.sha256).digest(of: Array("abc".utf8), into: &output)
        #expect(output == Hex.bytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        try Self.provider.makeDigestSession(.sm3).digest(of: Array("abc".utf8), into: &output)
        #expect(output == Hex.bytes("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"))
    }

    @Test("a session refuses a key or nonce of the wrong length")
    func badInput() throws {
        #expect(throws: CryptoError.self) { try Self.provider.makeSealingSession(.aes256GCM, key: [1, 2, 3]) }
        let session = try Self.provider.makeSealingSession(.aes256GCM, key: Array(repeating: 1, count: 32))
        var output: [UInt8] = []
        #expect(throws: CryptoError.self) {
            try session.seal([1], nonce: [0, 0], associatedData: [], appendingTo: &output)
        }
        #expect(output.isEmpty)
    }
}
