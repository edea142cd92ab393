import Foundation
import Testing

/// Every command example in README.md and Documentation/ runs with the built binary, so that an
/// example cannot go stale.
///
/// The examples are the ```` ```sh ```` blocks that call `taizhou` (or `swift run taizhou`). Each
/// document's blocks run in order, in a fresh folder of their own, as one bash script in which
/// `taizhou` is the built binary; shell variables carry ids from one command to the next
/// (`card=$(taizhou onecard apply … | cut -d' ' -f1)`). Every command must end with status 0,
/// unless its comment says `→ exit N`. The README's `swift test` line — this very test run — is
/// the one line left out. Heredocs are not supported: examples write files with `echo`/`printf`.
@Suite("documentation examples", .serialized)
struct DocumentationExamplesTests {
    /// The package's root folder, from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The documents with runnable examples, as paths from the root.
    static var documents: [String] {
        let folder = root.appendingPathComponent("Documentation")
        let pages = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".md") }
            .sorted()
            .map { "Documentation/\($0)" }
        return (["README.md"] + pages).filter { (try? blocks(in: $0))?.isEmpty == false }
    }

    /// A command of an example: its first line's number, its text (continuation lines joined) and
    /// the exit status its comment announces.
    struct Command {
        var line: Int
        var text: String
        var expectedStatus: Int32
    }

    /// The runnable blocks of `document`, each as its commands.
    static func blocks(in document: String) throws -> [[Command]] {
        let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
        var blocks: [[Command]] = []
        var current: [Command]?
        var pending: Command?
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil {
                if trimmed == "```sh" { current = [] }
                continue
            }
            if trimmed == "```" {
                if let block = current, block.contains(where: { isTaizhou($0.text) }) { blocks.append(block) }
                current = nil
                continue
            }
            var command = pending ?? Command(line: index + 1, text: "", expectedStatus: 0)
            command.text += (command.text.isEmpty ? "" : "\n") + line
            if line.hasSuffix("\\") {
                pending = command
                continue
            }
            pending = nil
            let body = command.text.trimmingCharacters(in: .whitespaces)
            if body.isEmpty || body.hasPrefix("#") || body == "swift test" { continue }
            command.expectedStatus = expectedStatus(command.text)
            current?.append(command)
        }
        return blocks
    }

    static func isTaizhou(_ command: String) -> Bool {
        command.contains("taizhou ")
    }

    /// `N` from a `→ exit N` in the command's comment, else 0.
    static func expectedStatus(_ command: String) -> Int32 {
        guard let marker = command.range(of: "→ exit ") else { return 0 }
        return Int32(String(command[marker.upperBound...].prefix { $0.isNumber })) ?? 0
    }

    /// The bash script for `blocks`: each command followed by a check of its status.
    static func script(_ blocks: [[Command]], document: String) -> String {
        var lines = [
            "set -o pipefail",
            "unset TAIZHOU_STATE TAIZHOU_MAX_INPUT",
            // An alias, not a function: `taizhou gateway serve … &` then starts the binary itself,
            // so `$!` is its process id, as in a reader's shell.
            "shopt -s expand_aliases",
            "alias taizhou='\"$TAIZHOU_BIN\"'",
        ]
        for block in blocks {
            for command in block {
                var text = command.text
                text = text.replacingOccurrences(of: "swift run taizhou ", with: "taizhou ")
                lines.append(text)
                let shown = text.split(separator: "\n").first.map(String.init) ?? ""
                let quoted = "'" + shown.replacingOccurrences(of: "'", with: "'\\''") + "'"
                lines.append(
                    "status=$?; if [ \"$status\" -ne \(command.expectedStatus) ]; then "
                        + "echo \"\(document):\(command.line): exit $status, expected \(command.expectedStatus): \"\(quoted) >&2; "
                        + "exit 1; fi"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("the examples are found, and their expected statuses read")
    func parsing() throws {
        let readme = try Self.blocks(in: "README.md").flatMap { $0 }
        #expect(readme.contains { $0.text == "swift run taizhou demo" })
        #expect(!readme.contains { $0.text == "swift test" })
        let envelope = try Self.blocks(in: "Documentation/Envelope.md").flatMap { $0 }
        #expect(envelope.contains { $0.expectedStatus == 1 && $0.text.contains("envelope open") })
        #expect(envelope.allSatisfy { !$0.text.hasSuffix("\\") }, "continuation lines are joined")
        for document in ["Documentation/OneCard.md", "Documentation/Health.md", "Documentation/Veterans.md"] {
            #expect(Self.documents.contains(document))
        }
    }

    @Test("every example runs as documented", arguments: documents)
    func examples(document: String) async throws {
        let blocks = try Self.blocks(in: document)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tz-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("examples.sh")
        try Data(Self.script(blocks, document: document).utf8).write(to: script)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["TAIZHOU_BIN"] = CLIRunner.executable.path
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try ProcessLaunch.run(process)
        // The scripts run for minutes: wait on a thread of its own, not on one of the two
        // cooperative threads, which the in-process servers of other tests (the gateway's) need.
        let (outData, errData): (Data, Data) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let out = output.fileHandleForReading.readDataToEndOfFile()
                let err = error.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                for pipe in [output, error] {
                    try? pipe.fileHandleForReading.close()
                    try? pipe.fileHandleForWriting.close()
                }
                continuation.resume(returning: (out, err))
            }
        }
        let standardError = String(decoding: errData, as: UTF8.self)
        #expect(
            process.terminationStatus == 0,
            "\(standardError.split(separator: "\n").suffix(8).joined(separator: "\n"))"
        )
        // The examples print masked data only.
        let printed = String(decoding: outData, as: UTF8.self) + standardError
        for resident in ["11010519491231002X", "150102198807303035", "440524188001010014"] {
            #expect(!printed.contains(resident), "\(document) printed \(resident) in clear")
        }
    }
}
