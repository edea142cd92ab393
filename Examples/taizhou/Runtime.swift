import ArgumentParser
import Foundation
import Logging
import SocietyCore
import SocietyDeployment
import SocietyExchange
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's entry point: routes swift-log before any command runs, then hands over to the
/// argument parser.
///
/// Logging is off unless `--log-level` is given: every service and adapter logs through swift-log,
/// and without a chosen handler their lines would go to standard error by default, mixing with the
/// tool's own `error:` and `note:` lines.
@main
enum Entry {
    static func main() async {
        CLILogging.bootstrap(level: CLILogging.requestedLevel(in: CommandLine.arguments))
        await Taizhou.main()
    }
}

/// `--log-level`: the option of every command that opens a deployment.
struct LoggingOptions: ParsableArguments {
    @Option(
        help: """
            Log to standard error from this level up: \(CLILogging.levelNames.joined(separator: ", ")) \
            (default: no log). Lines carry metadata, never a personal value.
            """
    )
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(CLILogging.levelNames.joined(separator: ", "))")
        }
    }

    /// The logger handed to the deployment (and from it to every service and adapter).
    var logger: Logger {
        var logger = Logger(label: "taizhou")
        logger.logLevel = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }
}

/// swift-log's process-wide set-up.
enum CLILogging {
    static let levelNames = Logger.Level.allCases.map(\.rawValue)

    /// The level named by `--log-level LEVEL` or `--log-level=LEVEL` in `arguments`, if any. The
    /// commands parse and check the option themselves; this only decides, before they run, whether
    /// swift-log writes anywhere at all.
    static func requestedLevel(in arguments: [String]) -> Logger.Level? {
        var found: Logger.Level?
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next(), argument != "--" {
            if argument == "--log-level" {
                found = iterator.next().flatMap(Logger.Level.init(rawValue:))
            } else if argument.hasPrefix("--log-level=") {
                found = Logger.Level(rawValue: String(argument.dropFirst("--log-level=".count)))
            }
        }
        return found
    }

    /// Lines to standard error when a level is chosen; nowhere otherwise.
    static func bootstrap(level: Logger.Level?) {
        if level != nil {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
        } else {
            LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        }
    }
}

/// A progress bar on standard error, drawn only when standard error is a terminal; elsewhere
/// (a pipe, a file, a test) it draws nothing and hands out no handler, so the operations do not
/// even count for it.
///
/// Operations report through ``SocietyCore/ProgressHandler`` from whatever thread does the work,
/// so the bar's state is kept under a lock.
final class TerminalProgress: Sendable {
    private struct State {
        var task = ""
        var shown = -1
        var lastDraw = 0.0
        var drawn = false
    }

    private let isTerminal: Bool
    private let state = Mutex(State())

    init() { isTerminal = isatty(STDERR_FILENO) != 0 }

    /// A handler drawing each report, under `label` instead of the operation's own task name
    /// when given; `nil` when standard error is not a terminal.
    func handler(_ label: String? = nil) -> ProgressHandler? {
        guard isTerminal else { return nil }
        return { [self] progress in
            var progress = progress
            if let label { progress.task = label }
            draw(progress)
        }
    }

    /// Runs `body` with a handler for `label`, clearing the bar afterwards.
    func showing<T>(_ label: String? = nil, _ body: (ProgressHandler?) async throws -> T) async rethrows -> T {
        defer { clear() }
        return try await body(handler(label))
    }

    /// Clears the bar's line (nothing when none was drawn).
    func clear() {
        guard isTerminal else { return }
        let drawn = state.withLock { state in
            defer { state = State() }
            return state.drawn
        }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func draw(_ progress: WorkProgress) {
        let now = Date().timeIntervalSinceReferenceDate
        let line: String? = state.withLock { state in
            let percent = progress.fraction.map { Int($0 * 100) } ?? -1
            let changed = progress.task != state.task || percent != state.shown
            // Known totals redraw when the percentage moves; counts without a total a few times a second.
            guard changed && (percent >= 0 || now - state.lastDraw >= 0.1) else { return nil }
            state.task = progress.task
            state.shown = percent
            state.lastDraw = now
            state.drawn = true
            guard percent >= 0 else { return "\r\u{1B}[2K  \(progress.task): \(progress.completed)" }
            let filled = percent / 4
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 25 - filled)
            return "\r\u{1B}[2K  \(progress.task) [\(bar)] \(percent)%"
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }
}

/// A store named by its file, as the `onecard`, `doctor` and `veteran` commands take it:
/// `--db DIR/NAME.sqlite` is the department `NAME` of the deployment whose state folder is `DIR`.
/// Its key file is `NAME.sqlite.key` beside it (created on first use, mode 600), and the envelope
/// ids it has seen are kept in `NAME.replay.sqlite`.
struct StateFile {
    /// The deployment's state folder.
    let folder: URL
    /// The department's store name.
    let name: String

    init(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        let file = url.lastPathComponent
        guard file.hasSuffix(".sqlite"), file.count > ".sqlite".count else {
            throw ValidationError("--db must name a .sqlite file (NAME.sqlite; NAME from a–z, 0–9 and -)")
        }
        folder = url.deletingLastPathComponent()
        name = String(file.dropLast(".sqlite".count))
    }

    /// Opens the deployment and the department acting as `party`.
    func open(as party: Party, logging: LoggingOptions) throws -> (Deployment, OpenedDepartment) {
        do {
            let deployment = try Deployment(
                DeploymentConfiguration(stateFolder: folder, logger: logging.logger)
            )
            return (deployment, try deployment.department(name, party: party))
        } catch {
            throw failure("cannot open \(folder.appendingPathComponent(name + ".sqlite").path): \(error)")
        }
    }
}

/// The parties the command-line tool acts as when it works on a store of its own (`onecard`,
/// `doctor`, `veteran`): one synthetic organization, a subsystem per domain. Their names are
/// written into each audit entry.
enum ToolParty {
    /// The tool's organization: a valid, synthetic credit code registered in Taizhou.
    static func party(_ subsystem: String) throws -> Party {
        do {
            let code = try CreditCode(
                authority: .institutionalOrganization,
                type: "1",
                division: try DivisionCode("321200"),
                organizationBody: "01429900"
            )
            return try Party(organization: code, subsystem: subsystem)
        } catch {
            throw failure("the tool's party for \(subsystem): \(error)")
        }
    }
}
