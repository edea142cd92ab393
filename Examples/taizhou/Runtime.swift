import ArgumentParser
import Foundation
import Logging
import SocietyCore
import SocietyDeployment
import SocietyExchange
import SocietyPostgres
import SocietyPostgresDeployment
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
        let command: any ParsableCommand
        do {
            command = try Taizhou.parseAsRoot()
        } catch {
            finish(Taizhou.self, error)
        }
        do {
            var command = command
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            // The subcommand that ran: its usage, not the top-level one, follows a usage error.
            finish(type(of: command), error)
        }
    }

    /// Ends the process for `error` with the tool's exit statuses: help and `--version` 0, a usage
    /// or validation error 2 (with the usage of `command`), an `ExitCode` as thrown.
    static func finish(_ command: any ParsableCommand.Type, _ error: any Error) -> Never {
        if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
        let message = command.fullMessage(for: error)
        let code = command.exitCode(for: error)
        if code == .success {
            print(message)
            Foundation.exit(ExitStatus.done)
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(code == .validationFailure ? ExitStatus.badInput : ExitStatus.io)
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

/// `--state DIR`: the deployment's state folder, shared by every command that keeps state — keys,
/// trust lists and the departments' stores (`onecard.sqlite`, `family-doctor.sqlite`,
/// `veterans.sqlite`, …) with their key files. `TAIZHOU_STATE` sets it for a shell; the default is
/// `./.taizhou`, where `taizhou demo` writes.
struct StateOptions: ParsableArguments {
    @Option(
        name: .customLong("state"),
        help: "The deployment's state folder (default: $TAIZHOU_STATE, else ./.taizhou)."
    )
    var path: String?
    @Option(
        name: .customLong("store"),
        help: """
            Where the departments' stores live: a PostgreSQL URL (postgresql://user@host:port/db, one schema \
            per department) or, by default, SQLite files in the state folder. $TAIZHOU_STORE sets it for a shell.
            """
    )
    var storeURL: String?
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let url = storeURLText {
            do {
                _ = try PostgresLocation(url: url)
            } catch {
                throw ValidationError("--store: \(error)")
            }
        }
    }

    /// The store URL given by `--store` or `TAIZHOU_STORE`, if any.
    var storeURLText: String? {
        storeURL ?? ProcessInfo.processInfo.environment["TAIZHOU_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The PostgreSQL database the stores are in, or `nil` for SQLite files in the state folder.
    func postgres() throws -> PostgresLocation? {
        guard let url = storeURLText else { return nil }
        do {
            return try PostgresLocation(url: url)
        } catch {
            throw failure(status: ExitStatus.badInput, "--store: \(error)")
        }
    }

    /// The factory the deployment opens its stores with.
    func storeFactory() throws -> any StoreFactory {
        guard let location = try postgres() else { return SQLiteStoreFactory() }
        return PostgresStoreFactory(location: location)
    }

    /// Where a department's store is, for messages: its file, or its schema on the server.
    func storeDescription(_ name: String) -> String {
        if let location = try? postgres() {
            return "schema \(PostgresStoreFactory.schema(of: name)) in \(location)"
        }
        return folder.appendingPathComponent("\(name).sqlite").path
    }

    /// The folder.
    var folder: URL {
        let environment = ProcessInfo.processInfo.environment["TAIZHOU_STATE"].flatMap { $0.isEmpty ? nil : $0 }
        return URL(fileURLWithPath: path ?? environment ?? ".taizhou", isDirectory: true)
    }

    /// The file recording the folder's crypto profile: a store's fields are encrypted under the
    /// profile's cipher, so every command must open the folder with the profile that wrote it.
    static let profileFile = "crypto-profile"

    /// The crypto profile recorded in the folder (`standard` or `national`), if any.
    func recordedProfile() throws -> CryptoProfile? {
        let file = folder.appendingPathComponent(Self.profileFile)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let text = String(decoding: try readInput(file.path, limit: 64), as: UTF8.self)
        guard let profile = CryptoProfile(rawValue: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw failure(status: ExitStatus.badInput, "\(file.path) names no crypto profile (standard or national)")
        }
        return profile
    }

    /// Creates the folder (and its parents) when it is missing, for a command that writes there.
    func createFolder() throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw failure(
                status: ExitStatus.io,
                "cannot create the state folder \(folder.path): \(error.localizedDescription)"
            )
        }
    }

    /// The deployment on the folder. For `.existing` access the folder must be there: a read-only
    /// command creates nothing, not even the folder.
    func deployment(access: StoreAccess = .createIfMissing) throws -> Deployment {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue {
            throw failure(status: ExitStatus.badInput, "the state folder \(folder.path) is a file, not a folder")
        }
        if access == .existing, !exists {
            throw failure(
                status: ExitStatus.refused,
                "no state folder \(folder.path): give --state DIR (or set TAIZHOU_STATE), or run a command that writes first"
            )
        }
        let profile = try recordedProfile() ?? .standard
        do {
            return try Deployment(
                DeploymentConfiguration(
                    stateFolder: folder,
                    profile: profile,
                    logger: logging.logger,
                    stores: try storeFactory()
                )
            )
        } catch {
            throw failure(status: ExitStatus.io, "\(error)")
        }
    }

    /// The department `name` of the deployment, acting as the tool's `subsystem`. A read-only
    /// command passes `.existing`: a missing store is an error, and nothing is created.
    func department(
        _ name: String,
        subsystem: String,
        access: StoreAccess = .createIfMissing
    ) throws -> (Deployment, OpenedDepartment) {
        try department(name, party: try ToolParty.party(subsystem), access: access)
    }

    /// The department `name` of the deployment, acting as `party` (a party of the trust list).
    func department(
        _ name: String,
        party: Party,
        access: StoreAccess = .createIfMissing
    ) throws -> (Deployment, OpenedDepartment) {
        let deployment = try deployment(access: access)
        do {
            return (deployment, try deployment.department(name, party: party, access: access))
        } catch {
            let store = storeDescription(name)
            if access == .existing, try postgres() == nil, !FileManager.default.fileExists(atPath: store) {
                throw failure(
                    status: ExitStatus.refused,
                    "no store \(store): this command only reads; check --state, or create the store first"
                )
            }
            throw failure(status: ExitStatus.io, "cannot open \(store): \(error)")
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
