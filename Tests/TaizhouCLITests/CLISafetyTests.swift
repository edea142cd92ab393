import Foundation
import Testing

/// The CLI is safe to hand to an operator (issue 16): one test per defect found by trying it as a
/// new district operator would. Each would fail on the tool as it was before.
@Suite("taizhou is safe to operate")
struct CLISafetyTests {
    static let civil = "113212000142871106/assistance"
    static let hrss = "91320214745555318W/employment"
    static let resident = "11010519491231002X"

    func folder(_ label: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-safe-\(label)-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func contents(_ directory: URL) throws -> [String: Data] {
        var found: [String: Data] = [:]
        let names = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
        for name in names {
            var isDirectory: ObjCBool = false
            let path = directory.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                found[name] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return found
    }

    func run(
        _ arguments: [String],
        in directory: URL,
        input: String? = nil,
        environment: [String: String] = [:]
    ) throws
        -> CLIRun
    {
        try CLIRunner.run(arguments, input: input.map { Data($0.utf8) }, in: directory, environment: environment)
    }

    // 1. The demo writes only into its own folder and replaces only its own files.
    @Test("1: demo refuses a folder it did not make, and a re-run replaces only its own files")
    func demoFolder() throws {
        let directory = try folder("demo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let foreign = directory.appendingPathComponent("district")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: foreign.appendingPathComponent("ledger.sqlite"))
        try Data("bureau trust".utf8).write(to: foreign.appendingPathComponent("trust.json"))
        let before = try contents(foreign)
        let refused = try run(
            ["demo", "--residents", "1000", "--applications", "4", "--state", "district"],
            in: directory
        )
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("was not made by the demo"), "\(refused.standardError)")
        #expect(try contents(foreign) == before, "nothing in the refused folder changed")

        let arguments = ["demo", "--residents", "1000", "--applications", "6", "--state", "city"]
        let first = try run(arguments, in: directory)
        #expect(first.status == 0, "\(first.standardError)")
        let city = directory.appendingPathComponent("city")
        #expect(FileManager.default.fileExists(atPath: city.appendingPathComponent(".taizhou-demo").path))
        // An operator's own file in the demo's folder survives a re-run.
        try Data("notes".utf8).write(to: city.appendingPathComponent("notes.txt"))
        let second = try run(arguments, in: directory)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(try String(contentsOf: city.appendingPathComponent("notes.txt"), encoding: .utf8) == "notes")
        // Every store opens with its own key after the re-run: no orphaned key file.
        let totals = try run(["onecard", "totals", "--state", "city"], in: directory)
        #expect(totals.status == 0, "\(totals.standardError)")
        #expect(totals.standardOutput.contains("ledger balanced"))
        // 9: no empty load-lock files are left, and the application count adds up.
        let names = try FileManager.default.contentsOfDirectory(atPath: city.path)
        #expect(!names.contains { $0.hasSuffix("-load") }, "\(names)")
        let chosen = second.lines.first { $0.contains("households chosen") }
        let applications = second.lines.first { $0.contains(" applications, ") }
        let applied = applications.flatMap { Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }) }
        if let chosen {
            let total = Int(chosen.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
            let died = chosen.components(separatedBy: "; ").last.flatMap { Int($0.prefix { $0.isNumber }) }
            #expect(total == 6)
            #expect(applied.map { $0 + (died ?? 0) } == 6)
        } else {
            #expect(applied == 6)
        }
        #expect(!second.standardOutput.contains("6 applications verified"), "the timing line names no count")
    }

    // 2. Keys and drafts are never replaced without --force.
    @Test("2: keys generate and trust init keep what exists unless --force")
    func noOverwrite() throws {
        let directory = try folder("keys")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try run(["keys", "generate", "--alg", "ed25519", "--out", "root.pem"], in: directory).status == 0)
        let key = try Data(contentsOf: directory.appendingPathComponent("root.pem"))
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("root.pem").path)
        #expect((mode[.posixPermissions] as? Int) == 0o600, "a private key is created owner-only")
        let again = try run(["keys", "generate", "--alg", "ed25519", "--out", "root.pem"], in: directory)
        #expect(again.status == 1)
        #expect(again.standardError.hasPrefix("error: root.pem exists and was kept"), "\(again.standardError)")
        #expect(again.standardError.contains("give --force to replace it"))
        #expect(try Data(contentsOf: directory.appendingPathComponent("root.pem")) == key)
        let forced = try run(["keys", "generate", "--alg", "ed25519", "--out", "root.pem", "--force"], in: directory)
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(try Data(contentsOf: directory.appendingPathComponent("root.pem")) != key)

