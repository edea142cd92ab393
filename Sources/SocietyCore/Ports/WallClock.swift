public import Foundation

/// The source of "now" for everything the SDK dates: envelopes, audit entries, ages, validity.
///
/// Every service receives its clock explicitly so that a flow can be replayed at a fixed instant in
/// tests and demos. The name avoids the standard library's `Clock`, which measures durations for
/// concurrency rather than telling civil time.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The machine's real time.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current instant, as the operating system reports it.
    public func now() -> Date { Date() }
}

/// A clock that always answers the same instant: for reproducible tests and demos.
public struct FixedWallClock: WallClock {
    /// The instant this clock reports.
    public var instant: Date

    /// Creates a clock stopped at `instant`.
    public init(_ instant: Date) { self.instant = instant }

    /// Always `instant`.
    public func now() -> Date { instant }
}
