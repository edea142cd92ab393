/// The source of every random byte the SDK uses: key material, nonces, envelope ids.
///
/// Production deployments use the OpenSSL adapter's generator; tests use ``SeededRandomSource`` so
/// that a whole flow is reproducible from one seed.
public protocol RandomSource: Sendable {
    /// Returns `count` random bytes.
    func bytes(count: Int) throws -> [UInt8]
}

/// A deterministic generator (SplitMix64) for tests and synthetic data. Never for key material.
///
/// It is a value type: copies continue independently from the same state, which keeps it
/// `Sendable` without locks. Use ``next()`` on a `var` to draw numbers.
public struct SeededRandomSource: RandomSource, RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator whose whole output is determined by `seed`.
    public init(seed: UInt64) { self.state = seed }

    /// The next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Returns `count` bytes derived from the current state, without advancing the stored state:
    /// a `let` generator answers the same bytes each time, which is what a reproducible test wants.
    public func bytes(count: Int) -> [UInt8] {
        var copy = self
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            var word = copy.next()
            for _ in 0..<8 where result.count < count {
                result.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return result
    }
}
