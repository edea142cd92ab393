import Foundation
import Testing

/// `taizhou cert`: issue → publish → present → verify offline, then the refusals a counter sees
/// (wrong nonce, revoked, suspended) and the masking of personal data.
@Suite("taizhou cert")
struct CertificateCLITests {
    static let issuer = "91320214745555318W/ecert"
    static let counter = "113212000142871106/counter"
    static let holder = "11010519491231002X"

    struct StepFailed: Error, CustomStringConvertible {
        var step: [String]
        var run: CLIRun
        var description: String { "\(step.joined(separator: " ")) → \(run.status): \(run.standardError)" }
    }

    /// A folder with a signed trust list listing the issuer's key of `algorithm`, a holder key,
    /// an issued disability certificate (cert.txt) and published status lists (status.json).
    func office(_ algorithm: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(#"{"name":"张三","category":"physical","level":"2"}"#.utf8)
            .write(to: directory.appendingPathComponent("claims.json"))
        let steps: [[String]] = [
            ["keys", "generate", "--alg", "ed25519", "--out", "root.pem"],
            ["keys", "generate", "--alg", algorithm, "--out", "issuer.pem"],
            ["keys", "generate", "--alg", "p256", "--out", "holder.pem"],
            ["trust", "init"],
            ["trust", "add-party", "--party", Self.issuer, "--name", "泰州市残联"],
            ["trust", "add-key", "--party", Self.issuer, "--kid", "ecert-1", "--pub", "issuer.pub.pem"],
            ["trust", "sign", "--key", "root.pem", "--kid", "root-1"],
        ]
        for step in steps {
            let run = try CLIRunner.run(step, in: directory)
            guard run.status == 0 else { throw StepFailed(step: step, run: run) }
        }
        let issue = try CLIRunner.run(
            [
                "cert", "issue", "--type", "disability", "--holder", Self.holder, "--holder-pub", "holder.pub.pem",
                "--claims", "claims.json",
            ] + issuerFlags,
            in: directory
        )
        guard issue.status == 0 else { throw StepFailed(step: ["cert", "issue"], run: issue) }
        try Data(issue.standardOutput.utf8).write(to: directory.appendingPathComponent("cert.txt"))
        #expect(issue.standardError.contains("1101**********002X"))
        #expect(!issue.standardError.contains(Self.holder))
        let publish = try CLIRunner.run(["cert", "publish"] + issuerFlags, in: directory)
        guard publish.status == 0 else { throw StepFailed(step: ["cert", "publish"], run: publish) }
        return directory
    }

    let issuerFlags = ["--key", "issuer.pem", "--kid", "ecert-1", "--iss", Self.issuer]

    func present(_ directory: URL, nonce: String = "N1") throws -> CLIRun {
        try CLIRunner.run(
            [
                "cert", "present", "--disclose", "name,category", "--holder-key", "holder.pem", "--nonce", nonce,
                "--aud", Self.counter,
            ],
            input: try Data(contentsOf: directory.appendingPathComponent("cert.txt")),
            in: directory
        )
    }

    func verify(_ directory: URL, _ presentation: String, nonce: String = "N1", _ extra: [String] = []) throws -> CLIRun
    {
        try Data(presentation.utf8).write(to: directory.appendingPathComponent("presentation.txt"))
        return try CLIRunner.run(
            [
                "cert", "verify", "--trust", ".taizhou/trust.json", "--root", "root.pub.pem", "--status", "status.json",
                "--aud",
                Self.counter, "--nonce", nonce, "presentation.txt",
            ] + extra,
            in: directory
        )
    }

    @Test("issue, present, verify offline", arguments: ["ed25519", "p256", "sm2"])
    func flow(algorithm: String) throws {
        let directory = try office(algorithm)
        let presentation = try present(directory)
        #expect(presentation.status == 0, "\(presentation.standardError)")
        let verified = try verify(directory, presentation.standardOutput)
        #expect(verified.status == 0, "\(verified.standardError)")
        #expect(verified.lines.first == "valid: 中华人民共和国残疾人证 issued by \(Self.issuer)")
        #expect(verified.lines.last == #"{"category":"physical","name":"张*"}"#)
        #expect(!verified.standardOutput.contains("level"))

        let wrongNonce = try verify(directory, presentation.standardOutput, nonce: "N2")
        #expect(wrongNonce.status == 1, "a failed check is a refusal (1), not bad input")
        #expect(wrongNonce.standardError == "error: certificate refused: presentation answers another nonce\n")
    }

    @Test(
        "a certificate presented as an application's material: verified offline by the desk, bound to the application's id"
    )
    func asMaterial() throws {
        let directory = try office("ed25519")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(
            #"""
            {"format": "ds.service-catalogue/1", "services": [
              {"code": "care-subsidy", "name": "care subsidy", "department": "dpf", "legalBasis": ["test regulation"],
               "applicant": "resident", "channels": ["online"], "outcome": "payment",
               "timeLimit": {"statutory": 20, "promised": 10, "materials": 5},
               "materials": [{"certificate": {"type": "disability", "replaces": "disability assessment"}}]}
            ], "bundles": []}
            """#.utf8
        ).write(to: directory.appendingPathComponent("catalogue.json"))
        func submit(_ id: String, nonce: String) throws -> CLIRun {
            let shown = try CLIRunner.run(
                [
                    "cert", "present", "--disclose", "number,holder", "--holder-key", "holder.pem", "--nonce", nonce,
                    "--aud", Self.counter,
                ],
                input: try Data(contentsOf: directory.appendingPathComponent("cert.txt")),
                in: directory
            )
            try Data(shown.standardOutput.utf8).write(to: directory.appendingPathComponent("shown-\(id).txt"))
            return try CLIRunner.run(
                [
                    "application", "submit", "--catalogue", "catalogue.json", "--on", "2026-05-28", "--id", id,
                    "--service", "care-subsidy", "--resident", Self.holder, "--district", "110105",
                    "--certificate", "disability=shown-\(id).txt", "--trust", ".taizhou/trust.json",
                    "--root", "root.pub.pem", "--status", "status.json", "--aud", Self.counter,
                ],
                in: directory
            )
        }
        let accepted = try submit("c-1", nonce: "c-1")
        #expect(accepted.status == 0, "\(accepted.standardError)")
        let status = try CLIRunner.run(
            ["application", "status", "--catalogue", "catalogue.json", "c-1"],
            in: directory
        )
        #expect(status.standardOutput.contains("material: disability e-certificate, verified at submission"))
        #expect(!status.standardOutput.contains(Self.holder))
        // Shown for another application, it is refused and nothing is stored.
        let replayed = try submit("c-2", nonce: "c-1")
        #expect(replayed.status == 1)
        #expect(
            replayed.standardError.contains(
                "disability e-certificate cannot be accepted: presentation answers another nonce"
            )
        )
    }

    @Test("--min-trust-version refuses an older trust list; --json prints the result as one object")
    func minimumTrustVersion() throws {
        let directory = try office("ed25519")
        let presentation = try present(directory).standardOutput
        let current = try verify(directory, presentation, ["--min-trust-version", "1", "--json"])
        #expect(current.status == 0, "\(current.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(current.standardOutput.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == true)
        #expect((object?["claims"] as? [String: Any])?["name"] as? String == "张*")
        let rolledBack = try verify(directory, presentation, ["--min-trust-version", "2"])
        #expect(rolledBack.status == 1)
        #expect(rolledBack.standardError.hasPrefix("error: certificate refused:"), "\(rolledBack.standardError)")
        #expect(rolledBack.standardError.contains("version 1"), "\(rolledBack.standardError)")
    }

    @Test("suspend, reinstate and revoke change what a verifier accepts")
    func lifecycle() throws {
        let directory = try office("ed25519")
        let state =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.appendingPathComponent(".taizhou/cert-state.json"))
            ) as? [String: Any]
        #expect(state?["allocated"] as? Int == 1)
        let token = try String(contentsOf: directory.appendingPathComponent("cert.txt"), encoding: .utf8)
        let payloadPart = String(token.split(separator: ".")[1])
        let payload = try #require(
            Data(
                base64Encoded: payloadPart.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
                    of: "_",
                    with: "/"
                )
                    + String(repeating: "=", count: (4 - payloadPart.count % 4) % 4)
            )
        )
        let status = try JSONSerialization.jsonObject(with: payload) as? [String: Any]
        let index = try #require(
            ((status?["status"] as? [String: Any])?["bitstring_status_list"] as? [String: Any])?["idx"] as? Int
        )

        let presentation = try present(directory).standardOutput
        let suspend = try CLIRunner.run(["cert", "suspend", "--index", String(index)] + issuerFlags, in: directory)
        #expect(suspend.status == 0, "\(suspend.standardError)")
        #expect(
            try verify(directory, presentation).standardError
                == "error: certificate refused: certificate is suspended\n"
        )
        _ = try CLIRunner.run(["cert", "reinstate", "--index", String(index)] + issuerFlags, in: directory)
        #expect(try verify(directory, presentation).status == 0)
        _ = try CLIRunner.run(["cert", "revoke", "--index", String(index)] + issuerFlags, in: directory)
        #expect(
            try verify(directory, presentation).standardError == "error: certificate refused: certificate is revoked\n"
        )
        let reinstate = try CLIRunner.run(["cert", "reinstate", "--index", String(index)] + issuerFlags, in: directory)
        #expect(reinstate.status == 1)
        #expect(reinstate.standardError == "error: certificate is revoked; revocation is final\n")
    }

    @Test("bad input ends with one clear line")
    func badInput() throws {
        let directory = try office("ed25519")
        let wrongType = try CLIRunner.run(
            [
                "cert", "issue", "--type", "passport", "--holder", Self.holder, "--holder-pub", "holder.pub.pem",
                "--claims", "claims.json",
            ] + issuerFlags,
            in: directory
        )
        #expect(wrongType.status != 0)
        #expect(wrongType.standardError.contains("unknown --type passport"))
        let garbage = try verify(directory, "not an sd-jwt")
        #expect(garbage.status == 2)
        #expect(garbage.standardError.hasPrefix("error: certificate refused: malformed"))
    }
}
