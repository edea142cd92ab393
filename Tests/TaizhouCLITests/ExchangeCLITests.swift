import Foundation
import Testing

/// The whole CLI flow of the exchange: keys → trust list → seal → open, for each algorithm, and
/// one clear refusal line for each broken check.
@Suite("taizhou keys / trust / envelope")
struct ExchangeCLITests {
    static let civil = "113212000142871106/assistance"
    static let hrss = "91320214745555318W/employment"

    /// Builds a trust list in a fresh folder with the consumer's key of `algorithm`.
    func city(_ algorithm: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let steps: [[String]] = [
            ["keys", "generate", "--alg", "ed25519", "--out", "root.pem"],
            ["keys", "generate", "--alg", algorithm, "--out", "civil.pem"],
            ["keys", "generate", "--alg", algorithm, "--out", "civil-old.pem"],
            ["trust", "init", "--version", "2"],
            ["trust", "add-party", "--party", Self.civil, "--name", "泰州市民政局"],
            ["trust", "add-party", "--party", Self.hrss, "--name", "泰州市人社局"],
            ["trust", "add-key", "--party", Self.civil, "--kid", "civil-1", "--pub", "civil.pub.pem"],
            ["trust", "add-key", "--party", Self.civil, "--kid", "civil-old", "--pub", "civil-old.pub.pem"],
            ["trust", "revoke-key", "--kid", "civil-old"],
            [
                "trust", "add-service", "--id", "hrss.employment", "--provider", Self.hrss, "--purpose",
                "assistance.verification", "--field", "employed:general:personal", "--field",
                "household:general:public",
            ],
            [
                "trust", "grant", "--consumer", Self.civil, "--service", "hrss.employment", "--purpose",
                "assistance.verification",
            ],
            ["trust", "sign", "--key", "root.pem", "--kid", "root-1"],
        ]
        for step in steps {
            let run = try CLIRunner.run(step, in: directory)
            guard run.status == 0 else { throw CLIFailure(step: step, run: run) }
        }
        try Data(#"{"household":7,"employed":true}"#.utf8).write(to: directory.appendingPathComponent("data.json"))
        return directory
    }

    struct CLIFailure: Error, CustomStringConvertible {
        var step: [String]
        var run: CLIRun
        var description: String { "\(step.joined(separator: " ")) → \(run.status): \(run.standardError)" }
    }

    func seal(
        in directory: URL,
        key: String = "civil.pem",
        kid: String = "civil-1",
        aud: String = hrss,
        purpose: String = "assistance.verification",
        ttl: String = "300"
    ) throws -> CLIRun {
        try CLIRunner.run(
            [
                "envelope", "seal", "--key", key, "--kid", kid, "--iss", Self.civil, "--aud", aud, "--svc",
                "hrss.employment", "--purpose", purpose, "--ttl", ttl, "data.json",
            ],
            in: directory
        )
    }

    func open(_ envelope: String, in directory: URL, me: String = hrss) throws -> CLIRun {
        try CLIRunner.run(
            // The trust list from the state folder (where `trust sign` wrote it); the root key pinned.
            ["envelope", "open", "--root", "root.pub.pem", "--me", me],
            input: Data(envelope.utf8),
            in: directory
        )
    }

    @Test("keys → trust list → seal → open works", arguments: ["sm2", "ed25519", "p256"])
    func flow(algorithm: String) throws {
        let directory = try city(algorithm)
        let sealed = try seal(in: directory)
        #expect(sealed.status == 0, "\(sealed.standardError)")
        let opened = try open(sealed.standardOutput, in: directory)
        #expect(opened.status == 0, "\(opened.standardError)")
        let claims = try JSONSerialization.jsonObject(with: Data(opened.standardOutput.utf8)) as? [String: Any]
        #expect(claims?["iss"] as? String == Self.civil)
        #expect(claims?["svc"] as? String == "hrss.employment")
        let data = claims?["data"] as? [String: Any]
        #expect(data?["household"] as? Int == 7)
        #expect(data?["employed"] as? String == "****", "personal fields are masked by default")
    }

    @Test("each broken check fails with its own line and exit status 1")
    func refusals() throws {
        let directory = try city("ed25519")
        let good = try seal(in: directory).standardOutput
        var cases: [(String, String)] = []
        cases.append((try open(good, in: directory, me: Self.civil).standardError, "refused (audience)"))
        cases.append((try open(String(good.reversed()), in: directory).standardError, "refused (structure)"))
        let revoked = try seal(in: directory, key: "civil-old.pem", kid: "civil-old").standardOutput
        cases.append(
            (
                try open(revoked, in: directory).standardError,
                "refused (key-validity): signer key \"civil-old\" is revoked"
            )
        )
        let unknown = try seal(in: directory, kid: "civil-9").standardOutput
        cases.append((try open(unknown, in: directory).standardError, "refused (signer-key)"))
        let forged = try seal(in: directory, key: "civil-old.pem", kid: "civil-1").standardOutput
        cases.append((try open(forged, in: directory).standardError, "refused (signature)"))
        let purpose = try seal(in: directory, purpose: "marketing").standardOutput
        cases.append((try open(purpose, in: directory).standardError, "refused (access)"))
        for (stderr, expected) in cases {
            #expect(stderr.hasPrefix("error: \(expected)"), "\(stderr)")
            #expect(!stderr.contains("Fatal error"))
        }
        let tampered = try open(good, in: directory)  // the good envelope still opens after all that
        #expect(tampered.status == 0)
    }

    @Test("envelope open refuses an envelope opened in an earlier run by default; --no-replay-guard does not")
    func replayAcrossRuns() throws {
        let directory = try city("ed25519")
        let envelope = try seal(in: directory).standardOutput
        let arguments = ["envelope", "open", "--root", "root.pub.pem", "--me", Self.hrss]
        let first = try CLIRunner.run(arguments, input: Data(envelope.utf8), in: directory)
        #expect(first.status == 0, "\(first.standardError)")
        // The guard lives in the state folder, as the department `exchange`.
        #expect(
            FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(".taizhou/exchange.replay.sqlite").path
            )
        )
        let second = try CLIRunner.run(arguments, input: Data(envelope.utf8), in: directory)
        #expect(second.status == 1)
        #expect(second.standardError.hasPrefix("error: refused (replay): replayed"), "\(second.standardError)")
        let unguarded = try CLIRunner.run(arguments + ["--no-replay-guard"], input: Data(envelope.utf8), in: directory)
        #expect(unguarded.status == 0, "\(unguarded.standardError)")
    }

    @Test("json canonicalize prints RFC 8785 form; bad JSON names the byte offset")
    func canonicalize() throws {
        let run = try CLIRunner.run(["json", "canonicalize"], input: Data(#"{"b": 1e21, "a": [1.0, "\u00e9"]}"#.utf8))
        #expect(run.status == 0)
        #expect(run.standardOutput == #"{"a":[1,"é"],"b":1e+21}"#)
        let bad = try CLIRunner.run(["json", "canonicalize"], input: Data(#"{"a":1,"a":2}"#.utf8))
        #expect(bad.status == 2)
        #expect(bad.standardError.hasPrefix("error: "))
        #expect(bad.standardError.contains("byte"))
    }
}
