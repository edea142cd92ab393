import Dispatch
import Foundation
import SocietyCore
import Testing

@testable import SocietyOpenSSL

/// The pooled AES-256-GCM and HMAC contexts must give exactly what fresh contexts give, whatever
/// the order of keys, after failures, and from several threads at once.
@Suite("Reused OpenSSL contexts")
struct ContextPoolTests {
    /// Keys and messages from a seeded source, so a failure reproduces.
    private static func material(seed: UInt64, count: Int) -> (keys: [[UInt8]], messages: [[UInt8]]) {
        var random = SeededRandomSource(seed: seed)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        let keys = (0..<3).map { _ in bytes(32) }
        let messages = (0..<count).map { n in bytes(n % 97) }
        return (keys, messages)
    }

    @Test("pooled HMAC equals EVP_Q_mac for alternating keys and lengths", arguments: DigestAlgorithm.allCases)
    func hmacMatchesOneShot(algorithm: DigestAlgorithm) throws {
        let (keys, messages) = Self.material(seed: 4231, count: 300)
        // Keys of other lengths too: HMAC hashes a key longer than the block, pads a short one.
        let allKeys = keys + [[], [0x0B], Array(repeating: 0xAA, count: 131)]
        for (n, message) in messages.enumerated() {
            let key = allKeys[(n * 7 / 3) % allKeys.count]
            let pooled = try HMAC.authenticationCode(algorithm, key: key, data: message)
            #expect(pooled == (try LibCryptoDigest.oneShotHMAC(algorithm, key: key, data: message)))
        }
    }

    @Test("RFC 4231 test case 2 still holds on a reused context")
    func hmacKnownAnswerReused() throws {
        let key = Array("Jefe".utf8)
        let data = Array("what do ya want for nothing?".utf8)
        let expected = Hex.bytes("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        for _ in 0..<3 { #expect(try HMAC.authenticationCode(.sha256, key: key, data: data) == expected) }
    }

    @Test("GCM on reused contexts: same output as a known nonce, round trips under alternating keys")
    func gcmReuse() throws {
        let (keys, messages) = Self.material(seed: 38_000, count: 200)
        // McGrew & Viega test case 16 between other keys' uses: the pooled context is re-keyed.
        let key16 = Hex.bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce16 = Hex.bytes("cafebabefacedbaddecaf888")
        let aad16 = Hex.bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let plain16 = Hex.bytes(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        )
        for (n, message) in messages.enumerated() {
            let key = keys[n % keys.count]
            let aad = Array(message.prefix(n % 13))
            let box = try AES256GCM.seal(message, key: key, authenticating: aad)
            #expect(try AES256GCM.open(box, key: key, authenticating: aad) == message)
            if n % 50 == 0 {
                let known = try AES256GCM.seal(plain16, key: key16, nonce: nonce16, authenticating: aad16)
                #expect(Hex.string(known.tag) == "76fc6ece0f4e1768cddf8853bb2d551b")
                #expect(try AES256GCM.open(known, key: key16, authenticating: aad16) == plain16)
            }
        }
    }

    @Test("a failed open does not affect the next one; a wrong key or tag still fails after reuse")
    func gcmFailureThenSuccess() throws {
        let key = Array(repeating: UInt8(7), count: 32)
        let other = Array(repeating: UInt8(8), count: 32)
        let box = try AES256GCM.seal(Array("resident 1".utf8), key: key, authenticating: [1, 2])
        var tampered = box
        tampered.tag[0] ^= 1
        for _ in 0..<3 {
            #expect(throws: CryptoError.self) { try AES256GCM.open(tampered, key: key, authenticating: [1, 2]) }
            #expect(throws: CryptoError.self) { try AES256GCM.open(box, key: other, authenticating: [1, 2]) }
            #expect(throws: CryptoError.self) { try AES256GCM.open(box, key: key, authenticating: [1, 3]) }
            #expect(try AES256GCM.open(box, key: key, authenticating: [1, 2]) == Array("resident 1".utf8))
        }
    }

    @Test("contexts are shared safely between threads")
    func concurrentUse() throws {
        let (keys, messages) = Self.material(seed: 2026, count: 64)
        let expected = try messages.enumerated().map { n, message in
            try LibCryptoDigest.oneShotHMAC(.sha256, key: keys[n % keys.count], data: message)
        }
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<50 {
                let n = (worker * 31 + round) % messages.count
                let key = keys[n % keys.count]
                do {
                    let code = try HMAC.authenticationCode(.sha256, key: key, data: messages[n])
                    let box = try AES256GCM.seal(messages[n], key: key, authenticating: code)
                    let opened = try AES256GCM.open(box, key: key, authenticating: code)
                    if code != expected[n] || opened != messages[n] { failures.add() }
                } catch {
                    failures.add()
                }
            }
        }
        #expect(failures.value == 0)
    }
}

/// A thread-safe tally for `concurrentPerform` workers.
///
/// `@unchecked Sendable`: `count` is only read or written while `lock` is held.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
