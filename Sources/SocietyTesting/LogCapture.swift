public import Logging
public import SocietyCore
import Synchronization

/// Keeps what a service logs and the progress it reports, so a test can read them back — for
/// instance to check that no personal value reaches a log line.
///
/// ``logger(_:level:)`` makes a logger writing here without touching the process-wide
/// `LoggingSystem`, so tests running in parallel each see only their own lines.
public final class LogCapture: Sendable {
    /// One logged line: its level, label, message and metadata (the logger's merged with the
    /// line's own, the line's winning).
    public struct Line: Sendable, CustomStringConvertible {
        /// The line's level.
        public let level: Logger.Level
        /// The label of the logger that wrote it.
        public let label: String
        /// The message.
        public let message: String
        /// The metadata.
        public let metadata: Logger.Metadata

        /// The message and every metadata key and value (`key=value`, sorted by key), as one text
        /// to search.
        public var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }

        /// The level, then ``text``, as a log file would show the line.
        public var description: String { "\(level) \(text)" }
    }

    private let captured = Mutex<[Line]>([])
    private let reports = Mutex<[WorkProgress]>([])

    /// An empty capture.
    public init() {}

    /// A logger at `level` whose lines this capture keeps.
    public func logger(_ label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { label in Handler(capture: self, label: label) }
        logger.logLevel = level
        return logger
    }

    /// A progress handler whose reports this capture keeps.
    public var progress: ProgressHandler { { report in self.reports.withLock { $0.append(report) } } }

    /// The lines logged so far, oldest first.
    public var lines: [Line] { captured.withLock { $0 } }

    /// The progress reports so far, oldest first.
    public var reported: [WorkProgress] { reports.withLock { $0 } }

    /// Forgets the progress reports so far.
    public func clearReports() { reports.withLock { $0.removeAll() } }

    fileprivate func append(_ line: Line) { captured.withLock { $0.append(line) } }

    /// The handler: value semantics for its level and metadata, as `LogHandler` requires.
    struct Handler: LogHandler {
        let capture: LogCapture
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(
                Line(
                    level: event.level,
                    label: label,
                    message: event.message.description,
                    metadata: metadata.merging(event.metadata ?? [:]) { $1 }
                )
            )
        }
    }
}

extension Logger {
    /// A logger that writes nowhere, for tests whose lines nobody reads.
    public static let silent = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}
