import Foundation

/// A `taizhou gateway serve` process started by a test, with the URL its first line announces.
struct GatewayProcess {
    let process: Process
    let url: String
    let firstLine: String

    /// Starts `taizhou gateway serve --port 0 arguments…` and waits for the line that names its port.
    static func start(_ arguments: [String]) async throws -> GatewayProcess {
        let server = Process()
        server.executableURL = CLIRunner.executable
        server.arguments = ["gateway", "serve", "--port", "0"] + arguments
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(server)
        // Read on a thread of its own: a blocking read must not hold one of the cooperative threads.
        let line: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var bytes = Data()
                while let next = try? output.fileHandleForReading.read(upToCount: 1), let byte = next.first, byte != 10
                {
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        guard let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://127.0.0.1:") }) else {
            server.terminate()
            throw GatewayProcessFailure(description: "the gateway did not start: \(line)")
        }
        return GatewayProcess(process: server, url: String(url), firstLine: line)
    }

    /// SIGTERM, then the exit status once it has stopped.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

struct GatewayProcessFailure: Error, CustomStringConvertible {
    var description: String
}
