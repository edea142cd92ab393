import Foundation
import Testing

/// `taizhou audit` on every store the demo writes, as an auditor would run it after the demo.
/// Each command runs under a time limit: a command that waits on itself fails here.
@Suite("taizhou audit")
struct AuditCLITests {
    /// Runs a small demo in a fresh folder and returns the folder and the stores it wrote.
    static func demoStores() throws -> (URL, [String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let demo = try CLIRunner.run(["demo", "--residents", "1000", "--applications", "4"], in: directory)
        #expect(demo.status == 0, "\(demo.standardError)")
        let state = directory.appendingPathComponent(".taizhou")
        let stores = try FileManager.default.contentsOfDirectory(atPath: state.path)
            // The departments' stores; each one's replay guard (NAME.replay.sqlite) keeps envelope
            // ids, not an audit log.
            .filter { $0.hasSuffix(".sqlite") && !$0.hasSuffix(".replay.sqlite") }
            .sorted()
            .map { state.appendingPathComponent($0).path }
        return (directory, stores)
    }

    @Test("verify, prove and checkpoint answer on every store the demo writes")
    func everyStore() throws {
        let (directory, stores) = try AuditCLITests.demoStores()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(stores.count >= 3, "the demo wrote \(stores)")
        for store in stores {
            let name = URL(fileURLWithPath: store).lastPathComponent
            let verify = try CLIRunner.run(["audit", "verify", "--db", store], timeLimit: 60)
            #expect(!verify.timedOut, "audit verify hung on \(name)")
            #expect(verify.status == 0, "\(name): \(verify.standardError)")
            let size = try #require(
                verify.standardOutput.split(separator: " ").dropFirst(2).first.flatMap { Int($0) },
                "\(name): \(verify.standardOutput)"
            )

            let checkpoint = try CLIRunner.run(["audit", "checkpoint", "--db", store], timeLimit: 60)
            #expect(!checkpoint.timedOut, "audit checkpoint hung on \(name)")
            #expect(checkpoint.status == 0, "\(name): \(checkpoint.standardError)")
            let lines = checkpoint.lines
            #expect(lines.count == 3, "\(name): \(checkpoint.standardOutput)")
            #expect(lines.dropFirst().first == String(size), "\(name): the checkpoint's size is the verified size")
            #expect(lines.last.flatMap { Data(base64Encoded: $0) }?.count == 32)

            guard size > 0 else { continue }
            for entry in Set([0, size / 2, size - 1]) {
                let prove = try CLIRunner.run(
                    ["audit", "prove", "--db", store, "--entry", String(entry)],
                    timeLimit: 60
                )
                #expect(!prove.timedOut, "audit prove hung on \(name)")
                #expect(prove.status == 0, "\(name) entry \(entry): \(prove.standardError)")
                #expect(prove.lines.first == "entry \(entry) of \(size)")
                #expect(prove.lines.contains { $0.hasPrefix("root ") })
            }
            let beyond = try CLIRunner.run(["audit", "prove", "--db", store, "--entry", String(size)], timeLimit: 60)
            #expect(!beyond.timedOut)
            #expect(beyond.status == 1)
            #expect(beyond.standardError.contains("entry \(size) is not in the log"))
        }
    }

    @Test("checkpoint --key signs the head; verify --public-key then checks the signature")
    func signedCheckpoint() throws {
        let (directory, stores) = try AuditCLITests.demoStores()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try #require(stores.first)
        let key = directory.appendingPathComponent("audit.pem").path
        let generated = try CLIRunner.run(["keys", "generate", "--alg", "ed25519", "--out", key], in: directory)
        #expect(generated.status == 0, "\(generated.standardError)")
        let signed = try CLIRunner.run(["audit", "checkpoint", "--db", store, "--key", key], timeLimit: 60)
        #expect(!signed.timedOut)
        #expect(signed.status == 0, "\(signed.standardError)")
        #expect(signed.lines.contains { $0.hasPrefix("— taizhou-audit ") })
        let publicKey = directory.appendingPathComponent("audit.pub.pem").path
        let verify = try CLIRunner.run(["audit", "verify", "--db", store, "--public-key", publicKey], timeLimit: 60)
        #expect(verify.status == 0, "\(verify.standardError)")
        #expect(verify.standardOutput.hasPrefix("ok size "))
    }
}
