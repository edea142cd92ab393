import ArgumentParser
import Foundation
import SocietyJSON

/// `taizhou json canonicalize [FILE]`: the RFC 8785 canonical form of a document, the bytes the SDK
/// signs, so that a developer can see (and hash) exactly what a signature covers.
struct JSONCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Canonical JSON (RFC 8785), the form the SDK signs.",
        subcommands: [Canonicalize.self]
    )

    struct Canonicalize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the canonical form of a JSON document; exit status 2 if it is not valid I-JSON.",
            discussion: """
                Reads FILE, or standard input when FILE is omitted or "-". Prints the exact canonical \
                bytes with no trailing newline, so the output can be hashed or signed as it is.
                """
        )

        @Argument(help: "The JSON document to read (standard input when omitted or \"-\").")
        var file: String?

        @Flag(help: "Append a newline after the canonical form, for reading in a terminal.")
        var newline = false

        mutating func run() async throws {
            // A directory, a missing or unreadable file and input over the limit each get their own line.
            let input = try readInput(file)
            do {
                var output = try JSONValue.canonicalize(input)
                if newline { output.append(0x0A) }
                FileHandle.standardOutput.write(Data(output))
            } catch {
                throw failure(status: 2, error.description)
            }
        }
    }
}
