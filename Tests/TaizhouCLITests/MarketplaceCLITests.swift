import Foundation
import SocietyCore
import SocietyJSON
import SocietySynthetic
import Testing

/// `taizhou provider`, `consent` and `usage` on the demo's state folder, with a provider's fetches
/// going through `taizhou gateway serve --consent-manager` in another process.
@Suite("taizhou provider, consent and usage")
struct MarketplaceCLITests {
    let bureau = "113212000142871106/bigdata"
    let app = "91320214745555318W/access-app"
    let hrss = "11321200014287313T/hrss"  // the demo's human-resources department

    @Test(
        "a provider onboards, a resident consents, fetches are metered and refused one by one, the resident sees each use"
    )
    func marketplace() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-mk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        func run(_ arguments: [String]) throws -> CLIRun {
            // Every command but key generation and a holder's presentation works in the state folder.
            let stateless = arguments.first == "keys" || arguments.prefix(2) == ["cert", "present"]
            return try CLIRunner.run(arguments + (stateless ? [] : ["--state", state]), in: directory)
        }
        func succeed(_ arguments: [String]) throws -> String {
            let result = try run(arguments)
            #expect(result.status == 0, "\(arguments.prefix(2)): \(result.standardError)")
            return result.standardOutput
        }
        func write(_ text: String, _ name: String) throws {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }

        // The demo's city; a new root key re-signs its list with the bureau, and a service for providers.
        _ = try succeed(["demo", "--residents", "1000", "--applications", "2"])
        let city = try SyntheticCity(residents: 1000, today: CalendarDate(Date()))
        var households = city.households().makeIterator()
        let resident = try #require(households.next()?.members.first).resident.id
        _ = try succeed(["keys", "generate", "--alg", "ed25519", "--out", "\(state)/root.pem", "--force"])
        _ = try succeed(["keys", "generate", "--alg", "ed25519", "--out", "ecert.pem"])
        _ = try succeed(["keys", "generate", "--alg", "ed25519", "--out", "wallet.pem"])
        _ = try succeed(["trust", "init", "--from", "\(state)/trust.json", "--force"])
        _ = try succeed(["trust", "add-party", "--party", bureau, "--name", "泰州市大数据局", "--state-keys"])
        _ = try succeed(["trust", "add-key", "--party", bureau, "--kid", "bigdata-ecert-1", "--pub", "ecert.pub.pem"])
        _ = try succeed(
            [
                "trust", "add-service", "--id", "hrss.employment-status", "--provider", hrss, "--purpose",
                "marketplace.jobs",
            ]
        )
        _ = try succeed(["trust", "sign", "--key", "\(state)/root.pem", "--kid", "root-2"])

        // The bureau qualifies the app; the app applies with the presentation bound to its application id.
        let issuer = ["--key", "ecert.pem", "--kid", "bigdata-ecert-1", "--iss", bureau]
        _ = try succeed(["cert", "publish"] + issuer)
        try write(
            #"{"organisation_name":"无障碍出行科技有限公司","service_fields":"employment","protection_level":"3"}"#,
            "q.json"
        )
        try write(
            try succeed(
                [
                    "cert", "issue", "--type", "provider-qualification", "--holder", "91320214745555318W",
                    "--holder-pub",
                    "wallet.pub.pem", "--claims", "q.json",
                ] + issuer
            ),
            "issued.txt"
        )
        func present(nonce: String) throws -> String {
            try succeed(
                [
                    "cert", "present", "--disclose", "organisation_name,holder,number", "--holder-key", "wallet.pem",
                    "--nonce", nonce, "--aud", bureau, "issued.txt",
                ]
            )
        }
        try write(try present(nonce: "provider-2026-001"), "qualification.txt")
        try write(try present(nonce: "another-application"), "stale.txt")
        try write("data-use terms v1", "terms.txt")
        try write("appointment of 王五", "appointment.txt")
        let apply = [
            "provider", "apply", "--id", "provider-2026-001", "--party", app, "--name", "无障碍出行", "--service",
            "hrss.employment-status", "--purpose", "marketplace.jobs", "--quota", "100", "--officer", "王五", "--terms",
            "terms.txt", "--appointment", "appointment.txt", "--status", "status.json", "--qualification",
        ]
        let stale = try run(apply + ["stale.txt"])
        #expect(stale.status == 1)
        #expect(stale.standardError.contains("answers another nonce"), "\(stale.standardError)")
        let early = try run(["provider", "approve", "provider-2026-001", "--by", "director"])
        #expect(early.status == 1, "nothing to approve yet")
        #expect(try succeed(apply + ["qualification.txt"]).contains("accepted (受理): provider-2026-001"))
        let skipped = try run(["provider", "approve", "provider-2026-001", "--by", "director"])
        #expect(skipped.status == 1, "approval before review is an illegal move: \(skipped.standardOutput)")
        _ = try succeed(["provider", "review", "provider-2026-001", "--by", "reviewer"])
        let approved = try succeed(["provider", "approve", "provider-2026-001", "--by", "director", "--days", "365"])
        #expect(approved.contains("agreement v1 (active)"))
        #expect(approved.contains("delivered to \(hrss)"))
        #expect(approved.contains("trust.draft.json updated"))
        _ = try succeed(["trust", "sign", "--key", "\(state)/root.pem", "--kid", "root-2"])
        #expect(try succeed(["trust", "show"]).contains(app), "the next list carries the provider")

