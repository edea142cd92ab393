public import SocietyCore

/// A verifiable public draw (公开摇号): the seed is committed before the draw (its SHA-256 digest
/// published), the draw is a documented deterministic function of the seed and the sorted
/// candidate list, and the seed is revealed after — so anyone can re-run it and get the same order.
///
/// **The function**, exactly (re-implemented in `Tests/SocietyDrawTests/Interop/draw.py`):
/// 1. The candidates are distinct, non-empty UTF-8 strings, sorted by their bytes.
/// 2. A byte stream: `SHA-256(seed ‖ counter)` for counter = 0, 1, 2, … as an unsigned 64-bit
///    big-endian integer, the digests concatenated.
/// 3. `uniform(m)`: read the next 8 bytes of the stream as an unsigned big-endian integer `r`;
///    while `r ≥ 2⁶⁴ − (2⁶⁴ mod m)` read again; return `r mod m` (no bias).
/// 4. A Fisher–Yates shuffle of the sorted list: for `i` from 0 to n − 2, swap positions `i` and
///    `i + uniform(n − i)`.
/// The order is the shuffled list; the first `places` win.
public enum PublicDraw {
    /// Why a draw cannot run.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The seed is shorter than 16 bytes.
        case shortSeed(Int)
        /// A candidate is empty or appears twice.
        case badCandidates(String)
        /// The cryptography port failed.
        case crypto(String)

        public var description: String {
            switch self {
            case .shortSeed(let count): "a seed has at least 16 bytes, not \(count)"
            case .badCandidates(let reason): "candidates: \(reason)"
            case .crypto(let reason): "crypto: \(reason)"
            }
        }
    }

    /// The candidates as the draw takes them: sorted by their UTF-8 bytes; an empty or repeated
    /// candidate is refused.
    public static func sorted(_ candidates: [String]) throws(Failure) -> [String] {
        guard !candidates.contains(where: \.isEmpty) else { throw .badCandidates("an empty candidate") }
        let sorted = candidates.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a == b {
            throw .badCandidates("\(a) appears twice")
        }
        return sorted
    }

    /// The full order of `candidates` drawn with `seed`.
    public static func order(
        seed: [UInt8],
        candidates: [String],
        crypto: any CryptoProvider
    ) throws(Failure) -> [String] {
        guard seed.count >= 16 else { throw .shortSeed(seed.count) }
        var list = try sorted(candidates)
        var stream = Stream(seed: seed, crypto: crypto)
        if list.count > 1 {
            for i in 0..<(list.count - 1) {
                let j = i + Int(try stream.uniform(UInt64(list.count - i)))
                list.swapAt(i, j)
            }
        }
        return list
    }

    /// The SHA-256 digest of `seed`, hex: the commitment published before the draw.
    public static func commitment(of seed: [UInt8], crypto: any CryptoProvider) throws(Failure) -> String {
        do {
            return Hex.encode(try crypto.digest(.sha256, of: seed))
        } catch {
            throw .crypto("\(error)")
        }
    }

    /// The counter-mode SHA-256 byte stream.
    struct Stream {
        let seed: [UInt8]
        let crypto: any CryptoProvider
        var counter: UInt64 = 0
        var buffer: [UInt8] = []
        var position = 0

        init(seed: [UInt8], crypto: any CryptoProvider) {
            self.seed = seed
            self.crypto = crypto
        }

        mutating func next64() throws(Failure) -> UInt64 {
            var value: UInt64 = 0
            for _ in 0..<8 {
                if position == buffer.count {
                    var block = seed
                    for shift in stride(from: 56, through: 0, by: -8) {
                        block.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift)))
                    }
                    do {
                        buffer = try crypto.digest(.sha256, of: block)
                    } catch {
                        throw .crypto("\(error)")
                    }
                    position = 0
                    counter += 1
                }
                value = value << 8 | UInt64(buffer[position])
                position += 1
            }
            return value
        }

        /// Uniform in `0..<m`, by rejection (m > 0).
        mutating func uniform(_ m: UInt64) throws(Failure) -> UInt64 {
            // 2⁶⁴ mod m, computed without overflow as (2⁶⁴ − m) mod m.
            let excess = (0 &- m) % m
            while true {
                let r = try next64()
                if excess == 0 || r < 0 &- excess { return r % m }
            }
        }
    }
}
