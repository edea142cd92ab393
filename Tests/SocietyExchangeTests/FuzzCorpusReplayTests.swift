import Foundation
import SocietyCore
import SocietyExchange
import SocietyOpenSSL
import Testing

/// Replays the envelope-opening fuzz corpus (Tests/Fixtures/fuzz/envelope-open, grown by
/// Fuzz/FuzzEnvelopeOpen) in an ordinary test run: every input must end in an opened envelope or a
/// typed refusal, never a crash. This fixture's keys differ from the fuzzer's, so every input is
/// refused here, and the refusal must come from the structure or the signer-key check, or later.
@Suite("Envelope fuzz corpus replay")
struct EnvelopeFuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz/envelope-open", isDirectory: true)

    @Test("every corpus input is refused with a typed error, and the seeds reach the signer-key check")
    func replay() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(names.count >= 9)
        let city = try ExchangeFixture()
        var checks: [String: Int] = [:]
        for name in names {
            let bytes = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
            do {
                _ = try await city.opener().open(String(decoding: bytes, as: UTF8.self))
                Issue.record("\(name) opened under keys it was not signed with")
            } catch {
                checks[error.check, default: 0] += 1
                if name.hasPrefix("valid-") {
                    #expect(
                        error == .unknownKey(kid: String(name.split(separator: "-").suffix(2).joined(separator: "-")))
                    )
                }
            }
        }
        #expect(checks.values.reduce(0, +) == names.count)
    }
}
