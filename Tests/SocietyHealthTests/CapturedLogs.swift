import Logging
import Synchronization

/// The lines a logger wrote, kept in memory so a test can read them back.
///
/// `Logger(label:factory:)` gives a logger with this handler without touching the process-wide
/// `LoggingSystem`, so tests running in parallel each see only their own lines.
final class CapturedLogs: Sendable {
    /// One logged line: its level, message and metadata (the handler's and the call's).
    struct Line: Sendable, CustomStringConvertible {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata

        /// The message and every metadata key and value, as a log file would show them.
        var description: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let captured = Mutex<[Line]>([])

    init() {}

    /// The lines so far, oldest first.
    var lines: [Line] { captured.withLock { $0 } }

    /// A logger at `level` that writes here.
    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "test") { _ in Handler(logs: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: Line) { captured.withLock { $0.append(line) } }

    /// The handler: value semantics for its level and metadata, as `LogHandler` requires.
    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.append(
                Line(
                    level: event.level,
                    message: event.message.description,
                    metadata: metadata.merging(event.metadata ?? [:]) { $1 }
                )
            )
        }
    }
}

extension Logger {
    /// A logger that writes nowhere, for tests whose lines nobody reads.
    static let silent = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}
