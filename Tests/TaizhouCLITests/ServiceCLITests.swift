import Foundation
import SocietyAssistance
import SocietyCore
import SocietyOpenSSL
import SocietyServices
import Testing

@Suite("taizhou catalogue / application / bundle")
struct ServiceCLITests {
    /// A fresh state folder, removed afterwards.
    func inState(_ body: ([String]) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("services-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(["--state", folder.path])
    }

    @Test("catalogue list and show: the reference services, their materials and the assistance bundle")
    func catalogue() throws {
        let list = try CLIRunner.run(["catalogue", "list"])
        #expect(list.status == 0)
        #expect(list.lines.count == 6)
        #expect(
            list.lines.contains(
                "childcare-filing: 托育机构备案 (childcare institution filing) — health-commission, 5/5 working days, 50 % paperless"
            )
        )
        let bundle = try CLIRunner.run(["catalogue", "show", "assistance-bundle", "--json"])
        #expect(bundle.status == 0)
        #expect(
            bundle.standardOutput.contains(
                #""parts":["assistance-application","assistance-verification","onecard-payment","family-doctor-contract"]"#
            )
        )
        // The reference catalogue's assistance entry is the one the assistance module declares: every
        // fact fetched by envelope from the department holding it, nothing handed in.
        let assistance = try CLIRunner.run(["catalogue", "show", AssistanceService.serviceCode, "--json"])
        #expect(assistance.status == 0)
        let declared = try AssistanceService.serviceEntry(timeLimit: TimeLimit(statutory: 30, promised: 20))
        for case .exchange(let service, let replaces) in declared.materials {
            #expect(assistance.standardOutput.contains("\(replaces): fetched by envelope from \(service)"))
        }
        #expect(declared.materials.count == VerificationService.all.count)
        #expect(declared.paperlessShare == 1)
        let unknown = try CLIRunner.run(["catalogue", "show", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains(#"no service in the catalogue has the code "nope""#))
    }

    @Test("materials at submission: a document kept by its digest, a missing or unexpected one refused, nothing stored")
    func materials() throws {
        try inState { state in
            let plan = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString).pdf")
            try Data("floor plan".utf8).write(to: plan)
            defer { try? FileManager.default.removeItem(at: plan) }
            let base =
                ["application", "submit"] + state + [
                    "--on", "2026-03-02", "--service", "childcare-filing", "--organisation", "91320214745555318W",
                    "--district", "321202",
                ]
            let missing = try CLIRunner.run(base + ["--id", "f-1"])
            #expect(missing.status == 1)
            #expect(missing.standardError.contains("service childcare-filing requires premises floor plan"))
            let unexpected = try CLIRunner.run(
                base + [
                    "--id", "f-1", "--document", "premises floor plan=\(plan.path)", "--document",
                    "passport=\(plan.path)",
                ]
            )
            #expect(unexpected.status == 1)
            #expect(unexpected.standardError.contains("passport is not asked for"))
            let unchecked = try CLIRunner.run(base + ["--id", "f-1", "--certificate", "disability=\(plan.path)"])
            #expect(unchecked.status == 2)
            #expect(unchecked.standardError.contains("--certificate needs --trust, --status and --aud"))
            let none = try CLIRunner.run(["application", "status"] + state + ["f-1"])
            #expect(none.status == 1)
            #expect(none.standardError.contains("no application f-1"))

            let submitted = try CLIRunner.run(base + ["--id", "f-1", "--document", "premises floor plan=\(plan.path)"])
            #expect(submitted.status == 0, "\(submitted.standardError)")
            let status = try CLIRunner.run(["application", "status"] + state + ["f-1"])
            // SHA-256 of "floor plan".
            let digest =
                "sha256:" + Hex.encode(try OpenSSLCryptoProvider().digest(.sha256, of: Array("floor plan".utf8)))
            #expect(status.standardOutput.contains("material: premises floor plan, \(digest.prefix(19))…"))
        }
    }

    @Test(
        "an application's life on the official calendar: accepted before the Spring Festival, materials, warnings, completion"
    )
    func lifeCycle() throws {
        try inState { state in
            let submit = try CLIRunner.run(
                ["application", "submit"] + state + [
                    "--on", "2026-02-13", "--id", "a-1", "--service", "onecard-payment", "--resident",
                    "321202196005010117",
                    "--district", "321202",
                ]
            )
            #expect(submit.status == 0)
            #expect(submit.lines == ["a-1 (onecard-payment): submitted"])
            #expect(!submit.standardOutput.contains("321202196005010117"))
            let accept = try CLIRunner.run(["application", "accept"] + state + ["--on", "2026-02-13", "a-1"])
            // 14 Feb (worked Saturday), 24, 25, 26, 27 Feb: due on the 27th.
            #expect(accept.lines == ["a-1 (onecard-payment): accepted, due 2026-02-27"])
            let materials = try CLIRunner.run(
                ["application", "request-materials"] + state + ["--on", "2026-02-24", "a-1", "--missing", "bank card"]
            )
            #expect(
                materials.lines == ["a-1 (onecard-payment): awaitingMaterials: bank card by 2026-03-02, due 2026-02-27"]
            )
            let supplied = try CLIRunner.run(
                ["application", "supply-materials"] + state + ["--on", "2026-02-26", "a-1"]
            )
            // The applicant had until 2 March (25–27 Feb, the worked Saturday 28 Feb, 2 March) and
            // brought them on the 26th: waited 25 and 26 Feb, so the deadline moves two working days,
            // past the worked Saturday, to 2 March.
            #expect(supplied.lines == ["a-1 (onecard-payment): accepted, due 2026-03-02"])
            let warnings = try CLIRunner.run(["application", "warnings"] + state + ["--on", "2026-03-04", "--json"])
            #expect(warnings.status == 3)
            #expect(
                warnings.lines == [
                    #"{"application":"a-1","deadline":"2026-03-02","deadlineKind":"promised","department":"onecard","service":"onecard-payment","warning":"overdue","workingDays":2}"#
                ]
            )
            let illegal = try CLIRunner.run(["application", "accept"] + state + ["--on", "2026-03-04", "a-1"])
            #expect(illegal.status == 1)
            #expect(illegal.standardError.contains("an application that is accepted cannot accept"))
            let done = try CLIRunner.run(
                ["application", "complete"] + state + ["--on", "2026-03-04", "a-1", "--result", "paid"]
            )
            #expect(done.status == 0)
            let counts = try CLIRunner.run(["application", "counts"] + state + ["--on", "2026-03-04"])
            #expect(
                counts.lines == [
                    "onecard-payment onecard 321202: received 1, on time 0, late 1, closed without result 0, open 0, overdue 0"
                ]
            )
            let status = try CLIRunner.run(["application", "status"] + state + ["a-1"])
            // The line, then submit, accept, requestMaterials, supplyMaterials, complete.
            #expect(status.lines.count == 6)
            #expect(status.lines.last == "  2026-03-04 complete by taizhou-cli → completed")
        }
    }

    @Test("a bundle: one submission, four departments' parts, done when each is")
    func bundle() throws {
        try inState { state in
            let submit = try CLIRunner.run(
                ["bundle", "submit"] + state + [
                    "--on", "2026-03-02", "--id", "life-1", "--bundle", "assistance-bundle", "--household-head",
                    "321202196005010117", "--district", "321202",
                ]
            )
            #expect(submit.status == 0)
            #expect(submit.lines.first == "life-1 (assistance-bundle): in progress, 0 of 4 parts final")
            for part in [
                "assistance-application", "assistance-verification", "onecard-payment", "family-doctor-contract",
            ] {
                let id = "life-1/\(part)"
                #expect(try CLIRunner.run(["application", "accept"] + state + ["--on", "2026-03-03", id]).status == 0)
                #expect(
                    try CLIRunner.run(
                        ["application", "complete"] + state + ["--on", "2026-03-04", id, "--result", "done \(part)"]
                    )
                    .status == 0
                )
            }
            let status = try CLIRunner.run(
                ["bundle", "status"] + state + ["--bundle", "assistance-bundle", "life-1", "--json"]
            )
            #expect(status.status == 0)
            #expect(status.standardOutput.contains(#""done":true"#))
            #expect(status.standardOutput.contains(#""onecard-payment":"done onecard-payment""#))
        }
    }

    @Test("bad input: two applicants, a bad catalogue file, an unknown application; nothing is created by a read")
    func badInput() throws {
        try inState { state in
            let two = try CLIRunner.run(
                ["application", "submit"] + state + [
                    "--id", "a", "--service", "onecard-payment", "--resident", "321202196005010117", "--organisation",
                    "91320214745555318W", "--district", "321202",
                ]
            )
            #expect(two.status == 2)
            #expect(two.standardError.contains("give exactly one of --resident, --household-head, --organisation"))
            let missing = try CLIRunner.run(["application", "status"] + state + ["a"])
            #expect(missing.status == 1)
            #expect(!FileManager.default.fileExists(atPath: state[1] + "/services.sqlite"))
            let folder = URL(fileURLWithPath: state[1])
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("catalogue.json")
            try Data(
                #"{"format": "ds.service-catalogue/1", "services": [{"code": "x", "name": "n"}]}"#.utf8
            ).write(to: file)
            let bad = try CLIRunner.run(["catalogue", "list", "--catalogue", file.path])
            #expect(bad.status == 2)
            #expect(bad.standardError.contains("catalogue.json: service catalogue: services[0]: department is missing"))
        }
    }
}
