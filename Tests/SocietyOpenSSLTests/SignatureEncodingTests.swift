import Dispatch
import Foundation
import SocietyCore
import Testing

@testable import SocietyOpenSSL

/// The hand-written conversions between raw `r‖s` and DER must give exactly what OpenSSL's
/// `ECDSA_SIG` functions give, for typical values and for the edges (zeros, top bits, leading
/// zero bytes), and the fast DER reader must accept only what `d2i_ECDSA_SIG` reads the same way.
@Suite("ECDSA signature encodings")
struct SignatureEncodingTests {
    static func halves() -> [[UInt8]] {
        var random = SystemRandomNumberGenerator()
        var values: [[UInt8]] = [
            [UInt8](repeating: 0, count: 32), [UInt8](repeating: 0xFF, count: 32),
            [UInt8](repeating: 0, count: 31) + [1], [UInt8](repeating: 0, count: 31) + [0x80],
            [0x80] + [UInt8](repeating: 0, count: 31), [0x7F] + [UInt8](repeating: 0xFF, count: 31),
            [0, 0x80] + [UInt8](repeating: 1, count: 30), [0, 0x7F] + [UInt8](repeating: 1, count: 30),
        ]
        for leadingZeros in 0..<32 {
            for top: UInt8 in [0x01, 0x7F, 0x80, 0xFF] {
                let tail = (0..<(31 - leadingZeros)).map { _ in UInt8.random(in: 0...255, using: &random) }
                values.append([UInt8](repeating: 0, count: leadingZeros) + [top] + tail)
            }
        }
        return values
    }

    @Test("raw → DER by hand equals i2d_ECDSA_SIG, and reads back both ways")
    func rawToDER() throws {
        let halves = Self.halves()
        for r in halves {
            for s in halves.shuffled().prefix(12) {
                let raw = r + s
                let der = try ECMath.derSignature(fromRaw: raw)
                #expect(der == (try ECMath.derSignatureThroughOpenSSL(fromRaw: raw)))
                #expect(ECMath.strictRawSignature(fromDER: der) == raw)
                #expect(try ECMath.rawSignatureThroughOpenSSL(fromDER: der) == raw)
            }
        }
        #expect(throws: CryptoError(.invalidSignatureEncoding)) { try ECMath.derSignature(fromRaw: [1, 2, 3]) }
    }

    @Test("The fast DER reader never accepts what OpenSSL reads differently or refuses")
    func strictReader() throws {
        var random = SystemRandomNumberGenerator()
        let valid = try Self.halves().prefix(20).map { try ECMath.derSignature(fromRaw: $0 + $0.reversed()) }
        var variants: [[UInt8]] = [[], [0x30], [0x30, 0x00], [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]]
        // Non-minimal integers, negative integers, long-form lengths, wrong tags, trailing bytes.
        variants.append([0x30, 0x08, 0x02, 0x02, 0x00, 0x01, 0x02, 0x02, 0x00, 0x01])
        variants.append([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01])
        variants.append([0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])
        variants.append([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])
        variants.append([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00])
        variants.append([0x30, 0x06, 0x02, 0x00, 0x02, 0x02, 0x01, 0x01])
        variants.append([0x30, 0x25, 0x02, 0x21, 0x01] + [UInt8](repeating: 1, count: 32) + [0x02, 0x01, 0x01])
        for der in valid {
            variants.append(der)
            for _ in 0..<30 {
                var mutated = der
                let position = Int.random(in: 0..<mutated.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: mutated[position] = UInt8.random(in: 0...255, using: &random)
                case 1: mutated.remove(at: position)
                default: mutated.insert(UInt8.random(in: 0...255, using: &random), at: position)
                }
                variants.append(mutated)
            }
        }
        var accepted = 0
        for der in variants {
            let openSSL = try? ECMath.rawSignatureThroughOpenSSL(fromDER: der)
            if let fast = ECMath.strictRawSignature(fromDER: der) {
                accepted += 1
                #expect(fast == openSSL, "\(der)")
            }
            #expect((try? ECMath.rawSignature(fromDER: der)) == openSSL, "\(der)")
        }
        #expect(accepted >= valid.count)
    }
}

/// Signing and verifying copy a context initialised once per key; the copies must behave exactly
/// like fresh contexts, alone and from several threads at once.
@Suite("Signature contexts copied from a key's template")
struct SignatureTemplateTests {
    @Test("copies sign and verify like fresh contexts, from many threads", arguments: SignatureAlgorithm.allCases)
    func concurrentUse(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKeyStorage(generating: algorithm)
        let messages = (0..<64).map { n in (0..<(n * 37 % 300)).map { UInt8(truncatingIfNeeded: $0 &* n) } }
        let results = Locked<[Bool]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var outcomes: [Bool] = []
            for (n, message) in messages.enumerated() where n % 8 == thread {
                guard let signature = try? key.signature(for: message) else {
                    outcomes += [false, false, false]
                    continue
                }
                // Verifying without the SM2 identifier takes a freshly initialised context: it must
                // accept what a copy signed for Ed25519 and P-256, and refuse it for SM2, whose
                // copies carry the identifier.
                let native = algorithm == .p256 ? (try? ECMath.derSignature(fromRaw: signature)) : signature
                let fresh = native.map { key.key.verify($0, message: message, distinguishingIdentifier: nil) }
                outcomes.append(fresh == (algorithm != .sm2))
                outcomes.append(key.publicKey.isValidSignature(signature, for: message))
                outcomes.append(!key.publicKey.isValidSignature(signature, for: message + [1]))
            }
            results.withLock { $0 += outcomes }
        }
        let outcomes = results.withLock { $0 }
        #expect(outcomes.count == messages.count * 3)
        #expect(outcomes.allSatisfy { $0 })
    }
}

/// A value behind an `NSLock` (a pthread mutex), which ThreadSanitizer sees; `Synchronization.Mutex`
/// is futex-based on Linux, so TSan reports the accesses it protects as races.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
