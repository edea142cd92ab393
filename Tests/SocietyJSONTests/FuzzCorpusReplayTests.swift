import Foundation
import SocietyJSON
import Testing

/// Replays the libFuzzer corpus (Tests/Fixtures/fuzz/canonical-json, built by Fuzz/) through the
/// parser in an ordinary test run, so that every input that once found new code paths keeps being
/// checked without the fuzzing toolchain: no crash, a typed error or a value, and idempotence.
@Suite("Fuzz corpus replay")
struct FuzzCorpusReplayTests {
    static let corpusDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz/canonical-json", isDirectory: true)

    static func corpusFiles() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)) ?? []
        return names.sorted().map { corpusDirectory.appendingPathComponent($0) }
    }

    @Test("The corpus is present")
    func corpusPresent() {
        #expect(Self.corpusFiles().count >= 20)
    }

    @Test("Every corpus input parses to a value or a typed error; canonical output is a fixed point")
    func replay() throws {
        var parsed = 0
        var rejected = 0
        for file in Self.corpusFiles() {
            let bytes = [UInt8](try Data(contentsOf: file))
            do {
                let canonical = try JSONValue.canonicalize(bytes)
                #expect(try JSONValue.canonicalize(canonical) == canonical, "\(file.lastPathComponent)")
                #expect(
                    try JSONValue(parsing: canonical) == JSONValue(parsing: bytes),
                    "\(file.lastPathComponent)"
                )
                parsed += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count, "\(file.lastPathComponent)")
                rejected += 1
            }
        }
        #expect(parsed > 0)
        #expect(rejected > 0)
    }
}
