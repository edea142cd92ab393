import Foundation

/// The Python that runs the interoperability scripts: a virtual environment under `.build/` with the
/// packages pinned in `Tests/Interop/requirements.txt`, made on first use by `Tests/Interop/provision.sh`.
/// A target of its own so that every test target running those scripts shares one copy.
public enum InteropPython {
    /// Why no such Python could be provisioned, and how to fix it.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The path of that Python; throws, naming what is missing, when it cannot be provisioned.
    public static func path() throws -> String { try provisioned.get() }

    private static let provisioned: Result<String, Unavailable> = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/provision.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", script.path]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        do {
            try process.run()
        } catch {
            return .failure(Unavailable(description: "cannot run \(script.path): \(error)"))
        }
        let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for pipe in [output, error] {
            try? pipe.fileHandleForReading.close()
            try? pipe.fileHandleForWriting.close()
        }
        guard process.terminationStatus == 0, !path.isEmpty else {
            return .failure(Unavailable(description: message.isEmpty ? "\(script.path) failed" : message))
        }
        // The one-time notice that it provisioned the environment.
        FileHandle.standardError.write(Data(message.utf8))
        return .success(path)
    }()
}
