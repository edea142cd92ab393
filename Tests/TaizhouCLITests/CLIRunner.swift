import Foundation
import Synchronization
import Testing

/// Runs the built `taizhou` binary, as a user would, and captures what it prints.
struct CLIRun {
    var status: Int32
    var standardOutput: String
    var standardError: String
    /// Whether the run was stopped because it outlived its time limit.
    var timedOut = false

    var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
}

enum CLIRunner {
    /// The `taizhou` executable built beside the test bundle.
    static var executable: URL { executable(named: "taizhou") }

    /// The executable `name` built beside the test bundle (the CLI or an example program).
    static func executable(named name: String) -> URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent(name),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `taizhou arguments…`, feeding `input` on standard input. A run that outlives
    /// `timeLimit` seconds is terminated and reported with ``CLIRun/timedOut``, so a command that
    /// hangs fails its test instead of stopping the whole run.
    static func run(
        _ arguments: [String],
        input: Data? = nil,
        in directory: URL? = nil,
        environment: [String: String] = [:],
        timeLimit: Double = 600,
        program: String = "taizhou"
    ) throws -> CLIRun {
        let process = Process()
        process.executableURL = executable(named: program)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        // The caller's environment, without a state folder or input limit set for the shell.
        var inherited = ProcessInfo.processInfo.environment
        inherited["TAIZHOU_STATE"] = nil
        inherited["TAIZHOU_MAX_INPUT"] = nil
        process.environment = inherited.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        let started = Date()
        try ProcessLaunch.run(process)
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: watchdog)
        defer { watchdog.cancel() }
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes at once, before waiting: a child that fills one pipe (more than 64 KiB
        // of log on standard error) while this side waits for the other to end would block for
        // ever — it did, at stop 40, until the watchdog killed it.
        let errorData = Mutex(Data())
        let errorRead = DispatchGroup()
        errorRead.enter()
        DispatchQueue.global().async {
            let data = error.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
            errorRead.leave()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        errorRead.wait()
        let errData = errorData.withLock { $0 }
        process.waitUntilExit()
        // Close every end: Foundation keeps a finished Process (and so its pipes) alive, and a test
        // run that leaks two descriptors a process passes 1,024 open descriptors — past which
        // `Process.run()` corrupts memory on Linux (the SIGSEGV of stop 40's and stop 41's CI runs).
        for pipe in [output, error, stdin] {
            try? pipe.fileHandleForReading.close()
            try? pipe.fileHandleForWriting.close()
        }
        return CLIRun(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self),
            timedOut: process.terminationReason == .uncaughtSignal && Date().timeIntervalSince(started) >= timeLimit
        )
    }
}

/// Every process this test target starts is launched under one lock: Foundation's `Process.run()`
/// on Linux was seen to crash (a bad read in its own copying, stop 40) when several test cases
/// launched processes at the same instant. Only the launch is serialised; the processes run
/// side by side.
enum ProcessLaunch {
    private static let lock = NSLock()

    static func run(_ process: Process) throws {
        try lock.withLock { try process.run() }
    }
}

/// A fresh folder a test runs the tool in, with the checks every flow repeats: `succeed` expects
/// status 0 and that none of the `secrets` (identity numbers) appear in clear in what was printed.
struct CLIWorkspace {
    let directory: URL
    let secrets: [String]

    /// Makes `…/PREFIX-UUID`; the test removes it with ``remove()``.
    init(_ prefix: String, secrets: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.secrets = secrets
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    func run(_ arguments: [String]) throws -> CLIRun { try CLIRunner.run(arguments, in: directory) }

    func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "\(arguments.prefix(3)): \(result.standardError)", sourceLocation: sourceLocation)
        for secret in secrets {
            #expect(!result.standardOutput.contains(secret), "printed in clear", sourceLocation: sourceLocation)
        }
        return result.standardOutput
    }
}
