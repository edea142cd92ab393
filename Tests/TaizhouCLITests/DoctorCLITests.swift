import Foundation
import SocietyJSON
import Testing

/// The family-doctor CLI flow against a SQLite file, run as a user would.
@Suite("taizhou doctor")
struct DoctorCLITests {
    static let residents = ["11010519491231002X", "440524188001010014", "150102198807303035"]

    func doctor(_ arguments: [String], in directory: URL) throws -> CLIRun {
        try CLIRunner.run(["doctor"] + arguments, in: directory)
    }

    func folder() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-doctor-cli-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let team = try doctor(
            [
                "team", "--id", "team-1", "--name", "城东 1 号团队", "--institution", "91320214745555318W",
                "--institution-name", "城东社区卫生服务中心", "--division", "321202", "--capacity", "2",
                "--member", "1:王建国:generalPractitioner", "--member", "2:李敏:nurse",
            ],
            in: directory
        )
        #expect(team.status == 0, "\(team.standardError)")
        #expect(team.standardOutput == "team-1 registered: capacity 2, members 1 王** generalPractitioner, 2 李* nurse\n")
        return directory
    }

    @Test("team → sign → capacity and uniqueness refused → follow-ups → terminate → illegal renew; masked")
    func lifecycle() throws {
        let directory = try folder()
        let fact = try doctor(
            ["fact", "--resident", Self.residents[0], "--district", "321202", "--fact", "diagnosis:hypertension"],
            in: directory
        )
        #expect(fact.standardOutput == "1101**********002X: 1 fact(s) on record in 321202\n")
        let signed = try doctor(["sign", "--resident", Self.residents[0], "--team", "team-1"], in: directory)
        #expect(signed.status == 0, "\(signed.standardError)")
        #expect(
            signed.lines.first?.contains(": active, resident 1101**********002X, team team-1, package basic") == true
        )
        #expect(signed.lines.last == "priority groups: elderly, hypertension; 3 follow-up(s) planned")
        let contract = String(signed.standardOutput.prefix { $0 != ":" })
        let twice = try doctor(["sign", "--resident", Self.residents[0], "--team", "team-1"], in: directory)
        #expect(twice.status == 1)
        #expect(twice.standardError == "error: the resident already has a current family-doctor contract\n")
        _ = try doctor(["sign", "--resident", Self.residents[1], "--team", "team-1"], in: directory)
        let full = try doctor(["sign", "--resident", Self.residents[2], "--team", "team-1"], in: directory)
        #expect(full.standardError == "error: team team-1 is at its capacity of 2 residents\n")
        let overdue = try doctor(["followups", "--team", "team-1", "--on", "2099-01-01"], in: directory)
        #expect(overdue.lines.last == "3 follow-up(s)")
        #expect(overdue.lines.first?.contains("hypertension 1101**********002X contract \(contract) open") == true)
        let groups = try doctor(["groups", "--resident", Self.residents[0]], in: directory)
        #expect(
            groups.lines.contains {
                $0.hasPrefix("hypertension [diagnosis-hypertension.v1]: diagnosis hypertension (I10)")
            }
        )
        let ended = try doctor(["terminate", "--contract", contract, "--reason", "movedAway"], in: directory)
        #expect(ended.standardOutput.hasPrefix("\(contract): terminated"))
        let renew = try doctor(["renew", "--contract", contract], in: directory)
        #expect(renew.standardError == "error: a contract that is terminated cannot renew\n")
        for run in [signed, overdue, groups, ended] {
            for resident in Self.residents { #expect(!run.standardOutput.contains(resident)) }
        }
    }

    @Test("low-income residents without a contract, and the FHIR export, pseudonymous by default")
    func uncontractedAndFHIR() throws {
        let directory = try folder()
        for (resident, district) in [(Self.residents[1], "321202"), (Self.residents[2], "321204")] {
            let run = try doctor(
                ["fact", "--resident", resident, "--district", district, "--fact", "assistance:minimumLiving"],
                in: directory
            )
            #expect(run.status == 0, "\(run.standardError)")
        }
        _ = try doctor(["sign", "--resident", Self.residents[1], "--team", "team-1"], in: directory)
        let list = try doctor(["uncontracted"], in: directory)
        #expect(list.lines.first?.hasPrefix("321204") == true)
        #expect(list.lines.first?.hasSuffix(": 1 — 1501**********3035") == true)
        #expect(list.lines.last == "1 low-income resident(s) without a contract")
        let export = try doctor(["export-fhir", "--team", "team-1"], in: directory)
        #expect(export.status == 0, "\(export.standardError)")
        let bundle = try JSONParser().parse(export.standardOutput.trimmingCharacters(in: .newlines))
        #expect(bundle["resourceType"] == "Bundle")
        #expect(bundle["type"] == "collection")
        // The institution, two practitioners, the team; one contract with its patient and episode.
        let entries = bundle["entry"]?.arrayValue?.count ?? 0
        #expect(entries == 7)
        #expect(!export.standardOutput.contains(Self.residents[1]))
        #expect(!export.standardOutput.contains("王建国"))
        let revealed = try doctor(["export-fhir", "--team", "team-1", "--reveal-personal-data"], in: directory)
        #expect(revealed.standardOutput.contains(Self.residents[1]))
    }
}
