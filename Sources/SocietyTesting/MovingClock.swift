public import Foundation
public import SocietyCore
import Synchronization

/// A clock a test moves: to 10:00 China time on another day, or forward by seconds or days.
public final class MovingClock: WallClock, Sendable {
    private let instant: Mutex<Date>

    /// A clock at `instant`.
    public init(_ instant: Date) { self.instant = Mutex(instant) }

    /// The current instant.
    public func now() -> Date { instant.withLock { $0 } }

    /// 10:00 China time on `day` (YYYY-MM-DD).
    public func move(to day: String) throws {
        let next = try CalendarDate(iso8601: day).startInstant.addingTimeInterval(36_000)
        instant.withLock { $0 = next }
    }

    /// `seconds` later.
    public func advance(seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// `days` days later.
    public func advance(days: Double) { advance(seconds: days * 86_400) }
}