        // The resident consents to one fetch a day of their employment status.
        let granted = try succeed(
            [
                "consent", "grant", "--resident", resident.unmasked, "--provider", app, "--purpose", "marketplace.jobs",
                "--scope", "hrss.employment-status=employment", "--frequency", "1/day", "--days", "183", "--json",
            ]
        )
        #expect(!granted.contains(resident.unmasked), "the number is masked")
        let grant = try JSONParser().parse(Array(granted.utf8))
        let consent = try #require(grant["consent"]?.stringValue)
        let pseudonym = try #require(grant["pseudonym"]?.stringValue)
        #expect(pseudonym.hasPrefix("psn-"))
        let receipt = try succeed(["consent", "receipt", consent])
        #expect(receipt.contains("at most 1 fetch(es) a day"))
        #expect(receipt.contains(resident.masked) && !receipt.contains(resident.unmasked))

        let server = try await GatewayProcess.start([
            "--party", "hrss", "--consent-manager", "bigdata", "--state", state,
        ])
        defer { _ = server.stop() }
        #expect(server.firstLine.contains("hrss.employment-status"))
        try write(#"{"resident":"\#(pseudonym)","fields":["employment"]}"#, "request.json")
        try write(#"{"resident":"\#(pseudonym)","fields":["monthlyWage"]}"#, "wage.json")
        func fetch(_ request: String = "request.json", consent: String? = nil) throws -> CLIRun {
            try run(
                [
                    "exchange", "call", "--as", app, "--url", server.url, "--svc", "hrss.employment-status",
                    "--purpose",
                    "marketplace.jobs", request,
                ] + (consent.map { ["--consent", $0] } ?? [])
            )
        }
        let none = try fetch()
        #expect(none.status == 1)
        #expect(none.standardError.contains("HTTP 403"), "no consent named: \(none.standardError)")
        let outside = try fetch("wage.json", consent: consent)
        #expect(outside.standardError.contains("monthlyWage"), "a field outside the consent: \(outside.standardError)")
        let first = try fetch(consent: consent)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("\"employment\""), "\(first.standardOutput)")
        let second = try fetch(consent: consent)
        #expect(second.status == 1)
        #expect(second.standardError.contains("HTTP 429"), "over frequency: \(second.standardError)")

        // The statement counts the one fetch; the resident's report lists it.
        let statement = try succeed([
            "usage", "statement", "--provider", app, "--month", String(CalendarDate(Date()).iso8601.prefix(7)),
        ])
        #expect(statement.contains("\(hrss): 1 call(s)"), "\(statement)")
        #expect(statement.contains("hrss.employment-status: 1"))
        let uses = try succeed(["usage", "resident", "--resident", resident.unmasked])
        #expect(uses.contains("\(app) provider call for marketplace.jobs under consent \(consent)"), "\(uses)")
        #expect(uses.contains(resident.masked) && !uses.contains(resident.unmasked))

        // Revoked: refused at the next fetch.
        #expect(try succeed(["consent", "revoke", consent]).contains("delivered to \(hrss)"))
        let revoked = try fetch(consent: consent)
        #expect(revoked.standardError.contains("was revoked"), "\(revoked.standardError)")
        #expect(try succeed(["consent", "show", consent]).contains("revoked"))

        // Suspended: a fresh consent is refused too; then the provider exits with a deletion attestation.
        let again = try JSONParser().parse(
            Array(
                try succeed(
                    [
                        "consent", "grant", "--resident", resident.unmasked, "--provider", app, "--purpose",
                        "marketplace.jobs", "--scope", "hrss.employment-status=employment", "--json",
                    ]
                ).utf8
            )
        )
        #expect(try succeed(["provider", "suspend", "provider-2026-001"]).contains("agreement v2 (suspended)"))
        let suspended = try fetch(consent: again["consent"]?.stringValue)
        #expect(suspended.standardError.contains("suspended"), "\(suspended.standardError)")
        try write(try succeed(["provider", "attest-deletion", "--party", app]), "deleted.jws")
        try write(try succeed(["provider", "attest-deletion", "--party", hrss]), "not-the-app.jws")
        let forged = try run(["provider", "exit", "provider-2026-001", "--attestation", "not-the-app.jws"])
        #expect(forged.status == 1, "an attestation in another party's name is refused")
        #expect(
            try succeed(["provider", "exit", "provider-2026-001", "--attestation", "deleted.jws"]).contains("(exited)")
        )
        let shown = try JSONParser().parse(
            Array(try succeed(["provider", "show", "provider-2026-001", "--json"]).utf8)
        )
        #expect(shown["agreement"]?["standing"]?.stringValue == "exited")
        #expect(server.stop() == 0)
    }
}
