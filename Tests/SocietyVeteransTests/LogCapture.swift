import Logging
import SocietyCore
import Synchronization

/// Collects what the services log and the progress they report, for tests that look at both.
final class Capture: Sendable {
    /// One logged line: level, message and metadata (the logger's merged with the line's).
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata

        /// The message and every metadata key and value, as one text to search.
        var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: " ")
        }
    }

    private let lines = Mutex<[Line]>([])
    private let reports = Mutex<[WorkProgress]>([])

    /// A logger at `.trace` whose lines this capture keeps.
    var logger: Logger {
        var logger = Logger(label: "test", factory: { _ in CapturingLogHandler(capture: self) })
        logger.logLevel = .trace
        return logger
    }

    /// A progress handler whose reports this capture keeps.
    var progress: ProgressHandler { { report in self.reports.withLock { $0.append(report) } } }

    /// The lines logged so far.
    var logged: [Line] { lines.withLock { $0 } }

    /// The progress reports so far.
    var reported: [WorkProgress] { reports.withLock { $0 } }

    /// Forgets the progress reports so far.
    func clearReports() { reports.withLock { $0.removeAll() } }

    fileprivate func append(_ line: Line) { lines.withLock { $0.append(line) } }
}

/// A log handler that hands every line to a ``Capture``.
struct CapturingLogHandler: LogHandler {
    let capture: Capture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.append(
            Capture.Line(
                level: event.level,
                message: event.message.description,
                metadata: metadata.merging(event.metadata ?? [:]) { _, line in line }
            )
        )
    }
}
