import Foundation

/// The result of timing one operation repeatedly: every sample, and the median that the reports use
/// because the machines are shared and noisy.
public struct Measurement: Sendable {
    /// What was measured, as printed in the report.
    public var name: String
    /// Wall-clock seconds of each run.
    public var samples: [Double]
    /// How many operations one run performs, so that rates can be derived.
    public var operationsPerRun: Int

    /// A measurement from samples taken by hand (an async subject the `measure` functions cannot
    /// run).
    public init(name: String, samples: [Double], operationsPerRun: Int) {
        self.name = name
        self.samples = samples
        self.operationsPerRun = operationsPerRun
    }

    /// The median of the samples in seconds.
    public var median: Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Operations per second at the median.
    public var rate: Double { Double(operationsPerRun) / median }
}

/// Runs `body` `runs` times after `warmup` unmeasured runs and returns the timings.
public func measure(
    _ name: String,
    operations: Int = 1,
    runs: Int = 7,
    warmup: Int = 1,
    _ body: () throws -> Void
) rethrows -> Measurement {
    for _ in 0..<warmup { try body() }
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        let end = DispatchTime.now().uptimeNanoseconds
        samples.append(Double(end - start) / 1e9)
    }
    return Measurement(name: name, samples: samples, operationsPerRun: operations)
}

/// Prints one line comparing `subject` with `baseline`: both rates and the ratio subject/baseline.
public func report(_ subject: Measurement, against baseline: Measurement, goal: Double? = nil) {
    let ratio = subject.rate / baseline.rate
    var line = String(
        format: "%@: %.0f ops/s (median of %d) vs %@: %.0f ops/s → ratio %.2f×",
        subject.name,
        subject.rate,
        subject.samples.count,
        baseline.name,
        baseline.rate,
        ratio
    )
    if let goal { line += String(format: " (goal ≥ %.2f×: %@)", goal, ratio >= goal ? "met" : "NOT met") }
    print(line)
}

/// Prints one line with the median time and rate of a single measurement.
public func report(_ measurement: Measurement) {
    print(
        String(
            format: "%@: median %.4f s, %.0f ops/s (%d runs)",
            measurement.name,
            measurement.median,
            measurement.rate,
            measurement.samples.count
        )
    )
}

/// Times `subject` and `baseline` in alternation — subject, baseline, subject, baseline … — so
/// that load from other processes on a shared machine falls on both alike, and returns both.
public func measurePair(
    _ subjectName: String,
    against baselineName: String,
    operations: Int,
    baselineOperations: Int? = nil,
    runs: Int = 9,
    subject: () throws -> Void,
    baseline: () throws -> Void
) rethrows -> (subject: Measurement, baseline: Measurement) {
    try subject()
    try baseline()
    var subjectSamples: [Double] = []
    var baselineSamples: [Double] = []
    for _ in 0..<runs {
        var start = DispatchTime.now().uptimeNanoseconds
        try subject()
        subjectSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        start = DispatchTime.now().uptimeNanoseconds
        try baseline()
        baselineSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return (
        Measurement(name: subjectName, samples: subjectSamples, operationsPerRun: operations),
        Measurement(name: baselineName, samples: baselineSamples, operationsPerRun: baselineOperations ?? operations)
    )
}

/// ``measure(_:operations:runs:warmup:_:)`` for work that awaits (the async ports): the same
/// warm-up, runs and timing around each run. `body` runs in the caller's isolation, so a benchmark's
/// top-level code may pass a closure that uses its main-actor state.
public func measureAsync(
    _ name: String,
    operations: Int = 1,
    runs: Int = 7,
    warmup: Int = 1,
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> Void
) async rethrows -> Measurement {
    for _ in 0..<warmup { try await body() }
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        let end = DispatchTime.now().uptimeNanoseconds
        samples.append(Double(end - start) / 1e9)
    }
    return Measurement(name: name, samples: samples, operationsPerRun: operations)
}

/// ``measurePair(_:against:operations:baselineOperations:runs:subject:baseline:)`` for a subject,
/// a baseline or both that await: timed in alternation in the same way, in the caller's isolation.
public func measurePairAsync(
    _ subjectName: String,
    against baselineName: String,
    operations: Int,
    baselineOperations: Int? = nil,
    runs: Int = 9,
    isolation: isolated (any Actor)? = #isolation,
    subject: () async throws -> Void,
    baseline: () async throws -> Void
) async rethrows -> (subject: Measurement, baseline: Measurement) {
    try await subject()
    try await baseline()
    var subjectSamples: [Double] = []
    var baselineSamples: [Double] = []
    for _ in 0..<runs {
        var start = DispatchTime.now().uptimeNanoseconds
        try await subject()
        subjectSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        start = DispatchTime.now().uptimeNanoseconds
        try await baseline()
        baselineSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return (
        Measurement(name: subjectName, samples: subjectSamples, operationsPerRun: operations),
        Measurement(name: baselineName, samples: baselineSamples, operationsPerRun: baselineOperations ?? operations)
    )
}