        #expect(try run(["trust", "init"], in: directory).status == 0)
        #expect(try run(["trust", "add-party", "--party", Self.civil, "--name", "民政"], in: directory).status == 0)
        let draft = try Data(contentsOf: directory.appendingPathComponent(".taizhou/trust.draft.json"))
        let wipe = try run(["trust", "init"], in: directory)
        #expect(wipe.status == 1)
        #expect(wipe.standardError.contains("exists and was kept; give --force"))
        #expect(try Data(contentsOf: directory.appendingPathComponent(".taizhou/trust.draft.json")) == draft)
    }

    /// A folder with a root key, a consumer key and a signed trust list whose service declares
    /// `employed` (personal) and `note` (public).
    func exchange() throws -> URL {
        let directory = try folder("exchange")
        let steps: [[String]] = [
            ["keys", "generate", "--alg", "ed25519", "--out", "root.pem"],
            ["keys", "generate", "--alg", "ed25519", "--out", "civil.pem"],
            ["trust", "init"],
            ["trust", "add-party", "--party", Self.civil, "--name", "民政"],
            ["trust", "add-party", "--party", Self.hrss, "--name", "人社"],
            ["trust", "add-key", "--party", Self.civil, "--kid", "civil-1", "--pub", "civil.pub.pem"],
            [
                "trust", "add-service", "--id", "hrss.employment", "--provider", Self.hrss, "--purpose",
                "assistance.verification", "--field", "employed:general:personal", "--field", "note:general:public",
            ],
            [
                "trust", "grant", "--consumer", Self.civil, "--service", "hrss.employment", "--purpose",
                "assistance.verification",
            ],
            ["trust", "sign", "--key", "root.pem", "--kid", "root-1"],
        ]
        for step in steps {
            let result = try run(step, in: directory)
            guard result.status == 0 else { throw ExchangeCLITests.CLIFailure(step: step, run: result) }
        }
        return directory
    }

    func seal(_ data: String, in directory: URL, extra: [String] = []) throws -> CLIRun {
        try Data(data.utf8).write(to: directory.appendingPathComponent("data.json"))
        return try run(
            [
                "envelope", "seal", "--key", "civil.pem", "--kid", "civil-1", "--iss", Self.civil, "--aud", Self.hrss,
                "--svc", "hrss.employment", "--purpose", "assistance.verification", "--root", "root.pub.pem",
            ] + extra + ["data.json"],
            in: directory
        )
    }

    func open(_ envelope: String, in directory: URL, extra: [String] = []) throws -> CLIRun {
        try run(
            ["envelope", "open", "--root", "root.pub.pem", "--me", Self.hrss] + extra,
            in: directory,
            input: envelope
        )
    }

    // 3. Replay-safe by default.
    @Test("3: envelope open accepts an envelope once, across runs, without any option")
    func replaySafe() throws {
        let directory = try exchange()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sealed = try seal(#"{"employed":true}"#, in: directory)
        #expect(sealed.status == 0, "\(sealed.standardError)")
        #expect(try open(sealed.standardOutput, in: directory).status == 0)
        let replayed = try open(sealed.standardOutput, in: directory)
        #expect(replayed.status == 1)
        #expect(replayed.standardError.contains("refused (replay)"))
    }

    // 4. Data minimisation at the boundary.
    @Test("4: undeclared fields are refused at seal and at open; identity numbers are masked whatever the field")
    func minimisation() throws {
        let directory = try exchange()
        defer { try? FileManager.default.removeItem(at: directory) }
        let undeclared = try seal(#"{"employed":true,"resident":"\#(Self.resident)"}"#, in: directory)
        #expect(undeclared.status == 1)
        #expect(undeclared.standardError.contains("resident"), "\(undeclared.standardError)")
        #expect(undeclared.standardOutput.isEmpty, "nothing is sealed")

        // A list that declares `resident` lets the sender seal it; the receiver's list does not.
        let other = directory.appendingPathComponent("sender")
        let steps: [[String]] = [
            ["trust", "init", "--state", "sender"],
            ["trust", "add-party", "--party", Self.civil, "--name", "民政", "--state", "sender"],
            ["trust", "add-party", "--party", Self.hrss, "--name", "人社", "--state", "sender"],
            [
                "trust", "add-key", "--party", Self.civil, "--kid", "civil-1", "--pub", "civil.pub.pem", "--state",
                "sender",
            ],
            [
                "trust", "add-service", "--id", "hrss.employment", "--provider", Self.hrss, "--purpose",
                "assistance.verification", "--field", "employed:general:personal", "--field", "resident:general:public",
                "--state", "sender",
            ],
            [
                "trust", "grant", "--consumer", Self.civil, "--service", "hrss.employment", "--purpose",
                "assistance.verification", "--state", "sender",
            ],
            ["trust", "sign", "--key", "root.pem", "--kid", "root-1", "--state", "sender"],
        ]
        for step in steps {
            let result = try run(step, in: directory)
            guard result.status == 0 else { throw ExchangeCLITests.CLIFailure(step: step, run: result) }
        }
        #expect(FileManager.default.fileExists(atPath: other.appendingPathComponent("trust.json").path))
        let smuggled = try seal(
            #"{"employed":true,"resident":"\#(Self.resident)"}"#,
            in: directory,
            extra: ["--state", "sender"]
        )
        #expect(smuggled.status == 0, "\(smuggled.standardError)")
        let refused = try open(smuggled.standardOutput, in: directory)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("resident"), "\(refused.standardError)")
        #expect(!refused.standardOutput.contains(Self.resident) && !refused.standardError.contains(Self.resident))

        // A declared, public field carrying an identity number is masked unless --reveal.
        let note = try seal(#"{"employed":true,"note":"\#(Self.resident)"}"#, in: directory)
        #expect(note.status == 0, "\(note.standardError)")
        let opened = try open(note.standardOutput, in: directory)
        #expect(opened.status == 0, "\(opened.standardError)")
        #expect(!opened.standardOutput.contains(Self.resident))
        #expect(opened.standardOutput.contains("1101**********002X"))
        let note2 = try seal(#"{"employed":false,"note":"\#(Self.resident)"}"#, in: directory)
        let revealed = try open(note2.standardOutput, in: directory, extra: ["--reveal"])
        #expect(revealed.standardOutput.contains(Self.resident))
    }

    // 5. Trust-list versions increase and earlier versions are kept.
    @Test("5: every trust sign raises the version; the previous list is kept; a minimum version is enforced")
    func trustVersions() throws {
        let directory = try exchange()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent(".taizhou")
        #expect(try run(["trust", "revoke-key", "--kid", "civil-1"], in: directory).status == 0)
        let signed = try run(["trust", "sign", "--key", "root.pem", "--kid", "root-1"], in: directory)
        #expect(signed.status == 0, "\(signed.standardError)")
        #expect(signed.standardOutput.hasPrefix("signed trust list version 2"))
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("trust.v1.json").path))
        let shown = try run(["trust", "show", "--root", "root.pub.pem", "--json"], in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any]
        #expect(object?["version"] as? Int == 2, "\(shown.standardOutput) \(shown.standardError)")
        #expect(try run(["trust", "sign", "--key", "root.pem", "--kid", "root-1"], in: directory).status == 0)
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("trust.v2.json").path))
        let sealed = try seal(#"{"employed":true}"#, in: directory)
        let old = try open(
            sealed.standardOutput,
            in: directory,
            extra: ["--trust", ".taizhou/trust.v1.json", "--min-trust-version", "3"]
        )
        #expect(old.status == 1)
        #expect(old.standardError.contains("version 1, below the required 3"), "\(old.standardError)")
    }

    // 6. Read-only commands create and change nothing.
    @Test("6: read-only commands refuse a missing store and an unrelated file, creating nothing")
    func readOnly() throws {
        let directory = try folder("readonly")
        defer { try? FileManager.default.removeItem(at: directory) }
        let typo = try run(["onecard", "totals", "--state", "typo"], in: directory)
        #expect(typo.status == 1)
        #expect(typo.standardError.contains("no state folder"), "\(typo.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("typo").path))
        // A state folder without the store: nothing is created in it either.
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("state"),
            withIntermediateDirectories: true
        )
        for command in [
            ["onecard", "totals"], ["onecard", "monitor"], ["onecard", "show", "--holder", Self.resident],
            ["veteran", "show", "--resident", Self.resident], ["doctor", "uncontracted"],
        ] {
            let result = try run(command + ["--state", "state"], in: directory)
            #expect(result.status == 1, "\(command): \(result.standardError)")
            #expect(result.standardError.contains("no store"), "\(command): \(result.standardError)")
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("state").path).isEmpty
        )

        let sqlite = "/usr/bin/sqlite3"
        try #require(
            FileManager.default.isExecutableFile(atPath: sqlite),
            "this test needs the sqlite3 shell to make an unrelated database: apt-get install sqlite3"
        )
        let unrelated = directory.appendingPathComponent("unrelated.sqlite")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: sqlite)
        make.arguments = [
            unrelated.path,
            "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes(text) VALUES ('mine');",
        ]
        try ProcessLaunch.run(make)
        make.waitUntilExit()
        let before = try Data(contentsOf: unrelated)
        for command in [["audit", "verify"], ["audit", "checkpoint"], ["audit", "prove", "--entry", "0"]] {
            let result = try run(command + ["--db", "unrelated.sqlite"], in: directory)
            #expect(result.status == 1, "\(command): \(result.standardOutput)")
            #expect(result.standardError.contains("not"), "\(command): \(result.standardError)")
        }
        #expect(try Data(contentsOf: unrelated) == before, "the unrelated database is unchanged")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains("unrelated.sqlite-wal") && !names.contains("unrelated.sqlite.key"), "\(names)")
    }

    // 7. Batch errors are actionable.
    @Test("7: onecard pay reports each refused line, posts the others and exits 1")
    func batchErrors() throws {
        let directory = try folder("pay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let applied = try run(
            [
                "onecard", "apply", "--holder", Self.resident, "--bank", "91320214745555318W", "--account",
                "6222021500000000016",
            ],
            in: directory
        )
        let card = String(applied.standardOutput.split(separator: " ").first ?? "")
        _ = try run(["onecard", "issue", "--card", card, "--number", "A12345670"], in: directory)
        _ = try run(["onecard", "activate", "--card", card], in: directory)
        var lines: [String] = []
        for index in 1...1000 {
            // Line 500's holder has no card; every other line pays the one cardholder.
            let holder = index == 500 ? "440524188001010014" : Self.resident
            lines.append("p-\(index),minimumLiving,\(holder),2026-11,1.00")
        }
        let paid = try run(
            ["onecard", "pay", "--json"],
            in: directory,
            input: lines.joined(separator: "\n") + "\n"
        )
        #expect(paid.status == 1)
        #expect(paid.standardError.contains("refused: line 500: holder 4405**********0014:"), "\(paid.standardError)")
        #expect(!paid.standardError.contains("440524188001010014"))
        let object = try JSONSerialization.jsonObject(with: Data(paid.standardOutput.utf8)) as? [String: Any]
        #expect(object?["posted"] as? Int == 999)
        #expect(object?["amount"] as? String == "999.00")
        let refused = object?["refused"] as? [[String: Any]]
        #expect(refused?.first?["line"] as? Int == 500)
    }

    // 9. The smaller conventions.
    @Test("9: --version, --json, clear messages for directories and key types, subcommand usage, an input limit")
    func conventions() throws {
        let directory = try exchange()
        defer { try? FileManager.default.removeItem(at: directory) }
        let version = try run(["--version"], in: directory)
        #expect(version.status == 0)
        #expect(version.standardOutput.hasPrefix("DigitalSociety "))
        let help = try run(["--help"], in: directory)
        #expect(help.standardOutput.contains("Exit status: 0 done; 1 refused by a rule; 2 bad input"))

        // --json on result-printing commands: one canonical JSON object each.
        for command in [
            ["division", "show", "321204", "--json"],
            ["keys", "generate", "--alg", "p256", "--out", "j.pem", "--json"],
            ["trust", "add-party", "--party", "91320214745555318W/ecert", "--name", "残联", "--json"],
        ] {
            let result = try run(command, in: directory)
            #expect(result.status == 0, "\(command): \(result.standardError)")
            let object = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
            #expect(object?.isEmpty == false, "\(command): \(result.standardOutput)")
        }

        let folderAsFile = try run(["json", "canonicalize", ".taizhou"], in: directory)
        #expect(folderAsFile.status == 4)
        #expect(folderAsFile.standardError == "error: .taizhou is a directory; give a file\n")
        #expect(!folderAsFile.standardError.contains("NSCocoaErrorDomain"))

        #expect(try run(["keys", "generate", "--alg", "x25519", "--out", "enc.pem"], in: directory).status == 0)
        let wrongUse = try run(
            ["trust", "add-key", "--party", Self.hrss, "--kid", "hrss-enc", "--pub", "enc.pub.pem"],
            in: directory
        )
        #expect(wrongUse.status == 2)
        #expect(wrongUse.standardError.contains("give --use enc"), "\(wrongUse.standardError)")

        let badOption = try run(["onecard", "totals", "--bogus"], in: directory)
        #expect(badOption.status == 2)
        #expect(badOption.standardError.contains("Usage: taizhou onecard totals"), "\(badOption.standardError)")

        let big = String(repeating: " ", count: 2_000) + "{}"
        let limited = try run(
            ["json", "canonicalize"],
            in: directory,
            input: big,
            environment: ["TAIZHOU_MAX_INPUT": "1024"]
        )
        #expect(limited.status == 2)
        #expect(limited.standardError.contains("larger than 1024 bytes"), "\(limited.standardError)")
        let sealedBig = try seal(#"{"note":"\#(String(repeating: "x", count: 4_000))"}"#, in: directory)
        let openedBig = try run(
            ["envelope", "open", "--root", "root.pub.pem", "--me", Self.hrss],
            in: directory,
            input: sealedBig.standardOutput,
            environment: ["TAIZHOU_MAX_INPUT": "2048"]
        )
        #expect(openedBig.status == 2)
    }
}
