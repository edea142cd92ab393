import Foundation

/// Seeds for random tests: a fresh seed each run, printed, and replayable.
///
/// A random test draws its seed here and passes it to a ``SocietyCore/SeededRandomSource``. The
/// seed is printed with the test's name, so a failure can be re-run exactly with
/// `DIGITALSOCIETY_SEED=N swift test --filter …`.
public enum TestSeed {
    /// The environment variable that fixes the seed of every random test.
    public static let environmentVariable = "DIGITALSOCIETY_SEED"

    /// The seed for the test `name`: the environment's, else a random one; printed either way.
    public static func make(_ name: String) -> UInt64 {
        let fixed = ProcessInfo.processInfo.environment[environmentVariable].flatMap { UInt64($0) }
        let seed = fixed ?? UInt64.random(in: 1...UInt64.max)
        print("seed for \(name): \(seed) (re-run with \(environmentVariable)=\(seed))")
        return seed
    }
}
