import Foundation
import Testing

/// Confidential envelopes from the command line: an encryption key on the trust list with
/// `--use enc`, `envelope seal --encrypt-to`, `envelope open --key`, and the refusal of important
/// data sent unencrypted.
@Suite("taizhou envelope seal --encrypt-to / open --key")
struct ConfidentialCLITests {
    static let civil = "113212000142871106/assistance"
    static let hrss = "91320214745555318W/employment"

    func city(signing: String, encryption: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let steps: [[String]] = [
            ["keys", "generate", "--alg", "ed25519", "--out", "root.pem"],
            ["keys", "generate", "--alg", signing, "--out", "civil.pem"],
            ["keys", "generate", "--alg", encryption, "--out", "hrss-enc.pem"],
            ["keys", "generate", "--alg", encryption, "--out", "other-enc.pem"],
            ["trust", "init"],
            ["trust", "add-party", "--party", Self.civil, "--name", "泰州市民政局"],
            ["trust", "add-party", "--party", Self.hrss, "--name", "泰州市人社局"],
            ["trust", "add-key", "--party", Self.civil, "--kid", "civil-1", "--pub", "civil.pub.pem"],
            [
                "trust", "add-key", "--party", Self.hrss, "--kid", "hrss-enc-1", "--pub", "hrss-enc.pub.pem", "--use",
                "enc",
            ],
            [
                "trust", "add-service", "--id", "hrss.wage", "--provider", Self.hrss, "--purpose",
                "assistance.verification", "--field", "monthlyWage:important:sensitivePersonal",
            ],
            [
                "trust", "grant", "--consumer", Self.civil, "--service", "hrss.wage", "--purpose",
                "assistance.verification",
            ],
            ["trust", "sign", "--key", "root.pem", "--kid", "root-1"],
        ]
        for step in steps {
            let run = try CLIRunner.run(step, in: directory)
            guard run.status == 0 else {
                throw ExchangeCLITests.CLIFailure(step: step, run: run)
            }
        }
        try Data(#"{"monthlyWage":512300}"#.utf8).write(to: directory.appendingPathComponent("data.json"))
        return directory
    }

    func seal(in directory: URL, encrypt: Bool) throws -> CLIRun {
        var arguments = [
            "envelope", "seal", "--key", "civil.pem", "--kid", "civil-1", "--iss", Self.civil, "--aud", Self.hrss,
            "--svc", "hrss.wage", "--purpose", "assistance.verification", "--level", "important",
        ]
        if encrypt { arguments += ["--encrypt-to", Self.hrss] }
        // The trust list is the state folder's, where `trust sign` wrote it; the root key is pinned.
        arguments += ["--root", "root.pub.pem"]
        return try CLIRunner.run(arguments + ["data.json"], in: directory)
    }

    func open(in directory: URL, key: String?, envelope: String) throws -> CLIRun {
        var arguments = ["envelope", "open", "--root", "root.pub.pem", "--me", Self.hrss]
        if let key { arguments += ["--key", key] }
        return try CLIRunner.run(arguments + ["--reveal", "-"], input: Data(envelope.utf8), in: directory)
    }

    @Test(
        "seal --encrypt-to, open --key, for both profiles",
        arguments: [("ed25519", "x25519"), ("p256", "p256-ecdh"), ("sm2", "sm2-enc")]
    )
    func roundTrip(signing: String, encryption: String) throws {
        let directory = try city(signing: signing, encryption: encryption)
        let sealed = try seal(in: directory, encrypt: true)
        #expect(sealed.status == 0, "\(sealed.standardError)")
        let envelope = sealed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(envelope.split(separator: ".").count == 5)
        let opened = try open(in: directory, key: "hrss-enc.pem", envelope: envelope)
        #expect(opened.status == 0, "\(opened.standardError)")
        #expect(opened.standardOutput.contains(#""monthlyWage":512300"#))

        // Without the key, or with a key that is not on the list: one clear refusal line.
        let withoutKey = try open(in: directory, key: nil, envelope: envelope)
        #expect(withoutKey.status == 1)
        #expect(withoutKey.standardError.contains("refused (decryption): encrypted to key \"hrss-enc-1\""))
        let otherKey = try open(in: directory, key: "other-enc.pem", envelope: envelope)
        #expect(otherKey.status == 1)
        #expect(otherKey.standardError.contains("is not an encryption key of"))
    }

    @Test("important data sealed without --encrypt-to is refused at opening")
    func unencryptedRefused() throws {
        let directory = try city(signing: "ed25519", encryption: "x25519")
        let sealed = try seal(in: directory, encrypt: false)
        #expect(sealed.status == 0, "\(sealed.standardError)")
        let opened = try open(in: directory, key: "hrss-enc.pem", envelope: sealed.standardOutput)
        #expect(opened.status == 1)
        #expect(opened.standardError.contains("refused (confidentiality): hrss.wage carries important data"))
        // The trust list shows the key's use.
        let draft = try String(
            contentsOf: directory.appendingPathComponent(".taizhou/trust.draft.json"),
            encoding: .utf8
        )
        #expect(draft.contains(#""use" : "enc""#))
    }
}
