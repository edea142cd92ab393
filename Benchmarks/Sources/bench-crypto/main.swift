// bench-crypto: sign and verify a 1 KiB message through the SDK's Swift API (SocietyOpenSSL) and
// through bare EVP calls (`_RawBaseline`), for SM2-SM3, Ed25519 and ECDSA P-256; then digest and
// AEAD throughput on 1 KiB buffers. The ratio shows what the Swift wrapper costs.
//
// Run: cd Benchmarks && swift run -c release bench-crypto

import BenchSupport
import SocietyCore
import SocietyOpenSSL

let message = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

/// Operations per timed run, sized so that one run takes roughly 50–100 ms on one core.
func operations(_ algorithm: SignatureAlgorithm) -> Int {
    switch algorithm {
    case .sm2: 200
    case .ed25519: 1000
    case .p256: 1000
    }
}

func makeKey(_ algorithm: SignatureAlgorithm) throws -> any SigningKey {
    switch algorithm {
    case .sm2: try SM2.Signing.PrivateKey()
    case .ed25519: try Ed25519.Signing.PrivateKey()
    case .p256: try P256.Signing.PrivateKey()
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

print("bench-crypto: 1 KiB message, median of 7 runs, one thread")
for algorithm in SignatureAlgorithm.allCases {
    let count = operations(algorithm)
    let key = try makeKey(algorithm)
    let publicKey = key.publicKey
    let rawKey = try _RawBaseline.Key(algorithm)
    var signature = try key.signature(for: message)
    let rawSignature = try _RawBaseline.sign(rawKey, message: message, iterations: 1)

    let sign = try measure("\(algorithm.jwsName) sign (Swift API)", operations: count) {
        for _ in 0..<count { signature = try key.signature(for: message) }
    }
    let rawSign = try measure("bare EVP", operations: count) {
        _ = try _RawBaseline.sign(rawKey, message: message, iterations: count)
    }
    report(sign, against: rawSign, goal: 0.9)

    var failures = 0
    let verify = measure("\(algorithm.jwsName) verify (Swift API)", operations: count) {
        for _ in 0..<count where !publicKey.isValidSignature(signature, for: message) { failures += 1 }
    }
    var rawValid = 0
    let rawVerify = measure("bare EVP", operations: count) {
        rawValid = _RawBaseline.verify(rawKey, signature: rawSignature, message: message, iterations: count)
    }
    report(verify, against: rawVerify, goal: 0.9)
    guard failures == 0, rawValid == count else {
        throw BenchmarkFailure(description: "\(algorithm): \(failures) API and \(count - rawValid) baseline failures")
    }
}

print("\nThroughput on 1 KiB buffers (no baseline; compare with `openssl speed`):")
let key = [UInt8](repeating: 0x42, count: 32)
let bufferCount = 20_000
for algorithm in DigestAlgorithm.allCases {
    let result = try measure("\(algorithm) digest", operations: bufferCount) {
        for _ in 0..<bufferCount { _ = try OpenSSLCryptoProvider().digest(algorithm, of: message) }
    }
    print(String(format: "%@: %.0f MB/s", result.name, result.rate * 1024 / 1e6))
}
let provider = OpenSSLCryptoProvider()
for algorithm in AEADAlgorithm.allCases {
    let result = try measure("\(algorithm) seal", operations: bufferCount) {
        for _ in 0..<bufferCount {
            _ = try provider.seal(algorithm, message, key: key, nonce: nil, associatedData: [])
        }
    }
    print(String(format: "%@: %.0f MB/s", result.name, result.rate * 1024 / 1e6))
}
