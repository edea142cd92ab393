import Foundation
import SocietyTesting
import Testing

@testable import SocietyPostgres

/// `--store postgresql://…`: the demo and the audit commands on a real server (the testing kit's
/// throwaway cluster, or `SOCIETY_POSTGRES_URL`), each test in a database of its own.
@Suite("taizhou --store postgresql://…", .serialized)
struct PostgresCLITests {
    /// A new, empty database on the test server, and its URL.
    static func freshDatabase() async throws -> String {
        let serverURL = try PostgresTestCluster.url()
        let server = try PostgresLocation(url: serverURL)
        let name = "cli_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try PostgresDatabase(location: server, schema: "public", maximumConnections: 1)
        try await admin.session { session in _ = try await session.rows("CREATE DATABASE \(name)") }
        await admin.shutdown()
        guard var components = URLComponents(string: serverURL) else {
            throw PostgresStoreError(.invalidLocation, "url")
        }
        components.path = "/\(name)"
        return components.string ?? serverURL
    }

    static func folder(_ label: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-pg-\(label)-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("the demo runs on PostgreSQL, its audit logs verify, and audit verify|prove|checkpoint read them")
    func demoAndAudit() async throws {
        let url = try await Self.freshDatabase()
        let work = try Self.folder("demo")
        defer { try? FileManager.default.removeItem(at: work) }
        let state = work.appendingPathComponent("state").path
        let demo = try CLIRunner.run(
            ["demo", "--residents", "2000", "--applications", "12", "--state", state, "--store", url]
        )
        #expect(demo.status == 0, "\(demo.standardError)")
        #expect(demo.standardOutput.contains("stores in postgresql://"))
        #expect(demo.standardOutput.contains("12 applications, 168 envelopes exchanged"))
        #expect(demo.standardOutput.contains("a retried batch paid 0 more"))
        #expect(demo.standardOutput.contains("every log verifies"))
        // The stores are on the server, not in the folder; keys and the trust list stay in the folder.
        let files = try FileManager.default.contentsOfDirectory(atPath: state)
        #expect(!files.contains { $0.hasSuffix(".sqlite") }, "\(files)")
        #expect(files.contains("onecard.sqlite.key") && files.contains("trust.json"))

        let verify = try CLIRunner.run(["audit", "verify", "--state", state, "--store", url, "--department", "onecard"])
        #expect(verify.status == 0, "\(verify.standardError)")
        #expect(verify.standardOutput.hasPrefix("ok size "))
        let prove = try CLIRunner.run(
            ["audit", "prove", "--state", state, "--store", url, "--department", "civil-affairs", "--entry", "2"]
        )
        #expect(prove.status == 0, "\(prove.standardError)")
        #expect(prove.lines.first?.hasPrefix("entry 2 of ") == true)
        let checkpoint = try CLIRunner.run(
            ["audit", "checkpoint", "--state", state, "--store", url, "--department", "veterans"]
        )
        #expect(checkpoint.status == 0 && checkpoint.standardOutput.hasPrefix("digitalsociety/veterans\n"))
        let missing = try CLIRunner.run(["audit", "verify", "--state", state, "--store", url, "--department", "nosuch"])
        #expect(missing.status == 1 && missing.standardError.contains("no store"))
        // The demo built its board from the server's schemas; built again by the CLI, it measures the same.
        #expect(demo.standardOutput.contains("8. Progress board (晾晒台): 5 of 6 indicators measured"))
        let board = try CLIRunner.run(
            ["board", "build", "--state", state, "--store", url, "--out", work.appendingPathComponent("board").path]
        )
        #expect(
            board.status == 0 && board.standardOutput.contains("5 of 6 indicators measured"),
            "\(board.standardError)"
        )

        // A re-run from the same folder replaces its own schemas; another folder is refused untouched.
        let again = try CLIRunner.run(
            ["demo", "--residents", "1000", "--applications", "12", "--state", state, "--store", url]
        )
        #expect(again.status == 0, "\(again.standardError)")
        let other = try CLIRunner.run(
            [
                "demo", "--residents", "1000", "--state", work.appendingPathComponent("other").path, "--store", url,
            ]
        )
        #expect(other.status == 1 && other.standardError.contains("was not made by a demo run"))
        let after = try CLIRunner.run(["audit", "verify", "--state", state, "--store", url, "--department", "onecard"])
        #expect(after.status == 0, "the refused run changed nothing: \(after.standardError)")
    }

    @Test("a store URL the tool cannot use is a usage error that does not echo the password")
    func badURL() throws {
        let work = try Self.folder("bad")
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try CLIRunner.run(
            ["audit", "verify", "--state", work.path, "--store", "mysql://u:hunter2@h/d", "--department", "onecard"]
        )
        #expect(run.status == 2)
        #expect(run.standardError.contains("--store") && !run.standardError.contains("hunter2"))
    }
}
